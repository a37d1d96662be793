//! Harm spots: micro-places inside hotspot areas, ranked by harm (issue 11).
//!
//! Gi* regions ([`crate::hotspots::area`]) say *which part of the force* is hot; they are *hotspot
//! areas* and can be many km² wide. A partner asks *which streets*. Following the "power
//! few" practice of crime-harm work (Sherman, Neyroud & Neyroud 2016, the Cambridge Crime
//! Harm Index; Weinborn et al. 2017, "Hotspots vs. harmspots"), harmspot finds inside each
//! hotspot area the small places where harm concentrates:
//!
//! 1. **Micro-cells.** A square grid of side `s = cell / k`, with `k` the smallest integer
//!    making `s ≤ max_cell_size` (150 m by default: a street segment or two; police.uk
//!    snaps locations to map points about that far apart). Grids snap to multiples of their
//!    cell size, so with square analysis cells each micro-cell lies in exactly one analysis
//!    cell. A micro-cell belongs to the hotspot area holding its centre; each incident
//!    counts in the micro-cell it falls in (its `n` and harm).
//! 2. **Seeded growth, kept small.** Micro-cells holding at least one incident are taken in
//!    decreasing harm (ties: more incidents, then lower id). An unassigned one seeds a spot;
//!    the spot then takes, one at a time, the unassigned edge-neighbour in the same area
//!    with the most harm, as long as that neighbour holds at least `join_share` (½) of the
//!    seed's harm and the spot has fewer than `max_cells` (4) micro-cells. So a place split
//!    by a cell edge is merged, and a spot never grows into a district: at 125 m, at most
//!    0.0625 km².
//! 3. **The power few.** Spots are ranked by harm (ties: incidents, then id). The harm spots
//!    reported are the smallest set of top spots holding `power_share` (½) of the harm inside
//!    the hotspot areas. Spots never hold 0 incidents (a seed holds at least one).
//!
//! Each harm spot records its hotspot area (`area_id`, `area_rank`), incidents, harm, its
//! share of the study area's harm, and the cumulative share of the spots ranked up to it.
//! Lengths are metres in the working CRS.

use crate::error::{Error, Result};
use crate::hotspots::area::{Hotspot, TypeCount};
use crate::model::grid::{Grid, GridSpec, Shape};
use crate::model::incident::Incidents;
pub use crate::model::params::hotspots::SpotParams;
use crate::space::dissolve::{cells_to_polygons, CellPolygon};
use serde::Serialize;

/// One harm spot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HarmSpot {
    /// 1 = most harm.
    pub rank: usize,
    /// The `id` of the hotspot area it lies in.
    pub area_id: usize,
    /// The `rank` of that hotspot area.
    pub area_rank: usize,
    /// Outline in working-CRS metres (not serialised).
    #[serde(skip)]
    pub polygon: CellPolygon,
    /// Micro-cells in the spot.
    pub cells: usize,
    /// Area, km².
    pub area_km2: f64,
    /// Incidents in the spot.
    pub incidents: f64,
    /// Harm in the spot.
    pub harm: f64,
    /// Share of the study area's harm, 0..1.
    pub harm_share: f64,
    /// Share of the study area's harm held by the spots ranked 1..=rank.
    pub cumulative_share: f64,
    /// Up to three most common crime types.
    pub top_types: Vec<TypeCount>,
    /// The most frequent street and LSOA names among its incidents.
    pub names: crate::model::places::PlaceNames,
    /// Centre of the spot's bounding box, working CRS (for labels).
    #[serde(skip)]
    pub centre: [f64; 2],
}

/// What [`find`] found.
#[derive(Clone, Debug)]
pub struct SpotResult {
    /// The reported harm spots (the power few), by rank.
    pub spots: Vec<HarmSpot>,
    /// Micro-cell side used, metres.
    pub cell_size: f64,
    /// Parameters used.
    pub params: SpotParams,
    /// Spots found inside the hotspot areas before the power-few cut.
    pub candidates: usize,
    /// Harm inside the hotspot areas.
    pub harm_in_areas: f64,
    /// Harm of the study area (the share denominator).
    pub harm_total: f64,
    /// The micro-cell grid (covering the hotspot areas).
    pub spec: Option<GridSpec>,
    /// Per micro-cell, the index into `spots` of its reported spot, or `u32::MAX`.
    pub cell_spot: Vec<u32>,
}

impl SpotResult {
    /// The index into `spots` of the spot holding the point `p` (working CRS), if any.
    pub fn spot_of(&self, p: [f64; 2]) -> Option<usize> {
        let spec = self.spec.as_ref()?;
        let c = spec.locate(p)?;
        let s = self.cell_spot[c];
        (s != u32::MAX).then_some(s as usize)
    }

    /// Share of the study area covered by the reported spots, 0..1, given the study area
    /// in km².
    pub fn area_share(&self, study_km2: f64) -> f64 {
        self.spots.iter().map(|s| s.area_km2).sum::<f64>() / study_km2
    }
}

/// The micro-cell side for analysis cells of `cell_size` metres: `cell_size / k` with `k`
/// the smallest integer making it at most `max`.
///
/// ```
/// assert_eq!(harmspot::hotspots::harm_spot::micro_cell_size(250.0, 150.0), 125.0);
/// assert_eq!(harmspot::hotspots::harm_spot::micro_cell_size(100.0, 150.0), 100.0);
/// assert_eq!(harmspot::hotspots::harm_spot::micro_cell_size(1000.0, 150.0), 1000.0 / 7.0);
/// ```
pub fn micro_cell_size(cell_size: f64, max: f64) -> f64 {
    let k = (cell_size / max).ceil().max(1.0);
    cell_size / k
}

/// Finds the harm spots inside `hotspots` (see the module documentation).
///
/// Parameters: the analysis `grid`, the hotspot areas found on it, the `incidents`
/// (working CRS; their `harm` is the harm), `harm_total` (the study area's harm, for the
/// shares) and [`SpotParams`].
///
/// Returns: a [`SpotResult`]; no spots when there is no hotspot area. Errors: parameters out
/// of range.
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, hotspots::{area::{polygons, CellValues}, harm_spot}, Incidents, Month};
/// // one 250 m hotspot cell holding 10 incidents at one point and 1 elsewhere in the cell
/// let grid = Grid::from_extent(Shape::Square, 250.0, [0.0, 0.0, 749.0, 749.0]).unwrap();
/// let mut xy = vec![[300.0, 300.0]; 10];
/// xy.push([480.0, 480.0]);
/// let inc = Incidents { harm: vec![2.0; 11], kind: vec![0; 11], month: vec![Month::UNKNOWN; 11],
///     types: vec!["Robbery".into()], xy, places: Default::default() };
/// let (mut n, mut harm) = (vec![0.0; 9], vec![0.0; 9]);
/// n[4] = 11.0; harm[4] = 22.0;
/// let v = CellValues { n: &n, harm: &harm, density: None, gistar: None, class: None };
/// let areas = polygons(&grid, &v, &[4], &inc).unwrap();
/// let r = harm_spot::find(&grid, &areas, &inc, 22.0, &harm_spot::SpotParams::default()).unwrap();
/// assert_eq!(r.cell_size, 125.0);
/// // the 10-incident micro-cell alone holds 20/22 of the harm: it is the power few
/// assert_eq!(r.spots.len(), 1);
/// assert_eq!((r.spots[0].incidents, r.spots[0].harm, r.spots[0].area_id), (10.0, 20.0, 1));
/// assert!((r.spots[0].area_km2 - 0.015625).abs() < 1e-12);
/// ```
pub fn find(
    grid: &Grid,
    hotspots: &[Hotspot],
    incidents: &Incidents,
    harm_total: f64,
    params: &SpotParams,
) -> Result<SpotResult> {
    check(params)?;
    let s = micro_cell_size(grid.spec.cell_size, params.max_cell_size);
    let mut result = SpotResult {
        spots: Vec::new(),
        cell_size: s,
        params: *params,
        candidates: 0,
        harm_in_areas: 0.0,
        harm_total,
        spec: None,
        cell_spot: Vec::new(),
    };
    let Some(micro) = MicroGrid::new(grid, hotspots, incidents, s)? else {
        return Ok(result);
    };
    result.harm_in_areas = micro.harm.iter().sum();
    let grown = grow(&micro.spec, &micro.area, &micro.n, &micro.harm, params);
    result.candidates = grown.len();
    let target = params.power_share * result.harm_in_areas;
    let (spots, cell_spot) = micro.power_few(&grown, hotspots, target, harm_total)?;
    result.spots = spots;
    add_top_types(&mut result.spots, &micro.spec, &cell_spot, incidents);
    result.spec = Some(micro.spec);
    result.cell_spot = cell_spot;
    Ok(result)
}

/// The micro grid over the hotspot areas, with each micro-cell's area and the incidents and
/// harm of the incidents in it.
struct MicroGrid {
    spec: GridSpec,
    /// Index of the hotspot area holding each micro-cell's centre (`u32::MAX`: none).
    area: Vec<u32>,
    n: Vec<f64>,
    harm: Vec<f64>,
}

impl MicroGrid {
    /// The square micro grid of side `s` covering the `hotspots` of `grid` (half a
    /// micro-cell inside their bounds, so edges do not add a row), with the `incidents`
    /// counted in the micro-cells of an area. `None` when there is no hotspot area.
    fn new(
        grid: &Grid,
        hotspots: &[Hotspot],
        incidents: &Incidents,
        s: f64,
    ) -> Result<Option<Self>> {
        // hotspot area of each analysis cell
        let mut owner = vec![u32::MAX; grid.spec.len()];
        for (h, hs) in hotspots.iter().enumerate() {
            for &c in &hs.polygon.cells {
                owner[c] = h as u32;
            }
        }
        let b = bounds(
            hotspots
                .iter()
                .flat_map(|hs| &hs.polygon.cells)
                .flat_map(|&c| grid.spec.ring(c)),
        );
        if hotspots.is_empty() || b[0] > b[2] {
            return Ok(None);
        }
        let h = s / 2.0;
        let spec = GridSpec::covering(Shape::Square, s, [b[0] + h, b[1] + h, b[2] - h, b[3] - h])?;
        let m = spec.len();
        let area: Vec<u32> = (0..m)
            .map(|c| {
                grid.spec
                    .locate(spec.centre(c))
                    .map_or(u32::MAX, |g| owner[g])
            })
            .collect();
        let mut n = vec![0.0f64; m];
        let mut harm = vec![0.0f64; m];
        for (p, w) in incidents.xy.iter().zip(&incidents.harm) {
            if let Some(c) = spec.locate(*p) {
                if area[c] != u32::MAX {
                    n[c] += 1.0;
                    harm[c] += w;
                }
            }
        }
        Ok(Some(MicroGrid {
            spec,
            area,
            n,
            harm,
        }))
    }

    /// Ranks the `grown` places by harm (ties: incidents, then first cell) and keeps the
    /// top ones until they hold `target` harm (at least one): the harm spots, with shares of
    /// `harm_total`, and the rank of the spot holding each micro-cell (`u32::MAX`: none).
    fn power_few(
        &self,
        grown: &[Vec<usize>],
        hotspots: &[Hotspot],
        target: f64,
        harm_total: f64,
    ) -> Result<(Vec<HarmSpot>, Vec<u32>)> {
        let (n, harm) = (&self.n, &self.harm);
        let s = self.spec.cell_size;
        let sum = |cells: &[usize], v: &[f64]| cells.iter().map(|&c| v[c]).sum::<f64>();
        let mut order: Vec<usize> = (0..grown.len()).collect();
        order.sort_by(|&a, &b| {
            sum(&grown[b], harm)
                .total_cmp(&sum(&grown[a], harm))
                .then(sum(&grown[b], n).total_cmp(&sum(&grown[a], n)))
                .then(grown[a][0].cmp(&grown[b][0]))
        });
        let share = |v: f64| {
            if harm_total > 0.0 {
                v / harm_total
            } else {
                f64::NAN
            }
        };
        let mut spots = Vec::new();
        let mut cum = 0.0;
        let mut cell_spot = vec![u32::MAX; self.spec.len()];
        for (r, &g) in order.iter().enumerate() {
            if cum >= target && r > 0 {
                break;
            }
            let cells = &grown[g];
            let (sn, sh) = (sum(cells, n), sum(cells, harm));
            cum += sh;
            let hs = &hotspots[self.area[cells[0]] as usize];
            let polygon = cells_to_polygons(&self.spec, cells)
                .into_iter()
                .next()
                .ok_or_else(|| Error::Mismatch("a harm spot without cells".into()))?;
            let bx = bounds(polygon.exterior.iter().copied());
            for &c in cells {
                cell_spot[c] = r as u32;
            }
            spots.push(HarmSpot {
                rank: r + 1,
                area_id: hs.id,
                area_rank: hs.rank,
                cells: cells.len(),
                area_km2: cells.len() as f64 * s * s / 1e6,
                incidents: sn,
                harm: sh,
                harm_share: share(sh),
                cumulative_share: share(cum),
                top_types: Vec::new(),
                names: Default::default(),
                centre: [(bx[0] + bx[2]) / 2.0, (bx[1] + bx[3]) / 2.0],
                polygon,
            });
        }
        Ok((spots, cell_spot))
    }
}

/// Sets each spot's most frequent crime types, from the incidents in its micro-cells
/// (`cell_spot` on the micro grid `spec`).
fn add_top_types(
    spots: &mut [HarmSpot],
    spec: &GridSpec,
    cell_spot: &[u32],
    incidents: &Incidents,
) {
    let nt = incidents.types.len();
    let mut types = vec![0u64; spots.len() * nt];
    for (p, &k) in incidents.xy.iter().zip(&incidents.kind) {
        if let Some(c) = spec.locate(*p) {
            let sp = cell_spot[c];
            if sp != u32::MAX {
                types[sp as usize * nt + k as usize] += 1;
            }
        }
    }
    for (i, sp) in spots.iter_mut().enumerate() {
        sp.top_types =
            crate::hotspots::area::top_types(&types[i * nt..(i + 1) * nt], &incidents.types);
    }
}

/// Grows places from seeds in decreasing harm: each seed takes its edge neighbours of the
/// same hotspot area, highest harm first, while they hold at least `join_share` of the
/// seed's harm and the place has fewer than `max_cells` cells.
fn grow(
    spec: &GridSpec,
    area: &[u32],
    n: &[f64],
    harm: &[f64],
    params: &SpotParams,
) -> Vec<Vec<usize>> {
    let m = spec.len();
    // seeds in decreasing harm
    let mut seeds: Vec<usize> = (0..m).filter(|&c| n[c] > 0.0).collect();
    seeds.sort_by(|&a, &b| {
        harm[b]
            .total_cmp(&harm[a])
            .then(n[b].total_cmp(&n[a]))
            .then(a.cmp(&b))
    });
    let mut taken = vec![false; m];
    let mut grown: Vec<Vec<usize>> = Vec::new();
    for &seed in &seeds {
        if taken[seed] {
            continue;
        }
        taken[seed] = true;
        let mut cells = vec![seed];
        let floor = params.join_share * harm[seed];
        while cells.len() < params.max_cells {
            let mut best: Option<usize> = None;
            for &c in &cells {
                for (dc, dr) in [(1, 0), (-1, 0), (0, 1), (0, -1)] {
                    let Some(nb) = spec.offset(c, dc, dr) else {
                        continue;
                    };
                    if taken[nb] || area[nb] != area[seed] || n[nb] == 0.0 || harm[nb] < floor {
                        continue;
                    }
                    let better =
                        best.is_none_or(|b| harm[nb] > harm[b] || (harm[nb] == harm[b] && nb < b));
                    if better {
                        best = Some(nb);
                    }
                }
            }
            let Some(nb) = best else { break };
            taken[nb] = true;
            cells.push(nb);
        }
        cells.sort_unstable();
        grown.push(cells);
    }
    grown
}

/// The bounding box `[xmin, ymin, xmax, ymax]` of `points` (infinite and inverted when empty).
fn bounds(points: impl Iterator<Item = [f64; 2]>) -> [f64; 4] {
    points.fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// Checks the harm-spot parameters.
fn check(p: &SpotParams) -> Result<()> {
    let bad = |name: &str, why: &str| Err(Error::Mismatch(format!("harm spots: `{name}` {why}")));
    if !(p.max_cell_size.is_finite() && p.max_cell_size > 0.0) {
        return bad("max_cell_size", "must be a positive length in metres");
    }
    if p.max_cells == 0 {
        return bad("max_cells", "must be 1 or more");
    }
    if !(p.join_share >= 0.0 && p.join_share <= 1.0) {
        return bad("join_share", "must be in [0, 1]");
    }
    if !(p.power_share > 0.0 && p.power_share <= 1.0) {
        return bad("power_share", "must be in (0, 1]");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hotspots::area::{polygons, CellValues};
    use crate::model::month::Month;

    fn incidents(points: &[([f64; 2], f64)]) -> Incidents {
        Incidents {
            xy: points.iter().map(|p| p.0).collect(),
            harm: points.iter().map(|p| p.1).collect(),
            kind: vec![0; points.len()],
            month: vec![Month::UNKNOWN; points.len()],
            types: vec!["Robbery".into()],
            places: Default::default(),
        }
    }

    /// Hotspot areas from a list of analysis cells, with counts from the incidents.
    fn areas(grid: &Grid, cells: &[usize], inc: &Incidents) -> Vec<Hotspot> {
        let (n, harm, _) = crate::density::count::cell_sums(inc, &grid.spec);
        let v = CellValues {
            n: &n,
            harm: &harm,
            density: None,
            gistar: None,
            class: None,
        };
        polygons(grid, &v, cells, inc).unwrap()
    }

    #[test]
    fn no_area_no_spot() {
        let g = Grid::from_extent(Shape::Square, 250.0, [0.0, 0.0, 999.0, 999.0]).unwrap();
        let inc = incidents(&[([10.0, 10.0], 1.0)]);
        let r = find(&g, &[], &inc, 1.0, &SpotParams::default()).unwrap();
        assert!(r.spots.is_empty() && r.spot_of([10.0, 10.0]).is_none());
        let bad = SpotParams {
            max_cells: 0,
            ..Default::default()
        };
        let e = find(&g, &[], &inc, 1.0, &bad).unwrap_err().to_string();
        assert!(e.contains("max_cells"), "{e}");
    }

    #[test]
    fn a_place_split_by_an_edge_is_merged_and_growth_stops_small() {
        // 100 m analysis cells = micro-cells; a 3x3-cell hotspot area (cells of columns
        // 1..3, rows 1..3 of a 5x5 grid). Harm by micro-cell: (2,2) 10, (3,2) 6 (≥ half:
        // joins), (2,3) 4 (< half: its own spot), (1,1) 1.
        let g = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap();
        let at = |c: usize, r: usize| [c as f64 * 100.0 + 50.0, r as f64 * 100.0 + 50.0];
        let mut pts = Vec::new();
        for (c, r, k) in [(2, 2, 10), (3, 2, 6), (2, 3, 4), (1, 1, 1)] {
            for _ in 0..k {
                pts.push((at(c, r), 1.0));
            }
        }
        pts.push((at(0, 0), 50.0)); // outside the area: never in a spot
        let inc = incidents(&pts);
        let cells: Vec<usize> = (1..4)
            .flat_map(|r| (1..4).map(move |c| r * 5 + c))
            .collect();
        let a = areas(&g, &cells, &inc);
        assert_eq!(a.len(), 1);
        let all = SpotParams {
            power_share: 1.0,
            ..Default::default()
        };
        let r = find(&g, &a, &inc, 71.0, &all).unwrap();
        assert_eq!(r.harm_in_areas, 21.0);
        let got: Vec<(usize, f64, f64)> = r
            .spots
            .iter()
            .map(|s| (s.cells, s.incidents, s.harm))
            .collect();
        assert_eq!(got, vec![(2, 16.0, 16.0), (1, 4.0, 4.0), (1, 1.0, 1.0)]);
        assert!((r.spots[0].harm_share - 16.0 / 71.0).abs() < 1e-15);
        assert!((r.spots[2].cumulative_share - 21.0 / 71.0).abs() < 1e-15);
        assert_eq!(r.spot_of(at(3, 2)), Some(0));
        assert_eq!(r.spot_of(at(0, 0)), None);
        // the power few (half of 21 = 10.5): the first spot alone
        let r = find(&g, &a, &inc, 71.0, &SpotParams::default()).unwrap();
        assert_eq!(r.spots.len(), 1);
        assert_eq!(r.candidates, 3);
        // max_cells = 1: no merging
        let one = SpotParams {
            max_cells: 1,
            ..all
        };
        let r = find(&g, &a, &inc, 71.0, &one).unwrap();
        assert_eq!(r.spots.len(), 4);
    }

    #[test]
    fn spots_stay_in_their_own_area() {
        // two adjacent hotspot areas would be one polygon; use two separate areas with a
        // gap, and a heavy cell in each
        let g = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 699.0, 99.0]).unwrap();
        let inc = incidents(&[
            ([50.0, 50.0], 5.0),
            ([450.0, 50.0], 7.0),
            ([550.0, 50.0], 6.0),
        ]);
        let a = areas(&g, &[0, 4, 5], &inc);
        assert_eq!(a.len(), 2);
        let all = SpotParams {
            power_share: 1.0,
            ..Default::default()
        };
        let r = find(&g, &a, &inc, 18.0, &all).unwrap();
        assert_eq!(r.spots.len(), 2);
        assert_eq!((r.spots[0].harm, r.spots[0].area_id), (13.0, 2));
        assert_eq!((r.spots[1].harm, r.spots[1].area_id), (5.0, 1));
        assert!(r.spots.iter().all(|s| s.incidents > 0.0));
    }
}
