//! Disclosure control of a comparison's outputs (issue 7; [`crate::publish::disclosure`]): a count
//! of 1 to K − 1 incidents (per area × place × period × measure, and per month in the
//! series) is suppressed, or rounded to the base with `round`; a harm total takes the
//! support of its count (every incident of that place and period) and is suppressed, never
//! rounded. A statistic is withheld when any count it is computed from is: percent change
//! from its place's two counts; gross effect from the treatment area's; SM, WDD local term,
//! DiD and RES (with its CI, z and p) from the treatment area's and the control's; BDM and
//! the WDD displacement term from the buffer's and the control's; WDQ, TNE, WDD (variance,
//! z, p) from all six. The pooled row and the control follow the same rule. What this does
//! not protect against: differencing published values (a total minus its published parts,
//! the pooled row minus the other areas), as for the grid outputs.
//!
//! Every renderer reads the [`Shielded`] records made here; suppressed values are NaN (or
//! `None`), rounded counts rounded.

use crate::compare::stats::{Change, Effects};
use crate::compare::{
    AreaResult, CompareResult, MeasureEffects, MeasureKind, PeriodCounts, PlaceCounts, SeriesPlace,
};
use crate::publish::disclosure::Disclosure;

/// Text that replaces a withheld WDQ reading or RES note.
pub(super) const WITHHELD: &str =
    "withheld: computed from a count too small to publish (disclosure control)";

/// Values suppressed and rounded so far.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub(super) struct Tally {
    pub(super) suppressed: u64,
    pub(super) rounded: u64,
}

/// Which places of one measure hold a count of 1 to K − 1 in either period: the
/// statistics computed from them are withheld.
#[derive(Copy, Clone, Debug, Default)]
pub(super) struct Small {
    pub(super) a: bool,
    pub(super) b: bool,
    pub(super) c: bool,
    /// The buffer's own control, when given.
    pub(super) d: bool,
}

impl Small {
    /// WDQ, TNE and the WDD: built from all six (or eight) counts.
    pub(super) fn any(self) -> bool {
        self.a || self.b || self.c || self.d
    }

    /// SM, the WDD local term, DiD and RES: treatment and control.
    pub(super) fn ac(self) -> bool {
        self.a || self.c
    }
}

/// One measure of one area row after disclosure control: suppressed values are NaN (or
/// `None`), rounded counts rounded.
pub(super) struct Shielded {
    pub(super) measure: MeasureKind,
    pub(super) e: Effects,
    pub(super) small: Small,
}

pub(super) fn find<'s>(sh: &'s [Shielded], key: &MeasureKind) -> Option<&'s Shielded> {
    sh.iter().find(|x| &x.measure == key)
}

pub(super) fn hide(v: &mut f64, t: &mut Tally) {
    if v.is_finite() {
        t.suppressed += 1;
    }
    *v = f64::NAN;
}

fn hide_opt(v: &mut Option<f64>, t: &mut Tally) {
    if v.take().is_some() {
        t.suppressed += 1;
    }
}

/// A count `n` under the rules: itself, rounded, or NaN (suppressed).
pub(super) fn publish_count(rules: &Disclosure, n: u64, t: &mut Tally) -> f64 {
    let x = n as f64;
    if !rules.small(x) {
        return x;
    }
    match rules.count(x) {
        Some(r) => {
            t.rounded += 1;
            r
        }
        None => {
            t.suppressed += 1;
            f64::NAN
        }
    }
}

/// A place's before/after values and percent change under the rules. `n` are the counts
/// behind them; `count` whether the values are those counts (else harm totals, suppressed
/// with their count, never rounded); `months` divides a rounded count when normalised.
fn shield_change(
    c: &Change,
    n: [u64; 2],
    count: bool,
    normalised: bool,
    months: [u32; 2],
    rules: &Disclosure,
    t: &mut Tally,
) -> (Change, bool) {
    let mut o = c.clone();
    for (k, v) in [&mut o.before, &mut o.after].into_iter().enumerate() {
        if !rules.small(n[k] as f64) {
            continue;
        }
        if count && rules.round.is_some() {
            let r = publish_count(rules, n[k], t);
            *v = if normalised {
                r / f64::from(months[k].max(1))
            } else {
                r
            };
        } else {
            hide(v, t);
        }
    }
    let small = n.iter().any(|&x| rules.small(x as f64));
    if small {
        hide_opt(&mut o.pct_change, t);
    }
    (o, small)
}

/// The months of the before and after periods a row's values are normalised by (a stacked
/// pooled row takes the first area's, as [`crate::compare::stats::Table::stack`] does).
fn row_months(a: &AreaResult, r: &CompareResult) -> [u32; 2] {
    a.periods
        .as_ref()
        .or_else(|| r.areas.first().and_then(|x| x.periods.as_ref()))
        .map_or([1, 1], |p| [p.months_before, p.months_after])
}

/// One measure's statistics under the rules.
fn shield_effects(
    m: &MeasureEffects,
    counts: &PlaceCounts,
    months: [u32; 2],
    rules: &Disclosure,
    t: &mut Tally,
) -> Shielded {
    let e = &m.effects;
    let mut o = e.clone();
    if !rules.active() {
        return Shielded {
            measure: m.measure.clone(),
            e: o,
            small: Small::default(),
        };
    }
    let count = !m.measure.is_harm();
    let n = |p: &PeriodCounts| [p.before.support(&m.measure), p.after.support(&m.measure)];
    let ch = |c: &Change, p: &PeriodCounts, t: &mut Tally| {
        shield_change(c, n(p), count, e.normalised, months, rules, t)
    };
    let (treatment, a) = ch(&e.treatment, &counts.treatment, t);
    o.treatment = treatment;
    let mut b = false;
    if let (Some(c), Some(p)) = (&e.buffer, &counts.buffer) {
        let (buffer, small) = ch(c, p, t);
        o.buffer = Some(buffer);
        b = small;
    }
    let (control, c) = ch(&e.control, &counts.control, t);
    o.control = control;
    let d = counts
        .buffer_control
        .as_ref()
        .is_some_and(|p| n(p).iter().any(|&x| rules.small(x as f64)));
    let small = Small { a, b, c, d };
    if small.a {
        hide(&mut o.gross_effect, t);
    }
    if small.ac() {
        hide_opt(&mut o.wdq.sm, t);
        hide(&mut o.wdd.local, t);
        hide(&mut o.did.estimate, t);
        hide(&mut o.did.variance, t);
        hide_opt(&mut o.did.z, t);
        hide_opt(&mut o.did.p, t);
        let res = &mut o.res;
        for v in [
            &mut res.res,
            &mut res.var_log,
            &mut res.ci_low,
            &mut res.ci_high,
            &mut res.z,
            &mut res.p,
        ] {
            hide_opt(v, t);
        }
        res.zero_corrected = false;
        res.note = Some(WITHHELD.into());
    }
    if small.b || small.c || small.d {
        hide_opt(&mut o.wdq.bdm, t);
        hide_opt(&mut o.wdd.displacement, t);
    }
    if small.any() {
        hide_opt(&mut o.wdq.wdq, t);
        o.wdq.meaningful = false;
        o.wdq.interpretation = WITHHELD.into();
        hide_opt(&mut o.tne, t);
        hide(&mut o.wdd.wdd, t);
        hide(&mut o.wdd.variance, t);
        hide_opt(&mut o.wdd.z, t);
        hide_opt(&mut o.wdd.p, t);
        o.wdd.warning = None;
    }
    Shielded {
        measure: m.measure.clone(),
        e: o,
        small,
    }
}

/// Every measure of a row under the rules (tallied into `t`).
pub(super) fn shield_row_into(
    a: &AreaResult,
    r: &CompareResult,
    rules: &Disclosure,
    t: &mut Tally,
) -> Vec<Shielded> {
    let months = row_months(a, r);
    a.measures
        .iter()
        .map(|m| shield_effects(m, &a.counts, months, rules, t))
        .collect()
}

pub(super) fn shield_row(a: &AreaResult, r: &CompareResult, rules: &Disclosure) -> Vec<Shielded> {
    shield_row_into(a, r, rules, &mut Tally::default())
}

/// A place's monthly crime, ASB and harm under the rules (harm takes the month's crime +
/// ASB as support).
pub(super) fn shield_series(s: &SeriesPlace, rules: &Disclosure, t: &mut Tally) -> [Vec<f64>; 3] {
    let crime = s
        .crime
        .iter()
        .map(|&n| publish_count(rules, n, t))
        .collect();
    let asb = s.asb.iter().map(|&n| publish_count(rules, n, t)).collect();
    let harm = s
        .harm
        .iter()
        .enumerate()
        .map(|(k, &h)| {
            let mut h = h;
            if rules.small((s.crime[k] + s.asb[k]) as f64) {
                hide(&mut h, t);
            }
            h
        })
        .collect();
    [crime, asb, harm]
}

/// The places of a row's series: name and values.
pub(super) fn series_places(a: &AreaResult) -> Vec<(&'static str, &SeriesPlace)> {
    let s = &a.series;
    let mut v = vec![("treatment", &s.treatment)];
    if let Some(b) = &s.buffer {
        v.push(("buffer", b));
    }
    v.push(("control", &s.control));
    v
}
