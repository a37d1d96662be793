//! Publishing `harmspot evaluate`'s products (METHODS §7) as partners receive them: the
//! scores and the test period's concentration with every value built from 1 to K − 1
//! incidents withheld (supports from [`ScoreSupports`]), the PAI curve thinned so that no
//! difference of two points is that small; the `--report` JSON and the `--curve` CSV. The
//! layer's metadata publishes the same scores ([`scores`]).

use crate::error::Result;
use crate::model::layer::Layer;
use crate::model::params::evaluate::{CurvePoint, ScoreSupports, Scores};
use crate::publish::disclosure::{min_positive, protect_members, Disclosure};
use crate::publish::write::{number::push_csv_float, write_atomic, write_json};
use crate::stats::concentration::Concentration;
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// Writes the `--report` JSON: the (protected) `scores`, the PAI `curve`, the
/// `concentration` and the parameters of `layer`.
pub fn write_report(
    path: &Path,
    scores: &Value,
    curve: &[CurvePoint],
    concentration: &Value,
    layer: &Layer,
) -> Result<()> {
    write_json(
        path,
        &json!({
            "scores": scores,
            "curve": curve,
            "concentration": concentration,
            "parameters": crate::publish::metadata(layer),
        }),
    )
}

/// Writes the PAI curve as CSV: `cells,area_share,hit_rate,pai,harm_hit_rate`, one line a
/// point.
pub fn write_curve(path: &Path, curve: &[CurvePoint]) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(b"cells,area_share,hit_rate,pai,harm_hit_rate\n")?;
        let mut line = String::new();
        for c in curve {
            line.clear();
            line.push_str(&c.cells.to_string());
            for v in [c.area_share, c.hit_rate, c.pai, c.harm_hit_rate] {
                line.push(',');
                push_csv_float(&mut line, v);
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    })
}

/// The accuracy scores of an evaluation, protected; with the number of values withheld or
/// rounded.
pub fn scores(s: &Scores, sup: &ScoreSupports, rules: &Disclosure) -> (Value, usize) {
    let mut scores = serde_json::to_value(s).expect("serialisable");
    let (big_n, n) = (s.test_incidents, s.test_incidents_in_hotspots);
    let (big_n1, n1) = (s.train_incidents, s.train_incidents_in_hotspots);
    let hits = min_positive(n, big_n);
    let rri = min_positive(min_positive(n, n1), min_positive(big_n, big_n1));
    let mut changed = 0;
    if let Value::Object(m) = &mut scores {
        changed = protect_members(
            m,
            rules,
            &[
                ("test_incidents", big_n, true),
                ("test_incidents_in_hotspots", n, true),
                ("train_incidents", big_n1, true),
                ("train_incidents_in_hotspots", n1, true),
                ("hit_rate", hits, false),
                ("pai", hits, false),
                ("pai_max", min_positive(sup.best_test, big_n), false),
                ("pei", min_positive(n, sup.best_test), false),
                ("rri", rri, false),
                ("harm_hit_rate", hits, false),
                ("harm_pai", hits, false),
                ("harm_pei", min_positive(n, sup.best_test_by_harm), false),
                ("harm_rri", rri, false),
            ],
        );
    }
    (scores, changed)
}

/// The concentration of the test period (`incidents`, `harm`), withheld whole when the test
/// period holds 1 to K − 1 incidents; with the number of values withheld.
pub fn concentration(
    incidents: &Concentration,
    harm: Option<&Concentration>,
    test_incidents: f64,
    rules: &Disclosure,
) -> (Value, usize) {
    let mut c = json!({"incidents": incidents, "harm": harm});
    let mut changed = 0;
    if rules.small(test_incidents) {
        if let Value::Object(m) = &mut c {
            for v in m.values_mut().filter(|v| !v.is_null()) {
                *v = Value::Null;
                changed += 1;
            }
        }
    }
    (c, changed)
}

/// The PAI curve points to publish: walking down the ranking, a point is kept when 0 or at
/// least K test incidents were added since the last kept point, so that no difference of
/// two published points (nor of the last one and the total) is built from 1 to K-1
/// incidents. `cumulative[c]` is the test incidents in the top `c` cells. Nothing when the
/// total itself is small; the whole curve when the rules are off.
pub fn pai_curve(curve: &[CurvePoint], cumulative: &[f64], rules: &Disclosure) -> Vec<CurvePoint> {
    if !rules.active() {
        return curve.to_vec();
    }
    let total = cumulative.last().copied().unwrap_or(0.0);
    if rules.small(total) {
        return Vec::new();
    }
    let mut kept: Vec<(CurvePoint, f64)> = Vec::new();
    for c in curve {
        let at = cumulative[c.cells.min(cumulative.len() - 1)];
        let last = kept.last().map_or(0.0, |k| k.1);
        if !rules.small(at - last) {
            kept.push((c.clone(), at));
        }
    }
    // the tail after the last kept point must not be small either: merge it backwards
    while kept.last().is_some_and(|k| rules.small(total - k.1)) {
        kept.pop();
    }
    kept.into_iter().map(|(c, _)| c).collect()
}
