//! Grid aggregation: 10⁷ clustered points on a 600 × 600 grid of 50 m cells.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmspot::count::{aggregate, CountParams};
use harmspot::grid::{Grid, Shape};
use harmspot::{Incidents, Month, Rng};

const SIDE: f64 = 30_000.0;

/// `n` seeded points: 30% uniform, 70% in 20 Gaussian clusters, clipped to the square.
fn clustered(n: usize, seed: u64) -> Incidents {
    let mut rng = Rng::new(seed);
    let clusters: Vec<([f64; 2], f64)> = (0..20)
        .map(|_| {
            let c = [
                3_000.0 + 24_000.0 * rng.uniform(),
                3_000.0 + 24_000.0 * rng.uniform(),
            ];
            (c, 200.0 + 1_300.0 * rng.uniform())
        })
        .collect();
    let xy: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            let p = if rng.uniform() < 0.3 {
                [SIDE * rng.uniform(), SIDE * rng.uniform()]
            } else {
                let (c, s) = clusters[rng.below(20) as usize];
                [c[0] + s * rng.normal(), c[1] + s * rng.normal()]
            };
            [p[0].clamp(0.0, SIDE - 1.0), p[1].clamp(0.0, SIDE - 1.0)]
        })
        .collect();
    let harm: Vec<f64> = (0..n).map(|_| 1.0 + rng.below(10) as f64).collect();
    Incidents {
        xy,
        month: vec![Month::UNKNOWN; n],
        kind: vec![0; n],
        harm,
        types: vec!["Synthetic".into()],
    }
}

fn bench(c: &mut Criterion) {
    let grid = Grid::from_extent(Shape::Square, 50.0, [0.0, 0.0, SIDE - 1.0, SIDE - 1.0]).unwrap();
    let n = 10_000_000;
    let inc = clustered(n, 42);
    let mut g = c.benchmark_group("count_600x600");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("10000000", |b| {
        b.iter(|| aggregate(&inc, &grid, &CountParams::default()).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
