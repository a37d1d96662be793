//! `harmspot map` on square grids of 10⁴ and 10⁵ cells (about 100 m, near Newcastle) with
//! seeded densities, 1% suppressed, Gi* classes and 5 hotspots: building the map (Jenks on
//! 1,024 order statistics, labels), rendering the HTML page, and drawing the 1600 × 1200 PNG.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use geojson::FeatureCollection;
use harmspot::map::{build, html, png, MapParams};
use harmspot::Rng;
use serde_json::{json, Value};
use std::path::PathBuf;

fn square(x: f64, y: f64, dx: f64, dy: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x, y], [x + dx, y], [x + dx, y + dy], [x, y + dy], [x, y]]]})
}

fn layers(side: usize, seed: u64) -> Vec<(PathBuf, FeatureCollection)> {
    let (x0, y0, dx, dy) = (-1.8, 54.9, 0.0016, 0.0009);
    let mut rng = Rng::new(seed);
    let centres: Vec<[f64; 2]> = (0..5)
        .map(|_| [rng.uniform() * side as f64, rng.uniform() * side as f64])
        .collect();
    let mut cells = Vec::with_capacity(side * side);
    for j in 0..side {
        for i in 0..side {
            let d: f64 = centres
                .iter()
                .map(|c| {
                    50.0 * (-((i as f64 - c[0]).powi(2) + (j as f64 - c[1]).powi(2)) / 200.0).exp()
                })
                .sum::<f64>()
                + rng.uniform();
            let props = if rng.uniform() < 0.01 {
                json!({"n": null, "harm": null, "density": null, "class": null})
            } else {
                json!({"n": d.round(), "harm": d * 10.0, "density": d, "class": (d / 15.0).floor().min(3.0)})
            };
            let g = square(x0 + i as f64 * dx, y0 + j as f64 * dy, dx, dy);
            cells.push(json!({"type": "Feature", "geometry": g, "properties": props}));
        }
    }
    let hot: Vec<Value> = centres
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let g = square(
                x0 + (c[0] - 5.0) * dx,
                y0 + (c[1] - 5.0) * dy,
                10.0 * dx,
                10.0 * dy,
            );
            json!({"type": "Feature", "geometry": g, "properties": {"rank": k + 1, "harm": 100.0}})
        })
        .collect();
    let fc = |f: Vec<Value>| -> FeatureCollection {
        serde_json::from_value(json!({"type": "FeatureCollection", "features": f})).unwrap()
    };
    vec![
        ("cells.geojson".into(), fc(cells)),
        ("hotspots.geojson".into(), fc(hot)),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("map");
    for side in [100usize, 316] {
        let n = side * side;
        let input = layers(side, 7);
        if n > 50_000 {
            g.sample_size(10);
        }
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(format!("build/{n}"), |b| {
            b.iter(|| build(input.clone(), &MapParams::default()).unwrap())
        });
        let map = build(input, &MapParams::default()).unwrap();
        g.bench_function(format!("html/{n}"), |b| {
            b.iter(|| {
                html::render(&map, &html::HtmlOptions::default())
                    .unwrap()
                    .len()
            })
        });
        g.bench_function(format!("png_1600x1200/{n}"), |b| {
            b.iter(|| {
                png::render(&map, &png::PngOptions::default())
                    .unwrap()
                    .len()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
