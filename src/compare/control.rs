//! The control area C of a before/after evaluation (METHODS §6): the analyst's control, or
//! the study area (a boundary, else the convex hull of the incidents) minus every
//! treatment area and buffer; and the buffers' own control when given (Wheeler &
//! Ratcliffe 2018, separate controls). The geometry is for the map and the control's
//! area; counting uses [`super::areas::AreaSet`]'s polygons directly.

use super::areas::AreaSet;
use super::result::ControlSummary;
use geo::{Area as _, BooleanOps, ConvexHull, MultiPoint, MultiPolygon, Point, Polygon};
use rayon::prelude::*;

/// The control's definition and geometry, and the buffer control's, when given.
pub(super) struct Controls {
    /// The control for the treatment areas (and the buffers without a buffer control).
    pub(super) control: ControlSummary,
    /// Its geometry, working CRS.
    pub(super) geometry: MultiPolygon<f64>,
    /// The buffers' own control.
    pub(super) buffer_control: Option<ControlSummary>,
    /// Its geometry, working CRS.
    pub(super) buffer_geometry: Option<MultiPolygon<f64>>,
}

/// The controls of `areas` over incidents at `xy` (for the default hull).
pub(super) fn controls(areas: &AreaSet, xy: &[[f64; 2]]) -> Controls {
    let (definition, geometry) = match (&areas.control, &areas.boundary) {
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
            MultiPolygon(vec![incident_hull(xy)]).difference(&areas.covered),
        ),
    };
    let area_m2 = geometry.unsigned_area();
    let buffer_geometry = areas
        .buffer_control
        .as_ref()
        .filter(|_| areas.buffer_m.is_some())
        .map(|d| d.difference(&areas.covered));
    let buffer_control = buffer_geometry.as_ref().map(|g| ControlSummary {
        definition: "the buffer control area given, leaving out treatment areas and buffers"
            .to_string(),
        area_m2: g.unsigned_area(),
    });
    Controls {
        control: ControlSummary {
            definition,
            area_m2,
        },
        geometry,
        buffer_control,
        buffer_geometry,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rng::Rng;

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
