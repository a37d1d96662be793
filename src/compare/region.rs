//! Which incidents lie in a treatment area or its buffer (METHODS §6: A and B).
//!
//! A point hub with a radius `r` and a buffer `b` is a distance rule, not a polygon: an
//! incident at distance `d` from the hub (working CRS, metres) is in the treatment area when
//! `d ≤ r` and in the buffer when `r < d ≤ r + b` (and in no other treatment area). police.uk
//! snaps incidents to shared map points, so a polygon standing in for the circle would move
//! whole batches of incidents across the edge: the 72-sided polygon used before issue 12 fell
//! up to 0.57 m inside a 600 m circle. Polygons around hubs are drawn only for the map
//! (`areas.geojson`); counting never uses them.
//!
//! Polygon areas (drawn by the analyst, and their grown buffers) use point-in-polygon with
//! geo's `Contains`: a point on the edge is outside.

use super::areas::{AreaSet, AreaShape};
use geo::{BoundingRect, Contains, MultiPolygon, Point};

/// Distance between two points in the working CRS, metres (`hypot`, correctly rounded to
/// within an ulp, so 299.999 m and 300.001 m never swap sides).
///
/// ```
/// assert_eq!(harmspot::compare::region::distance_m([0.0, 0.0], [300.0, 400.0]), 500.0);
/// ```
#[inline]
pub fn distance_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// A place incidents are tested against.
#[derive(Copy, Clone, Debug)]
pub enum Region<'a> {
    /// Every point at most `radius_m` metres from `centre` (edge included).
    Circle {
        /// Centre, working CRS.
        centre: [f64; 2],
        /// Radius, metres.
        radius_m: f64,
    },
    /// The inside of a (multi)polygon, working CRS (edge excluded).
    Polygon(&'a MultiPolygon<f64>),
}

impl Region<'_> {
    /// Whether `p` (working CRS) lies in the region.
    ///
    /// ```
    /// use harmspot::compare::region::Region;
    /// let hub = Region::Circle { centre: [1000.0, 0.0], radius_m: 300.0 };
    /// assert!(hub.contains([1300.0, 0.0])); // on the edge: inside
    /// assert!(hub.contains([1000.0, 299.999]));
    /// assert!(!hub.contains([1000.0, 300.001]));
    /// ```
    #[inline]
    pub fn contains(&self, p: [f64; 2]) -> bool {
        match self {
            Region::Circle { centre, radius_m } => distance_m(p, *centre) <= *radius_m,
            Region::Polygon(mp) => mp.contains(&Point::new(p[0], p[1])),
        }
    }

    /// `[xmin, ymin, xmax, ymax]` holding every point of the region (edges included);
    /// `None` for an empty polygon.
    pub fn envelope(&self) -> Option<[f64; 4]> {
        match self {
            Region::Circle { centre, radius_m } => {
                // widened by a relative 1e-9 so that rounding in `c ± r` never cuts off a
                // point the distance rule keeps
                let r = radius_m * (1.0 + 1e-9) + 1e-9;
                Some([centre[0] - r, centre[1] - r, centre[0] + r, centre[1] + r])
            }
            Region::Polygon(mp) => mp
                .bounding_rect()
                .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        }
    }
}

impl AreaSet {
    /// Area `k`'s treatment area as counted: the circle around a point hub, else its polygon.
    pub fn treatment_region(&self, k: usize) -> Region<'_> {
        let a = &self.areas[k];
        match a.shape {
            AreaShape::Point { centre, radius_m } => Region::Circle { centre, radius_m },
            AreaShape::Polygon => Region::Polygon(&a.treatment),
        }
    }

    /// Area `k`'s treatment area grown by the buffer (treatment + ring), as counted; `None`
    /// without a buffer. An incident in it and in no treatment area is in the buffer.
    pub fn outer_region(&self, k: usize) -> Option<Region<'_>> {
        let a = &self.areas[k];
        let outer = a.outer.as_ref()?;
        Some(match (a.shape.clone(), self.buffer_m) {
            (AreaShape::Point { centre, radius_m }, Some(b)) => Region::Circle {
                centre,
                radius_m: radius_m + b,
            },
            _ => Region::Polygon(outer),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::areas::{build, AreasParams};
    use crate::ingest::read::areas::AreaFeature;
    use geo::{polygon, Geometry};

    fn hub_set(x: f64, y: f64) -> AreaSet {
        let mut props = serde_json::Map::new();
        props.insert("name".into(), "Hub".into());
        let f = AreaFeature {
            number: 1,
            properties: props,
            geometry: Geometry::Point(Point::new(x, y)),
        };
        build(
            &[f],
            "h.geojson".as_ref(),
            &AreasParams::default().radius(300.0).buffer(300.0),
        )
        .unwrap()
    }

    #[test]
    fn circles_decide_by_distance_at_every_bearing() {
        // a hub at BNG-like coordinates, where rounding of large numbers matters
        let (cx, cy) = (421_234.5, 563_987.25);
        let set = hub_set(cx, cy);
        let t = set.treatment_region(0);
        let o = set.outer_region(0).unwrap();
        for k in 0..3600 {
            let th = (k as f64 / 10.0).to_radians();
            let at = |d: f64| [cx + d * th.cos(), cy + d * th.sin()];
            assert!(t.contains(at(299.999)), "bearing {k}");
            assert!(!t.contains(at(300.001)), "bearing {k}");
            assert!(o.contains(at(599.999)) && !o.contains(at(600.001)));
            // the 72-gon's flat edges fell 0.57 m inside 600 m: no longer
            assert!(o.contains(at(599.7)));
            let env = o.envelope().unwrap();
            let p = at(600.0);
            assert!(p[0] >= env[0] && p[0] <= env[2] && p[1] >= env[1] && p[1] <= env[3]);
        }
        // exactly on the edges (exact in binary): inside
        assert!(t.contains([cx + 300.0, cy]) && t.contains([cx, cy - 300.0]));
        assert!(o.contains([cx - 600.0, cy]) && !o.contains([cx - 600.0, cy + 0.001]));
    }

    #[test]
    fn polygons_keep_point_in_polygon() {
        let sq: MultiPolygon<f64> =
            polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)].into();
        let r = Region::Polygon(&sq);
        assert!(r.contains([5.0, 5.0]));
        assert!(!r.contains([10.0, 5.0])); // edge: outside
        assert_eq!(r.envelope(), Some([0.0, 0.0, 10.0, 10.0]));
    }
}
