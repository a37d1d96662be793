//! `measures.md`: the monitoring table a VRU board reads (METHODS §10) — what was counted
//! and how the baseline works, a plain sentence for each flagged period (all areas
//! together first), recording gaps, then a table per measure, areas × periods. Rendered
//! from the disclosure-shielded cells of [`super::shield`].

use super::shield::Shown;
use crate::monitor::{Flag, Measure, MeasureResult, MonitorResult, PeriodKind};
use crate::publish::write::escape::{markdown as md, markdown_code};
use std::fmt::Write as _;

/// Most flagged-period sentences written per measure; the rest are in `measures.csv`.
pub const MAX_SENTENCES: usize = 25;

/// `12345.6` as `12,346` (or `12,345.60` with `dp = 2`).
pub(super) fn grouped(v: f64, dp: usize) -> String {
    let s = format!("{:.*}", dp, v.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if v < 0.0 && v.abs() >= 0.5 * 10f64.powi(-(dp as i32)) {
        out.insert(0, '-');
    }
    out
}

fn value(m: &MeasureResult, v: f64) -> String {
    grouped(v, if m.measure.is_count() { 0 } else { 1 })
}

/// A baseline value: one decimal when the average is under 10 (an average of 0.4 is not
/// "0"), or for harm.
fn limit(m: &MeasureResult, v: f64, mean: f64) -> String {
    grouped(
        v,
        if mean < 10.0 || !m.measure.is_count() {
            1
        } else {
            0
        },
    )
}

/// A limit as [`limit`] writes it, with one more decimal when it would read the same as the
/// count it is compared with ("6, below the usual range (6.4 to 33)", not "(6 to 33)").
fn edge(m: &MeasureResult, v: f64, mean: f64, count: f64) -> String {
    let s = limit(m, v, mean);
    if s == value(m, count) {
        grouped(
            v,
            if mean < 10.0 || !m.measure.is_count() {
                2
            } else {
                1
            },
        )
    } else {
        s
    }
}

fn unit(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Month => "month",
        PeriodKind::Quarter => "quarter",
        PeriodKind::Year => "year",
    }
}

/// The share of all incidents (crime and ASB) a repeat-locations count is, when both
/// counts are published.
fn repeat_share(
    r: &MonitorResult,
    shown: &[Vec<Vec<Shown>>],
    place: usize,
    j: usize,
) -> Option<f64> {
    let of = |m: Measure| {
        let k = r.measures.iter().position(|x| x.measure == m)?;
        Some(&shown[k][place][j])
    };
    let (rep, crime, asb) = (
        of(Measure::RepeatLocations)?,
        of(Measure::Crime)?,
        of(Measure::Asb)?,
    );
    // over the same months only (repeat locations need a year of look-back)
    if rep.months != crime.months || rep.months != asb.months {
        return None;
    }
    let all = crime.count? + asb.count?;
    let n = rep.count?;
    (all > 0.0).then(|| 100.0 * n / all)
}

/// One table cell: the count with ▲ / ▼ (the period's months are in the column head).
fn cell(m: &MeasureResult, s: &Shown, k: u64, share: Option<f64>) -> String {
    if s.months == 0 {
        return "–".into();
    }
    let mut c = match s.count {
        Some(v) => value(m, v),
        None if m.measure.is_count() => format!("<{k}"),
        None => "suppressed".into(),
    };
    if let Some(p) = share {
        let _ = write!(c, " ({p:.0}%)");
    }
    match s.flag {
        Some(Flag::Above) => c.push_str(" ▲"),
        Some(Flag::Below) => c.push_str(" ▼"),
        _ => {}
    }
    c
}

/// The recording gaps of `m` inside period `j`.
fn gaps_in<'r>(
    r: &'r MonitorResult,
    m: &'r MeasureResult,
    j: usize,
) -> impl Iterator<Item = &'r crate::monitor::gaps::Gap> {
    let range = r.periods[j].range();
    r.gaps
        .iter()
        .filter(move |g| g.measure == m.measure && range.contains(g.month))
}

/// The plain sentence of a flagged period.
fn sentence(
    r: &MonitorResult,
    m: &MeasureResult,
    place: usize,
    j: usize,
    s: &Shown,
) -> Option<String> {
    let word = match s.flag? {
        Flag::Above => "above",
        Flag::Below => "below",
        _ => return None,
    };
    let (count, lo, hi, mean) = (s.count?, s.low?, s.high?, s.baseline_mean?);
    let period = &r.periods[j];
    let u = unit(r.calendar.kind);
    let mut out = if mean == 0.0 {
        format!(
            "- **{}, {}**: {}, where the baseline had none.",
            period.label,
            md(r.place_name(place)),
            value(m, count)
        )
    } else {
        format!(
            "- **{}, {}**: {}, {word} the usual range for a {u} ({} to {}; baseline average {}).",
            period.label,
            md(r.place_name(place)),
            value(m, count),
            edge(m, lo, mean, count),
            edge(m, hi, mean, count),
            limit(m, mean, mean),
        )
    };
    if let (Some(l), Some(p)) = (s.last_year, s.change_pct) {
        let _ = write!(out, " Same {u} last year: {} ({:+.0}%).", value(m, l), p);
    }
    if mean < 5.0 {
        out.push_str(" Small numbers: with an average under 5 the range is rough, and one or two more or fewer can cross it.");
    }
    if m.baseline_range.is_some_and(|b| b.contains(period.first)) {
        out.push_str(" This period is part of the baseline.");
    }
    for g in gaps_in(r, m, j) {
        let _ = write!(
            out,
            " It holds {}, when the whole extract has only {} such records against {} the month next to it: check the data before reading this as a change.",
            g.month,
            grouped(g.count as f64, 0),
            grouped(g.neighbour as f64, 0)
        );
    }
    Some(out)
}

fn baseline_line(r: &MonitorResult, m: &MeasureResult) -> String {
    match m.baseline_range {
        None => "none (too few complete periods in the data), so nothing is flagged".into(),
        Some(b) => {
            let labels: Vec<&str> = r
                .periods
                .iter()
                .filter(|p| b.contains(p.first) && b.contains(p.range().to))
                .map(|p| p.label.as_str())
                .collect();
            let span = match (labels.first(), labels.last()) {
                (Some(a), Some(z)) if a != z => format!("{a} to {z}, "),
                (Some(a), _) => format!("{a}, "),
                _ => String::new(),
            };
            format!("{span}{b} ({} months with data)", m.baseline_months)
        }
    }
}

/// Places in report order: all areas together first, then the areas in file order.
fn order(r: &MonitorResult) -> impl Iterator<Item = usize> {
    std::iter::once(r.areas.len()).chain(0..r.areas.len())
}

/// How far a count lies outside its range, in half-widths of the range (0 inside it).
fn distance(s: &Shown) -> f64 {
    match (s.count, s.baseline_mean, s.low, s.high) {
        (Some(c), Some(m), Some(_), Some(hi)) if c > hi => (c - m) / (hi - m).max(1e-9),
        (Some(c), Some(m), Some(lo), Some(_)) if c < lo => (m - c) / (m - lo).max(1e-9),
        _ => 0.0,
    }
}

fn stands_out(out: &mut String, r: &MonitorResult, shown: &[Vec<Vec<Shown>>]) {
    out.push_str(
        "## What stands out\n\nLatest period first; in each, all areas together, then the areas furthest outside their usual range.\n\n",
    );
    let mut any = false;
    for (m, rows) in r.measures.iter().zip(shown) {
        let mut lines = Vec::new();
        for j in (0..r.periods.len()).rev() {
            // all areas together first, then the areas furthest outside their range
            let mut places: Vec<(f64, usize)> = order(r)
                .map(|p| {
                    (
                        if p == r.areas.len() {
                            f64::INFINITY
                        } else {
                            distance(&rows[p][j])
                        },
                        p,
                    )
                })
                .collect();
            places.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for (_, p) in places {
                lines.extend(sentence(r, m, p, j, &rows[p][j]));
            }
        }
        if lines.is_empty() {
            continue;
        }
        any = true;
        let _ = writeln!(out, "### {}\n", m.measure.title());
        for l in lines.iter().take(MAX_SENTENCES) {
            let _ = writeln!(out, "{l}");
        }
        if lines.len() > MAX_SENTENCES {
            let _ = writeln!(
                out,
                "- … and {} more flagged periods: see the `flag` column of measures.csv (measure `{}`).",
                lines.len() - MAX_SENTENCES,
                m.measure.name()
            );
        }
        out.push('\n');
    }
    if !any {
        let _ = writeln!(
            out,
            "No complete {} is outside its usual range.\n",
            unit(r.calendar.kind)
        );
    }
}

fn measure_table(
    out: &mut String,
    r: &MonitorResult,
    m: &MeasureResult,
    mi: usize,
    shown: &[Vec<Vec<Shown>>],
    k: u64,
) {
    let rows = &shown[mi];
    let all = r.areas.len();
    let _ = writeln!(out, "## {} (`{}`)\n", m.measure.title(), m.measure.name());
    let _ = write!(
        out,
        "{}. Baseline: {}.",
        capital(&m.measure.describe()),
        baseline_line(r, m)
    );
    if m.measure == Measure::RepeatLocations {
        out.push_str(
            " In brackets: the share of all incidents (crime and ASB) of the area and period.",
        );
    }
    out.push_str("\n\n| Area |");
    let mut foot = Vec::new();
    for (j, p) in r.periods.iter().enumerate() {
        let n = rows[all][j].months;
        let mut head = p.label.clone();
        if n == 0 {
            head.push_str(" (no data)");
        } else if n < p.full_months {
            let _ = write!(head, " ({n} of {} months)", p.full_months);
        }
        for g in gaps_in(r, m, j) {
            head.push_str(" ‡");
            foot.push(format!(
                "‡ {} holds {}: {} records in the whole extract against {} the month next to it (a recording gap?).",
                p.label,
                g.month,
                grouped(g.count as f64, 0),
                grouped(g.neighbour as f64, 0)
            ));
        }
        let _ = write!(out, " {} |", md(&head));
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(r.periods.len()));
    out.push('\n');
    for p in order(r) {
        let name = md(r.place_name(p));
        if p == all {
            let _ = write!(out, "| **{name}** |");
        } else {
            let _ = write!(out, "| {name} |");
        }
        for (j, s) in rows[p].iter().enumerate() {
            let share = (m.measure == Measure::RepeatLocations && s.months > 0)
                .then(|| repeat_share(r, shown, p, j))
                .flatten();
            let _ = write!(out, " {} |", cell(m, s, k, share));
        }
        out.push('\n');
    }
    out.push('\n');
    if rows[all]
        .iter()
        .zip(&r.periods)
        .any(|(s, p)| s.months > 0 && s.months < p.full_months)
    {
        let _ = writeln!(out, "A {} with months missing from the data is shown with its months in the column head and is never compared.\n", unit(r.calendar.kind));
    }
    for f in foot {
        let _ = writeln!(out, "{f}\n");
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

/// Renders `measures.md`. `header` lines go in the table at the top; `notes` after it.
pub fn markdown(
    r: &MonitorResult,
    shown: &[Vec<Vec<Shown>>],
    header: &[(String, String)],
    notes: &[String],
    min_count: u64,
) -> String {
    let u = unit(r.calendar.kind);
    let mut out = format!("# Measures of success by {u}\n\n| | |\n|---|---|\n");
    for (k, v) in header {
        let _ = writeln!(out, "| {} | {} |", md(k), markdown_code(v));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "**How to read it.** Each cell is the count for the {u}. ▲ marks a {u} above its usual range, ▼ one below it. The usual range comes from the baseline: its average per month, scaled to the {u}, ± 1.96 × √(φ × average), where φ (at least 1) says how much more the baseline months varied than chance alone would make them. About 1 {u} in 20 falls outside the range by chance alone, so read a single ▲ or ▼ as a prompt to look, not as proof. A {u} with months missing from the data is never compared.\n"
    );
    for n in notes {
        let _ = writeln!(out, "- Note: {}", markdown_code(n));
    }
    if !notes.is_empty() {
        out.push('\n');
    }
    stands_out(&mut out, r, shown);
    if !r.gaps.is_empty() {
        out.push_str("## Check the data\n\n");
        for g in &r.gaps {
            let _ = writeln!(
                out,
                "- {}: {} `{}` records in the whole extract against {} the month next to it. A period holding it can look like a fall that is really a gap in recording.",
                g.month,
                grouped(g.count as f64, 0),
                g.measure.name(),
                grouped(g.neighbour as f64, 0)
            );
        }
        out.push('\n');
    }
    for (mi, m) in r.measures.iter().enumerate() {
        measure_table(&mut out, r, m, mi, shown, min_count);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(1234567.0, 0), "1,234,567");
        assert_eq!(grouped(999.0, 0), "999");
        assert_eq!(grouped(1234.567, 1), "1,234.6");
        assert_eq!(grouped(-1500.0, 0), "-1,500");
        assert_eq!(grouped(0.0, 0), "0");
    }
}
