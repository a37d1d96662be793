//! `harmspot info` on police.uk-format fixtures: exact per-type, per-month counts.

use crate::common::*;
use serde_json::Value;

fn month_folder(dir: &std::path::Path) {
    let a = "-1.6100";
    // 2021-01: 3 burglary, 2 ASB (no Crime ID), 1 ASB without coordinates, 1 violence
    write(
        dir,
        "download/2021-01/2021-01-test-street.csv",
        &[
            HEADER.to_string(),
            row("b1", "2021-01", a, "54.9701", "Burglary"),
            row("b2", "2021-01", a, "54.9702", "Burglary"),
            row("b3", "2021-01", "-1.6200", "54.9703", "Burglary"),
            row("", "2021-01", a, "54.9704", "Anti-social behaviour"),
            row("", "2021-01", a, "54.9704", "Anti-social behaviour"),
            row("", "2021-01", "", "", "Anti-social behaviour"),
            row(
                "v1",
                "2021-01",
                a,
                "54.9705",
                "Violence and sexual offences",
            ),
        ],
    );
    // 2021-02: 2 burglary, 4 ASB, 1 robbery without coordinates
    write(
        dir,
        "download/2021-02/2021-02-test-street.csv",
        &[
            HEADER.to_string(),
            row("b4", "2021-02", a, "54.9711", "Burglary"),
            row("b5", "2021-02", a, "54.9712", "Burglary"),
            row("", "2021-02", a, "54.9713", "Anti-social behaviour"),
            row("", "2021-02", a, "54.9714", "Anti-social behaviour"),
            row("", "2021-02", a, "54.9715", "Anti-social behaviour"),
            row("", "2021-02", a, "54.9716", "Anti-social behaviour"),
            row("r1", "2021-02", "", "", "Robbery"),
        ],
    );
    // 2021-03: with a BOM and CRLF line ends: 1 burglary, 1 drugs, 2 ASB
    let lines = [
        HEADER.to_string(),
        row("b6", "2021-03", a, "54.9721", "Burglary"),
        row("d1", "2021-03", a, "54.9722", "Drugs"),
        row("", "2021-03", a, "54.9723", "Anti-social behaviour"),
        row("", "2021-03", a, "54.9724", "Anti-social behaviour"),
    ];
    let p = dir.join("download/2021-03/2021-03-test-street.csv");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, format!("\u{feff}{}\r\n", lines.join("\r\n"))).unwrap();
    // not a street file: must be ignored when a folder is given
    write(
        dir,
        "download/2021-03/2021-03-test-outcomes.csv",
        &["x,y".to_string()],
    );
}

fn info_json(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut a = vec!["info", "--json"];
    a.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &a)).unwrap()
}

#[test]
fn folder_of_months_exact_counts() {
    let d = tempfile::tempdir().unwrap();
    month_folder(d.path());
    let v = info_json(d.path(), &["download"]);
    assert_eq!(v["read"]["rows"], 18);
    assert_eq!(v["read"]["kept"], 16);
    assert_eq!(v["read"]["files"].as_array().unwrap().len(), 3);
    let miss = &v["read"]["skipped"]["missing_coordinates"];
    assert_eq!(miss["count"], 2);
    let ex: Vec<&str> = miss["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(ex[0].ends_with("2021-01-test-street.csv:line 7"), "{ex:?}");
    assert!(ex[1].ends_with("2021-02-test-street.csv:line 8"), "{ex:?}");
    let c = &v["counts"];
    let expect = [
        ("Burglary", "2021-01", 3),
        ("Burglary", "2021-02", 2),
        ("Burglary", "2021-03", 1),
        ("Anti-social behaviour", "2021-01", 2),
        ("Anti-social behaviour", "2021-02", 4),
        ("Anti-social behaviour", "2021-03", 2),
        ("Violence and sexual offences", "2021-01", 1),
        ("Drugs", "2021-03", 1),
    ];
    for (t, m, n) in expect {
        assert_eq!(c[t][m], n, "{t} {m}");
    }
    assert!(c.get("Robbery").is_none()); // its only row had no coordinates
    assert_eq!(v["months"], serde_json::json!(["2021-01", "2021-03"]));
    // 2 ASB rows share a location in January
    assert!((v["shared_location_share"].as_f64().unwrap() - 2.0 / 16.0).abs() < 1e-12);
    let ll = v["extent_lonlat"].as_array().unwrap();
    assert!((ll[0].as_f64().unwrap() + 1.62).abs() < 1e-7, "{ll:?}");
    assert_eq!(v["working_crs"], "EPSG:27700");
}

#[test]
fn filters_types_and_months() {
    let d = tempfile::tempdir().unwrap();
    month_folder(d.path());
    let v = info_json(d.path(), &["download", "--types", "asb"]);
    assert_eq!(v["read"]["kept"], 8);
    let v = info_json(
        d.path(),
        &["download", "--types", "crime", "--from", "2021-02"],
    );
    assert_eq!(v["read"]["kept"], 4); // 2 + 1 burglary, 1 drugs
    assert_eq!(v["read"]["filtered"]["month"], 4);
    let v = info_json(d.path(), &["download", "--exclude-types", "Burglary,asb"]);
    assert_eq!(v["read"]["kept"], 2);
    let v = info_json(d.path(), &["download", "--types", "Burgalry"]);
    assert!(v["read"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("burgalry"));
}

#[test]
fn harm_weights_follow_the_table() {
    let d = tempfile::tempdir().unwrap();
    month_folder(d.path());
    let v = info_json(d.path(), &["download", "--harm", "none"]);
    assert_eq!(v["total_harm"], 16.0);
    write(
        d.path(),
        "harm.csv",
        &[
            "crime_type,weight,source,version".into(),
            "Burglary,10,test,1".into(),
            "*,1,test,1".into(),
        ],
    );
    let v = info_json(d.path(), &["download", "--harm", "harm.csv"]);
    assert_eq!(v["total_harm"], 6.0 * 10.0 + 10.0);
    // a strict table skips and counts what it does not name
    write(
        d.path(),
        "strict.csv",
        &[
            "crime_type,weight,source,version".into(),
            "Burglary,10,test,1".into(),
        ],
    );
    let v = info_json(d.path(), &["download", "--harm", "strict.csv"]);
    assert_eq!(v["read"]["kept"], 6);
    assert_eq!(v["read"]["skipped"]["unknown_type"]["count"], 10);
}

#[test]
fn human_table_and_stdin() {
    let d = tempfile::tempdir().unwrap();
    month_folder(d.path());
    let out = ok(d.path(), &["info", "download"]);
    assert!(out.contains("kept             16"), "{out}");
    assert!(out.contains("Anti-social behaviour"), "{out}");
    let f = d.path().join("download/2021-02/2021-02-test-street.csv");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(["info", "--json", "-"])
        .stdin(std::fs::File::open(f).unwrap())
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["read"]["kept"], 6);
}

#[test]
fn real_northumbria_month() {
    let d = tempfile::tempdir().unwrap();
    let v = info_json(d.path(), &[sample().to_str().unwrap()]);
    assert_eq!(v["read"]["rows"], 18_151);
    // hashed while read; the same as `sha256sum` gives
    assert_eq!(
        v["read"]["files"][0]["sha256"],
        "0a8cb06659d72a02d91f0b7d90c3f7d8d22477f49f78973f72d1a0a42218bc3a"
    );
    assert_eq!(v["read"]["files"][0]["bytes"], 3_782_721);
    assert_eq!(v["counts"]["Anti-social behaviour"]["2021-03"], 6_860);
    assert_eq!(
        v["counts"]["Violence and sexual offences"]["2021-03"],
        4_682
    );
    let kept = v["read"]["kept"].as_u64().unwrap();
    let skipped: u64 = v["read"]["skipped"]
        .as_object()
        .unwrap()
        .values()
        .map(|s| s["count"].as_u64().unwrap())
        .sum();
    assert_eq!(kept + skipped, 18_151);
    // counted independently (Python csv, exact lon/lat strings): 7,352 distinct locations,
    // 14,691 incidents at a location shared with another
    assert_eq!(v["distinct_locations"], 7_352);
    assert!((v["shared_location_share"].as_f64().unwrap() - 14_691.0 / 18_151.0).abs() < 1e-12);
}

#[test]
fn generic_csv_with_projected_columns() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "force.csv",
        &[
            "ref,easting,northing,date,offence,score".into(),
            "1,424560,564921,2022-05-03,Robbery,365".into(),
            "2,424600,564950,2022-06-30,Burglary,".into(),
            "3,424700,565000,2022-06-01,Burglary,20".into(),
        ],
    );
    let v = info_json(
        d.path(),
        &[
            "force.csv",
            "--x-col",
            "easting",
            "--y-col",
            "northing",
            "--crs",
            "EPSG:27700",
            "--month-col",
            "date",
            "--type-col",
            "offence",
            "--weight-col",
            "score",
            "--id-col",
            "ref",
        ],
    );
    assert_eq!(v["read"]["kept"], 2);
    assert_eq!(v["read"]["skipped"]["bad_weight"]["count"], 1);
    assert_eq!(v["total_harm"], 385.0);
    let w = v["extent_working"].as_array().unwrap();
    assert!((w[0].as_f64().unwrap() - 424_560.0).abs() < 1e-6, "{w:?}");
}

/// A binary copied to another folder still finds PROJ's database and reprojects.
#[test]
fn copied_binary_still_reprojects() {
    let d = tempfile::tempdir().unwrap();
    let bin = d.path().join("elsewhere").join("harmspot");
    std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_harmspot"), &bin).unwrap();
    write(
        d.path(),
        "a.csv",
        &[
            HEADER.to_string(),
            row("x", "2021-03", "-1.6178", "54.9783", "Robbery"),
        ],
    );
    let o = std::process::Command::new(&bin)
        .args(["info", "--json", "a.csv"])
        .current_dir(d.path())
        .env_remove("PROJ_DATA")
        .env_remove("PROJ_LIB")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = v["extent_working"].as_array().unwrap();
    // Newcastle: E 424 560.7, N 564 921.5 by PROJ's Helmert path
    assert!((w[0].as_f64().unwrap() - 424_560.7).abs() < 1.0, "{w:?}");
    assert!((w[1].as_f64().unwrap() - 564_921.5).abs() < 1.0, "{w:?}");
}

/// Issue 12: `info` names every month missing inside the range, and counts the months with
/// data (24 months of data over 2021-01 .. 2023-01 are not "25 months").
#[test]
fn info_names_missing_months() {
    let d = tempfile::tempdir().unwrap();
    let mut lines = vec![HEADER.to_string()];
    for m in [
        "2021-01", "2021-02", "2021-04", "2021-06", "2021-07", "2021-09",
    ] {
        lines.push(row("", m, "-1.61", "54.97", "Anti-social behaviour"));
    }
    write(d.path(), "x-street.csv", &lines);
    let out = ok(d.path(), &["info", "x-street.csv"]);
    assert!(
        out.contains(
            "months           2021-01 .. 2021-09 (9 months in the range, 6 with data; missing: 2021-03, 2021-05, 2021-08)"
        ),
        "{out}"
    );
    let j: Value =
        serde_json::from_str(&ok(d.path(), &["info", "x-street.csv", "--json"])).unwrap();
    assert_eq!(
        j["missing_months"],
        serde_json::json!(["2021-03", "2021-05", "2021-08"])
    );
    assert_eq!(j["months_with_data"], 6);
    // no gap: the plain line
    let lines: Vec<String> = lines.into_iter().take(3).collect();
    write(d.path(), "y-street.csv", &lines);
    let out = ok(d.path(), &["info", "y-street.csv"]);
    assert!(
        out.contains("months           2021-01 .. 2021-02 (2 months)\n"),
        "{out}"
    );
}
