//! The one-shot hotspot job end to end (`harmspot hotspots` minus file writing): grid with
//! automatic cell size, harm-weighted KDE with the automatic ArcGIS bandwidth, Gi* with FDR,
//! hotspot polygons and concentration, on 10⁶ and 10⁷ clustered incidents; and reading +
//! job on a 10⁶-row police.uk extract written by `harmspot::generate`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use harmspot::generate::{generate, GenerateParams};
use harmspot::grid::{auto_cell_size, Grid, Shape};
use harmspot::pipeline::{run, HotspotJobParams};
use harmspot::{read_incidents, Incidents, Month, Projector, ReadOptions, Rng};

/// `n` seeded points over a 30 km square of British National Grid near Newcastle: 30%
/// uniform, 70% in 20 Gaussian clusters (σ 200–1500 m); 14 types with harm 1–365.
fn clustered(n: usize, seed: u64) -> Incidents {
    let (x0, y0, side) = (410_000.0, 550_000.0, 30_000.0);
    let mut rng = Rng::new(seed);
    let clusters: Vec<([f64; 2], f64)> = (0..20)
        .map(|_| {
            let c = [
                x0 + 3_000.0 + 24_000.0 * rng.uniform(),
                y0 + 3_000.0 + 24_000.0 * rng.uniform(),
            ];
            (c, 200.0 + 1_300.0 * rng.uniform())
        })
        .collect();
    let weights = [
        1.0, 2.0, 244.68, 11.18, 3.66, 10.0, 2.0, 273.75, 7.5, 365.0, 1.0, 2.0, 5.0, 194.21,
    ];
    let mut inc = Incidents {
        types: (0..14).map(|k| format!("type {k:02}")).collect(),
        ..Default::default()
    };
    for _ in 0..n {
        let p = if rng.uniform() < 0.3 {
            [x0 + side * rng.uniform(), y0 + side * rng.uniform()]
        } else {
            let (c, s) = clusters[rng.below(20) as usize];
            [c[0] + s * rng.normal(), c[1] + s * rng.normal()]
        };
        let k = rng.below(14) as u16;
        inc.xy.push(p);
        inc.kind.push(k);
        inc.harm.push(weights[k as usize]);
        inc.month.push(Month::UNKNOWN);
    }
    inc
}

fn job(inc: &Incidents) -> usize {
    let cell = auto_cell_size(inc.bbox().unwrap());
    let grid = Grid::from_points(Shape::Square, cell, &inc.xy).unwrap();
    run(inc, &grid, &HotspotJobParams::default())
        .unwrap()
        .hotspots
        .len()
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("hotspots_job");
    g.sample_size(10);
    for n in [1_000_000usize, 10_000_000] {
        let inc = clustered(n, 7);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("in_memory", n), &inc, |b, inc| {
            b.iter(|| job(inc))
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bench-street.csv");
    let params = GenerateParams {
        rows: 1_000_000,
        months: 12,
        ..GenerateParams::default()
    };
    generate(
        &params,
        std::io::BufWriter::new(std::fs::File::create(&f).unwrap()),
    )
    .unwrap();
    let projector = Projector::new("EPSG:27700").unwrap();
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("read_and_job/1000000", |b| {
        b.iter(|| {
            let (inc, _) = read_incidents(
                std::slice::from_ref(&f),
                &ReadOptions::default(),
                &projector,
            )
            .unwrap();
            job(&inc)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
