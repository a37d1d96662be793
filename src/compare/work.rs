//! Bounded work for a before/after evaluation (issue 14; METHODS §6): the work a
//! comparison needs is estimated before it starts, and a job over a stated limit is
//! refused with a [`WorkError`] giving the estimate, the limit and what to change.
//!
//! Four steps grow faster than the input, so each has its own estimate and limit:
//!
//! | step | estimate | limit | where the time goes |
//! |---|---|---|---|
//! | checking polygons | `Σ v²/2` segment pairs over every polygon (areas, control, boundary, buffer control) | [`MAX_SEGMENT_PAIRS`] | geo's `Validation` tests each ring's segments pairwise |
//! | overlaps | `2 s k V` vertex visits (`k` areas, `V` treatment vertices in all, `s` = 1, or 3 with buffers) | [`MAX_OVERLAP_VISITS`] | every ordered pair of areas takes both envelopes |
//! | buffer rings | `k V` vertex operations | [`MAX_RING_OPERATIONS`] | each ring is its grown area minus the union of every treatment area |
//! | counting | `Σ v × n_env` vertex tests: each polygon's vertices `v` times the incidents `n_env` in its envelope (a circle costs 1) | [`MAX_VERTEX_TESTS`] | point-in-polygon |
//!
//! `n_env` is cheap to know: a fixed stride of at most 2¹⁷ incidents is looked up in the
//! areas' envelope grid and scaled to all incidents.
//!
//! Measured on the 2-core machine under load (release build, Northumbria 2021, about
//! 188,000 incidents kept): a polygon of 8,000 vertices took 2.3 s, one of 40,001 (a
//! 20,000-spike star, valid or not) over 100 s in validation alone; 916 LSOA polygons took
//! 3 s, with 100 m buffers 8–11 s; 5,000 hubs 21 s without buffers and over 100 s with
//! them. Refused now, within 0.4–3.5 s: the 40,001-vertex star (8.0 × 10⁸ segment pairs),
//! 5,000 hubs with buffers (1.1 × 10¹⁰ visits), 5,000 small polygons with buffers
//! (3.2 × 10⁹ visits); a polygon of 10⁶ vertices is refused earlier by
//! [`crate::model::limits::MAX_AREA_VERTICES`]. The real runs stay well under: the 13 library
//! hubs need almost nothing; the 916 LSOAs 3.2 × 10⁶ segment pairs (31× under), 9.1 × 10⁷
//! overlap visits (22× under; 2.7 × 10⁸ with buffers, 7× under), 4.6 × 10⁷ ring operations
//! with buffers (5.5× under) and 2.6 × 10⁷ vertex tests counting (390× under)
//! (`tests/compare_work_limit.rs`).

use super::areas::{AreaSet, AreasParams};
use super::envelope::EnvelopeGrid;
use crate::error::grouped;
use crate::error::Param;
pub use crate::error::{Step, WorkError};
use crate::ingest::read::areas::AreaFeature;
use crate::model::incident::Incidents;
use geo::{CoordsIter as _, Geometry, MultiPolygon};

/// Most segment pairs geo's validation may test over every polygon (a polygon of about
/// 14,000 vertices).
pub const MAX_SEGMENT_PAIRS: u64 = 100_000_000;
/// Most vertex visits measuring the overlaps between areas may need.
pub const MAX_OVERLAP_VISITS: u64 = 2_000_000_000;
/// Most vertex operations drawing the buffer rings may need.
pub const MAX_RING_OPERATIONS: u64 = 250_000_000;
/// Most polygon vertex × incident tests counting may need.
pub const MAX_VERTEX_TESTS: u64 = 10_000_000_000;

/// Incidents sampled to estimate how many lie in each envelope.
const SAMPLE: usize = 1 << 17;

/// Vertices of the polygon drawn for a point hub (a closed 72-gon).
const HUB_VERTICES: u64 = super::areas::CIRCLE_VERTICES as u64 + 1;

/// The vertices a feature is drawn with (a point hub's 72-gon).
fn vertices(g: &Geometry<f64>) -> u64 {
    match g {
        Geometry::Point(_) => HUB_VERTICES,
        g => g.coords_count() as u64,
    }
}

fn refuse(
    step: Step,
    estimate: u64,
    limit: u64,
    largest: String,
    parameter: Param,
) -> Result<(), WorkError> {
    if estimate > limit {
        return Err(WorkError {
            step,
            estimate,
            limit,
            largest,
            parameter,
        });
    }
    Ok(())
}

/// Refuses areas (and control, boundary, buffer control) whose polygons would take too
/// long to check, to measure for overlaps or to grow into buffer rings, before any of it
/// starts.
///
/// ```
/// use harmspot::compare::{work, AreasParams};
/// use harmspot::read::areas::AreaFeature;
/// use geo::{Geometry, LineString, Polygon};
/// // a star of 20,000 spikes: 40,001 vertices, 8 × 10⁸ segment pairs to validate
/// let ring: Vec<(f64, f64)> = (0..=40_000)
///     .map(|i| {
///         let t = std::f64::consts::TAU * (i % 40_000) as f64 / 40_000.0;
///         let r = if i % 2 == 0 { 1000.0 } else { 4000.0 };
///         (r * t.cos(), r * t.sin())
///     })
///     .collect();
/// let mut properties = serde_json::Map::new();
/// properties.insert("name".into(), "star".into());
/// let star = AreaFeature {
///     number: 1,
///     properties,
///     geometry: Geometry::Polygon(Polygon::new(LineString::from(ring), vec![])),
/// };
/// let e = work::check_areas(&[star], &AreasParams::default()).unwrap_err();
/// assert_eq!(e.step, work::Step::CheckPolygons);
/// assert_eq!(e.estimate, 40_001 * 40_001 / 2);
/// assert!(e.to_string().contains("feature 1"), "{e}");
/// ```
pub fn check_areas(features: &[AreaFeature], params: &AreasParams) -> Result<(), WorkError> {
    let w = estimate_areas(features, params);
    refuse(
        Step::CheckPolygons,
        w.segment_pairs,
        MAX_SEGMENT_PAIRS,
        w.largest,
        w.largest_parameter,
    )?;
    refuse(
        Step::Overlaps,
        w.overlap_visits,
        MAX_OVERLAP_VISITS,
        w.sizes.clone(),
        Param::Areas,
    )?;
    if let Some(ops) = w.ring_operations {
        refuse(
            Step::BufferRings,
            ops,
            MAX_RING_OPERATIONS,
            w.sizes,
            Param::Areas,
        )?;
    }
    Ok(())
}

/// The estimated work of checking, measuring and buffering a comparison's polygons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreasWork {
    /// Segment pairs geo's validation tests.
    pub segment_pairs: u64,
    /// Vertex visits measuring the overlaps.
    pub overlap_visits: u64,
    /// Vertex operations drawing the buffer rings (`None` without buffers).
    pub ring_operations: Option<u64>,
    /// The polygon with most vertices, in words.
    pub largest: String,
    /// The parameter that gave it.
    pub largest_parameter: Param,
    /// The number of areas and their vertices, in words.
    pub sizes: String,
}

/// Estimates the work of [`check_areas`] (see the table in the module doc).
pub fn estimate_areas(features: &[AreaFeature], params: &AreasParams) -> AreasWork {
    let name = |f: &AreaFeature| {
        f.properties
            .get(&params.name_field)
            .and_then(|v| v.as_str())
            .map_or_else(String::new, |s| format!("`{s}` "))
    };
    let mut pairs = 0u64;
    let mut largest = (0u64, String::new(), Param::Areas);
    for f in features {
        if matches!(f.geometry, Geometry::Point(_)) {
            continue;
        }
        let v = vertices(&f.geometry);
        pairs = pairs.saturating_add(v.saturating_mul(v) / 2);
        if v > largest.0 {
            let what = format!(
                "largest: area {}(feature {}), {} vertices",
                name(f),
                f.number,
                grouped(v)
            );
            largest = (v, what, Param::Areas);
        }
    }
    let others = [
        (params.control.as_ref(), "the control area", Param::Control),
        (params.boundary.as_ref(), "the boundary", Param::Boundary),
        (
            params.buffer_control.as_ref(),
            "the buffer control area",
            Param::BufferControl,
        ),
    ];
    for (mp, what, param) in others {
        let Some(mp) = mp else { continue };
        let v = mp.coords_count() as u64;
        pairs = pairs.saturating_add(v.saturating_mul(v) / 2);
        if v > largest.0 {
            largest = (
                v,
                format!("largest: {what}, {} vertices", grouped(v)),
                param,
            );
        }
    }
    let k = features.len() as u64;
    let total: u64 = features.iter().map(|f| vertices(&f.geometry)).sum();
    let calls = if params.buffer.is_some() { 3 } else { 1 };
    AreasWork {
        segment_pairs: pairs,
        overlap_visits: k.saturating_mul(total).saturating_mul(2 * calls),
        ring_operations: params.buffer.map(|_| k.saturating_mul(total)),
        largest: largest.1,
        largest_parameter: largest.2,
        sizes: format!("{} areas of {} vertices in all", grouped(k), grouped(total)),
    }
}

/// Refuses a count whose point-in-polygon tests would take too long: each polygon's
/// vertices times the incidents in its envelope (estimated on a fixed stride of
/// incidents; a circle around a hub costs one test), the control's and the buffer
/// control's included.
pub(super) fn check_counting(inc: &Incidents, set: &AreaSet) -> Result<(), WorkError> {
    let (tests, largest) = estimate_counting(inc, set);
    refuse(
        Step::Counting,
        tests,
        MAX_VERTEX_TESTS,
        largest,
        Param::Areas,
    )
}

/// Estimates the point-in-polygon vertex tests of counting `inc` in `set`, and names the
/// area that needs most.
pub fn estimate_counting(inc: &Incidents, set: &AreaSet) -> (u64, String) {
    let n = inc.len();
    if n == 0 {
        return (0, String::new());
    }
    let grid = EnvelopeGrid::new(set);
    let (treat, outer) = super::count::regions(set);
    let cost = |id: u32| -> u64 {
        let k = (id >> 1) as usize;
        let r = if id & 1 == 0 {
            Some(treat[k])
        } else {
            outer[k]
        };
        match r {
            Some(super::Region::Polygon(mp)) => mp.coords_count() as u64,
            Some(super::Region::Circle { .. }) => 1,
            None => 0,
        }
    };
    let limits: Vec<(u64, [f64; 4])> = super::count::control_limit(set)
        .into_iter()
        .chain(set.buffer_control.as_ref())
        .filter_map(|mp: &MultiPolygon<f64>| {
            let v = mp.coords_count() as u64;
            super::Region::Polygon(mp).envelope().map(|e| (v, e))
        })
        .collect();
    let stride = n.div_ceil(SAMPLE).max(1);
    let mut sampled = 0u64;
    let mut tests = 0u64;
    let mut per_area = vec![0u64; set.areas.len()];
    let mut cand = Vec::new();
    for i in (0..n).step_by(stride) {
        sampled += 1;
        let p = inc.xy[i];
        grid.candidates(p, &mut cand);
        for &id in &cand {
            let c = cost(id);
            tests += c;
            per_area[(id >> 1) as usize] += c;
        }
        for (v, e) in &limits {
            if p[0] >= e[0] && p[0] <= e[2] && p[1] >= e[1] && p[1] <= e[3] {
                tests += v;
            }
        }
    }
    let scale = |x: u64| ((x as f64) * (n as f64 / sampled as f64)).round() as u64;
    let worst = (0..set.areas.len()).max_by_key(|&k| per_area[k]);
    let largest = worst.map_or_else(String::new, |k| {
        let a = &set.areas[k];
        format!(
            "largest: area `{}` (feature {}), about {} tests",
            a.name,
            a.feature,
            grouped(scale(per_area[k]))
        )
    });
    (scale(tests), largest)
}
