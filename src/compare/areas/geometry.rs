//! Geometry of treatment areas and buffers (METHODS §6): circles drawn for point hubs,
//! validation and repair of polygons (geo's `Validation` and `MakeValid`, after Ledoux et
//! al. 2014), buffers grown with round corners (geo's `Buffer`), and shared areas.

use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::orient::{Direction, Orient};
use geo::{
    unary_union, Area as _, BooleanOps, BoundingRect, Buffer, LineString, MakeValid, MultiPolygon,
    Polygon, Rect, Validation,
};

/// Angular step of circles and round buffer corners, degrees.
pub const CIRCLE_STEP_DEG: f64 = 5.0;

/// Vertices of the polygon drawn for a circle (360° / [`CIRCLE_STEP_DEG`]).
pub const CIRCLE_VERTICES: usize = 72;

/// Shared areas smaller than this (m²) are numerical slivers, not overlaps.
pub(super) const SLIVER_M2: f64 = 1.0;

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

/// Area of a (multi)polygon, m².
pub(super) fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
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
    Ok((canonical(fixed), Some(problem)))
}

/// `mp` in one canonical order: each ring starts at its least vertex (x, then y; the
/// orientation kept), holes and polygons sorted by their first vertex. geo's `MakeValid`
/// returns the same repair in an order that varies from run to run; areas and outputs
/// built from it must not.
fn canonical(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    fn least(ring: &LineString<f64>) -> (f64, f64) {
        ring.0
            .iter()
            .map(|c| (c.x, c.y))
            .fold((f64::INFINITY, f64::INFINITY), |a, b| {
                if b.0 < a.0 || (b.0 == a.0 && b.1 < a.1) {
                    b
                } else {
                    a
                }
            })
    }
    fn rotate(ring: &LineString<f64>) -> LineString<f64> {
        let mut pts: Vec<_> = ring.0.clone();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        let m = least(ring);
        let k = pts.iter().position(|c| (c.x, c.y) == m).unwrap_or(0);
        pts.rotate_left(k);
        if let Some(&first) = pts.first() {
            pts.push(first);
        }
        LineString(pts)
    }
    let key = |r: &LineString<f64>| {
        let (x, y) = least(r);
        (x, y, r.0.len())
    };
    let mut polys: Vec<Polygon<f64>> =
        mp.0.into_iter()
            .map(|p| {
                let (ext, holes) = p.into_inner();
                let mut holes: Vec<LineString<f64>> = holes.iter().map(rotate).collect();
                holes.sort_by(|a, b| {
                    key(a)
                        .partial_cmp(&key(b))
                        .unwrap_or(std::cmp::Ordering::Equal)
                });
                Polygon::new(rotate(&ext), holes)
            })
            .collect();
    polys.sort_by(|a, b| {
        key(a.exterior())
            .partial_cmp(&key(b.exterior()))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    MultiPolygon(polys)
}

/// `mp` grown by `d` metres, round corners in [`CIRCLE_STEP_DEG`] steps, oriented.
pub(super) fn grow(mp: &MultiPolygon<f64>, d: f64) -> MultiPolygon<f64> {
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

/// The area `a` and `b` share, m² (0 when their envelopes do not meet).
pub(super) fn shared(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    if !rects_meet(a.bounding_rect(), b.bounding_rect()) {
        return 0.0;
    }
    a.intersection(b).unsigned_area()
}
