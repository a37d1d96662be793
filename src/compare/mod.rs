//! Before/after evaluation around community hubs and intervention areas (METHODS §6;
//! `harmspot compare`).
//!
//! Did crime and anti-social behaviour fall around the hubs after they opened, did it move
//! next door, and is the fall more than the trend elsewhere? For each treatment area A, its
//! buffer ring B and the control area C, [`evaluate`] counts incidents per month — all crime
//! (every type but anti-social behaviour), ASB, each crime type, and harm (the sum of harm
//! weights of every incident) — and computes, per area and pooled over all areas, percent
//! change, gross effect, WDQ (Bowers & Johnson 2003), Total Net Effect, WDD (Wheeler &
//! Ratcliffe 2018), difference-in-differences and RES (Welsh & Farrington 2009); see
//! [`stats`].
//!
//! Counting rules:
//! - an incident is counted once in every treatment area it lies in (treatment areas may
//!   overlap), in the buffer ring of every area whose buffer distance it lies within unless
//!   it lies in *any* treatment area, and in the control when it lies in no treatment area
//!   and no buffer (and inside `--control` or `--boundary` when given);
//! - the pooled totals count an incident once: the union of the treatment areas, the union
//!   of the buffers outside them, and the control. When areas have different periods
//!   (`--start-field`), the pooled row is a stacked design instead: the sum of each area's
//!   own counts in its own periods (the control counted once per area);
//! - a point hub's treatment area and buffer are decided by distance from the hub, exactly
//!   ([`region`]): in the treatment area when `d ≤ r`, in its buffer when `r < d ≤ r + b`;
//! - points on a polygon area's edge are outside it (geo's `Contains`).
//!
//! Two counting methods give the same counts ([`CountMethod`]): one parallel pass over the
//! incidents with a bucket grid of the areas' envelopes (the default: no incident index to
//! build), or per-area R-tree polygon queries on an [`crate::IncidentIndex`]
//! ([`crate::IncidentIndex::in_envelope`] on each region's envelope, then [`Region::contains`]).
//! Both are identical at any thread count: partial tallies are made over fixed chunks and
//! added in chunk order.
//!
//! Rooms: [`areas`] builds the places; `tally`, `count` and `envelope` count
//! incidents per place × month × type; `reader` sums a tally into cells and tables;
//! [`stats`] computes the effects; `rows` assembles the rows; `control` draws the
//! control; [`work`] bounds the work before it starts; [`result`] and [`used`] are the typed records that `crate::publish::compare`
//! renders.

pub mod areas;
mod control;
mod count;
mod envelope;
pub mod infer;
pub mod per_area;
pub mod period;
pub mod placebo;
mod reader;
pub mod region;
pub mod result;
mod rows;
mod sanity;
pub mod stats;
pub mod synthetic;
mod tally;
pub mod used;
pub mod verdict;
pub mod work;

pub use areas::{build as build_areas, Area, AreaSet, AreaShape, AreasParams, Overlap};
pub use period::{PeriodSpec, Periods};
pub use region::Region;
pub use result::{
    AreaResult, CompareResult, ControlSummary, Counts, MeasureEffects, MeasureKind, PeriodCounts,
    PlaceCounts, Pooling, Series, SeriesPlace,
};
pub use stats::{effects, Cell, Effects, Table};
pub use used::CompareUsed;
pub use verdict::{Counterfactual, Inference, InferenceParams, Verdict, Verdicts, Word};

use crate::error::{Error, Result};
use crate::model::incident::Incidents;
use crate::model::month::Month;
use serde::Serialize;

/// How incidents are assigned to areas. Both give the same counts.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountMethod {
    /// One parallel pass over the incidents, looking each up in a bucket grid of the areas'
    /// envelopes, then exact point-in-polygon. No incident index is built.
    #[default]
    OnePass,
    /// Build an [`crate::IncidentIndex`] and query it with each area's polygon, areas in parallel.
    Index,
}

/// Parameters of [`evaluate`]. The periods have no sensible default, so there is no
/// `Default`: start from [`CompareParams::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct CompareParams {
    /// How the before and after periods are chosen.
    pub periods: PeriodSpec,
    /// Counting method (default [`CountMethod::OnePass`]).
    pub method: CountMethod,
    /// How the verdicts are made (default: 999 placebos, synthetic controls; METHODS §6b).
    pub inference: InferenceParams,
}

impl CompareParams {
    /// Parameters with the given periods and the default counting method.
    pub fn new(periods: PeriodSpec) -> CompareParams {
        CompareParams {
            periods,
            method: CountMethod::default(),
            inference: InferenceParams::default(),
        }
    }

    /// How the verdicts are made (default [`InferenceParams::default`]).
    pub fn inference(mut self, inference: InferenceParams) -> Self {
        self.inference = inference;
        self
    }

    /// Counting method (default [`CountMethod::OnePass`]).
    pub fn method(mut self, method: CountMethod) -> Self {
        self.method = method;
        self
    }
}

/// Evaluates treatment areas before and after against their buffers and a control
/// (METHODS §6).
///
/// Citation: Bowers & Johnson (2003) for the WDQ; Wheeler & Ratcliffe (2018) for the WDD;
/// Welsh & Farrington (2009) for the RES; METHODS §6 for the exact formulas used.
///
/// Parameters: `incidents` in the working CRS with months; `areas` from
/// [`areas::build`]; `params` the periods and counting method.
///
/// Returns a [`CompareResult`]: per area and pooled, counts per place and period (all
/// crime, ASB, each type, harm), statistics for crime, ASB, harm and each crime type, and
/// monthly series; plus the period rule, the control used, overlaps and notes.
///
/// Errors: no months in the data ([`Error::NoData`]); periods outside the data's months
/// ([`Error::Param`] naming the flag and the months available); a control area with no
/// incident in the analysed months, e.g. buffers covering the whole study area
/// ([`Error::Degenerate`] saying what to change); polygons whose point-in-polygon tests
/// would exceed [`work::MAX_VERTEX_TESTS`] ([`Error::Work`], before any counting).
///
/// Algorithm: months with data are found; periods are resolved per area; incidents are
/// tallied per place × month × type (and harm per place × month) by the chosen
/// [`CountMethod`]; each area's cells are summed over its periods and passed to
/// [`stats::effects`].
///
/// # Examples
/// ```
/// use harmspot::compare::{evaluate, build_areas, AreasParams, CompareParams, PeriodSpec};
/// use harmspot::read::areas::AreaFeature;
/// use harmspot::{Incidents, Month, MonthRange};
/// use geo::{Geometry, Point};
/// let (jan, feb) = (Month::parse("2022-01").unwrap(), Month::parse("2022-02").unwrap());
/// // 4 burglaries in the hub in January and 1 in February; 10 then 10 far away (control).
/// let mut inc = Incidents { types: vec!["Burglary".into()], ..Default::default() };
/// for (x, m, n) in [(0.0, jan, 4), (0.0, feb, 1), (5000.0, jan, 10), (5000.0, feb, 10)] {
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
/// let crime = r.areas[0].crime().unwrap();
/// // RES = (4 · 10)/(1 · 10) = 4
/// assert_eq!(crime.res.res, Some(4.0));
/// assert_eq!(crime.gross_effect, 3.0);
/// ```
pub fn evaluate(
    incidents: &Incidents,
    areas: &AreaSet,
    params: &CompareParams,
) -> Result<CompareResult> {
    let Some(span) = incidents.month_range() else {
        return Err(Error::NoData(
            "compare needs the month of each incident, and the input has none (police.uk files have a `Month` column; for your own CSV give ‹month_col›)".into(),
        ));
    };
    if areas.areas.is_empty() {
        return Err(Error::NoData("no treatment areas to evaluate".into()));
    }
    let frame = tally::Frame::new(incidents, span);
    let present = tally::months_present(&frame);
    let available: Vec<Month> = (0..span.len())
        .filter(|&m| present[m])
        .map(|m| span.from.add(m as i32))
        .collect();
    let resolved = period::resolve(&params.periods, &areas.starts(), &available)?;
    let lay = tally::Layout {
        k: areas.areas.len(),
    };
    work::check_counting(incidents, areas)?;
    let tallies = count::count(params.method, &frame, areas, &lay, span);
    check_control(&frame, &tallies, &lay, &resolved.periods, areas)?;
    sanity::check_far_areas(&frame, &tallies, &lay, areas, &incidents.xy)?;
    sanity::check_buffer_control(&frame, &tallies, &lay, &resolved.periods, areas)?;

    let has_buffer = areas.buffer_m.is_some();
    let maker = rows::RowMaker {
        reader: reader::Reader {
            f: &frame,
            t: &tallies,
            types: &incidents.types,
            harm_decimals: crate::model::harm_round::weight_decimals(&incidents.harm),
        },
        lay,
        measures: reader::measures(incidents),
        span,
        has_buffer,
        has_buffer_control: has_buffer && areas.buffer_control.is_some(),
    };
    let (results, tables): (Vec<AreaResult>, Vec<Vec<Table>>) = areas
        .areas
        .iter()
        .zip(&resolved.periods)
        .enumerate()
        .map(|(k, (a, p))| maker.area(k, a, p))
        .unzip();
    let mut notes = resolved.notes.clone();
    notes.extend(areas.notes.iter().cloned());
    let shared = resolved.periods.windows(2).all(|w| w[0] == w[1]);
    let m2 = rows::pooled_m2(areas);
    let pooled = if shared {
        maker.pooled_union(&resolved.periods[0], m2)
    } else {
        notes.push(
            "areas have different periods, so the pooled row is stacked: each area's own counts in its own periods are summed (an incident in two overlapping areas counts in each; the control counts once per area)".into(),
        );
        maker.pooled_stacked(&results, &tables, m2)
    };
    let controls = control::controls(areas, &incidents.xy);
    let verdicts = infer::infer(
        incidents,
        areas,
        &resolved.periods,
        span,
        &controls.geometry,
        &params.inference,
    );
    Ok(CompareResult {
        data_months: period::runs(&available),
        types: incidents.types.clone(),
        period_rule: resolved.rule,
        auto_months: resolved.auto_months,
        shared_periods: shared,
        pooling: if shared {
            Pooling::Union
        } else {
            Pooling::Stacked
        },
        buffer_m: areas.buffer_m,
        radius_m: areas.radius_m,
        control: controls.control,
        buffer_control: controls.buffer_control,
        method: params.method,
        areas: results,
        pooled,
        overlaps: areas.overlaps.clone(),
        notes,
        control_geometry: controls.geometry,
        buffer_control_geometry: controls.buffer_geometry,
        verdicts,
    })
}

/// Refuses an empty control: with no incident in it in the analysed months, every
/// statistic is meaningless. The message says what to change.
fn check_control(
    f: &tally::Frame,
    t: &tally::Tallies,
    lay: &tally::Layout,
    periods: &[Periods],
    areas: &AreaSet,
) -> Result<()> {
    if t.in_analysed_months(f, lay.control(), periods) > 0 {
        return Ok(());
    }
    let why = match (&areas.control, areas.buffer_m) {
        (Some(_), _) => "the control area (‹control›) holds no incident outside the treatment areas and buffers in the analysed months: draw it where incidents were recorded".to_string(),
        (None, Some(b)) => format!(
            "the control area is empty: the treatment areas and their {b} m buffers cover the whole study area, so no incident in the analysed months lies outside them; use a smaller ‹buffer›, or give a control area with ‹control› FILE"
        ),
        (None, None) => "the control area is empty: the treatment areas cover the whole study area, so no incident in the analysed months lies outside them; give a control area with ‹control› FILE".to_string(),
    };
    Err(Error::Degenerate(why))
}
