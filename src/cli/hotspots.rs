//! `harmspot hotspots`: the one-shot job, from extracts to a partner-ready hotspot layer.

use super::gistar::GiOpts;
use super::input::{InputArgs, Loaded};
use super::kde::KdeOpts;
use super::layer_out::{record_run, DisclosureArgs, GridArgs};
use super::note;
use anyhow::{bail, Context, Result};
use clap::Args;
use harmspot::disclosure::{Disclosure, DisclosureReport};
use harmspot::grid::Shape;
use harmspot::hotspots::area::Select;
use harmspot::hotspots::{run_with as run_job, HotspotJob, HotspotJobParams};
use harmspot::manifest::Manifest;
use harmspot::publish::metadata;
use harmspot::publish::summary::RunContext;
use harmspot::write::safe::ResultDir;
use harmspot::Layer;
use std::path::PathBuf;

/// Arguments of `harmspot hotspots`.
#[derive(Args, Debug)]
#[command(
    after_help = "Writes into DIR: harmspots.geojson (the harm spots: micro-places inside the \
hotspot areas holding half their harm, ranked by harm), hotspots.geojson (hotspot areas \
ranked by harm), cells.geojson (the informative cells with n, harm, density, gistar, pvalue, \
class; --all-cells for every study-area cell), boundary.geojson (a copy of --boundary, for \
the map), density.tif (density, \
GeoTIFF in the working CRS), summary.json, summary.md (for a briefing), manifest.json and \
run.toml (replay with `harmspot run DIR/run.toml`).\n\n\
Example:\n  harmspot hotspots data/police-uk/ --out results/"
)]
pub struct HotspotsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    #[command(flatten)]
    pub density: KdeOpts,
    #[command(flatten)]
    pub gi: GiOpts,
    /// Turn off the Benjamini–Hochberg false discovery rate correction (on by default here).
    #[arg(long, help_heading = "Gi*")]
    pub no_fdr: bool,
    /// Hotspots are the top X% of cells by density (e.g. `5%`) instead of Gi* hot cells.
    #[arg(long, value_name = "X%", help_heading = "Hotspots")]
    pub top: Option<String>,
    /// Gi* confidence for hot cells: 90, 95 or 99.
    #[arg(long, default_value_t = 95, help_heading = "Hotspots")]
    pub confidence: u32,
    /// Rows in the summary's top harm spots and hotspot areas tables.
    #[arg(long, default_value_t = 10, help_heading = "Hotspots")]
    pub table: usize,
    /// cells.geojson: every study-area cell, not only the informative ones (holding an
    /// incident, density at least 1% of the peak, or a Gi* class other than not significant).
    #[arg(long, help_heading = "Hotspots")]
    pub all_cells: bool,
    /// Also write the incidents as points (points.geojson). Never by default: raw points
    /// can identify victims.
    #[arg(long, help_heading = "Disclosure control")]
    pub include_points: bool,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
    /// Output folder (created if missing; written beside it and swapped into place when
    /// complete).
    #[arg(long, short, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub force: super::ForceArg,
}

/// The `--top` percentage (`5%` or `5`), in (0, 100].
fn parse_top(s: &str) -> Result<f64> {
    let t = s.trim().trim_end_matches('%');
    let v: f64 = t
        .parse()
        .with_context(|| format!("--top: `{s}` is not a percentage such as 5%"))?;
    if !(v > 0.0 && v <= 100.0) {
        bail!("--top: must be in (0, 100], got {s}");
    }
    Ok(v)
}

/// Resolves the flags into job parameters, before any data is read.
fn params(a: &HotspotsArgs) -> Result<HotspotJobParams> {
    Ok(HotspotJobParams {
        kde: a.density.params()?,
        gistar: a.gi.params(!a.no_fdr)?,
        value: a.gi.value.into(),
        select: match &a.top {
            Some(t) => Select::Top {
                percent: parse_top(t)?,
            },
            None => Select::Hot {
                min_class: match a.confidence {
                    90 => 1,
                    95 => 2,
                    99 => 3,
                    c => bail!("--confidence: must be 90, 95 or 99, got {c}"),
                },
            },
        },
        spots: Default::default(),
    })
}

/// Runs `harmspot hotspots`: checks the flags and the output folder, runs the job, applies
/// disclosure control and writes the result folder.
pub fn run(a: HotspotsArgs, quiet: bool) -> Result<()> {
    let p = params(&a)?;
    a.grid.validate()?;
    let dir = prepare_dir(&a)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let built = a
        .grid
        .build(&loaded.incidents.xy, &loaded.projector, quiet)?;
    harmspot::count::check_layer_bytes(8, built.grid.spec.len(), loaded.incidents.len())?;
    let bar = super::progress::Bar::new(quiet);
    let mut job = run_job(&loaded.incidents, &built.grid, &p, &bar)?;
    a.density.bandwidth.note_bandwidth(&job.cells, quiet);
    note_selection(&job, &p, quiet);
    record_run(&mut job.cells, &built, &loaded, &a.input)?;
    let rules = a.disclosure.rules()?;
    let mut protected = harmspot::disclosure::DisclosureReport::default();
    if rules.active() {
        protected = protect_cells(&a, &rules, &mut job, &loaded, quiet)?;
    }
    let manifest = outputs_manifest(&mut job.cells)?;

    let (shared, _) = harmspot::info::shared_locations(&loaded.incidents.xy);
    let run = job.cells.run.as_ref().context("the run is recorded")?;
    let ctx = RunContext::from_run(run, shared as f64 / loaded.incidents.len() as f64);

    let folder = harmspot::publish::hotspots::Folder {
        incidents: &loaded.incidents,
        projector: &loaded.projector,
        context: &ctx,
        rules: &rules,
        protected: &protected,
        manifest: &manifest,
        boundary: built.boundary.as_deref(),
        table: a.table,
        all_cells: a.all_cells,
        include_points: a.include_points,
        started: super::started(),
    };
    let (_, n) = harmspot::publish::hotspots::write(&dir, &job, &folder)?;
    let square = built.grid.spec.shape == Shape::Square;
    if !square {
        note(
            quiet,
            "hexagonal cells: no density.tif (a raster needs square cells)",
        );
    }
    dir.commit()?;
    note(
        quiet,
        format!(
            "wrote {} harm spots, {} hotspot areas and {n} cells to {} (harmspots.geojson, hotspots.geojson, cells.geojson, {}summary.json, summary.md, manifest.json, run.toml)",
            job.spots.spots.len(),
            job.hotspots.len(),
            a.out.display(),
            if square { "density.tif, " } else { "" }
        ),
    );
    Ok(())
}

/// Prepares the output folder before any work: the outputs harmspot may replace there, and
/// the inputs (incidents, boundary) it must not overwrite.
fn prepare_dir(a: &HotspotsArgs) -> Result<ResultDir> {
    let mut reads = a.input.safety_inputs();
    reads.extend(a.grid.boundary.iter().cloned());
    let known: Vec<&str> = harmspot::publish::hotspots::OUTPUTS
        .iter()
        .chain(&super::FOLDER_EXTRAS)
        .copied()
        .collect();
    Ok(ResultDir::prepare(&a.out, &known, &reads, a.force.force)?)
}

/// Notes how the hotspots were selected and what they hold.
fn note_selection(job: &HotspotJob, p: &HotspotJobParams, quiet: bool) {
    let u = &job.gistar_used;
    let selected_by = match p.select {
        Select::Hot { .. } => format!(
            "Gi* on {} over {} study-area cells{}",
            p.value.column(),
            u.population,
            if u.fdr { " with FDR" } else { "" }
        ),
        Select::Top { percent } => format!(
            "top {percent}% of {} study-area cells by density",
            u.population
        ),
    };
    note(
        quiet,
        format!(
            "{selected_by}: {} hotspot area(s); {} harm spot(s) of {:.0} m cells hold {:.1}% of the harm",
            job.hotspots.len(),
            job.spots.spots.len(),
            job.spots.cell_size,
            100.0 * job.spots.spots.iter().map(|s| s.harm).sum::<f64>() / job.harm.total
        ),
    );
}

/// Applies the disclosure `rules` to the cells (each column against the support the job
/// declared: Gi* values the incidents of their neighbourhood, densities those within the
/// kernel's reach) and notes the hotspots whose values are withheld. Returns what was done
/// to the cells.
fn protect_cells(
    a: &HotspotsArgs,
    rules: &Disclosure,
    job: &mut HotspotJob,
    loaded: &Loaded,
    quiet: bool,
) -> Result<DisclosureReport> {
    let protected = a
        .disclosure
        .protect(&mut job.cells, &loaded.incidents, quiet)?;
    let small = job
        .hotspots
        .iter()
        .filter(|h| !rules.place(h.incidents, &h.top_types, &h.names).values)
        .count();
    if small > 0 {
        note(quiet, format!("disclosure control: values of {small} hotspot(s) with fewer than {} incidents suppressed", rules.min_count));
    }
    Ok(protected)
}

/// The manifest `record_run` made (inputs hashed once), its parameters now the outputs' own.
fn outputs_manifest(cells: &mut Layer) -> Result<Manifest> {
    let mut parameters = metadata(cells);
    parameters.remove("manifest");
    let manifest = cells
        .run
        .as_mut()
        .and_then(|r| r.manifest.as_mut())
        .context("the run is recorded")?;
    manifest.parameters = parameters;
    Ok(manifest.clone())
}
