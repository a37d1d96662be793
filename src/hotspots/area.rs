//! Hotspot polygons ranked by harm (issue 4).
//!
//! A hotspot is a set of edge-contiguous selected cells merged into one polygon (holes
//! kept, see [`crate::space::dissolve`]). Cells are selected either as Gi* hot spots (class ≥ 2,
//! hot at 95%, by default; [`Select::Hot`]) or as the top x% of study-area cells by density
//! ([`Select::Top`]). A merged region of selected cells holding no incident is dropped
//! (issue 11): it is no hotspot. Each hotspot carries:
//!
//! | field | meaning |
//! |---|---|
//! | `id` | 1, 2, … in map order (by the hotspot's lowest cell id: south to north, west to east) |
//! | `rank` | 1 = most harm; ties by incidents, then id |
//! | `cells`, `area_km2` | member cells; their area (cells × cell area) |
//! | `incidents`, `harm` | Σ `n` and Σ `harm` over the member cells |
//! | `incident_share`, `harm_share` | of the study-area totals (Σ over cells of the study area) |
//! | `top_types` | the three most common crime types among its incidents (ties by name) |
//! | `peak_density` | highest cell density, when a density column is given |
//! | `mean_gistar` | mean Gi* z over its cells, when Gi* is given |

use crate::error::{Error, Result};
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
pub use crate::model::params::hotspots::Select;
use crate::space::dissolve::{cells_to_polygons, CellPolygon};
use rayon::prelude::*;
use serde::Serialize;

/// Per-cell columns over a grid (one value per cell of the block, row-major).
#[derive(Copy, Clone, Debug)]
pub struct CellValues<'a> {
    /// Incidents per cell.
    pub n: &'a [f64],
    /// Harm per cell.
    pub harm: &'a [f64],
    /// Density per cell (for [`Select::Top`] and `peak_density`).
    pub density: Option<&'a [f64]>,
    /// Gi* z per cell (for `mean_gistar`).
    pub gistar: Option<&'a [f64]>,
    /// Gi* class per cell, −3..3 (NaN outside the study area), for [`Select::Hot`].
    pub class: Option<&'a [f64]>,
}

impl<'a> CellValues<'a> {
    /// The columns `n`, `harm`, `density`, `gistar`, `class` of a layer (the first two
    /// required).
    pub fn from_layer(layer: &'a Layer) -> Result<CellValues<'a>> {
        let need = |name: &str| {
            layer
                .get(name)
                .ok_or_else(|| Error::Mismatch(format!("hotspots need a `{name}` column")))
        };
        Ok(CellValues {
            n: need("n")?,
            harm: need("harm")?,
            density: layer.get("density"),
            gistar: layer.get("gistar"),
            class: layer.get("class"),
        })
    }
}

/// A crime type and its number of incidents.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeCount {
    /// Crime type.
    pub crime_type: String,
    /// Incidents of that type.
    pub incidents: u64,
}

/// One hotspot polygon and its attributes (see the module documentation).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Hotspot {
    /// 1-based, in map order.
    pub id: usize,
    /// 1 = most harm.
    pub rank: usize,
    /// The outline, working-CRS metres (not serialised).
    #[serde(skip)]
    pub polygon: CellPolygon,
    /// Member cells.
    pub cells: usize,
    /// Area in km².
    pub area_km2: f64,
    /// Incidents in the hotspot.
    pub incidents: f64,
    /// Harm in the hotspot.
    pub harm: f64,
    /// Share of the study area's incidents, 0..1.
    pub incident_share: f64,
    /// Share of the study area's harm, 0..1.
    pub harm_share: f64,
    /// Up to three most common crime types.
    pub top_types: Vec<TypeCount>,
    /// Highest cell density, when known.
    pub peak_density: Option<f64>,
    /// Mean Gi* z over the cells, when known.
    pub mean_gistar: Option<f64>,
    /// The most frequent street and LSOA names among its incidents (issue 11).
    pub names: crate::model::places::PlaceNames,
}

/// The cells of the study area selected by `select`, ascending.
///
/// Errors: [`Select::Hot`] without a class column or with `min_class` outside 1..=3;
/// [`Select::Top`] without a density column or with a percent outside (0, 100].
///
/// ```
/// use harmspot::hotspots::area::{select_cells, CellValues, Select};
/// use harmspot::grid::{Grid, Shape};
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 999.0, 999.0]).unwrap(); // 100 cells
/// let d: Vec<f64> = (0..100).map(|i| i as f64).collect();
/// let v = CellValues { n: &d, harm: &d, density: Some(&d), gistar: None, class: None };
/// // top 5% of 100 cells: the 5 densest
/// assert_eq!(select_cells(&grid, Select::Top { percent: 5.0 }, &v).unwrap(), vec![95, 96, 97, 98, 99]);
/// ```
pub fn select_cells(grid: &Grid, select: Select, values: &CellValues) -> Result<Vec<usize>> {
    let len = grid.spec.len();
    match select {
        Select::Hot { min_class } => {
            if !(1..=3).contains(&min_class) {
                return Err(Error::param(
                    crate::Param::Hot,
                    format!("class must be 1, 2 or 3 (90, 95, 99%), got {min_class}"),
                ));
            }
            let class = values.class.ok_or_else(|| {
                Error::Mismatch("selecting hot spots needs Gi* classes (a `class` column)".into())
            })?;
            check_len("class", class.len(), len)?;
            Ok((0..len)
                .filter(|&i| grid.in_area[i] && class[i] >= min_class as f64)
                .collect())
        }
        Select::Top { percent } => {
            if !(percent > 0.0 && percent <= 100.0) {
                return Err(Error::param(
                    crate::Param::Top,
                    format!("must be a percentage in (0, 100], got {percent}"),
                ));
            }
            let density = values.density.ok_or_else(|| {
                Error::param(
                    crate::Param::Top,
                    "selecting the densest cells needs a density surface",
                )
            })?;
            check_len("density", density.len(), len)?;
            let area: Vec<usize> = (0..len).filter(|&i| grid.in_area[i]).collect();
            let mut d: Vec<f64> = area
                .iter()
                .map(|&i| density[i])
                .filter(|v| v.is_finite() && *v > 0.0)
                .collect();
            if d.is_empty() {
                return Ok(Vec::new());
            }
            d.sort_by(|a, b| b.total_cmp(a));
            let k = ((percent / 100.0 * area.len() as f64).ceil() as usize).clamp(1, d.len());
            let threshold = d[k - 1];
            Ok(area
                .into_iter()
                .filter(|&i| density[i].is_finite() && density[i] > 0.0 && density[i] >= threshold)
                .collect())
        }
    }
}

fn check_len(name: &str, got: usize, want: usize) -> Result<()> {
    if got != want {
        return Err(Error::Mismatch(format!(
            "column `{name}` has {got} values for {want} cells"
        )));
    }
    Ok(())
}

/// The three most common crime types from per-type counts (`counts[t]` incidents of
/// `names[t]`), most first, ties by name; types with no incident left out.
pub fn top_types(counts: &[u64], names: &[String]) -> Vec<TypeCount> {
    let mut tc: Vec<TypeCount> = counts
        .iter()
        .zip(names)
        .filter(|(c, _)| **c > 0)
        .map(|(c, t)| TypeCount {
            crime_type: t.clone(),
            incidents: *c,
        })
        .collect();
    tc.sort_by(|a, b| {
        b.incidents
            .cmp(&a.incidents)
            .then_with(|| a.crime_type.cmp(&b.crime_type))
    });
    tc.truncate(3);
    tc
}

/// Incidents per parallel task when counting crime types.
const TYPE_CHUNK: usize = 1 << 16;

/// Merges the selected cells into hotspots and ranks them by harm.
///
/// Parameters: `grid` (cells and study area), `values` (per-cell columns), `cells` (the
/// selection, e.g. from [`select_cells`]), `incidents` (the incidents the counts were made
/// from, for the crime types: each is placed with [`crate::model::grid::GridSpec::locate`]).
///
/// Returns: hotspots sorted by rank (1 = most harm).
///
/// Errors: columns of the wrong length.
///
/// Examples: two separate hot cells, the second with more harm:
///
/// ```
/// use harmspot::hotspots::area::{polygons, CellValues};
/// use harmspot::grid::{Grid, Shape};
/// use harmspot::{Incidents, Month};
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
/// let inc = Incidents { xy: vec![[50.0, 50.0], [250.0, 250.0], [260.0, 260.0]], harm: vec![1.0, 5.0, 5.0],
///     kind: vec![0, 1, 1], month: vec![Month::UNKNOWN; 3], types: vec!["Burglary".into(), "Robbery".into()], ..Default::default() };
/// let mut n = vec![0.0; 9]; n[0] = 1.0; n[8] = 2.0;
/// let mut harm = vec![0.0; 9]; harm[0] = 1.0; harm[8] = 10.0;
/// let v = CellValues { n: &n, harm: &harm, density: None, gistar: None, class: None };
/// let h = polygons(&grid, &v, &[0, 8], &inc).unwrap();
/// assert_eq!((h[0].id, h[0].rank, h[0].harm), (2, 1, 10.0));
/// assert!((h[0].harm_share - 10.0 / 11.0).abs() < 1e-15);
/// assert_eq!(h[0].top_types[0].crime_type, "Robbery");
/// assert_eq!(h[1].area_km2, 0.01);
/// ```
pub fn polygons(
    grid: &Grid,
    values: &CellValues,
    cells: &[usize],
    incidents: &Incidents,
) -> Result<Vec<Hotspot>> {
    let spec = &grid.spec;
    check_columns(values, spec.len())?;
    // a merged region holding no incident is no hotspot (a Gi*-hot cell can touch hot
    // cells only at a corner and hold nothing itself)
    let polys: Vec<CellPolygon> = cells_to_polygons(spec, cells)
        .into_iter()
        .filter(|p| p.cells.iter().any(|&c| values.n[c] > 0.0))
        .collect();
    let (total_n, total_h) = study_totals(grid, values);
    let nt = incidents.types.len();
    let types = types_per_polygon(grid, &polys, incidents);
    let share = |v: f64, t: f64| if t > 0.0 { v / t } else { f64::NAN };
    let mut out: Vec<Hotspot> = polys
        .into_iter()
        .enumerate()
        .map(|(h, polygon)| {
            let k = polygon.cells.len();
            let incidents_n: f64 = polygon.cells.iter().map(|&c| values.n[c]).sum();
            let harm: f64 = polygon.cells.iter().map(|&c| values.harm[c]).sum();
            let tc = if types.is_empty() {
                Vec::new()
            } else {
                top_types(&types[h * nt..(h + 1) * nt], &incidents.types)
            };
            let peak_density = values.density.map(|d| {
                polygon
                    .cells
                    .iter()
                    .map(|&c| d[c])
                    .fold(f64::NEG_INFINITY, f64::max)
            });
            let mean_gistar = values
                .gistar
                .map(|z| polygon.cells.iter().map(|&c| z[c]).sum::<f64>() / k as f64);
            Hotspot {
                id: h + 1,
                rank: 0,
                cells: k,
                area_km2: k as f64 * spec.cell_area() / 1e6,
                incidents: incidents_n,
                harm,
                incident_share: share(incidents_n, total_n),
                harm_share: share(harm, total_h),
                top_types: tc,
                peak_density,
                mean_gistar,
                names: Default::default(),
                polygon,
            }
        })
        .collect();
    rank_by_harm(&mut out);
    Ok(out)
}

/// Checks that the columns of `values` have one value per cell (`len`).
fn check_columns(values: &CellValues, len: usize) -> Result<()> {
    check_len("n", values.n.len(), len)?;
    check_len("harm", values.harm.len(), len)?;
    if let Some(d) = values.density {
        check_len("density", d.len(), len)?;
    }
    if let Some(z) = values.gistar {
        check_len("gistar", z.len(), len)?;
    }
    Ok(())
}

/// The incidents and harm of the study area's cells.
fn study_totals(grid: &Grid, values: &CellValues) -> (f64, f64) {
    let (mut total_n, mut total_h) = (0.0, 0.0);
    for i in 0..grid.spec.len() {
        if grid.in_area[i] {
            total_n += values.n[i];
            total_h += values.harm[i];
        }
    }
    (total_n, total_h)
}

/// Incidents per polygon and crime type (`polygon × types` counts, row by row; empty when
/// there is no polygon or no type), counted in parallel chunks of [`TYPE_CHUNK`] incidents
/// (integer sums: the same at any thread count).
fn types_per_polygon(grid: &Grid, polys: &[CellPolygon], incidents: &Incidents) -> Vec<u64> {
    let spec = &grid.spec;
    let mut owner = vec![u32::MAX; spec.len()];
    for (h, p) in polys.iter().enumerate() {
        for &c in &p.cells {
            owner[c] = h as u32;
        }
    }
    let nt = incidents.types.len();
    if polys.is_empty() || nt == 0 {
        return Vec::new();
    }
    incidents
        .xy
        .par_chunks(TYPE_CHUNK)
        .enumerate()
        .map(|(ch, xy)| {
            let mut t = vec![0u64; polys.len() * nt];
            for (p, i) in xy.iter().zip(ch * TYPE_CHUNK..) {
                if let Some(c) = spec.locate(*p) {
                    let h = owner[c];
                    if h != u32::MAX {
                        t[h as usize * nt + incidents.kind[i] as usize] += 1;
                    }
                }
            }
            t
        })
        .reduce(
            || vec![0u64; polys.len() * nt],
            |mut a, b| {
                a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// Sorts the hotspots by harm (ties: more incidents, then lower id) and numbers their ranks.
fn rank_by_harm(out: &mut [Hotspot]) {
    out.sort_by(|a, b| {
        b.harm
            .total_cmp(&a.harm)
            .then_with(|| b.incidents.total_cmp(&a.incidents))
            .then_with(|| a.id.cmp(&b.id))
    });
    for (r, h) in out.iter_mut().enumerate() {
        h.rank = r + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grid::Shape;
    use crate::model::month::Month;

    fn grid5() -> Grid {
        Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap()
    }

    #[test]
    fn hot_selection_uses_class_and_study_area() {
        let mut g = grid5();
        let mut class = vec![0.0; 25];
        class[0] = 2.0;
        class[1] = 3.0;
        class[2] = 1.0;
        class[3] = -3.0;
        class[4] = 3.0;
        g.in_area[4] = false;
        let z = vec![0.0; 25];
        let v = CellValues {
            n: &z,
            harm: &z,
            density: None,
            gistar: None,
            class: Some(&class),
        };
        assert_eq!(select_cells(&g, Select::default(), &v).unwrap(), vec![0, 1]);
        assert_eq!(
            select_cells(&g, Select::Hot { min_class: 3 }, &v).unwrap(),
            vec![1]
        );
        assert!(select_cells(&g, Select::Hot { min_class: 0 }, &v).is_err());
        assert!(select_cells(&g, Select::Top { percent: 5.0 }, &v).is_err());
        let none = CellValues { class: None, ..v };
        assert!(select_cells(&g, Select::default(), &none).is_err());
    }

    #[test]
    fn top_selection_keeps_ties_and_skips_zero() {
        let g = grid5();
        let mut d = vec![0.0; 25];
        d[7] = 3.0;
        d[8] = 2.0;
        d[12] = 2.0;
        let v = CellValues {
            n: &d,
            harm: &d,
            density: Some(&d),
            gistar: None,
            class: None,
        };
        // 5% of 25 = 1.25 → 2 cells; the 2nd (2.0) is tied with a 3rd
        assert_eq!(
            select_cells(&g, Select::Top { percent: 5.0 }, &v).unwrap(),
            vec![7, 8, 12]
        );
        // 100%: every cell with density > 0
        assert_eq!(
            select_cells(&g, Select::Top { percent: 100.0 }, &v).unwrap(),
            vec![7, 8, 12]
        );
        assert!(select_cells(&g, Select::Top { percent: 0.0 }, &v).is_err());
        assert!(select_cells(&g, Select::Top { percent: 150.0 }, &v).is_err());
    }

    #[test]
    fn attributes_of_a_hotspot_with_a_hole() {
        // 3×3 block minus its centre (cells 6,7,8 / 11,13 / 16,17,18), harm everywhere
        let g = grid5();
        let ring = [6usize, 7, 8, 11, 13, 16, 17, 18];
        let mut n = vec![0.0; 25];
        let mut harm = vec![0.0; 25];
        let mut z = vec![0.0; 25];
        let mut dens = vec![0.0; 25];
        let mut inc = Incidents {
            types: vec![
                "Burglary".into(),
                "Drugs".into(),
                "Robbery".into(),
                "Shoplifting".into(),
            ],
            ..Default::default()
        };
        for (k, &c) in ring.iter().enumerate() {
            n[c] = 2.0;
            harm[c] = 3.0;
            z[c] = k as f64;
            dens[c] = 10.0 + k as f64;
            let p = g.spec.centre(c);
            for kind in [k % 3, 3] {
                inc.xy.push(p);
                inc.kind.push(kind as u16);
                inc.harm.push(1.5);
                inc.month.push(Month::UNKNOWN);
            }
        }
        // one more incident outside the hotspot and in the study area
        n[0] = 4.0;
        harm[0] = 6.0;
        let v = CellValues {
            n: &n,
            harm: &harm,
            density: Some(&dens),
            gistar: Some(&z),
            class: None,
        };
        let h = polygons(&g, &v, &ring, &inc).unwrap();
        assert_eq!(h.len(), 1);
        let h = &h[0];
        assert_eq!((h.id, h.rank, h.cells), (1, 1, 8));
        assert_eq!(h.polygon.holes.len(), 1);
        assert!((h.area_km2 - 0.08).abs() < 1e-15);
        assert_eq!((h.incidents, h.harm), (16.0, 24.0));
        assert_eq!(h.incident_share, 0.8); // 16 of 20
        assert_eq!(h.harm_share, 0.8); // 24 of 30
                                       // Shoplifting 8; Burglary (k = 0, 3, 6) 3, Drugs (1, 4, 7) 3, Robbery (2, 5) 2
        let names: Vec<(&str, u64)> = h
            .top_types
            .iter()
            .map(|t| (t.crime_type.as_str(), t.incidents))
            .collect();
        assert_eq!(
            names,
            vec![("Shoplifting", 8), ("Burglary", 3), ("Drugs", 3)]
        );
        assert_eq!(h.peak_density, Some(17.0));
        assert_eq!(h.mean_gistar, Some(3.5)); // mean of 0..7
    }

    #[test]
    fn ranks_by_harm_then_incidents() {
        let g = grid5();
        let mut n = vec![0.0; 25];
        let mut harm = vec![0.0; 25];
        for (c, nn, hh) in [(0, 5.0, 2.0), (2, 1.0, 9.0), (4, 7.0, 2.0)] {
            n[c] = nn;
            harm[c] = hh;
        }
        let v = CellValues {
            n: &n,
            harm: &harm,
            density: None,
            gistar: None,
            class: None,
        };
        let h = polygons(&g, &v, &[0, 2, 4], &Incidents::default()).unwrap();
        let order: Vec<(usize, usize)> = h.iter().map(|h| (h.id, h.rank)).collect();
        assert_eq!(order, vec![(2, 1), (3, 2), (1, 3)]);
        assert!(h
            .iter()
            .all(|h| h.top_types.is_empty() && h.peak_density.is_none()));
        assert!(polygons(&g, &v, &[], &Incidents::default())
            .unwrap()
            .is_empty());
    }
}
