//! `report.csv` (one row per area × measure, the statistics of METHODS §6) and
//! `series.csv` (monthly crime, ASB and harm per area and place) of a comparison. Their
//! column names ([`CSV_COLUMNS`], [`SERIES_COLUMNS`]) are part of the public interface.
//! Values withheld by disclosure control ([`super::shield`]) are empty fields.

use super::shield::{series_places, shield_row, shield_series, Tally};
use crate::compare::stats::Change;
use crate::compare::{AreaResult, CompareResult, MeasureKind};
use crate::publish::disclosure::Disclosure;
use crate::publish::write::escape::csv_cell;
use crate::publish::write::number::csv_float;
use std::io::Write;

/// Columns of `report.csv`, in order.
pub const CSV_COLUMNS: [&str; 48] = [
    "area",
    "measure",
    "unit",
    "before",
    "after",
    "months_before",
    "months_after",
    "normalised",
    "treatment_before",
    "treatment_after",
    "treatment_pct_change",
    "buffer_before",
    "buffer_after",
    "buffer_pct_change",
    "control_before",
    "control_after",
    "control_pct_change",
    "gross_effect",
    "sm",
    "bdm",
    "wdq",
    "wdq_meaningful",
    "wdq_interpretation",
    "tne",
    "wdd_local",
    "wdd_displacement",
    "wdd",
    "wdd_variance",
    "wdd_z",
    "wdd_p",
    "wdd_controls",
    "wdd_warning",
    "did",
    "did_variance",
    "did_z",
    "did_p",
    "res",
    "res_ci_low",
    "res_ci_high",
    "res_z",
    "res_p",
    "res_zero_corrected",
    "counterfactual_after",
    "effect_pct",
    "p_value",
    "verdict",
    "inference",
    "pre_fit_rmspe",
];

/// Columns of `series.csv`, in order.
pub const SERIES_COLUMNS: [&str; 7] = ["area", "place", "month", "period", "crime", "asb", "harm"];

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, csv_float)
}

/// A number, or an empty field when suppressed (NaN).
fn fnum(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        csv_float(v)
    }
}

fn period_text(a: &AreaResult) -> (String, String, String, String) {
    match &a.periods {
        Some(p) => (
            p.before.to_string(),
            p.after.to_string(),
            p.months_before.to_string(),
            p.months_after.to_string(),
        ),
        None => (
            "per area".into(),
            "per area".into(),
            String::new(),
            String::new(),
        ),
    }
}

/// Writes `report.csv`: one row per area × measure (and the pooled `All areas` rows), the
/// columns of [`CSV_COLUMNS`]; empty fields where a statistic is not defined or is
/// withheld by `rules`.
pub fn write_csv<W: Write>(w: W, r: &CompareResult, rules: &Disclosure) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(CSV_COLUMNS)?;
    for (k, a) in r.rows().enumerate() {
        let (before, after, mb, ma) = period_text(a);
        let k = (k < r.areas.len()).then_some(k);
        for x in shield_row(a, r, rules) {
            let e = &x.e;
            let change = |c: Option<&Change>| -> [String; 3] {
                match c {
                    Some(c) => [fnum(c.before), fnum(c.after), opt(c.pct_change)],
                    None => Default::default(),
                }
            };
            let flag = |b: bool, withheld: bool| {
                if withheld {
                    String::new()
                } else {
                    b.to_string()
                }
            };
            let mut rec: Vec<String> = vec![
                a.name.clone(),
                x.measure.to_string(),
                e.unit.to_string(),
                before.clone(),
                after.clone(),
                mb.clone(),
                ma.clone(),
                e.normalised.to_string(),
            ];
            rec.extend(change(Some(&e.treatment)));
            rec.extend(change(e.buffer.as_ref()));
            rec.extend(change(Some(&e.control)));
            rec.extend([
                fnum(e.gross_effect),
                opt(e.wdq.sm),
                opt(e.wdq.bdm),
                opt(e.wdq.wdq),
                flag(e.wdq.meaningful, x.small.any()),
                e.wdq.interpretation.clone(),
                opt(e.tne),
                fnum(e.wdd.local),
                opt(e.wdd.displacement),
                fnum(e.wdd.wdd),
                fnum(e.wdd.variance),
                opt(e.wdd.z),
                opt(e.wdd.p),
                e.wdd.controls.to_string(),
                e.wdd.warning.clone().unwrap_or_default(),
                fnum(e.did.estimate),
                fnum(e.did.variance),
                opt(e.did.z),
                opt(e.did.p),
                opt(e.res.res),
                opt(e.res.ci_low),
                opt(e.res.ci_high),
                opt(e.res.z),
                opt(e.res.p),
                flag(e.res.zero_corrected, x.small.ac()),
            ]);
            rec.extend(verdict_fields(r, k, &x.measure, x.small.a));
            debug_assert_eq!(rec.len(), CSV_COLUMNS.len());
            c.write_record(rec.iter().map(|f| csv_cell(f).into_owned()))?;
        }
    }
    c.flush()
}

/// The calibrated-verdict columns (METHODS §6b) of one row: empty for a measure without a
/// verdict (the per-type rows) and, but for `inference`, when the hub's counts are withheld.
fn verdict_fields(
    r: &CompareResult,
    k: Option<usize>,
    m: &MeasureKind,
    withheld: bool,
) -> [String; 6] {
    let Some(v) = r.verdicts.get(k, m) else {
        return Default::default();
    };
    if withheld {
        return [
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            r.verdicts.inference.clone(),
            String::new(),
        ];
    }
    [
        csv_float(v.counterfactual_after),
        opt(v.effect_pct),
        opt(v.p_value),
        v.verdict.to_string(),
        r.verdicts.inference.clone(),
        fnum(v.pre_fit_rmspe),
    ]
}

/// Writes `series.csv`: one row per area × place × month with crime, ASB and harm, and the
/// period each month falls in (`before`, `after`, `start` or empty). Counts of 1 to K − 1
/// under `rules` are empty (or rounded), and so is that month's harm.
pub fn write_series_csv<W: Write>(
    w: W,
    r: &CompareResult,
    rules: &Disclosure,
) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(SERIES_COLUMNS)?;
    let int = |x: f64| {
        if x.is_nan() {
            String::new()
        } else {
            (x as u64).to_string()
        }
    };
    for a in r.rows() {
        let s = &a.series;
        for (place, v) in series_places(a) {
            let [crime, asb, harm] = shield_series(v, rules, &mut Tally::default());
            for (k, m) in s.months.iter().enumerate() {
                c.write_record([
                    &*csv_cell(&a.name),
                    &*csv_cell(place),
                    &m.to_string(),
                    s.period[k],
                    &int(crime[k]),
                    &int(asb[k]),
                    &fnum(harm[k]),
                ])?;
            }
        }
    }
    c.flush()
}
