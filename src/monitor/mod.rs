//! Monitoring measures by period: the quarterly table of measures of success a Violence
//! Reduction Unit reports to its board (METHODS §10; `harmspot monitor`).
//!
//! For each area (a hub's circle, an intervention polygon, an LSOA, a hotspot area) and for
//! all areas together, [`evaluate`] counts each measure ([`measures::Measure`]) per period
//! ([`period`]: months, quarters or years from a year start, `04` for UK financial years)
//! and compares each period with a baseline ([`baseline`]): the mean count per month of the
//! baseline months, scaled to the period's months, with 95% limits widened by the
//! quasi-Poisson dispersion of the baseline months (METHODS §6b). A complete period above
//! or below the limits is flagged; a period with months missing from the data is
//! *incomplete*, shown with its months and never flagged (police.uk months do go missing).
//! Each period also carries the same period a year before and the % change, as VRU
//! quarterly returns report them.
//!
//! Counting is compare's ([`crate::compare::per_area`]): an incident counts in every area
//! it lies in (a point hub's exact circle; a polygon's inside, edge excluded) and once in
//! "all areas together". Partner activities ([`activities`]) are counted the same way;
//! area-coded counts ([`area_counts`]) are summed by code, never spread over areas.
//!
//! Rooms: [`period`] groups months; [`baseline`] fits the baseline and flags; [`measures`]
//! names the measures and builds their monthly series; [`repeat`] finds repeat locations;
//! [`activities`] and [`area_counts`] read the partner data; [`gaps`] finds recording
//! gaps; this file assembles the table.

pub mod activities;
pub mod area_counts;
pub mod baseline;
mod csv_table;
pub mod gaps;
pub mod measures;
pub mod period;
pub mod repeat;
pub mod used;

pub use baseline::{Baseline, Flag};
pub use measures::{Measure, Series};
pub use period::{Calendar, Period, PeriodKind};

use crate::compare::per_area::tally_areas;
use crate::compare::AreaSet;
use crate::error::Param;
use crate::error::{Error, Result};
use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};
use serde::Serialize;

/// Parameters of [`evaluate`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonitorParams {
    /// Periods: grouping and year start (default calendar quarters).
    pub calendar: Calendar,
    /// Baseline months, every month of it in the data counted (default: the months of the
    /// first four complete quarters, twelve complete months or one complete year of each
    /// measure).
    pub baseline: Option<MonthRange>,
}

impl MonitorParams {
    /// Periods (default calendar quarters).
    pub fn calendar(mut self, c: Calendar) -> Self {
        self.calendar = c;
        self
    }
    /// Baseline months (default: the first year of complete periods).
    pub fn baseline(mut self, b: MonthRange) -> Self {
        self.baseline = Some(b);
        self
    }
}

/// Partner data counted besides the incidents.
#[derive(Clone, Debug, Default)]
pub struct PartnerData {
    /// Activity points (`activities`).
    pub activities: Option<activities::Activities>,
    /// Area-coded counts and each area's code.
    pub area_counts: Option<(area_counts::AreaCounts, Vec<String>)>,
}

/// One cell of the table: one measure, one place, one period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    /// The count (harm: the sum of weights) over the months of the period in the data.
    pub count: f64,
    /// Months of the period the measure has in the data.
    pub months: usize,
    /// Expected count for those months (`months · ȳ`), when there is a baseline.
    pub baseline_mean: Option<f64>,
    /// Lower 95% limit, floored at 0.
    pub low: Option<f64>,
    /// Upper 95% limit.
    pub high: Option<f64>,
    /// Above, below, within, incomplete (or no baseline).
    pub flag: Flag,
    /// The count of the same period a year before, when that period is complete.
    pub last_year: Option<f64>,
    /// `100 · (count / last_year − 1)`, when both periods are complete and last year's
    /// count is positive.
    pub change_pct: Option<f64>,
    /// Incidents behind `count` (disclosure control).
    pub support: f64,
    /// Incidents behind `last_year`.
    pub last_year_support: f64,
}

/// One measure's table: a baseline per place and a row per place × period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureResult {
    /// The measure.
    pub measure: Measure,
    /// The baseline months asked for or chosen; `None` when the measure has too few
    /// complete periods for the default baseline.
    pub baseline_range: Option<MonthRange>,
    /// Baseline months the measure has in the data.
    pub baseline_months: usize,
    /// Months of the span the measure has.
    pub months_present: Vec<Month>,
    /// Per place (each area, then all areas together): the fitted baseline.
    pub baselines: Vec<Option<Baseline>>,
    /// Per place: the incidents behind the baseline (disclosure control).
    pub baseline_support: Vec<f64>,
    /// `rows[place][period]`.
    pub rows: Vec<Vec<Row>>,
}

/// A monitoring table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonitorResult {
    /// Periods used.
    pub calendar: Calendar,
    /// First and last month of the police data.
    pub span: MonthRange,
    /// Months of the span missing from the police data.
    pub missing_months: Vec<Month>,
    /// Area names, in file order (the last place, "All areas together", is not listed).
    pub areas: Vec<String>,
    /// The periods, in order.
    pub periods: Vec<Period>,
    /// One table per measure.
    pub measures: Vec<MeasureResult>,
    /// Months far below their measure's usual level in the whole extract ([`gaps`]).
    pub gaps: Vec<gaps::Gap>,
    /// What the analyst should know (months left out of the partner data, baselines).
    pub notes: Vec<String>,
}

/// The name of the place that pools every area.
pub const ALL_AREAS: &str = "All areas together";

impl MonitorResult {
    /// The name of place `p` (an area, or [`ALL_AREAS`]).
    pub fn place_name(&self, p: usize) -> &str {
        self.areas.get(p).map_or(ALL_AREAS, String::as_str)
    }
    /// Number of places: every area and all areas together.
    pub fn places(&self) -> usize {
        self.areas.len() + 1
    }
}

/// Months of `span` with at least one incident.
fn present_months(inc: &Incidents, span: MonthRange) -> Vec<bool> {
    let mut v = vec![false; span.len()];
    for m in &inc.month {
        if span.contains(*m) {
            v[m.since(span.from) as usize] = true;
        }
    }
    v
}

/// Counts each measure per area and period and compares each period with its baseline
/// (METHODS §10).
///
/// Citation: METHODS §10; the dispersion is METHODS §6b's quasi-Poisson `φ`.
///
/// Parameters: `incidents` in the working CRS with months; `areas` from
/// [`crate::compare::build_areas`]; `partner` activities and area-coded counts; `params`
/// the periods and baseline.
///
/// Returns a [`MonitorResult`]: per measure, place (each area and all together) and
/// period, the count, the months in the data, the baseline mean and limits, the flag, and
/// last year's count with the % change.
///
/// Errors: no months in the data ([`Error::NoData`]); a baseline outside the data's months
/// ([`Error::Param`] naming `baseline`); counting beyond the bounded-work limits
/// ([`Error::Work`]).
///
/// # Examples
/// ```
/// use harmspot::compare::{build_areas, AreasParams};
/// use harmspot::monitor::{evaluate, Flag, MonitorParams, PartnerData};
/// use harmspot::read::areas::AreaFeature;
/// use harmspot::{Incidents, Month};
/// use geo::{Geometry, Point};
/// // 10 burglaries a month at a hub for a year, then 30 in each month of 2022 Q1
/// let mut inc = Incidents { types: vec!["Burglary".into()], ..Default::default() };
/// for k in 0..15 {
///     let month = Month::parse("2021-01").unwrap().add(k);
///     for _ in 0..(if k < 12 { 10 } else { 30 }) {
///         inc.xy.push([0.0, 0.0]); inc.month.push(month); inc.kind.push(0); inc.harm.push(1.0);
///     }
/// }
/// let mut props = serde_json::Map::new();
/// props.insert("name".into(), "Hub".into());
/// let hub = AreaFeature { number: 1, properties: props, geometry: Geometry::Point(Point::new(0.0, 0.0)) };
/// let set = build_areas(&[hub], "hubs.geojson".as_ref(), &AreasParams::default().radius(100.0)).unwrap();
/// let r = evaluate(&inc, &set, &PartnerData::default(), &MonitorParams::default()).unwrap();
/// let crime = &r.measures[0];
/// assert_eq!(r.periods[4].label, "2022 Q1");
/// let q = &crime.rows[0][4];
/// // baseline 2021 Q1..Q4: 10 a month, 30 a quarter, limits 30 ± 1.96·√30
/// assert_eq!((q.count, q.baseline_mean), (90.0, Some(30.0)));
/// assert_eq!(q.flag, Flag::Above);
/// assert_eq!((q.last_year, q.change_pct), (Some(30.0), Some(200.0)));
/// ```
pub fn evaluate(
    incidents: &Incidents,
    areas: &AreaSet,
    partner: &PartnerData,
    params: &MonitorParams,
) -> Result<MonitorResult> {
    let Some(span) = incidents.month_range() else {
        return Err(Error::NoData(
            "monitor needs the month of each incident, and the input has none (police.uk files have a `Month` column; for your own CSV give ‹month_col›)".into(),
        ));
    };
    if areas.areas.is_empty() {
        return Err(Error::NoData("no areas to monitor".into()));
    }
    if let Some(b) = params.baseline {
        if b.to < span.from || b.from > span.to {
            return Err(Error::param(
                Param::Baseline,
                format!("{b} lies outside the months of the data ({span})"),
            ));
        }
    }
    let present = present_months(incidents, span);
    let mut notes = Vec::new();
    let series = all_series(incidents, areas, partner, span, &present, &mut notes)?;
    let periods = params.calendar.periods(span);
    let measures = series
        .iter()
        .map(|s| table(s, &params.calendar, &periods, span, params.baseline))
        .collect::<Vec<_>>();
    let gaps = gaps::find(incidents, span, &present);
    notes.extend(baseline_notes(&measures, &gaps));
    Ok(MonitorResult {
        calendar: params.calendar,
        span,
        missing_months: span
            .iter()
            .filter(|m| !present[m.since(span.from) as usize])
            .collect(),
        areas: areas.areas.iter().map(|a| a.name.clone()).collect(),
        periods,
        measures,
        gaps,
        notes,
    })
}

/// What the analyst should know about the baselines: a measure without one, and a
/// baseline holding a recording gap.
fn baseline_notes(measures: &[MeasureResult], gaps: &[gaps::Gap]) -> Vec<String> {
    let mut notes = Vec::new();
    for m in measures {
        let name = m.measure.name();
        match m.baseline_range {
            None if m.measure == Measure::RepeatLocations => notes.push(format!(
                "`{name}` counts a month only when the 12 months before it are all in the data (its look-back){}, which leaves fewer than a year of complete periods: no baseline and no flags yet",
                m.months_present.first().map_or(String::new(), |f| format!(", so from {f}"))
            )),
            None => notes.push(format!(
                "`{name}` has fewer than a year of complete periods in the data, so it has no baseline and no flags"
            )),
            Some(b) => {
                for g in gaps.iter().filter(|g| g.measure == m.measure && b.contains(g.month)) {
                    notes.push(format!(
                        "the `{name}` baseline holds {}, a month with unusually few records in the whole extract ({} against {} next to it): the baseline average is lower and its range wider than usual; choose other baseline months with ‹baseline› if that is not wanted",
                        g.month, g.count, g.neighbour
                    ));
                }
            }
        }
    }
    notes
}

/// The monthly series of every measure: police measures, repeat locations, activities and
/// area-coded counts.
fn all_series(
    incidents: &Incidents,
    areas: &AreaSet,
    partner: &PartnerData,
    span: MonthRange,
    present: &[bool],
    notes: &mut Vec<String>,
) -> Result<Vec<Series>> {
    // one counting pass: each type twice, at a repeat location or not (repeat::doubled)
    let doubled = repeat::doubled(incidents, &repeat::repeats(incidents));
    let tally = tally_areas(&doubled, areas, span)?;
    let mut series = measures::police(&tally, incidents, present);
    series.push(measures::repeats(
        &tally,
        repeat::lookback_complete(span, present),
    ));
    if let Some(a) = &partner.activities {
        let inc = a.as_incidents();
        let outside = inc.month.iter().filter(|m| !span.contains(**m)).count();
        if outside > 0 {
            notes.push(format!(
                "{outside} of {} activities in {} fall outside the months of the police data ({span}) and are not counted",
                inc.len(),
                a.path.display()
            ));
        }
        let t = tally_areas(&inc, areas, span)?;
        series.push(measures::all_of(&t, Measure::Activities, present.to_vec()));
    }
    if let Some((counts, codes)) = &partner.area_counts {
        let s = area_counts::sum(counts, codes, span.from, span.len());
        let u = &s.unmatched;
        if u.rows > 0 {
            notes.push(format!(
                "{} rows of {} have a code no area has (e.g. {}) and are not counted",
                u.rows,
                counts.path.display(),
                u.examples.join(", ")
            ));
        }
        if u.outside_months > 0 {
            notes.push(format!(
                "{} rows of {} fall outside the months of the police data ({span}) and are not counted",
                u.outside_months,
                counts.path.display()
            ));
        }
        for (k, name) in counts.measures.iter().enumerate() {
            series.push(Series {
                measure: Measure::Coded(name.clone()),
                values: s.values[k].clone(),
                support: s.values[k].clone(),
                present: s.present[k].clone(),
            });
        }
    }
    Ok(series)
}

/// One measure's table over every place and period.
fn table(
    s: &Series,
    cal: &Calendar,
    periods: &[Period],
    span: MonthRange,
    asked: Option<MonthRange>,
) -> MeasureResult {
    let baseline_range = asked.or_else(|| period::default_baseline(cal, periods, span, &s.present));
    let per_year = cal.kind.per_year();
    let months: Vec<usize> = periods
        .iter()
        .map(|p| period::months_present(p, span, &s.present))
        .collect();
    // the default baseline is the complete periods only; an asked one is every month in it
    let complete = |m: Month| {
        periods
            .iter()
            .zip(&months)
            .any(|(p, &n)| n == p.full_months && p.range().contains(m))
    };
    let in_baseline: Vec<usize> = (0..span.len())
        .filter(|&m| {
            let mo = span.from.add(m as i32);
            s.present[m]
                && baseline_range.is_some_and(|b| b.contains(mo))
                && (asked.is_some() || complete(mo))
        })
        .collect();
    let sum_over = |v: &[f64], p: &Period| -> f64 {
        p.range()
            .iter()
            .filter(|m| span.contains(*m))
            .map(|m| m.since(span.from) as usize)
            .filter(|&m| s.present[m])
            .map(|m| v[m])
            .sum()
    };
    let mut baselines = Vec::new();
    let mut baseline_support = Vec::new();
    let mut rows = Vec::new();
    for (vals, sup) in s.values.iter().zip(&s.support) {
        let monthly: Vec<f64> = in_baseline.iter().map(|&m| vals[m]).collect();
        let b = baseline::fit(&monthly);
        baselines.push(b);
        baseline_support.push(in_baseline.iter().map(|&m| sup[m]).sum());
        let counts: Vec<f64> = periods.iter().map(|p| sum_over(vals, p)).collect();
        let supports: Vec<f64> = periods.iter().map(|p| sum_over(sup, p)).collect();
        let place_rows = periods
            .iter()
            .enumerate()
            .map(|(j, p)| {
                let n = months[j];
                let complete = n == p.full_months;
                let flag = match (&b, complete) {
                    (_, false) => Flag::Incomplete,
                    (None, true) => Flag::NoBaseline,
                    (Some(b), true) => b.flag(counts[j], n, p.full_months),
                };
                let lim = b.filter(|_| n > 0).map(|b| b.limits(n));
                let prev = j
                    .checked_sub(per_year)
                    .filter(|&i| months[i] == periods[i].full_months);
                let last_year = prev.map(|i| counts[i]);
                Row {
                    count: counts[j],
                    months: n,
                    baseline_mean: b.filter(|_| n > 0).map(|b| b.expected(n)),
                    low: lim.map(|l| l.0),
                    high: lim.map(|l| l.1),
                    flag,
                    last_year,
                    change_pct: last_year
                        .filter(|&l| complete && l > 0.0)
                        .map(|l| 100.0 * (counts[j] / l - 1.0)),
                    support: supports[j],
                    last_year_support: prev.map_or(0.0, |i| supports[i]),
                }
            })
            .collect();
        rows.push(place_rows);
    }
    MeasureResult {
        measure: s.measure.clone(),
        baseline_range,
        baseline_months: in_baseline.len(),
        months_present: (0..span.len())
            .filter(|&m| s.present[m])
            .map(|m| span.from.add(m as i32))
            .collect(),
        baselines,
        baseline_support,
        rows,
    }
}
