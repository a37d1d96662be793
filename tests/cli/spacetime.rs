//! The real binary on `change`, `evaluate`, `emerging` and `knox`: outputs, column names,
//! recorded parameters, errors and determinism.

use crate::common::{fails, ok, row, run, temporaries, write, HEADER};
use serde_json::Value;
use std::path::Path;

/// A seeded synthetic extract: 4000 rows over 12 months (2021-01..2021-12).
fn generated(dir: &Path) -> &'static str {
    ok(
        dir,
        &[
            "generate", "--rows", "4000", "--months", "12", "--seed", "5", "--out", "gen.csv",
        ],
    );
    "gen.csv"
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
}

/// Property names, sorted (serde_json's map sorts them; the CSV header tests check order).
fn keys(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

fn csv_header(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn change_writes_columns_totals_and_exact_cell_values() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    // one place: 3 incidents in January, 1 in February; another: 0 then 2
    let mut lines = vec![HEADER.to_string()];
    for k in 0..3 {
        lines.push(row(
            &format!("a{k}"),
            "2021-01",
            "-1.6100",
            "54.9700",
            "Burglary",
        ));
    }
    lines.push(row("b0", "2021-02", "-1.6100", "54.9700", "Burglary"));
    for k in 0..2 {
        lines.push(row(
            &format!("c{k}"),
            "2021-02",
            "-1.5900",
            "54.9800",
            "Burglary",
        ));
    }
    write(dir, "small.csv", &lines);
    ok(
        dir,
        &[
            "change",
            "small.csv",
            "--before",
            "2021-01",
            "--after",
            "2021-02",
            "--cell-size",
            "200",
            "--harm",
            "none",
            "--out",
            "c.csv",
            "--out",
            "c.geojson",
            "--summary",
            "s.json",
        ],
    );
    assert_eq!(
        csv_header(dir, "c.csv"),
        "x,y,n_before,n_after,change,pct_change,z,harm_before,harm_after,change_harm,pct_change_harm,z_harm"
    );
    let text = std::fs::read_to_string(dir.join("c.csv")).unwrap();
    // the first place: change −2, −66.67%, z = (1 − 3)/√4 = −1
    let a: Vec<&str> = text
        .lines()
        .find(|l| l.split(',').nth(2) == Some("3"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(a[3], "1");
    assert_eq!(a[4], "-2");
    assert!((a[5].parse::<f64>().unwrap() + 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(a[6], "-1");
    // the second place: nothing before → percent change empty (null), z = 2/√2
    let b: Vec<&str> = text
        .lines()
        .find(|l| l.split(',').nth(2) == Some("0") && l.split(',').nth(3) == Some("2"))
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(b[5], "");
    assert!((b[6].parse::<f64>().unwrap() - 2f64.sqrt()).abs() < 1e-12);
    // empty cells: z empty, never NaN/inf
    assert!(!text.contains("NaN") && !text.contains("inf"));
    let g = json(dir, "c.geojson");
    assert_eq!(g["harmspot"]["analysis"], "change");
    assert_eq!(g["harmspot"]["before"], "2021-01..2021-01");
    assert!(g["harmspot"]["working_crs"].is_string());
    let s = json(dir, "s.json");
    assert_eq!(s["totals"]["n_before"], 3.0);
    assert_eq!(s["totals"]["n_after"], 3.0);
    assert_eq!(s["totals"]["pct_change"], 0.0);
}

#[test]
fn change_with_dual_kde_and_errors() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let input = generated(dir);
    ok(
        dir,
        &[
            "change",
            input,
            "--before",
            "2021-01..2021-06",
            "--after",
            "2021-07..2021-12",
            "--cell-size",
            "250",
            "--method",
            "log-ratio",
            "--bandwidth",
            "500",
            "--out",
            "k.geojson",
        ],
    );
    let g = json(dir, "k.geojson");
    let props = keys(&g["features"][0]["properties"]);
    assert_eq!(
        props,
        sorted(&[
            "n_before",
            "n_after",
            "change",
            "pct_change",
            "z",
            "harm_before",
            "harm_after",
            "change_harm",
            "pct_change_harm",
            "z_harm",
            "kde_before",
            "kde_after",
            "kde_log_ratio"
        ])
    );
    assert_eq!(g["harmspot"]["kde"]["method"], "log-ratio");
    assert_eq!(g["harmspot"]["kde"]["bandwidth"], 500.0);
    assert!(g["harmspot"]["kde"]["floor"].as_f64().unwrap() > 0.0);
    for f in g["features"].as_array().unwrap() {
        assert!(f["properties"]["kde_log_ratio"]
            .as_f64()
            .unwrap()
            .is_finite());
    }
    // overlapping periods: exit 2, the flag named, nothing written
    let e = fails(
        dir,
        &[
            "change",
            input,
            "--before",
            "2021-01..2021-06",
            "--after",
            "2021-06..2021-12",
            "--out",
            "bad.geojson",
        ],
    );
    assert!(e.contains("--after"), "{e}");
    let e = fails(
        dir,
        &[
            "change",
            input,
            "--before",
            "2021-13",
            "--after",
            "2021-07",
            "--out",
            "bad.geojson",
        ],
    );
    assert!(e.contains("--before: `2021-13`"), "{e}");
    let e = fails(
        dir,
        &[
            "change",
            input,
            "--before",
            "2019-01",
            "--after",
            "2019-02",
            "--out",
            "bad.geojson",
        ],
    );
    assert!(
        e.contains("no incidents in 2019-01..2019-01 or 2019-02..2019-02"),
        "{e}"
    );
    assert!(!dir.join("bad.geojson").exists());
    assert!(temporaries(dir).is_empty());
}

#[test]
fn evaluate_report_curve_and_cells() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let input = generated(dir);
    ok(
        dir,
        &[
            "evaluate",
            input,
            "--train",
            "2021-01..2021-06",
            "--test",
            "2021-07..2021-12",
            "--cell-size",
            "250",
            "--top",
            "5",
            "--rank-by",
            "n",
            "--report",
            "r.json",
            "--curve",
            "curve.csv",
            "--out",
            "cells.csv",
        ],
    );
    let r = json(dir, "r.json");
    assert_eq!(keys(&r), ["concentration", "curve", "parameters", "scores"]);
    let s = &r["scores"];
    let hit = s["hit_rate"].as_f64().unwrap();
    let share = s["area_share"].as_f64().unwrap();
    assert!(hit > 0.0 && hit <= 1.0);
    assert!((s["pai"].as_f64().unwrap() - hit / share).abs() < 1e-9);
    let pei = s["pei"].as_f64().unwrap();
    assert!(pei > 0.0 && pei <= 1.0);
    assert!(s["rri"].as_f64().unwrap() > 0.0);
    assert!(r["concentration"]["incidents"]["gini"].as_f64().unwrap() > 0.5);
    assert_eq!(r["parameters"]["hotspots"]["surface"], "n");
    assert!(r["parameters"]["definitions"]["rri"]
        .as_str()
        .unwrap()
        .contains("Levine"));
    assert_eq!(
        csv_header(dir, "curve.csv"),
        "cells,area_share,hit_rate,pai,harm_hit_rate"
    );
    assert_eq!(
        csv_header(dir, "cells.csv"),
        "x,y,score,rank,hotspot,n_train,harm_train,n_test,harm_test"
    );
    // Gi* hot cells instead
    ok(
        dir,
        &[
            "evaluate",
            input,
            "--train",
            "2021-01..2021-06",
            "--test",
            "2021-07..2021-12",
            "--cell-size",
            "250",
            "--hot",
            "2",
            "--value",
            "n",
            "--report",
            "h.json",
        ],
    );
    assert_eq!(
        json(dir, "h.json")["parameters"]["hotspots"]["select"],
        "hot"
    );
    let e = fails(
        dir,
        &[
            "evaluate",
            input,
            "--train",
            "2021-01..2021-06",
            "--test",
            "2021-06..2021-12",
            "--report",
            "x.json",
        ],
    );
    assert!(e.contains("--test"), "{e}");
    let e = fails(
        dir,
        &["evaluate", input, "--train", "2021-01", "--test", "2021-02"],
    );
    assert!(e.contains("nothing to write"), "{e}");
    let e = fails(
        dir,
        &[
            "evaluate", input, "--train", "2021-01", "--test", "2021-02", "--report", "x.txt",
        ],
    );
    assert!(e.contains("--report"), "{e}");
}

#[test]
fn emerging_patterns_legend_and_summary() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let input = generated(dir);
    ok(
        dir,
        &[
            "emerging",
            input,
            "--cell-size",
            "500",
            "--value",
            "n",
            "--out",
            "e.geojson",
            "--summary",
            "e.json",
            "--per-month",
        ],
    );
    let g = json(dir, "e.geojson");
    let props = keys(&g["features"][0]["properties"]);
    let mut want: Vec<String> = [
        "pattern",
        "trend_z",
        "trend_pvalue",
        "trend_s",
        "hot_months",
        "cold_months",
        "gistar_last",
        "pvalue_last",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for kind in ["gistar", "bin"] {
        for m in 2..=12 {
            want.push(format!("{kind}_2021_{m:02}"));
        }
    }
    want.sort();
    assert_eq!(props, want);
    let h = &g["harmspot"];
    assert_eq!(h["pattern_legend"]["3"], "Intensifying Hot Spot");
    assert_eq!(h["pattern_legend"]["-8"], "Historical Cold Spot");
    assert_eq!(h["time_window"], 1);
    assert_eq!(h["months"].as_array().unwrap().len(), 11);
    assert!(h["significance"]
        .as_str()
        .unwrap()
        .contains("below alpha = 0.1"));
    let codes: Vec<i64> = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["pattern"].as_f64().unwrap() as i64)
        .collect();
    assert!(codes.iter().all(|c| (-8..=8).contains(c)));
    assert!(
        codes.iter().any(|&c| c > 0),
        "some hot pattern in clustered data"
    );
    let s = json(dir, "e.json");
    let total: u64 = s["cells_per_pattern"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, h["grid"]["study_area_cells"].as_u64().unwrap());
    // --fdr is recorded; too long a time window is a clear error
    ok(
        dir,
        &[
            "emerging",
            input,
            "--cell-size",
            "500",
            "--fdr",
            "--out",
            "f.csv",
        ],
    );
    let e = fails(
        dir,
        &[
            "emerging",
            input,
            "--cell-size",
            "500",
            "--time-window",
            "10",
            "--out",
            "x.geojson",
        ],
    );
    assert!(e.contains("at least 13 months"), "{e}");
    let e = fails(
        dir,
        &["emerging", input, "--alpha", "1.5", "--out", "x.geojson"],
    );
    assert!(e.contains("--alpha"), "{e}");
}

#[test]
fn knox_outputs_note_and_is_deterministic_across_threads() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let input = generated(dir);
    let args = [
        "knox",
        input,
        "--distance-bands",
        "100,400",
        "--month-bands",
        "0,2",
        "--permutations",
        "99",
        "--seed",
        "7",
    ];
    let mut a1: Vec<&str> = args.to_vec();
    a1.extend(["--out", "k1.json", "--out", "k.csv"]);
    let o1 = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(&a1)
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(
        o1.status.success(),
        "{}",
        String::from_utf8_lossy(&o1.stderr)
    );
    let mut a2: Vec<&str> = args.to_vec();
    a2.extend(["--out", "k2.json"]);
    let o2 = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(&a2)
        .current_dir(dir)
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .unwrap();
    assert!(o2.status.success());
    let (k1, k2) = (json(dir, "k1.json"), json(dir, "k2.json"));
    assert_eq!(k1["cells"], k2["cells"]);
    assert_eq!(k1["cells"].as_array().unwrap().len(), 3 * 3);
    assert!(k1["time_resolution"]
        .as_str()
        .unwrap()
        .contains("police.uk"));
    assert_eq!(k1["parameters"]["analysis"], "knox");
    assert_eq!(k1["seed"], 7);
    assert_eq!(
        csv_header(dir, "k.csv"),
        "distance_from,distance_to,months_from,months_to,observed,expected,ratio,pvalue"
    );
    // without --out the table goes to standard output, with the time-resolution note
    let out = ok(dir, &args);
    assert!(out.starts_with("Knox ratio"), "{out}");
    assert!(out.contains("police.uk records the month"), "{out}");
    let e = fails(dir, &["knox", input, "--distance-bands", "400,100"]);
    assert!(e.contains("--distance-bands"), "{e}");
    let e = fails(dir, &["knox", input, "--out", "k.txt"]);
    assert!(e.contains("--out"), "{e}");
    let o = run(dir, &["knox", input, "--month-bands", "a,b"]);
    assert_eq!(o.status.code(), Some(2));
}
