//! Treatment areas, buffer rings and the control area of a before/after evaluation
//! (METHODS §6: A = treatment area, B = buffer ring around it, C = control area).
//!
//! - **Treatment areas** come from an areas file ([`crate::read::areas::read_areas`]):
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

use crate::error::{Error, Result};
use crate::month::Month;
use crate::read::areas::AreaFeature;
use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::orient::{Direction, Orient};
use geo::CoordsIter as _;
use geo::{
    unary_union, Area as _, BooleanOps, BoundingRect, Buffer, Geometry, LineString, MakeValid,
    MultiPolygon, Polygon, Rect, Validation,
};
use serde::Serialize;
use std::path::Path;

/// Angular step of circles and round buffer corners, degrees.
pub const CIRCLE_STEP_DEG: f64 = 5.0;

/// Vertices of the polygon drawn for a circle (360° / [`CIRCLE_STEP_DEG`]).
pub const CIRCLE_VERTICES: usize = 72;

/// Shared areas smaller than this (m²) are numerical slivers, not overlaps.
const SLIVER_M2: f64 = 1.0;

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

/// A regular 72-gon (5° steps) of radius `r` around `c`, counter-clockwise.
pub fn circle(c: [f64; 2], r: f64) -> Polygon<f64> {
    let n = CIRCLE_VERTICES;
    let mut pts: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            (c[0] + r * t.cos(), c[1] + r * t.sin())
        })
        .collect();
    pts.push(pts[0]);
    Polygon::new(LineString::from(pts), vec![])
}

fn field_error(path: &Path, number: usize, field: &str, reason: String) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line: number as u64,
        field: field.to_string(),
        reason,
    }
}

fn properties_list(f: &AreaFeature) -> String {
    if f.properties.is_empty() {
        "the feature has no properties".into()
    } else {
        let keys: Vec<&str> = f.properties.keys().map(String::as_str).collect();
        format!("the feature's properties are: {}", keys.join(", "))
    }
}

fn text_property(f: &AreaFeature, field: &str) -> Option<String> {
    match f.properties.get(field)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.unsigned_area()
}

/// Makes a (multi)polygon valid: returns it unchanged when valid, otherwise the repaired
/// geometry and what was wrong; `Err` with a reason when nothing with an area is left.
///
/// ```
/// use harmspot::compare::areas::make_valid;
/// use geo::{polygon, MultiPolygon, Area};
/// // A bow-tie: the boundary crosses itself at (5, 5); repaired into two triangles of 25 m².
/// let bowtie: MultiPolygon<f64> = polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 0.), (x: 10., y: 10.)].into();
/// let (fixed, problem) = make_valid(bowtie).unwrap();
/// assert!(problem.is_some());
/// assert!((fixed.unsigned_area() - 50.0).abs() < 1e-9);
/// ```
pub fn make_valid(
    mp: MultiPolygon<f64>,
) -> std::result::Result<(MultiPolygon<f64>, Option<String>), String> {
    let mp = mp.orient(Direction::Default);
    let problem = match mp.check_validation() {
        Ok(()) if mp.unsigned_area() > 0.0 => return Ok((mp, None)),
        Ok(()) => return Err("it has no area".into()),
        Err(e) => e.to_string(),
    };
    let mut parts: Vec<Polygon<f64>> = Vec::new();
    for p in mp.0 {
        if p.is_valid() {
            parts.push(p);
        } else {
            let fixed = p
                .make_valid()
                .map_err(|e| format!("{problem}, and repair failed: {e}"))?;
            parts.extend(fixed.0);
        }
    }
    let mut fixed = MultiPolygon(parts).orient(Direction::Default);
    if !fixed.is_valid() {
        // parts that overlap each other: merge them
        fixed = unary_union(fixed.0.iter()).orient(Direction::Default);
    }
    if fixed.0.is_empty() || fixed.unsigned_area() <= 0.0 {
        return Err(format!("{problem}, and no area is left after repair"));
    }
    if let Err(e) = fixed.check_validation() {
        return Err(format!("{problem}, and the repair is still invalid ({e})"));
    }
    Ok((fixed, Some(problem)))
}

fn grow(mp: &MultiPolygon<f64>, d: f64) -> MultiPolygon<f64> {
    let style = BufferStyle::new(d).line_join(LineJoin::Round(CIRCLE_STEP_DEG.to_radians()));
    mp.buffer_with_style(style).orient(Direction::Default)
}

fn rects_meet(a: Option<Rect<f64>>, b: Option<Rect<f64>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.min().x <= b.max().x
                && b.min().x <= a.max().x
                && a.min().y <= b.max().y
                && b.min().y <= a.max().y
        }
        _ => false,
    }
}

fn shared(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    if !rects_meet(a.bounding_rect(), b.bounding_rect()) {
        return 0.0;
    }
    a.intersection(b).unsigned_area()
}

/// Refuses areas whose polygons are too many or too detailed to evaluate in bounded time:
/// at most [`crate::limits::MAX_AREAS`] features, [`crate::limits::MAX_AREA_VERTICES`]
/// vertices in one feature and [`crate::limits::MAX_TOTAL_VERTICES`] in all, control and
/// boundary included. Generalise the polygons (e.g. `mapshaper -simplify`) or split the file.
pub fn check_vertices(features: &[AreaFeature], params: &AreasParams) -> Result<()> {
    use crate::limits::{check, MAX_AREAS, MAX_AREA_VERTICES, MAX_TOTAL_VERTICES};
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
/// Parameters: `features` as read by [`crate::read::areas::read_areas`] (working CRS);
/// `path` the areas file, for messages; `params` name and start fields, radius, buffer,
/// control and boundary.
///
/// Returns the [`AreaSet`]. Errors ([`Error::Field`] with the feature number and its name,
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
            crate::limits::check_length(name, x, 0.0, crate::limits::MAX_DISTANCE)?;
        }
    }
    if features.is_empty() {
        return Err(Error::format(path, "holds no features"));
    }
    check_vertices(features, params)?;
    let mut notes = Vec::new();
    let mut areas: Vec<Area> = Vec::with_capacity(features.len());
    let mut polygons_given = 0;
    for f in features {
        let field = &params.name_field;
        let name = text_property(f, field).ok_or_else(|| {
            field_error(
                path,
                f.number,
                field,
                format!(
                    "no name: {} (choose the name property with ‹name_field›)",
                    properties_list(f)
                ),
            )
        })?;
        if let Some(other) = areas.iter().find(|a| a.name == name) {
            return Err(field_error(
                path,
                f.number,
                field,
                format!(
                    "name `{name}` is already used by feature {}: names must be unique",
                    other.feature
                ),
            ));
        }
        let start = match &params.start_field {
            None => None,
            Some(sf) => {
                let Some(v) = f.properties.get(sf).filter(|v| !v.is_null()) else {
                    return Err(field_error(
                        path,
                        f.number,
                        sf,
                        format!(
                            "area `{name}` has no start month: {} (‹start_field›)",
                            properties_list(f)
                        ),
                    ));
                };
                let s = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                Some(Month::parse(&s).ok_or_else(|| {
                    field_error(
                        path,
                        f.number,
                        sf,
                        format!("area `{name}`: `{s}` is not a month YYYY-MM"),
                    )
                })?)
            }
        };
        let (shape, treatment, repaired) = match &f.geometry {
            Geometry::Point(p) => {
                let Some(r) = params.radius else {
                    return Err(Error::param(crate::Param::Radius,
                        format!(
                            "{}: feature {} (`{name}`) is a Point: give ‹radius› M, the distance around each hub in metres",
                            path.display(),
                            f.number
                        ),
                    ));
                };
                let c = [p.x(), p.y()];
                (
                    AreaShape::Point {
                        centre: c,
                        radius_m: r,
                    },
                    MultiPolygon(vec![circle(c, r)]),
                    None,
                )
            }
            g => {
                polygons_given += 1;
                let mp = match g {
                    Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                    Geometry::MultiPolygon(mp) => mp.clone(),
                    _ => {
                        return Err(field_error(
                            path,
                            f.number,
                            "geometry",
                            format!("area `{name}` is not a Polygon, MultiPolygon or Point"),
                        ))
                    }
                };
                let (mp, problem) = make_valid(mp).map_err(|why| {
                    field_error(
                        path,
                        f.number,
                        "geometry",
                        format!("area `{name}` is not a valid polygon: {why}"),
                    )
                })?;
                if let Some(p) = &problem {
                    notes.push(format!(
                        "area `{name}` (feature {}) was not a valid polygon ({p}); it was repaired with geo's MakeValid — check the repaired shape in areas.geojson",
                        f.number
                    ));
                }
                (AreaShape::Polygon, mp, problem)
            }
        };
        let treatment_m2 = match shape {
            AreaShape::Point { radius_m, .. } => std::f64::consts::PI * radius_m * radius_m,
            AreaShape::Polygon => area_m2(&treatment),
        };
        areas.push(Area {
            name,
            feature: f.number,
            shape,
            start,
            treatment_m2,
            treatment,
            outer: None,
            ring: None,
            ring_m2: None,
            repaired,
        });
    }
    if params.radius.is_some() && polygons_given > 0 {
        notes.push(format!(
            "‹radius› applies to Point features only; {polygons_given} polygon area(s) are used as drawn"
        ));
    }

    // Buffers.
    let union_t = unary_union(areas.iter().map(|a| &a.treatment)).orient(Direction::Default);
    if let Some(d) = params.buffer {
        for a in &mut areas {
            let outer = match a.shape {
                AreaShape::Point { centre, radius_m } => {
                    MultiPolygon(vec![circle(centre, radius_m + d)])
                }
                AreaShape::Polygon => grow(&a.treatment, d),
            };
            let ring = outer.difference(&union_t);
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
    }
    let covered = {
        let all: Vec<&MultiPolygon<f64>> = areas
            .iter()
            .flat_map(|a| std::iter::once(&a.treatment).chain(a.outer.as_ref()))
            .collect();
        unary_union(all).orient(Direction::Default)
    };

    // Overlaps.
    let mut overlaps = Vec::new();
    for i in 0..areas.len() {
        for j in 0..areas.len() {
            if i == j {
                continue;
            }
            let (a, b) = (&areas[i], &areas[j]);
            if i < j {
                let s = shared(&a.treatment, &b.treatment);
                if s > SLIVER_M2 {
                    overlaps.push(Overlap {
                        kind: "treatment/treatment",
                        first: a.name.clone(),
                        second: b.name.clone(),
                        area_m2: s,
                    });
                }
                if let (Some(ra), Some(rb)) = (&a.ring, &b.ring) {
                    let s = shared(ra, rb);
                    if s > SLIVER_M2 {
                        overlaps.push(Overlap {
                            kind: "buffer/buffer",
                            first: a.name.clone(),
                            second: b.name.clone(),
                            area_m2: s,
                        });
                    }
                }
            }
            if let Some(oa) = &a.outer {
                let s = shared(oa, &b.treatment) - shared(&a.treatment, &b.treatment);
                if s > SLIVER_M2 {
                    overlaps.push(Overlap {
                        kind: "buffer/treatment",
                        first: a.name.clone(),
                        second: b.name.clone(),
                        area_m2: s,
                    });
                }
            }
        }
    }
    if !overlaps.is_empty() {
        notes.push(format!(
            "{} overlap(s) between areas (see `overlaps`): an incident in two treatment areas (or two buffers) counts in each, and once in the pooled totals; where one hub's buffer reaches another hub's treatment area, it counts as treatment",
            overlaps.len()
        ));
    }

    // Control and boundary.
    let fix_whole = |what: &str,
                     flag: crate::Param,
                     mp: &MultiPolygon<f64>,
                     notes: &mut Vec<String>|
     -> Result<MultiPolygon<f64>> {
        let (fixed, problem) = make_valid(mp.clone()).map_err(|why| {
            Error::param(flag, format!("the {what} is not a valid polygon: {why}"))
        })?;
        if let Some(p) = problem {
            notes.push(format!(
                "the {what} ({flag}) was not a valid polygon ({p}); it was repaired"
            ));
        }
        Ok(fixed)
    };
    let control = match &params.control {
        None => None,
        Some(c) => {
            let c = fix_whole("control area", crate::Param::Control, c, &mut notes)?;
            let in_t = shared(&c, &union_t);
            if in_t > SLIVER_M2 {
                overlaps.push(Overlap {
                    kind: "control/treatment",
                    first: "control".into(),
                    second: "treatment areas".into(),
                    area_m2: in_t,
                });
            }
            let in_b = shared(&c, &covered) - in_t;
            if in_b > SLIVER_M2 {
                overlaps.push(Overlap {
                    kind: "control/buffer",
                    first: "control".into(),
                    second: "buffers".into(),
                    area_m2: in_b,
                });
            }
            if in_t + in_b > SLIVER_M2 {
                notes.push(format!(
                    "the control area (‹control›) overlaps treatment areas or buffers over {:.0} m²: incidents there count as treatment or buffer, not control",
                    in_t + in_b
                ));
            }
            Some(c)
        }
    };
    let boundary = match &params.boundary {
        None => None,
        Some(b) => Some(fix_whole(
            "boundary",
            crate::Param::Boundary,
            b,
            &mut notes,
        )?),
    };
    let buffer_control = match &params.buffer_control {
        None => None,
        Some(d) => {
            let d = fix_whole(
                "buffer control area",
                crate::Param::BufferControl,
                d,
                &mut notes,
            )?;
            if shared(&d, &covered) > SLIVER_M2 {
                notes.push(
                    "the buffer control area overlaps treatment areas or buffers: incidents there count as treatment or buffer, not as buffer control".into(),
                );
            }
            Some(d)
        }
    };
    Ok(AreaSet {
        areas,
        buffer_m: params.buffer,
        radius_m: params.radius,
        control,
        boundary,
        buffer_control,
        covered,
        overlaps,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Point};

    fn feature(number: usize, name: &str, g: Geometry<f64>) -> AreaFeature {
        let mut props = serde_json::Map::new();
        props.insert("name".into(), name.into());
        props.insert("opened".into(), "2022-01".into());
        AreaFeature {
            number,
            properties: props,
            geometry: g,
        }
    }

    fn square(x: f64, y: f64, s: f64) -> Geometry<f64> {
        Geometry::Polygon(
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)],
        )
    }

    #[test]
    fn square_buffer_and_overlaps() {
        let fs = [
            feature(1, "A", square(0.0, 0.0, 100.0)),
            feature(2, "B", square(50.0, 0.0, 100.0)),
        ];
        let set = build(
            &fs,
            Path::new("a.geojson"),
            &AreasParams::default().buffer(10.0),
        )
        .unwrap();
        assert_eq!(set.areas[0].treatment_m2, 10_000.0);
        // A and B share a 50 × 100 strip
        let tt = set
            .overlaps
            .iter()
            .find(|o| o.kind == "treatment/treatment")
            .unwrap();
        assert!((tt.area_m2 - 5000.0).abs() < 1e-6, "{tt:?}");
        // A's ring leaves out B's square, which counts as treatment
        let ring = set.areas[0].ring.as_ref().unwrap();
        assert!(shared(ring, &set.areas[1].treatment) < 1e-6);
        assert!(set
            .overlaps
            .iter()
            .any(|o| o.kind == "buffer/treatment" && o.first == "A"));
        assert!(set.notes.iter().any(|n| n.contains("overlap")));
    }

    #[test]
    fn names_and_starts() {
        let mut f = feature(3, "A", square(0.0, 0.0, 10.0));
        f.properties.remove("name");
        let e = build(
            std::slice::from_ref(&f),
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("h.geojson:3: field `name`") && e.contains("properties are: opened"),
            "{e}"
        );
        let e = build(
            &[
                feature(1, "A", square(0.0, 0.0, 10.0)),
                feature(2, "A", square(20.0, 0.0, 10.0)),
            ],
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("already used by feature 1"), "{e}");
        let set = build(
            &[feature(1, "A", square(0.0, 0.0, 10.0))],
            Path::new("h.geojson"),
            &AreasParams::default().start_field("opened"),
        )
        .unwrap();
        assert_eq!(set.areas[0].start, Month::parse("2022-01"));
        let e = build(
            &[feature(1, "A", square(0.0, 0.0, 10.0))],
            Path::new("h.geojson"),
            &AreasParams::default().start_field("start"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("area `A` has no start month") && e.contains("name, opened"),
            "{e}"
        );
    }

    #[test]
    fn points_need_radius() {
        let f = feature(1, "Hub", Geometry::Point(Point::new(0.0, 0.0)));
        let e = build(
            std::slice::from_ref(&f),
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("‹radius›:") && e.contains("`Hub`"), "{e}");
        let e = build(
            &[f],
            Path::new("h.geojson"),
            &AreasParams::default().radius(-3.0),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("‹radius›:"), "{e}");
    }

    #[test]
    fn repair_or_reject() {
        let bowtie = Geometry::Polygon(
            polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 0.), (x: 10., y: 10.)],
        );
        let set = build(
            &[feature(4, "Bow", bowtie)],
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap();
        assert!(set.areas[0].repaired.is_some());
        assert!((set.areas[0].treatment_m2 - 50.0).abs() < 1e-9);
        assert!(set.notes[0].contains("`Bow` (feature 4)"));
        let flat = Geometry::Polygon(polygon![(x: 0., y: 0.), (x: 5., y: 5.), (x: 10., y: 10.)]);
        let e = build(
            &[feature(2, "Flat", flat)],
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("h.geojson:2: field `geometry`") && e.contains("area `Flat`"),
            "{e}"
        );
        // overlapping parts of one MultiPolygon are merged
        let mp = Geometry::MultiPolygon(MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
            polygon![(x: 5., y: 0.), (x: 15., y: 0.), (x: 15., y: 10.), (x: 5., y: 10.)],
        ]));
        let set = build(
            &[feature(1, "M", mp)],
            Path::new("h.geojson"),
            &AreasParams::default(),
        )
        .unwrap();
        assert!(
            (set.areas[0].treatment_m2 - 150.0).abs() < 1e-6,
            "{}",
            set.areas[0].treatment_m2
        );
    }
}
