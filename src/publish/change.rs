//! Publishing `harmspot change`'s study-area totals (METHODS §4) as partners receive them:
//! each period's count and harm withheld by that period's count, the change, its percentage
//! and z by the smaller non-zero count (a count is rounded instead when the rules round);
//! and the `--summary` JSON of totals and parameters. The layer's metadata publishes the
//! same totals ([`totals`]).

use crate::error::Result;
use crate::model::layer::Layer;
use crate::model::params::change::ChangeSummary;
use crate::publish::disclosure::{min_positive, protect_members, Disclosure};
use serde_json::Value;
use std::path::Path;

/// The study-area totals of a change, protected; with the number of values withheld or
/// rounded.
pub fn totals(s: &ChangeSummary, rules: &Disclosure) -> (Value, usize) {
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

/// Writes the `--summary` JSON: the (protected) `totals` and the parameters of `layer`.
pub fn write_summary(path: &Path, totals: &Value, layer: &Layer) -> Result<()> {
    crate::publish::write::write_json(
        path,
        &serde_json::json!({"totals": totals, "parameters": crate::publish::metadata(layer)}),
    )
}
