//! Placebo areas for calibrated before/after verdicts (METHODS §6b; placebo-in-space,
//! Abadie, Diamond & Hainmueller 2010, JASA 105:493).
//!
//! A placebo is an area of a hub's own shape (the same circle; a polygon translated) centred
//! where incidents occur — at a distinct map point of the data — inside the study area, and
//! overlapping no treatment area or buffer. The same pool serves as donors for the synthetic
//! control ([`super::synthetic`]).
//!
//! Speed: police.uk snaps incidents to shared anonymous map points (tens of thousands in a
//! force), so incidents are first summed per map point × measure × month ([`Locations`]);
//! a placebo's monthly series is then the sum of the rows of the map points inside it, found
//! with an R-tree over the map points. A placebo's membership rule is the hub's own
//! ([`super::region::Region::contains`]): distance for circles, point-in-polygon (edge
//! outside) for a translated polygon.

use super::areas::{AreaSet, AreaShape};
use super::region::{distance_m, Region};
use super::result::{MeasureKind, VIOLENCE, WEAPONS};
use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};
use crate::model::rng::Rng;
use geo::{BoundingRect, Centroid, Contains, CoordsIter, Distance, Euclidean, MultiPolygon, Point};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use std::collections::HashMap;

/// The VRU's measures that get placebo verdicts, in row order.
pub const VRU_MEASURES: [MeasureKind; 5] = [
    MeasureKind::Crime,
    MeasureKind::Asb,
    MeasureKind::Violence,
    MeasureKind::Weapons,
    MeasureKind::Harm,
];

/// Number of measures per map point ([`VRU_MEASURES`]).
pub const NM: usize = VRU_MEASURES.len();

type Entry = GeomWithData<[f64; 2], u32>;

/// Incidents summed per distinct map point × measure × month.
pub struct Locations {
    /// Each distinct map point, working CRS, in order of first appearance.
    pub xy: Vec<[f64; 2]>,
    /// The first incident at each map point (for its police.uk location name).
    pub first_row: Vec<u32>,
    /// First month of the table.
    pub first: Month,
    /// Months in the table.
    pub months: usize,
    /// `values[(loc · NM + measure) · months + month]`.
    values: Vec<f64>,
    tree: RTree<Entry>,
}

impl Locations {
    /// Sums `inc` over its distinct map points for the months of `span` (incidents outside
    /// `span` or with no month are left out).
    pub fn build(inc: &Incidents, span: MonthRange) -> Locations {
        let months = span.len();
        let find = |name: &str| {
            inc.types
                .iter()
                .position(|t| t.eq_ignore_ascii_case(name))
                .map(|k| k as u16)
        };
        let (violence, weapons) = (find(VIOLENCE), find(WEAPONS));
        let asb: Vec<bool> = (0..inc.types.len()).map(|k| inc.is_asb(k as u16)).collect();
        let mut ids: HashMap<(u64, u64), u32> = HashMap::new();
        let (mut xy, mut first_row, mut values) = (Vec::new(), Vec::new(), Vec::new());
        for (i, p) in inc.xy.iter().enumerate() {
            let mo = inc.month[i];
            if !span.contains(mo) || !p[0].is_finite() || !p[1].is_finite() {
                continue;
            }
            let id = *ids
                .entry((p[0].to_bits(), p[1].to_bits()))
                .or_insert_with(|| {
                    xy.push(*p);
                    first_row.push(i as u32);
                    values.resize(values.len() + NM * months, 0.0);
                    (xy.len() - 1) as u32
                }) as usize;
            let t = mo.since(span.from) as usize;
            let k = inc.kind[i];
            let base = id * NM * months;
            let mut add = |m: usize, v: f64| values[base + m * months + t] += v;
            if asb[k as usize] {
                add(1, 1.0);
            } else {
                add(0, 1.0);
            }
            if Some(k) == violence {
                add(2, 1.0);
            }
            if Some(k) == weapons {
                add(3, 1.0);
            }
            add(4, inc.harm[i]);
        }
        let tree = RTree::bulk_load(
            xy.iter()
                .enumerate()
                .map(|(i, p)| GeomWithData::new(*p, i as u32))
                .collect(),
        );
        Locations {
            xy,
            first_row,
            first: span.from,
            months,
            values,
            tree,
        }
    }

    /// Number of distinct map points.
    pub fn len(&self) -> usize {
        self.xy.len()
    }

    /// Whether there is no map point.
    pub fn is_empty(&self) -> bool {
        self.xy.is_empty()
    }

    /// The monthly row of map point `loc` and measure index `m`.
    pub fn row(&self, loc: usize, m: usize) -> &[f64] {
        let s = (loc * NM + m) * self.months;
        &self.values[s..s + self.months]
    }

    /// The map points inside `shape` placed at `centre`, ascending.
    pub fn inside(&self, shape: &Shape, centre: [f64; 2]) -> Vec<u32> {
        let Some(e) = shape.envelope(centre) else {
            return Vec::new();
        };
        let mut v: Vec<u32> = self
            .tree
            .locate_in_envelope(AABB::from_corners([e[0], e[1]], [e[2], e[3]]))
            .filter(|x| shape.contains(centre, *x.geom()))
            .map(|x| x.data)
            .collect();
        v.sort_unstable();
        v
    }

    /// The monthly series (`[measure][month]`, flattened) of `shape` placed at `centre`.
    pub fn series(&self, shape: &Shape, centre: [f64; 2]) -> Vec<f64> {
        let mut out = vec![0.0; NM * self.months];
        for l in self.inside(shape, centre) {
            let s = l as usize * NM * self.months;
            for (o, v) in out.iter_mut().zip(&self.values[s..s + NM * self.months]) {
                *o += v;
            }
        }
        out
    }
}

/// A hub's shape, placed anywhere by its anchor.
#[derive(Clone, Debug)]
pub enum Shape {
    /// A circle of this radius, metres, around the anchor.
    Circle(f64),
    /// A polygon; placing it at `c` translates it by `c − anchor`.
    Polygon {
        /// The hub's polygon, working CRS.
        poly: MultiPolygon<f64>,
        /// Its anchor (centroid), working CRS.
        anchor: [f64; 2],
    },
}

impl Shape {
    /// Treatment area `k`'s shape and its anchor (the centre of a point hub, the centroid
    /// of a polygon).
    pub fn of(areas: &AreaSet, k: usize) -> (Shape, [f64; 2]) {
        let a = &areas.areas[k];
        match a.shape {
            AreaShape::Point { centre, radius_m } => (Shape::Circle(radius_m), centre),
            AreaShape::Polygon => {
                let anchor = a
                    .treatment
                    .centroid()
                    .map_or([0.0, 0.0], |c| [c.x(), c.y()]);
                (
                    Shape::Polygon {
                        poly: a.treatment.clone(),
                        anchor,
                    },
                    anchor,
                )
            }
        }
    }

    /// The farthest any point of the shape lies from its anchor, metres.
    pub fn reach(&self) -> f64 {
        match self {
            Shape::Circle(r) => *r,
            Shape::Polygon { poly, anchor } => poly
                .coords_iter()
                .map(|c| distance_m([c.x, c.y], *anchor))
                .fold(0.0, f64::max),
        }
    }

    /// Whether `p` lies in the shape placed at `centre` (the hub's own rule, [`Region`]).
    #[inline]
    pub fn contains(&self, centre: [f64; 2], p: [f64; 2]) -> bool {
        match self {
            Shape::Circle(r) => Region::Circle {
                centre,
                radius_m: *r,
            }
            .contains(p),
            Shape::Polygon { poly, anchor } => Region::Polygon(poly).contains([
                p[0] - (centre[0] - anchor[0]),
                p[1] - (centre[1] - anchor[1]),
            ]),
        }
    }

    fn envelope(&self, centre: [f64; 2]) -> Option<[f64; 4]> {
        match self {
            Shape::Circle(r) => Region::Circle {
                centre,
                radius_m: *r,
            }
            .envelope(),
            Shape::Polygon { poly, anchor } => poly.bounding_rect().map(|b| {
                let (dx, dy) = (centre[0] - anchor[0], centre[1] - anchor[1]);
                let pad = 1e-6 * (1.0 + dx.abs().max(dy.abs()));
                [
                    b.min().x + dx - pad,
                    b.min().y + dy - pad,
                    b.max().x + dx + pad,
                    b.max().y + dy + pad,
                ]
            }),
        }
    }
}

/// Map points where a placebo of reach `reach` metres may be centred: inside the study
/// area (`--boundary`, when given) and farther than `reach` from every treatment area and
/// buffer, so that no placebo overlaps a treated place. Ascending.
pub fn eligible(loc: &Locations, areas: &AreaSet, reach: f64) -> Vec<u32> {
    let b = areas.buffer_m.unwrap_or(0.0);
    let keep = |p: [f64; 2]| {
        if let Some(bd) = &areas.boundary {
            if !bd.contains(&Point::new(p[0], p[1])) {
                return false;
            }
        }
        areas.areas.iter().all(|a| match a.shape {
            AreaShape::Point { centre, radius_m } => distance_m(p, centre) > reach + radius_m + b,
            AreaShape::Polygon => {
                let outer = a.outer.as_ref().unwrap_or(&a.treatment);
                Euclidean.distance(&Point::new(p[0], p[1]), outer) > reach
            }
        })
    };
    (0..loc.len() as u32)
        .filter(|&l| keep(loc.xy[l as usize]))
        .collect()
}

/// Placebos are drawn from candidates whose before count is within this factor of the hub's.
pub const STRATUM_FACTOR: f64 = 1.5;
/// The fewest candidates a stratum holds (the nearest on a log scale when fewer lie within
/// [`STRATUM_FACTOR`]).
pub const MIN_STRATUM: usize = 199;

/// The placebos of a hub whose stratum value (its before-period count of all incidents) is
/// `hub`: the candidates whose values are nearest the hub's on a log scale (ties by map
/// point) — those within a factor [`STRATUM_FACTOR`], at least [`MIN_STRATUM`], at most
/// `2n` — and of them `n` (or all, when fewer) drawn without replacement with `rng`; every
/// candidate when there are `n` or fewer. Returned in draw order (so that pairing the
/// `j`-th placebos of several hubs pairs at random).
pub fn stratum(candidates: &[u32], values: &[f64], hub: f64, n: usize, rng: &mut Rng) -> Vec<u32> {
    if candidates.len() <= n {
        return candidates.to_vec();
    }
    let gap = |v: f64| ((v + 1.0) / (hub + 1.0)).ln().abs();
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&i, &j| gap(values[i]).total_cmp(&gap(values[j])).then(i.cmp(&j)));
    // the stratum: candidates within a factor STRATUM_FACTOR of the hub's count, at least
    // MIN_STRATUM of them, at most 2n (a hub in the busy tail is compared with busy places)
    let within = order
        .iter()
        .take_while(|&&i| gap(values[i]) <= STRATUM_FACTOR.ln())
        .count();
    order.truncate(within.max(MIN_STRATUM).min(2 * n).min(candidates.len()));
    let n = n.min(order.len());
    // partial Fisher–Yates: the first n of a seeded shuffle
    for i in 0..n {
        let j = i + rng.below((order.len() - i) as u64) as usize;
        order.swap(i, j);
    }
    order[..n].iter().map(|&i| candidates[i]).collect()
}

/// `d` donors drawn without replacement from `candidates` with probability proportional to
/// `weights` (each candidate's incidents), so donors lie where incidents occur. Ascending.
pub fn draw_weighted(candidates: &[u32], weights: &[f64], d: usize, rng: &mut Rng) -> Vec<u32> {
    // Efraimidis & Spirakis (2006): keep the d largest u^(1/w)
    let mut keyed: Vec<(f64, u32)> = candidates
        .iter()
        .zip(weights)
        .filter(|(_, &w)| w > 0.0)
        .map(|(&c, &w)| (rng.uniform().max(f64::MIN_POSITIVE).ln() / w, c))
        .collect();
    keyed.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut v: Vec<u32> = keyed.into_iter().take(d).map(|x| x.1).collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inc(points: &[([f64; 2], &str, u16)]) -> Incidents {
        let mut i = Incidents {
            types: vec![
                "Anti-social behaviour".into(),
                "Burglary".into(),
                "Possession of weapons".into(),
                "Violence and sexual offences".into(),
            ],
            ..Default::default()
        };
        for (p, m, k) in points {
            i.xy.push(*p);
            i.month.push(Month::parse(m).unwrap());
            i.kind.push(*k);
            i.harm.push(10.0 * (*k as f64 + 1.0));
        }
        i
    }

    #[test]
    fn locations_sum_per_point_measure_and_month() {
        let i = inc(&[
            ([0.0, 0.0], "2021-01", 1),
            ([0.0, 0.0], "2021-01", 0),
            ([0.0, 0.0], "2021-02", 3),
            ([100.0, 0.0], "2021-02", 2),
            ([100.0, 0.0], "2020-02", 2), // outside the span: left out
        ]);
        let span = MonthRange::parse("2021-01..2021-02").unwrap();
        let l = Locations::build(&i, span);
        assert_eq!(l.len(), 2);
        assert_eq!(l.row(0, 0), &[1.0, 1.0]); // crime: burglary, violence
        assert_eq!(l.row(0, 1), &[1.0, 0.0]); // asb
        assert_eq!(l.row(0, 2), &[0.0, 1.0]); // violence
        assert_eq!(l.row(1, 3), &[0.0, 1.0]); // weapons
        assert_eq!(l.row(0, 4), &[30.0, 40.0]); // harm 20 + 10, then 40
                                                // a 50 m circle at the origin holds the first point only; 100 m both (edge inside)
        assert_eq!(l.inside(&Shape::Circle(50.0), [0.0, 0.0]), vec![0]);
        assert_eq!(l.inside(&Shape::Circle(100.0), [0.0, 0.0]), vec![0, 1]);
        let s = l.series(&Shape::Circle(100.0), [0.0, 0.0]);
        assert_eq!(&s[0..2], &[1.0, 2.0]);
    }

    #[test]
    fn stratum_takes_the_nearest_counts() {
        let cands: Vec<u32> = (0..10).collect();
        let vals: Vec<f64> = (0..10).map(|i| (i * 10) as f64).collect();
        let mut rng = Rng::new(1);
        // n = 2 from the 4 nearest to 50 on a log scale |ln((v + 1)/51)|: 50 (0), 60 (0.18),
        // 40 (0.22), 70 (0.33) — not 30 (0.50)
        let s = stratum(&cands, &vals, 50.0, 2, &mut rng);
        assert_eq!(s.len(), 2);
        assert!(s.iter().all(|c| [4, 5, 6, 7].contains(c)), "{s:?}");
        assert_eq!(stratum(&cands[..2], &vals, 50.0, 5, &mut rng), vec![0, 1]);
    }

    #[test]
    fn weighted_draw_skips_zero_weights() {
        let mut rng = Rng::new(3);
        let d = draw_weighted(&[0, 1, 2, 3], &[0.0, 1.0, 5.0, 0.0], 3, &mut rng);
        assert_eq!(d, vec![1, 2]);
    }
}
