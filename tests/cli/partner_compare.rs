//! Disclosure control in `harmspot compare` (issue 7): a `--partner` run publishes no count
//! of 1 to 4 incidents in any output, withholds every statistic computed from one, writes
//! no point geometry and coarsens coordinates to 4 decimals; `--round` rounds instead; a
//! run without the flags publishes everything, as before.

use crate::common::ok;
use crate::common::{has_point, load};
use serde_json::{json, Value};
use std::path::Path;

const K: f64 = 5.0;

/// Metres between two lon/lat points (equirectangular: plenty at these distances).
fn metres(a: [f64; 2], b: [f64; 2]) -> f64 {
    let k = (a[1].to_radians()).cos();
    ((a[0] - b[0]) * 111_320.0 * k).hypot((a[1] - b[1]) * 110_540.0)
}

/// 4 000 rows over 2022 and two point hubs: one on the busiest cluster, one on an isolated
/// crime (not ASB) in the before or after period with at most 4 incidents within 250 m, so
/// that every count of its 200 m circle is 0 to 4 and its crime count is 1 to 4.
fn setup(d: &Path) {
    ok(
        d,
        &[
            "generate",
            "--rows",
            "4000",
            "--months",
            "12",
            "--start",
            "2022-01",
            "--seed",
            "7",
            "--out",
            "g-street.csv",
            "--truth",
            "truth.json",
            "-q",
        ],
    );
    let truth = load(&d.join("truth.json"));
    let busy = &truth["clusters"][0];
    let mut rows = csv::Reader::from_path(d.join("g-street.csv")).unwrap();
    let mut pts: Vec<([f64; 2], String, String)> = Vec::new();
    for r in rows.records() {
        let r = r.unwrap();
        if let (Ok(lon), Ok(lat)) = (r[4].parse::<f64>(), r[5].parse::<f64>()) {
            pts.push(([lon, lat], r[1].to_string(), r[9].to_string()));
        }
    }
    let n = pts.len() as f64;
    let mid = [
        pts.iter().map(|p| p.0[0]).sum::<f64>() / n,
        pts.iter().map(|p| p.0[1]).sum::<f64>() / n,
    ];
    let in_periods = |m: &str| m != "2022-01" && m != "2022-07";
    let tiny = pts
        .iter()
        .filter(|(_, m, t)| in_periods(m) && t != "Anti-social behaviour")
        .filter(|(p, _, _)| {
            let near = pts.iter().filter(|q| metres(*p, q.0) < 250.0).count();
            near <= 4
        })
        .min_by(|a, b| metres(a.0, mid).total_cmp(&metres(b.0, mid)))
        .expect("an isolated crime")
        .0;
    let hub = |name: &str, lon: f64, lat: f64| {
        json!({"type": "Feature", "properties": {"name": name},
               "geometry": {"type": "Point", "coordinates": [lon, lat]}})
    };
    let fc = json!({"type": "FeatureCollection", "features": [
        hub("Busy hub", busy["lon"].as_f64().unwrap(), busy["lat"].as_f64().unwrap()),
        hub("Tiny hub", tiny[0], tiny[1]),
    ]});
    std::fs::write(d.join("hubs.geojson"), fc.to_string()).unwrap();
}

fn compare(d: &Path, out: &str, extra: &[&str]) -> std::path::PathBuf {
    let mut args = vec![
        "compare",
        "g-street.csv",
        "--areas",
        "hubs.geojson",
        "--radius",
        "200",
        "--buffer",
        "200",
        "--start",
        "2022-07",
        "--out",
        out,
        "-q",
    ];
    args.extend_from_slice(extra);
    ok(d, &args);
    d.join(out)
}

/// Whether a published count discloses: 1 to K − 1.
fn small(x: f64) -> bool {
    x > 0.0 && x < K
}

/// Every count of `report.json` with its path: per row, place, period the counts (`all`,
/// `crime`, `asb`, each type), the before/after of every count measure, and the series.
fn json_counts(report: &Value) -> Vec<(String, Value)> {
    let res = &report["result"];
    let mut rows: Vec<&Value> = res["areas"].as_array().unwrap().iter().collect();
    rows.push(&res["pooled"]);
    let mut out = Vec::new();
    for row in rows {
        let name = row["name"].as_str().unwrap();
        for place in ["treatment", "buffer", "control"] {
            for period in ["before", "after"] {
                let c = &row["counts"][place][period];
                assert!(c.is_object(), "{name} {place} {period}: no counts");
                for key in ["all", "crime", "asb"] {
                    out.push((
                        format!("{name}/counts/{place}/{period}/{key}"),
                        c[key].clone(),
                    ));
                }
                for (t, v) in c["types"].as_object().unwrap() {
                    out.push((format!("{name}/counts/{place}/{period}/{t}"), v.clone()));
                }
            }
            for key in ["crime", "asb"] {
                for (k, v) in row["series"][place][key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                {
                    out.push((format!("{name}/series/{place}/{key}/{k}"), v.clone()));
                }
            }
        }
        for m in row["measures"].as_array().unwrap() {
            if m["measure"] == "harm" {
                continue;
            }
            assert_eq!(m["normalised"], false);
            for place in ["treatment", "buffer", "control"] {
                for period in ["before", "after"] {
                    out.push((
                        format!("{name}/{}/{place}/{period}", m["measure"]),
                        m[place][period].clone(),
                    ));
                }
            }
        }
    }
    out
}

/// Numbers of `plain` that `protected` nulls, checking every other number is unchanged.
fn suppressed_between(plain: &Value, protected: &Value, path: &str) -> u64 {
    match (plain, protected) {
        (Value::Number(a), Value::Number(b)) => {
            assert_eq!(a, b, "{path}: a published value changed");
            0
        }
        (Value::Number(_), Value::Null) => 1,
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .map(|(k, v)| suppressed_between(v, &b[k], &format!("{path}/{k}")))
            .sum(),
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            a.iter()
                .zip(b)
                .enumerate()
                .map(|(i, (x, y))| suppressed_between(x, y, &format!("{path}/{i}")))
                .sum()
        }
        _ => 0,
    }
}

fn csv_rows(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(p).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Every coordinate number of a geometry.
fn coords(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.push(n.as_f64().unwrap()),
        Value::Array(a) => a.iter().for_each(|x| coords(x, out)),
        _ => {}
    }
}

fn decimals(x: f64) -> usize {
    format!("{x}").split('.').nth(1).map_or(0, str::len)
}

/// The statistics of a measure, each of which depends on the treatment area's counts.
const HUB_STATS: [&str; 17] = [
    "/treatment/pct_change",
    "/gross_effect",
    "/tne",
    "/wdq/sm",
    "/wdq/wdq",
    "/wdq/meaningful",
    "/wdd/local",
    "/wdd/wdd",
    "/wdd/variance",
    "/wdd/z",
    "/wdd/p",
    "/did/estimate",
    "/did/z",
    "/did/p",
    "/res/res",
    "/res/ci_low",
    "/res/p",
];

#[test]
fn partner_compare_publishes_nothing_from_fewer_than_five() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let plain = compare(d, "plain", &[]);
    let partner = compare(d, "partner", &["--partner"]);

    let pj = load(&plain.join("report.json"));
    let rj = load(&partner.join("report.json"));
    let tiny_crime = |r: &Value| -> Value {
        r["result"]["areas"][1]["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["measure"] == "crime")
            .unwrap()
            .clone()
    };
    // The tiny hub really has small counts, published without the flags.
    let a_b = pj["result"]["areas"][1]["counts"]["treatment"]["before"]["crime"]
        .as_f64()
        .unwrap();
    let a_a = pj["result"]["areas"][1]["counts"]["treatment"]["after"]["crime"]
        .as_f64()
        .unwrap();
    assert!(small(a_b) || small(a_a), "tiny hub crime {a_b} → {a_a}");
    assert!(a_b + a_a <= 4.0);
    assert!(pj.get("disclosure").is_none());
    let plain_counts = json_counts(&pj);
    assert!(plain_counts
        .iter()
        .any(|(_, v)| v.as_f64().is_some_and(small)));
    assert!(tiny_crime(&pj).pointer("/res/res").unwrap().is_number());

    // report.json: no count of 1 to 4, every other number as published without the flags,
    // and the nulls are exactly the values reported as suppressed.
    let counts = json_counts(&rj);
    assert_eq!(counts.len(), plain_counts.len());
    for (path, v) in &counts {
        assert!(
            v.is_null() || !small(v.as_f64().unwrap()),
            "{path} = {v} in a partner report"
        );
    }
    let disclosure = &rj["disclosure"];
    assert_eq!(disclosure["min_count"], 5);
    assert_eq!(disclosure["coordinate_decimals"], 4);
    assert_eq!(disclosure["rounded_values"], 0);
    let nulled = suppressed_between(&pj["result"], &rj["result"], "result");
    assert!(nulled > 0);
    assert_eq!(disclosure["suppressed_values"].as_u64(), Some(nulled));
    assert!(disclosure["note"]
        .as_str()
        .unwrap()
        .contains("1 to 4 incidents suppressed"));

    // The tiny hub's crime statistics are withheld, the busy hub's published.
    let tc = tiny_crime(&rj);
    for s in HUB_STATS {
        assert!(
            tc.pointer(s).unwrap().is_null(),
            "tiny hub crime {s} = {}",
            tc.pointer(s).unwrap()
        );
    }
    let busy = &rj["result"]["areas"][0]["measures"][0];
    assert_eq!(busy["measure"], "crime");
    assert!(busy.pointer("/res/res").unwrap().is_number());
    assert!(busy.pointer("/wdd/z").unwrap().is_number());
    let summary = rj["result"]["areas"][1]["summary"].as_str().unwrap();
    assert!(
        summary.contains("Crime: the figures for Tiny hub are withheld because its counts are too small to publish"),
        "{summary}"
    );

    // report.csv: counts empty or at least 5; the tiny hub's crime statistics empty.
    let (h, rows) = csv_rows(&partner.join("report.csv"));
    let count_cols: Vec<usize> = ["treatment", "buffer", "control"]
        .iter()
        .flat_map(|p| [format!("{p}_before"), format!("{p}_after")])
        .map(|c| col(&h, &c))
        .collect();
    for r in &rows {
        if r[col(&h, "measure")] == "harm" {
            continue;
        }
        for &c in &count_cols {
            let f = &r[c];
            assert!(
                f.is_empty() || !small(f.parse().unwrap()),
                "report.csv {} {} {} = {f}",
                r[0],
                r[1],
                h[c]
            );
        }
    }
    let tiny_row = rows
        .iter()
        .find(|r| r[0] == "Tiny hub" && r[1] == "crime")
        .unwrap();
    for c in [
        "treatment_pct_change",
        "gross_effect",
        "wdq",
        "wdq_meaningful",
        "tne",
        "wdd",
        "wdd_z",
        "wdd_p",
        "did",
        "did_p",
        "res",
        "res_ci_low",
        "res_ci_high",
        "res_p",
    ] {
        assert_eq!(tiny_row[col(&h, c)], "", "report.csv Tiny hub crime {c}");
    }

    // series.csv: monthly crime and ASB empty or at least 5; harm empty exactly when the
    // month's crime + ASB is 1 to 4; everything else as without the flags.
    let (h, rows) = csv_rows(&partner.join("series.csv"));
    let (_, plain_rows) = csv_rows(&plain.join("series.csv"));
    assert_eq!(rows.len(), plain_rows.len());
    let (crime, asb, harm) = (col(&h, "crime"), col(&h, "asb"), col(&h, "harm"));
    let mut empty = 0;
    for (r, p) in rows.iter().zip(&plain_rows) {
        for c in [crime, asb] {
            let f = &r[c];
            assert!(
                f.is_empty() || !small(f.parse().unwrap()),
                "series.csv {r:?}"
            );
            assert!(f.is_empty() || f == &p[c], "series.csv {r:?} against {p:?}");
            empty += usize::from(f.is_empty());
        }
        let all: f64 = p[crime].parse::<f64>().unwrap() + p[asb].parse::<f64>().unwrap();
        let expect = if small(all) { "" } else { p[harm].as_str() };
        assert_eq!(r[harm], expect, "series.csv harm: {r:?} against {p:?}");
    }
    assert!(empty > 0);

    // report.md: the disclosure line, the withheld sentence, no small count in the tables.
    let md = std::fs::read_to_string(partner.join("report.md")).unwrap();
    assert!(md.contains("**Disclosure control:** values built from 1 to 4 incidents suppressed:"));
    assert!(md.contains("area coordinates to 4 decimals"));
    assert!(md.contains("Crime: the figures for Tiny hub are withheld"));
    for line in md
        .lines()
        .filter(|l| l.starts_with("| Crime") || l.starts_with("| ASB"))
    {
        for cell in line.split('|').skip(2).take(3) {
            for side in cell.split('→') {
                if let Some(Ok(x)) = side.split_whitespace().next().map(str::parse::<f64>) {
                    assert!(!small(x), "report.md: {line}");
                }
            }
        }
    }
    let tiny_md = &md[md.find("## Tiny hub").unwrap()..];
    let crime_line = tiny_md.lines().find(|l| l.starts_with("| Crime")).unwrap();
    assert!(crime_line.contains("<5"), "{crime_line}");
    assert!(
        crime_line.ends_with("| suppressed | suppressed | suppressed |"),
        "{crime_line}"
    );

    // areas.geojson: polygons only (point hubs drawn as circles), 4 decimals, no small
    // count, the tiny hub's statistics null, the rules recorded.
    let gj = load(&partner.join("areas.geojson"));
    assert!(!has_point(&gj));
    assert_eq!(
        gj["disclosure"]["suppressed_values"],
        disclosure["suppressed_values"]
    );
    let features = gj["features"].as_array().unwrap();
    assert_eq!(features.len(), 5); // 2 × (treatment, buffer) + control
    let mut xs = Vec::new();
    for f in features {
        let g = &f["geometry"];
        assert!(matches!(
            g["type"].as_str(),
            Some("Polygon" | "MultiPolygon")
        ));
        coords(&g["coordinates"], &mut xs);
        let p = &f["properties"];
        for key in ["crime", "asb"] {
            for period in ["before", "after"] {
                let v = &p[format!("{key}_{period}")];
                assert!(
                    v.is_null() || !small(v.as_f64().unwrap()),
                    "areas.geojson {p}"
                );
            }
        }
        if p["place"] == "treatment" {
            let ring = &g["coordinates"][0][0];
            assert!(ring.as_array().unwrap().len() > 16, "a hub is a circle");
        }
        if p["name"] == "Tiny hub" && p["place"] == "treatment" {
            for s in [
                "crime_res",
                "crime_res_p",
                "crime_wdd",
                "crime_wdd_z",
                "crime_gross_effect",
                "crime_pct_change",
                "crime_tne",
            ] {
                assert!(p[s].is_null(), "areas.geojson Tiny hub {s} = {}", p[s]);
            }
        }
    }
    assert!(xs.len() > 100);
    assert!(
        xs.iter().all(|&x| decimals(x) <= 4),
        "coordinates beyond 4 decimals"
    );

    // Without the flags: no disclosure anywhere and full-precision coordinates.
    let pg = load(&plain.join("areas.geojson"));
    assert!(pg.get("disclosure").is_none());
    let mut xs = Vec::new();
    coords(&pg["features"][0]["geometry"]["coordinates"], &mut xs);
    assert!(xs.iter().any(|&x| decimals(x) > 4));
    let plain_md = std::fs::read_to_string(plain.join("report.md")).unwrap();
    assert!(!plain_md.contains("Disclosure control") && !plain_md.contains("withheld"));
}

#[test]
fn round_publishes_small_counts_as_multiples_of_the_base() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    let plain = compare(d, "plain", &[]);
    let rounded = compare(d, "rounded", &["--min-count", "5", "--round", "5"]);
    let pj = load(&plain.join("report.json"));
    let rj = load(&rounded.join("report.json"));
    let (pc, rc) = (json_counts(&pj), json_counts(&rj));
    let mut n_rounded = 0;
    for ((path, p), (_, r)) in pc.iter().zip(&rc) {
        let (p, r) = (p.as_f64().unwrap(), r.as_f64().unwrap());
        if small(p) {
            // 1, 2 → 0; 3, 4 → 5
            assert_eq!(r, if p < 2.5 { 0.0 } else { 5.0 }, "{path}: {p} → {r}");
            n_rounded += 1;
        } else {
            assert_eq!(p, r, "{path}");
        }
    }
    assert!(n_rounded > 0);
    let disclosure = &rj["disclosure"];
    assert_eq!(disclosure["round"], 5);
    // json_counts covers every rounded value (the other counts are the same as above)
    assert_eq!(disclosure["rounded_values"].as_u64(), Some(n_rounded));
    assert!(disclosure["suppressed_values"].as_u64().unwrap() > 0); // harm, statistics
                                                                    // coordinates keep their precision without --partner
    assert_eq!(disclosure["coordinate_decimals"], 6);
    let tc = rj["result"]["areas"][1]["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["measure"] == "crime")
        .unwrap()
        .clone();
    for s in HUB_STATS {
        assert!(
            tc.pointer(s).unwrap().is_null(),
            "rounded run: tiny hub crime {s}"
        );
    }
    let (h, rows) = csv_rows(&rounded.join("series.csv"));
    for r in &rows {
        for c in ["crime", "asb"] {
            let x: f64 = r[col(&h, c)].parse().unwrap();
            assert!(!small(x), "series.csv {r:?}");
        }
    }
}
