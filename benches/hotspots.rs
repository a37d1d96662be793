//! The one-shot hotspot job end to end (`harmspot hotspots` minus file writing): grid with
//! automatic cell size, harm-weighted KDE with the automatic ArcGIS bandwidth, Gi* with FDR,
//! hotspot polygons and concentration, on 10⁶ and 10⁷ clustered incidents (in British
//! National Grid metres near Newcastle); and reading +
//! job on a 10⁶-row police.uk extract written by `harmspot::generate`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use harmspot::generate::{generate, GenerateParams};
use harmspot::grid::{auto_cell_size, Grid, Shape};
use harmspot::hotspots::{run, HotspotJobParams};
use harmspot::{read_incidents, Incidents, Projector, ReadOptions};

mod common;

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
        let inc = common::clustered(n, 7, [410_000.0, 550_000.0]);
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
