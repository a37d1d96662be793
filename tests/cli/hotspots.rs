//! `harmspot hotspots`: the one-shot job, its outputs, and replay with `harmspot run`.

use crate::common::load;
use crate::common::*;
use serde_json::Value;
use std::path::Path;

fn generated(dir: &Path, rows: &str, seed: &str) -> String {
    ok(
        dir,
        &[
            "generate",
            "--rows",
            rows,
            "--months",
            "6",
            "--seed",
            seed,
            "--out",
            "g-street.csv",
        ],
    );
    "g-street.csv".into()
}

fn signed_area(ring: &[Value]) -> f64 {
    let p: Vec<(f64, f64)> = ring
        .iter()
        .map(|c| (c[0].as_f64().unwrap(), c[1].as_f64().unwrap()))
        .collect();
    p.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum::<f64>()
        / 2.0
}

#[test]
fn writes_every_output_with_stable_columns() {
    let d = tempfile::tempdir().unwrap();
    let f = generated(d.path(), "8000", "3");
    ok(
        d.path(),
        &["hotspots", &f, "--cell-size", "250", "--out", "res", "-q"],
    );
    let res = d.path().join("res");
    for name in [
        "hotspots.geojson",
        "cells.geojson",
        "density.tif",
        "summary.json",
        "summary.md",
        "manifest.json",
        "run.toml",
    ] {
        assert!(res.join(name).is_file(), "{name} missing");
    }
    assert!(temporaries(&res).is_empty());
    let h = load(&res.join("hotspots.geojson"));
    let feats = h["features"].as_array().unwrap();
    assert!(!feats.is_empty(), "the generated clusters give hotspots");
    let keys: Vec<&str> = feats[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    for k in [
        "id",
        "rank",
        "cells",
        "area_km2",
        "incidents",
        "harm",
        "incident_share",
        "harm_share",
        "type_1",
        "type_1_n",
        "peak_density",
        "mean_gistar",
    ] {
        assert!(keys.contains(&k), "hotspot property {k} missing: {keys:?}");
    }
    // ranked by harm, 1 = most harm
    let mut by_rank: Vec<(i64, f64)> = feats
        .iter()
        .map(|f| {
            (
                f["properties"]["rank"].as_i64().unwrap(),
                f["properties"]["harm"].as_f64().unwrap(),
            )
        })
        .collect();
    by_rank.sort_by_key(|r| r.0);
    assert!(by_rank.windows(2).all(|w| w[0].1 >= w[1].1));
    assert_eq!(by_rank[0].0, 1);
    // RFC 7946: lon/lat near the generator's centre (Newcastle), closed CCW exteriors
    for f in feats {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(ring.first(), ring.last());
        assert!(signed_area(ring) > 0.0);
        let (lon, lat) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
        assert!(
            (lon + 1.6).abs() < 0.5 && (lat - 54.98).abs() < 0.3,
            "{lon},{lat}"
        );
    }
    let c = load(&res.join("cells.geojson"));
    let props = c["features"][0]["properties"].as_object().unwrap();
    let names: Vec<&str> = props.keys().map(|k| k.as_str()).collect();
    let mut expect = vec![
        "class",
        "density",
        "gistar",
        "harm",
        "n",
        "neighbours",
        "pvalue",
    ];
    expect.sort();
    let mut got = names.clone();
    got.sort();
    assert_eq!(got, expect);
    assert_eq!(c["harmspot"]["gistar"]["pvalue_sides"], "two-sided");
    assert_eq!(c["harmspot"]["gistar"]["fdr"], true);
    let md = std::fs::read_to_string(res.join("summary.md")).unwrap();
    assert!(
        md.contains("| rank | id |") && md.contains("## Caveats"),
        "{md}"
    );
    let s = load(&res.join("summary.json"));
    assert!(s["concentration"]["harm"]["gini"].as_f64().unwrap() > 0.5);
}

#[test]
fn replay_is_byte_identical_and_hashes_follow_inputs() {
    let d = tempfile::tempdir().unwrap();
    let f = generated(d.path(), "4000", "5");
    ok(
        d.path(),
        &["hotspots", &f, "--cell-size", "250", "--out", "a", "-q"],
    );
    let first = load(&d.path().join("a/manifest.json"));
    // replay writes the same bytes into the same folder
    let before: Vec<(String, Vec<u8>)> = [
        "hotspots.geojson",
        "cells.geojson",
        "density.tif",
        "summary.json",
        "summary.md",
        "run.toml",
    ]
    .iter()
    .map(|n| {
        (
            n.to_string(),
            std::fs::read(d.path().join("a").join(n)).unwrap(),
        )
    })
    .collect();
    ok(d.path(), &["run", "a/run.toml"]);
    for (n, bytes) in &before {
        assert!(
            std::fs::read(d.path().join("a").join(n)).unwrap() == *bytes,
            "{n} differs on replay"
        );
    }
    let again = load(&d.path().join("a/manifest.json"));
    assert_eq!(first["inputs"], again["inputs"]);
    assert_eq!(
        first["command"],
        serde_json::json!([
            "hotspots",
            "g-street.csv",
            "--cell-size",
            "250",
            "--out",
            "a",
            "-q"
        ])
    );
    // a changed input changes its hash: the replay is refused unless allowed (issue 14)
    generated(d.path(), "4000", "6");
    assert!(fails(d.path(), &["run", "a/run.toml"]).contains("--allow-changed-inputs"));
    ok(d.path(), &["run", "a/run.toml", "--allow-changed-inputs"]);
    let changed = load(&d.path().join("a/manifest.json"));
    assert_ne!(first["inputs"][0]["sha256"], changed["inputs"][0]["sha256"]);
    assert_eq!(first["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn sample_data_main_job() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("results");
    let o = run(
        d.path(),
        &[
            "hotspots",
            sample().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cell size set to 250 m automatically"),
        "{err}"
    );
    assert!(
        err.contains("bandwidth") && err.contains("(ArcGIS rule)"),
        "{err}"
    );
    let h = load(&out.join("hotspots.geojson"));
    assert!(h["features"].as_array().unwrap().len() > 5);
}

#[test]
fn bad_input_is_clear() {
    let d = tempfile::tempdir().unwrap();
    let f = generated(d.path(), "1000", "1");
    let e = fails(d.path(), &["hotspots", &f, "--top", "150%", "--out", "r"]);
    assert!(e.contains("--top"), "{e}");
    let e = fails(
        d.path(),
        &["hotspots", &f, "--bandwidth", "-5", "--out", "r"],
    );
    assert!(e.contains("--bandwidth"), "{e}");
    let e = fails(
        d.path(),
        &[
            "hotspots", &f, "--types", "Robbery", "--from", "2030-01", "--out", "r",
        ],
    );
    assert!(e.contains("no incidents left"), "{e}");
    assert!(!d.path().join("r").exists(), "nothing written on failure");
    std::fs::write(d.path().join("bad.toml"), "command = \"run\"\n").unwrap();
    let e = fails(d.path(), &["run", "bad.toml"]);
    assert!(e.contains("bad.toml"), "{e}");
}
