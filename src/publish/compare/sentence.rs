//! The plain sentences of a comparison (`report.md` and each row's `summary` in
//! `report.json`): what the numbers of METHODS §6 show for one area and how sure we can
//! be — crime and ASB in the area against the control (percent changes, the RES with its
//! 95% CI), the calibrated verdict (effect against the counterfactual, placebo p-value,
//! METHODS §6b: only the verdict says whether a change is beyond chance), and the buffer
//! (displacement or diffusion, from the WDQ when meaningful). Rendered from the typed, disclosure-shielded records of
//! [`super::shield`] only.

use super::shield::{find, shield_row, Shielded};
use crate::compare::stats::Effects;
use crate::compare::{AreaResult, CompareResult, Inference, MeasureKind};
use crate::publish::disclosure::Disclosure;
use std::fmt::Write as _;

pub(super) fn signed_pct(p: f64) -> String {
    format!(
        "{}{:.0}%",
        if p > 0.0 {
            "+"
        } else if p < 0.0 {
            "−"
        } else {
            ""
        },
        p.abs()
    )
}

pub(super) fn num(v: f64, harm: bool, normalised: bool) -> String {
    if harm || normalised {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

/// Whether a control's before value is over 10× its area's (METHODS §6), so that the
/// control's own change dominates the WDD ([`crate::compare::stats::Wdd::warning`]).
pub fn control_dominates(e: &Effects) -> bool {
    e.wdd.warning.is_some()
}

fn moved(p: f64) -> &'static str {
    if p > 0.0 {
        "rose"
    } else if p < 0.0 {
        "fell"
    } else {
        "did not change"
    }
}

fn relative(e: &Effects) -> Option<String> {
    let r = e.res.res?;
    let (lo, hi) = (e.res.ci_low?, e.res.ci_high?);
    let rel = if r >= 1.0 {
        format!(
            "{:.0}% fewer than the control's trend predicts",
            100.0 * (1.0 - 1.0 / r)
        )
    } else {
        format!(
            "{:.0}% more than the control's trend predicts",
            100.0 * (1.0 / r - 1.0)
        )
    };
    Some(format!("{rel} (RES {r:.2}, 95% CI {lo:.2}–{hi:.2})"))
}

/// A plain sentence or three on what the numbers show for one area and how sure we can be:
/// crime in the area against the control (percent changes, RES and its p-value), the buffer
/// (displacement or diffusion, from the WDQ when meaningful) and ASB.
pub fn sentence(a: &AreaResult, r: &CompareResult) -> String {
    sentence_with(a, r, &Disclosure::off())
}

/// [`sentence`] under disclosure rules: when the hub's or the control's counts of a measure
/// are too small to publish, the sentence says its figures are withheld (and likewise for
/// the buffer).
pub fn sentence_with(a: &AreaResult, r: &CompareResult, rules: &Disclosure) -> String {
    sentence_named(a, r, rules, a.name.clone())
}

/// [`sentence_with`] with the area's name given as it should appear (escaped for Markdown).
pub(super) fn sentence_named(
    a: &AreaResult,
    r: &CompareResult,
    rules: &Disclosure,
    name: String,
) -> String {
    let mut s = String::new();
    let name = if a.is_pooled() {
        "all areas together".to_string()
    } else {
        name
    };
    let sh = shield_row(a, r, rules);
    let k = r.areas.iter().position(|x| std::ptr::eq(x, a));
    let by = match r.verdicts.params.inference {
        Inference::Placebo => match r
            .verdicts
            .get(k, &MeasureKind::Crime)
            .map_or(0, |v| v.placebos)
        {
            1 => "1 placebo area".to_string(),
            n => format!("{n} placebo areas"),
        },
        Inference::Analytic => "an analytic test".to_string(),
    };
    for (label, key) in [("Crime", MeasureKind::Crime), ("ASB", MeasureKind::Asb)] {
        let Some(x) = find(&sh, &key) else { continue };
        if x.small.ac() {
            let _ = write!(
                s,
                "{label}: the figures for {name} are withheld because {} counts are too small to publish (1 to {} incidents in a period). ",
                if x.small.a { "its" } else { "the control area's" },
                rules.min_count.saturating_sub(1)
            );
            continue;
        }
        if !change_clause(&mut s, label, &name, &x.e) {
            continue;
        }
        control_clause(&mut s, &x.e);
        relative_clause(&mut s, &x.e);
        let lower = if key == MeasureKind::Crime {
            "crime"
        } else {
            "ASB"
        };
        if let Some(c) = r
            .verdicts
            .get(k, &key)
            .and_then(|v| super::scorecard::verdict_clause(v, lower, &by))
        {
            s.push_str(&c);
            s.push(' ');
        }
        if key == MeasureKind::Crime {
            buffer_clause(&mut s, x, r.buffer_m);
        }
    }
    s.trim_end().to_string()
}

/// `by 12% ` (with `end`), or nothing for no change.
fn by(p: f64, end: &str) -> String {
    if p == 0.0 {
        String::new()
    } else {
        format!("by {:.0}%{end}", p.abs())
    }
}

/// "rose by 12%", "fell by 3%" or "did not change".
fn moved_by(p: f64) -> String {
    match by(p, "") {
        b if b.is_empty() => moved(p).to_string(),
        b => format!("{} {b}", moved(p)),
    }
}

/// How the area's count moved; `false` when there is nothing to evaluate (none in either
/// period), and the sentence for this measure ends there.
fn change_clause(s: &mut String, label: &str, name: &str, e: &Effects) -> bool {
    let per = if e.normalised { " a month" } else { "" };
    let t = &e.treatment;
    match t.pct_change {
        None if t.after == 0.0 => {
            let _ = write!(
                s,
                "{label}: none recorded in {name} in either period, so there is nothing to evaluate. "
            );
            return false;
        }
        None => {
            let _ = write!(
                s,
                "{label} in {name} went from none to {}{per}",
                num(t.after, false, e.normalised),
            );
        }
        Some(p) => {
            let _ = write!(
                s,
                "{label} in {name} {} {}({} → {}{per})",
                moved(p),
                by(p, " "),
                num(t.before, false, e.normalised),
                num(t.after, false, e.normalised),
            );
        }
    }
    true
}

/// How the control moved.
fn control_clause(s: &mut String, e: &Effects) {
    match e.control.pct_change {
        Some(p) => {
            let _ = write!(s, ", while in the control area it {}", moved_by(p));
        }
        None => s.push_str(", with no incidents in the control area before"),
    }
    s.push_str(". ");
}

/// The RES in words, without a verdict: how sure we can be is the placebo p-value's to say
/// (the RES's analytic interval is too narrow at micro places, METHODS §6b).
fn relative_clause(s: &mut String, e: &Effects) {
    let Some(rel) = relative(e) else {
        return;
    };
    let _ = write!(s, "Relative to the control area's trend that is {rel}.");
    if e.res.zero_corrected {
        s.push_str(" (A count was zero, so 0.5 was added to each: the estimate is rough.)");
    }
    let t = &e.treatment;
    if t.before + t.after < 20.0 && !e.normalised {
        s.push_str(" The counts are small, so treat this with caution.");
    }
    s.push(' ');
}

/// Crime in the buffer ring: withheld, or its change and the WDQ when meaningful.
fn buffer_clause(s: &mut String, x: &Shielded, buffer_m: Option<f64>) {
    let e = &x.e;
    let (Some(b), Some(d)) = (&e.buffer, buffer_m) else {
        return;
    };
    if x.small.b {
        let _ = write!(
            s,
            "The figures for the {d} m buffer around it are withheld because its counts are too small to publish. "
        );
        return;
    }
    match b.pct_change {
        Some(p) => {
            let _ = write!(s, "In the {d} m buffer around it crime {}", moved_by(p));
        }
        None => {
            let _ = write!(s, "In the {d} m buffer around it there was no crime before");
        }
    }
    if let Some(q) = e.wdq.wdq {
        let _ = write!(s, " (WDQ {q:.2}: {}). ", e.wdq.interpretation);
    } else {
        s.push_str(". ");
    }
}
