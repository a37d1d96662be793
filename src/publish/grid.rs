//! Grid outputs: one layer written to every file asked for, the format by extension —
//! GeoJSON (RFC 7946 polygons in WGS84, [`crate::publish::write::cells`]), GeoTIFF (Float32 with its
//! CRS, [`crate::publish::write::raster`]), CSV, ESRI ASCII grids with a `.prj` — and the run's
//! manifest beside the first (`FILE.manifest.json`, replayable with `harmspot run`).
//! Nothing is written until every file the run makes is known safe to write
//! ([`crate::publish::write::safe`]); disclosure control ([`protect`]) is applied before.

use crate::error::Param;
use crate::error::{Error, Result};
use crate::model::grid::Shape;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::publish::disclosure::{Applied, Disclosure, DisclosureReport};
use crate::publish::write::{cells, raster, safe};
use crate::Projector;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Output formats, by extension.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// `.geojson` / `.json`: RFC 7946 polygons in WGS84.
    GeoJson,
    /// `.tif` / `.tiff`: Float32 GeoTIFF in the working CRS.
    Tiff,
    /// `.csv`: one row per cell.
    Csv,
    /// `.asc`: ESRI ASCII grid(s).
    Asc,
    /// `.parquet`: GeoParquet 1.1, cell polygons in WGS84.
    Parquet,
}

impl Format {
    /// The format of `path`, by its extension.
    ///
    /// ```
    /// use harmspot::publish::grid::Format;
    /// assert_eq!(Format::of("a/kde.TIF".as_ref()).unwrap(), Format::Tiff);
    /// assert!(Format::of("kde.png".as_ref()).is_err());
    /// ```
    pub fn of(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        Ok(match ext.as_str() {
            "geojson" | "json" => Format::GeoJson,
            "tif" | "tiff" => Format::Tiff,
            "csv" => Format::Csv,
            "asc" => Format::Asc,
            "parquet" => Format::Parquet,
            _ => {
                return Err(Error::param(
                    Param::Out,
                    format!(
                        "`{}` has no known extension: use .geojson, .tif, .csv, .asc or .parquet",
                        path.display()
                    ),
                ))
            }
        })
    }
}

/// The files a grid verb writes its layer to.
#[derive(Clone, Debug)]
pub struct GridOutputs {
    files: Vec<(PathBuf, Format)>,
    /// GeoJSON: also write the study-area cells whose values are all zero.
    pub all_cells: bool,
    /// Replace companion files harmspot did not record writing for this output.
    pub force: bool,
}

/// One file written, for the run's notes.
#[derive(Clone, Debug, PartialEq)]
pub enum Written {
    /// GeoJSON or CSV cells.
    Cells {
        /// The file.
        path: PathBuf,
        /// Cells written.
        cells: u64,
    },
    /// A GeoTIFF.
    Raster {
        /// The file.
        path: PathBuf,
        /// Columns and rows.
        size: [usize; 2],
        /// Band names.
        bands: Vec<String>,
    },
    /// One column's ESRI ASCII grid.
    Column {
        /// The file.
        path: PathBuf,
        /// The column.
        name: String,
    },
    /// The run's manifest.
    Manifest {
        /// The file.
        path: PathBuf,
    },
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Cells { path, cells } => {
                write!(f, "wrote {cells} cells to {}", path.display())
            }
            Written::Raster { path, size, bands } => write!(
                f,
                "wrote {} x {} raster, bands {}, to {}",
                size[0],
                size[1],
                bands.join(", "),
                path.display()
            ),
            Written::Column { path, name } => write!(f, "wrote {name} to {}", path.display()),
            Written::Manifest { path } => {
                write!(f, "wrote the run's manifest to {}", path.display())
            }
        }
    }
}

impl GridOutputs {
    /// The outputs at `paths`, checked before any work: known extension, an existing
    /// folder, no raster for hexagons, no path given twice.
    pub fn new(paths: &[PathBuf], shape: Shape, all_cells: bool, force: bool) -> Result<Self> {
        let mut files: Vec<(PathBuf, Format)> = Vec::new();
        for p in paths {
            let f = Format::of(p)?;
            if matches!(f, Format::Tiff | Format::Asc) {
                raster::check_rasterisable(shape, p)?;
            }
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let bad = |why: String| Err(Error::param(Param::Out, why));
            if !dir.is_dir() {
                return bad(format!("folder `{}` does not exist", dir.display()));
            }
            if p.is_dir() {
                return bad(format!("`{}` is a folder: give a file name", p.display()));
            }
            if files.iter().any(|(q, _)| q == p) {
                return bad(format!("`{}` given twice", p.display()));
            }
            files.push((p.clone(), f));
        }
        Ok(GridOutputs {
            files,
            all_cells,
            force,
        })
    }

    /// The files and their formats.
    pub fn files(&self) -> &[(PathBuf, Format)] {
        &self.files
    }

    /// Output safety before any work: no output is, or resolves to, one of `inputs`; an
    /// existing output is a writable regular file.
    pub fn check_inputs(&self, inputs: &[PathBuf]) -> Result<()> {
        for (p, _) in &self.files {
            safe::check_output_file(p, inputs)?;
        }
        Ok(())
    }

    /// Refuses, before the work, an output that would be larger than
    /// [`crate::model::limits::MAX_OUTPUT_BYTES`]: `cells` is how many cells a file may hold at
    /// most (the study area's, or fewer when the verb knows most are empty) and `columns`
    /// the values per cell. Bytes per cell are generous averages of what each format
    /// writes (a GeoJSON polygon of 5 lon/lat pairs and its properties, a CSV row, a WKB
    /// polygon and doubles in Parquet, 4-byte
    /// raster values, ASCII grid text).
    pub fn check_size(&self, cells: usize, columns: usize) -> Result<()> {
        use crate::model::limits::MAX_OUTPUT_BYTES;
        for (p, f) in &self.files {
            let per_cell = match f {
                Format::GeoJson => 200 + 24 * columns,
                Format::Csv => 16 + 20 * columns,
                Format::Tiff => 4 * columns,
                Format::Asc => 12 * columns,
                Format::Parquet => 110 + 8 * columns,
            } as f64;
            let bytes = per_cell * cells as f64;
            if bytes > MAX_OUTPUT_BYTES as f64 {
                return Err(Error::param(
                    crate::Param::CellSize,
                    format!(
                        "`{}` would hold up to {cells} cells, about {:.1} GB, more than the {:.0} GB harmspot writes: use a larger ‹cell_size› (each doubling quarters it), limit the area with ‹extent› or ‹boundary›, or write a .tif",
                        p.display(),
                        bytes / 1e9,
                        MAX_OUTPUT_BYTES as f64 / 1e9
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The manifest's path: `FIRST.manifest.json`.
    pub fn manifest_path(&self) -> Option<PathBuf> {
        let mut name = self.files.first()?.0.as_os_str().to_owned();
        name.push(".manifest.json");
        Some(PathBuf::from(name))
    }

    /// Every file [`GridOutputs::write`] makes for `layer`: the outputs, their companions
    /// (per-column grids, `.prj`) and the manifest.
    pub fn planned(&self, layer: &Layer, projector: &Projector) -> Vec<PathBuf> {
        let mut all = Vec::new();
        for (path, format) in &self.files {
            if *format == Format::Asc {
                for p in raster::ascii_grid_paths(path, layer) {
                    if projector.working.wkt_esri().is_some() {
                        all.push(p.with_extension("prj"));
                    }
                    all.push(p);
                }
            } else {
                all.push(path.clone());
            }
        }
        if layer.run.as_ref().is_some_and(|r| r.manifest.is_some()) {
            all.extend(self.manifest_path());
        }
        all
    }

    /// Writes `layer` to every output, then the run's manifest (stamped `started`).
    /// `empty_as_nodata` makes all-zero cells NoData in rasters (kernel surfaces); `rules`
    /// are the disclosure rules the run was asked for: active rules on a layer that was not
    /// [`protect`]ed are refused rather than published unprotected.
    pub fn write(
        &self,
        layer: &Layer,
        projector: &Projector,
        empty_as_nodata: bool,
        rules: &Disclosure,
        started: std::time::SystemTime,
    ) -> Result<Vec<Written>> {
        if rules.active() && layer.disclosure.is_none() {
            return Err(Error::param(
                Param::MinCount,
                "this verb's values are not protected yet; run without ‹min_count› and ‹partner›",
            ));
        }
        // nothing is written until every file the run makes is known to be safe to write
        let planned = self.planned(layer, projector);
        if let Some((first, _)) = self.files.first() {
            for p in planned
                .iter()
                .filter(|p| !self.files.iter().any(|(q, _)| q == *p))
            {
                safe::check_companion(p, first, self.force)?;
            }
        }
        let mut done = Vec::new();
        for (path, format) in &self.files {
            self.write_one(layer, projector, empty_as_nodata, path, *format, &mut done)?;
        }
        let manifest = self.manifest_path();
        let written: Vec<PathBuf> = planned
            .into_iter()
            .filter(|p| Some(p) != manifest.as_ref())
            .collect();
        if let Some(path) = self.write_manifest(layer, &written, started)? {
            done.push(Written::Manifest { path });
        }
        Ok(done)
    }

    fn write_one(
        &self,
        layer: &Layer,
        projector: &Projector,
        empty_as_nodata: bool,
        path: &Path,
        format: Format,
        done: &mut Vec<Written>,
    ) -> Result<()> {
        let path_buf = path.to_path_buf();
        match format {
            Format::GeoJson => {
                let n = cells::write_geojson(path, layer, &projector.inverse, self.all_cells)?;
                done.push(Written::Cells {
                    path: path_buf,
                    cells: n,
                });
            }
            Format::Parquet => {
                let n = crate::publish::write::parquet_grid::write_grid_geoparquet(
                    path,
                    layer,
                    &projector.inverse,
                    self.all_cells,
                )?;
                done.push(Written::Cells {
                    path: path_buf,
                    cells: n,
                });
            }
            Format::Csv => {
                let n = cells::write_csv(path, layer)?;
                done.push(Written::Cells {
                    path: path_buf,
                    cells: n,
                });
            }
            Format::Tiff => {
                raster::write_geotiff(path, layer, projector.working.code(), empty_as_nodata)?;
                done.push(Written::Raster {
                    path: path_buf,
                    size: [layer.grid.spec.nx, layer.grid.spec.ny],
                    bands: layer.columns.iter().map(|c| c.0.clone()).collect(),
                });
            }
            Format::Asc => {
                let paths = raster::write_ascii_grids(path, layer, empty_as_nodata)?;
                // the grid format has no CRS: a .prj sidecar (ESRI WKT) gives it
                if let Some(wkt) = projector.working.wkt_esri() {
                    for p in &paths {
                        crate::publish::write::write_atomic(&p.with_extension("prj"), |w| {
                            w.write_all(wkt.as_bytes())
                        })?;
                    }
                }
                for (p, (name, _)) in paths.iter().zip(&layer.columns) {
                    done.push(Written::Column {
                        path: p.clone(),
                        name: name.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// Writes the run's manifest (with its start time and the outputs) beside the first
    /// output, as `FILE.manifest.json`; returns its path, or `None` without a manifest.
    fn write_manifest(
        &self,
        layer: &Layer,
        written: &[PathBuf],
        started: std::time::SystemTime,
    ) -> Result<Option<PathBuf>> {
        let (Some(path), Some(man)) = (
            self.manifest_path(),
            layer.run.as_ref().and_then(|r| r.manifest.as_ref()),
        ) else {
            return Ok(None);
        };
        let mut m = man.to_json_with_time(started);
        m["outputs"] = written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .into();
        crate::publish::write::write_json(&path, &m)?;
        Ok(Some(path))
    }
}

/// Applies disclosure `rules` to `layer`, each column against the support its analysis
/// declared (resolved over `incidents`), and records what was done on it
/// ([`Layer::disclosure`]). Inactive rules leave the layer as it is.
///
/// ```
/// use harmspot::{disclosure::{Disclosure, Support}, grid::{Grid, Shape}, publish::grid::protect, Incidents, Layer};
/// let mut l = Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 199.0, 99.0]).unwrap());
/// l.set("n", vec![2.0, 7.0], Support::Count);
/// let rules = Disclosure { min_count: 5, ..Disclosure::off() };
/// let report = protect(&mut l, &rules, &Incidents::default());
/// assert!(l.get("n").unwrap()[0].is_nan());
/// assert_eq!(l.get("n").unwrap()[1], 7.0);
/// assert_eq!(report.suppressed_values, 1);
/// assert!(l.disclosure.is_some());
/// ```
pub fn protect(layer: &mut Layer, rules: &Disclosure, incidents: &Incidents) -> DisclosureReport {
    if !rules.active() {
        return DisclosureReport::default();
    }
    let report = rules.apply_layer(layer, incidents);
    layer.disclosure = Some(Applied {
        report: report.clone(),
        coordinate_decimals: rules.precision,
    });
    report
}
