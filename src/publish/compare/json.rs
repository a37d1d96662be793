//! `report.json` of a comparison: the parameters used ([`CompareUsed`]), the read summary,
//! the manifest and the whole result, each area (and the pooled row) with its
//! plain-language `summary` — rendered from typed records. Under active disclosure rules
//! ([`super::shield`]) the published records hold `null` where a value is withheld, and a
//! `disclosure` member records the rules and what they did.

use super::sentence::sentence_with;
use super::shield::{publish_count, series_places, shield_row_into, shield_series, Tally};
use crate::compare::stats::{Change, Effects, Res, Test, Wdd, Wdq};
use crate::compare::{
    AreaResult, AreaShape, CompareResult, CompareUsed, ControlSummary, CountMethod, Counts,
    MeasureKind, Overlap, PeriodCounts, Periods, Pooling, SeriesPlace,
};
use crate::model::incident::ReadSummary;
use crate::model::month::{Month, MonthRange};
use crate::publish::disclosure::{Disclosure, DisclosureReport};
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts of one place and period as published: `None` where withheld.
#[derive(Serialize)]
struct PubCounts<'a> {
    all: Option<u64>,
    crime: Option<u64>,
    asb: Option<u64>,
    harm: Option<f64>,
    types: BTreeMap<&'a str, Option<u64>>,
}

#[derive(Serialize)]
struct PubPeriodCounts<'a> {
    before: PubCounts<'a>,
    after: PubCounts<'a>,
}

#[derive(Serialize)]
struct PubPlaceCounts<'a> {
    treatment: PubPeriodCounts<'a>,
    buffer: Option<PubPeriodCounts<'a>>,
    control: PubPeriodCounts<'a>,
    buffer_control: Option<&'a PeriodCounts>,
}

/// The WDQ as published: `meaningful` is `None` when the WDQ is withheld.
#[derive(Serialize)]
struct PubWdq {
    sm: Option<f64>,
    bdm: Option<f64>,
    wdq: Option<f64>,
    meaningful: Option<bool>,
    interpretation: String,
}

/// The RES as published: `zero_corrected` is `None` when the RES is withheld.
#[derive(Serialize)]
struct PubRes {
    res: Option<f64>,
    var_log: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    z: Option<f64>,
    p: Option<f64>,
    zero_corrected: Option<bool>,
    note: Option<String>,
}

/// One measure's statistics as published.
#[derive(Serialize)]
struct PubMeasure {
    measure: MeasureKind,
    normalised: bool,
    unit: &'static str,
    treatment: Change,
    buffer: Option<Change>,
    control: Change,
    gross_effect: f64,
    wdq: PubWdq,
    tne: Option<f64>,
    wdd: Wdd,
    did: Test,
    res: PubRes,
}

#[derive(Serialize)]
struct PubSeriesPlace {
    crime: Vec<Option<u64>>,
    asb: Vec<Option<u64>>,
    harm: Vec<f64>,
}

#[derive(Serialize)]
struct PubSeries<'a> {
    months: &'a [Month],
    period: &'a [&'static str],
    treatment: PubSeriesPlace,
    buffer: Option<PubSeriesPlace>,
    control: PubSeriesPlace,
    buffer_control: Option<&'a SeriesPlace>,
}

/// One row (an area or the pooled row) as published.
#[derive(Serialize)]
struct PubRow<'a> {
    name: &'a str,
    feature: Option<usize>,
    shape: Option<&'a AreaShape>,
    periods: Option<&'a Periods>,
    treatment_m2: f64,
    buffer_m2: Option<f64>,
    repaired: Option<&'a str>,
    counts: PubPlaceCounts<'a>,
    measures: Vec<PubMeasure>,
    series: PubSeries<'a>,
    summary: String,
}

/// The result as published.
#[derive(Serialize)]
struct PubResult<'a> {
    data_months: &'a [MonthRange],
    types: &'a [String],
    period_rule: &'a str,
    auto_months: Option<u32>,
    shared_periods: bool,
    pooling: Pooling,
    buffer_m: Option<f64>,
    radius_m: Option<f64>,
    control: &'a ControlSummary,
    buffer_control: Option<&'a ControlSummary>,
    method: CountMethod,
    areas: Vec<PubRow<'a>>,
    pooled: PubRow<'a>,
    overlaps: &'a [Overlap],
    notes: &'a [String],
}

/// `harmspot` member: the command and version.
#[derive(Serialize)]
pub(super) struct Program {
    pub(super) command: &'static str,
    pub(super) version: &'static str,
}

impl Program {
    pub(super) fn compare() -> Program {
        Program {
            command: "compare",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// The `disclosure` member of `report.json` and `areas.geojson`.
#[derive(Serialize)]
pub(super) struct DisclosureMember<'a> {
    #[serde(flatten)]
    report: &'a DisclosureReport,
    coordinate_decimals: usize,
}

impl<'a> DisclosureMember<'a> {
    pub(super) fn new(rules: &Disclosure, report: &'a DisclosureReport) -> Self {
        DisclosureMember {
            report,
            coordinate_decimals: rules.precision,
        }
    }
}

/// `report.json` as a whole.
#[derive(Serialize)]
pub(super) struct Report<'a> {
    harmspot: Program,
    parameters: &'a CompareUsed,
    read: &'a ReadSummary,
    result: PubResult<'a>,
    /// The calibrated verdicts (METHODS §6b) with their monthly series and top donors;
    /// left out under active disclosure rules (report.csv and report.md carry the
    /// verdicts then, withheld where the hub's counts are).
    #[serde(skip_serializing_if = "Option::is_none")]
    verdicts: Option<&'a crate::compare::Verdicts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disclosure: Option<DisclosureMember<'a>>,
    manifest: serde_json::Value,
}

fn count(rules: &Disclosure, n: u64, t: &mut Tally) -> Option<u64> {
    let x = publish_count(rules, n, t);
    (!x.is_nan()).then_some(x as u64)
}

fn counts<'a>(c: &'a Counts, rules: &Disclosure, t: &mut Tally) -> PubCounts<'a> {
    let harm = if rules.small(c.all as f64) {
        if c.harm.is_finite() {
            t.suppressed += 1;
        }
        None
    } else {
        Some(c.harm)
    };
    PubCounts {
        all: count(rules, c.all, t),
        crime: count(rules, c.crime, t),
        asb: count(rules, c.asb, t),
        harm,
        types: c
            .types
            .iter()
            .map(|(k, n)| (k.as_str(), count(rules, *n, t)))
            .collect(),
    }
}

fn period_counts<'a>(
    p: &'a PeriodCounts,
    rules: &Disclosure,
    t: &mut Tally,
) -> PubPeriodCounts<'a> {
    PubPeriodCounts {
        before: counts(&p.before, rules, t),
        after: counts(&p.after, rules, t),
    }
}

fn measure(measure: MeasureKind, e: Effects, any: bool, ac: bool) -> PubMeasure {
    let Wdq {
        sm,
        bdm,
        wdq,
        meaningful,
        interpretation,
    } = e.wdq;
    let Res {
        res,
        var_log,
        ci_low,
        ci_high,
        z,
        p,
        zero_corrected,
        note,
    } = e.res;
    PubMeasure {
        measure,
        normalised: e.normalised,
        unit: e.unit,
        treatment: e.treatment,
        buffer: e.buffer,
        control: e.control,
        gross_effect: e.gross_effect,
        wdq: PubWdq {
            sm,
            bdm,
            wdq,
            meaningful: (!any).then_some(meaningful),
            interpretation,
        },
        tne: e.tne,
        wdd: e.wdd,
        did: e.did,
        res: PubRes {
            res,
            var_log,
            ci_low,
            ci_high,
            z,
            p,
            zero_corrected: (!ac).then_some(zero_corrected),
            note,
        },
    }
}

fn series_place(s: &SeriesPlace, rules: &Disclosure, t: &mut Tally) -> PubSeriesPlace {
    let [crime, asb, harm] = shield_series(s, rules, t);
    let int = |v: Vec<f64>| v.into_iter().map(|x| (!x.is_nan()).then_some(x as u64));
    PubSeriesPlace {
        crime: int(crime).collect(),
        asb: int(asb).collect(),
        harm,
    }
}

/// One row under the rules, tallying what they withheld into `t`.
fn row<'a>(a: &'a AreaResult, r: &CompareResult, rules: &Disclosure, t: &mut Tally) -> PubRow<'a> {
    let c = &a.counts;
    let counts = PubPlaceCounts {
        treatment: period_counts(&c.treatment, rules, t),
        buffer: c.buffer.as_ref().map(|b| period_counts(b, rules, t)),
        control: period_counts(&c.control, rules, t),
        buffer_control: c.buffer_control.as_ref(),
    };
    let measures = shield_row_into(a, r, rules, t)
        .into_iter()
        .map(|x| measure(x.measure, x.e, x.small.any(), x.small.ac()))
        .collect();
    let mut places = series_places(a).into_iter();
    let mut next = |t: &mut Tally| places.next().map(|(_, s)| series_place(s, rules, t));
    let s = &a.series;
    let treatment = next(t).expect("a treatment series");
    let buffer = if s.buffer.is_some() { next(t) } else { None };
    let control = next(t).expect("a control series");
    PubRow {
        name: &a.name,
        feature: a.feature,
        shape: a.shape.as_ref(),
        periods: a.periods.as_ref(),
        treatment_m2: a.treatment_m2,
        buffer_m2: a.buffer_m2,
        repaired: a.repaired.as_deref(),
        counts,
        measures,
        series: PubSeries {
            months: &s.months,
            period: &s.period,
            treatment,
            buffer,
            control,
            buffer_control: s.buffer_control.as_ref(),
        },
        summary: sentence_with(a, r, rules),
    }
}

/// The result as published under the rules, and what the rules did.
fn result<'a>(r: &'a CompareResult, rules: &Disclosure) -> (PubResult<'a>, DisclosureReport) {
    let mut t = Tally::default();
    let mut affected = 0;
    let mut one = |a: &'a AreaResult| {
        let before = t;
        let p = row(a, r, rules, &mut t);
        if rules.active() && t != before {
            affected += 1;
        }
        p
    };
    let areas: Vec<PubRow> = r.areas.iter().map(&mut one).collect();
    let pooled = one(&r.pooled);
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
    let published = PubResult {
        data_months: &r.data_months,
        types: &r.types,
        period_rule: &r.period_rule,
        auto_months: r.auto_months,
        shared_periods: r.shared_periods,
        pooling: r.pooling,
        buffer_m: r.buffer_m,
        radius_m: r.radius_m,
        control: &r.control,
        buffer_control: r.buffer_control.as_ref(),
        method: r.method,
        areas,
        pooled,
        overlaps: &r.overlaps,
        notes: &r.notes,
    };
    (published, report)
}

/// What disclosure control withholds in a comparison's outputs: values suppressed and
/// rounded in `report.json` (each count, harm total, statistic and monthly value once; the
/// other outputs show the same values) and the rows (areas and the pooled row) affected.
///
/// ```
/// use harmspot::compare::{evaluate, build_areas, AreasParams, CompareParams, PeriodSpec};
/// use harmspot::disclosure::Disclosure;
/// use harmspot::publish::compare::disclosure;
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
/// let d = disclosure(&r, &Disclosure::partner(None));
/// // Per row (the hub, and All areas, which holds the same incidents), 4 < K = 5:
/// // counts all, crime, Burglary and harm before (4); January's crime and harm in the
/// // series (2); crime and Burglary each: before, % change, GE, SM, TNE, WDD local, WDD,
/// // its variance, z, p, DiD, its variance, z, p and RES, V, CI (2), z, p (20); harm the
/// // same less RES, undefined on a zero harm total (14). 60 × 2 rows = 120.
/// assert_eq!((d.suppressed_values, d.rounded_values, d.cells_affected), (120, 0, 2));
/// // With a rounding base of 5 six counts per row (all, crime and Burglary before, the
/// // crime and Burglary measures' before, January's crime) are rounded to 5, the rest
/// // suppressed.
/// let rounding = Disclosure { round: Some(5), ..Disclosure::partner(None) };
/// let d = disclosure(&r, &rounding);
/// assert_eq!((d.suppressed_values, d.rounded_values), (108, 12));
/// ```
pub fn disclosure(r: &CompareResult, rules: &Disclosure) -> DisclosureReport {
    result(r, rules).1
}

/// `report.json` under `rules`: the typed report and what the rules did.
pub(super) fn report<'a>(
    r: &'a CompareResult,
    used: &'a CompareUsed,
    read: &'a ReadSummary,
    manifest: serde_json::Value,
    rules: &Disclosure,
) -> (Report<'a>, DisclosureReport) {
    let (result, d) = result(r, rules);
    let report = Report {
        harmspot: Program::compare(),
        parameters: used,
        read,
        result,
        verdicts: (!rules.active()).then_some(&r.verdicts),
        disclosure: None,
        manifest,
    };
    (report, d)
}

impl<'a> Report<'a> {
    /// Adds the `disclosure` member (when the rules are active).
    pub(super) fn with_disclosure(mut self, m: DisclosureMember<'a>) -> Self {
        self.disclosure = Some(m);
        self
    }
}
