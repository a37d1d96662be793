//! Issue 11: harm spots an analyst can act on, automatic choices that fit real extracts,
//! a summary that states what was used, outputs sized for partners.

use crate::common::*;
use crate::common::{load, skip_without_data};
use serde_json::Value;
use std::path::Path;

fn features(p: &Path) -> Vec<Value> {
    load(p)["features"].as_array().unwrap().clone()
}

fn generated(dir: &Path, seed: &str) {
    ok(
        dir,
        &[
            "generate",
            "--rows",
            "20000",
            "--months",
            "6",
            "--seed",
            seed,
            "--out",
            "g-street.csv",
            "--truth",
            "truth.json",
        ],
    );
}

/// Metres between two lon/lat points (equirectangular: fine at a few km).
fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let k = (a[1].to_radians()).cos();
    ((a[0] - b[0]) * k * 111_320.0).hypot((a[1] - b[1]) * 110_574.0)
}

fn ring_centre(f: &Value) -> [f64; 2] {
    let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
    let n = (ring.len() - 1) as f64;
    let s = ring[..ring.len() - 1].iter().fold([0.0, 0.0], |s, p| {
        [s[0] + p[0].as_f64().unwrap(), s[1] + p[1].as_f64().unwrap()]
    });
    [s[0] / n, s[1] / n]
}

#[test]
fn harm_spots_sit_on_the_generated_clusters() {
    let d = tempfile::tempdir().unwrap();
    generated(d.path(), "3");
    ok(
        d.path(),
        &[
            "hotspots",
            "g-street.csv",
            "--cell-size",
            "250",
            "--out",
            "res",
            "-q",
        ],
    );
    let res = d.path().join("res");
    let truth = load(&d.path().join("truth.json"));
    let centres: Vec<([f64; 2], f64)> = truth["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                [c["lon"].as_f64().unwrap(), c["lat"].as_f64().unwrap()],
                c["sigma_m"].as_f64().unwrap(),
            )
        })
        .collect();
    let spots = features(&res.join("harmspots.geojson"));
    let areas = features(&res.join("hotspots.geojson"));
    assert!(!spots.is_empty());
    let area_ids: Vec<u64> = areas
        .iter()
        .map(|a| a["properties"]["id"].as_u64().unwrap())
        .collect();
    let summary = load(&res.join("summary.json"));
    let total_harm: f64 = summary["concentration"]["harm"]["total"].as_f64().unwrap();
    let mut cum = 0.0;
    for (k, s) in spots.iter().enumerate() {
        let p = &s["properties"];
        assert_eq!(p["rank"].as_u64().unwrap(), k as u64 + 1);
        assert!(p["incidents"].as_f64().unwrap() >= 1.0);
        // 125 m micro-cells (250 m / 2), at most 4 of them
        assert!(p["area_km2"].as_f64().unwrap() <= 4.0 * 0.015625 + 1e-12);
        assert!(area_ids.contains(&p["area_id"].as_u64().unwrap()));
        let harm = p["harm"].as_f64().unwrap();
        assert!((p["harm_share"].as_f64().unwrap() - harm / total_harm).abs() < 1e-9);
        cum += harm;
        assert!((p["cumulative_share"].as_f64().unwrap() - cum / total_harm).abs() < 1e-9);
    }
    // no hotspot area without incidents
    assert!(areas
        .iter()
        .all(|a| a["properties"]["incidents"].as_f64().unwrap() >= 1.0));
    // the top five spots lie within 3 sigma of a generated cluster centre
    for s in spots.iter().take(5) {
        let c = ring_centre(s);
        let near = centres.iter().any(|(m, sd)| metres(c, *m) <= 3.0 * sd);
        assert!(near, "spot at {c:?} is near no cluster");
    }
    // the harm in hotspot areas: the spots hold half of it (the power few), no more than
    // the last spot's worth beyond
    let md = std::fs::read_to_string(res.join("summary.md")).unwrap();
    assert!(md.contains("## Harm spots: where to act"), "{md}");
    assert!(md.contains(&format!("({} places)", spots.len())), "{md}");
}

fn summary_with(d: &Path, flags: &[&str]) -> (String, String) {
    let mut args = vec![
        "hotspots",
        "g-street.csv",
        "--cell-size",
        "250",
        "--out",
        "res",
    ];
    args.extend_from_slice(flags);
    let o = run(d, &args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{err}");
    (
        std::fs::read_to_string(d.join("res/summary.md")).unwrap(),
        err,
    )
}

#[test]
fn summary_states_the_method_actually_used() {
    let d = tempfile::tempdir().unwrap();
    let d = d.path();
    generated(d, "5");
    let (md, err) = summary_with(d, &[]);
    assert!(md.contains("values in harm per km²"), "{md}");
    assert!(md.contains("each incident weighted by its harm"), "{md}");
    assert!(md.contains("Gi* on harm per cell"), "{md}");
    assert!(md.contains("hot at 95% or more"), "{md}");
    assert!(
        md.contains("false discovery rate correction at each level"),
        "{md}"
    );
    assert!(!md.contains("incidents per km²"), "{md}");
    assert!(
        err.contains("Gi* on harm over") && err.contains("with FDR"),
        "{err}"
    );

    let (md, _) = summary_with(d, &["--weights", "none"]);
    assert!(md.contains("values in incidents per km²"), "{md}");
    assert!(md.contains("counted once (unweighted)"), "{md}");
    assert!(!md.contains("harm per km²"), "{md}");

    let (md, _) = summary_with(d, &["--value", "n"]);
    assert!(md.contains("Gi* on incidents per cell"), "{md}");
    assert!(!md.contains("Gi* on harm"), "{md}");

    let (md, _) = summary_with(d, &["--confidence", "99"]);
    assert!(md.contains("hot at 99% or more"), "{md}");
    assert!(!md.contains("hot at 95%"), "{md}");

    let (md, err) = summary_with(d, &["--top", "1%"]);
    assert!(
        md.contains("among the top 1% of study-area cells by density"),
        "{md}"
    );
    assert!(!md.contains("hot at"), "{md}");
    assert!(
        err.contains("top 1% of") && !err.contains("with FDR"),
        "{err}"
    );

    let (md, _) = summary_with(d, &["--no-fdr"]);
    assert!(md.contains("no false discovery rate correction"), "{md}");
}

/// Copies a shared police.uk month, rewriting each row with `edit(lon, lat)`, plus `extra`
/// rows (lon, lat) in the same layout.
fn month_copy(dir: &Path, edit: impl Fn(f64, f64) -> (f64, f64), extra: &[(f64, f64)]) {
    let src = format!("{DATA}/police-uk/northumbria-2021/2021-03/2021-03-northumbria-street.csv");
    let mut r = csv::Reader::from_path(src).unwrap();
    let mut w = csv::Writer::from_path(dir.join("2021-03-street.csv")).unwrap();
    w.write_record(r.headers().unwrap()).unwrap();
    let mut last = None;
    for rec in r.records() {
        let rec = rec.unwrap();
        let mut out: Vec<String> = rec.iter().map(str::to_string).collect();
        if let (Ok(lon), Ok(lat)) = (out[4].parse::<f64>(), out[5].parse::<f64>()) {
            let (lon, lat) = edit(lon, lat);
            out[4] = format!("{lon:.6}");
            out[5] = format!("{lat:.6}");
        }
        w.write_record(&out).unwrap();
        last = Some(out);
    }
    let template = last.unwrap();
    for (k, (lon, lat)) in extra.iter().enumerate() {
        let mut out = template.clone();
        out[0] = format!("stray{k}");
        out[4] = format!("{lon:.6}");
        out[5] = format!("{lat:.6}");
        w.write_record(&out).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn default_run_succeeds_with_strays_in_other_counties_and_northern_ireland() {
    if skip_without_data("default_run_succeeds_with_strays_in_other_counties_and_northern_ireland")
    {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // Belfast, Cornwall, Leicester, Kent
    let strays = [
        (-5.93, 54.60),
        (-5.05, 50.26),
        (-1.13, 52.63),
        (1.08, 51.28),
    ];
    month_copy(d.path(), |lon, lat| (lon, lat), &strays);
    let o = run(
        d.path(),
        &["hotspots", "2021-03-street.csv", "--out", "res"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("stray incident(s)"), "{err}");
    let md = std::fs::read_to_string(d.path().join("res/summary.md")).unwrap();
    assert!(md.contains("stray incident(s) far from the rest"), "{md}");
    // the cells and spots stay in the north east (no cell in Cornwall or Belfast)
    for f in features(&d.path().join("res/cells.geojson")) {
        let c = ring_centre(&f);
        assert!(
            c[0] > -3.2 && c[0] < -1.0 && c[1] > 54.4 && c[1] < 55.9,
            "{c:?}"
        );
    }
    assert!(!features(&d.path().join("res/harmspots.geojson")).is_empty());
}

#[test]
fn default_run_succeeds_on_an_extract_250_km_south() {
    if skip_without_data("default_run_succeeds_on_an_extract_250_km_south") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // 250 km south: 2.26 degrees of latitude
    month_copy(d.path(), |lon, lat| (lon, lat - 2.26), &[(-5.93, 54.60)]);
    let o = run(
        d.path(),
        &["hotspots", "2021-03-street.csv", "--out", "res"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    let spots = features(&d.path().join("res/harmspots.geojson"));
    assert!(!spots.is_empty());
    let c = ring_centre(&spots[0]);
    assert!(c[1] < 53.0 && c[1] > 52.0, "{c:?}");
}

#[test]
fn force_year_with_boundary_gives_small_named_spots_and_small_outputs() {
    if skip_without_data("force_year_with_boundary_gives_small_named_spots_and_small_outputs") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let input = format!("{DATA}/police-uk/northumbria-2021/");
    let boundary = format!("{DATA}/boundaries/northumbria-force-area.geojson");
    ok(
        d.path(),
        &[
            "hotspots",
            &input,
            "--boundary",
            &boundary,
            "--out",
            "res",
            "-q",
        ],
    );
    let res = d.path().join("res");
    let spots = features(&res.join("harmspots.geojson"));
    assert!(spots.len() >= 10);
    for s in spots.iter().take(10) {
        let p = &s["properties"];
        assert!(p["area_km2"].as_f64().unwrap() <= 1.0);
        assert!(p["incidents"].as_f64().unwrap() >= 1.0);
        // named by street and LSOA, from the extract
        assert!(
            p["location"].as_str().unwrap().starts_with("On or near "),
            "{p}"
        );
        assert!(p["lsoa_name"].as_str().unwrap().len() > 5, "{p}");
        assert!(p["location_n"].as_u64().unwrap() >= 1);
    }
    let md0 = std::fs::read_to_string(res.join("summary.md")).unwrap();
    let street = spots[0]["properties"]["location"].as_str().unwrap();
    let lsoa = spots[0]["properties"]["lsoa_name"].as_str().unwrap();
    let short = street.trim_start_matches("On or near ");
    assert!(md0.contains(&format!("| 1 | {short}, {lsoa} |")), "{md0}");
    for a in features(&res.join("hotspots.geojson")) {
        assert!(a["properties"]["incidents"].as_f64().unwrap() >= 1.0);
    }
    let md = std::fs::read_to_string(res.join("summary.md")).unwrap();
    assert!(
        md.contains("of the harm in") && md.contains("places)"),
        "{md}"
    );
    // cells.geojson: informative cells only, a partner-sized file
    let size = std::fs::metadata(res.join("cells.geojson")).unwrap().len();
    assert!(size < 5_000_000, "cells.geojson is {size} bytes");
}

/// An automatic bandwidth below the cell size (the ArcGIS rule shrinks with n^-0.2) is
/// raised to the cell size, never refused.
#[test]
fn automatic_bandwidth_below_the_cell_is_raised_not_refused() {
    use harmspot::{grid::Shape, kde, Grid, Incidents, Month};
    // 100,000 incidents in a 600 m square: the rule gives about 30 m
    let mut r = harmspot::Rng::new(1);
    let xy: Vec<[f64; 2]> = (0..100_000)
        .map(|_| [600.0 * r.uniform(), 600.0 * r.uniform()])
        .collect();
    let n = xy.len();
    let inc = Incidents {
        xy,
        harm: vec![1.0; n],
        kind: vec![0; n],
        month: vec![Month::UNKNOWN; n],
        types: vec!["Robbery".into()],
        places: Default::default(),
    };
    let rule = harmspot::bandwidth::arcgis(&inc.xy, Some(&inc.harm)).unwrap();
    assert!(rule < 100.0, "{rule}");
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 599.0, 599.0]).unwrap();
    let layer = kde::estimate(&inc, &grid, &kde::KdeParams::default()).unwrap();
    let used = layer.kde_used().unwrap();
    assert_eq!(used.bandwidth, 100.0);
    let src = used.source.as_str();
    assert!(src.contains("raised to the 100 m cell size"), "{src}");
    // a given bandwidth below the cell is still refused
    let e = kde::estimate(&inc, &grid, &kde::KdeParams::default().bandwidth(60.0)).unwrap_err();
    assert!(
        e.to_string().contains("smaller than the 100 m cell size"),
        "{e}"
    );
}

/// `map` on the real output of `hotspots` (one force month, the boundary, LSOAs as context).
#[test]
fn map_of_a_real_hotspots_run_frames_and_names_the_harm_spots() {
    if skip_without_data("map_of_a_real_hotspots_run_frames_and_names_the_harm_spots") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let input = format!("{DATA}/police-uk/northumbria-2021/2021-03/");
    let boundary = format!("{DATA}/boundaries/northumbria-force-area.geojson");
    let lsoas = format!("{DATA}/boundaries/northumbria-lsoa2011.geojson");
    ok(
        d.path(),
        &[
            "hotspots",
            &input,
            "--boundary",
            &boundary,
            "--out",
            "res",
            "-q",
        ],
    );
    assert!(d.path().join("res/boundary.geojson").is_file());
    ok(
        d.path(),
        &[
            "map",
            "res",
            "--context",
            &lsoas,
            "--out",
            "m.html",
            "--out",
            "m.png",
            "-q",
        ],
    );
    let page = std::fs::read_to_string(d.path().join("m.html")).unwrap();
    assert!(page.len() < 5_000_000, "{} bytes", page.len());
    let data = map_page_data(&page);
    let layers = data["layers"].as_array().unwrap();
    let kind = |k: &str| {
        layers
            .iter()
            .find(|l| l["kind"] == k)
            .unwrap_or_else(|| panic!("no {k} layer"))
    };
    // harm spots labelled S1.. with their street; LSOAs labelled by LSOA11NM
    let labels = kind("harmspots")["labels"].as_array().unwrap();
    assert_eq!(labels.len(), 10);
    let first = labels
        .iter()
        .find(|l| l[2].as_str().unwrap().starts_with("S1 "))
        .unwrap();
    assert!(first[2].as_str().unwrap().len() > 4, "{first}");
    let ctx: Vec<&Value> = layers.iter().filter(|l| l["kind"] == "context").collect();
    assert_eq!(ctx.len(), 2, "boundary and LSOAs");
    assert!(ctx.iter().any(|l| l["labels"][0][2]
        .as_str()
        .is_some_and(|t| t.starts_with("Newcastle") || t.contains(' '))));
    // the legend states the density's unit
    let legend = data["legend"].as_array().unwrap();
    assert!(
        legend.iter().any(|s| s["title"] == "Density, harm per km²"),
        "{legend:?}"
    );
    // the frame is the top harm spots' part of the force, not the whole force
    let m = harmspot::map::load(&d.path().join("res"), &Default::default()).unwrap();
    let force = m
        .layers
        .iter()
        .find(|l| l.file == "boundary.geojson")
        .map(|l| {
            let mut b = [
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ];
            for s in l.features.iter().flat_map(|f| &f.parts) {
                if let harmspot::map::Geometry::Polygon(rs) = s {
                    for p in rs.iter().flatten() {
                        b = [
                            b[0].min(p[0]),
                            b[1].min(p[1]),
                            b[2].max(p[0]),
                            b[3].max(p[1]),
                        ];
                    }
                }
            }
            b
        })
        .unwrap();
    let area = |b: [f64; 4]| (b[2] - b[0]) * (b[3] - b[1]);
    assert!(
        area(m.bounds) < 0.25 * area(force),
        "frame {:?}, force {force:?}",
        m.bounds
    );
    // the PNG shows harm spots
    let (_, _, px) = decode_png(&d.path().join("m.png"));
    assert!(
        px.iter().any(|p| p[..3] == [8, 81, 156]),
        "no harm spot drawn"
    );
}

/// `map` on the real output of `compare`: treatment, buffer and control drawn as such
/// (`compare` writes the role as `place`).
#[test]
fn map_of_a_real_compare_run_draws_each_role() {
    if skip_without_data("map_of_a_real_compare_run_draws_each_role") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    real_compare(d.path());
    ok(d.path(), &["map", "cmp", "--out", "m.html", "-q"]);
    let data = map_page_data(&std::fs::read_to_string(d.path().join("m.html")).unwrap());
    let areas = data["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "areas")
        .unwrap()
        .clone();
    let roles: std::collections::BTreeSet<String> = areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["r"].as_str().unwrap_or("none").to_string())
        .collect();
    let want: std::collections::BTreeSet<String> = ["buffer", "control", "treatment"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(roles, want);
    let legend = data["legend"].to_string();
    assert!(legend.contains("Treatment area") && legend.contains("Control area"));
    assert!(!legend.contains("Other area"), "{legend}");
}
