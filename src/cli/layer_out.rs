//! Flags shared by every grid verb (`count`, `kde`, ...): the grid (`--cell-size`,
//! `--shape`, `--extent`, `--boundary`) and the outputs (`--out`, repeatable, format by
//! extension), plus the run metadata every output records.

use super::input::{InputArgs, Loaded};
use super::note;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use geo::MultiPolygon;
use harmspot::disclosure::{Disclosure, DisclosureReport};
use harmspot::grid::{auto_cell_size, Grid, GridSpec, Shape};
use harmspot::publish::grid::GridOutputs;
use harmspot::study_area::RobustExtent;
use harmspot::used::{GridDecisions, InputRecord, RunRecord};
use harmspot::{Incidents, Layer, Projector};
use serde_json::Map;
use std::path::{Path, PathBuf};

/// Cell shape on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShapeArg {
    /// Square cells of side --cell-size.
    Square,
    /// Flat-topped hexagons of flat-to-flat height --cell-size (not writable as rasters).
    Hex,
}

impl From<ShapeArg> for Shape {
    fn from(s: ShapeArg) -> Shape {
        match s {
            ShapeArg::Square => Shape::Square,
            ShapeArg::Hex => Shape::Hex,
        }
    }
}

/// Without a boundary, the study area is the cells within this many metres of a cell
/// holding an incident (or one cell, if larger): see `harmspot::study_area`.
pub const STUDY_REACH_M: f64 = 1_000.0;

/// The grid every grid verb builds.
#[derive(Args, Debug, Clone)]
pub struct GridArgs {
    /// Cell size in metres [default: the shorter side of the extent / 250 (ArcGIS's rule),
    /// rounded to 1, 2, 2.5 or 5 x 10^k m, at least 50 m].
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Grid"
    )]
    pub cell_size: Option<f64>,
    /// Cell shape. Cells snap to multiples of the cell size, so runs and periods share cells.
    #[arg(long, value_enum, default_value_t = ShapeArg::Square, help_heading = "Grid")]
    pub shape: ShapeArg,
    /// Grid extent XMIN,YMIN,XMAX,YMAX in working-CRS metres [default: the cells within
    /// 1 km of an incident, strays (locational outliers) left out].
    #[arg(
        long,
        value_name = "XMIN,YMIN,XMAX,YMAX",
        allow_hyphen_values = true,
        conflicts_with = "boundary",
        help_heading = "Grid"
    )]
    pub extent: Option<String>,
    /// Study-area boundary: a GeoJSON file of WGS84 polygons; the cells whose centre falls
    /// inside. Incidents outside still count towards kernel densities inside.
    #[arg(long, value_name = "FILE.geojson", help_heading = "Grid")]
    pub boundary: Option<PathBuf>,
}

/// A grid and what was decided in making it, for notes and metadata.
pub struct BuiltGrid {
    /// The grid.
    pub grid: Grid,
    /// The boundary file the study area came from, if any.
    pub boundary: Option<PathBuf>,
    /// How the grid was chosen, recorded in the outputs.
    pub decisions: GridDecisions,
}

fn parse_extent(s: &str) -> Result<[f64; 4]> {
    let v: Vec<f64> = s
        .split(',')
        .map(|t| t.trim().parse::<f64>())
        .collect::<std::result::Result<_, _>>()
        .ok()
        .filter(|v: &Vec<f64>| v.len() == 4 && v.iter().all(|x| x.is_finite()))
        .with_context(|| {
            format!("--extent: `{s}` is not four numbers XMIN,YMIN,XMAX,YMAX (working-CRS metres)")
        })?;
    if v[0] >= v[2] || v[1] >= v[3] {
        bail!("--extent: `{s}` must have XMIN < XMAX and YMIN < YMAX");
    }
    Ok([v[0], v[1], v[2], v[3]])
}

/// Refuses an `--extent` that holds none of the incidents (a grid of zeros is never what
/// was meant), saying when its numbers look like longitude/latitude degrees — the extent is
/// in working-CRS metres — and which extent would hold them.
fn extent_holds_incidents(e: &[f64; 4], xy: &[[f64; 2]], projector: &Projector) -> Result<()> {
    let inside = |p: &[f64; 2]| (e[0]..=e[2]).contains(&p[0]) && (e[1]..=e[3]).contains(&p[1]);
    if xy.is_empty() || xy.iter().any(inside) {
        return Ok(());
    }
    let crs = &projector.working;
    let mut msg = format!(
        "--extent: no incident lies inside {},{},{},{} (XMIN,YMIN,XMAX,YMAX in metres of the working CRS {crs})",
        e[0], e[1], e[2], e[3]
    );
    let degrees = e[0] >= -180.0 && e[2] <= 180.0 && e[1] >= -90.0 && e[3] <= 90.0;
    let corners = [
        projector.forward.point([e[0], e[1]]),
        projector.forward.point([e[2], e[3]]),
    ];
    if let (true, [Some(a), Some(b)]) = (degrees, corners) {
        msg += &format!(
            "; these look like longitude/latitude degrees: in metres that area is about {:.0},{:.0},{:.0},{:.0}",
            a[0], a[1], b[0], b[1]
        );
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in xy {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    }
    msg += &format!(
        "; the incidents span {:.0},{:.0},{:.0},{:.0}",
        lo[0], lo[1], hi[0], hi[1]
    );
    bail!(msg)
}

impl GridArgs {
    /// Checks the flags that need no data (before reading a large input).
    pub fn validate(&self) -> Result<()> {
        if let Some(c) = self.cell_size {
            use harmspot::limits::{MAX_CELL_SIZE, MIN_CELL_SIZE};
            if !(c.is_finite() && (MIN_CELL_SIZE..=MAX_CELL_SIZE).contains(&c)) {
                bail!("--cell-size: must be a positive length in metres, from {MIN_CELL_SIZE} to {MAX_CELL_SIZE}, got {c:?}");
            }
        }
        if let Some(e) = &self.extent {
            parse_extent(e)?;
        }
        Ok(())
    }

    /// Builds the grid for incidents at `xy` (working CRS), printing automatic choices and
    /// warnings to stderr unless `quiet`, for a verb computing one column per cell (see
    /// [`GridArgs::build_for_columns`]).
    pub fn build(&self, xy: &[[f64; 2]], projector: &Projector, quiet: bool) -> Result<BuiltGrid> {
        self.build_for_columns(xy, projector, 1, quiet)
    }

    /// Like [`GridArgs::build`] for a verb computing `columns` value columns: the memory
    /// they need is checked before anything is allocated.
    pub fn build_for_columns(
        &self,
        xy: &[[f64; 2]],
        projector: &Projector,
        columns: usize,
        quiet: bool,
    ) -> Result<BuiltGrid> {
        self.validate()?;
        let shape: Shape = self.shape.into();
        let extent = self.extent.as_deref().map(parse_extent).transpose()?;
        if let Some(e) = &extent {
            extent_holds_incidents(e, xy, projector)?;
        }
        let boundary = match &self.boundary {
            Some(p) => Some(
                harmspot::read::areas::read_boundary(p, projector).with_context(|| "--boundary")?,
            ),
            None => None,
        };
        // Without an extent or a boundary, the automatic choices use the robust extent:
        // strays (locational outliers) are reported and left out.
        let robust = match (&extent, &boundary) {
            (None, None) => Some(
                harmspot::study_area::robust_extent(xy)
                    .context("no incidents to build a grid on")?,
            ),
            _ => None,
        };
        let span = grid_span(extent.as_ref(), boundary.as_ref(), robust.as_ref())?;
        let decisions = GridDecisions {
            cell_size_given: self.cell_size.is_some(),
            strays_left_out: robust.as_ref().map(|r| r.strays),
        };
        if let Some(r) = robust.as_ref().filter(|r| r.strays > 0) {
            note_strays(r, quiet);
        }
        let cell_size = self.choose_cell_size(span, quiet);
        let reach = STUDY_REACH_M.max(cell_size);
        // The block each constructor will cover, to refuse an oversized layer before
        // allocating anything (GridSpec::covering refuses more than MAX_CELLS cells).
        let block = match (&extent, &boundary) {
            (None, None) => [
                span[0] - reach - cell_size,
                span[1] - reach - cell_size,
                span[2] + reach + cell_size,
                span[3] + reach + cell_size,
            ],
            _ => span,
        };
        let spec = GridSpec::covering(shape, cell_size, block)?;
        harmspot::count::check_layer_bytes(columns, spec.len(), xy.len())?;
        let grid = match (&extent, &boundary, &robust) {
            (Some(e), _, _) => Grid::from_extent(shape, cell_size, *e)?,
            (None, Some(b), _) => Grid::from_boundary(shape, cell_size, b)?,
            (None, None, r) => {
                let r = r.as_ref().context("no incidents to build a grid on")?;
                harmspot::study_area::near_incidents(shape, cell_size, xy, &r.stray, reach)?
            }
        };
        note_large_grid(&grid.spec, quiet);
        Ok(BuiltGrid {
            grid,
            decisions,
            boundary: self.boundary.clone(),
        })
    }

    /// The cell size: `--cell-size`, or chosen from the `span` (noted); a warning when the
    /// cells are finer than police.uk locations are precise.
    fn choose_cell_size(&self, span: [f64; 4], quiet: bool) -> f64 {
        let cell_size = match self.cell_size {
            Some(c) => c,
            None => {
                let c = auto_cell_size(span);
                note(
                    quiet,
                    format!("cell size set to {c} m automatically (shorter side / 250, rounded)"),
                );
                c
            }
        };
        if cell_size < 50.0 {
            note(
                quiet,
                format!("warning: {cell_size} m cells are finer than police.uk locations are precise (they are snapped to map points): expect spurious detail"),
            );
        }
        cell_size
    }
}

/// The extent the automatic choices (cell size, block) start from: `--extent`, else the
/// boundary's bounding box, else the incidents' robust extent.
fn grid_span(
    extent: Option<&[f64; 4]>,
    boundary: Option<&MultiPolygon<f64>>,
    robust: Option<&RobustExtent>,
) -> Result<[f64; 4]> {
    Ok(match (extent, boundary, robust) {
        (Some(e), _, _) => *e,
        (None, Some(b), _) => {
            use geo::BoundingRect;
            let r = b
                .bounding_rect()
                .context("--boundary: the boundary has no area")?;
            [r.min().x, r.min().y, r.max().x, r.max().y]
        }
        (None, None, r) => r.context("no incidents to build a grid on")?.extent,
    })
}

/// Notes the stray incidents the robust extent left out, with both spans.
fn note_strays(r: &RobustExtent, quiet: bool) {
    note(
        quiet,
        format!(
            "{} stray incident(s) lie far from the rest (all incidents span {:.0} x {:.0} km, the others {:.0} x {:.0} km): left out of the automatic extent, cell size, bandwidth and study area (check with `harmspot info`; set --extent or --boundary to choose the area yourself)",
            r.strays,
            (r.full[2] - r.full[0]) / 1e3,
            (r.full[3] - r.full[1]) / 1e3,
            (r.extent[2] - r.extent[0]) / 1e3,
            (r.extent[3] - r.extent[1]) / 1e3,
        ),
    );
}

/// Warns about a grid of more than ten million cells.
fn note_large_grid(spec: &GridSpec, quiet: bool) {
    if spec.len() > 10_000_000 {
        note(
            quiet,
            format!("warning: a large grid, {} x {} = {} cells: if that is not what you meant, set --cell-size, --extent or --boundary", spec.nx, spec.ny, spec.len()),
        );
    }
}

/// Where outputs go.
#[derive(Args, Debug, Clone)]
pub struct OutArgs {
    /// Output file; the format follows the extension: .geojson (WGS84 polygons, non-empty
    /// study-area cells), .tif (Float32 GeoTIFF in the working CRS, one band per column),
    /// .csv (x,y cell centre then the columns, every study-area cell), .asc (ESRI ASCII
    /// grid: the first column to FILE, every other to FILE-stem_COLUMN.asc), .parquet
    /// (GeoParquet: the GeoJSON's cells, x/y centres). Repeat --out for several formats.
    #[arg(
        long,
        short,
        value_name = "FILE",
        required = true,
        help_heading = "Output"
    )]
    pub out: Vec<PathBuf>,
    /// GeoJSON: also write the study-area cells whose values are all zero.
    #[arg(long, help_heading = "Output")]
    pub all_cells: bool,
    /// Replace companion files (FILE.manifest.json, FILE-stem_COLUMN.asc, .prj) that
    /// harmspot did not record writing for this output.
    #[arg(long, help_heading = "Output")]
    pub force: bool,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

/// Disclosure control for outputs shared with partners (see `harmspot::disclosure`).
#[derive(Args, Debug, Clone, Default)]
pub struct DisclosureArgs {
    /// Suppress every published value built from 1 to K-1 incidents (written as null,
    /// NoData or an empty field; zeros are published).
    #[arg(long, value_name = "K", help_heading = "Disclosure control")]
    pub min_count: Option<u64>,
    /// Round counts built from fewer than K incidents to the nearest multiple of BASE
    /// instead of suppressing them (the other values of those cells are suppressed).
    #[arg(long, value_name = "BASE", help_heading = "Disclosure control")]
    pub round: Option<u64>,
    /// Partner-safe defaults: --min-count 5 unless given, no incident points, coordinates
    /// coarsened to 4 decimals (about 10 m).
    #[arg(long, help_heading = "Disclosure control")]
    pub partner: bool,
}

impl DisclosureArgs {
    /// The rules these flags ask for.
    pub fn rules(&self) -> Result<Disclosure> {
        if let Some(b) = self.round {
            if b < 2 {
                bail!("--round: the base must be 2 or more, got {b}");
            }
            if self.min_count.is_none() && !self.partner {
                bail!("--round: needs --min-count K (or --partner)");
            }
        }
        if self.min_count == Some(0) {
            bail!("--min-count: must be 1 or more");
        }
        let mut d = if self.partner {
            Disclosure::partner(self.min_count)
        } else {
            Disclosure {
                min_count: self.min_count.unwrap_or(0),
                ..Disclosure::off()
            }
        };
        d.round = self.round;
        Ok(d)
    }

    /// Applies the rules to `layer` (each column against the support its analysis
    /// declared, over `incidents`) and records what was done on it.
    pub fn protect(
        &self,
        layer: &mut Layer,
        incidents: &Incidents,
        quiet: bool,
    ) -> Result<DisclosureReport> {
        let rules = self.rules()?;
        if !rules.active() {
            return Ok(DisclosureReport::default());
        }
        let report = harmspot::publish::grid::protect(layer, &rules, incidents);
        note(quiet, format!("disclosure control: {}", report.note));
        Ok(report)
    }
}

impl OutArgs {
    /// The outputs, checked before any work: known extension, an existing folder, no
    /// raster for hexagons, no path given twice.
    pub fn outputs(&self, shape: Shape) -> Result<GridOutputs> {
        Ok(GridOutputs::new(
            &self.out,
            shape,
            self.all_cells,
            self.force,
        )?)
    }

    /// [`OutArgs::outputs`], and the output-safety checks before any work: no output is,
    /// or resolves to, an input; an existing output is a writable regular file.
    pub fn check(&self, shape: Shape, input: &InputArgs) -> Result<()> {
        self.outputs(shape)?.check_inputs(&input.safety_inputs())?;
        Ok(())
    }

    /// Writes `layer` to every output and the run's manifest beside the first.
    /// `empty_as_nodata` makes all-zero cells NoData in rasters (kernel surfaces).
    pub fn write(
        &self,
        layer: &Layer,
        projector: &Projector,
        empty_as_nodata: bool,
        quiet: bool,
    ) -> Result<()> {
        let outputs = self.outputs(layer.grid.spec.shape)?;
        let rules = self.disclosure.rules()?;
        let written = outputs.write(layer, projector, empty_as_nodata, &rules, super::started())?;
        for w in written {
            note(quiet, w.to_string());
        }
        Ok(())
    }
}

/// Records what every output states about the run: harmspot's version, the working CRS,
/// the grid decisions, the input summary and the weights used.
pub fn record_run(
    layer: &mut Layer,
    built: &BuiltGrid,
    loaded: &Loaded,
    input: &InputArgs,
) -> Result<()> {
    let s = &loaded.summary;
    let boundary: Vec<&Path> = built.boundary.iter().map(PathBuf::as_path).collect();
    // the run's command and inputs; its parameters are the outputs' other entries
    let manifest = super::manifest(loaded, &Map::new(), &boundary)?;
    layer.run = Some(RunRecord {
        working_crs: loaded.projector.working.to_string(),
        input: InputRecord {
            files: s.files.iter().map(|f| f.path.clone()).collect(),
            rows: s.rows,
            kept: s.kept,
            skipped: s.skipped_total(),
            filtered: s.filtered.values().sum::<u64>(),
            months: loaded.incidents.month_range().map(|r| r.to_string()),
            types: input.types.clone(),
            exclude_types: input.exclude_types.clone(),
        },
        harm: match &input.weight_col {
            Some(c) => format!("weight column `{c}`"),
            None => format!(
                "harm table `{}` (version {})",
                loaded.harm.origin, loaded.harm.version
            ),
        },
        grid: built.decisions.clone(),
        manifest: Some(manifest),
    });
    Ok(())
}
