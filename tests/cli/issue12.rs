//! Issue 12: "Before/after you can defend" — exact hub circles, areas in any CRS, clean
//! CSV numbers. Each test runs the real binary and checks its output against values
//! computed here independently (own CSV parsing, own distances).

use crate::common::*;
use harmspot::Projector;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn report(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap()
}

/// `(crime, asb)` of a place's period in report.json (`result.areas[k].counts`).
fn counts(area: &Value, place: &str, period: &str) -> (u64, u64) {
    let c = &area["counts"][place][period];
    (c["crime"].as_u64().unwrap(), c["asb"].as_u64().unwrap())
}

// ------------------------------------------------------------ exact edges, through the CLI

/// A hub at BNG (424 000, 564 000), and incidents given in BNG metres (`--x-col/--y-col
/// --crs EPSG:27700`, working CRS EPSG:27700: no transformation), at 299.999 m, exactly
/// 300 m, 300.001 m, 599.999 m, exactly 600 m and 600.001 m, at several bearings.
#[test]
fn hub_edges_are_decided_by_distance() {
    let d = tempfile::tempdir().unwrap();
    let (cx, cy) = (424_000.0, 564_000.0);
    let mut lines = vec!["x,y,month,type".to_string()];
    // (distance, bearing in degrees): bearings away from the axes hit the 72-gon's flat
    // edges, which fell up to 0.29 m (300 m) and 0.57 m (600 m) inside the circles
    let placed: Vec<(f64, f64)> = [299.999, 300.001, 599.999, 600.001, 299.8, 599.6]
        .iter()
        .flat_map(|&r| [2.5, 47.5, 92.5, 182.5, 277.5].map(|b| (r, b)))
        .collect();
    for &(r, b) in &placed {
        let t = f64::to_radians(b);
        let (x, y) = (cx + r * t.cos(), cy + r * t.sin());
        // the distance as written, recomputed from the text: the classification to expect
        for month in ["2022-01", "2022-02"] {
            lines.push(format!("{x},{y},{month},Burglary"));
        }
    }
    // exactly on the edges (exact in binary), and far away (control)
    for (x, y) in [(cx + 300.0, cy), (cx, cy - 600.0), (cx - 5000.0, cy)] {
        for month in ["2022-01", "2022-02"] {
            lines.push(format!("{x},{y},{month},Burglary"));
        }
    }
    write(d.path(), "pts.csv", &lines);
    let hubs = json!({"type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": [{"type": "Feature", "properties": {"name": "Hub"},
            "geometry": {"type": "Point", "coordinates": [cx, cy]}}]});
    std::fs::write(d.path().join("hubs.geojson"), hubs.to_string()).unwrap();
    for method in ["one-pass", "index"] {
        ok(
            d.path(),
            &[
                "compare",
                "pts.csv",
                "--x-col",
                "x",
                "--y-col",
                "y",
                "--crs",
                "EPSG:27700",
                "--month-col",
                "month",
                "--type-col",
                "type",
                "--harm",
                "none",
                "--areas",
                "hubs.geojson",
                "--radius",
                "300",
                "--buffer",
                "300",
                "--before",
                "2022-01",
                "--after",
                "2022-02",
                "--count-method",
                method,
                "--out",
                "out",
            ],
        );
        // independent expectation: parse the CSV back and measure
        let text = std::fs::read_to_string(d.path().join("pts.csv")).unwrap();
        let (mut t, mut b, mut c) = (0, 0, 0);
        for l in text.lines().skip(1).filter(|l| l.contains("2022-01")) {
            let v: Vec<f64> = l.split(',').take(2).map(|s| s.parse().unwrap()).collect();
            let dist = ((v[0] - cx).powi(2) + (v[1] - cy).powi(2)).sqrt();
            if dist <= 300.0 {
                t += 1;
            } else if dist <= 600.0 {
                b += 1;
            } else {
                c += 1;
            }
        }
        // by construction: 299.999, 299.8 and the exact 300 are in; 300.001, 599.999,
        // 599.6 and the exact 600 are in the buffer; 600.001 and the far point are control
        assert_eq!((t, b, c), (11, 16, 6));
        let r = report(&d.path().join("out"));
        let hub = &r["result"]["areas"][0];
        assert_eq!(counts(hub, "treatment", "before"), (t, 0), "{method}");
        assert_eq!(counts(hub, "buffer", "before"), (b, 0), "{method}");
        assert_eq!(counts(hub, "control", "before"), (c, 0), "{method}");
        // the circle's area is π r², the ring's π (600² − 300²)
        assert!((hub["treatment_m2"].as_f64().unwrap() - 282_743.338_823_081_4).abs() < 1e-6);
        assert!((hub["buffer_m2"].as_f64().unwrap() - 848_230.016_469_244_2).abs() < 1e-6);
    }
}

/// The same edges for police.uk rows in WGS84: points placed at 299.999 m and 300.001 m
/// (and 599.999 / 600.001 m) *after projection* land on the right side.
#[test]
fn hub_edges_after_projection() {
    let d = tempfile::tempdir().unwrap();
    let p = Projector::new("EPSG:27700").unwrap();
    let hub_ll = [-1.6178, 54.9783];
    let c = p.forward.point(hub_ll).unwrap();
    let mut lines = vec![HEADER.to_string()];
    let mut expect = [0u64; 3];
    for (k, r) in [299.999, 300.001, 599.999, 600.001].into_iter().enumerate() {
        for b in [2.5f64, 62.5, 137.5, 222.5, 317.5] {
            let t = b.to_radians();
            let target = [c[0] + r * t.cos(), c[1] + r * t.sin()];
            // PROJ's WGS84 → BNG (Helmert) does not round-trip to the millimetre, so aim
            // the lon/lat until it projects onto the target (what harmspot will see)
            let (mut aim, mut lon, mut lat, mut q) =
                (target, String::new(), String::new(), [0.0; 2]);
            for _ in 0..6 {
                let ll = p.inverse.point(aim).unwrap();
                (lon, lat) = (format!("{:.12}", ll[0]), format!("{:.12}", ll[1]));
                q = p
                    .forward
                    .point([lon.parse().unwrap(), lat.parse().unwrap()])
                    .unwrap();
                aim = [aim[0] + target[0] - q[0], aim[1] + target[1] - q[1]];
            }
            let dist = (q[0] - c[0]).hypot(q[1] - c[1]);
            assert!((dist - r).abs() < 1e-5, "{dist} for {r}");
            let place = if dist <= 300.0 {
                0
            } else if dist <= 600.0 {
                1
            } else {
                2
            };
            assert_eq!(place, [0, 1, 1, 2][k], "{dist}");
            expect[place] += 1;
            lines.push(row(&format!("id{k}{b}"), "2022-01", &lon, &lat, "Burglary"));
        }
    }
    lines.push(row("far", "2022-01", "-1.4", "54.9", "Burglary"));
    lines.push(row("far2", "2022-02", "-1.4", "54.9", "Burglary"));
    expect[2] += 1;
    write(d.path(), "x-street.csv", &lines);
    let hubs = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": "Hub"},
        "geometry": {"type": "Point", "coordinates": hub_ll}}]});
    std::fs::write(d.path().join("hubs.geojson"), hubs.to_string()).unwrap();
    ok(
        d.path(),
        &[
            "compare",
            "x-street.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--buffer",
            "300",
            "--before",
            "2022-01",
            "--after",
            "2022-02",
            "--out",
            "out",
        ],
    );
    let r = report(&d.path().join("out"));
    let hub = &r["result"]["areas"][0];
    assert_eq!(counts(hub, "treatment", "before").0, expect[0]);
    assert_eq!(counts(hub, "buffer", "before").0, expect[1]);
    assert_eq!(counts(hub, "control", "before").0, expect[2]);
}

// ------------------------------------------------- the libraries over the real 2021 months

/// The shared real data ([`crate::common::DATA`]); the tests on it fail when it is absent.
fn real_data() -> PathBuf {
    assert!(
        crate::common::has_data(),
        "the real-data test needs the shared data at {} (set HARMSPOT_REAL_DATA when building the tests)",
        crate::common::DATA
    );
    PathBuf::from(crate::common::DATA)
}

/// One police.uk row as the recount sees it.
struct Raw {
    month: String,
    xy: [f64; 2],
    asb: bool,
}

/// Every row with coordinates of the 12 monthly files, parsed here (not by harmspot) and
/// projected with the library's projector.
fn raw_rows(folder: &Path, p: &Projector) -> Vec<Raw> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .flat_map(|m| std::fs::read_dir(m.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|f| f.to_string_lossy().ends_with("-street.csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 12);
    let mut out = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for f in files {
        let mut rd = csv::Reader::from_path(&f).unwrap();
        let h = rd.headers().unwrap().clone();
        let col = |name: &str| h.iter().position(|c| c == name).unwrap();
        let (id, month, lon, lat, ty) = (
            col("Crime ID"),
            col("Month"),
            col("Longitude"),
            col("Latitude"),
            col("Crime type"),
        );
        for rec in rd.records() {
            let rec = rec.unwrap();
            if rec[lon].is_empty() || rec[lat].is_empty() {
                continue;
            }
            if !rec[id].is_empty() {
                *ids.entry(rec[id].to_string()).or_default() += 1;
            }
            let ll = [rec[lon].parse().unwrap(), rec[lat].parse().unwrap()];
            out.push(Raw {
                month: rec[month].to_string(),
                xy: p.forward.point(ll).unwrap(),
                asb: &rec[ty] == "Anti-social behaviour",
            });
        }
    }
    // these months repeat no Crime ID (data README), so every row is an incident
    assert!(ids.values().all(|&n| n == 1));
    out
}

/// Done when: "an independent recount of every library hub over the real 2021 months by
/// exact distance equals compare's counts exactly". Radius 300 m, buffer 300 m; an incident
/// within 300 m of any hub is treatment, never buffer.
#[test]
fn libraries_recount_by_exact_distance_equals_compare() {
    let data = real_data();
    let folder = data.join("police-uk/northumbria-2021");
    let hubs_file = data.join("hubs/newcastle-libraries.geojson");
    let p = Projector::new("EPSG:27700").unwrap();
    let rows = raw_rows(&folder, &p);
    let hubs_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&hubs_file).unwrap()).unwrap();
    let hubs: Vec<(String, [f64; 2])> = hubs_json["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            let ll = [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()];
            (
                f["properties"]["name"].as_str().unwrap().to_string(),
                p.forward.point(ll).unwrap(),
            )
        })
        .collect();
    let (r, b) = (300.0, 300.0);
    let before = |m: &str| m <= "2021-06";
    // [hub][treatment, buffer][before, after][crime, asb]
    let mut want = vec![[[[0u64; 2]; 2]; 2]; hubs.len()];
    let mut pooled = [[[0u64; 2]; 2]; 3]; // treatment, buffer, control
                                          // the counts a 72-gon would give, to show the data put incidents where it matters
    let mut polygon_differs = 0;
    let gon =
        |c: [f64; 2], rad: f64| geo::MultiPolygon(vec![harmspot::compare::areas::circle(c, rad)]);
    let gons: Vec<_> = hubs
        .iter()
        .map(|(_, c)| (gon(*c, r), gon(*c, r + b)))
        .collect();
    for row in &rows {
        let period = usize::from(!before(&row.month));
        let kind = usize::from(row.asb);
        let dist: Vec<f64> = hubs
            .iter()
            .map(|(_, c)| ((row.xy[0] - c[0]).powi(2) + (row.xy[1] - c[1]).powi(2)).sqrt())
            .collect();
        let in_t = dist.iter().any(|&d| d <= r);
        let mut in_b = false;
        for (k, &d) in dist.iter().enumerate() {
            if d <= r {
                want[k][0][period][kind] += 1;
            } else if !in_t && d <= r + b {
                want[k][1][period][kind] += 1;
                in_b = true;
            }
            use geo::Contains;
            let pt = geo::Point::new(row.xy[0], row.xy[1]);
            if (d <= r) != gons[k].0.contains(&pt) || (d <= r + b) != gons[k].1.contains(&pt) {
                polygon_differs += 1;
            }
        }
        let place = if in_t {
            0
        } else if in_b {
            1
        } else {
            2
        };
        pooled[place][period][kind] += 1;
    }
    // police.uk map points sit within the polygons' 0.6 m of the circles: a polygon
    // would have moved incidents, so this test can tell exact distance from a polygon
    assert!(polygon_differs > 0);

    let d = tempfile::tempdir().unwrap();
    for method in ["one-pass", "index"] {
        let out = d.path().join(method);
        ok(
            d.path(),
            &[
                "compare",
                folder.to_str().unwrap(),
                "--areas",
                hubs_file.to_str().unwrap(),
                "--radius",
                "300",
                "--buffer",
                "300",
                "--before",
                "2021-01..2021-06",
                "--after",
                "2021-07..2021-12",
                "--count-method",
                method,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        let rep = report(&out);
        let areas = rep["result"]["areas"].as_array().unwrap();
        assert_eq!(areas.len(), hubs.len());
        for (k, (name, _)) in hubs.iter().enumerate() {
            assert_eq!(areas[k]["name"], name.as_str());
            for (pi, place) in ["treatment", "buffer"].iter().enumerate() {
                for (qi, period) in ["before", "after"].iter().enumerate() {
                    let got = counts(&areas[k], place, period);
                    let w = want[k][pi][qi];
                    assert_eq!(got, (w[0], w[1]), "{method}: {name} {place} {period}");
                }
            }
        }
        let all = &rep["result"]["pooled"];
        for (pi, place) in ["treatment", "buffer", "control"].iter().enumerate() {
            for (qi, period) in ["before", "after"].iter().enumerate() {
                let w = pooled[pi][qi];
                assert_eq!(
                    counts(all, place, period),
                    (w[0], w[1]),
                    "{method}: pooled {place}"
                );
            }
        }
    }
}

// ------------------------------------------------------------------ areas in EPSG:27700

/// The 2021-02 and 2021-03 files of the real force-year.
fn two_months(data: &Path) -> [String; 2] {
    ["02", "03"].map(|m| {
        data.join(format!(
            "police-uk/northumbria-2021/2021-{m}/2021-{m}-northumbria-street.csv"
        ))
        .to_string_lossy()
        .into_owned()
    })
}

/// Runs `compare` on 2021-02 (before) against 2021-03 (after) with `areas` and `extra`
/// flags, radius 400 m, buffer 300 m; returns report.json and stderr.
fn compare_two_months(dir: &Path, areas: &str, extra: &[&str], out: &str) -> (Value, String) {
    let months = two_months(&real_data());
    let mut args = vec![
        "compare", &months[0], &months[1], "--areas", areas, "--radius", "400", "--buffer", "300",
        "--before", "2021-02", "--after", "2021-03", "--out", out,
    ];
    args.extend(extra);
    let o = run(dir, &args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        report(&dir.join(out)),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The same run, expected to fail: its stderr.
fn compare_fails(dir: &Path, areas: &str, extra: &[&str]) -> String {
    let months = two_months(&real_data());
    let mut args = vec![
        "compare", &months[0], &months[1], "--areas", areas, "--radius", "400", "--before",
        "2021-02", "--after", "2021-03", "--out", "failed",
    ];
    args.extend(extra);
    let e = fails(dir, &args);
    assert!(!dir.join("failed").exists());
    e
}

/// Done when: "an areas file in EPSG:27700 (legacy `crs` member, or `--areas-crs
/// EPSG:27700`) gives the same report as the same areas in WGS84". The libraries and a
/// polygon, in WGS84 and converted here to EPSG:27700 with the library's projector.
#[test]
fn areas_in_british_national_grid_give_the_same_report() {
    let d = tempfile::tempdir().unwrap();
    let p = Projector::new("EPSG:27700").unwrap();
    let data = real_data();
    let hubs: Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("hubs/newcastle-libraries.geojson")).unwrap(),
    )
    .unwrap();
    let mut features: Vec<Value> = hubs["features"].as_array().unwrap().clone();
    // a polygon around the city centre, lon/lat
    let ring = [
        [-1.62, 54.968],
        [-1.60, 54.968],
        [-1.60, 54.98],
        [-1.62, 54.98],
        [-1.62, 54.968],
    ];
    features.push(
        json!({"type": "Feature", "properties": {"name": "Centre block"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}),
    );
    let wgs = json!({"type": "FeatureCollection", "features": features});
    let to_bng = |c: &Value| -> Value {
        let q = p
            .forward
            .point([c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
            .unwrap();
        json!(q)
    };
    let bng_features: Vec<Value> = features
        .iter()
        .map(|f| {
            let mut f = f.clone();
            let g = &mut f["geometry"];
            let coords = if g["type"] == "Point" {
                to_bng(&g["coordinates"])
            } else {
                json!([g["coordinates"][0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(to_bng)
                    .collect::<Vec<_>>()])
            };
            g["coordinates"] = coords;
            f
        })
        .collect();
    let with_crs = |name: &str| {
        json!({"type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": name}},
            "features": bng_features})
    };
    let files = [
        ("wgs.geojson", wgs),
        ("member.geojson", with_crs("urn:ogc:def:crs:EPSG::27700")),
        ("short.geojson", with_crs("EPSG:27700")),
        ("odd.geojson", with_crs("urn:ogc:def:crs:FOO::1")),
        (
            "bare.geojson",
            json!({"type": "FeatureCollection", "features": bng_features}),
        ),
    ];
    for (name, v) in &files {
        std::fs::write(d.path().join(name), v.to_string()).unwrap();
    }
    let dir = d.path();
    let (base, _) = compare_two_months(dir, "wgs.geojson", &[], "o1");
    let (with_member, err) = compare_two_months(dir, "member.geojson", &[], "o2");
    assert!(
        err.contains("areas read in EPSG:27700 (the file's crs member)"),
        "{err}"
    );
    let (with_flag, err) =
        compare_two_months(dir, "bare.geojson", &["--areas-crs", "EPSG:27700"], "o3");
    assert!(
        err.contains("areas read in EPSG:27700 (--areas-crs)"),
        "{err}"
    );
    let (with_short, _) = compare_two_months(dir, "short.geojson", &[], "o4");
    let n = base["result"]["areas"].as_array().unwrap().len();
    assert_eq!(n, features.len());
    for other in [&with_member, &with_flag, &with_short] {
        for k in 0..n {
            let (a, b) = (&base["result"]["areas"][k], &other["result"]["areas"][k]);
            assert_eq!(a["name"], b["name"]);
            assert_eq!(a["counts"], b["counts"], "{}", a["name"]);
            // areas agree to the transformation's round trip
            let (ta, tb) = (
                a["treatment_m2"].as_f64().unwrap(),
                b["treatment_m2"].as_f64().unwrap(),
            );
            assert!((ta - tb).abs() < 1e-6 * ta, "{ta} vs {tb}");
        }
        assert_eq!(
            base["result"]["pooled"]["counts"],
            other["result"]["pooled"]["counts"]
        );
    }
    // the centre block holds incidents, so the comparison is not of zeros
    let centre = &base["result"]["areas"][n - 1]["counts"]["treatment"]["before"]["all"];
    assert!(centre.as_u64().unwrap() > 100, "{centre}");

    // BNG coordinates without a CRS: a clear error, never read as lon/lat
    let e = compare_fails(dir, "bare.geojson", &[]);
    assert!(
        e.contains("cannot be WGS84 longitude/latitude") && e.contains("--areas-crs"),
        "{e}"
    );
    // degrees in a file said to be in EPSG:27700
    let e = compare_fails(dir, "wgs.geojson", &["--areas-crs", "EPSG:27700"]);
    assert!(
        e.contains("as longitude/latitude would") && e.contains("EPSG:27700"),
        "{e}"
    );
    // an unknown crs member
    let e = compare_fails(dir, "odd.geojson", &[]);
    assert!(
        e.contains("odd.geojson") && e.contains("not an EPSG CRS"),
        "{e}"
    );
}

// ------------------------------------------------------------------ CSV numbers

/// Done when: "No CSV the tool writes has a number longer than 25 characters". The
/// compare CSVs on two real months (tiny p-values included), cells CSVs of kde and gistar,
/// and the Knox CSV; every number reads back as a float.
#[test]
fn no_csv_number_longer_than_25_characters() {
    let d = tempfile::tempdir().unwrap();
    let hubs = real_data().join("hubs/newcastle-libraries.geojson");
    compare_two_months(d.path(), hubs.to_str().unwrap(), &[], "cmp");
    let s = sample();
    let s = s.to_str().unwrap();
    ok(d.path(), &["kde", s, "--out", "kde.csv"]);
    ok(d.path(), &["gistar", s, "--out", "gi.csv"]);
    ok(
        d.path(),
        &[
            "generate", "--rows", "3000", "--months", "6", "--seed", "2", "--out", "g.csv",
        ],
    );
    ok(
        d.path(),
        &["knox", "g.csv", "--permutations", "49", "--out", "k.csv"],
    );
    let mut checked = 0;
    let mut tiny = 0;
    for f in [
        "cmp/report.csv",
        "cmp/series.csv",
        "kde.csv",
        "gi.csv",
        "k.csv",
    ] {
        let mut rd = csv::Reader::from_path(d.path().join(f)).unwrap();
        for rec in rd.records() {
            for field in rec.unwrap().iter() {
                if let Ok(v) = field.parse::<f64>() {
                    assert!(
                        field.len() <= 25,
                        "{f}: `{field}` has {} characters",
                        field.len()
                    );
                    if v != 0.0 && v.abs() < 1e-10 {
                        tiny += 1;
                        assert!(field.contains('e'), "{f}: `{field}`");
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    // the real months give p-values below 1e-10 (issue 12's "0.000…0137"): now exponents
    assert!(tiny > 0, "no tiny value to check");
}

// ------------------------------------------------------------------ repeated Crime IDs

/// Done when: "repeated ids are kept and counted by default and dropped with
/// `--unique-ids`; rows identical with the same id are dropped in both; identical rows
/// without an id are all kept" — seen through `compare`'s counts and report.md.
#[test]
fn repeated_crime_ids_in_compare() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (("-1.6178", "54.9783"), ("-1.5500", "54.9700"));
    let lines = vec![
        HEADER.to_string(),
        row("x1", "2022-01", a.0, a.1, "Burglary"),
        row("x1", "2022-01", a.0, a.1, "Burglary"), // identical with its id: dropped
        row("r1", "2022-01", a.0, a.1, "Burglary"),
        row("r1", "2022-01", b.0, b.1, "Burglary"), // same id at hub B: kept by default
        row("", "2022-01", a.0, a.1, "Anti-social behaviour"),
        row("", "2022-01", a.0, a.1, "Anti-social behaviour"), // no id: both kept
        row("c1", "2022-01", "-1.40", "54.90", "Burglary"),
        row("c2", "2022-02", "-1.40", "54.90", "Burglary"),
        row("c3", "2022-02", a.0, a.1, "Burglary"),
    ];
    write(d.path(), "x-street.csv", &lines);
    let hubs = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "A"},
         "geometry": {"type": "Point", "coordinates": [-1.6178, 54.9783]}},
        {"type": "Feature", "properties": {"name": "B"},
         "geometry": {"type": "Point", "coordinates": [-1.55, 54.97]}}]});
    std::fs::write(d.path().join("hubs.geojson"), hubs.to_string()).unwrap();
    let go = |extra: &[&str], out: &str| -> (Value, String) {
        let mut args = vec![
            "compare",
            "x-street.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--before",
            "2022-01",
            "--after",
            "2022-02",
            "--out",
            out,
        ];
        args.extend(extra);
        ok(d.path(), &args);
        let dir = d.path().join(out);
        (
            report(&dir),
            std::fs::read_to_string(dir.join("report.md")).unwrap(),
        )
    };
    let (r, md) = go(&[], "kept");
    let areas = &r["result"]["areas"];
    assert_eq!(counts(&areas[0], "treatment", "before"), (2, 2));
    assert_eq!(counts(&areas[1], "treatment", "before"), (1, 0));
    assert_eq!(r["read"]["repeated_ids_kept"], 1);
    assert!(md.contains("repeated Crime ID, kept: 1"), "{md}");
    let (r, md) = go(&["--unique-ids"], "unique");
    let areas = &r["result"]["areas"];
    assert_eq!(counts(&areas[0], "treatment", "before"), (2, 2));
    assert_eq!(counts(&areas[1], "treatment", "before"), (0, 0));
    assert!(md.contains("--unique-ids"), "{md}");
}
