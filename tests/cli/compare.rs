//! `harmspot compare` run as a binary: outputs, their fixed columns and properties, the
//! period rule in the outputs, and a clear message (and no output) for each bad input.

use crate::common::{fails, ok, run};
use serde_json::{json, Value};
use std::path::Path;

/// A 3 000-row extract over 2021-01..2022-12 and its truth file; returns the clusters.
pub(crate) fn setup(dir: &Path) -> Vec<Value> {
    ok(
        dir,
        &[
            "generate",
            "--rows",
            "3000",
            "--months",
            "24",
            "--start",
            "2021-01",
            "--seed",
            "5",
            "--out",
            "gen-street.csv",
            "--truth",
            "truth.json",
        ],
    );
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).unwrap()).unwrap();
    truth["clusters"].as_array().unwrap().clone()
}

fn collection(features: Vec<Value>) -> String {
    json!({"type": "FeatureCollection", "features": features}).to_string()
}

fn point(name: &str, lon: f64, lat: f64) -> Value {
    json!({"type": "Feature", "properties": {"name": name, "opened": "2022-01"},
           "geometry": {"type": "Point", "coordinates": [lon, lat]}})
}

fn polygon(props: Value, ring: Vec<[f64; 2]>) -> Value {
    json!({"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}})
}

/// A square of `half` degrees around (lon, lat).
fn square(lon: f64, lat: f64, half: f64) -> Vec<[f64; 2]> {
    vec![
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
        [lon - half, lat - half],
    ]
}

fn hubs(dir: &Path, clusters: &[Value]) {
    let f: Vec<Value> = clusters[..2]
        .iter()
        .enumerate()
        .map(|(k, c)| {
            point(
                &format!("Hub {k}"),
                c["lon"].as_f64().unwrap(),
                c["lat"].as_f64().unwrap(),
            )
        })
        .collect();
    std::fs::write(dir.join("hubs.geojson"), collection(f)).unwrap();
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn header(p: &Path) -> String {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

/// Nothing written: the output folder is missing or empty.
fn no_output(dir: &Path) {
    let out = dir.join("out");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "partial output left"
    );
}

const BASE: [&str; 9] = [
    "compare",
    "gen-street.csv",
    "--areas",
    "hubs.geojson",
    "--radius",
    "400",
    "--buffer",
    "300",
    "--quiet",
];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    BASE.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn writes_five_outputs_with_fixed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    hubs(d, &clusters);
    ok(
        d,
        &args(&[
            "--start",
            "2022-01",
            "--months",
            "12",
            "--include-start-month",
            "--out",
            "out",
        ]),
    );
    let out = d.join("out");
    assert_eq!(
        header(&out.join("report.csv")),
        "area,measure,unit,before,after,months_before,months_after,normalised,treatment_before,\
treatment_after,treatment_pct_change,buffer_before,buffer_after,buffer_pct_change,control_before,\
control_after,control_pct_change,gross_effect,sm,bdm,wdq,wdq_meaningful,wdq_interpretation,tne,\
wdd_local,wdd_displacement,wdd,wdd_variance,wdd_z,wdd_p,wdd_controls,wdd_warning,did,did_variance,did_z,did_p,res,\
res_ci_low,res_ci_high,res_z,res_p,res_zero_corrected,counterfactual_after,effect_pct,p_value,\
verdict,inference,pre_fit_rmspe"
    );
    // 3 areas (2 hubs + pooled) × (crime, asb, violence, weapons, harm + 13 crime types)
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 18);
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("Hub 0,crime,total,2021-01..2021-12,2022-01..2022-12,12,12,false,"));
    assert_eq!(
        header(&out.join("series.csv")),
        "area,place,month,period,crime,asb,harm"
    );
    // 3 areas × 3 places × 24 months
    assert_eq!(
        std::fs::read_to_string(out.join("series.csv"))
            .unwrap()
            .lines()
            .count(),
        1 + 3 * 3 * 24
    );

    let r = read_json(&out.join("report.json"));
    let p = &r["parameters"];
    assert_eq!(p["include_start_month"], true);
    assert_eq!(p["buffer_m"], 300.0);
    assert_eq!(p["radius_m"], 400.0);
    assert!(p["period_rule"]
        .as_str()
        .unwrap()
        .contains("start month 2022-01 counted in the after period"));
    assert_eq!(r["result"]["period_rule"], p["period_rule"]);
    assert_eq!(
        r["result"]["areas"][0]["periods"]["start_month"],
        "in after period"
    );
    assert!(r["result"]["areas"][0]["summary"]
        .as_str()
        .unwrap()
        .starts_with("Crime in Hub 0 "));
    assert_eq!(r["result"]["pooled"]["name"], "All areas");
    assert_eq!(r["read"]["rows"], 3000);

    let g = read_json(&out.join("areas.geojson"));
    let fs = g["features"].as_array().unwrap();
    let places: Vec<&str> = fs
        .iter()
        .map(|f| f["properties"]["place"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        ["treatment", "buffer", "treatment", "buffer", "control"]
    );
    let keys: Vec<&str> = fs[0]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "name",
        "place",
        "before",
        "after",
        "unit",
        "crime_before",
        "crime_after",
        "crime_pct_change",
        "crime_res",
        "crime_res_ci_low",
        "crime_res_ci_high",
        "crime_wdd",
        "crime_wdd_z",
        "asb_res",
        "harm_before",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert!(fs[1]["properties"]
        .as_object()
        .unwrap()
        .contains_key("crime_wdq"));
    assert_eq!(fs[0]["geometry"]["type"], "MultiPolygon");
    let c = &fs[0]["geometry"]["coordinates"][0][0][0];
    assert!(
        (c[0].as_f64().unwrap() + 1.6).abs() < 0.5 && (c[1].as_f64().unwrap() - 55.0).abs() < 0.3,
        "{c}"
    );
    assert_eq!(g["harmspot"]["parameters"]["buffer_m"], 300.0);

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    for s in [
        "## Hub 0",
        "## Hub 1",
        "## All areas together",
        "How to read",
        "| Crime |",
        "RES",
    ] {
        assert!(md.contains(s), "report.md lacks {s}");
    }
    assert!(crate::common::temporaries(&out).is_empty());
}

#[test]
fn start_month_is_excluded_by_default_and_months_chosen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    hubs(d, &clusters);
    let o = run(
        d,
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
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("start month 2022-01 excluded from both periods"),
        "{err}"
    );
    assert!(
        err.contains("number of months not given: using 11 months"),
        "{err}"
    );
    let r = read_json(&d.join("out/report.json"));
    assert_eq!(r["result"]["auto_months"], 11);
    assert_eq!(
        r["result"]["areas"][0]["periods"]["after"]["from"],
        "2022-02"
    );
    // no buffer: no displacement measures, said so
    assert!(
        r["result"]["areas"][0]["measures"][0]["wdq"]["interpretation"]
            .as_str()
            .unwrap()
            .contains("no buffer")
    );
}

#[test]
fn unequal_periods_are_normalised_and_said_so() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    hubs(d, &clusters);
    let o = run(
        d,
        &args(&[
            "--before",
            "2021-01..2021-12",
            "--after",
            "2022-01..2022-06",
            "--out",
            "out",
        ])
        .into_iter()
        .filter(|a| *a != "--quiet")
        .collect::<Vec<_>>(),
    );
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("normalised to incidents per month"));
    let csv = std::fs::read_to_string(d.join("out/report.csv")).unwrap();
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("Hub 0,crime,per month,2021-01..2021-12,2022-01..2022-06,12,6,true,"));
    let md = std::fs::read_to_string(d.join("out/report.md")).unwrap();
    assert!(md.contains("per month because the periods differ in length"));
}

#[test]
fn polygon_areas_start_field_and_control_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    let (lon, lat) = (
        clusters[0]["lon"].as_f64().unwrap(),
        clusters[0]["lat"].as_f64().unwrap(),
    );
    let areas = collection(vec![polygon(
        json!({"title": "Estate", "opened": "2022-03"}),
        square(lon, lat, 0.004),
    )]);
    std::fs::write(d.join("areas.geojson"), areas).unwrap();
    // control: a square 3 km away
    let control = collection(vec![polygon(json!({}), square(lon + 0.05, lat, 0.02))]);
    std::fs::write(d.join("control.geojson"), control).unwrap();
    ok(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "areas.geojson",
            "--name-field",
            "title",
            "--start-field",
            "opened",
            "--months",
            "6",
            "--buffer",
            "200",
            "--control",
            "control.geojson",
            "--count-method",
            "index",
            "--quiet",
            "--out",
            "out",
        ],
    );
    let r = read_json(&d.join("out/report.json"));
    assert_eq!(r["result"]["areas"][0]["name"], "Estate");
    assert_eq!(
        r["result"]["areas"][0]["periods"]["before"]["from"],
        "2021-09"
    );
    assert_eq!(r["result"]["method"], "index");
    assert!(r["result"]["control"]["definition"]
        .as_str()
        .unwrap()
        .contains("control area given"));
    assert_eq!(r["parameters"]["start_field"], "opened");
}

#[test]
fn self_intersecting_polygon_is_repaired_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    let (lon, lat) = (
        clusters[0]["lon"].as_f64().unwrap(),
        clusters[0]["lat"].as_f64().unwrap(),
    );
    let h = 0.004;
    let bowtie = vec![
        [lon - h, lat - h],
        [lon - h, lat + h],
        [lon + h, lat - h],
        [lon + h, lat + h],
        [lon - h, lat - h],
    ];
    std::fs::write(
        d.join("hubs.geojson"),
        collection(vec![polygon(json!({"name": "Bow"}), bowtie)]),
    )
    .unwrap();
    let o = run(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--start",
            "2022-01",
            "--months",
            "6",
            "--out",
            "out",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("area `Bow` (feature 1) was not a valid polygon"),
        "{err}"
    );
    let r = read_json(&d.join("out/report.json"));
    assert!(r["result"]["areas"][0]["repaired"].is_string());
}

#[test]
fn degenerate_polygon_is_rejected_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    // two distinct points: no area at all
    let flat = vec![
        [-1.60, 54.97],
        [-1.61, 54.98],
        [-1.60, 54.97],
        [-1.60, 54.97],
    ];
    std::fs::write(
        d.join("hubs.geojson"),
        collection(vec![polygon(json!({"name": "Flat"}), flat)]),
    )
    .unwrap();
    let e = fails(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--start",
            "2022-01",
            "--out",
            "out",
        ],
    );
    assert!(
        e.contains("hubs.geojson:1: field `geometry`")
            && e.contains("area `Flat` is not a valid polygon"),
        "{e}"
    );
    no_output(d);
}

#[test]
fn areas_in_the_wrong_crs_or_of_the_wrong_kind() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    setup(d);
    // British National Grid metres instead of lon/lat
    let bng = collection(vec![polygon(
        json!({"name": "BNG"}),
        vec![
            [424000.0, 564000.0],
            [425000.0, 564000.0],
            [425000.0, 565000.0],
            [424000.0, 564000.0],
        ],
    )]);
    std::fs::write(d.join("hubs.geojson"), bng).unwrap();
    let e = fails(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--start",
            "2022-01",
            "--out",
            "out",
        ],
    );
    assert!(
        e.contains("cannot be WGS84 longitude/latitude")
            && e.contains("--areas-crs")
            && e.contains("EPSG:4326"),
        "{e}"
    );
    no_output(d);
    let line = collection(vec![
        json!({"type": "Feature", "properties": {"name": "Road"},
        "geometry": {"type": "LineString", "coordinates": [[-1.6, 54.9], [-1.5, 54.9]]}}),
    ]);
    std::fs::write(d.join("hubs.geojson"), line).unwrap();
    let e = fails(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--start",
            "2022-01",
            "--out",
            "out",
        ],
    );
    assert!(
        e.contains("feature 1 is a LineString, expected a Polygon, MultiPolygon or Point"),
        "{e}"
    );
    no_output(d);
}

#[test]
fn clear_errors_for_bad_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let clusters = setup(d);
    hubs(d, &clusters);
    // a buffer that swallows the study area
    let big = [
        "compare",
        "gen-street.csv",
        "--areas",
        "hubs.geojson",
        "--radius",
        "400",
        "--buffer",
        "60000",
    ];
    let e = fails(
        d,
        &[&big[..], &["--start", "2022-01", "--out", "out"]].concat(),
    );
    assert!(
        e.contains("control area is empty")
            && e.contains("60000 m buffers")
            && e.contains("--control FILE"),
        "{e}"
    );
    no_output(d);
    // periods outside the data
    let e = fails(
        d,
        &args(&[
            "--before",
            "2019-01..2019-12",
            "--after",
            "2022-01..2022-12",
            "--out",
            "out",
        ]),
    );
    assert!(
        e.contains("--before: period 2019-01..2019-12 includes months with no data")
            && e.contains("the data hold 2021-01..2022-12"),
        "{e}"
    );
    let e = fails(
        d,
        &args(&["--start", "2022-06", "--months", "12", "--out", "out"]),
    );
    assert!(
        e.contains("--months:") && e.contains("2023-01..2023-06") && e.contains("2021-01..2022-12"),
        "{e}"
    );
    no_output(d);
    // a name field the features do not have
    let e = fails(
        d,
        &args(&[
            "--name-field",
            "title",
            "--start",
            "2022-01",
            "--out",
            "out",
        ]),
    );
    assert!(
        e.contains("hubs.geojson:1: field `title`")
            && e.contains("properties are: name, opened")
            && e.contains("--name-field"),
        "{e}"
    );
    // a start field the features do not have
    let e = fails(d, &args(&["--start-field", "launch", "--out", "out"]));
    assert!(
        e.contains("field `launch`") && e.contains("area `Hub 0` has no start month"),
        "{e}"
    );
    // points without a radius
    let e = fails(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--start",
            "2022-01",
            "--out",
            "out",
        ],
    );
    assert!(
        e.contains("--radius:") && e.contains("`Hub 0`") && e.contains("is a Point"),
        "{e}"
    );
    // a negative buffer
    let e = fails(
        d,
        &[
            "compare",
            "gen-street.csv",
            "--areas",
            "hubs.geojson",
            "--radius",
            "400",
            "--buffer",
            "-5",
            "--start",
            "2022-01",
            "--out",
            "out",
        ],
    );
    assert!(
        e.contains("--buffer: -5 must be a positive number of metres"),
        "{e}"
    );
    // no periods at all, or half of an explicit pair
    let e = fails(d, &args(&["--out", "out"]));
    assert!(
        e.contains("--start-field") && e.contains("--start") && e.contains("--before"),
        "{e}"
    );
    let e = fails(d, &args(&["--before", "2021-01..2021-12", "--out", "out"]));
    assert!(e.contains("--after"), "{e}");
    let e = fails(d, &args(&["--start", "2022-13", "--out", "out"]));
    assert!(
        e.contains("--start: `2022-13` is not a month YYYY-MM"),
        "{e}"
    );
    no_output(d);
}
