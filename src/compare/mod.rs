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
//! build), or per-area R-tree polygon queries on an [`IncidentIndex`]
//! ([`IncidentIndex::in_envelope`] on each region's envelope, then [`Region::contains`]).
//! Both are identical at any thread count: partial tallies are made over fixed chunks and
//! added in chunk order.

pub mod areas;
pub mod period;
pub mod region;
pub mod report;
pub mod stats;

pub use areas::{build as build_areas, Area, AreaSet, AreaShape, AreasParams, Overlap};
pub use period::{PeriodSpec, Periods};
pub use region::Region;
pub use stats::{effects, Cell, Effects, Table};

use crate::error::{Error, Result};
use crate::incident::{Incidents, Selection};
use crate::index::IncidentIndex;
use crate::month::{Month, MonthRange};
use geo::{
    BooleanOps, BoundingRect, Contains, ConvexHull, MultiPoint, MultiPolygon, Point, Polygon, Rect,
};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// How incidents are assigned to areas. Both give the same counts.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CountMethod {
    /// One parallel pass over the incidents, looking each up in a bucket grid of the areas'
    /// envelopes, then exact point-in-polygon. No incident index is built.
    #[default]
    OnePass,
    /// Build an [`IncidentIndex`] and query it with each area's polygon, areas in parallel.
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
}

impl CompareParams {
    /// Parameters with the given periods and the default counting method.
    pub fn new(periods: PeriodSpec) -> CompareParams {
        CompareParams {
            periods,
            method: CountMethod::default(),
        }
    }

    /// Counting method (default [`CountMethod::OnePass`]).
    pub fn method(mut self, method: CountMethod) -> Self {
        self.method = method;
        self
    }
}

/// Incidents in one place over one period.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Every incident.
    pub all: u64,
    /// Every type but anti-social behaviour.
    pub crime: u64,
    /// Anti-social behaviour.
    pub asb: u64,
    /// Sum of harm weights of every incident.
    pub harm: f64,
    /// Per crime type (every type of the data, zeros included).
    pub types: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, o: &Counts) {
        self.all += o.all;
        self.crime += o.crime;
        self.asb += o.asb;
        self.harm += o.harm;
        for (k, v) in &o.types {
            *self.types.entry(k.clone()).or_default() += v;
        }
    }
}

/// Counts before and after.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PeriodCounts {
    /// Before period.
    pub before: Counts,
    /// After period.
    pub after: Counts,
}

/// Counts of the three places.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceCounts {
    /// Treatment area.
    pub treatment: PeriodCounts,
    /// Buffer ring, when drawn.
    pub buffer: Option<PeriodCounts>,
    /// Control area (for the treatment area, and for the buffer too unless a buffer control
    /// was given).
    pub control: PeriodCounts,
    /// The buffer's own control area (`buffer_control` in [`AreasParams`]), when given.
    pub buffer_control: Option<PeriodCounts>,
}

/// The statistics of one measure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureEffects {
    /// `crime`, `asb`, `harm`, or `type:<crime type>`.
    pub measure: String,
    /// Every statistic of METHODS §6.
    #[serde(flatten)]
    pub effects: Effects,
}

/// Monthly values of one place.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeriesPlace {
    /// Crime (every type but ASB) per month.
    pub crime: Vec<u64>,
    /// ASB per month.
    pub asb: Vec<u64>,
    /// Harm per month.
    pub harm: Vec<f64>,
}

/// Monthly series of an area, for charting the trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Every month from the data's first to its last.
    pub months: Vec<Month>,
    /// `before`, `after`, `start` (an excluded start month) or `""`, per month.
    pub period: Vec<&'static str>,
    /// Treatment area.
    pub treatment: SeriesPlace,
    /// Buffer ring, when drawn.
    pub buffer: Option<SeriesPlace>,
    /// Control area.
    pub control: SeriesPlace,
    /// The buffer's own control area, when given.
    pub buffer_control: Option<SeriesPlace>,
}

/// Everything about one area (or the pooled areas).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaResult {
    /// The area's name (`All areas` for the pooled row).
    pub name: String,
    /// Feature number in the areas file (`None` when pooled).
    pub feature: Option<usize>,
    /// How the area was given (`None` when pooled).
    pub shape: Option<AreaShape>,
    /// The periods (`None` for a stacked pooled row, whose areas have different periods).
    pub periods: Option<Periods>,
    /// Treatment area, m².
    pub treatment_m2: f64,
    /// Buffer ring, m².
    pub buffer_m2: Option<f64>,
    /// What was wrong with the geometry, when it was repaired.
    pub repaired: Option<String>,
    /// Counts per place and period.
    pub counts: PlaceCounts,
    /// Statistics for `crime`, `asb`, `harm` and each crime type, in that order.
    pub measures: Vec<MeasureEffects>,
    /// Monthly series.
    pub series: Series,
}

impl AreaResult {
    /// The statistics of a measure by name (`crime`, `asb`, `harm`, `type:Burglary`).
    pub fn measure(&self, name: &str) -> Option<&Effects> {
        self.measures
            .iter()
            .find(|m| m.measure == name)
            .map(|m| &m.effects)
    }
}

/// The control area used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlSummary {
    /// How it was defined, in words.
    pub definition: String,
    /// Its area, m² (after leaving out treatment areas and buffers).
    pub area_m2: f64,
}

/// The result of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareResult {
    /// Months with data, as consecutive runs.
    pub data_months: Vec<MonthRange>,
    /// Crime types in the data.
    pub types: Vec<String>,
    /// The period rule in words (start month excluded or included, lengths).
    pub period_rule: String,
    /// Months either side chosen automatically, when no length was given.
    pub auto_months: Option<u32>,
    /// Whether every area has the same periods.
    pub shared_periods: bool,
    /// `union` (pooled counts count each incident once) or `stacked` (areas have different
    /// periods: the pooled row sums each area's own counts).
    pub pooling: &'static str,
    /// Buffer width, metres.
    pub buffer_m: Option<f64>,
    /// Radius around point hubs, metres.
    pub radius_m: Option<f64>,
    /// The control area (for the treatment areas, and for the buffers unless a buffer
    /// control is given).
    pub control: ControlSummary,
    /// The buffers' own control area, when given (WDD with separate controls, METHODS §6).
    pub buffer_control: Option<ControlSummary>,
    /// Counting method used.
    pub method: CountMethod,
    /// One per treatment area, in file order.
    pub areas: Vec<AreaResult>,
    /// All areas together.
    pub pooled: AreaResult,
    /// Overlapping places.
    pub overlaps: Vec<Overlap>,
    /// Things the analyst should know (automatic choices, repairs, normalisation, overlaps).
    pub notes: Vec<String>,
    /// The control area's geometry, working CRS (for the map).
    #[serde(skip)]
    pub control_geometry: MultiPolygon<f64>,
    /// The buffer control's geometry, working CRS (for the map), when given.
    #[serde(skip)]
    pub buffer_control_geometry: Option<MultiPolygon<f64>>,
}

/// What a statistic is computed on.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Measure {
    Crime,
    Asb,
    Harm,
    Type(usize),
}

/// Per place × month × type counts and per place × month harm sums.
#[derive(Clone, Debug)]
struct Tallies {
    months: usize,
    types: usize,
    counts: Vec<u64>,
    harm: Vec<f64>,
    harm2: Vec<f64>,
}

impl Tallies {
    fn new(places: usize, months: usize, types: usize) -> Tallies {
        Tallies {
            months,
            types,
            counts: vec![0; places * months * types],
            harm: vec![0.0; places * months],
            harm2: vec![0.0; places * months],
        }
    }

    #[inline]
    fn add(&mut self, place: usize, m: usize, t: usize, w: f64) {
        let pm = place * self.months + m;
        self.counts[pm * self.types + t] += 1;
        self.harm[pm] += w;
        self.harm2[pm] += w * w;
    }

    fn absorb(&mut self, o: &Tallies) {
        self.counts
            .iter_mut()
            .zip(&o.counts)
            .for_each(|(a, b)| *a += b);
        self.harm.iter_mut().zip(&o.harm).for_each(|(a, b)| *a += b);
        self.harm2
            .iter_mut()
            .zip(&o.harm2)
            .for_each(|(a, b)| *a += b);
    }

    /// Copies place 0 of a one-place tally into `place`.
    fn put(&mut self, place: usize, one: &Tallies) {
        let (mt, m) = (self.months * self.types, self.months);
        self.counts[place * mt..(place + 1) * mt].copy_from_slice(&one.counts);
        self.harm[place * m..(place + 1) * m].copy_from_slice(&one.harm);
        self.harm2[place * m..(place + 1) * m].copy_from_slice(&one.harm2);
    }

    fn count(&self, place: usize, m: usize, keep: &[bool]) -> u64 {
        let base = (place * self.months + m) * self.types;
        self.counts[base..base + self.types]
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .sum()
    }
}

/// Which places a tally holds, and where.
struct Layout {
    k: usize,
}

impl Layout {
    fn treatment(&self, i: usize) -> usize {
        2 * i
    }
    fn buffer(&self, i: usize) -> usize {
        2 * i + 1
    }
    fn pooled_treatment(&self) -> usize {
        2 * self.k
    }
    fn pooled_buffer(&self) -> usize {
        2 * self.k + 1
    }
    fn control(&self) -> usize {
        2 * self.k + 2
    }
    fn buffer_control(&self) -> usize {
        2 * self.k + 3
    }
    fn places(&self) -> usize {
        2 * self.k + 4
    }
}

/// The counting context: months, types, masks.
struct Frame<'a> {
    inc: &'a Incidents,
    first: Month,
    months: usize,
    crime: Vec<bool>,
    asb: Vec<bool>,
}

impl Frame<'_> {
    #[inline]
    fn month_index(&self, i: usize) -> Option<usize> {
        let m = self.inc.month[i];
        if m < self.first || m == Month::UNKNOWN {
            return None;
        }
        let k = m.since(self.first) as usize;
        (k < self.months).then_some(k)
    }

    fn idx(&self, m: Month) -> usize {
        m.since(self.first) as usize
    }
}

/// Treatment and outer (treatment + buffer) regions of every area, as counted.
fn regions(set: &AreaSet) -> (Vec<Region<'_>>, Vec<Option<Region<'_>>>) {
    (0..set.areas.len())
        .map(|k| (set.treatment_region(k), set.outer_region(k)))
        .unzip()
}

/// Every treatment and outer (treatment + buffer) envelope in a uniform grid of buckets:
/// a point's candidates are the envelopes listed in its cell that contain it. Ids are `2k`
/// for area k's treatment area and `2k + 1` for its outer polygon.
///
/// Why not an R-tree of the envelopes: on 10⁷ incidents and 100 hubs (200 envelopes),
/// `rstar`'s `locate_all_at_point` took 0.64 s on 2 cores; a bucket lookup is one division
/// and one slice.
struct EnvelopeGrid {
    origin: [f64; 2],
    cell: f64,
    nx: usize,
    ny: usize,
    /// Start of each cell's list in `ids` (CSR layout), `nx · ny + 1` entries.
    start: Vec<u32>,
    ids: Vec<u32>,
    rects: Vec<Option<Rect<f64>>>,
}

/// At most this many buckets (the cell grows when the envelopes' extent would need more).
const MAX_BUCKETS: f64 = 4.0e6;

impl EnvelopeGrid {
    fn new(set: &AreaSet) -> EnvelopeGrid {
        let rect = |r: Option<Region>| {
            r.and_then(|r| r.envelope())
                .map(|e| Rect::new((e[0], e[1]), (e[2], e[3])))
        };
        let rects: Vec<Option<Rect<f64>>> = (0..set.areas.len())
            .flat_map(|k| {
                [
                    rect(Some(set.treatment_region(k))),
                    rect(set.outer_region(k)),
                ]
            })
            .collect();
        let present: Vec<Rect<f64>> = rects.iter().flatten().copied().collect();
        let Some(first) = present.first() else {
            return EnvelopeGrid {
                origin: [0.0; 2],
                cell: 1.0,
                nx: 0,
                ny: 0,
                start: vec![0],
                ids: vec![],
                rects,
            };
        };
        let (mut x0, mut y0, mut x1, mut y1) =
            (first.min().x, first.min().y, first.max().x, first.max().y);
        for r in &present {
            x0 = x0.min(r.min().x);
            y0 = y0.min(r.min().y);
            x1 = x1.max(r.max().x);
            y1 = y1.max(r.max().y);
        }
        // half the median envelope side, so an envelope covers a few cells
        let mut sides: Vec<f64> = present.iter().map(|r| r.width().max(r.height())).collect();
        sides.sort_by(f64::total_cmp);
        let (w, h) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
        let mut cell = (sides[sides.len() / 2] / 2.0).max(1e-6);
        if (w / cell) * (h / cell) > MAX_BUCKETS {
            cell = (w * h / MAX_BUCKETS).sqrt();
        }
        let nx = ((w / cell).floor() as usize + 1).max(1);
        let ny = ((h / cell).floor() as usize + 1).max(1);
        let span = |lo: f64, hi: f64, o: f64, n: usize| {
            (((lo - o) / cell).floor().max(0.0) as usize).min(n - 1)
                ..=(((hi - o) / cell).floor().max(0.0) as usize).min(n - 1)
        };
        let mut count = vec![0u32; nx * ny + 1];
        for r in &present {
            for j in span(r.min().y, r.max().y, y0, ny) {
                for i in span(r.min().x, r.max().x, x0, nx) {
                    count[j * nx + i + 1] += 1;
                }
            }
        }
        for k in 1..count.len() {
            count[k] += count[k - 1];
        }
        let mut fill = count.clone();
        let mut ids = vec![0u32; *count.last().unwrap_or(&0) as usize];
        for (id, r) in rects.iter().enumerate() {
            let Some(r) = r else { continue };
            for j in span(r.min().y, r.max().y, y0, ny) {
                for i in span(r.min().x, r.max().x, x0, nx) {
                    let c = j * nx + i;
                    ids[fill[c] as usize] = id as u32;
                    fill[c] += 1;
                }
            }
        }
        EnvelopeGrid {
            origin: [x0, y0],
            cell,
            nx,
            ny,
            start: count,
            ids,
            rects,
        }
    }

    /// Ids of the envelopes containing `p` (edges included), in id order.
    #[inline]
    fn candidates(&self, p: [f64; 2], out: &mut Vec<u32>) {
        out.clear();
        let (fx, fy) = (
            (p[0] - self.origin[0]) / self.cell,
            (p[1] - self.origin[1]) / self.cell,
        );
        if !(fx >= 0.0 && fy >= 0.0) {
            return;
        }
        let (i, j) = (fx as usize, fy as usize);
        if i >= self.nx || j >= self.ny {
            return;
        }
        let c = j * self.nx + i;
        for &id in &self.ids[self.start[c] as usize..self.start[c + 1] as usize] {
            if self.rects[id as usize]
                .as_ref()
                .is_some_and(|r| in_rect(r, p))
            {
                out.push(id);
            }
        }
    }
}

#[inline]
fn in_rect(r: &Rect<f64>, p: [f64; 2]) -> bool {
    p[0] >= r.min().x && p[0] <= r.max().x && p[1] >= r.min().y && p[1] <= r.max().y
}

/// The polygon that limits the control (the analyst's control, else the boundary).
fn control_limit(set: &AreaSet) -> Option<&MultiPolygon<f64>> {
    set.control.as_ref().or(set.boundary.as_ref())
}

/// Incidents per chunk for the one-pass method; chunks depend only on the input size, so
/// tallies add up in the same order at any thread count.
fn chunk_size(n: usize) -> usize {
    (n / 64).max(1 << 16)
}

fn count_one_pass(f: &Frame, set: &AreaSet, lay: &Layout) -> Tallies {
    let inc = f.inc;
    let ntypes = inc.types.len().max(1);
    let grid = EnvelopeGrid::new(set);
    let (treat, outer) = regions(set);
    let limit = control_limit(set).and_then(|p| p.bounding_rect().map(|r| (p, r)));
    let limit_d = set
        .buffer_control
        .as_ref()
        .and_then(|p| p.bounding_rect().map(|r| (p, r)));
    let n = inc.len();
    let chunk = chunk_size(n);
    let n_chunks = n.div_ceil(chunk);
    let count_chunk = |c: usize| -> Tallies {
        let mut t = Tallies::new(lay.places(), f.months, ntypes);
        let mut cand: Vec<u32> = Vec::with_capacity(16);
        for i in c * chunk..((c + 1) * chunk).min(n) {
            let Some(m) = f.month_index(i) else { continue };
            let p = inc.xy[i];
            let (ty, w) = (inc.kind[i] as usize, inc.harm[i]);
            grid.candidates(p, &mut cand);
            if !cand.is_empty() {
                let mut in_t = false;
                for &id in cand.iter().filter(|&&id| id & 1 == 0) {
                    let k = (id >> 1) as usize;
                    if treat[k].contains(p) {
                        in_t = true;
                        t.add(lay.treatment(k), m, ty, w);
                    }
                }
                if in_t {
                    t.add(lay.pooled_treatment(), m, ty, w);
                    continue;
                }
                let mut in_o = false;
                for &id in cand.iter().filter(|&&id| id & 1 == 1) {
                    let k = (id >> 1) as usize;
                    if outer[k].as_ref().is_some_and(|o| o.contains(p)) {
                        in_o = true;
                        t.add(lay.buffer(k), m, ty, w);
                    }
                }
                if in_o {
                    t.add(lay.pooled_buffer(), m, ty, w);
                    continue;
                }
            }
            let in_c = match &limit {
                None => true,
                Some((poly, r)) => in_rect(r, p) && poly.contains(&Point::new(p[0], p[1])),
            };
            if in_c {
                t.add(lay.control(), m, ty, w);
            }
            if let Some((poly, r)) = &limit_d {
                if in_rect(r, p) && poly.contains(&Point::new(p[0], p[1])) {
                    t.add(lay.buffer_control(), m, ty, w);
                }
            }
        }
        t
    };
    let mut total = Tallies::new(lay.places(), f.months, ntypes);
    const GROUP: usize = 16;
    for g in (0..n_chunks).step_by(GROUP) {
        let parts: Vec<Tallies> = (g..(g + GROUP).min(n_chunks))
            .into_par_iter()
            .map(count_chunk)
            .collect();
        for p in &parts {
            total.absorb(p);
        }
    }
    total
}

fn count_index(f: &Frame, set: &AreaSet, lay: &Layout, span: MonthRange) -> Tallies {
    let inc = f.inc;
    let ntypes = inc.types.len().max(1);
    let index = IncidentIndex::build(inc);
    let sel = Selection::months(span);
    let rows_in = |r: Region| -> Vec<u32> {
        let Some(env) = r.envelope() else {
            return Vec::new();
        };
        let mut v = index.in_envelope(inc, env, &sel);
        v.retain(|&i| r.contains(inc.xy[i as usize]));
        v
    };
    let rows_t: Vec<Vec<u32>> = (0..set.areas.len())
        .into_par_iter()
        .map(|k| rows_in(set.treatment_region(k)))
        .collect();
    let rows_o: Vec<Vec<u32>> = (0..set.areas.len())
        .into_par_iter()
        .map(|k| set.outer_region(k).map_or_else(Vec::new, rows_in))
        .collect();
    let rows_c: Option<Vec<u32>> = control_limit(set).map(|c| index.in_polygon(inc, c, &sel));
    let rows_d: Option<Vec<u32>> = set
        .buffer_control
        .as_ref()
        .map(|c| index.in_polygon(inc, c, &sel));
    const IN_T: u8 = 1;
    const IN_O: u8 = 2;
    const IN_C: u8 = 4;
    const IN_D: u8 = 8;
    let mut flag = vec![0u8; inc.len()];
    for (rows, bit) in rows_t
        .iter()
        .map(|r| (r, IN_T))
        .chain(rows_o.iter().map(|r| (r, IN_O)))
        .chain(rows_c.iter().map(|r| (r, IN_C)))
        .chain(rows_d.iter().map(|r| (r, IN_D)))
    {
        for &i in rows {
            flag[i as usize] |= bit;
        }
    }
    let limited = rows_c.is_some();
    let tally = |rows: &mut dyn Iterator<Item = usize>| -> Tallies {
        let mut t = Tallies::new(1, f.months, ntypes);
        for i in rows {
            if let Some(m) = f.month_index(i) {
                t.add(0, m, inc.kind[i] as usize, inc.harm[i]);
            }
        }
        t
    };
    let k = set.areas.len();
    let one: Vec<Tallies> =
        (0..lay.places())
            .into_par_iter()
            .map(|p| {
                let all = 0..inc.len();
                if p == lay.pooled_treatment() {
                    tally(&mut all.filter(|&i| flag[i] & IN_T != 0))
                } else if p == lay.pooled_buffer() {
                    tally(&mut all.filter(|&i| flag[i] & (IN_T | IN_O) == IN_O))
                } else if p == lay.control() {
                    tally(&mut all.filter(|&i| {
                        flag[i] & (IN_T | IN_O) == 0 && (!limited || flag[i] & IN_C != 0)
                    }))
                } else if p == lay.buffer_control() {
                    tally(&mut all.filter(|&i| flag[i] & (IN_T | IN_O | IN_D) == IN_D))
                } else if p % 2 == 0 {
                    tally(&mut rows_t[p / 2].iter().map(|&i| i as usize))
                } else {
                    debug_assert!(p / 2 < k);
                    tally(
                        &mut rows_o[p / 2]
                            .iter()
                            .map(|&i| i as usize)
                            .filter(|&i| flag[i] & IN_T == 0),
                    )
                }
            })
            .collect();
    let mut total = Tallies::new(lay.places(), f.months, ntypes);
    for (p, t) in one.iter().enumerate() {
        total.put(p, t);
    }
    total
}

/// Convex hull of the incidents, with the Akl–Toussaint (1978) pre-filter: the extreme
/// points in eight directions span a convex octagon inside the hull; points strictly inside
/// it cannot be hull vertices, so only the rest go to geo's hull. Extremes are found over
/// fixed chunks and reduced in chunk order (the first of equal points wins), so the result
/// does not depend on the thread count.
fn incident_hull(xy: &[[f64; 2]]) -> Polygon<f64> {
    const DIRS: [[f64; 2]; 8] = [
        [1.0, 0.0],
        [1.0, 1.0],
        [0.0, 1.0],
        [-1.0, 1.0],
        [-1.0, 0.0],
        [-1.0, -1.0],
        [0.0, -1.0],
        [1.0, -1.0],
    ];
    let extremes = |c: &[[f64; 2]]| {
        let mut best = [(f64::NEG_INFINITY, [0.0; 2]); 8];
        for p in c {
            for (b, d) in best.iter_mut().zip(DIRS) {
                let s = d[0] * p[0] + d[1] * p[1];
                if s > b.0 {
                    *b = (s, *p);
                }
            }
        }
        best
    };
    let parts: Vec<[(f64, [f64; 2]); 8]> = xy.par_chunks(1 << 16).map(extremes).collect();
    let mut best = [(f64::NEG_INFINITY, [0.0; 2]); 8];
    for part in &parts {
        for (b, q) in best.iter_mut().zip(part) {
            if q.0 > b.0 {
                *b = *q;
            }
        }
    }
    let mut oct: Vec<[f64; 2]> = best
        .iter()
        .filter(|b| b.0.is_finite())
        .map(|b| b.1)
        .collect();
    oct.dedup();
    if oct.len() > 1 && oct.first() == oct.last() {
        oct.pop();
    }
    let strictly_inside = |p: &[f64; 2]| {
        oct.len() >= 3
            && (0..oct.len()).all(|k| {
                let (a, b) = (oct[k], oct[(k + 1) % oct.len()]);
                (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) > 0.0
            })
    };
    let pts: Vec<Point<f64>> = xy
        .par_iter()
        .filter(|p| !strictly_inside(p))
        .map(|p| Point::new(p[0], p[1]))
        .collect();
    MultiPoint::from(pts).convex_hull()
}

/// What the evaluation's cells are, for one area's periods.
struct Reader<'a> {
    f: &'a Frame<'a>,
    t: &'a Tallies,
    types: &'a [String],
}

impl Reader<'_> {
    fn mask(&self, m: Measure) -> Vec<bool> {
        match m {
            Measure::Crime => self.f.crime.clone(),
            Measure::Asb => self.f.asb.clone(),
            Measure::Harm => vec![true; self.t.types],
            Measure::Type(k) => (0..self.t.types).map(|j| j == k).collect(),
        }
    }

    fn cell(&self, place: usize, r: MonthRange, m: Measure) -> Cell {
        if m == Measure::Harm {
            let (mut s, mut s2) = (0.0, 0.0);
            for mo in r.iter() {
                let pm = place * self.t.months + self.f.idx(mo);
                s += self.t.harm[pm];
                s2 += self.t.harm2[pm];
            }
            return Cell::harm(s, s2);
        }
        let keep = self.mask(m);
        Cell::count(
            r.iter()
                .map(|mo| self.t.count(place, self.f.idx(mo), &keep))
                .sum::<u64>() as f64,
        )
    }

    fn counts(&self, place: usize, r: MonthRange) -> Counts {
        let sum = |m: Measure| self.cell(place, r, m).value;
        Counts {
            all: (sum(Measure::Crime) + sum(Measure::Asb)) as u64,
            crime: sum(Measure::Crime) as u64,
            asb: sum(Measure::Asb) as u64,
            harm: sum(Measure::Harm),
            types: self
                .types
                .iter()
                .enumerate()
                .map(|(k, name)| (name.clone(), sum(Measure::Type(k)) as u64))
                .collect(),
        }
    }

    fn period_counts(&self, place: usize, p: &Periods) -> PeriodCounts {
        PeriodCounts {
            before: self.counts(place, p.before),
            after: self.counts(place, p.after),
        }
    }

    fn series(&self, place: usize) -> SeriesPlace {
        let (crime, asb) = (&self.f.crime, &self.f.asb);
        SeriesPlace {
            crime: (0..self.t.months)
                .map(|m| self.t.count(place, m, crime))
                .collect(),
            asb: (0..self.t.months)
                .map(|m| self.t.count(place, m, asb))
                .collect(),
            harm: (0..self.t.months)
                .map(|m| self.t.harm[place * self.t.months + m])
                .collect(),
        }
    }

    fn table(&self, places: [Option<usize>; 4], p: &Periods, m: Measure) -> Table {
        let two = |pl: usize| [self.cell(pl, p.before, m), self.cell(pl, p.after, m)];
        Table {
            a: two(places[0].expect("a treatment place")),
            b: places[1].map(two),
            c: two(places[2].expect("a control place")),
            cd: places[3].map(two),
            months: [p.months_before, p.months_after],
            counts: m != Measure::Harm,
        }
    }
}

fn measures(inc: &Incidents) -> Vec<(String, Measure)> {
    let mut v = vec![
        ("crime".to_string(), Measure::Crime),
        ("asb".to_string(), Measure::Asb),
        ("harm".to_string(), Measure::Harm),
    ];
    for (k, name) in inc.types.iter().enumerate() {
        if !inc.is_asb(k as u16) {
            v.push((format!("type:{name}"), Measure::Type(k)));
        }
    }
    v
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
/// Errors: no months in the data ([`Error::Analysis`]); periods outside the data's months
/// ([`Error::Param`] naming the flag and the months available); a control area with no
/// incident in the analysed months, e.g. buffers covering the whole study area
/// ([`Error::Analysis`] saying what to change).
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
/// let crime = r.areas[0].measure("crime").unwrap();
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
        return Err(Error::Analysis(
            "compare needs the month of each incident, and the input has none (police.uk files have a `Month` column; for your own CSV give ‹month_col›)".into(),
        ));
    };
    if areas.areas.is_empty() {
        return Err(Error::Analysis("no treatment areas to evaluate".into()));
    }
    let months = span.len();
    let inc = incidents;
    let ntypes = inc.types.len().max(1);
    let is_asb = |k: usize| k < inc.types.len() && inc.is_asb(k as u16);
    let frame = Frame {
        inc,
        first: span.from,
        months,
        crime: (0..ntypes)
            .map(|k| k < inc.types.len() && !is_asb(k))
            .collect(),
        asb: (0..ntypes).map(is_asb).collect(),
    };

    // Months that hold data (an OR over fixed chunks: exact at any thread count).
    let present: Vec<bool> = (0..inc.len())
        .into_par_iter()
        .with_min_len(1 << 16)
        .fold(
            || vec![false; months],
            |mut v, i| {
                if let Some(m) = frame.month_index(i) {
                    v[m] = true;
                }
                v
            },
        )
        .reduce(
            || vec![false; months],
            |a, b| a.iter().zip(&b).map(|(x, y)| *x || *y).collect(),
        );
    let available: Vec<Month> = (0..months)
        .filter(|&m| present[m])
        .map(|m| span.from.add(m as i32))
        .collect();
    let resolved = period::resolve(&params.periods, &areas.starts(), &available)?;

    let lay = Layout {
        k: areas.areas.len(),
    };
    let tallies = match params.method {
        CountMethod::OnePass => count_one_pass(&frame, areas, &lay),
        CountMethod::Index => count_index(&frame, areas, &lay, span),
    };
    let reader = Reader {
        f: &frame,
        t: &tallies,
        types: &inc.types,
    };

    // An empty control makes every statistic meaningless.
    let all_types = vec![true; ntypes];
    let analysed: usize = (0..months)
        .filter(|&m| {
            let mo = span.from.add(m as i32);
            resolved
                .periods
                .iter()
                .any(|p| p.before.contains(mo) || p.after.contains(mo))
        })
        .map(|m| tallies.count(lay.control(), m, &all_types) as usize)
        .sum();
    if analysed == 0 {
        let why = match (&areas.control, &areas.boundary, areas.buffer_m) {
            (Some(_), _, _) => "the control area (‹control›) holds no incident outside the treatment areas and buffers in the analysed months: draw it where incidents were recorded".to_string(),
            (None, _, Some(b)) => format!(
                "the control area is empty: the treatment areas and their {b} m buffers cover the whole study area, so no incident in the analysed months lies outside them; use a smaller ‹buffer›, or give a control area with ‹control› FILE"
            ),
            (None, _, None) => "the control area is empty: the treatment areas cover the whole study area, so no incident in the analysed months lies outside them; give a control area with ‹control› FILE".to_string(),
        };
        return Err(Error::Analysis(why));
    }

    let has_buffer = areas.buffer_m.is_some();
    let ms = measures(inc);
    let shared = resolved.periods.windows(2).all(|w| w[0] == w[1]);
    let buffer_control =
        (has_buffer && areas.buffer_control.is_some()).then(|| lay.buffer_control());
    let series_of = |places: [Option<usize>; 4], p: Option<&Periods>| Series {
        months: span.iter().collect(),
        period: span
            .iter()
            .map(|m| p.map_or("", |p| p.classify(m)))
            .collect(),
        treatment: reader.series(places[0].expect("treatment")),
        buffer: places[1].map(|b| reader.series(b)),
        control: reader.series(places[2].expect("control")),
        buffer_control: places[3].map(|d| reader.series(d)),
    };
    let mut results = Vec::with_capacity(areas.areas.len());
    let mut tables: Vec<Vec<Table>> = Vec::with_capacity(areas.areas.len());
    for (k, (a, p)) in areas.areas.iter().zip(&resolved.periods).enumerate() {
        let places = [
            Some(lay.treatment(k)),
            has_buffer.then(|| lay.buffer(k)),
            Some(lay.control()),
            buffer_control,
        ];
        let ts: Vec<Table> = ms
            .iter()
            .map(|(_, m)| reader.table(places, p, *m))
            .collect();
        results.push(AreaResult {
            name: a.name.clone(),
            feature: Some(a.feature),
            shape: Some(a.shape.clone()),
            periods: Some(p.clone()),
            treatment_m2: a.treatment_m2,
            buffer_m2: a.ring_m2,
            repaired: a.repaired.clone(),
            counts: PlaceCounts {
                treatment: reader.period_counts(lay.treatment(k), p),
                buffer: has_buffer.then(|| reader.period_counts(lay.buffer(k), p)),
                control: reader.period_counts(lay.control(), p),
                buffer_control: buffer_control.map(|d| reader.period_counts(d, p)),
            },
            measures: ms
                .iter()
                .zip(&ts)
                .map(|((name, _), t)| MeasureEffects {
                    measure: name.clone(),
                    effects: stats::effects(t),
                })
                .collect(),
            series: series_of(places, Some(p)),
        });
        tables.push(ts);
    }

    let mut notes = resolved.notes.clone();
    notes.extend(areas.notes.iter().cloned());
    let pooled_places = [
        Some(lay.pooled_treatment()),
        has_buffer.then(|| lay.pooled_buffer()),
        Some(lay.control()),
        buffer_control,
    ];
    // Pooled areas: the exact areas summed, less the overlaps (measured on the polygons).
    let (pooled_t_m2, pooled_b_m2) = {
        use geo::Area as _;
        let drawn_t: f64 = areas
            .areas
            .iter()
            .map(|a| a.treatment.unsigned_area())
            .sum();
        let union_t = geo::unary_union(areas.areas.iter().map(|a| &a.treatment)).unsigned_area();
        let exact_t: f64 = areas.areas.iter().map(|a| a.treatment_m2).sum();
        let t = exact_t - (drawn_t - union_t).max(0.0);
        let b = has_buffer.then(|| {
            let drawn_b: f64 = areas
                .areas
                .iter()
                .filter_map(|a| a.ring.as_ref())
                .map(|r| r.unsigned_area())
                .sum();
            let union_b = areas.covered.unsigned_area() - union_t;
            let exact_b: f64 = areas.areas.iter().filter_map(|a| a.ring_m2).sum();
            (exact_b - (drawn_b - union_b).max(0.0)).max(0.0)
        });
        (t, b)
    };
    let pooled = if shared {
        let p = &resolved.periods[0];
        AreaResult {
            name: "All areas".into(),
            feature: None,
            shape: None,
            periods: Some(p.clone()),
            treatment_m2: pooled_t_m2,
            buffer_m2: pooled_b_m2,
            repaired: None,
            counts: PlaceCounts {
                treatment: reader.period_counts(lay.pooled_treatment(), p),
                buffer: has_buffer.then(|| reader.period_counts(lay.pooled_buffer(), p)),
                control: reader.period_counts(lay.control(), p),
                buffer_control: buffer_control.map(|d| reader.period_counts(d, p)),
            },
            measures: ms
                .iter()
                .map(|(name, m)| MeasureEffects {
                    measure: name.clone(),
                    effects: stats::effects(&reader.table(pooled_places, p, *m)),
                })
                .collect(),
            series: series_of(pooled_places, Some(p)),
        }
    } else {
        notes.push(
            "areas have different periods, so the pooled row is stacked: each area's own counts in its own periods are summed (an incident in two overlapping areas counts in each; the control counts once per area)".into(),
        );
        let mut counts = PlaceCounts {
            treatment: PeriodCounts::default(),
            buffer: has_buffer.then(PeriodCounts::default),
            control: PeriodCounts::default(),
            buffer_control: buffer_control.map(|_| PeriodCounts::default()),
        };
        for r in &results {
            counts.treatment.before.add(&r.counts.treatment.before);
            counts.treatment.after.add(&r.counts.treatment.after);
            if let (Some(s), Some(o)) = (counts.buffer.as_mut(), r.counts.buffer.as_ref()) {
                s.before.add(&o.before);
                s.after.add(&o.after);
            }
            counts.control.before.add(&r.counts.control.before);
            counts.control.after.add(&r.counts.control.after);
            if let (Some(s), Some(o)) = (
                counts.buffer_control.as_mut(),
                r.counts.buffer_control.as_ref(),
            ) {
                s.before.add(&o.before);
                s.after.add(&o.after);
            }
        }
        AreaResult {
            name: "All areas".into(),
            feature: None,
            shape: None,
            periods: None,
            treatment_m2: pooled_t_m2,
            buffer_m2: pooled_b_m2,
            repaired: None,
            counts,
            measures: ms
                .iter()
                .enumerate()
                .map(|(j, (name, _))| {
                    let mut t = tables[0][j].clone();
                    for ts in &tables[1..] {
                        t = t.stack(&ts[j]);
                    }
                    MeasureEffects {
                        measure: name.clone(),
                        effects: stats::effects(&t),
                    }
                })
                .collect(),
            series: series_of(pooled_places, None),
        }
    };

    // The control's geometry for the map, and its definition.
    let (definition, control_geometry) = match (&areas.control, &areas.boundary) {
        (Some(c), _) => (
            "the control area given, leaving out treatment areas and buffers".to_string(),
            c.difference(&areas.covered),
        ),
        (None, Some(b)) => (
            "the study area (the boundary given) minus every treatment area and buffer".to_string(),
            b.difference(&areas.covered),
        ),
        (None, None) => (
            "the rest of the study area (the convex hull of the incidents) minus every treatment area and buffer".to_string(),
            MultiPolygon(vec![incident_hull(&inc.xy)]).difference(&areas.covered),
        ),
    };
    let control_m2 = {
        use geo::Area as _;
        control_geometry.unsigned_area()
    };
    let buffer_control_geometry = areas
        .buffer_control
        .as_ref()
        .filter(|_| has_buffer)
        .map(|d| d.difference(&areas.covered));
    let buffer_control_summary = buffer_control_geometry.as_ref().map(|g| {
        use geo::Area as _;
        ControlSummary {
            definition: "the buffer control area given, leaving out treatment areas and buffers"
                .to_string(),
            area_m2: g.unsigned_area(),
        }
    });

    Ok(CompareResult {
        data_months: period::runs(&available),
        types: inc.types.clone(),
        period_rule: resolved.rule,
        auto_months: resolved.auto_months,
        shared_periods: shared,
        pooling: if shared { "union" } else { "stacked" },
        buffer_m: areas.buffer_m,
        radius_m: areas.radius_m,
        control: ControlSummary {
            definition,
            area_m2: control_m2,
        },
        buffer_control: buffer_control_summary,
        method: params.method,
        areas: results,
        pooled,
        overlaps: areas.overlaps.clone(),
        notes,
        control_geometry,
        buffer_control_geometry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn prefiltered_hull_equals_plain_hull() {
        let mut rng = Rng::new(3);
        for n in [1usize, 2, 3, 10, 5000, 200_000] {
            let xy: Vec<[f64; 2]> = (0..n)
                .map(|_| {
                    let (r, t) = (
                        1000.0 * rng.uniform().sqrt(),
                        std::f64::consts::TAU * rng.uniform(),
                    );
                    // snapped to a 20 m lattice, as police.uk map points are: many ties
                    [
                        (r * t.cos() / 20.0).round() * 20.0,
                        (r * t.sin() / 20.0).round() * 20.0,
                    ]
                })
                .collect();
            let plain: Polygon<f64> = MultiPoint::from(
                xy.iter()
                    .map(|p| Point::new(p[0], p[1]))
                    .collect::<Vec<_>>(),
            )
            .convex_hull();
            let fast = incident_hull(&xy);
            // vertices without the collinear ones (geo keeps some, depending on input order)
            let key = |p: &Polygon<f64>| {
                let mut r: Vec<(i64, i64)> = p
                    .exterior()
                    .0
                    .iter()
                    .map(|c| (c.x as i64, c.y as i64))
                    .collect();
                r.dedup();
                if r.len() > 1 && r.first() == r.last() {
                    r.pop();
                }
                let n = r.len();
                let mut v: Vec<(i64, i64)> = (0..n)
                    .filter(|&k| {
                        let (a, b, c) = (r[(k + n - 1) % n], r[k], r[(k + 1) % n]);
                        n < 3 || (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0) != 0
                    })
                    .map(|k| r[k])
                    .collect();
                v.sort_unstable();
                v
            };
            assert_eq!(key(&plain), key(&fast), "n = {n}");
        }
    }
}
