//! Before/after evaluation (`compare::evaluate`) with 100 point hubs (300 m radius, 300 m
//! buffers) over 10⁶ and 10⁷ incidents, both counting methods. Target: 10⁷ incidents × 100
//! hubs with buffers in ≤ 2 s on 2 cores.
//!
//! Incidents are made in memory (seeded): a uniform background over a 12 km disc plus 12
//! Gaussian hot spots, 24 months, 14 types — the shape of `harmspot generate`'s extracts,
//! without writing and parsing 10⁷ CSV rows. Half the hubs sit on hot spots, half anywhere.
//! The `index` method's time includes building the incident R-tree, as a run must.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use geo::{Geometry, Point};
use harmspot::compare::{
    build_areas, evaluate, AreaSet, AreasParams, CompareParams, CountMethod, Inference,
    InferenceParams, PeriodSpec,
};
use harmspot::crs::Projector;
use harmspot::incident::POLICE_UK_TYPES;
use harmspot::read::areas::AreaFeature;
use harmspot::read::areas::{read_areas_in, read_boundary};
use harmspot::read::{read_incidents, ReadOptions};
use harmspot::{Incidents, Month, MonthRange, Rng};

const RADIUS_M: f64 = 12_000.0;

fn incidents(n: usize, centres: &[[f64; 2]]) -> Incidents {
    let types: Vec<String> = POLICE_UK_TYPES.iter().map(|s| s.to_string()).collect();
    let first = Month::parse("2021-01").unwrap();
    let mut rng = Rng::new(42);
    let mut inc = Incidents {
        xy: Vec::with_capacity(n),
        month: Vec::with_capacity(n),
        kind: Vec::with_capacity(n),
        harm: Vec::with_capacity(n),
        types,
        ..Default::default()
    };
    for _ in 0..n {
        let p = if rng.uniform() < 0.4 {
            let (r, t) = (
                RADIUS_M * rng.uniform().sqrt(),
                std::f64::consts::TAU * rng.uniform(),
            );
            [r * t.cos(), r * t.sin()]
        } else {
            let c = centres[rng.below(centres.len() as u64) as usize];
            [c[0] + 400.0 * rng.normal(), c[1] + 400.0 * rng.normal()]
        };
        inc.xy.push(p);
        inc.month.push(first.add(rng.below(24) as i32));
        let k = rng.below(14) as u16;
        inc.kind.push(k);
        inc.harm.push(1.0 + k as f64 * 10.0);
    }
    inc
}

fn hubs(centres: &[[f64; 2]]) -> AreaSet {
    let mut rng = Rng::new(7);
    let fs: Vec<AreaFeature> = (0..100)
        .map(|k| {
            let p = if k % 2 == 0 {
                let c = centres[(k / 2) % centres.len()];
                [c[0] + 300.0 * rng.normal(), c[1] + 300.0 * rng.normal()]
            } else {
                let (r, t) = (
                    RADIUS_M * rng.uniform().sqrt(),
                    std::f64::consts::TAU * rng.uniform(),
                );
                [r * t.cos(), r * t.sin()]
            };
            let mut properties = serde_json::Map::new();
            properties.insert("name".into(), format!("hub {k}").into());
            AreaFeature {
                number: k + 1,
                properties,
                geometry: Geometry::Point(Point::new(p[0], p[1])),
            }
        })
        .collect();
    build_areas(
        &fs,
        "hubs.geojson".as_ref(),
        &AreasParams::default().radius(300.0).buffer(300.0),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng::new(1);
    let centres: Vec<[f64; 2]> = (0..12)
        .map(|_| {
            let (r, t) = (
                0.8 * RADIUS_M * rng.uniform().sqrt(),
                std::f64::consts::TAU * rng.uniform(),
            );
            [r * t.cos(), r * t.sin()]
        })
        .collect();
    let set = hubs(&centres);
    let spec = PeriodSpec::Explicit {
        before: MonthRange::parse("2021-01..2021-12").unwrap(),
        after: MonthRange::parse("2022-01..2022-12").unwrap(),
    };
    let mut g = c.benchmark_group("compare_100_hubs");
    g.sample_size(10);
    for n in [1_000_000usize, 10_000_000] {
        let inc = incidents(n, &centres);
        g.throughput(Throughput::Elements(n as u64));
        for (label, method) in [
            ("one_pass", CountMethod::OnePass),
            ("index", CountMethod::Index),
        ] {
            // counting only: the placebo verdicts are benched on real data below
            let params =
                CompareParams::new(spec.clone())
                    .method(method)
                    .inference(InferenceParams {
                        inference: Inference::Analytic,
                        ..InferenceParams::default()
                    });
            g.bench_with_input(BenchmarkId::new(label, n), &inc, |b, inc| {
                b.iter(|| evaluate(inc, &set, &params).unwrap())
            });
        }
    }
    g.finish();
}

/// The placebo verdicts of issue 19 on real data: the 13 Newcastle libraries (300 m
/// circles, 300 m buffers) over Northumbria 2020-05..2021-12 (328 k incidents), 999
/// placebos, synthetic controls, 5 measures; read once outside the timing. Skipped when
/// `../shared/data` is absent.
fn placebo(c: &mut Criterion) {
    let d = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if !d.join("police-uk/northumbria-2021").is_dir() {
        println!("SKIPPED placebo bench: {} is absent", d.display());
        return;
    }
    let projector = Projector::new("EPSG:27700").unwrap();
    let (inc, _) = read_incidents(
        &[
            d.join("police-uk/northumbria-2020"),
            d.join("police-uk/northumbria-2021"),
        ],
        &ReadOptions::default(),
        &projector,
    )
    .unwrap();
    let hubs = d.join("hubs/newcastle-libraries.geojson");
    let (fs, _) = read_areas_in(&hubs, &projector, None).unwrap();
    let boundary = read_boundary(
        &d.join("boundaries/northumbria-force-area.geojson"),
        &projector,
    )
    .unwrap();
    let set = build_areas(
        &fs,
        &hubs,
        &AreasParams::default()
            .radius(300.0)
            .buffer(300.0)
            .boundary(boundary),
    )
    .unwrap();
    let params = CompareParams::new(PeriodSpec::Explicit {
        before: MonthRange::parse("2020-07..2021-03").unwrap(),
        after: MonthRange::parse("2021-04..2021-12").unwrap(),
    });
    let mut g = c.benchmark_group("compare_placebo");
    g.sample_size(10);
    g.bench_function("13_hubs_999_placebos", |b| {
        b.iter(|| evaluate(&inc, &set, &params).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench, placebo);
criterion_main!(benches);
