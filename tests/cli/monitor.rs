//! `harmspot monitor` (issue 20; METHODS §10): quarterly counts per area against an
//! independent recount on the real Northumbria data, incomplete quarters, the baseline and
//! its limits against hand values, partner activities and area-coded counts counted
//! exactly, the calibration of the flag on placebo data, disclosure control, and the
//! folder's files read back (measures.md, chart.png, the map of the folder).

use crate::common::{decode_png, fails, ok, row, run, write, HEADER};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The shared real data, found from the crate (`../shared/data`).
fn data() -> PathBuf {
    PathBuf::from(crate::common::DATA)
}

/// Whether the real data is here; prints why a test is skipped when it is not.
fn real(test: &str) -> bool {
    let d = data();
    let here = d.join("police-uk/northumbria-2020").is_dir()
        && d.join("police-uk/northumbria-2021").is_dir()
        && d.join("hubs/newcastle-libraries.geojson").is_file()
        && d.join("boundaries/northumbria-lsoa2011.geojson").is_file();
    if !here {
        println!(
            "SKIPPED {test}: the shared real data ({}) is not here",
            d.display()
        );
    }
    here
}

/// `measures.csv` as maps of column → value.
fn measures(dir: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join("measures.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    assert_eq!(
        h.iter().collect::<Vec<_>>(),
        [
            "area",
            "period",
            "measure",
            "count",
            "months",
            "baseline_mean",
            "low",
            "high",
            "flag",
            "last_year",
            "change_pct"
        ]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn find<'a>(
    rows: &'a [HashMap<String, String>],
    area: &str,
    period: &str,
    measure: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["area"] == area && r["period"] == period && r["measure"] == measure)
        .unwrap_or_else(|| panic!("no row {area} / {period} / {measure}"))
}

fn num(r: &HashMap<String, String>, col: &str) -> f64 {
    r[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} = `{}` in {r:?}", r[col]))
}

/// Ground distance in metres between two WGS84 points a few hundred metres apart, on the
/// GRS80 ellipsoid (local radii of curvature at the mean latitude), times the British
/// National Grid's scale factor there: the grid distance harmspot measures in, within a
/// few millimetres (OSTN15's local scale differs by ~20 ppm, 6 mm at 300 m).
fn bng_distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (ga, e2) = (6_378_137.0_f64, 0.006_694_380_022_9_f64);
    let phi = ((a[1] + b[1]) / 2.0).to_radians();
    let w = (1.0 - e2 * phi.sin().powi(2)).sqrt();
    let m = ga * (1.0 - e2) / w.powi(3);
    let n = ga / w;
    let dn = (b[1] - a[1]).to_radians() * m;
    let de = (b[0] - a[0]).to_radians() * n * phi.cos();
    // BNG: F0 = 0.9996012717, true origin 2°W; k = F0 (1 + E'²/(2 ρ ν F0²))
    let f0 = 0.999_601_271_7;
    let e_off = ((a[0] + b[0]) / 2.0 + 2.0).to_radians() * n * phi.cos() * f0;
    let k = f0 * (1.0 + e_off * e_off / (2.0 * m * n * f0 * f0));
    (dn * dn + de * de).sqrt() * k
}

/// UK financial-year quarter label of a `YYYY-MM` month.
fn fy_quarter(month: &str) -> String {
    let y: i32 = month[..4].parse().unwrap();
    let m: i32 = month[5..7].parse().unwrap();
    let y0 = if m >= 4 { y } else { y - 1 };
    format!("{y0}/{:02} Q{}", (y0 + 1) % 100, (m + 12 - 4) % 12 / 3 + 1)
}

fn hubs(path: &Path) -> Vec<(String, [f64; 2])> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["properties"]["name"].as_str().unwrap().to_string(),
                [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()],
            )
        })
        .collect()
}

/// Every police.uk row below `dir`: (month, lon, lat, crime type), rows with coordinates.
fn police_rows(dir: &Path) -> Vec<(String, [f64; 2], String)> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.to_string_lossy().ends_with("-street.csv") {
                let mut r = csv::Reader::from_path(&p).unwrap();
                for rec in r.records() {
                    let rec = rec.unwrap();
                    let (Ok(lon), Ok(lat)) = (rec[4].parse::<f64>(), rec[5].parse::<f64>()) else {
                        continue;
                    };
                    out.push((rec[1].to_string(), [lon, lat], rec[9].to_string()));
                }
            }
        }
    }
    out
}

#[test]
fn hub_quarterly_counts_equal_an_independent_recount() {
    if !real("hub_quarterly_counts_equal_an_independent_recount") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (d20, d21) = (
        data().join("police-uk/northumbria-2020"),
        data().join("police-uk/northumbria-2021"),
    );
    let hub_file = data().join("hubs/newcastle-libraries.geojson");
    ok(
        t.path(),
        &[
            "monitor",
            d20.to_str().unwrap(),
            d21.to_str().unwrap(),
            "--areas",
            hub_file.to_str().unwrap(),
            "--radius",
            "300",
            "--year-start",
            "04",
            "--out",
            "mon",
            "-q",
        ],
    );
    let rows = measures(&t.path().join("mon"));
    let hubs = hubs(&hub_file);
    assert_eq!(hubs.len(), 13);
    let mut incidents = police_rows(&d20);
    incidents.extend(police_rows(&d21));
    // recount: (place, quarter, measure) → count; place 13 = all areas together
    let mut want: BTreeMap<(usize, String, &str), (u64, u64)> = BTreeMap::new();
    let mut borderline = 0;
    for (month, p, ty) in &incidents {
        let ms: Vec<&str> = match ty.as_str() {
            "Anti-social behaviour" => vec!["asb"],
            "Violence and sexual offences" => vec!["crime", "violence"],
            "Possession of weapons" => vec!["crime", "weapons"],
            _ => vec!["crime"],
        };
        let q = fy_quarter(month);
        let mut any = false;
        let mut near = false;
        for (k, (_, h)) in hubs.iter().enumerate() {
            let d = bng_distance(*h, *p);
            near |= (d - 300.0).abs() < 0.05;
            if d <= 300.0 {
                any = true;
                for m in &ms {
                    want.entry((k, q.clone(), m)).or_default().0 += 1;
                }
            }
        }
        if near {
            borderline += 1;
            for k in 0..hubs.len() {
                for m in &ms {
                    want.entry((k, q.clone(), m)).or_default().1 += 1;
                }
            }
        }
        if any {
            for m in &ms {
                want.entry((13, q.clone(), m)).or_default().0 += 1;
            }
        }
    }
    let mut checked = 0;
    for q in [
        "2020/21 Q1",
        "2020/21 Q2",
        "2020/21 Q3",
        "2020/21 Q4",
        "2021/22 Q1",
        "2021/22 Q2",
        "2021/22 Q3",
    ] {
        for m in ["crime", "asb", "violence", "weapons"] {
            for k in 0..=13 {
                let name = hubs.get(k).map_or("All areas together", |h| h.0.as_str());
                let got = num(find(&rows, name, q, m), "count") as u64;
                let (n, slack) = want
                    .get(&(k, q.to_string(), m))
                    .copied()
                    .unwrap_or_default();
                assert!(
                    got.abs_diff(n) <= slack,
                    "{name} {q} {m}: harmspot {got}, recount {n} ({slack} within 5 cm of the edge)"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 7 * 4 * 14);
    println!("recount: {checked} counts equal; {borderline} incidents within 5 cm of a 300 m edge");
    // 2020/21 Q1 holds May and June 2020 only
    let q1 = find(&rows, "City", "2020/21 Q1", "crime");
    assert_eq!(
        (
            q1["months"].as_str(),
            q1["flag"].as_str(),
            q1["change_pct"].as_str()
        ),
        ("2", "incomplete", "")
    );
}

/// A synthetic extract: `per_month` incidents of `ty` at (lon, lat) for each month given.
fn synthetic(
    months: &[(&str, usize)],
    lon: &str,
    lat: &str,
    ty: &str,
    id: &mut usize,
) -> Vec<String> {
    let mut out = Vec::new();
    for (m, n) in months {
        for _ in 0..*n {
            *id += 1;
            out.push(row(&format!("id{id}"), m, lon, lat, ty));
        }
    }
    out
}

const HUB: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"name":"Hub A"},"geometry":{"type":"Point","coordinates":[-1.61,54.975]}},
 {"type":"Feature","properties":{"name":"Hub B"},"geometry":{"type":"Point","coordinates":[-1.55,54.99]}}]}"#;

#[test]
fn baseline_limits_and_incomplete_quarters_match_hand_values() {
    let t = tempfile::tempdir().unwrap();
    let y = [30, 50, 40, 20, 60, 40, 30, 50, 40, 20, 60, 40];
    let mut months: Vec<(String, usize)> = (1..=12)
        .map(|m| (format!("2021-{m:02}"), y[m - 1]))
        .collect();
    months.extend([
        ("2022-01".into(), 100),
        ("2022-02".into(), 60),
        ("2022-03".into(), 20),
        ("2022-04".into(), 40),
    ]);
    // 2022-06 is there (ASB far away), 2022-05 is missing: 2022 Q2 has 2 of 3 months
    let ms: Vec<(&str, usize)> = months.iter().map(|(m, n)| (m.as_str(), *n)).collect();
    let mut id = 0;
    let mut lines = vec![HEADER.to_string()];
    lines.extend(synthetic(&ms, "-1.61", "54.975", "Burglary", &mut id));
    lines.extend(synthetic(
        &[("2022-06", 3)],
        "-1.40",
        "54.90",
        "Anti-social behaviour",
        &mut id,
    ));
    write(t.path(), "in.csv", &lines);
    write(t.path(), "hubs.geojson", &[HUB.to_string()]);
    ok(
        t.path(),
        &[
            "monitor",
            "in.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "100",
            "--out",
            "m",
            "-q",
        ],
    );
    let rows = measures(&t.path().join("m"));
    // baseline = 2021 Q1..Q4: ȳ = 40 a month, φ = 2000/40/11 = 4.5454…; a quarter: 120 ± 45.78
    let q = find(&rows, "Hub A", "2022 Q1", "crime");
    assert_eq!(num(q, "count"), 180.0);
    assert_eq!(num(q, "baseline_mean"), 120.0);
    assert_eq!(num(q, "low"), 74.22);
    assert_eq!(num(q, "high"), 165.78);
    assert_eq!(q["flag"], "above");
    assert_eq!((num(q, "last_year"), num(q, "change_pct")), (120.0, 50.0));
    let q4 = find(&rows, "Hub A", "2021 Q4", "crime");
    assert_eq!((num(q4, "count"), q4["flag"].as_str()), (120.0, "within"));
    // 2022 Q2: April (40) and June (0) in the data, May missing: incomplete, never flagged;
    // its baseline is scaled to its 2 months
    let q2 = find(&rows, "Hub A", "2022 Q2", "crime");
    assert_eq!(
        (num(q2, "count"), num(q2, "months"), q2["flag"].as_str()),
        (40.0, 2.0, "incomplete")
    );
    assert_eq!(num(q2, "baseline_mean"), 80.0);
    assert_eq!(q2["change_pct"], "");
    // Hub B has no incident: zeros, baseline 0, within
    let b = find(&rows, "Hub B", "2022 Q1", "crime");
    assert_eq!(
        (num(b, "count"), num(b, "high"), b["flag"].as_str()),
        (0.0, 0.0, "within")
    );
    // all areas together = Hub A here
    let all = find(&rows, "All areas together", "2022 Q1", "crime");
    assert_eq!((num(all, "count"), all["flag"].as_str()), (180.0, "above"));
    // run.toml replays the run: the same table
    let before = std::fs::read(t.path().join("m/measures.csv")).unwrap();
    ok(t.path(), &["run", "m/run.toml", "-q"]);
    assert_eq!(
        std::fs::read(t.path().join("m/measures.csv")).unwrap(),
        before
    );
    let md = std::fs::read_to_string(t.path().join("m/measures.md")).unwrap();
    assert!(md.contains("2022 Q2 (2 of 3 months)"), "{md}");
    assert!(md.contains("**2022 Q1, Hub A**: 180, above the usual range for a quarter (74 to 166; baseline average 120). Same quarter last year: 120 (+50%)."), "{md}");
}

#[test]
fn activities_are_counted_exactly_per_area_and_quarter() {
    let t = tempfile::tempdir().unwrap();
    let mut id = 0;
    let months: Vec<String> = (1..=12).map(|m| format!("2021-{m:02}")).collect();
    let ms: Vec<(&str, usize)> = months.iter().map(|m| (m.as_str(), 5)).collect();
    let mut lines = vec![HEADER.to_string()];
    lines.extend(synthetic(&ms, "-1.40", "54.90", "Burglary", &mut id));
    write(t.path(), "in.csv", &lines);
    write(t.path(), "hubs.geojson", &[HUB.to_string()]);
    // hub A at (-1.61, 54.975): 0.0009° of latitude ≈ 100 m north (inside 300 m), 0.0045° ≈
    // 500 m (outside); hub B at (-1.55, 54.99)
    let acts = [
        "lon,lat,date",
        "-1.61,54.9759,2021-02-03",
        "-1.61,54.9759,2021-03",
        "-1.61,54.975,2021-04-30",
        "-1.61,54.9795,2021-04-01",
        "-1.55,54.99,2021-11-11",
        "-1.55,54.9905,2021-12",
    ];
    write(
        t.path(),
        "acts.csv",
        &acts.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    ok(
        t.path(),
        &[
            "monitor",
            "in.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--activities",
            "acts.csv",
            "--out",
            "m",
            "-q",
        ],
    );
    let rows = measures(&t.path().join("m"));
    let count = |a: &str, q: &str| num(find(&rows, a, q, "activities"), "count");
    assert_eq!(
        [
            count("Hub A", "2021 Q1"),
            count("Hub A", "2021 Q2"),
            count("Hub A", "2021 Q3"),
            count("Hub A", "2021 Q4")
        ],
        [2.0, 1.0, 0.0, 0.0]
    );
    assert_eq!(
        [count("Hub B", "2021 Q1"), count("Hub B", "2021 Q4")],
        [0.0, 2.0]
    );
    assert_eq!(count("All areas together", "2021 Q4"), 2.0);
    assert_eq!(count("All areas together", "2021 Q1"), 2.0);
    // the same activities as GeoJSON Points with a `date` property
    let feats: Vec<String> = acts[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!(r#"{{"type":"Feature","properties":{{"date":"{}"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#, f[2], f[0], f[1])
        })
        .collect();
    write(
        t.path(),
        "acts.geojson",
        &[format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            feats.join(",")
        )],
    );
    ok(
        t.path(),
        &[
            "monitor",
            "in.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--activities",
            "acts.geojson",
            "--out",
            "g",
            "-q",
        ],
    );
    let a = std::fs::read_to_string(t.path().join("m/measures.csv")).unwrap();
    let g = std::fs::read_to_string(t.path().join("g/measures.csv")).unwrap();
    assert_eq!(a, g);
    // a bad date names the file, line and field
    write(
        t.path(),
        "bad.csv",
        &[
            "lon,lat,date".into(),
            "-1.61,54.975,2021-02".into(),
            "-1.61,54.975,March".into(),
        ],
    );
    let e = fails(
        t.path(),
        &[
            "monitor",
            "in.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--activities",
            "bad.csv",
            "--out",
            "x",
        ],
    );
    assert!(
        e.contains("bad.csv:3: field `date`") && e.contains("`March`"),
        "{e}"
    );
    assert!(!t.path().join("x").exists());
}

#[test]
fn area_counts_are_summed_exactly_by_code_onto_lsoas() {
    if !real("area_counts_are_summed_exactly_by_code_onto_lsoas") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let lsoa = data().join("boundaries/northumbria-lsoa2011.geojson");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&lsoa).unwrap()).unwrap();
    let codes: Vec<String> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["LSOA11CD"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 916);
    // a synthetic A&E-style file: every 7th LSOA, each month, a seeded count (zeros too),
    // plus a code no area has
    let mut lines = vec!["area_code,month,measure,count".to_string()];
    let mut want: HashMap<(String, String), f64> = HashMap::new();
    let mut seed: u64 = 20;
    for c in codes.iter().step_by(7) {
        for m in 1..=12 {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let n = (seed >> 59) as f64; // 0..31
            let month = format!("2021-{m:02}");
            lines.push(format!("{c},{month},ae_assault,{n}"));
            *want.entry((c.clone(), fy_quarter(&month))).or_default() += n;
        }
    }
    lines.push("E99999999,2021-05,ae_assault,7".into());
    write(t.path(), "ae.csv", &lines);
    let d21 = data().join("police-uk/northumbria-2021");
    let o = run(
        t.path(),
        &[
            "monitor",
            d21.to_str().unwrap(),
            "--areas",
            lsoa.to_str().unwrap(),
            "--name-field",
            "LSOA11CD",
            "--year-start",
            "04",
            "--area-counts",
            "ae.csv",
            "--code-field",
            "LSOA11CD",
            "--out",
            "m",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("1 rows of ae.csv have a code no area has (e.g. E99999999)"),
        "{err}"
    );
    let rows = measures(&t.path().join("m"));
    let mut total: HashMap<String, f64> = HashMap::new();
    for c in &codes {
        for q in ["2020/21 Q4", "2021/22 Q1", "2021/22 Q2", "2021/22 Q3"] {
            let w = want
                .get(&(c.clone(), q.to_string()))
                .copied()
                .unwrap_or(0.0);
            *total.entry(q.to_string()).or_default() += w;
            assert_eq!(num(find(&rows, c, q, "ae_assault"), "count"), w, "{c} {q}");
        }
    }
    for (q, w) in &total {
        assert_eq!(
            num(find(&rows, "All areas together", q, "ae_assault"), "count"),
            *w,
            "{q}"
        );
    }
    // circles round hubs carry no code: a clear error naming the areas file and the field
    let hubs = data().join("hubs/newcastle-libraries.geojson");
    let e = fails(
        t.path(),
        &[
            "monitor",
            d21.to_str().unwrap(),
            "--areas",
            hubs.to_str().unwrap(),
            "--radius",
            "300",
            "--area-counts",
            "ae.csv",
            "--code-field",
            "LSOA11CD",
            "--out",
            "h",
        ],
    );
    assert!(
        e.contains("newcastle-libraries.geojson:1: field `LSOA11CD`") && e.contains("never spread"),
        "{e}"
    );
}

/// A seeded permutation of `0..n` (Fisher–Yates with a 64-bit LCG).
fn permutation(n: usize, mut seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        order.swap(i, (seed >> 33) as usize % (i + 1));
    }
    order
}

#[test]
fn flag_calibration_on_placebo_months() {
    if !real("flag_calibration_on_placebo_months") {
        return;
    }
    // Placebo: the 20 real months (2020-05..2021-12) of each LSOA (the row's `LSOA code`)
    // relabelled in that LSOA's own seeded random order as 2019-01..2020-08. Each area keeps
    // its real month-to-month variation (overdispersion) but has no trend, season or
    // intervention: the truth is "no change". LSOAs as areas, calendar quarters: 2019
    // Q1..Q4 are the baseline, 2020 Q1 and Q2 are judged (2020 Q3 is incomplete).
    let t = tempfile::tempdir().unwrap();
    let mut months: Vec<String> = (5..=12).map(|m| format!("2020-{m:02}")).collect();
    months.extend((1..=12).map(|m| format!("2021-{m:02}")));
    let labels: Vec<String> = (0..20)
        .map(|k| {
            if k < 12 {
                format!("2019-{:02}", k + 1)
            } else {
                format!("2020-{:02}", k - 11)
            }
        })
        .collect();
    let mut w = csv::Writer::from_path(t.path().join("placebo-street.csv")).unwrap();
    w.write_record(HEADER.split(',')).unwrap();
    let mut perms: HashMap<String, Vec<usize>> = HashMap::new();
    for src in &months {
        let dir = if src.starts_with("2020") {
            "northumbria-2020"
        } else {
            "northumbria-2021"
        };
        let k = months.iter().position(|m| m == src).unwrap();
        let mut r = csv::Reader::from_path(data().join(format!(
            "police-uk/{dir}/{src}/{src}-northumbria-street.csv"
        )))
        .unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let code = rec[7].to_string();
            let perm = perms.entry(code.clone()).or_insert_with(|| {
                let seed = code.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
                });
                permutation(20, seed)
            });
            let mut out: Vec<&str> = rec.iter().collect();
            out[1] = &labels[perm[k]];
            w.write_record(&out).unwrap();
        }
    }
    w.flush().unwrap();
    drop(w);
    let lsoa = data().join("boundaries/northumbria-lsoa2011.geojson");
    ok(
        t.path(),
        &[
            "monitor",
            "placebo-street.csv",
            "--areas",
            lsoa.to_str().unwrap(),
            "--name-field",
            "LSOA11CD",
            "--out",
            "m",
            "-q",
        ],
    );
    let rows = measures(&t.path().join("m"));
    let mut shares = Vec::new();
    for m in ["crime", "asb", "violence", "weapons", "harm"] {
        let tested: Vec<_> = rows
            .iter()
            .filter(|r| {
                r["measure"] == m
                    && (r["period"] == "2020 Q1" || r["period"] == "2020 Q2")
                    && r["area"] != "All areas together"
            })
            .collect();
        assert_eq!(tested.len(), 2 * 916);
        assert!(tested.iter().all(|r| r["months"] == "3"));
        let above = tested.iter().filter(|r| r["flag"] == "above").count();
        let below = tested.iter().filter(|r| r["flag"] == "below").count();
        let share = (above + below) as f64 / tested.len() as f64;
        println!(
            "placebo months per LSOA, quarters flagged for {m}: {above} above + {below} below of {} = {:.1}% (nominal 5%)",
            tested.len(),
            100.0 * share
        );
        shares.push((m, share));
    }
    for (m, share) in shares {
        assert!(
            (0.02..0.12).contains(&share),
            "{m}: {:.1}% of placebo quarters flagged",
            100.0 * share
        );
    }
}

#[test]
fn real_folder_reads_back_and_maps() {
    if !real("real_folder_reads_back_and_maps") {
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let (d20, d21) = (
        data().join("police-uk/northumbria-2020"),
        data().join("police-uk/northumbria-2021"),
    );
    let hub_file = data().join("hubs/newcastle-libraries.geojson");
    let args = |out: &'static str| -> Vec<String> {
        vec![
            "monitor".into(),
            d20.to_string_lossy().into_owned(),
            d21.to_string_lossy().into_owned(),
            "--areas".into(),
            hub_file.to_string_lossy().into_owned(),
            "--radius".into(),
            "300".into(),
            "--year-start".into(),
            "04".into(),
            "--out".into(),
            out.into(),
            "-q".into(),
        ]
    };
    let a: Vec<String> = args("mon");
    ok(t.path(), &a.iter().map(String::as_str).collect::<Vec<_>>());
    let dir = t.path().join("mon");
    let md = std::fs::read_to_string(dir.join("measures.md")).unwrap();
    for s in [
        "# Measures of success by quarter",
        "quarters of the UK financial year (from April)",
        "## Crime (`crime`)",
        "## Anti-social behaviour (`asb`)",
        "## Incidents at repeat locations (`repeat_locations`)",
        "| **All areas together** |",
        "2020/21 Q1 (2 of 3 months)",
        // the real ASB gap of 2020-07 is named, in the table and under "Check the data"
        "2020-07: 1,368 `asb` records in the whole extract",
        "2020/21 Q2 ‡",
    ] {
        assert!(md.contains(s), "measures.md lacks `{s}`");
    }
    let (w, h, px) = decode_png(&dir.join("chart.png"));
    assert!(w > 1000 && h > 1000, "{w} x {h}");
    // flagged periods are drawn: red (above) and blue (below) dots
    assert!(px.iter().any(|p| p[..3] == [215, 48, 39]), "no red dot");
    assert!(px.iter().any(|p| p[..3] == [49, 104, 176]), "no blue dot");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest["outputs"],
        serde_json::json!(["measures.csv", "measures.md", "chart.png", "areas.geojson"])
    );
    assert!(dir.join("run.toml").is_file());
    // the map verb draws the folder's areas
    ok(t.path(), &["map", "mon", "--out", "mon/map.png", "-q"]);
    let (mw, _, mpx) = decode_png(&dir.join("map.png"));
    assert!(mw > 0);
    assert!(
        mpx.iter().any(|p| p[..3] == [27, 158, 119]),
        "no monitored-area outline on the map"
    );
    ok(t.path(), &["map", "mon", "--out", "mon/map.html", "-q"]);
    let page = std::fs::read_to_string(dir.join("map.html")).unwrap();
    assert!(page.contains("Blakelaw") && page.contains("monitored"));
    // identical at one and two threads
    let one = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(args("one"))
        .env("RAYON_NUM_THREADS", "1")
        .current_dir(t.path())
        .output()
        .unwrap();
    assert!(one.status.success());
    assert_eq!(
        std::fs::read(t.path().join("one/measures.csv")).unwrap(),
        std::fs::read(dir.join("measures.csv")).unwrap()
    );
}

#[test]
fn partner_run_withholds_small_counts_and_their_flags() {
    let t = tempfile::tempdir().unwrap();
    let mut id = 0;
    let mut lines = vec![HEADER.to_string()];
    let months: Vec<String> = (1..=12)
        .map(|m| format!("2021-{m:02}"))
        .chain(["2022-01".into(), "2022-02".into(), "2022-03".into()])
        .collect();
    let ms: Vec<(&str, usize)> = months.iter().map(|m| (m.as_str(), 1)).collect();
    lines.extend(synthetic(&ms, "-1.61", "54.975", "Burglary", &mut id));
    lines.extend(synthetic(
        &[("2022-01", 6)],
        "-1.61",
        "54.975",
        "Burglary",
        &mut id,
    ));
    write(t.path(), "in.csv", &lines);
    write(t.path(), "hubs.geojson", &[HUB.to_string()]);
    ok(
        t.path(),
        &[
            "monitor",
            "in.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "100",
            "--partner",
            "--out",
            "m",
            "-q",
        ],
    );
    let rows = measures(&t.path().join("m"));
    // 2021 Q1: 3 burglaries, under 5: count and flag withheld; baseline from 12 published
    let q = find(&rows, "Hub A", "2021 Q1", "crime");
    assert_eq!((q["count"].as_str(), q["flag"].as_str()), ("", ""));
    assert_eq!(num(q, "baseline_mean"), 3.0);
    // 2022 Q1: 9, above; last year's 3 withheld with the change
    let q = find(&rows, "Hub A", "2022 Q1", "crime");
    assert_eq!(
        (
            num(q, "count"),
            q["flag"].as_str(),
            q["last_year"].as_str(),
            q["change_pct"].as_str()
        ),
        (9.0, "above", "", "")
    );
    let md = std::fs::read_to_string(t.path().join("m/measures.md")).unwrap();
    assert!(
        md.contains("Disclosure control") && md.contains("<5"),
        "{md}"
    );
}

#[test]
fn bad_flags_are_refused_before_reading() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "hubs.geojson", &[HUB.to_string()]);
    let s = crate::common::sample();
    let s = s.to_str().unwrap();
    let e = fails(
        t.path(),
        &[
            "monitor",
            s,
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--year-start",
            "13",
            "--out",
            "m",
        ],
    );
    assert!(
        e.contains("--year-start") && e.contains("04 = UK financial year"),
        "{e}"
    );
    let e = fails(
        t.path(),
        &[
            "monitor",
            s,
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--baseline",
            "2021-05..2021-01",
            "--out",
            "m",
        ],
    );
    assert!(e.contains("--baseline"), "{e}");
    let e = fails(
        t.path(),
        &[
            "monitor",
            s,
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--baseline",
            "2019-01..2019-12",
            "--out",
            "m",
        ],
    );
    assert!(
        e.contains("--baseline") && e.contains("outside the months of the data"),
        "{e}"
    );
    assert!(!t.path().join("m").exists());
}

#[test]
fn a_real_month_left_out_makes_its_quarter_incomplete() {
    if !real("a_real_month_left_out_makes_its_quarter_incomplete") {
        return;
    }
    // the real 20 months without 2021-02: 2021 Q1 holds January and March only
    let t = tempfile::tempdir().unwrap();
    let d21 = data().join("police-uk/northumbria-2021");
    let mut args: Vec<String> = vec![
        "monitor".into(),
        data()
            .join("police-uk/northumbria-2020")
            .to_string_lossy()
            .into_owned(),
    ];
    args.extend((1..=12).filter(|m| *m != 2).map(|m| {
        d21.join(format!("2021-{m:02}"))
            .to_string_lossy()
            .into_owned()
    }));
    let hubs = data().join("hubs/newcastle-libraries.geojson");
    args.extend(
        [
            "--areas",
            hubs.to_str().unwrap(),
            "--radius",
            "300",
            "--out",
            "m",
            "-q",
        ]
        .map(String::from),
    );
    ok(
        t.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let rows = measures(&t.path().join("m"));
    let q1: Vec<_> = rows
        .iter()
        .filter(|r| r["period"] == "2021 Q1" && r["measure"] != "repeat_locations")
        .collect();
    assert_eq!(q1.len(), 5 * 14);
    for r in &q1 {
        assert_eq!(
            (
                r["months"].as_str(),
                r["flag"].as_str(),
                r["change_pct"].as_str()
            ),
            ("2", "incomplete", ""),
            "{r:?}"
        );
    }
    // the baseline skips it: 2020 Q3, Q4, 2021 Q2, Q3 are the first four complete quarters
    let md = std::fs::read_to_string(t.path().join("m/measures.md")).unwrap();
    assert!(md.contains("missing: 2021-02"), "{md}");
    assert!(md.contains("2021 Q1 (2 of 3 months)"));
    assert!(
        md.contains("Baseline: 2020 Q3 to 2021 Q3, 2020-07..2021-09 (12 months with data)."),
        "{md}"
    );
}
