//! Kernel density and bandwidths against values worked by hand (METHODS §2–3).

use harmspot::bandwidth;
use harmspot::grid::{Grid, Shape};
use harmspot::kde::{estimate, KdeParams, Kernel, Values, Weights};
use harmspot::{Incidents, Month};
use std::f64::consts::PI;

fn incidents(xy: &[[f64; 2]], w: &[f64]) -> Incidents {
    Incidents {
        xy: xy.to_vec(),
        month: vec![Month::UNKNOWN; xy.len()],
        kind: vec![0; xy.len()],
        harm: w.to_vec(),
        types: vec!["Burglary".into()],
        ..Default::default()
    }
}

/// 10 m cells over x 0..100, y 0..50: centres at 5, 15, ..., 95 and 5, ..., 45.
fn grid10() -> Grid {
    Grid::from_extent(Shape::Square, 10.0, [0.0, 0.0, 99.0, 49.0]).unwrap()
}

fn at(layer: &harmspot::Layer, col: &str, p: [f64; 2]) -> f64 {
    layer.get(col).unwrap()[layer.grid.spec.locate(p).unwrap()]
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol * b.abs().max(1e-300), "{a} vs {b}");
}

#[test]
fn one_point_on_a_cell_centre() {
    // Quartic, h = 100 m, the point on the centre (45, 25).
    // At its own centre: 3/(π·100²) per m² = 9.549296585513720e-5, i.e. 95.4929658551372 per km².
    // One cell east (d = 10, u² = 0.01): × (1 − 0.01)² = × 0.9801 → 93.5926558346...
    // Two cells north-east (d² = 800, u² = 0.08): × 0.92² = × 0.8464 → 80.8252...
    let inc = incidents(&[[45.0, 25.0]], &[1.0]);
    let l = estimate(&inc, &grid10(), &KdeParams::default().bandwidth(100.0)).unwrap();
    close(at(&l, "density", [45.0, 25.0]), 95.492_965_855_137_2, 1e-13);
    close(
        at(&l, "density", [55.0, 25.0]),
        95.492_965_855_137_2 * 0.9801,
        1e-13,
    );
    close(
        at(&l, "density", [65.0, 45.0]),
        95.492_965_855_137_2 * 0.8464,
        1e-13,
    );
    assert_eq!(at(&l, "n", [45.0, 25.0]), 1.0);
    // expected = density per m² × 100 m² = 9.5493e-3 incidents in the cell
    let e = estimate(
        &inc,
        &grid10(),
        &KdeParams::default()
            .bandwidth(100.0)
            .values(Values::Expected),
    )
    .unwrap();
    close(
        at(&e, "expected", [45.0, 25.0]),
        9.549_296_585_513_72e-3,
        1e-13,
    );
    // raw = (1 − u²)² without the constant: 1 on the point, 0.9801 next door (sfhotspot's `kde`)
    let r = estimate(
        &inc,
        &grid10(),
        &KdeParams::default().bandwidth(100.0).values(Values::Raw),
    )
    .unwrap();
    assert_eq!(at(&r, "kde", [45.0, 25.0]), 1.0);
    close(at(&r, "kde", [55.0, 25.0]), 0.9801, 1e-15);
    let names: Vec<&str> = r.columns.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(names, ["kde", "n", "harm"]);
}

#[test]
fn two_weighted_points_add_up() {
    // Epanechnikov, h = 50 m; points at (5, 5) weight 2 and (35, 5) weight 1.
    // At the centre (15, 5): d = 10 and 20, u² = 0.04 and 0.16:
    //   2/(π·2500) · (2·0.96 + 1·0.84) = 2/(π·2500) · 2.76 = 7.02828e-4 per m² = 702.8282 per km².
    // With --weights none: 2/(π·2500) · (0.96 + 0.84) = 458.3662 per km².
    let inc = incidents(&[[5.0, 5.0], [35.0, 5.0]], &[2.0, 1.0]);
    let p = KdeParams::default()
        .bandwidth(50.0)
        .kernel(Kernel::Epanechnikov);
    let l = estimate(&inc, &grid10(), &p).unwrap();
    let c = 2.0 / (PI * 2500.0) * 1e6;
    close(at(&l, "density", [15.0, 5.0]), c * 2.76, 1e-13);
    close(c * 2.76, 702.828_228_7, 1e-9);
    let u = estimate(&inc, &grid10(), &p.clone().weights(Weights::Unweighted)).unwrap();
    close(at(&u, "density", [15.0, 5.0]), c * 1.8, 1e-13);
    close(c * 1.8, 458.366_236_1, 1e-9);
    assert_eq!(at(&l, "harm", [5.0, 5.0]), 2.0);
}

#[test]
fn a_point_exactly_at_distance_h_contributes_nothing() {
    // Uniform kernel, h = 30 m, the point on the centre (5, 5): the centre (35, 5) is exactly
    // 30 m away, outside the open disc; (25, 5) at 20 m gets 1/(π·900) per m² = 353.6777 per km².
    let inc = incidents(&[[5.0, 5.0]], &[1.0]);
    let l = estimate(
        &inc,
        &grid10(),
        &KdeParams::default().bandwidth(30.0).kernel(Kernel::Uniform),
    )
    .unwrap();
    assert_eq!(at(&l, "density", [35.0, 5.0]), 0.0);
    close(at(&l, "density", [25.0, 5.0]), 1e6 / (PI * 900.0), 1e-13);
    close(1e6 / (PI * 900.0), 353.677_651_3, 1e-9);
    // Gaussian, σ = 10 m, truncated at 4σ = 40 m: (45, 5) is exactly 40 m away → 0;
    // (35, 5) at 30 m: exp(−4.5)/(2π·100·(1 − e⁻⁸)) per m².
    let g = estimate(
        &inc,
        &grid10(),
        &KdeParams::default()
            .bandwidth(10.0)
            .kernel(Kernel::Gaussian),
    )
    .unwrap();
    assert_eq!(at(&g, "density", [45.0, 5.0]), 0.0);
    let want = (-4.5f64).exp() / (2.0 * PI * 100.0 * (1.0 - (-8.0f64).exp())) * 1e6;
    close(at(&g, "density", [35.0, 5.0]), want, 1e-13);
    // every compact kernel is 0 at u = 1
    for k in [
        Kernel::Quartic,
        Kernel::Epanechnikov,
        Kernel::Triweight,
        Kernel::Triangular,
        Kernel::Uniform,
    ] {
        assert_eq!(k.shape(1.0), 0.0, "{k:?}");
    }
}

#[test]
fn every_kernel_integrates_to_the_total_weight() {
    // 1 m cells over a 620 m square; three points with weights 1, 2.5, 0.5 (Σw = 4) at
    // generic offsets; h = 150 m (Gaussian σ = 37.5 m, support 150 m) keeps every kernel
    // inside the square. Σ density per m² × 1 m² must be 4 to 1e-3.
    let grid = Grid::from_extent(Shape::Square, 1.0, [-310.0, -310.0, 309.9, 309.9]).unwrap();
    let inc = incidents(
        &[[0.3, 0.7], [-20.2, 35.55], [41.1, -12.9]],
        &[1.0, 2.5, 0.5],
    );
    for k in Kernel::ALL {
        let h = if k == Kernel::Gaussian { 37.5 } else { 150.0 };
        let l = estimate(
            &inc,
            &grid,
            &KdeParams::default()
                .bandwidth(h)
                .kernel(k)
                .values(Values::Expected),
        )
        .unwrap();
        let total: f64 = l.get("expected").unwrap().iter().sum();
        assert!((total - 4.0).abs() < 4e-3, "{k:?}: {total}");
    }
}

#[test]
fn arcgis_bandwidth_worked_by_hand() {
    // Points (0,0) (2,0) (0,2) (2,2) (1,1) (1,13), unweighted.
    // Mean centre: x̄ = 6/6 = 1, ȳ = 18/6 = 3.
    // SD = √((1+1+1+1+0+0)/6 + (9+9+1+1+4+100)/6) = √(4/6 + 124/6) = √21.333 = 4.618802.
    // Distances to (1,3): √10, √10, √2, √2, 2, 10 → sorted √2, √2, 2, √10, √10, 10;
    // median = (2 + √10)/2 = 2.581139. √(1/ln 2) · D_m = 1.2011224 · 2.581139 = 3.100264.
    // h = 0.9 · min(4.618802, 3.100264) · 6^−0.2 = 0.9 · 3.100264 · 0.6988271 = 1.949894.
    let xy = [
        [0.0, 0.0],
        [2.0, 0.0],
        [0.0, 2.0],
        [2.0, 2.0],
        [1.0, 1.0],
        [1.0, 13.0],
    ];
    close(
        bandwidth::arcgis(&xy, None).unwrap(),
        1.949_893_507_096_278,
        1e-12,
    );
    // Weighted 1,1,1,1,4,0: mean centre (8/8, 8/8) = (1, 1); SD = √(4/8 + 4/8) = 1;
    // distances 0 (weight 4) and √2 (four of weight 1); half the weight (4) is reached
    // exactly at 0, so D_m = (0 + √2)/2 = 0.7071068; 1.2011224 · 0.7071068 = 0.8493218;
    // n = Σw = 8: h = 0.9 · 0.8493218 · 8^−0.2 = 0.9 · 0.8493218 · 0.6597540 = 0.5043091.
    let w = [1.0, 1.0, 1.0, 1.0, 4.0, 0.0];
    close(
        bandwidth::arcgis(&xy, Some(&w)).unwrap(),
        0.504_309_075_422_362_8,
        1e-12,
    );
    // sfhotspot: x = 0,2,0,2,1,1; sd = 0.894427; quartiles (type 7) 0.25 and 1.75, IQR 1.5;
    // 4 · 1.06 · min(0.894427, 1.5/1.34) · 6^−0.2 = 2.650212.
    close(
        bandwidth::sfhotspot(&xy).unwrap(),
        2.650_211_901_790_695_5,
        1e-12,
    );
}

#[test]
fn automatic_bandwidth_is_recorded() {
    let xy: Vec<[f64; 2]> = (0..50)
        .map(|i| [(i % 10) as f64 * 40.0, (i / 10) as f64 * 60.0])
        .collect();
    let inc = incidents(&xy, &vec![1.0; 50]);
    let grid = Grid::from_extent(Shape::Square, 10.0, [0.0, 0.0, 400.0, 300.0]).unwrap();
    let l = estimate(&inc, &grid, &KdeParams::default()).unwrap();
    let h = bandwidth::arcgis(&xy, Some(&vec![1.0; 50])).unwrap();
    let used = l.kde_used().unwrap();
    assert_eq!(used.bandwidth, h);
    assert_eq!(used.source, "ArcGIS rule");
    // and the outputs record it
    let m = harmspot::publish::metadata(&l);
    assert_eq!(m["bandwidth"], h);
    assert_eq!(m["bandwidth_source"], "ArcGIS rule");
    let adj = estimate(&inc, &grid, &KdeParams::default().bandwidth_adjust(2.0)).unwrap();
    assert_eq!(adj.kde_used().unwrap().bandwidth, 2.0 * h);
    assert_eq!(harmspot::publish::metadata(&adj)["bandwidth_unadjusted"], h);
}

#[test]
fn bad_parameters_are_refused_with_the_flag_named() {
    let inc = incidents(&[[5.0, 5.0], [50.0, 20.0]], &[1.0, 1.0]);
    let g = grid10();
    for h in [0.0, -5.0, f64::NAN] {
        let e = estimate(&inc, &g, &KdeParams::default().bandwidth(h))
            .unwrap_err()
            .to_string();
        assert!(e.contains("‹bandwidth›") && e.contains("positive"), "{e}");
    }
    let e = estimate(&inc, &g, &KdeParams::default().bandwidth(8.0))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("smaller than the 10 m cell size") && e.contains("‹allow_small_bandwidth›"),
        "{e}"
    );
    assert!(estimate(
        &inc,
        &g,
        &KdeParams::default()
            .bandwidth(8.0)
            .allow_small_bandwidth(true)
    )
    .is_ok());
    let e = estimate(&inc, &g, &KdeParams::default().bandwidth_adjust(0.0))
        .unwrap_err()
        .to_string();
    assert!(e.contains("‹bandwidth_adjust›"), "{e}");
    assert!(estimate(&incidents(&[], &[]), &g, &KdeParams::default()).is_err());
    // all incidents at one place: the ArcGIS rule has nothing to measure
    let same = incidents(&[[5.0, 5.0]; 3], &[1.0; 3]);
    let e = estimate(&same, &g, &KdeParams::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("‹bandwidth›"), "{e}");
}

#[test]
fn identical_layers_at_one_and_two_threads() {
    let mut rng = harmspot::Rng::new(11);
    let xy: Vec<[f64; 2]> = (0..5_000)
        .map(|_| [3000.0 * rng.uniform(), 2000.0 * rng.uniform()])
        .collect();
    let w: Vec<f64> = (0..5_000).map(|_| rng.uniform() * 10.0).collect();
    let inc = incidents(&xy, &w);
    for shape in [Shape::Square, Shape::Hex] {
        let grid = Grid::from_points(shape, 50.0, &inc.xy).unwrap();
        let run = |t: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| estimate(&inc, &grid, &KdeParams::default().bandwidth(180.0)).unwrap())
        };
        let (a, b) = (run(1), run(2));
        for ((na, va), (nb, vb)) in a.columns.iter().zip(&b.columns) {
            assert_eq!(na, nb);
            assert!(
                va.iter().zip(vb).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{shape:?} {na}"
            );
        }
    }
}
