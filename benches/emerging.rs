//! Emerging hot spots on 24 months × 10⁵ cells (400 × 250 cells of 100 m, 90% in the study
//! area), seeded Poisson counts around 15 clusters whose rates drift over the months: the
//! space-time Gi* (queen neighbours, K = 1 and K = 2; FDR), Mann-Kendall of every cell's
//! series and the categories; and the Mann-Kendall test alone on 10⁵ series of 23 values.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmspot::emerging::{compute_cube, EmergingParams};
use harmspot::grid::{Grid, Shape};
use harmspot::{mannkendall, Month, Rng};

fn cube(nx: usize, ny: usize, months: usize, seed: u64) -> (Grid, Vec<Vec<f64>>, Vec<Month>) {
    let s = 100.0;
    let mut grid = Grid::from_extent(
        Shape::Square,
        s,
        [0.0, 0.0, nx as f64 * s - 1.0, ny as f64 * s - 1.0],
    )
    .unwrap();
    let mut rng = Rng::new(seed);
    let clusters: Vec<([f64; 2], f64, f64)> = (0..15)
        .map(|_| {
            (
                [nx as f64 * s * rng.uniform(), ny as f64 * s * rng.uniform()],
                300.0 + 1200.0 * rng.uniform(),
                rng.uniform() * 0.1 - 0.05, // monthly drift of the rate
            )
        })
        .collect();
    let values = (0..months)
        .map(|t| {
            (0..grid.spec.len())
                .map(|i| {
                    let c = grid.spec.centre(i);
                    let lambda: f64 = 0.1
                        + clusters
                            .iter()
                            .map(|(p, sd, drift)| {
                                (3.0 * (1.0 + drift * t as f64)).max(0.0)
                                    * (-((c[0] - p[0]).powi(2) + (c[1] - p[1]).powi(2))
                                        / (2.0 * sd * sd))
                                        .exp()
                            })
                            .sum::<f64>();
                    rng.poisson(lambda) as f64
                })
                .collect()
        })
        .collect();
    for a in grid.in_area.iter_mut() {
        *a = rng.uniform() < 0.9;
    }
    let m0 = Month::parse("2020-01").unwrap();
    (
        grid,
        values,
        (0..months).map(|k| m0.add(k as i32)).collect(),
    )
}

fn bench(c: &mut Criterion) {
    let (grid, values, months) = cube(400, 250, 24, 1);
    let mut g = c.benchmark_group("emerging_24x1e5");
    g.sample_size(10);
    g.throughput(Throughput::Elements(
        (grid.spec.len() * months.len()) as u64,
    ));
    g.bench_function("queen_k1", |b| {
        b.iter(|| compute_cube(&values, &months, &grid, &EmergingParams::default()).unwrap())
    });
    g.bench_function("queen_k2_fdr", |b| {
        b.iter(|| {
            compute_cube(
                &values,
                &months,
                &grid,
                &EmergingParams::default().time_window(2).fdr(true),
            )
            .unwrap()
        })
    });
    g.bench_function("band_500m_k1", |b| {
        b.iter(|| {
            compute_cube(
                &values,
                &months,
                &grid,
                &EmergingParams::default().neighbour_distance(500.0),
            )
            .unwrap()
        })
    });
    g.finish();

    let mut rng = Rng::new(2);
    let series: Vec<Vec<f64>> = (0..100_000)
        .map(|_| (0..23).map(|_| rng.normal()).collect())
        .collect();
    let mut g = c.benchmark_group("mannkendall");
    g.throughput(Throughput::Elements(series.len() as u64));
    g.sample_size(10);
    g.bench_function("1e5_series_of_23", |b| {
        b.iter(|| {
            series
                .iter()
                .map(|s| mannkendall::test(s).unwrap().s)
                .sum::<i64>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
