//! Rendering a [`CompareResult`]: `report.json` (everything), `report.csv` (one row per
//! area × measure), `series.csv` (monthly series), `report.md` (a partner-readable summary:
//! a table and a plain sentence per hub) and `areas.geojson` (treatment, buffer and control
//! polygons in WGS84 with their counts and effects).
//!
//! These functions write to any [`std::io::Write`]; the command line wraps them in atomic
//! files. The column names of `report.csv` and `series.csv` ([`CSV_COLUMNS`],
//! [`SERIES_COLUMNS`]) and the GeoJSON property names are part of the public interface.
//!
//! Disclosure control (issue 7; [`crate::disclosure`]): every renderer takes the run's
//! [`Disclosure`] rules. A count of 1 to K − 1 incidents (per area × place × period ×
//! measure, and per month in the series) is published as null / an empty field / `<K`, or
//! rounded to the base with `--round`; a harm total takes the support of its count (every
//! incident of that place and period) and is suppressed, never rounded. A statistic is
//! withheld when any count it is computed from is: percent change from its place's two
//! counts; gross effect from the treatment area's; SM, WDD local term, DiD and RES (with
//! its CI, z and p) from the treatment area's and the control's; BDM and the WDD
//! displacement term from the buffer's and the control's; WDQ, TNE, WDD (variance, z, p)
//! from all six. The pooled row and the control follow the same rule. What this does not
//! protect against: differencing published values (a total minus its published parts,
//! the pooled row minus the other areas), as for the grid outputs.

use super::stats::{Change, Effects};
use super::{
    AreaResult, AreaSet, CompareResult, MeasureEffects, MeasureKind, PeriodCounts, Pooling,
};
use crate::crs::Transform;
use crate::disclosure::{Disclosure, DisclosureReport};
use crate::error::{Error, Result};
use crate::write::escape::{csv_cell, markdown as md};
use crate::write::geojson::{json_num, FeatureWriter, Geom};
use crate::write::number::csv_float;
use geo::{CoordsIter, MultiPolygon};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::io::Write;

/// Columns of `report.csv`, in order.
pub const CSV_COLUMNS: [&str; 42] = [
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

fn rows(r: &CompareResult) -> impl Iterator<Item = &AreaResult> {
    r.areas.iter().chain(std::iter::once(&r.pooled))
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

/// Text that replaces a withheld WDQ reading or RES note.
const WITHHELD: &str = "withheld: computed from a count too small to publish (disclosure control)";

/// Values suppressed and rounded so far.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
struct Tally {
    suppressed: u64,
    rounded: u64,
}

/// Which places of one measure hold a count of 1 to K − 1 in either period: the
/// statistics computed from them are withheld.
#[derive(Copy, Clone, Debug, Default)]
struct Small {
    a: bool,
    b: bool,
    c: bool,
    /// The buffer's own control, when given.
    d: bool,
}

impl Small {
    /// WDQ, TNE and the WDD: built from all six (or eight) counts.
    fn any(self) -> bool {
        self.a || self.b || self.c || self.d
    }

    /// SM, the WDD local term, DiD and RES: treatment and control.
    fn ac(self) -> bool {
        self.a || self.c
    }
}

/// One measure of one area row after disclosure control: suppressed values are NaN (or
/// `None`), rounded counts rounded.
struct Shielded {
    measure: MeasureKind,
    e: Effects,
    small: Small,
}

fn find<'s>(sh: &'s [Shielded], key: &MeasureKind) -> Option<&'s Shielded> {
    sh.iter().find(|x| &x.measure == key)
}

fn hide(v: &mut f64, t: &mut Tally) {
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
fn publish_count(rules: &Disclosure, n: u64, t: &mut Tally) -> f64 {
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
/// pooled row takes the first area's, as [`super::stats::Table::stack`] does).
fn row_months(a: &AreaResult, r: &CompareResult) -> [u32; 2] {
    a.periods
        .as_ref()
        .or_else(|| r.areas.first().and_then(|x| x.periods.as_ref()))
        .map_or([1, 1], |p| [p.months_before, p.months_after])
}

/// One measure's statistics under the rules.
fn shield_effects(
    m: &MeasureEffects,
    counts: &super::PlaceCounts,
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
fn shield_row_into(
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

fn shield_row(a: &AreaResult, r: &CompareResult, rules: &Disclosure) -> Vec<Shielded> {
    shield_row_into(a, r, rules, &mut Tally::default())
}

/// A place's monthly crime, ASB and harm under the rules (harm takes the month's crime +
/// ASB as support).
fn shield_series(s: &super::SeriesPlace, rules: &Disclosure, t: &mut Tally) -> [Vec<f64>; 3] {
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
fn series_places(a: &AreaResult) -> Vec<(&'static str, &super::SeriesPlace)> {
    let s = &a.series;
    let mut v = vec![("treatment", &s.treatment)];
    if let Some(b) = &s.buffer {
        v.push(("buffer", b));
    }
    v.push(("control", &s.control));
    v
}

/// A published count as JSON: the integer, or null when suppressed.
fn count_json(x: f64) -> Value {
    if x.is_nan() {
        Value::Null
    } else {
        Value::from(x as u64)
    }
}

/// Applies the rules to one row of `report.json` in place (counts, measures, series).
fn shield_row_json(
    v: &mut Value,
    a: &AreaResult,
    r: &CompareResult,
    rules: &Disclosure,
    t: &mut Tally,
) {
    let places = [
        ("treatment", Some(&a.counts.treatment)),
        ("buffer", a.counts.buffer.as_ref()),
        ("control", Some(&a.counts.control)),
    ];
    for (place, pc) in places {
        let Some(pc) = pc else { continue };
        for (period, c) in [("before", &pc.before), ("after", &pc.after)] {
            let Some(cv) = v
                .get_mut("counts")
                .and_then(|x| x.get_mut(place))
                .and_then(|x| x.get_mut(period))
            else {
                continue;
            };
            for (key, n) in [("all", c.all), ("crime", c.crime), ("asb", c.asb)] {
                cv[key] = count_json(publish_count(rules, n, t));
            }
            if rules.small(c.all as f64) {
                if c.harm.is_finite() {
                    t.suppressed += 1;
                }
                cv["harm"] = Value::Null;
            }
            if let Some(types) = cv.get_mut("types").and_then(Value::as_object_mut) {
                for (k, n) in &c.types {
                    types.insert(k.clone(), count_json(publish_count(rules, *n, t)));
                }
            }
        }
    }
    let shielded = shield_row_into(a, r, rules, t);
    if let Some(list) = v.get_mut("measures").and_then(Value::as_array_mut) {
        for (mv, x) in list.iter_mut().zip(shielded) {
            *mv = serde_json::to_value(MeasureEffects {
                measure: x.measure,
                effects: x.e,
            })
            .unwrap_or(Value::Null);
            if x.small.any() {
                mv["wdq"]["meaningful"] = Value::Null;
            }
            if x.small.ac() {
                mv["res"]["zero_corrected"] = Value::Null;
            }
        }
    }
    for (place, s) in series_places(a) {
        let [crime, asb, harm] = shield_series(s, rules, t);
        if let Some(sv) = v.get_mut("series").and_then(|x| x.get_mut(place)) {
            sv["crime"] = crime.into_iter().map(count_json).collect();
            sv["asb"] = asb.into_iter().map(count_json).collect();
            sv["harm"] = harm.into_iter().map(Value::from).collect();
        }
    }
}

/// The result as JSON with the rules applied and each row's `summary`, and what the
/// rules did.
fn result_json(r: &CompareResult, rules: &Disclosure) -> (Value, DisclosureReport) {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    let mut t = Tally::default();
    let mut affected = 0;
    let rows: Vec<(&AreaResult, Option<usize>)> = r
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a, Some(i)))
        .chain(std::iter::once((&r.pooled, None)))
        .collect();
    for (a, i) in rows {
        let row = match i {
            Some(i) => v
                .get_mut("areas")
                .and_then(Value::as_array_mut)
                .and_then(|l| l.get_mut(i)),
            None => v.get_mut("pooled"),
        };
        let Some(row) = row else { continue };
        if rules.active() {
            let before = t;
            shield_row_json(row, a, r, rules, &mut t);
            if t != before {
                affected += 1;
            }
        }
        row["summary"] = Value::String(sentence_with(a, r, rules));
    }
    let mut report = DisclosureReport {
        min_count: rules.min_count,
        round: rules.round,
        suppressed_values: t.suppressed,
        rounded_values: t.rounded,
        cells_affected: affected,
        note: String::new(),
    };
    report.note = if rules.active() {
        rules.sentence(&report, "area rows (areas and All areas)")
    } else {
        "no disclosure control (values from any number of incidents are published)".into()
    };
    (v, report)
}

/// What disclosure control withholds in a comparison's outputs: values suppressed and
/// rounded in `report.json` (each count, harm total, statistic and monthly value once; the
/// other outputs show the same values) and the rows (areas and the pooled row) affected.
///
/// ```
/// use harmspot::compare::{evaluate, build_areas, report, AreasParams, CompareParams, PeriodSpec};
/// use harmspot::disclosure::Disclosure;
/// use harmspot::read::areas::AreaFeature;
/// use harmspot::{Incidents, Month, MonthRange};
/// use geo::{Geometry, Point};
/// let (jan, feb) = (Month::parse("2022-01").unwrap(), Month::parse("2022-02").unwrap());
/// // 4 burglaries in the hub in January, none in February; 10 then 10 in the control.
/// let mut inc = Incidents { types: vec!["Burglary".into()], ..Default::default() };
/// for (x, m, n) in [(0.0, jan, 4), (5000.0, jan, 10), (5000.0, feb, 10)] {
///     for _ in 0..n {
///         inc.xy.push([x, 0.0]); inc.month.push(m); inc.kind.push(0); inc.harm.push(1.0);
///     }
/// }
/// let mut props = serde_json::Map::new();
/// props.insert("name".into(), "Hub".into());
/// let hub = AreaFeature { number: 1, properties: props, geometry: Geometry::Point(Point::new(0.0, 0.0)) };
/// let set = build_areas(&[hub], "hubs.geojson".as_ref(), &AreasParams::default().radius(100.0)).unwrap();
/// let spec = PeriodSpec::Explicit { before: MonthRange::new(jan, jan).unwrap(), after: MonthRange::new(feb, feb).unwrap() };
/// let r = evaluate(&inc, &set, &CompareParams::new(spec)).unwrap();
/// let d = report::disclosure(&r, &Disclosure::partner(None));
/// // Per row (the hub, and All areas, which holds the same incidents), 4 < K = 5:
/// // counts all, crime, Burglary and harm before (4); January's crime and harm in the
/// // series (2); crime and Burglary each: before, % change, GE, SM, TNE, WDD local, WDD,
/// // its variance, z, p, DiD, its variance, z, p and RES, V, CI (2), z, p (20); harm the
/// // same less RES, undefined on a zero harm total (14). 60 × 2 rows = 120.
/// assert_eq!((d.suppressed_values, d.rounded_values, d.cells_affected), (120, 0, 2));
/// // With --round 5 six counts per row (all, crime and Burglary before, the crime and
/// // Burglary measures' before, January's crime) are rounded to 5, the rest suppressed.
/// let rounding = Disclosure { round: Some(5), ..Disclosure::partner(None) };
/// let d = report::disclosure(&r, &rounding);
/// assert_eq!((d.suppressed_values, d.rounded_values), (108, 12));
/// ```
pub fn disclosure(r: &CompareResult, rules: &Disclosure) -> DisclosureReport {
    result_json(r, rules).1
}

/// Writes `report.csv`: one row per area × measure (and the pooled `All areas` rows), the
/// columns of [`CSV_COLUMNS`]; empty fields where a statistic is not defined or is
/// withheld by `rules`.
pub fn write_csv<W: Write>(w: W, r: &CompareResult, rules: &Disclosure) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(CSV_COLUMNS)?;
    for a in rows(r) {
        let (before, after, mb, ma) = period_text(a);
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
            debug_assert_eq!(rec.len(), CSV_COLUMNS.len());
            c.write_record(rec.iter().map(|f| csv_cell(f).into_owned()))?;
        }
    }
    c.flush()
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
    for a in rows(r) {
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

/// `report.json`: the parameters given, the read summary and the whole result, each area
/// (and the pooled row) with its plain-language `summary`. Under active `rules`, values
/// withheld are null, small counts rounded with `--round`, and a `disclosure` member
/// records the rules, the values suppressed and rounded ([`disclosure`]) and the
/// `coordinate_decimals` of `areas.geojson`.
pub fn json(r: &CompareResult, parameters: Value, read: Value, rules: &Disclosure) -> Value {
    let (v, report) = result_json(r, rules);
    let mut out = json!({
        "harmspot": {"command": "compare", "version": env!("CARGO_PKG_VERSION")},
        "parameters": parameters,
        "read": read,
        "result": v,
    });
    if rules.active() {
        out["disclosure"] = disclosure_json(rules, &report);
    }
    out
}

/// The `disclosure` member of `report.json` and `areas.geojson`.
pub fn disclosure_json(rules: &Disclosure, report: &DisclosureReport) -> Value {
    let mut d = serde_json::to_value(report).unwrap_or(Value::Null);
    d["coordinate_decimals"] = Value::from(rules.precision);
    d
}

fn signed_pct(p: f64) -> String {
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

fn num(v: f64, harm: bool, normalised: bool) -> String {
    if harm || normalised {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

fn certainty(p: f64) -> String {
    let pt = p_text(p);
    if p < 0.01 {
        format!("a difference this large would very rarely arise by chance ({pt}), so we can be confident it is real")
    } else if p < 0.05 {
        format!("this is unlikely to be chance ({pt}), so we can be fairly confident it is real")
    } else if p < 0.10 {
        format!("the evidence is weak ({pt}): it could be chance")
    } else {
        format!("this could easily be chance ({pt}), so there is no clear evidence of an effect")
    }
}

/// Whether a control's before value is over 10× its area's (METHODS §6), so that the
/// control's own change dominates the WDD ([`super::stats::Wdd::warning`]).
pub fn control_dominates(e: &Effects) -> bool {
    e.wdd.warning.is_some()
}

fn certainty_short(p: f64) -> &'static str {
    if p < 0.01 {
        "very unlikely to be chance"
    } else if p < 0.05 {
        "unlikely to be chance"
    } else if p < 0.10 {
        "weak evidence"
    } else {
        "could be chance"
    }
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
fn sentence_named(a: &AreaResult, r: &CompareResult, rules: &Disclosure, name: String) -> String {
    let mut s = String::new();
    let per = |e: &Effects| if e.normalised { " a month" } else { "" };
    let name = if a.feature.is_none() {
        "all areas together".to_string()
    } else {
        name
    };
    let sh = shield_row(a, r, rules);
    for (label, key) in [("Crime", MeasureKind::Crime), ("ASB", MeasureKind::Asb)] {
        let Some(x) = find(&sh, &key) else { continue };
        let e = &x.e;
        if x.small.ac() {
            let _ = write!(
                s,
                "{label}: the figures for {name} are withheld because {} counts are too small to publish (1 to {} incidents in a period). ",
                if x.small.a { "its" } else { "the control area's" },
                rules.min_count.saturating_sub(1)
            );
            continue;
        }
        let t = &e.treatment;
        let small = t.before + t.after < 20.0 && !e.normalised;
        match t.pct_change {
            None if t.after == 0.0 => {
                let _ = write!(s, "{label}: none recorded in {name} in either period, so there is nothing to evaluate. ");
                continue;
            }
            None => {
                let _ = write!(
                    s,
                    "{label} in {name} went from none to {}{}",
                    num(t.after, false, e.normalised),
                    per(e)
                );
            }
            Some(p) => {
                let _ = write!(
                    s,
                    "{label} in {name} {} {}({} → {}{})",
                    moved(p),
                    if p == 0.0 {
                        String::new()
                    } else {
                        format!("by {:.0}% ", p.abs())
                    },
                    num(t.before, false, e.normalised),
                    num(t.after, false, e.normalised),
                    per(e)
                );
            }
        }
        match e.control.pct_change {
            Some(p) => {
                let _ = write!(
                    s,
                    ", while in the control area it {} {}",
                    moved(p),
                    if p == 0.0 {
                        String::new()
                    } else {
                        format!("by {:.0}%", p.abs())
                    }
                );
            }
            None => s.push_str(", with no incidents in the control area before"),
        }
        s.push_str(". ");
        if let (Some(rel), Some(p)) = (relative(e), e.res.p) {
            if key == MeasureKind::Crime {
                let _ = write!(
                    s,
                    "Relative to the control that is {rel}; {}.",
                    certainty(p)
                );
            } else {
                let _ = write!(
                    s,
                    "Relative to the control that is {rel}: {}.",
                    certainty_short(p)
                );
            }
            if e.res.zero_corrected {
                s.push_str(" (A count was zero, so 0.5 was added to each: the estimate is rough.)");
            }
            if small {
                s.push_str(" The counts are small, so treat this with caution.");
            }
            s.push(' ');
        }
        if key == MeasureKind::Crime {
            if let (Some(_), Some(d), true) = (&e.buffer, r.buffer_m, x.small.b) {
                let _ = write!(
                    s,
                    "The figures for the {d} m buffer around it are withheld because its counts are too small to publish. "
                );
            } else if let (Some(b), Some(d)) = (&e.buffer, r.buffer_m) {
                match b.pct_change {
                    Some(p) => {
                        let _ = write!(
                            s,
                            "In the {d} m buffer around it crime {} {}",
                            moved(p),
                            if p == 0.0 {
                                String::new()
                            } else {
                                format!("by {:.0}%", p.abs())
                            }
                        );
                    }
                    None => {
                        let _ =
                            write!(s, "In the {d} m buffer around it there was no crime before");
                    }
                }
                if let Some(q) = e.wdq.wdq {
                    let _ = write!(s, " (WDQ {q:.2}: {}). ", e.wdq.interpretation);
                } else {
                    s.push_str(". ");
                }
            }
        }
    }
    s.trim_end().to_string()
}

/// Before → after (change) of one place; a suppressed count reads `<K` (`suppressed` for
/// harm and per-month values).
fn cell(e: &Effects, c: Option<&Change>, harm: bool, k: u64) -> String {
    let val = |v: f64| {
        if !v.is_nan() {
            num(v, harm, e.normalised)
        } else if harm || e.normalised {
            "suppressed".into()
        } else {
            format!("<{k}")
        }
    };
    match c {
        None => "–".into(),
        Some(c) => format!(
            "{} → {}{}",
            val(c.before),
            val(c.after),
            c.pct_change
                .map_or_else(String::new, |p| format!(" ({})", signed_pct(p)))
        ),
    }
}

fn table(out: &mut String, a: &AreaResult, r: &CompareResult, rules: &Disclosure) {
    out.push_str(
        "| Measure | Hub: before → after | Buffer | Control | RES (95% CI) | WDD (z) | WDQ |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    let sh = shield_row(a, r, rules);
    let k = rules.min_count;
    let withheld = "suppressed".to_string();
    for (label, key) in [
        ("Crime", MeasureKind::Crime),
        ("ASB", MeasureKind::Asb),
        ("Harm", MeasureKind::Harm),
    ] {
        let Some(x) = find(&sh, &key) else { continue };
        let e = &x.e;
        let harm = key.is_harm();
        let res = match (e.res.res, e.res.ci_low, e.res.ci_high) {
            _ if x.small.ac() => withheld.clone(),
            (Some(r), Some(l), Some(h)) => format!(
                "{r:.2} ({l:.2}–{h:.2}){}",
                if e.res.zero_corrected { "*" } else { "" }
            ),
            _ => "–".into(),
        };
        let wdd = match e.wdd.z {
            _ if x.small.any() => withheld.clone(),
            Some(z) => format!(
                "{} ({z:.2}){}",
                num(e.wdd.wdd, harm, e.normalised),
                if control_dominates(e) { "†" } else { "" }
            ),
            None => "–".into(),
        };
        let wdq = match e.wdq.wdq {
            _ if x.small.any() => withheld.clone(),
            Some(q) => format!("{q:.2}"),
            None => "n/m".to_string(),
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {res} | {wdd} | {wdq} |",
            cell(e, Some(&e.treatment), harm, k),
            cell(e, e.buffer.as_ref(), harm, k),
            cell(e, Some(&e.control), harm, k),
        );
    }
    let flagged: Vec<&str> = [
        ("crime", MeasureKind::Crime),
        ("ASB", MeasureKind::Asb),
        ("harm", MeasureKind::Harm),
    ]
    .into_iter()
    .filter(|(_, key)| find(&sh, key).is_some_and(|x| x.e.wdd.warning.is_some()))
    .map(|(label, _)| label)
    .collect();
    if !flagged.is_empty() {
        let _ = writeln!(
            out,
            "\n† WDD ({}): a control's before value is over 10× its area's, so the WDD is dominated by the control's own change: read the RES (report.json gives the ratios).",
            flagged.join(", ")
        );
    }
    out.push('\n');
}

/// `report.md`: what was compared and how, then per hub a table (crime, ASB, harm: hub,
/// buffer and control before → after, RES with its 95% CI, WDD with z, WDQ) and a plain
/// sentence saying what the numbers show and how sure we can be; then the pooled areas.
/// `parameters` are `(label, value)` lines for the header. Under active `rules`, a line
/// says what disclosure control withheld, suppressed counts read `<K` and withheld
/// statistics `suppressed`.
pub fn markdown(r: &CompareResult, parameters: &[(String, String)], rules: &Disclosure) -> String {
    let mut o = String::new();
    o.push_str("# Before/after evaluation around hubs and intervention areas\n\n");
    let _ = writeln!(o, "**Periods:** {}.\n", md(&r.period_rule));
    let _ = writeln!(
        o,
        "**Control area:** {} ({:.2} km²).\n",
        md(&r.control.definition),
        r.control.area_m2 / 1e6
    );
    for (k, v) in parameters {
        let _ = writeln!(o, "- {k}: {}", md(v));
    }
    if !parameters.is_empty() {
        o.push('\n');
    }
    if rules.active() {
        let d = disclosure(r, rules);
        let _ = writeln!(
            o,
            "**Disclosure control:** {}; area coordinates to {} decimals.\n",
            d.note, rules.precision
        );
    }
    if !r.notes.is_empty() {
        o.push_str("**Notes**\n\n");
        for n in &r.notes {
            let _ = writeln!(o, "- {n}");
        }
        o.push('\n');
    }
    o.push_str("## How to read the tables\n\n");
    o.push_str("- *before → after (change)*: incidents (harm: summed harm weights) in each period");
    if r.areas
        .iter()
        .any(|a| a.periods.as_ref().is_some_and(|p| p.normalised))
    {
        o.push_str(", per month because the periods differ in length");
    }
    o.push_str(".\n");
    o.push_str("- *RES* (relative effect size): the hub's change against the control's. Above 1, the hub did better than the control's trend predicts (1.25 = 20% fewer incidents than expected); below 1, worse. If the 95% interval excludes 1, the difference is unlikely to be chance. `*` = a count was zero and 0.5 was added to each.\n");
    o.push_str("- *WDD* (weighted displacement difference): the change in the hub and the buffer minus the change in the control, in incidents. Negative = a fall net of displacement; z below −1.96 = unlikely to be chance. WDD compares raw counts, so it suits a control area with counts similar to the hub's; with a much larger control (the default, the rest of the study area) read RES.\n");
    if rules.active() {
        let _ = writeln!(
            o,
            "- *<{k}* / *suppressed*: built from 1 to {} incidents, so not published; a statistic computed from such a count is suppressed too.",
            rules.min_count - 1,
            k = rules.min_count
        );
    }
    o.push_str("- *WDQ* (weighted displacement quotient): only meaningful when the hub improved against the control (n/m otherwise). Above 0 = the benefits spread into the buffer (diffusion); between 0 and −1 = some crime moved into the buffer but less than was prevented; below −1 = more moved than was prevented.\n\n");
    for a in &r.areas {
        let _ = writeln!(o, "## {}\n", md(&a.name));
        if let Some(p) = &a.periods {
            let _ = writeln!(o, "Periods: {}.\n", p.describe());
        }
        if let Some(why) = &a.repaired {
            let _ = writeln!(
                o,
                "The area's polygon was invalid ({}) and was repaired.\n",
                md(why)
            );
        }
        table(&mut o, a, r, rules);
        let _ = writeln!(o, "{}\n", sentence_named(a, r, rules, md(&a.name)));
    }
    let _ = writeln!(o, "## All areas together\n");
    if r.pooling == Pooling::Stacked {
        o.push_str(
            "Areas have different periods: each area's counts in its own periods are summed.\n\n",
        );
    } else {
        o.push_str("Each incident counts once, however many areas it lies in.\n\n");
    }
    table(&mut o, &r.pooled, r, rules);
    let _ = writeln!(o, "{}\n", sentence_with(&r.pooled, r, rules));
    if !r.overlaps.is_empty() {
        o.push_str(
            "## Overlaps\n\n| Kind | First | Second | Shared area (m²) |\n|---|---|---|---|\n",
        );
        for ov in &r.overlaps {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.0} |",
                ov.kind,
                md(&ov.first),
                md(&ov.second),
                ov.area_m2
            );
        }
        o.push('\n');
    }
    o
}

/// Projects a working-CRS (multi)polygon to a lon/lat [`Geom`] (one batch through
/// `inverse`), exteriors counter-clockwise.
pub fn to_lonlat(mp: &MultiPolygon<f64>, inverse: &Transform) -> Result<Geom> {
    let mut pts: Vec<[f64; 2]> = mp.coords_iter().map(|c| [c.x, c.y]).collect();
    inverse.apply(&mut pts);
    if pts.iter().any(|p| p[0].is_nan()) {
        return Err(Error::Crs(
            "an area could not be projected back to WGS84".into(),
        ));
    }
    let mut it = pts.into_iter();
    let mut polys = Vec::with_capacity(mp.0.len());
    for p in &mp.0 {
        let mut rings = Vec::with_capacity(1 + p.interiors().len());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            rings.push(it.by_ref().take(ring.0.len()).collect::<Vec<_>>());
        }
        polys.push(rings);
    }
    Ok(Geom::MultiPolygon(polys).oriented())
}

fn effect_props(props: &mut Map<String, Value>, e: Option<&Effects>, prefix: &str, place: &str) {
    let change = e.and_then(|e| match place {
        "treatment" => Some(&e.treatment),
        "buffer" => e.buffer.as_ref(),
        _ => Some(&e.control),
    });
    let n = |v: Option<f64>| v.map_or(Value::Null, json_num);
    props.insert(format!("{prefix}_before"), n(change.map(|c| c.before)));
    props.insert(format!("{prefix}_after"), n(change.map(|c| c.after)));
    props.insert(
        format!("{prefix}_pct_change"),
        n(change.and_then(|c| c.pct_change)),
    );
    if place == "treatment" {
        props.insert(
            format!("{prefix}_gross_effect"),
            n(e.map(|e| e.gross_effect)),
        );
        props.insert(format!("{prefix}_res"), n(e.and_then(|e| e.res.res)));
        props.insert(
            format!("{prefix}_res_ci_low"),
            n(e.and_then(|e| e.res.ci_low)),
        );
        props.insert(
            format!("{prefix}_res_ci_high"),
            n(e.and_then(|e| e.res.ci_high)),
        );
        props.insert(format!("{prefix}_res_p"), n(e.and_then(|e| e.res.p)));
        props.insert(format!("{prefix}_wdd"), n(e.map(|e| e.wdd.wdd)));
        props.insert(format!("{prefix}_wdd_z"), n(e.and_then(|e| e.wdd.z)));
        props.insert(format!("{prefix}_tne"), n(e.and_then(|e| e.tne)));
    }
    if place == "buffer" {
        props.insert(format!("{prefix}_wdq"), n(e.and_then(|e| e.wdq.wdq)));
        props.insert(
            format!("{prefix}_wdd_displacement"),
            n(e.and_then(|e| e.wdd.displacement)),
        );
    }
}

fn props_for(a: Option<(&AreaResult, &[Shielded])>, name: &str, place: &str) -> Map<String, Value> {
    let (a, sh) = (a.map(|x| x.0), a.map(|x| x.1));
    let measure = |key: &MeasureKind| sh.and_then(|sh| find(sh, key)).map(|x| &x.e);
    let mut p = Map::new();
    p.insert("name".into(), name.into());
    p.insert("place".into(), place.into());
    p.insert(
        "feature".into(),
        a.and_then(|a| a.feature).map_or(Value::Null, Value::from),
    );
    let periods = a.and_then(|a| a.periods.as_ref());
    p.insert(
        "before".into(),
        periods.map_or(Value::Null, |p| p.before.to_string().into()),
    );
    p.insert(
        "after".into(),
        periods.map_or(Value::Null, |p| p.after.to_string().into()),
    );
    let unit = measure(&MeasureKind::Crime).map_or(Value::Null, |e| Value::from(e.unit));
    p.insert("unit".into(), unit);
    for key in [MeasureKind::Crime, MeasureKind::Asb, MeasureKind::Harm] {
        effect_props(&mut p, measure(&key), &key.to_string(), place);
    }
    p
}

/// Writes `areas.geojson`: per area a `treatment` and (with a buffer) a `buffer` feature,
/// then one `control` feature, all in WGS84 with counts and effects as properties
/// (`name, place, feature, before, after, unit`, then for `crime`, `asb` and `harm`:
/// `_before, _after, _pct_change`; on treatment features also `_gross_effect, _res,
/// _res_ci_low, _res_ci_high, _res_p, _wdd, _wdd_z, _tne`; on buffer features `_wdq,
/// _wdd_displacement`). The control feature carries the pooled row's control values when
/// every area shares its periods, and nulls otherwise; a buffer control, when given, is
/// drawn as a last feature (`place` `buffer_control`, values null: its counts are in
/// report.json). Point hubs are drawn as 72-gons, but counted by exact distance. `members` go in as foreign
/// top-level members (the run's parameters). Under `rules`, values withheld are null,
/// small counts rounded with `--round`, and coordinates have `rules.precision` decimals
/// (point hubs are always written as their circles, never as points).
pub fn write_geojson<W: Write>(
    w: W,
    r: &CompareResult,
    set: &AreaSet,
    inverse: &Transform,
    members: &Map<String, Value>,
    rules: &Disclosure,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io("areas.geojson", e);
    let mut fw = FeatureWriter::begin(w, members)
        .map_err(io)?
        .with_decimals(rules.precision);
    for (a, res) in set.areas.iter().zip(&r.areas) {
        let sh = shield_row(res, r, rules);
        fw.feature(
            &to_lonlat(&a.treatment, inverse)?,
            &props_for(Some((res, &sh)), &a.name, "treatment"),
        )
        .map_err(io)?;
        if let Some(ring) = &a.ring {
            fw.feature(
                &to_lonlat(ring, inverse)?,
                &props_for(Some((res, &sh)), &a.name, "buffer"),
            )
            .map_err(io)?;
        }
    }
    if !r.control_geometry.0.is_empty() {
        let pooled = (r.pooling == Pooling::Union).then_some(&r.pooled);
        let sh = pooled.map(|p| shield_row(p, r, rules));
        fw.feature(
            &to_lonlat(&r.control_geometry, inverse)?,
            &props_for(pooled.zip(sh.as_deref()), "control", "control"),
        )
        .map_err(io)?;
    }
    if let Some(g) = r
        .buffer_control_geometry
        .as_ref()
        .filter(|g| !g.0.is_empty())
    {
        // its counts are in report.json (`counts.buffer_control`); the feature draws it
        fw.feature(
            &to_lonlat(g, inverse)?,
            &props_for(None, "buffer control", "buffer_control"),
        )
        .map_err(io)?;
    }
    fw.finish().map_err(io)?;
    Ok(())
}
