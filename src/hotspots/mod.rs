//! The one-shot harm hotspot job behind `harmspot hotspots`: harm-weighted kernel density
//! ([`crate::density::kde`], METHODS §2–3), Getis-Ord Gi* with FDR ([`crate::stats::gistar`], §5), hotspot
//! polygons ranked by harm ([`crate::hotspots::area`]) and concentration ([`crate::stats::concentration`],
//! §7), all on one grid ([`crate::model::grid`], §4).

pub mod area;
pub mod harm_spot;

use crate::density::kde::{estimate_with, Weights};
use crate::error::Result;
use crate::hotspots::area::{polygons, select_cells, CellValues, Hotspot, Select};
use crate::hotspots::harm_spot::SpotResult;
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
pub use crate::model::params::hotspots::{GistarValue, HotspotJobParams, HotspotsUsed};
use crate::model::used::Used;
use crate::stats::concentration::{summarise, Concentration};
use crate::stats::gistar::{compute_with, GistarUsed};
use serde::Serialize;

/// Everything the hotspot job found.
#[derive(Clone, Debug)]
pub struct HotspotJob {
    /// Per cell: `n`, `harm`, `density`, `gistar`, `pvalue`, `class`, `neighbours`.
    pub cells: Layer,
    /// Hotspot polygons, sorted by rank (1 = most harm).
    pub hotspots: Vec<Hotspot>,
    /// Concentration of incidents over study-area cells.
    pub incidents: Concentration,
    /// Concentration of harm over study-area cells.
    pub harm: Concentration,
    /// What Gi* used (population, mean, sd, neighbour distance, FDR, study area).
    pub gistar_used: GistarUsed,
    /// Bandwidth used, metres.
    pub bandwidth: f64,
    /// Harm spots inside the hotspot areas.
    pub spots: SpotResult,
    /// What the job used, for reports.
    pub used: JobUsed,
}

/// Share of the peak density above which a cell is informative (see [`informative_cells`]).
pub const DENSITY_FLOOR_SHARE: f64 = 0.01;

/// The cells worth publishing in `cells.geojson` (issue 11): study-area cells holding an
/// incident, or with a density of at least [`DENSITY_FLOOR_SHARE`] of the peak, or with a
/// Gi* class other than 0 (not significant). The rest are empty countryside.
///
/// ```
/// use harmspot::{disclosure::Support, grid::{Grid, Shape}, hotspots::informative_cells, Layer};
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 399.0, 99.0]).unwrap();
/// let mut l = Layer::new(grid);
/// l.set("n", vec![1.0, 0.0, 0.0, 0.0], Support::Count);
/// l.set("density", vec![100.0, 2.0, 0.5, 0.0], Support::Within { radius: 300.0, months: None });
/// l.set("class", vec![0.0, 0.0, 0.0, -2.0], Support::Neighbourhood { distance: 150.0, months: None });
/// assert_eq!(informative_cells(&l), vec![true, true, false, true]);
/// ```
pub fn informative_cells(cells: &Layer) -> Vec<bool> {
    let len = cells.grid.spec.len();
    let col = |name: &str| cells.get(name).map(|c| c.to_vec());
    let n = col("n").unwrap_or_else(|| vec![0.0; len]);
    let d = col("density").unwrap_or_else(|| vec![0.0; len]);
    let class = col("class").unwrap_or_else(|| vec![0.0; len]);
    let peak = d
        .iter()
        .zip(&cells.grid.in_area)
        .filter(|(v, a)| **a && v.is_finite())
        .fold(0.0f64, |m, (v, _)| m.max(*v));
    let floor = DENSITY_FLOOR_SHARE * peak;
    (0..len)
        .map(|i| {
            cells.grid.in_area[i]
                && (n[i] > 0.0
                    || (peak > 0.0 && d[i] >= floor)
                    || (class[i].is_finite() && class[i] != 0.0))
        })
        .collect()
}

/// Names each hotspot area and harm spot by its most frequent street and LSOA
/// ([`crate::model::places`]); an incident belongs to the area holding its cell and to the spot
/// holding its micro-cell.
fn name_places(
    grid: &Grid,
    incidents: &Incidents,
    hotspots: &mut [Hotspot],
    spots: &mut SpotResult,
) {
    if incidents.places.location.is_empty() && incidents.places.lsoa.is_empty() {
        return;
    }
    let mut owner = vec![u32::MAX; grid.spec.len()];
    for (h, hs) in hotspots.iter().enumerate() {
        for &c in &hs.polygon.cells {
            owner[c] = h as u32;
        }
    }
    let area_of: Vec<u32> = incidents
        .xy
        .iter()
        .map(|p| grid.spec.locate(*p).map_or(u32::MAX, |c| owner[c]))
        .collect();
    for (h, names) in crate::model::places::top_names(incidents, &area_of, hotspots.len())
        .into_iter()
        .enumerate()
    {
        hotspots[h].names = names;
    }
    let spot_of: Vec<u32> = incidents
        .xy
        .iter()
        .map(|p| spots.spot_of(*p).map_or(u32::MAX, |s| s as u32))
        .collect();
    let n = spots.spots.len();
    for (s, names) in crate::model::places::top_names(incidents, &spot_of, n)
        .into_iter()
        .enumerate()
    {
        spots.spots[s].names = names;
    }
}

/// What a hotspot job actually used: every sentence of the summary about the method comes
/// from here (issue 11).
#[derive(Clone, Debug, Serialize)]
pub struct JobUsed {
    /// Kernel name.
    pub kernel: &'static str,
    /// Whether the density is weighted by harm (else by incident).
    pub weighted: bool,
    /// Bandwidth, metres.
    pub bandwidth: f64,
    /// Where the bandwidth came from ("given", "ArcGIS rule", ...).
    pub bandwidth_source: String,
    /// The value Gi* tested.
    pub value: GistarValue,
    /// How hotspot cells were selected.
    pub select: SelectUsed,
    /// Cell size, metres.
    pub cell_size: f64,
    /// Cell area, m².
    pub cell_area: f64,
}

/// How hotspot cells were selected.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "by")]
pub enum SelectUsed {
    /// Gi* hot at this confidence, percent (90, 95, 99).
    Gistar {
        /// Confidence, percent.
        confidence: u32,
    },
    /// The top `percent`% of study-area cells by density.
    Top {
        /// Percent of cells.
        percent: f64,
    },
}

impl JobUsed {
    /// The density's unit: "harm per km²" when weighted, "incidents per km²" otherwise.
    pub fn density_unit(&self) -> &'static str {
        if self.weighted {
            "harm per km²"
        } else {
            "incidents per km²"
        }
    }
}

/// Runs the job on incidents already read and a grid already built.
///
/// Parameters: incidents (working CRS), the grid with its study area, [`HotspotJobParams`].
/// Returns: a [`HotspotJob`]. Errors: those of [`crate::density::kde::estimate`] and
/// [`crate::stats::gistar::compute`] (e.g. "no variance" when every cell has the same value).
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, hotspots::{run, HotspotJobParams}, Incidents, Month};
/// // 60 incidents in one 100 m cell and 1 in each of 99 others: one hotspot
/// let (mut xy, mut kind) = (vec![], vec![]);
/// for i in 0..60 { xy.push([550.0 + (i % 5) as f64, 550.0]); kind.push(0) }
/// for c in 0..100 { if c != 55 { xy.push([50.0 + 100.0 * (c % 10) as f64, 50.0 + 100.0 * (c / 10) as f64]); kind.push(0) } }
/// let n = xy.len();
/// let inc = Incidents { xy, kind, harm: vec![1.0; n], month: vec![Month::UNKNOWN; n], types: vec!["Robbery".into()], ..Default::default() };
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 999.0, 999.0]).unwrap();
/// let mut p = HotspotJobParams::default();
/// p.kde = p.kde.bandwidth(150.0);
/// let job = run(&inc, &grid, &p).unwrap();
/// assert_eq!(job.hotspots[0].rank, 1);
/// assert!(job.hotspots[0].incidents >= 60.0);
/// assert!((job.incidents.total - n as f64).abs() < 1e-9);
/// ```
pub fn run(incidents: &Incidents, grid: &Grid, params: &HotspotJobParams) -> Result<HotspotJob> {
    run_with(incidents, grid, params, &crate::model::progress::Silent)
}

/// [`run`], reporting the density and permutation steps to `progress`.
pub fn run_with(
    incidents: &Incidents,
    grid: &Grid,
    params: &HotspotJobParams,
    progress: &dyn crate::model::progress::Progress,
) -> Result<HotspotJob> {
    let mut cells = estimate_with(incidents, grid, &params.kde, progress)?;
    let values = cells
        .get(params.value.column())
        .expect("kde gives n and harm")
        .to_vec();
    let g = compute_with(&values, grid, &params.gistar, progress)?;
    g.add_to(&mut cells);
    let kde = cells.kde_used().expect("kde records what it used").clone();
    let bandwidth = kde.bandwidth;
    let study = |name: &str| -> Vec<f64> {
        let col = cells.get(name).expect("column present");
        (0..col.len())
            .filter(|&i| grid.in_area[i])
            .map(|i| col[i])
            .collect()
    };
    let n_in = study("n");
    let total_n: f64 = n_in.iter().sum();
    let conc_n = summarise(&n_in)?.with_incidents(total_n);
    let conc_h = summarise(&study("harm"))?.with_incidents(total_n);
    let cv = CellValues::from_layer(&cells)?;
    let selected = select_cells(grid, params.select, &cv)?;
    let mut hotspots = polygons(grid, &cv, &selected, incidents)?;
    let mut spots =
        crate::hotspots::harm_spot::find(grid, &hotspots, incidents, conc_h.total, &params.spots)?;
    name_places(grid, incidents, &mut hotspots, &mut spots);
    let used = JobUsed {
        kernel: params.kde.kernel.name(),
        weighted: params.kde.weights == Weights::Harm,
        bandwidth,
        bandwidth_source: kde.source.clone(),
        value: params.value,
        select: match params.select {
            Select::Hot { min_class } => SelectUsed::Gistar {
                confidence: match min_class {
                    1 => 90,
                    2 => 95,
                    _ => 99,
                },
            },
            Select::Top { percent } => SelectUsed::Top { percent },
        },
        cell_size: grid.spec.cell_size,
        cell_area: grid.spec.cell_area(),
    };
    cells.used = Used::Hotspots(Box::new(HotspotsUsed {
        kde,
        value: params.value,
        gistar: g.used.clone(),
        select: params.select,
        spot_cell_size: spots.cell_size,
        spot_params: spots.params,
        spots: spots.spots.len(),
        spot_candidates: spots.candidates,
    }));
    Ok(HotspotJob {
        spots,
        used,
        hotspots,
        incidents: conc_n,
        harm: conc_h,
        gistar_used: g.used.clone(),
        bandwidth,
        cells,
    })
}
