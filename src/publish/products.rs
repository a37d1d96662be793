//! The aggregate products of `change` and `evaluate` as partners receive them: study-area
//! totals, accuracy scores, concentration and the PAI curve, with every value built from 1
//! to K − 1 incidents withheld (a count is rounded instead when the rules round). The
//! supports come typed from the analyses ([`ChangeSummary`], [`ScoreSupports`]); the same
//! functions serve the summary files and the layers' metadata, so both publish the same.

use crate::model::params::change::ChangeSummary;
use crate::model::params::evaluate::{CurvePoint, ScoreSupports, Scores};
use crate::publish::disclosure::{min_positive, protect_members, Disclosure};
use crate::stats::concentration::Concentration;
use serde_json::{json, Value};

/// The study-area totals of a change, protected; with the number of values withheld or
/// rounded.
pub fn change_totals(s: &ChangeSummary, rules: &Disclosure) -> (Value, usize) {
    let mut totals = serde_json::to_value(s).expect("serialisable");
    let mut changed = 0;
    if let Value::Object(m) = &mut totals {
        let both = min_positive(s.n_before, s.n_after);
        changed = protect_members(
            m,
            rules,
            &[
                ("n_before", s.n_before, true),
                ("n_after", s.n_after, true),
                ("harm_before", s.n_before, false),
                ("harm_after", s.n_after, false),
                ("change", both, false),
                ("pct_change", both, false),
                ("z", both, false),
                ("outside_study_area", s.outside_study_area, true),
            ],
        );
    }
    (totals, changed)
}

/// The accuracy scores of an evaluation, protected; with the number of values withheld or
/// rounded.
pub fn evaluate_scores(s: &Scores, sup: &ScoreSupports, rules: &Disclosure) -> (Value, usize) {
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
pub fn evaluate_concentration(
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
