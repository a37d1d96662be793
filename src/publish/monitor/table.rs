//! `measures.csv`: one row per area (and "All areas together"), period and measure, with
//! the columns of [`CSV_COLUMNS`] (public interface, documented in the README).

use super::shield::Shown;
use crate::monitor::MonitorResult;
use crate::publish::write::number::csv_float;
use std::io::Write;

/// The columns of `measures.csv`, in order.
pub const CSV_COLUMNS: [&str; 11] = [
    "area",
    "period",
    "measure",
    "count",
    "months",
    "baseline_mean",
    "low",
    "high",
    "flag",
    "last_year",
    "change_pct",
];

/// `v` rounded to `dp` decimals, as a CSV field (empty when `None`).
pub(super) fn fixed(v: Option<f64>, dp: i32) -> String {
    v.map_or_else(String::new, |x| {
        let k = 10f64.powi(dp);
        let r = (x * k).round() / k;
        csv_float(if r == 0.0 { 0.0 } else { r })
    })
}

/// Writes `measures.csv` from the shielded rows (`shown[measure][place][period]`).
pub fn write_csv<W: Write>(
    w: W,
    r: &MonitorResult,
    shown: &[Vec<Vec<Shown>>],
) -> std::io::Result<()> {
    let io = std::io::Error::other;
    let mut c = csv::Writer::from_writer(w);
    c.write_record(CSV_COLUMNS).map_err(io)?;
    for (m, rows) in r.measures.iter().zip(shown) {
        let dp = if m.measure.is_count() { 0 } else { 2 };
        for (p, place) in rows.iter().enumerate() {
            for (period, s) in r.periods.iter().zip(place) {
                c.write_record([
                    r.place_name(p),
                    &period.label,
                    m.measure.name(),
                    &fixed(s.count, dp),
                    &s.months.to_string(),
                    &fixed(s.baseline_mean, 2),
                    &fixed(s.low, 2),
                    &fixed(s.high, 2),
                    s.flag.map_or("", |f| f.as_str()),
                    &fixed(s.last_year, dp),
                    &fixed(s.change_pct, 1),
                ])
                .map_err(io)?;
            }
        }
    }
    c.flush()
}
