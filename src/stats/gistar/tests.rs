//! Unit tests of [`super`].
use super::*;
use crate::model::grid::{GridSpec, Shape};

fn random_grid(shape: Shape, nx: usize, ny: usize, seed: u64) -> (Grid, Vec<f64>) {
    let s = 100.0;
    let mut grid = Grid::from_extent(
        shape,
        s,
        [0.0, 0.0, nx as f64 * s - 1.0, ny as f64 * s - 1.0],
    )
    .unwrap();
    let mut r = Rng::new(seed);
    for a in grid.in_area.iter_mut() {
        *a = r.uniform() > 0.1;
    }
    let v = (0..grid.spec.len())
        .map(|_| r.poisson(2.0) as f64 + r.uniform())
        .collect();
    (grid, v)
}

/// Brute force: every pair of study-area cells, distance between centres.
fn brute(values: &[f64], grid: &Grid, d: f64) -> Vec<f64> {
    let spec = &grid.spec;
    let nb: Vec<usize> = (0..spec.len()).filter(|&i| grid.in_area[i]).collect();
    let lists: Vec<Vec<usize>> = nb
        .iter()
        .map(|&i| {
            let a = spec.centre(i);
            nb.iter()
                .enumerate()
                .filter(|(_, &j)| {
                    let b = spec.centre(j);
                    (a[0] - b[0]).hypot(a[1] - b[1]) <= d * (1.0 + 1e-9)
                })
                .map(|(p, _)| p)
                .collect()
        })
        .collect();
    let vals: Vec<f64> = nb.iter().map(|&i| values[i]).collect();
    let r = compute_weights(&vals, &lists, &GistarParams::default()).unwrap();
    let mut out = vec![f64::NAN; spec.len()];
    for (p, &i) in nb.iter().enumerate() {
        out[i] = r.gistar[p];
    }
    out
}

#[test]
fn grid_matches_brute_force_direct_and_runs() {
    for shape in [Shape::Square, Shape::Hex] {
        let (grid, v) = random_grid(shape, 13, 11, 7);
        for d in [100.0 * 2f64.sqrt(), 100.0, 250.0, 420.0] {
            let r = compute(&v, &grid, &GistarParams::default().neighbour_distance(d)).unwrap();
            let b = brute(&v, &grid, d);
            for (i, &bi) in b.iter().enumerate() {
                if grid.in_area[i] {
                    assert!(
                        (r.gistar[i] - bi).abs() < 1e-9,
                        "{shape:?} d={d} cell {i}: {} vs {bi}",
                        r.gistar[i]
                    );
                } else {
                    assert!(r.gistar[i].is_nan() && r.neighbours[i] == 0);
                }
            }
        }
    }
}

#[test]
fn column_runs_are_used_for_wide_bands() {
    let spec = GridSpec::covering(Shape::Square, 100.0, [0.0, 0.0, 1000.0, 1000.0]).unwrap();
    let o = spec.neighbour_offsets(100.0 * 2f64.sqrt(), false);
    assert_eq!(column_runs(&o).unwrap().len(), 3); // direct (9 < 12)
    let o = spec.neighbour_offsets(420.0, false);
    let runs = column_runs(&o).unwrap();
    assert!(
        o.len() >= RUN_THRESHOLD * runs.len(),
        "{} offsets, {} runs",
        o.len(),
        runs.len()
    );
}

#[test]
fn identical_at_any_thread_count() {
    let (grid, v) = random_grid(Shape::Square, 40, 30, 3);
    let p = GistarParams::default().permutations(99).seed(5).fdr(true);
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| compute(&v, &grid, &p).unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(
        a.pvalue.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        b.pvalue.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(
        a.gistar.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        b.gistar.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(a.class, b.class);
}

#[test]
fn no_variance_is_a_clear_error() {
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap();
    let e = compute(&[3.0; 25], &grid, &GistarParams::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("no variance: every cell has the same value (3)"),
        "{e}"
    );
    let e = compute(&[0.0; 25], &grid, &GistarParams::default()).unwrap_err();
    assert!(e.to_string().contains("no variance"), "{e}");
}

#[test]
fn bad_parameters() {
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap();
    let v: Vec<f64> = (0..25).map(|i| i as f64).collect();
    let e = compute(&v, &grid, &GistarParams::default().neighbour_distance(50.0)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::NeighbourDistance.to_string()),
        "{e}"
    );
    let e = compute(
        &v,
        &grid,
        &GistarParams::default().neighbour_distance(f64::NAN),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::NeighbourDistance.to_string()),
        "{e}"
    );
    let e = compute(&v, &grid, &GistarParams::default().permutations(1_000_000)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::Permutations.to_string()),
        "{e}"
    );
    assert!(compute(&v[..3], &grid, &GistarParams::default()).is_err());
}

#[test]
fn permutation_p_detects_a_cluster_and_is_in_range() {
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 1999.0, 1999.0]).unwrap();
    let mut v = vec![0.0; 400];
    for &(c, r) in &[(9, 9), (10, 9), (9, 10), (10, 10), (11, 10), (10, 11)] {
        v[r * 20 + c] = 10.0;
    }
    v[0] = 1.0;
    let r = compute(
        &v,
        &grid,
        &GistarParams::default().permutations(199).seed(9),
    )
    .unwrap();
    let centre = 10 * 20 + 10;
    assert!(r.pvalue[centre] <= 2.0 / 200.0, "{}", r.pvalue[centre]);
    assert!(r.pvalue.iter().all(|&p| p > 0.0 && p <= 1.0));
    // a far empty corner is not extreme
    assert!(r.pvalue[399] > 0.1);
}
