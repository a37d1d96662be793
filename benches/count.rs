//! Grid aggregation: 10⁷ clustered points on a 600 × 600 grid of 50 m cells.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmspot::count::{aggregate, CountParams};
use harmspot::grid::{Grid, Shape};
mod common;
use common::{clustered, SIDE};

fn bench(c: &mut Criterion) {
    let grid = Grid::from_extent(Shape::Square, 50.0, [0.0, 0.0, SIDE - 1.0, SIDE - 1.0]).unwrap();
    let n = 10_000_000;
    let inc = clustered(n, 42, [0.0, 0.0]);
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
