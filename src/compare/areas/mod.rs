//! Treatment areas, buffer rings and the control area of a before/after evaluation
//! (METHODS §6: A = treatment area, B = buffer ring around it, C = control area).
//!
//! - **Treatment areas** come from an areas file ([`crate::ingest::read::areas::read_areas`]):
//!   Polygons and MultiPolygons as drawn, or Points with a radius (a hub and a distance
//!   around it). A point hub's area is the exact circle: incidents are counted by distance
//!   ([`super::region`]) and its area is `π r²`; the 72-sided polygon (5° steps) kept in
//!   [`Area::treatment`] is for drawing and for measuring overlaps only.
//! - **Buffer rings** of `buffer` metres: the treatment area grown by `buffer` (geo's
//!   `Buffer`, round corners in 5° steps) minus *every* treatment area, so the part of one
//!   hub's ring that lies in another hub counts as treatment, never as displacement.
//! - **Control**: an analyst's polygon(s), or by default the rest of the study area (a
//!   `--boundary`, else the convex hull of the incidents) minus every treatment area and
//!   buffer. Incidents in any treatment area or buffer never count as control.
//!
//! Geometry is checked with geo's `Validation`; an invalid polygon (a self-intersecting
//! "bow-tie", overlapping parts) is repaired with `MakeValid` (Ledoux et al. 2014) and the
//! repair is reported with the feature's name, or the feature is rejected by name when no
//! area is left. Overlapping treatment areas and buffers are reported with the shared area.
//!
//! Rooms: `features` reads names, start months and shapes; [`geometry`] draws circles,
//! repairs polygons and grows buffers; `overlap` measures shared ground and validates the
//! control, boundary and buffer control.

mod features;
pub mod geometry;
mod overlap;
#[cfg(test)]
mod tests;

pub use geometry::{circle, make_valid, CIRCLE_STEP_DEG, CIRCLE_VERTICES};

use crate::error::{Error, Result};
use crate::ingest::read::areas::AreaFeature;
use crate::model::month::Month;
use geo::orient::{Direction, Orient};
use geo::CoordsIter as _;
use geo::{unary_union, BooleanOps, MultiPolygon};
use geometry::{area_m2, grow, SLIVER_M2};
use serde::Serialize;
use std::path::Path;

/// How to turn an areas file into treatment areas, buffers and a control.
#[derive(Clone, Debug)]
pub struct AreasParams {
    /// Property holding each area's name (`--name-field`).
    pub name_field: String,
    /// Radius in metres around Point features (`--radius`).
    pub radius: Option<f64>,
    /// Buffer ring width in metres (`--buffer`); `None` draws no buffer, so no displacement
    /// measures.
    pub buffer: Option<f64>,
    /// Property holding each area's start month, `YYYY-MM` (`--start-field`).
    pub start_field: Option<String>,
    /// The analyst's control area, working CRS (`--control`); `None` = rest of the study area.
    pub control: Option<MultiPolygon<f64>>,
    /// The study-area boundary, working CRS (`--boundary`); `None` = hull of the incidents.
    pub boundary: Option<MultiPolygon<f64>>,
    /// A separate control for the buffers, working CRS (Wheeler & Ratcliffe's displacement
    /// control); `None` = the control serves the treatment areas and the buffers.
    pub buffer_control: Option<MultiPolygon<f64>>,
}

impl Default for AreasParams {
    fn default() -> Self {
        AreasParams {
            name_field: "name".into(),
            radius: None,
            buffer: None,
            start_field: None,
            control: None,
            boundary: None,
            buffer_control: None,
        }
    }
}

impl AreasParams {
    /// Name property (default `name`).
    pub fn name_field(mut self, f: impl Into<String>) -> Self {
        self.name_field = f.into();
        self
    }
    /// Radius around Point features, metres (default none: Points are refused).
    pub fn radius(mut self, r: f64) -> Self {
        self.radius = Some(r);
        self
    }
    /// Buffer ring width, metres (default none: no buffer).
    pub fn buffer(mut self, b: f64) -> Self {
        self.buffer = Some(b);
        self
    }
    /// Start-month property (default none).
    pub fn start_field(mut self, f: impl Into<String>) -> Self {
        self.start_field = Some(f.into());
        self
    }
    /// Control polygon(s), working CRS (default: the rest of the study area).
    pub fn control(mut self, c: MultiPolygon<f64>) -> Self {
        self.control = Some(c);
        self
    }
    /// Study-area boundary, working CRS (default: convex hull of the incidents).
    pub fn boundary(mut self, b: MultiPolygon<f64>) -> Self {
        self.boundary = Some(b);
        self
    }
    /// The buffers' own control polygon(s), working CRS (default: none, the control serves
    /// both). Needs a buffer.
    pub fn buffer_control(mut self, c: MultiPolygon<f64>) -> Self {
        self.buffer_control = Some(c);
        self
    }
}

/// How a treatment area was given.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AreaShape {
    /// A Polygon or MultiPolygon feature.
    Polygon,
    /// A Point feature with a radius.
    Point {
        /// Centre, working CRS metres.
        centre: [f64; 2],
        /// Radius, metres.
        radius_m: f64,
    },
}

/// One treatment area with its buffer.
#[derive(Clone, Debug)]
pub struct Area {
    /// Its name (from the name property).
    pub name: String,
    /// 1-based feature number in the areas file.
    pub feature: usize,
    /// Polygon or point-with-radius.
    pub shape: AreaShape,
    /// Its own start month (`--start-field`).
    pub start: Option<Month>,
    /// The treatment area, working CRS (for a point hub, the 72-gon drawn for the map:
    /// incidents are counted by distance, see [`AreaSet::treatment_region`]).
    pub treatment: MultiPolygon<f64>,
    /// The treatment area grown by the buffer width (treatment + ring, before other
    /// treatment areas are taken out); `None` without a buffer.
    pub outer: Option<MultiPolygon<f64>>,
    /// The buffer ring: `outer` minus every treatment area.
    pub ring: Option<MultiPolygon<f64>>,
    /// Area of the treatment area, m² (`π r²` for a point hub).
    pub treatment_m2: f64,
    /// Area of the buffer ring, m² (for a point hub `π((r + b)² − r²)` less the part of
    /// other treatment areas in it, that part measured on the drawn polygons).
    pub ring_m2: Option<f64>,
    /// What was wrong with the geometry when it had to be repaired.
    pub repaired: Option<String>,
}

/// Two places sharing ground.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overlap {
    /// `treatment/treatment`, `buffer/buffer`, `buffer/treatment` (the first's buffer
    /// distance covers part of the second's treatment area, which counts as treatment),
    /// `control/treatment` or `control/buffer`.
    pub kind: &'static str,
    /// First area's name (`control` for the control).
    pub first: String,
    /// Second area's name.
    pub second: String,
    /// Shared area, m².
    pub area_m2: f64,
}

/// Every place of an evaluation, ready for counting.
#[derive(Clone, Debug)]
pub struct AreaSet {
    /// Treatment areas in file order.
    pub areas: Vec<Area>,
    /// Buffer width, metres.
    pub buffer_m: Option<f64>,
    /// Radius around points, metres.
    pub radius_m: Option<f64>,
    /// The analyst's control area (already valid), or `None` for the rest of the study area.
    pub control: Option<MultiPolygon<f64>>,
    /// The study-area boundary (already valid), when given.
    pub boundary: Option<MultiPolygon<f64>>,
    /// The buffers' own control area (already valid), when given.
    pub buffer_control: Option<MultiPolygon<f64>>,
    /// Union of every treatment area and buffer (what the control leaves out).
    pub covered: MultiPolygon<f64>,
    /// Overlapping places.
    pub overlaps: Vec<Overlap>,
    /// Repairs and other things the analyst should know.
    pub notes: Vec<String>,
}

impl AreaSet {
    /// Each area's name and start month, for [`super::period::resolve`].
    pub fn starts(&self) -> Vec<(String, Option<Month>)> {
        self.areas
            .iter()
            .map(|a| (a.name.clone(), a.start))
            .collect()
    }
}

/// Refuses areas whose polygons are too many or too detailed to evaluate in bounded time:
/// at most [`crate::model::limits::MAX_AREAS`] features, [`crate::model::limits::MAX_AREA_VERTICES`]
/// vertices in one feature and [`crate::model::limits::MAX_TOTAL_VERTICES`] in all, control and
/// boundary included. Generalise the polygons (e.g. `mapshaper -simplify`) or split the file.
pub fn check_vertices(features: &[AreaFeature], params: &AreasParams) -> Result<()> {
    use crate::model::limits::{check, MAX_AREAS, MAX_AREA_VERTICES, MAX_TOTAL_VERTICES};
    check(
        "areas in the file",
        features.len() as u64,
        MAX_AREAS,
        "areas",
    )?;
    let mut total = 0u64;
    for f in features {
        let n = f.geometry.coords_count() as u64;
        check(
            &format!("vertices in area feature {}", f.number),
            n,
            MAX_AREA_VERTICES,
            "areas (generalise the polygons)",
        )?;
        total += n;
    }
    for mp in params.control.iter().chain(&params.boundary) {
        total += mp.coords_count() as u64;
    }
    check(
        "vertices in areas, control and boundary",
        total,
        MAX_TOTAL_VERTICES,
        "areas, control, boundary (generalise the polygons)",
    )
}

/// Builds treatment areas, buffer rings and the control from an areas file's features.
///
/// Parameters: `features` as read by [`crate::ingest::read::areas::read_areas`] (working CRS);
/// `path` the areas file, for messages; `params` name and start fields, radius, buffer,
/// control and boundary.
///
/// Returns the [`AreaSet`]. Errors ([`Error::Work`] when the polygons would take too long
/// to check, measure or buffer, see [`super::work::check_areas`]; [`Error::Field`] with the feature number and its name,
/// or [`Error::Param`] naming the flag): a missing or duplicate name (listing the
/// properties the feature has), a Point without `--radius`, a radius or buffer that is not
/// a positive number, a start month that is missing or not `YYYY-MM`, a polygon that cannot
/// be repaired.
///
/// Algorithm: names and start months are read; polygons are validated and repaired; points
/// become circles (counted by distance, drawn as 72-gons); every geometry is oriented (exteriors counter-clockwise); each treatment
/// area is grown by the buffer and the union of all treatment areas is taken out to make its
/// ring; overlaps are measured pairwise on bounding-box candidates.
///
/// # Examples
/// ```
/// use harmspot::compare::areas::{build, AreasParams};
/// use harmspot::read::areas::AreaFeature;
/// use geo::{Geometry, Point};
/// let mut props = serde_json::Map::new();
/// props.insert("name".into(), "Hub".into());
/// let f = AreaFeature { number: 1, properties: props, geometry: Geometry::Point(Point::new(0.0, 0.0)) };
/// let set = build(&[f], "hubs.geojson".as_ref(), &AreasParams::default().radius(100.0).buffer(100.0)).unwrap();
/// // the circle of radius 100: π · 100² = 31 415.93 m²
/// assert!((set.areas[0].treatment_m2 - 31_415.93).abs() < 0.01);
/// // ring: π (200² − 100²) = 94 247.78 m²
/// assert!((set.areas[0].ring_m2.unwrap() - 94_247.78).abs() < 0.01);
/// ```
pub fn build(features: &[AreaFeature], path: &Path, params: &AreasParams) -> Result<AreaSet> {
    check_params(params)?;
    if features.is_empty() {
        return Err(Error::format(path, "holds no features"));
    }
    check_vertices(features, params)?;
    super::work::check_areas(features, params)?;
    let mut notes = Vec::new();
    let mut areas = features::treatment_areas(features, path, params, &mut notes)?;
    let union_t = unary_union(areas.iter().map(|a| &a.treatment)).orient(Direction::Default);
    if let Some(d) = params.buffer {
        for a in &mut areas {
            add_buffer(a, d, &union_t);
        }
    }
    let covered = {
        let all: Vec<&MultiPolygon<f64>> = areas
            .iter()
            .flat_map(|a| std::iter::once(&a.treatment).chain(a.outer.as_ref()))
            .collect();
        unary_union(all).orient(Direction::Default)
    };

    let mut overlaps = overlap::between(&areas);
    if !overlaps.is_empty() {
        notes.push(format!(
            "{} overlap(s) between areas (see `overlaps`): an incident in two treatment areas (or two buffers) counts in each, and once in the pooled totals; where one hub's buffer reaches another hub's treatment area, it counts as treatment",
            overlaps.len()
        ));
    }
    let limits = overlap::limits(params, &union_t, &covered, &mut overlaps, &mut notes)?;
    Ok(AreaSet {
        areas,
        buffer_m: params.buffer,
        radius_m: params.radius,
        control: limits.control,
        boundary: limits.boundary,
        buffer_control: limits.buffer_control,
        covered,
        overlaps,
        notes,
    })
}

/// Refuses a radius or buffer that is not a positive length, and a buffer control without
/// buffers.
fn check_params(params: &AreasParams) -> Result<()> {
    let positive = |flag: crate::Param, v: Option<f64>| -> Result<()> {
        match v {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(Error::param(
                flag,
                format!("{x} must be a positive number of metres"),
            )),
            _ => Ok(()),
        }
    };
    positive(crate::Param::Radius, params.radius)?;
    positive(crate::Param::Buffer, params.buffer)?;
    if params.buffer_control.is_some() && params.buffer.is_none() {
        return Err(Error::param(
            crate::Param::BufferControl,
            "a control for the buffers needs buffers: give a buffer width",
        ));
    }
    for (name, v) in [
        (crate::Param::Radius, params.radius),
        (crate::Param::Buffer, params.buffer),
    ] {
        if let Some(x) = v {
            crate::model::limits::check_length(name, x, 0.0, crate::model::limits::MAX_DISTANCE)?;
        }
    }
    Ok(())
}

/// Grows area `a` by the buffer width `d` and takes every treatment area (`union_t`) out
/// of it to make its ring.
fn add_buffer(a: &mut Area, d: f64, union_t: &MultiPolygon<f64>) {
    let outer = match a.shape {
        AreaShape::Point { centre, radius_m } => MultiPolygon(vec![circle(centre, radius_m + d)]),
        AreaShape::Polygon => grow(&a.treatment, d),
    };
    let ring = outer.difference(union_t);
    a.ring_m2 = Some(match a.shape {
        AreaShape::Point { radius_m, .. } => {
            // exact annulus, less what other treatment areas take from it
            let (r, big) = (radius_m, radius_m + d);
            let others = area_m2(&outer) - area_m2(&ring) - area_m2(&a.treatment);
            let others = if others > SLIVER_M2 { others } else { 0.0 };
            (std::f64::consts::PI * (big * big - r * r) - others).max(0.0)
        }
        AreaShape::Polygon => area_m2(&ring),
    });
    a.outer = Some(outer);
    a.ring = Some(ring);
}
