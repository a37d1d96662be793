//! The one-shot harm hotspot job behind `harmspot hotspots`: harm-weighted kernel density
//! ([`crate::kde`], METHODS §2–3), Getis-Ord Gi* with FDR ([`crate::gistar`], §5), hotspot
//! polygons ranked by harm ([`crate::hotspot`]) and concentration ([`crate::concentration`],
//! §7), all on one grid ([`crate::grid`], §4).

use crate::concentration::{summarise, Concentration};
use crate::disclosure::Disclosure;
use crate::error::Result;
use crate::gistar::{compute_with, GistarParams, GistarUsed};
use crate::grid::Grid;
use crate::hotspot::{polygons, select_cells, CellValues, Hotspot, Select};
use crate::incident::Incidents;
use crate::kde::{estimate_with, KdeParams};
use crate::layer::Layer;
use serde::Serialize;

/// Which per-cell value Gi* tests.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GistarValue {
    /// Incidents per cell.
    N,
    /// Harm per cell (default: harm hotspots).
    #[default]
    Harm,
}

impl GistarValue {
    /// The layer column tested.
    pub fn column(self) -> &'static str {
        match self {
            GistarValue::N => "n",
            GistarValue::Harm => "harm",
        }
    }
}

/// Parameters of [`run`].
#[derive(Clone, Debug)]
pub struct HotspotJobParams {
    /// Density: kernel, bandwidth (automatic by default), weights (harm by default).
    pub kde: KdeParams,
    /// Gi*: neighbour distance, FDR (on by default here), permutations.
    pub gistar: GistarParams,
    /// The value Gi* tests (harm by default).
    pub value: GistarValue,
    /// Which cells become hotspots (Gi* hot at 95% by default).
    pub select: Select,
}

impl Default for HotspotJobParams {
    fn default() -> Self {
        HotspotJobParams {
            kde: KdeParams::default(),
            gistar: GistarParams::default().fdr(true),
            value: GistarValue::Harm,
            select: Select::default(),
        }
    }
}

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
}

/// Runs the job on incidents already read and a grid already built.
///
/// Parameters: incidents (working CRS), the grid with its study area, [`HotspotJobParams`].
/// Returns: a [`HotspotJob`]. Errors: those of [`crate::kde::estimate`] and
/// [`crate::gistar::compute`] (e.g. "no variance" when every cell has the same value).
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, pipeline::{run, HotspotJobParams}, Incidents, Month};
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
    run_with(incidents, grid, params, &crate::progress::Silent)
}

/// [`run`], reporting the density and permutation steps to `progress`.
pub fn run_with(
    incidents: &Incidents,
    grid: &Grid,
    params: &HotspotJobParams,
    progress: &dyn crate::progress::Progress,
) -> Result<HotspotJob> {
    let mut cells = estimate_with(incidents, grid, &params.kde, progress)?;
    let values = cells
        .get(params.value.column())
        .expect("kde gives n and harm")
        .to_vec();
    let g = compute_with(&values, grid, &params.gistar, progress)?;
    g.add_to(&mut cells);
    let bandwidth = cells
        .params
        .get("bandwidth")
        .and_then(|v| v.as_f64())
        .unwrap_or(f64::NAN);
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
    let hotspots = polygons(grid, &cv, &selected, incidents)?;
    Ok(HotspotJob {
        hotspots,
        incidents: conc_n,
        harm: conc_h,
        gistar_used: g.used.clone(),
        bandwidth,
        cells,
    })
}

/// What the summary says about the run besides the job's results.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunContext {
    /// Input files, as given.
    pub files: Vec<String>,
    /// First and last month, `YYYY-MM..YYYY-MM`, if known.
    pub months: Option<String>,
    /// Rows read, kept, skipped.
    pub rows: [u64; 3],
    /// Share of incidents at a location shared with another (police.uk snapping).
    pub shared_location_share: f64,
    /// The harm table (origin and version) or weight column used.
    pub harm: String,
    /// The working CRS.
    pub working_crs: String,
    /// Crime-type filter as given, if any.
    pub types: Option<String>,
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A short Markdown summary an analyst can paste into a briefing: the top hotspots, the
/// concentration, the parameters and the caveats.
pub fn summary_markdown(
    job: &HotspotJob,
    ctx: &RunContext,
    top: usize,
    rules: &Disclosure,
) -> String {
    use crate::write::escape::markdown as md;
    use std::fmt::Write as _;
    let mut s = String::new();
    let spec = &job.cells.grid.spec;
    let u = &job.gistar_used;
    let _ = writeln!(s, "# Harm hotspots\n");
    let _ = writeln!(
        s,
        "{} incidents{} from {} file(s); {} rows read, {} skipped as unusable.\n",
        ctx.rows[1],
        ctx.months
            .as_ref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default(),
        ctx.files.len(),
        ctx.rows[0],
        ctx.rows[2]
    );
    let total_harm = job.harm.total;
    let hs = &job.hotspots;
    let in_hot_h: f64 = hs.iter().map(|h| h.harm_share).sum();
    let in_hot_n: f64 = hs.iter().map(|h| h.incident_share).sum();
    let area: f64 = hs.iter().map(|h| h.area_km2).sum();
    let study_km2 = u.population as f64 * spec.cell_area() / 1e6;
    if hs.is_empty() {
        let _ = writeln!(s, "**No hotspot**: no cell is a statistically significant hot spot at the chosen level{}.\n", if u.fdr { " after the false discovery rate correction" } else { "" });
    } else {
        let _ = writeln!(
            s,
            "**{} hotspots** cover {:.2} km² ({} of the {:.1} km² study area) and hold {} of the harm and {} of the incidents.\n",
            hs.len(),
            area,
            pct(area / study_km2),
            study_km2,
            pct(in_hot_h),
            pct(in_hot_n)
        );
        let _ = writeln!(
            s,
            "| rank | id | area km² | incidents | harm | share of harm | most common types |"
        );
        let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---|");
        for h in hs.iter().take(top) {
            if rules.small(h.incidents) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {:.2} | suppressed | suppressed | suppressed | fewer than {} incidents |",
                    h.rank, h.id, h.area_km2, rules.min_count
                );
                continue;
            }
            let types: Vec<String> = h
                .top_types
                .iter()
                .filter(|t| !rules.small(t.incidents as f64))
                .map(|t| format!("{} ({})", md(&t.crime_type), t.incidents))
                .collect();
            let _ = writeln!(
                s,
                "| {} | {} | {:.2} | {:.0} | {:.0} | {} | {} |",
                h.rank,
                h.id,
                h.area_km2,
                h.incidents,
                h.harm,
                pct(h.harm_share),
                types.join(", ")
            );
        }
        if hs.len() > top {
            let _ = writeln!(s, "\n({} more in `hotspots.geojson`.)", hs.len() - top);
        }
        s.push('\n');
    }
    let _ = writeln!(s, "## Concentration\n");
    for (name, c) in [("incidents", &job.incidents), ("harm", &job.harm)] {
        let tops: Vec<String> = c
            .top
            .iter()
            .map(|t| format!("{} in the top {}% of cells", pct(t.share), t.percent))
            .collect();
        let _ = writeln!(
            s,
            "- {name}: {}; Gini {:.3}, generalised Gini {:.3}.",
            tops.join(", "),
            c.gini,
            c.gini_generalised
        );
    }
    let _ = writeln!(s, "\n## Parameters\n");
    let _ = writeln!(
        s,
        "- Grid: {:?} cells of {} m ({}), working CRS {}; study area: {} ({} cells).",
        spec.shape,
        spec.cell_size,
        job.cells
            .params
            .get("cell_size_source")
            .and_then(|v| v.as_str())
            .unwrap_or("given"),
        md(&ctx.working_crs),
        md(&u.study_area),
        u.population
    );
    let _ = writeln!(
        s,
        "- Density: {} kernel, bandwidth {:.0} m ({}), weighted by harm; incidents per km².",
        job.cells
            .params
            .get("kernel")
            .and_then(|v| v.as_str())
            .unwrap_or("quartic"),
        job.bandwidth,
        job.cells
            .params
            .get("bandwidth_source")
            .and_then(|v| v.as_str())
            .unwrap_or("given")
    );
    let _ = writeln!(
        s,
        "- Hot spots: Getis-Ord Gi* on harm per cell, neighbours within {:.0} m (the cell included), two-sided p{}; hotspots are edge-contiguous cells hot at 95% or more.",
        u.neighbour_distance.unwrap_or(f64::NAN),
        if u.fdr { ", Benjamini–Hochberg false discovery rate correction at each level" } else { "" }
    );
    let _ = writeln!(
        s,
        "- Harm weights: {}; total harm {:.0}.",
        md(&ctx.harm),
        total_harm
    );
    if let Some(t) = &ctx.types {
        let _ = writeln!(s, "- Crime types: {}.", md(t));
    }
    if rules.active() {
        let _ = writeln!(
            s,
            "- Disclosure control: values built from 1 to {} incidents are suppressed in every output{}; coordinates to {} decimals.",
            rules.min_count - 1,
            match rules.round {
                Some(b) => format!(" (small counts rounded to the nearest {b})"),
                None => String::new(),
            },
            rules.precision
        );
    }
    let _ = writeln!(s, "\n## Caveats\n");
    let _ = writeln!(
        s,
        "- police.uk locations are snapped to anonymous map points: {} of incidents share their exact location with another. Patterns finer than about {} m are not real.",
        pct(ctx.shared_location_share),
        spec.cell_size.max(50.0)
    );
    let small = hs.iter().filter(|h| h.incidents < 20.0).count();
    if small > 0 {
        let _ = writeln!(s, "- {small} hotspot(s) rest on fewer than 20 incidents: a few incidents more or less would change them.");
    }
    let _ = writeln!(s, "- Harm weights are national averages per police.uk category (see data/HARM.md): one serious offence in a category that is mostly minor raises a cell as much as any other of that category.");
    let _ = writeln!(
        s,
        "- A hotspot shows where harm concentrated in this period, not why, nor that it will stay."
    );
    s
}
