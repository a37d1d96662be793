//! Disclosure control (issue 7) in `change`, `emerging` and `evaluate`: in a `--partner`
//! run, every published value's support (the incidents it was built from), recomputed here
//! from the input, is 0 or at least K = 5; suppressed values are null; no point geometry;
//! and a run without the flags carries no `disclosure` member.

use crate::common::*;
use crate::common::{has_point, load};
use harmspot::{read_incidents, Incidents, Month, Projector, ReadOptions};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::Path;

const CELL: f64 = 200.0;
const K: f64 = 5.0;

/// Supports must be 0 (nothing disclosed) or at least K.
fn safe(support: f64) -> bool {
    support == 0.0 || support >= K
}

/// A sparse six-month extract and its incidents in the working CRS (British National Grid).
struct Data {
    dir: tempfile::TempDir,
    inc: Incidents,
    months: Vec<Month>,
    /// Month of each incident as an index into `months`.
    t: Vec<usize>,
    projector: Projector,
}

fn data(seed: &str) -> Data {
    let dir = tempfile::tempdir().unwrap();
    ok(
        dir.path(),
        &[
            "generate", "--rows", "3000", "--months", "6", "--seed", seed, "--out", "g.csv",
        ],
    );
    let projector = Projector::new("EPSG:27700").unwrap();
    let (inc, _) = read_incidents(
        &[dir.path().join("g.csv")],
        &ReadOptions::default(),
        &projector,
    )
    .unwrap();
    let months: Vec<Month> = inc.month_range().unwrap().iter().collect();
    assert_eq!(months.len(), 6);
    let t = inc
        .month
        .iter()
        .map(|m| months.iter().position(|x| x == m).unwrap())
        .collect();
    Data {
        dir,
        inc,
        months,
        t,
        projector,
    }
}

impl Data {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `FROM..TO` of months `a..=b` (0-based).
    fn range(&self, a: usize, b: usize) -> String {
        format!("{}..{}", self.months[a], self.months[b])
    }

    /// Incidents per 200 m cell (snapped to multiples of the cell size) in months `a..=b`.
    fn per_cell(&self, a: usize, b: usize) -> HashMap<(i64, i64), f64> {
        let mut m = HashMap::new();
        for (p, &t) in self.inc.xy.iter().zip(&self.t) {
            if (a..=b).contains(&t) {
                *m.entry(key(*p)).or_insert(0.0) += 1.0;
            }
        }
        m
    }

    /// Incidents of months `a..=b` strictly within `r` of `c`.
    fn within(&self, c: [f64; 2], r: f64, a: usize, b: usize) -> f64 {
        self.inc
            .xy
            .iter()
            .zip(&self.t)
            .filter(|(p, t)| (p[0] - c[0]).hypot(p[1] - c[1]) < r && (a..=b).contains(*t))
            .count() as f64
    }

    /// The exact working-CRS centre of a cell feature, despite coordinates rounded to 4
    /// decimals.
    fn centre(&self, f: &Value) -> [f64; 2] {
        let ring = f["geometry"]["coordinates"][0].as_array().unwrap();
        let k = ring.len() - 1;
        let (mut x, mut y) = (0.0, 0.0);
        for c in &ring[..k] {
            x += c[0].as_f64().unwrap();
            y += c[1].as_f64().unwrap();
        }
        let c = self
            .projector
            .forward
            .point([x / k as f64, y / k as f64])
            .unwrap();
        let snap = |v: f64| ((v / CELL).floor() + 0.5) * CELL;
        [snap(c[0]), snap(c[1])]
    }
}

fn key(p: [f64; 2]) -> (i64, i64) {
    ((p[0] / CELL).floor() as i64, (p[1] / CELL).floor() as i64)
}

/// Sum of `counts` over the cells (restricted to `area` when given) whose centres lie
/// within `band` of the centre of cell `c`, itself included.
fn hood(
    counts: &HashMap<(i64, i64), f64>,
    c: (i64, i64),
    band: f64,
    area: Option<&HashSet<(i64, i64)>>,
) -> f64 {
    let r = (band / CELL).ceil() as i64;
    let mut s = 0.0;
    for di in -r..=r {
        for dj in -r..=r {
            let j = (c.0 + di, c.1 + dj);
            if ((di * di + dj * dj) as f64).sqrt() * CELL <= band + 1e-6
                && area.is_none_or(|a| a.contains(&j))
            {
                s += counts.get(&j).copied().unwrap_or(0.0);
            }
        }
    }
    s
}

fn min_positive(a: f64, b: f64) -> f64 {
    if a > 0.0 && b > 0.0 {
        a.min(b)
    } else {
        a.max(b)
    }
}

fn coarse(f: &Value) -> bool {
    let x = f["geometry"]["coordinates"][0][0][0].as_f64().unwrap();
    ((x * 1e4).round() - x * 1e4).abs() < 1e-6
}

fn features(v: &Value) -> &Vec<Value> {
    v["features"].as_array().unwrap()
}

#[test]
fn partner_change_publishes_nothing_from_fewer_than_k() {
    let d = data("21");
    let (before, after) = (d.range(0, 2), d.range(3, 5));
    let common = [
        "change",
        "g.csv",
        "--before",
        &before,
        "--after",
        &after,
        "--cell-size",
        "200",
        "--method",
        "log-ratio",
        "--bandwidth",
        "400",
        "-q",
    ];
    let mut args = common.to_vec();
    args.extend([
        "--partner",
        "--out",
        "c.geojson",
        "--out",
        "c.csv",
        "--summary",
        "s.json",
    ]);
    ok(d.path(), &args);
    let gj = load(&d.path().join("c.geojson"));
    let meta = &gj["harmspot"];
    assert_eq!(meta["disclosure"]["min_count"], 5);
    assert_eq!(meta["coordinate_decimals"], 4);
    let radius = meta["kde"]["bandwidth"].as_f64().unwrap(); // quartic: support = h
    assert_eq!(radius, 400.0);
    let (nb, na) = (d.per_cell(0, 2), d.per_cell(3, 5));
    let (mut published, mut nulls, mut kde_checked) = (0, 0, 0);
    for f in features(&gj) {
        let pr = &f["properties"];
        let c = d.centre(f);
        let k = key(c);
        let (b, a) = (
            nb.get(&k).copied().unwrap_or(0.0),
            na.get(&k).copied().unwrap_or(0.0),
        );
        // published counts are the true counts, and safe
        for (col, n) in [("n_before", b), ("n_after", a)] {
            match pr[col].as_f64() {
                Some(v) => {
                    assert_eq!(v, n, "{col}");
                    assert!(safe(n), "{col} = {n} published");
                }
                None => {
                    assert!(!safe(n), "{col} = {n} suppressed");
                    nulls += 1;
                }
            }
        }
        for (col, s) in [("harm_before", b), ("harm_after", a)] {
            assert!(pr[col].is_null() || safe(s), "{col} from {s}");
        }
        let both = min_positive(b, a);
        for col in [
            "change",
            "pct_change",
            "z",
            "change_harm",
            "pct_change_harm",
            "z_harm",
        ] {
            if pr[col].as_f64().is_some() {
                assert!(safe(both), "{col} published from {b} and {a}");
                published += 1;
            }
        }
        if pr["change"].is_null() && safe(both) {
            panic!("change suppressed from {b} and {a}");
        }
        let (kb, ka) = (d.within(c, radius, 0, 2), d.within(c, radius, 3, 5));
        if pr["kde_before"].as_f64().is_some() {
            assert!(safe(kb), "kde_before from {kb}");
        }
        if pr["kde_after"].as_f64().is_some() {
            assert!(safe(ka), "kde_after from {ka}");
        }
        if pr["kde_log_ratio"].as_f64().is_some() {
            assert!(safe(min_positive(kb, ka)), "kde_log_ratio from {kb}, {ka}");
            kde_checked += 1;
        }
        assert!(coarse(f));
    }
    assert!(published > 0 && nulls > 0 && kde_checked > 0);
    // CSV: the same suppression as empty fields
    let csv = std::fs::read_to_string(d.path().join("c.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let ci = header.iter().position(|h| *h == "n_before").unwrap();
    for l in lines {
        let v = l.split(',').nth(ci).unwrap();
        assert!(v.is_empty() || safe(v.parse().unwrap()), "{l}");
    }
    // totals: the study area holds many incidents, published
    let s = load(&d.path().join("s.json"));
    assert!(s["totals"]["n_before"].as_f64().unwrap() >= 5.0);
    assert!(s["parameters"]["disclosure"].is_object());
    assert!(!has_point(&gj) && !has_point(&s));

    // a plain run is unchanged: no disclosure member, nothing suppressed
    let mut args = common.to_vec();
    args.extend(["--out", "plain.geojson"]);
    ok(d.path(), &args);
    let plain = load(&d.path().join("plain.geojson"));
    assert!(plain["harmspot"].get("disclosure").is_none());
    assert!(plain["harmspot"].get("coordinate_decimals").is_none());
    assert!(features(&plain)
        .iter()
        .all(|f| f["properties"]["n_before"].is_number()));
}

#[test]
fn partner_emerging_publishes_nothing_from_fewer_than_k() {
    let d = data("22");
    let common = [
        "emerging",
        "g.csv",
        "--cell-size",
        "200",
        "--per-month",
        "-q",
    ];
    let mut args = common.to_vec();
    args.extend([
        "--partner",
        "--all-cells",
        "--out",
        "e.geojson",
        "--summary",
        "s.json",
    ]);
    ok(d.path(), &args);
    let gj = load(&d.path().join("e.geojson"));
    let meta = &gj["harmspot"];
    assert_eq!(meta["disclosure"]["min_count"], 5);
    let band = meta["neighbour_distance"].as_f64().unwrap();
    let k = meta["time_window"].as_u64().unwrap() as usize;
    assert_eq!(k, 1);
    // --all-cells writes every study-area cell: Gi* sees only those
    let area: HashSet<(i64, i64)> = features(&gj).iter().map(|f| key(d.centre(f))).collect();
    let all = d.per_cell(0, 5);
    let windows: Vec<_> = (1..6).map(|t| d.per_cell(t - 1, t)).collect();
    let (mut published, mut suppressed) = (0, 0);
    for f in features(&gj) {
        let pr = &f["properties"];
        let c = key(d.centre(f));
        let whole = hood(&all, c, band, Some(&area));
        for col in ["pattern", "hot_months", "cold_months"] {
            if pr[col].is_null() {
                assert!(!safe(whole), "{col} suppressed from {whole}");
                suppressed += 1;
            } else {
                assert!(safe(whole), "{col} published from {whole}");
                published += 1;
            }
        }
        for col in ["trend_z", "trend_pvalue", "trend_s"] {
            assert!(pr[col].is_null() || safe(whole), "{col} from {whole}");
        }
        // analysed months 1..=5, each with the previous month as its window
        for t in 1..6 {
            let window = hood(&windows[t - 1], c, band, Some(&area));
            let slug = d.months[t].to_string().replace('-', "_");
            for col in [format!("gistar_{slug}"), format!("bin_{slug}")] {
                assert_eq!(
                    pr[&col].is_null(),
                    !safe(window),
                    "{col} from {window} incidents"
                );
            }
            if t == 5 {
                assert_eq!(pr["gistar_last"].is_null(), !safe(window));
                assert_eq!(pr["pvalue_last"].is_null(), !safe(window));
            }
        }
        assert!(coarse(f));
    }
    assert!(published > 0 && suppressed > 0);
    let s = load(&d.path().join("s.json"));
    let per = s["cells_per_pattern"].as_object().unwrap();
    let total: u64 = per.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total as usize, area.len());
    assert_eq!(
        per["suppressed"].as_u64().unwrap() as usize,
        features(&gj)
            .iter()
            .filter(|f| f["properties"]["pattern"].is_null())
            .count()
    );
    assert!(!has_point(&gj) && !has_point(&s));

    let mut args = common.to_vec();
    args.extend(["--out", "plain.geojson", "--summary", "plain.json"]);
    ok(d.path(), &args);
    let plain = load(&d.path().join("plain.geojson"));
    assert!(plain["harmspot"].get("disclosure").is_none());
    assert!(features(&plain)
        .iter()
        .all(|f| f["properties"]["pattern"].is_number()));
    let per = load(&d.path().join("plain.json"));
    assert!(per["cells_per_pattern"].get("suppressed").is_none());
}

#[test]
fn partner_evaluate_publishes_nothing_from_fewer_than_k() {
    let d = data("23");
    let (train, test) = (d.range(0, 2), d.range(3, 5));
    let (n_tr, n_te) = (d.per_cell(0, 2), d.per_cell(3, 5));
    let common = [
        "evaluate",
        "g.csv",
        "--train",
        &train,
        "--test",
        &test,
        "--cell-size",
        "200",
        "--bandwidth",
        "400",
        "-q",
    ];
    // kde ranking (--top 5) and Gi* hot cells (--hot 1)
    for (tag, extra) in [("kde", &["--top", "5"][..]), ("hot", &["--hot", "1"][..])] {
        let (out, report, curve) = (
            format!("{tag}.geojson"),
            format!("{tag}.json"),
            format!("{tag}.csv"),
        );
        let mut args = common.to_vec();
        args.extend(extra);
        args.extend([
            "--partner",
            "--out",
            &out,
            "--report",
            &report,
            "--curve",
            &curve,
        ]);
        ok(d.path(), &args);
        let gj = load(&d.path().join(&out));
        let meta = &gj["harmspot"];
        assert_eq!(meta["disclosure"]["min_count"], 5, "{tag}");
        let band = meta["hotspots"]["neighbour_distance"].as_f64();
        let (mut scored, mut nulls) = (0, 0);
        for f in features(&gj) {
            let pr = &f["properties"];
            let c = d.centre(f);
            let k = key(c);
            for (col, counts) in [("n_train", &n_tr), ("n_test", &n_te)] {
                let n = counts.get(&k).copied().unwrap_or(0.0);
                match pr[col].as_f64() {
                    Some(v) => assert!(v == n && safe(n), "{col} {v} vs {n}"),
                    None => {
                        assert!(!safe(n));
                        nulls += 1;
                    }
                }
                let harm = col.replace("n_", "harm_");
                assert!(pr[&harm].is_null() || safe(n), "{harm} from {n}");
            }
            let support = match band {
                // Gi*: every study-area cell within the band (all cells written with
                // incidents; a cell outside the study area has no training incident here)
                Some(b) => hood(&n_tr, k, b, None),
                None => d.within(c, 400.0, 0, 2),
            };
            for col in ["score", "rank", "hotspot"] {
                if pr[col].is_number() {
                    assert!(safe(support), "{tag}: {col} published from {support}");
                    scored += 1;
                }
            }
            assert!(coarse(f));
        }
        assert!(scored > 0 && nulls > 0, "{tag}");
        // the report: aggregates over all hotspot cells, published
        let r = load(&d.path().join(&report));
        let s = &r["scores"];
        let hits = s["test_incidents_in_hotspots"].as_f64().unwrap();
        assert!(hits >= 5.0 && s["hit_rate"].is_number(), "{tag}: {s}");
        assert_eq!(&meta["scores"], s, "outputs carry the protected scores");
        // each step of the PAI curve adds 0 or at least K test incidents
        let big_n = s["test_incidents"].as_f64().unwrap();
        let mut last = 0.0;
        let points = r["curve"].as_array().unwrap();
        assert!(!points.is_empty());
        for p in points {
            let cn = (p["hit_rate"].as_f64().unwrap() * big_n).round();
            assert!(safe(cn - last), "{tag}: curve step of {}", cn - last);
            last = cn;
        }
        assert!(safe(big_n - last));
        let csv = std::fs::read_to_string(d.path().join(&curve)).unwrap();
        assert_eq!(csv.lines().count(), points.len() + 1);
        assert!(!has_point(&gj) && !has_point(&r));
    }

    let mut args = common.to_vec();
    args.extend(["--out", "plain.geojson", "--report", "plain.json"]);
    ok(d.path(), &args);
    let plain = load(&d.path().join("plain.geojson"));
    assert!(plain["harmspot"].get("disclosure").is_none());
    assert!(features(&plain)
        .iter()
        .all(|f| f["properties"]["n_test"].is_number()));
    let r = load(&d.path().join("plain.json"));
    let cells = r["scores"]["study_area_cells"].as_u64().unwrap() as usize;
    assert_eq!(r["curve"].as_array().unwrap().len(), cells.min(1000));
}
