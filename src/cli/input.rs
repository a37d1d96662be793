//! Input flags shared by every analysis verb: files, columns, CRS, filters, harm table.

use anyhow::{Context, Result};
use clap::Args;
use harmspot::{
    read_incidents_with, Columns, CoordColumns, Crs, HarmTable, Incidents, MonthRange, Projector,
    ReadOptions, ReadSummary, TypeFilter,
};
use std::path::PathBuf;

/// Where incidents come from and which to keep.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Extract files (police.uk `*-street.csv`, CSV with named columns, GeoJSON points),
    /// folders (every `*-street.csv` below), or `-` for standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Longitude column of your own CSV (WGS84 degrees); with --lat-col.
    #[arg(long, help_heading = "Columns", requires = "lat_col", conflicts_with_all = ["x_col", "y_col"])]
    pub lon_col: Option<String>,
    /// Latitude column of your own CSV (WGS84 degrees); with --lon-col.
    #[arg(long, help_heading = "Columns", requires = "lon_col")]
    pub lat_col: Option<String>,
    /// Easting column of your own CSV, in --crs; with --y-col.
    #[arg(long, help_heading = "Columns", requires_all = ["y_col", "crs"])]
    pub x_col: Option<String>,
    /// Northing column of your own CSV, in --crs; with --x-col.
    #[arg(long, help_heading = "Columns", requires = "x_col")]
    pub y_col: Option<String>,
    /// CRS of --x-col/--y-col, as EPSG:NNNN (e.g. EPSG:27700).
    #[arg(long, help_heading = "Columns")]
    pub crs: Option<String>,
    /// Month column (YYYY-MM or YYYY-MM-DD) [default: `Month` when present].
    #[arg(long, help_heading = "Columns")]
    pub month_col: Option<String>,
    /// Crime type column [default: `Crime type` when present].
    #[arg(long, help_heading = "Columns")]
    pub type_col: Option<String>,
    /// Per-row harm weight column; replaces the harm table's weights.
    #[arg(long, help_heading = "Columns")]
    pub weight_col: Option<String>,
    /// Incident id column [default: `Crime ID` when present]. A row repeating an earlier
    /// row with the same id in every field is skipped; other repeats are kept and counted.
    #[arg(long, help_heading = "Columns")]
    pub id_col: Option<String>,
    /// Keep only the first row of each incident id (see --id-col).
    #[arg(long, help_heading = "Columns")]
    pub unique_ids: bool,
    /// Place-name column, reported per hotspot [default: `Location` when present].
    #[arg(long, help_heading = "Columns")]
    pub location_col: Option<String>,
    /// Small-area name column, reported per hotspot [default: `LSOA name` when present].
    #[arg(long, help_heading = "Columns")]
    pub lsoa_col: Option<String>,
    /// CSV field delimiter.
    #[arg(long, default_value = ",", help_heading = "Columns")]
    pub delimiter: char,

    /// Keep only these crime types (comma-separated police.uk names; `crime` = every type
    /// but anti-social behaviour, `asb` = anti-social behaviour).
    #[arg(long, help_heading = "Filters")]
    pub types: Option<String>,
    /// Leave out these crime types (same names and shorthands as --types).
    #[arg(long, help_heading = "Filters")]
    pub exclude_types: Option<String>,
    /// First month to keep, YYYY-MM.
    #[arg(long, help_heading = "Filters")]
    pub from: Option<String>,
    /// Last month to keep, YYYY-MM.
    #[arg(long, help_heading = "Filters")]
    pub to: Option<String>,

    /// Harm weights: `default` (shipped table, see data/HARM.md), `none` (every incident
    /// weighs 1) or a CSV file `crime_type,weight,source,version`.
    #[arg(long, default_value = "default", help_heading = "Harm and CRS")]
    pub harm: String,
    /// Working CRS: a projected CRS in metres, EPSG:NNNN.
    #[arg(long, default_value = "EPSG:27700", help_heading = "Harm and CRS")]
    pub working_crs: String,
}

/// Incidents as read, with the summary and the projector used.
pub struct Loaded {
    /// Kept incidents, working CRS.
    pub incidents: Incidents,
    /// What reading did.
    pub summary: ReadSummary,
    /// The working CRS and its transformations.
    pub projector: Projector,
    /// The harm table used.
    pub harm: HarmTable,
}

fn month(flag: &str, v: &Option<String>) -> Result<Option<harmspot::Month>> {
    v.as_deref()
        .map(|s| {
            harmspot::Month::parse(s)
                .with_context(|| format!("{flag}: `{s}` is not a month YYYY-MM"))
        })
        .transpose()
}

impl InputArgs {
    /// Validates the flags into read options.
    pub fn options(&self) -> Result<ReadOptions> {
        let coords = match (&self.lon_col, &self.lat_col, &self.x_col, &self.y_col) {
            (Some(lon), Some(lat), _, _) => Some(CoordColumns::LonLat {
                lon: lon.clone(),
                lat: lat.clone(),
            }),
            (_, _, Some(x), Some(y)) => {
                let crs = self
                    .crs
                    .as_deref()
                    .context("--x-col/--y-col need --crs EPSG:NNNN")?;
                Some(CoordColumns::Projected {
                    x: x.clone(),
                    y: y.clone(),
                    crs: Crs::parse(crs)?,
                })
            }
            _ => None,
        };
        let months = match (month("--from", &self.from)?, month("--to", &self.to)?) {
            (None, None) => None,
            (f, t) => {
                let f = f.unwrap_or(harmspot::Month::new(1, 1).expect("valid"));
                let t = t.unwrap_or(harmspot::Month::new(9999, 12).expect("valid"));
                Some(MonthRange::new(f, t).context("--from is after --to")?)
            }
        };
        if !self.delimiter.is_ascii() {
            anyhow::bail!("--delimiter must be a single ASCII character");
        }
        Ok(ReadOptions {
            columns: Columns {
                coords,
                month: self.month_col.clone(),
                crime_type: self.type_col.clone(),
                weight: self.weight_col.clone(),
                id: self.id_col.clone(),
                location: self.location_col.clone(),
                lsoa: self.lsoa_col.clone(),
            },
            delimiter: self.delimiter as u8,
            types: TypeFilter::parse(self.types.as_deref(), self.exclude_types.as_deref())?,
            months,
            harm: HarmTable::from_arg(&self.harm)?,
            unique_ids: self.unique_ids,
            keep_records: false,
        })
    }

    /// Every file this run reads (extracts found in folders included, and a harm table
    /// file), for the output-safety checks made before any work.
    pub fn safety_inputs(&self) -> Vec<PathBuf> {
        let mut v =
            harmspot::read::expand_inputs(&self.inputs).unwrap_or_else(|_| self.inputs.clone());
        if !matches!(self.harm.as_str(), "default" | "none") {
            v.push(PathBuf::from(&self.harm));
        }
        v
    }

    /// Reads the inputs, with a progress bar on a terminal unless quiet, printing nothing.
    pub fn read(&self, quiet: bool) -> Result<Loaded> {
        let opts = self.options()?;
        let projector = Projector::new(&self.working_crs)?;
        let bar = super::progress::Bar::new(quiet);
        let (incidents, mut summary) = read_incidents_with(&self.inputs, &opts, &projector, &bar)?;
        // warnings travel to stderr, info's JSON and the outputs' manifests: in flags
        for w in &mut summary.warnings {
            *w = super::flags::render(w);
        }
        Ok(Loaded {
            incidents,
            summary,
            projector,
            harm: opts.harm,
        })
    }

    /// Reads the inputs, printing a one-line summary (and warnings) to stderr unless quiet.
    pub fn load(&self, quiet: bool) -> Result<Loaded> {
        let loaded = self.read(quiet)?;
        print_summary(&loaded.summary, quiet);
        Ok(loaded)
    }

    /// Like [`InputArgs::load`], but an empty selection is an error naming the filters.
    pub fn load_nonempty(&self, quiet: bool) -> Result<Loaded> {
        let l = self.load(quiet)?;
        if l.incidents.is_empty() {
            anyhow::bail!(
                "no incidents left to analyse ({} rows read, {} skipped, {} left out by --types/--exclude-types/--from/--to)",
                l.summary.rows,
                l.summary.skipped_total(),
                l.summary.filtered.values().sum::<u64>()
            );
        }
        Ok(l)
    }
}

/// Prints the one-line read summary, skips by reason and warnings to stderr unless quiet.
pub fn print_summary(summary: &ReadSummary, quiet: bool) {
    if !quiet {
        let filtered: u64 = summary.filtered.values().sum();
        eprintln!(
            "read {} rows from {} file(s): {} kept, {} skipped, {} left out by filters",
            summary.rows,
            summary.files.len(),
            summary.kept,
            summary.skipped_total(),
            filtered
        );
        for (reason, c) in &summary.skipped {
            eprintln!(
                "  skipped {:>9}  {} (e.g. {})",
                c.count,
                reason.describe(),
                harmspot::read::compress_locations(&c.examples, c.count > c.examples.len() as u64)
            );
        }
        for w in &summary.warnings {
            eprintln!("warning: {w}");
        }
    }
}
