//! Kernel density: 10⁵, 10⁶ and 10⁷ clustered points on a 600 × 600 grid of 50 m cells
//! (30 km square), quartic kernel, h = 400 m — every point–centre pair within 400 m is
//! evaluated (≈ 201 cells per point).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use harmspot::grid::{Grid, Shape};
use harmspot::kde::{estimate, KdeParams};
mod common;
use common::{clustered, SIDE};

fn bench(c: &mut Criterion) {
    let grid = Grid::from_extent(Shape::Square, 50.0, [0.0, 0.0, SIDE - 1.0, SIDE - 1.0]).unwrap();
    assert_eq!((grid.spec.nx, grid.spec.ny), (600, 600));
    let params = KdeParams::default().bandwidth(400.0);
    let mut g = c.benchmark_group("kde_quartic_600x600_h400");
    for n in [100_000usize, 1_000_000, 10_000_000] {
        if n >= 1_000_000 {
            g.sample_size(10);
        }
        let inc = clustered(n, 42, [0.0, 0.0]);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &inc, |b, inc| {
            b.iter(|| estimate(inc, &grid, &params).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
