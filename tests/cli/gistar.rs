//! `harmspot gistar` end to end: the real binary on hand-made extracts in temp folders.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// Incidents in British National Grid metres: cell (c, r) of the 3×3 block of 100 m cells
/// at (400 000, 500 000) gets `counts[r*3 + c]` burglaries at its centre.
fn grid_extract(dir: &Path, counts: &[usize]) -> String {
    let mut lines = vec!["x,y,Crime type".to_string()];
    for (i, &k) in counts.iter().enumerate() {
        let (c, r) = (i % 3, i / 3);
        for _ in 0..k {
            lines.push(format!(
                "{},{},Burglary",
                400_050 + 100 * c,
                500_050 + 100 * r
            ));
        }
    }
    write(dir, "grid.csv", &lines);
    "grid.csv".into()
}

const GRID: [&str; 12] = [
    "--x-col",
    "x",
    "--y-col",
    "y",
    "--crs",
    "EPSG:27700",
    "--harm",
    "none",
    "--cell-size",
    "100",
    "--extent",
    "400000,500000,400299,500299",
];

fn args<'a>(input: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["gistar", input];
    a.extend_from_slice(&GRID);
    a.extend_from_slice(extra);
    a
}

fn csv_rows(p: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Counts 1..9 on a 3×3 grid: the z-scores checked by hand in tests/golden_gistar.rs.
#[test]
fn three_by_three_by_hand_with_exact_columns() {
    let d = tempfile::tempdir().unwrap();
    let input = grid_extract(d.path(), &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    ok(
        d.path(),
        &args(
            &input,
            &["--value", "n", "--out", "g.csv", "--out", "g.geojson"],
        ),
    );
    let (header, rows) = csv_rows(&d.path().join("g.csv"));
    assert_eq!(
        header,
        [
            "x",
            "y",
            "n",
            "harm",
            "gistar",
            "pvalue",
            "class",
            "neighbours"
        ]
    );
    assert_eq!(rows.len(), 9);
    assert_eq!(rows[0][..4], [400_050.0, 500_050.0, 1.0, 1.0]);
    assert!(
        (rows[0][4] - -1.959_591_794_226_542).abs() < 1e-9,
        "{}",
        rows[0][4]
    );
    assert!((rows[1][4] - -2.323_790_007_724_45).abs() < 1e-9);
    assert_eq!(rows[4][4], 0.0); // every cell is the centre's neighbour
    assert_eq!(rows[1][6], -2.0);
    assert_eq!(
        rows.iter().map(|r| r[7]).collect::<Vec<_>>(),
        [4.0, 6.0, 4.0, 6.0, 9.0, 6.0, 4.0, 6.0, 4.0]
    );

    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("g.geojson")).unwrap())
            .unwrap();
    let props = g["features"][0]["properties"].as_object().unwrap();
    let mut names: Vec<&str> = props.keys().map(|k| k.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        ["class", "gistar", "harm", "n", "neighbours", "pvalue"]
    );
    let p = &g["harmspot"]["gistar"];
    assert_eq!(p["value"], "n");
    assert_eq!(p["pvalue_sides"], "two-sided");
    assert_eq!(p["fdr"], false);
    assert_eq!(p["permutations"], 0);
    assert!((p["neighbour_distance_m"].as_f64().unwrap() - 141.421_356_237_309_5).abs() < 1e-9);
    assert!(p["study_area"].as_str().unwrap().contains("extent"), "{p}");
    assert_eq!(g["harmspot"]["analysis"], "gistar");
}

#[test]
fn all_equal_counts_say_no_variance_and_write_nothing() {
    let d = tempfile::tempdir().unwrap();
    let input = grid_extract(d.path(), &[2; 9]);
    let err = fails(d.path(), &args(&input, &["--out", "g.geojson"]));
    assert!(
        err.contains("no variance: every cell has the same value (2)"),
        "{err}"
    );
    assert!(!d.path().join("g.geojson").exists());
    assert!(temporaries(d.path()).is_empty());
}

#[test]
fn bad_flags_name_themselves() {
    let d = tempfile::tempdir().unwrap();
    let input = grid_extract(d.path(), &[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (extra, flag) in [
        (vec!["--neighbour-distance", "-5"], "--neighbour-distance"),
        (vec!["--neighbour-distance", "50"], "--neighbour-distance"),
        (vec!["--permutations", "1000000"], "--permutations"),
    ] {
        let mut e = extra.clone();
        e.extend(["--out", "g.geojson"]);
        let err = fails(d.path(), &args(&input, &e));
        assert!(err.contains(flag), "{extra:?}: {err}");
    }
    let err = fails(d.path(), &args(&input, &["--out", "g.shp"]));
    assert!(err.contains("--out"), "{err}");
    assert!(!d.path().join("g.geojson").exists());
}

#[test]
fn permutations_are_seeded_and_recorded() {
    let d = tempfile::tempdir().unwrap();
    // a 3×3 block is too small for a band to matter: use a wider band over a busier pattern
    let input = grid_extract(d.path(), &[0, 1, 0, 2, 9, 3, 0, 1, 0]);
    let run = |out: &str, seed: &str| {
        ok(
            d.path(),
            &args(
                &input,
                &[
                    "--value",
                    "n",
                    "--neighbour-distance",
                    "100",
                    "--permutations",
                    "99",
                    "--seed",
                    seed,
                    "--out",
                    out,
                ],
            ),
        );
        csv_rows(&d.path().join(out)).1
    };
    let a = run("a.csv", "7");
    let b = run("b.csv", "7");
    assert_eq!(a, b);
    for r in &a {
        let p = r[5];
        assert!(
            p > 0.0 && p <= 1.0 && (p * 100.0 - (p * 100.0).round()).abs() < 1e-9,
            "{p}"
        );
    }
    ok(
        d.path(),
        &args(
            &input,
            &["--permutations", "99", "--seed", "7", "--out", "c.geojson"],
        ),
    );
    let g: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("c.geojson")).unwrap())
            .unwrap();
    assert_eq!(g["harmspot"]["gistar"]["permutations"], 99);
    assert_eq!(g["harmspot"]["gistar"]["seed"], 7);
    assert!(g["harmspot"]["gistar"]["pvalue"]
        .as_str()
        .unwrap()
        .contains("permutations"));
}

#[test]
fn sample_month_with_fdr_finds_hot_spots() {
    let d = tempfile::tempdir().unwrap();
    let sample = sample();
    let s = sample.to_str().unwrap();
    let o = run(
        d.path(),
        &["gistar", s, "--cell-size", "500", "--fdr", "--out", "g.csv"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("neighbour distance set to 707.1 m automatically"),
        "{err}"
    );
    let (_, rows) = csv_rows(&d.path().join("g.csv"));
    let hot = rows.iter().filter(|r| r[6] >= 2.0).count();
    assert!(hot > 0, "no hot cells");
    // zero-count cells are part of the population
    assert!(rows.iter().any(|r| r[2] == 0.0 && r[4].is_finite()));
}
