//! Publishing `harmspot change`'s study-area totals (METHODS §4): disclosure control of the
//! totals (a count and the values built from it are small when 1 to K-1 incidents lie
//! behind them) and the `--summary` JSON of totals and parameters.

use crate::error::Result;
use crate::model::layer::Layer;
use crate::model::params::change::ChangeSummary;
use crate::publish::disclosure::{min_positive, protect_members, Disclosure};
use serde_json::Value;
use std::path::Path;

/// Applies the disclosure `rules` to the JSON `totals` of `s`: each period's count and harm
/// by that period's count, the change, its percentage and z by the smaller non-zero count.
/// Returns the number of totals suppressed or rounded.
pub fn protect_totals(totals: &mut Value, s: &ChangeSummary, rules: &Disclosure) -> usize {
    let Value::Object(m) = totals else { return 0 };
    let both = min_positive(s.n_before, s.n_after);
    protect_members(
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
    )
}

/// Writes the `--summary` JSON: the (protected) `totals` and the parameters of `layer`.
pub fn write_summary(path: &Path, totals: &Value, layer: &Layer) -> Result<()> {
    crate::publish::write::write_json(
        path,
        &serde_json::json!({"totals": totals, "parameters": crate::publish::metadata(layer)}),
    )
}
