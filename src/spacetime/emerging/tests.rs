//! Unit tests of [`super`].
use super::*;
use crate::model::grid::Shape;
use crate::model::rng::Rng;
use crate::stats::gistar::{compute_weights, GistarParams};

fn months(t: usize) -> Vec<Month> {
    let m0 = Month::parse("2020-01").unwrap();
    (0..t).map(|k| m0.add(k as i32)).collect()
}

fn random_cube(shape: Shape, w: f64, h: f64, t: usize, seed: u64) -> (Grid, Vec<Vec<f64>>) {
    let mut grid = Grid::from_extent(shape, 100.0, [0.0, 0.0, w, h]).unwrap();
    let mut r = Rng::new(seed);
    for a in grid.in_area.iter_mut() {
        *a = r.uniform() > 0.15;
    }
    let cells = grid.spec.len();
    let cube = (0..t)
        .map(|_| (0..cells).map(|_| r.poisson(1.5) as f64).collect())
        .collect();
    (grid, cube)
}

/// The space-time z-scores equal the Gi* core's on explicit space-time neighbour lists.
#[test]
fn matches_gistar_core_on_explicit_space_time_lists() {
    for (shape, d, k) in [
        (Shape::Square, 100.0 * 2f64.sqrt(), 1u32),
        (Shape::Hex, 250.0, 2),
    ] {
        let (grid, cube) = random_cube(shape, 699.0, 599.0, 6, 11);
        let cells = grid.spec.len();
        let t_all = cube.len();
        let p = EmergingParams::default()
            .neighbour_distance(d)
            .time_window(k);
        let r = compute_cube(&cube, &months(t_all), &grid, &p).unwrap();
        // explicit lists over (month, area cell) bins
        let area: Vec<usize> = (0..cells).filter(|&i| grid.in_area[i]).collect();
        let pos = |t: usize, a: usize| t * area.len() + a;
        let mut values = Vec::new();
        let mut lists = Vec::new();
        for (t, month) in cube.iter().enumerate() {
            for &i in &area {
                values.push(month[i]);
                let ci = grid.spec.centre(i);
                let mut l = Vec::new();
                for tau in t.saturating_sub(k as usize)..=t {
                    for (b, &j) in area.iter().enumerate() {
                        let cj = grid.spec.centre(j);
                        if (ci[0] - cj[0]).hypot(ci[1] - cj[1]) <= d * (1.0 + 1e-9) {
                            l.push(pos(tau, b));
                        }
                    }
                }
                lists.push(l);
            }
        }
        let core = compute_weights(&values, &lists, &GistarParams::default()).unwrap();
        for t in k as usize..t_all {
            for (a, &i) in area.iter().enumerate() {
                let want = core.gistar[pos(t, a)];
                let got = r.gistar[t - k as usize][i];
                assert!(
                    (want - got).abs() < 1e-9,
                    "{shape:?} t={t} cell {i}: {got} vs {want}"
                );
            }
        }
    }
}

#[test]
fn identical_at_any_thread_count() {
    let (grid, cube) = random_cube(Shape::Square, 2999.0, 1999.0, 12, 3);
    for fdr in [false, true] {
        let p = EmergingParams::default().fdr(fdr).time_window(2);
        let run = |t: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| compute_cube(&cube, &months(12), &grid, &p).unwrap())
        };
        let (a, b) = (run(1), run(2));
        let bits = |v: &Vec<Vec<f64>>| v.iter().flatten().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.gistar), bits(&b.gistar));
        assert_eq!(a.bins, b.bins);
        assert_eq!(a.pattern, b.pattern);
        assert_eq!(
            a.trend_z.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            b.trend_z.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
    }
}

#[test]
fn errors_are_clear() {
    let (grid, cube) = random_cube(Shape::Square, 499.0, 499.0, 4, 1);
    let e = compute_cube(
        &cube,
        &months(4),
        &grid,
        &EmergingParams::default().time_window(2),
    )
    .unwrap_err();
    assert!(e.to_string().contains("at least 5 months"), "{e}");
    let e = compute_cube(
        &cube,
        &months(4),
        &grid,
        &EmergingParams::default().alpha(0.0),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with(&crate::Param::Alpha.to_string()),
        "{e}"
    );
    let e = compute_cube(
        &cube,
        &months(4),
        &grid,
        &EmergingParams::default().neighbour_distance(50.0),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::NeighbourDistance.to_string()),
        "{e}"
    );
    let flat = vec![vec![2.0; 25]; 4];
    let e = compute_cube(&flat, &months(4), &grid, &EmergingParams::default()).unwrap_err();
    assert!(e.to_string().starts_with("no variance"), "{e}");
}

#[test]
fn pattern_codes_round_trip() {
    for p in Pattern::ALL {
        assert_eq!(Pattern::from_code(p.code()), Some(p));
    }
    assert_eq!(Pattern::HistoricalCold.code(), -8);
    assert_eq!(Pattern::SporadicCold.label(), "Sporadic Cold Spot");
    assert_eq!(Pattern::from_code(9), None);
}
