//! Disclosure control (issue 7): no output of a `--partner` run holds a value built from
//! 1 to K-1 incidents, nor a point geometry; `--include-points` is the only way to points.

use crate::common::*;
use crate::common::{has_point, load};
use harmspot::{read_incidents, Projector, ReadOptions};
use serde_json::Value;

/// Centre of a cell polygon (mean of its distinct vertices), projected to the working CRS.
fn centre(f: &Value, p: &Projector) -> [f64; 2] {
    let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
    let k = ring.len() - 1;
    let (mut x, mut y) = (0.0, 0.0);
    for c in &ring[..k] {
        x += c[0].as_f64().unwrap();
        y += c[1].as_f64().unwrap();
    }
    p.forward.point([x / k as f64, y / k as f64]).unwrap()
}

#[test]
fn partner_hotspots_publish_nothing_from_fewer_than_k() {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "generate",
            "--rows",
            "3000",
            "--months",
            "3",
            "--seed",
            "9",
            "--out",
            "g-street.csv",
        ],
    );
    ok(
        d.path(),
        &[
            "hotspots",
            "g-street.csv",
            "--cell-size",
            "200",
            "--partner",
            "--out",
            "res",
            "-q",
        ],
    );
    let res = d.path().join("res");
    let projector = Projector::new("EPSG:27700").unwrap();
    let (inc, _) = read_incidents(
        &[d.path().join("g-street.csv")],
        &ReadOptions::default(),
        &projector,
    )
    .unwrap();
    let mut per_cell: std::collections::HashMap<(i64, i64), usize> = Default::default();
    for p in &inc.xy {
        *per_cell
            .entry(((p[0] / 200.0).floor() as i64, (p[1] / 200.0).floor() as i64))
            .or_default() += 1;
    }
    let within = |c: [f64; 2], r: f64| {
        inc.xy
            .iter()
            .filter(|p| (p[0] - c[0]).hypot(p[1] - c[1]) < r)
            .count()
    };

    let cells = load(&res.join("cells.geojson"));
    let reach = cells["harmspot"]["support_radius"].as_f64().unwrap();
    let band = cells["harmspot"]["gistar"]["neighbour_distance_m"]
        .as_f64()
        .unwrap();
    assert_eq!(cells["harmspot"]["disclosure"]["min_count"], 5);
    assert!(
        cells["harmspot"]["disclosure"]["suppressed_values"]
            .as_u64()
            .unwrap()
            > 0,
        "a sparse extract has small cells"
    );
    let (mut checked, mut nulls) = (0, 0);
    for f in cells["features"].as_array().unwrap() {
        let pr = &f["properties"];
        // exact centre (200 m cells), despite coordinates rounded to 4 decimals
        let snap = |v: f64| ((v / 200.0).floor() + 0.5) * 200.0;
        let c = centre(f, &projector);
        let c = [snap(c[0]), snap(c[1])];
        match pr["n"].as_f64() {
            Some(n) => assert!(n == 0.0 || n >= 5.0, "n = {n}"),
            None => {
                nulls += 1;
                assert!(pr["harm"].is_null());
            }
        }
        if pr["density"].as_f64().is_some_and(|v| v > 0.0) {
            assert!(
                within(c, reach) >= 5,
                "density published from {} incidents",
                within(c, reach)
            );
            checked += 1;
        }
        if pr["gistar"].as_f64().is_some() {
            // cells whose centres lie within the band: the neighbourhood's incidents
            let (ci, cj) = ((c[0] / 200.0).floor() as i64, (c[1] / 200.0).floor() as i64);
            let mut hood = 0;
            for di in -2..=2i64 {
                for dj in -2..=2i64 {
                    if ((di * di + dj * dj) as f64).sqrt() * 200.0 <= band + 1e-6 {
                        hood += per_cell.get(&(ci + di, cj + dj)).copied().unwrap_or(0);
                    }
                }
            }
            assert!(
                hood == 0 || hood >= 5,
                "gistar published from {hood} incidents"
            );
        }
        // coordinates coarsened to 4 decimals
        let x = f["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
        assert!(((x * 1e4).round() - x * 1e4).abs() < 1e-6, "{x}");
    }
    assert!(checked > 0 && nulls > 0);
    let hs = load(&res.join("hotspots.geojson"));
    for f in hs["features"].as_array().unwrap() {
        let n = &f["properties"]["incidents"];
        assert!(n.is_null() || n.as_f64().unwrap() >= 5.0);
        for k in 1..=3 {
            let t = &f["properties"][format!("type_{k}_n")];
            assert!(t.is_null() || t.as_f64().unwrap() >= 5.0, "type count {t}");
        }
    }
    for name in ["cells.geojson", "hotspots.geojson", "summary.json"] {
        assert!(!has_point(&load(&res.join(name))), "{name} has a point");
    }
    assert!(!res.join("points.geojson").exists());
    let md = std::fs::read_to_string(res.join("summary.md")).unwrap();
    assert!(md.contains("Disclosure control"), "{md}");

    // points only on request, coarsened
    ok(
        d.path(),
        &[
            "hotspots",
            "g-street.csv",
            "--cell-size",
            "200",
            "--partner",
            "--include-points",
            "--out",
            "res",
            "-q",
        ],
    );
    let pts = load(&res.join("points.geojson"));
    assert!(has_point(&pts));
    let x = pts["features"][0]["geometry"]["coordinates"][0]
        .as_f64()
        .unwrap();
    assert!(((x * 1e4).round() - x * 1e4).abs() < 1e-6);
}

#[test]
fn min_count_in_every_format_of_count_and_kde() {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "generate",
            "--rows",
            "1500",
            "--months",
            "2",
            "--seed",
            "4",
            "--out",
            "g-street.csv",
        ],
    );
    ok(
        d.path(),
        &[
            "count",
            "g-street.csv",
            "--cell-size",
            "250",
            "--min-count",
            "3",
            "--out",
            "c.csv",
            "--out",
            "c.geojson",
            "--out",
            "c.tif",
        ],
    );
    let csv = std::fs::read_to_string(d.path().join("c.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let ni = header.iter().position(|h| *h == "n").unwrap();
    let mut empty = 0;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        if f[ni].is_empty() {
            empty += 1;
        } else {
            let n: f64 = f[ni].parse().unwrap();
            assert!(n == 0.0 || n >= 3.0, "{l}");
        }
    }
    assert!(empty > 0, "small cells suppressed as empty fields");
    let gj = load(&d.path().join("c.geojson"));
    assert!(gj["features"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["properties"]["n"].is_null() || f["properties"]["n"].as_f64().unwrap() >= 3.0));
    let mut dec =
        tiff::decoder::Decoder::new(std::fs::File::open(d.path().join("c.tif")).unwrap()).unwrap();
    let tiff::decoder::DecodingResult::F32(v) = dec.read_image().unwrap() else {
        panic!("float raster")
    };
    assert!(
        v.iter().all(|&x| x == -9999.0 || x == 0.0 || x >= 3.0),
        "band 1 (n)"
    );
    // rounding instead of suppression
    ok(
        d.path(),
        &[
            "count",
            "g-street.csv",
            "--cell-size",
            "250",
            "--min-count",
            "3",
            "--round",
            "5",
            "--out",
            "r.geojson",
        ],
    );
    let gj = load(&d.path().join("r.geojson"));
    for f in gj["features"].as_array().unwrap() {
        let n = f["properties"]["n"].as_f64().unwrap();
        assert!(n >= 3.0 || n == 0.0 || n == 5.0, "{n}");
    }
    let e = fails(
        d.path(),
        &[
            "count",
            "g-street.csv",
            "--round",
            "5",
            "--out",
            "x.geojson",
        ],
    );
    assert!(e.contains("--round"), "{e}");
    ok(
        d.path(),
        &[
            "kde",
            "g-street.csv",
            "--cell-size",
            "250",
            "--bandwidth",
            "400",
            "--partner",
            "--out",
            "k.geojson",
        ],
    );
    let gj = load(&d.path().join("k.geojson"));
    assert!(
        gj["harmspot"]["disclosure"]["suppressed_values"]
            .as_u64()
            .unwrap()
            > 0
    );
}
