//! Gi* on 10⁶ cells (1000 × 1000, 50 m square cells, 90% of them in the study area), with
//! seeded Poisson counts around 20 clusters: the default queen band (9 offsets, direct
//! sums), a 500 m band (317 cells, column-run prefix sums), hexagons, FDR; and 99
//! permutations on 10⁴ cells. Dissolve of the resulting hot cells too.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmspot::dissolve::cells_to_polygons;
use harmspot::gistar::{compute, GistarParams};
use harmspot::grid::{Grid, Shape};
use harmspot::Rng;

fn grid_and_counts(shape: Shape, side: usize, seed: u64) -> (Grid, Vec<f64>) {
    let s = 50.0;
    let e = side as f64 * s - 1.0;
    let mut grid = Grid::from_extent(shape, s, [0.0, 0.0, e, e]).unwrap();
    let mut rng = Rng::new(seed);
    let clusters: Vec<([f64; 2], f64)> = (0..20)
        .map(|_| {
            (
                [e * rng.uniform(), e * rng.uniform()],
                300.0 + 1500.0 * rng.uniform(),
            )
        })
        .collect();
    let values = (0..grid.spec.len())
        .map(|i| {
            let c = grid.spec.centre(i);
            let lambda: f64 = 0.2
                + clusters
                    .iter()
                    .map(|(p, sd)| {
                        5.0 * (-((c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2)) / (2.0 * sd * sd))
                            .exp()
                    })
                    .sum::<f64>();
            rng.poisson(lambda) as f64
        })
        .collect();
    for a in grid.in_area.iter_mut() {
        *a = rng.uniform() < 0.9;
    }
    (grid, values)
}

fn bench(c: &mut Criterion) {
    let (grid, v) = grid_and_counts(Shape::Square, 1000, 1);
    let (hex, hv) = grid_and_counts(Shape::Hex, 1000, 1);
    let mut g = c.benchmark_group("gistar_1000x1000");
    g.sample_size(10);
    g.throughput(Throughput::Elements(grid.spec.len() as u64));
    g.bench_function("queen", |b| {
        b.iter(|| compute(&v, &grid, &GistarParams::default()).unwrap())
    });
    g.bench_function("queen_fdr", |b| {
        b.iter(|| compute(&v, &grid, &GistarParams::default().fdr(true)).unwrap())
    });
    g.bench_function("band_500m", |b| {
        b.iter(|| {
            compute(
                &v,
                &grid,
                &GistarParams::default().neighbour_distance(500.0),
            )
            .unwrap()
        })
    });
    g.bench_function("hex_6", |b| {
        b.iter(|| compute(&hv, &hex, &GistarParams::default()).unwrap())
    });
    let r = compute(&v, &grid, &GistarParams::default().fdr(true)).unwrap();
    let hot: Vec<usize> = (0..r.class.len()).filter(|&i| r.class[i] >= 2).collect();
    g.bench_function(format!("dissolve_{}_hot_cells", hot.len()), |b| {
        b.iter(|| cells_to_polygons(&grid.spec, &hot))
    });
    g.finish();

    let (small, sv) = grid_and_counts(Shape::Square, 100, 2);
    let mut g = c.benchmark_group("gistar_100x100");
    g.sample_size(10);
    g.bench_function("permutations_99", |b| {
        b.iter(|| {
            compute(
                &sv,
                &small,
                &GistarParams::default().permutations(99).seed(3),
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
