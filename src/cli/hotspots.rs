//! `harmspot hotspots`: the one-shot job, from extracts to a partner-ready hotspot layer.

use super::gistar::GiOpts;
use super::input::InputArgs;
use super::kde::KdeOpts;
use super::layer_out::{record_run, DisclosureArgs, GridArgs};
use super::note;
use anyhow::{bail, Context, Result};
use clap::Args;
use harmspot::disclosure::{neighbourhood_sums, Disclosure, Support};
use harmspot::hotspot_area::Select;
use harmspot::hotspots::{run_with as run_job, summary_markdown, HotspotJobParams, RunContext};
use harmspot::publish::metadata;
use harmspot::write::geojson::{FeatureWriter, Geom};
use harmspot::write::safe::ResultDir;
use harmspot::write::{cells, raster, write_atomic, write_json, AtomicFile};
use harmspot::{grid::Shape, Layer};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

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

/// The files `hotspots` may write in its folder.
pub const OUTPUTS: [&str; 8] = [
    "harmspots.geojson",
    "hotspots.geojson",
    "boundary.geojson",
    "points.geojson",
    "cells.geojson",
    "density.tif",
    "summary.json",
    "summary.md",
];

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

pub fn run(a: HotspotsArgs, quiet: bool) -> Result<()> {
    let p = params(&a)?;
    a.grid.validate()?;
    let mut reads = a.input.safety_inputs();
    reads.extend(a.grid.boundary.iter().cloned());
    let known: Vec<&str> = OUTPUTS
        .iter()
        .chain(&super::FOLDER_EXTRAS)
        .copied()
        .collect();
    let dir = ResultDir::prepare(&a.out, &known, &reads, a.force.force)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let built = a
        .grid
        .build(&loaded.incidents.xy, &loaded.projector, quiet)?;
    harmspot::count::check_layer_bytes(8, built.grid.spec.len(), loaded.incidents.len())?;
    let bar = super::progress::Bar::new(quiet);
    let mut job = run_job(&loaded.incidents, &built.grid, &p, &bar)?;
    a.density.bandwidth.note_bandwidth(&job.cells, quiet);
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
    record_run(&mut job.cells, &built, &loaded, &a.input)?;
    let informative = harmspot::hotspots::informative_cells(&job.cells);
    let rules = a.disclosure.rules()?;
    let mut protected = harmspot::disclosure::DisclosureReport::default();
    if rules.active() {
        let n = job.cells.get("n").expect("count column").to_vec();
        let band = job.gistar_used.neighbour_distance.unwrap_or(0.0);
        let nb = neighbourhood_sums(&built.grid, &n, band);
        let reach = job
            .cells
            .kde_used()
            .map_or(f64::INFINITY, |k| k.support_radius);
        let supports = [
            ("gistar", Support::Vector(&nb)),
            ("pvalue", Support::Vector(&nb)),
            ("class", Support::Vector(&nb)),
            ("neighbours", Support::Exempt),
        ];
        protected = a.disclosure.protect(
            &mut job.cells,
            &loaded.incidents.xy,
            reach,
            &supports,
            quiet,
        )?;
        let small = job
            .hotspots
            .iter()
            .filter(|h| rules.small(h.incidents))
            .count();
        if small > 0 {
            note(quiet, format!("disclosure control: values of {small} hotspot(s) with fewer than {} incidents suppressed", rules.min_count));
        }
    }
    let cells_layer = &mut job.cells;
    let boundary: Vec<&Path> = built.boundary.iter().map(PathBuf::as_path).collect();
    let manifest = super::manifest(&loaded, &metadata(cells_layer), &boundary)?;
    if let Some(run) = &mut cells_layer.run {
        run.manifest = Some(manifest.clone());
    }
    let params = metadata(cells_layer);

    let (shared, _) = harmspot::info::shared_locations(&loaded.incidents.xy);
    let ctx = RunContext {
        files: loaded
            .summary
            .files
            .iter()
            .map(|f| f.path.clone())
            .collect(),
        months: loaded.incidents.month_range().map(|r| r.to_string()),
        rows: [
            loaded.summary.rows,
            loaded.summary.kept,
            loaded.summary.skipped_total(),
        ],
        shared_location_share: shared as f64 / loaded.incidents.len() as f64,
        harm: cells_layer
            .run
            .as_ref()
            .map_or_else(String::new, |r| r.harm.clone()),
        working_crs: loaded.projector.working.to_string(),
        types: a.input.types.clone(),
        cell_size_source: built.decisions.cell_size_source().to_string(),
        strays_left_out: built.decisions.strays_left_out,
    };

    let out = |name: &str| dir.path(name);
    let mut written = vec![
        "hotspots.geojson",
        "cells.geojson",
        "summary.json",
        "summary.md",
    ];
    write_hotspots(
        &out("hotspots.geojson"),
        &job.hotspots,
        &params,
        &loaded.projector,
        &rules,
    )?;
    let points = out("points.geojson");
    if a.include_points {
        write_points(
            &points,
            &loaded.incidents,
            &loaded.projector,
            rules.precision,
        )?;
        written.push("points.geojson");
    }
    super::harm_spots::write(
        &out("harmspots.geojson"),
        &job.spots,
        &params,
        &loaded.projector,
        &rules,
    )?;
    written.push("harmspots.geojson");
    // the study-area boundary beside the results, so that `harmspot map` draws it
    if let Some(b) = &built.boundary {
        let bytes = std::fs::read(b).with_context(|| format!("--boundary: {}", b.display()))?;
        write_atomic(&out("boundary.geojson"), |w| w.write_all(&bytes))?;
        written.push("boundary.geojson");
    }
    let all_cells = a.all_cells;
    let n = cells::write_geojson_where(
        &out("cells.geojson"),
        &job.cells,
        &loaded.projector.inverse,
        |id| all_cells || informative[id],
    )?;
    if built.grid.spec.shape == Shape::Square {
        let mut density = Layer::new(built.grid.clone());
        density.set(
            "density",
            job.cells.get("density").expect("kde column").to_vec(),
        );
        density.used = job.cells.used.clone();
        density.run = job.cells.run.clone();
        density.disclosure = job.cells.disclosure.clone();
        raster::write_geotiff(
            &out("density.tif"),
            &density,
            loaded.projector.working.code(),
            true,
        )?;
        written.push("density.tif");
    } else {
        note(
            quiet,
            "hexagonal cells: no density.tif (a raster needs square cells)",
        );
    }
    let hotspot_rows: Vec<Value> = job
        .hotspots
        .iter()
        .map(|h| Value::Object(protect_hotspot(h.properties(), h.incidents, &rules)))
        .collect();
    let summary = json!({
        "parameters": Value::Object(params.clone()),
        "context": ctx,
        "disclosure": protected,
        "hotspots": hotspot_rows,
        "harm_spots": super::harm_spots::rows(&job.spots, &rules),
        "concentration": { "incidents": job.incidents, "harm": job.harm },
    });
    write_json(&out("summary.json"), &summary)?;
    let md = summary_markdown(&job, &ctx, a.table, &rules);
    write_atomic(&out("summary.md"), |w| w.write_all(md.as_bytes()))?;
    super::write_manifest(&out(""), &manifest, &written)?;
    dir.commit()?;
    note(
        quiet,
        format!(
            "wrote {} harm spots, {} hotspot areas and {n} cells to {} (harmspots.geojson, hotspots.geojson, cells.geojson, {}summary.json, summary.md, manifest.json, run.toml)",
            job.spots.spots.len(),
            job.hotspots.len(),
            a.out.display(),
            if built.grid.spec.shape == Shape::Square { "density.tif, " } else { "" }
        ),
    );
    Ok(())
}

use std::io::Write as _;

/// Hotspot polygons in WGS84, one feature each, properties from [`harmspot::hotspot_area::Hotspot::properties`].
/// Hotspot properties with every value built from its incidents nulled when the hotspot
/// holds fewer than K incidents (its id, rank, cells and area stay: they come from the grid).
fn protect_hotspot(
    mut props: Map<String, Value>,
    incidents: f64,
    rules: &Disclosure,
) -> Map<String, Value> {
    if rules.small(incidents) {
        for (k, v) in props.iter_mut() {
            if !matches!(k.as_str(), "id" | "rank" | "cells" | "area_km2") {
                *v = Value::Null;
            }
        }
    }
    // a crime type's count is its own support: 1..K-1 of one type is withheld with its name
    for k in 1..=3 {
        let n = props.get(&format!("type_{k}_n")).and_then(Value::as_f64);
        if n.is_some_and(|n| rules.small(n)) {
            props.insert(format!("type_{k}"), Value::Null);
            props.insert(format!("type_{k}_n"), Value::Null);
        }
    }
    // likewise a place name carried by 1..K-1 incidents
    for (name, n) in [("location", "location_n"), ("lsoa_name", "lsoa_n")] {
        let c = props.get(n).and_then(Value::as_f64);
        if c.is_some_and(|c| rules.small(c)) {
            props.insert(name.into(), Value::Null);
            props.insert(n.into(), Value::Null);
        }
    }
    props
}

/// Incidents as points, lon/lat at `decimals` places, with month and crime type.
fn write_points(
    dest: &Path,
    inc: &harmspot::Incidents,
    projector: &harmspot::Projector,
    decimals: usize,
) -> Result<()> {
    let mut ll = inc.xy.clone();
    projector.inverse.apply(&mut ll);
    let mut f = AtomicFile::create(dest)?;
    let mut fw = FeatureWriter::begin(f.writer(), &Map::new())?.with_decimals(decimals);
    for (i, p) in ll.iter().enumerate() {
        let mut props = Map::new();
        props.insert("month".into(), inc.month[i].to_string().into());
        props.insert(
            "crime_type".into(),
            inc.types[inc.kind[i] as usize].clone().into(),
        );
        fw.feature(&Geom::Point(*p), &props)?;
    }
    fw.finish()?;
    f.commit()?;
    Ok(())
}

fn write_hotspots(
    dest: &Path,
    hotspots: &[harmspot::hotspot_area::Hotspot],
    params: &Map<String, Value>,
    projector: &harmspot::Projector,
    rules: &Disclosure,
) -> Result<()> {
    let mut f = AtomicFile::create(dest)?;
    let mut members = Map::new();
    members.insert("harmspot".into(), Value::Object(params.clone()));
    let mut fw = FeatureWriter::begin(f.writer(), &members)?.with_decimals(rules.precision);
    for h in hotspots {
        let mut rings = vec![h.polygon.exterior.clone()];
        rings.extend(h.polygon.holes.iter().cloned());
        for r in &mut rings {
            projector.inverse.apply(r);
        }
        fw.feature(
            &Geom::Polygon(rings).oriented(),
            &protect_hotspot(h.properties(), h.incidents, rules),
        )?;
    }
    fw.finish()?;
    f.commit()?;
    Ok(())
}
