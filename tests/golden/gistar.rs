//! Gi* against independently computed values: the PySAL esda fixture, a 3×3 grid checked by
//! hand, and the Benjamini–Hochberg classes of a small hand example (METHODS §5).

use harmspot::gistar::{compute, compute_weights, GistarParams};
use harmspot::grid::{Grid, Shape};
use harmspot::pvalue;

/// esda `test_getisord.py`: points (10,10) (20,10) (40,10) (15,20) (30,20) (30,30),
/// `DistanceBand(points, threshold=15)` (distance ≤ 15, so (15,20)–(30,20) at exactly 15 are
/// neighbours), y = [2, 3, 3.2, 5, 8, 7], `G_Local(y, w, transform='B', star=True).Zs`.
const POINTS: [[f64; 2]; 6] = [
    [10.0, 10.0],
    [20.0, 10.0],
    [40.0, 10.0],
    [15.0, 20.0],
    [30.0, 20.0],
    [30.0, 30.0],
];
const Y: [f64; 6] = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
const ESDA_GSTAR_ZS: [f64; 6] = [
    -1.39727626,
    -0.28917762,
    0.65064964,
    -0.28917762,
    1.23452088,
    2.02424331,
];

fn band(points: &[[f64; 2]], d: f64) -> Vec<Vec<usize>> {
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (0..points.len())
                .filter(|&j| j != i && (points[j][0] - p[0]).hypot(points[j][1] - p[1]) <= d)
                .collect()
        })
        .collect()
}

#[test]
fn esda_fixture_binary_gistar() {
    let nb = band(&POINTS, 15.0);
    assert_eq!(nb[3], vec![0, 1, 4]); // the pair at exactly 15 is included
    let r = compute_weights(&Y, &nb, &GistarParams::default()).unwrap();
    for (i, (&z, &want)) in r.gistar.iter().zip(&ESDA_GSTAR_ZS).enumerate() {
        // esda prints 8 decimals
        assert!((z - want).abs() < 1e-8, "z[{i}] = {z}, esda {want}");
    }
    assert_eq!(r.neighbours, vec![3, 4, 2, 4, 5, 2]);
    // two-sided normal p (esda's p_norm is one-sided: these are twice its values)
    // p = erfc(|z|/√2): z5 = 2.02424331 → 0.042945123357, z0 → 0.162330511918
    assert!((r.pvalue[5] - 0.042_945_123_357_128_9).abs() < 1e-9);
    assert!((r.pvalue[0] - 0.162_330_511_918_104_4).abs() < 1e-9);
    assert_eq!(r.class, vec![0, 0, 0, 0, 0, 2]);
    // listing i among its own neighbours changes nothing
    let with_self: Vec<Vec<usize>> = nb
        .iter()
        .enumerate()
        .map(|(i, l)| [vec![i], l.clone()].concat())
        .collect();
    let r2 = compute_weights(&Y, &with_self, &GistarParams::default()).unwrap();
    assert_eq!(r.gistar, r2.gistar);
}

#[test]
fn esda_fixture_with_fdr() {
    // m = 6 p-values; the smallest, 0.0429, would need ≤ 1·α/6 (0.0167 at α = 0.10): no
    // cell survives at any level.
    let nb = band(&POINTS, 15.0);
    let r = compute_weights(&Y, &nb, &GistarParams::default().fdr(true)).unwrap();
    assert_eq!(r.class, vec![0; 6]);
    assert!(r.used.fdr);
}

#[test]
fn esda_fixture_permutations_are_seeded() {
    let nb = band(&POINTS, 15.0);
    let p = GistarParams::default().permutations(999).seed(10);
    let a = compute_weights(&Y, &nb, &p).unwrap();
    let b = compute_weights(&Y, &nb, &p).unwrap();
    assert_eq!(a.pvalue, b.pvalue);
    for &v in &a.pvalue {
        assert!((1.0 / 1000.0..=1.0).contains(&v), "{v}");
        // every pseudo p is a multiple of 1/(N+1)
        assert!((v * 1000.0 - (v * 1000.0).round()).abs() < 1e-9);
    }
    // z is unchanged by permutations; the p-value says how it was computed
    assert_eq!(
        a.gistar,
        compute_weights(&Y, &nb, &GistarParams::default())
            .unwrap()
            .gistar
    );
    assert!(a.used.pvalue.contains("999 conditional permutations"));
    let c = compute_weights(&Y, &nb, &p.clone().seed(11)).unwrap();
    assert_ne!(a.pvalue, c.pvalue);
}

/// A 3×3 grid of 100 m cells with values 1..9 (row 0 at the bottom):
///
/// ```text
/// 7 8 9
/// 4 5 6
/// 1 2 3
/// ```
///
/// n = 9, Σx = 45, X̄ = 5, Σx² = 285, S² = 285/9 − 25 = 20/3.
/// Queen neighbours (default √2 × 100 m), self included:
/// * corner (1): {1, 2, 4, 5}, k = 4, L = 12; (nk − k²)/(n − 1) = (36 − 16)/8 = 5/2;
///   z = (12 − 5·4)/√(20/3 · 5/2) = −8/√(50/3) = −1.959591794226542
/// * edge (2): {1, 2, 3, 4, 5, 6}, k = 6, L = 21; (54 − 36)/8 = 9/4;
///   z = (21 − 30)/(√(20/3) · 3/2) = −6·√(3/20) = −2.323790007724450
/// * edge (6): {2, 3, 5, 6, 8, 9}, L = 33: z = 3/(√(20/3) · 3/2) = √0.6 = 0.774596669241483
/// * corner (9): {5, 6, 8, 9}, L = 28: z = +1.959591794226542
/// * centre (5): k = 9 = n, 0/0 → reported as 0 (p = 1)
#[test]
fn hand_checked_three_by_three() {
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
    assert_eq!((grid.spec.nx, grid.spec.ny), (3, 3));
    let v: Vec<f64> = (1..=9).map(|x| x as f64).collect();
    let r = compute(&v, &grid, &GistarParams::default()).unwrap();
    let want = [
        (0, -1.959_591_794_226_542),
        (1, -2.323_790_007_724_45),
        (5, 0.774_596_669_241_483),
        (8, 1.959_591_794_226_542),
        (4, 0.0),
    ];
    for (i, z) in want {
        assert!(
            (r.gistar[i] - z).abs() < 1e-9,
            "cell {i}: {} vs {z}",
            r.gistar[i]
        );
    }
    assert_eq!(r.neighbours, vec![4, 6, 4, 6, 9, 6, 4, 6, 4]);
    assert_eq!(r.pvalue[4], 1.0);
    // p(2.3238) = 0.02014 → class −2; p(1.9596) = 0.05004 → −1 (just above 0.05)
    assert_eq!(r.class[1], -2);
    assert_eq!(r.class[0], -1);
    assert_eq!(r.used.neighbour_distance, Some(100.0 * 2f64.sqrt()));
    assert!(r.used.neighbour_distance_auto);
    assert_eq!(r.used.population, 9);
    assert_eq!(r.used.mean, 5.0);
    assert!((r.used.sd - (20.0f64 / 3.0).sqrt()).abs() < 1e-15);
}

/// The same grid with the top-right cell (9) outside the study area: it is neither tested
/// nor a neighbour. n = 8, Σx = 36, X̄ = 4.5, Σx² = 204, S² = 204/8 − 20.25 = 5.25.
/// Cell (6): neighbours {2, 3, 5, 6, 8} (9 left out), k = 5, L = 24;
/// (nk − k²)/(n − 1) = (40 − 25)/7 = 15/7; z = (24 − 22.5)/√(5.25 · 15/7) = 1.5/√11.25
/// = 0.447213595499958.
#[test]
fn cells_outside_the_study_area_are_not_neighbours() {
    let mut grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
    grid.in_area[8] = false;
    let v: Vec<f64> = (1..=9).map(|x| x as f64).collect();
    let r = compute(&v, &grid, &GistarParams::default()).unwrap();
    assert!(
        (r.gistar[5] - 0.447_213_595_499_958).abs() < 1e-9,
        "{}",
        r.gistar[5]
    );
    assert!(r.gistar[8].is_nan() && r.pvalue[8].is_nan());
    assert_eq!((r.neighbours[5], r.neighbours[8], r.class[8]), (5, 0, 0));
}

#[test]
fn all_equal_values_say_no_variance() {
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
    let e = compute(&[4.0; 9], &grid, &GistarParams::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("no variance: every cell has the same value (4)"),
        "{e}"
    );
}

/// Ten p-values, all hot (z > 0), m = 10:
/// * α = 0.01, thresholds 0.001·k: only p₍₁₎ = 0.001 ≤ 0.001 → critical 0.001
/// * α = 0.05, thresholds 0.005·k: 0.001 ≤ 0.005, 0.008 ≤ 0.010, 0.039 > 0.015, and no larger
///   k passes (0.041 > 0.020, 0.042 > 0.025, 0.059 > 0.030, …) → critical 0.008
/// * α = 0.10, thresholds 0.01·k: k = 6: 0.059 ≤ 0.06 passes, k = 7..10 fail
///   (0.074 > 0.07, 0.205 > 0.08, 0.212 > 0.09, 0.216 > 0.10) → critical 0.059
#[test]
fn benjamini_hochberg_per_level_by_hand() {
    let p = [
        0.001, 0.008, 0.039, 0.041, 0.042, 0.059, 0.074, 0.205, 0.212, 0.216,
    ];
    let z = [1.0; 10];
    assert_eq!(pvalue::bh_critical(&p, 0.01), Some(0.001));
    assert_eq!(pvalue::bh_critical(&p, 0.05), Some(0.008));
    assert_eq!(pvalue::bh_critical(&p, 0.10), Some(0.059));
    assert_eq!(
        pvalue::fdr_classes(&z, &p),
        vec![3, 2, 1, 1, 1, 1, 0, 0, 0, 0]
    );
    let raw: Vec<i8> = p.iter().map(|&p| pvalue::class(1.0, p)).collect();
    assert_eq!(raw, vec![3, 3, 2, 2, 2, 1, 1, 0, 0, 0]);
    // cold spots mirror hot ones
    let zc = [-1.0; 10];
    assert_eq!(pvalue::fdr_classes(&zc, &p)[0], -3);
}
