//! Ingest throughput (rows per second) for each input layout, and R-tree build time, on
//! seeded synthetic extracts written once per size.
//!
//! Each iteration starts as the CLI does: a new `Projector` and options, the file read from
//! disk (the page cache is warm, as it is for an analyst re-running a command). police.uk
//! rows are written by `harmspot::generate` (locations snapped to shared map points, as
//! police.uk does); the named-column files have a distinct coordinate on every row.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use harmspot::generate::{generate, GenerateParams};
use harmspot::{read_incidents, Columns, CoordColumns, Crs, IncidentIndex, Projector, ReadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

fn police_uk(dir: &Path, rows: u64) -> PathBuf {
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

/// A named-column CSV with a distinct point on every row: lon/lat or BNG x/y.
fn named(dir: &Path, rows: u64, lonlat: bool) -> PathBuf {
    let p = dir.join(format!("named-{rows}-{lonlat}.csv"));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
    writeln!(
        f,
        "id,month,type,{}",
        if lonlat { "lon,lat" } else { "x,y" }
    )
    .unwrap();
    let mut s = 0x9e37_79b9_7f4a_7c15u64;
    for i in 0..rows {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let (u, v) = (
            (s >> 11) as f64 / 2f64.powi(53),
            (s & 0xffff_ffff) as f64 / 2f64.powi(32),
        );
        let month = 1 + i % 12;
        if lonlat {
            writeln!(
                f,
                "{i},2021-{month:02},Burglary,{:.6},{:.6}",
                -1.9 + 0.6 * u,
                54.8 + 0.3 * v
            )
        } else {
            writeln!(
                f,
                "{i},2021-{month:02},Burglary,{:.1},{:.1}",
                400_000.0 + 40_000.0 * u,
                540_000.0 + 40_000.0 * v
            )
        }
        .unwrap();
    }
    p
}

fn options(layout: &str) -> ReadOptions {
    let coords = match layout {
        "lonlat" => Some(CoordColumns::LonLat {
            lon: "lon".into(),
            lat: "lat".into(),
        }),
        "xy" => Some(CoordColumns::Projected {
            x: "x".into(),
            y: "y".into(),
            crs: Crs::epsg(27700).unwrap(),
        }),
        _ => None,
    };
    let named = coords.is_some();
    ReadOptions {
        columns: Columns {
            coords,
            month: named.then(|| "month".into()),
            crime_type: named.then(|| "type".into()),
            id: named.then(|| "id".into()),
            ..Columns::default()
        },
        ..ReadOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("ingest");
    g.sample_size(10);
    for rows in [100_000u64, 1_000_000] {
        for layout in ["police_uk", "lonlat", "xy"] {
            let f = match layout {
                "police_uk" => police_uk(dir.path(), rows),
                l => named(dir.path(), rows, l == "lonlat"),
            };
            g.throughput(Throughput::Elements(rows));
            g.bench_with_input(BenchmarkId::new(layout, rows), &f, |b, f| {
                b.iter(|| {
                    let projector = Projector::new("EPSG:27700").unwrap();
                    read_incidents(std::slice::from_ref(f), &options(layout), &projector).unwrap()
                })
            });
        }
    }
    g.finish();
    let mut g = c.benchmark_group("index");
    g.sample_size(10);
    let projector = Projector::new("EPSG:27700").unwrap();
    for rows in [100_000u64, 1_000_000] {
        let f = dir.path().join(format!("bench-{rows}-street.csv"));
        let (inc, _) = read_incidents(&[f], &ReadOptions::default(), &projector).unwrap();
        g.throughput(Throughput::Elements(inc.len() as u64));
        g.bench_with_input(BenchmarkId::new("bulk_load", rows), &inc, |b, inc| {
            b.iter(|| IncidentIndex::build(inc))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
