//! Ingest throughput (police.uk rows per second) and R-tree build time, on seeded synthetic
//! extracts written once per size by `harmspot::generate`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use harmspot::generate::{generate, GenerateParams};
use harmspot::{read_incidents, IncidentIndex, Projector, ReadOptions};
use std::path::PathBuf;

fn extract(dir: &std::path::Path, rows: u64) -> PathBuf {
    let p = dir.join(format!("bench-{rows}-street.csv"));
    let params = GenerateParams {
        rows,
        months: 12,
        ..GenerateParams::default()
    };
    let f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    generate(&params, f).unwrap();
    p
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let projector = Projector::new("EPSG:27700").unwrap();
    let opts = ReadOptions::default();
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    for rows in [100_000u64, 1_000_000] {
        let f = extract(dir.path(), rows);
        g.throughput(Throughput::Elements(rows));
        g.bench_with_input(BenchmarkId::new("police_uk_rows", rows), &f, |b, f| {
            b.iter(|| read_incidents(std::slice::from_ref(f), &opts, &projector).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    for rows in [100_000u64, 1_000_000] {
        let f = dir.path().join(format!("bench-{rows}-street.csv"));
        let (inc, _) = read_incidents(&[f], &opts, &projector).unwrap();
        g.throughput(Throughput::Elements(inc.len() as u64));
        g.bench_with_input(BenchmarkId::new("bulk_load", rows), &inc, |b, inc| {
            b.iter(|| IncidentIndex::build(inc))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
