//! Issue 14, injection: names quoted in CSV outputs cannot run as spreadsheet formulas, and
//! names quoted in Markdown outputs cannot add HTML or break tables.

use crate::common::*;
use serde_json::json;

#[test]
fn compare_outputs_escape_hostile_area_names() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let clusters = crate::compare::setup(p);
    let c = &clusters[0];
    let (lon, lat) = (c["lon"].as_f64().unwrap(), c["lat"].as_f64().unwrap());
    let names = [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "<img src=x onerror=alert(1)>",
        "Pipe | Hub",
    ];
    let features: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({"type": "Feature", "properties": {"name": n},
                "geometry": {"type": "Point", "coordinates": [lon + 0.01 * i as f64, lat]}})
        })
        .collect();
    std::fs::write(
        p.join("hubs.geojson"),
        json!({"type": "FeatureCollection", "features": features}).to_string(),
    )
    .unwrap();
    ok(
        p,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "400",
            "--start",
            "2022-01",
            "--out",
            "out",
            "-q",
        ],
    );
    for csv in ["report.csv", "series.csv"] {
        let mut r = csv::Reader::from_path(p.join("out").join(csv)).unwrap();
        let mut seen = false;
        for rec in r.records() {
            let rec = rec.unwrap();
            for field in rec.iter() {
                assert!(
                    !field.starts_with(['=', '+', '@']),
                    "{csv}: a cell a spreadsheet would run: {field}"
                );
                seen |= field == "'=HYPERLINK(\"http://evil.example\",\"click\")";
            }
        }
        assert!(seen, "{csv}: the name is kept, quoted");
    }
    let md = std::fs::read_to_string(p.join("out/report.md")).unwrap();
    assert!(!md.contains("<img"), "{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
    assert!(md.contains("Pipe \\| Hub"), "{md}");
    // report.json keeps names as they are (JSON escapes them itself)
    let j = std::fs::read_to_string(p.join("out/report.json")).unwrap();
    assert!(j.contains("Pipe | Hub"));
}

#[test]
fn summary_md_escapes_crime_types() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    let mut lines = vec!["Month,Longitude,Latitude,Crime type".to_string()];
    for i in 0..200 {
        let t = if i % 2 == 0 {
            "<script>x</script>"
        } else {
            "A | B"
        };
        lines.push(format!(
            "2021-03,{:.4},{:.4},{t}",
            -1.61 + (i % 10) as f64 * 0.0004,
            54.97 + (i % 7) as f64 * 0.0004
        ));
    }
    write(p, "own.csv", &lines);
    ok(
        p,
        &[
            "hotspots",
            "own.csv",
            "--harm",
            "none",
            "--cell-size",
            "50",
            "--bandwidth",
            "100",
            "--top",
            "5%",
            "--out",
            "R",
            "-q",
        ],
    );
    let md = std::fs::read_to_string(p.join("R/summary.md")).unwrap();
    assert!(!md.contains("<script>"), "{md}");
    // every table row has its header's columns: a `|` in a type is escaped
    let mut width = None;
    for line in md.lines() {
        if !line.starts_with("| ") {
            width = None;
            continue;
        }
        if line.contains("---") {
            continue;
        }
        let n = line.matches(" | ").count();
        assert_eq!(*width.get_or_insert(n), n, "{line}");
    }
}
