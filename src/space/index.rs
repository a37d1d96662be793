//! Spatial index over incidents: an `rstar` R-tree (Guttman 1984; bulk-loaded with the OMT
//! packing of Lee & Lee 2003) of points in the working CRS, carrying each incident's row.
//!
//! Queries take lengths in metres; squared distances exist only inside this module and are
//! named `*_2`, as in rstar. Every query returns rows in ascending order, so results do not
//! depend on the tree's internal layout.
//!
//! This is the crate's index over incidents. The one other spatial structure is the bucket
//! grid of area envelopes that `compare` looks each incident up in (`compare/envelope.rs`),
//! kept for that one job because it is several times faster there (measured in its doc).

use crate::model::incident::{Incidents, Selection};
use geo::{BoundingRect, Contains, MultiPolygon, Point};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

type Entry = GeomWithData<[f64; 2], u32>;

/// An R-tree over [`Incidents`], built once with `bulk_load`.
pub struct IncidentIndex {
    tree: RTree<Entry>,
}

impl IncidentIndex {
    /// Builds the index over every incident.
    ///
    /// ```
    /// use harmspot::{IncidentIndex, Incidents, Selection, Month};
    /// let m = Month::parse("2021-03").unwrap();
    /// let inc = Incidents {
    ///     xy: vec![[0.0, 0.0], [30.0, 40.0], [300.0, 0.0]],
    ///     month: vec![m; 3], kind: vec![0; 3], harm: vec![1.0; 3],
    ///     types: vec!["Burglary".into()],
    ///     ..Default::default()
    /// };
    /// let idx = IncidentIndex::build(&inc);
    /// assert_eq!(idx.within(&inc, [0.0, 0.0], 50.0, &Selection::all()), vec![0, 1]);
    /// ```
    pub fn build(incidents: &Incidents) -> IncidentIndex {
        let entries: Vec<Entry> = incidents
            .xy
            .iter()
            .enumerate()
            .map(|(i, p)| GeomWithData::new(*p, i as u32))
            .collect();
        IncidentIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// Number of indexed incidents.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }

    /// Calls `f(row, distance_2)` for every incident within `radius` metres of `centre`
    /// (inclusive), in the tree's order. The hot path for kernel sums.
    pub fn for_each_within(&self, centre: [f64; 2], radius: f64, mut f: impl FnMut(u32, f64)) {
        let radius_2 = radius * radius;
        for e in self.tree.locate_within_distance(centre, radius_2) {
            let g = e.geom();
            let (dx, dy) = (g[0] - centre[0], g[1] - centre[1]);
            f(e.data, dx * dx + dy * dy);
        }
    }

    /// Rows of selected incidents within `radius` metres of `centre` (inclusive), ascending.
    pub fn within(
        &self,
        inc: &Incidents,
        centre: [f64; 2],
        radius: f64,
        sel: &Selection,
    ) -> Vec<u32> {
        let mut v = Vec::new();
        self.for_each_within(centre, radius, |i, _| {
            if sel.accepts(inc, i as usize) {
                v.push(i);
            }
        });
        v.sort_unstable();
        v
    }

    /// Rows of selected incidents inside the envelope `[xmin, ymin, xmax, ymax]` (edges
    /// included), ascending.
    pub fn in_envelope(&self, inc: &Incidents, env: [f64; 4], sel: &Selection) -> Vec<u32> {
        let aabb = AABB::from_corners([env[0], env[1]], [env[2], env[3]]);
        let mut v: Vec<u32> = self
            .tree
            .locate_in_envelope(aabb)
            .map(|e| e.data)
            .filter(|&i| sel.accepts(inc, i as usize))
            .collect();
        v.sort_unstable();
        v
    }

    /// Rows of selected incidents inside a (multi)polygon in the working CRS, ascending: an
    /// envelope pre-filter on the tree, then exact point-in-polygon. Points on the boundary
    /// are not inside (geo's `Contains`), so adjoining areas never share an incident.
    pub fn in_polygon(
        &self,
        inc: &Incidents,
        poly: &MultiPolygon<f64>,
        sel: &Selection,
    ) -> Vec<u32> {
        let Some(r) = poly.bounding_rect() else {
            return Vec::new();
        };
        let env = [r.min().x, r.min().y, r.max().x, r.max().y];
        self.in_envelope(inc, env, sel)
            .into_iter()
            .filter(|&i| {
                let p = inc.xy[i as usize];
                poly.contains(&Point::new(p[0], p[1]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::month::{Month, MonthRange};
    use geo::polygon;

    fn grid_incidents() -> Incidents {
        // 10 x 10 points at 10 m spacing; months alternate; type 0 or 1 by column parity
        let m0 = Month::parse("2021-01").unwrap();
        let mut inc = Incidents {
            types: vec!["Anti-social behaviour".into(), "Burglary".into()],
            ..Default::default()
        };
        for i in 0..100u32 {
            inc.xy
                .push([(i % 10) as f64 * 10.0, (i / 10) as f64 * 10.0]);
            inc.month.push(m0.add((i % 2) as i32));
            inc.kind.push(((i % 10) % 2) as u16);
            inc.harm.push(1.0);
        }
        inc
    }

    #[test]
    fn empty_index() {
        let inc = Incidents::default();
        let idx = IncidentIndex::build(&inc);
        assert!(idx.is_empty());
        assert!(idx
            .within(&inc, [0.0, 0.0], 100.0, &Selection::all())
            .is_empty());
    }

    #[test]
    fn radius_is_inclusive_and_matches_brute_force() {
        let inc = grid_incidents();
        let idx = IncidentIndex::build(&inc);
        for (c, r) in [
            ([45.0, 45.0], 20.0),
            ([0.0, 0.0], 10.0),
            ([90.0, 90.0], 14.2),
        ] {
            let brute: Vec<u32> = (0..100u32)
                .filter(|&i| {
                    let p = inc.xy[i as usize];
                    (p[0] - c[0]).hypot(p[1] - c[1]) <= r
                })
                .collect();
            assert_eq!(idx.within(&inc, c, r, &Selection::all()), brute);
        }
        // exactly at the radius counts
        assert_eq!(
            idx.within(&inc, [0.0, 0.0], 10.0, &Selection::all()),
            vec![0, 1, 10]
        );
    }

    #[test]
    fn envelope_and_polygon_with_filters() {
        let inc = grid_incidents();
        let idx = IncidentIndex::build(&inc);
        let env = idx.in_envelope(&inc, [0.0, 0.0, 20.0, 10.0], &Selection::all());
        assert_eq!(env, vec![0, 1, 2, 10, 11, 12]);
        // triangle strictly containing points with x > y... lower-right half
        let tri: MultiPolygon<f64> =
            polygon![(x: -1.0, y: -5.0), (x: 95.0, y: -5.0), (x: 95.0, y: 91.0)].into();
        let inside = idx.in_polygon(&inc, &tri, &Selection::all());
        let brute: Vec<u32> = (0..100u32)
            .filter(|&i| {
                let p = inc.xy[i as usize];
                p[1] < p[0] - 4.0 + 1e-9 && p[0] <= 90.0
            })
            .collect();
        assert_eq!(inside, brute);
        let m = Month::parse("2021-02").unwrap();
        let sel =
            Selection::months(MonthRange::new(m, m).unwrap()).with_types(&inc, |t| t == "Burglary");
        let got = idx.in_envelope(&inc, [0.0, 0.0, 90.0, 90.0], &sel);
        assert!(got
            .iter()
            .all(|&i| inc.month[i as usize] == m && inc.kind[i as usize] == 1));
        assert_eq!(got.len(), 50); // odd i are month 2, odd columns are Burglary: same set
    }
}
