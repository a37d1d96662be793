//! Reading incident extracts: police.uk street-level CSV, CSV with named columns, GeoJSON
//! Points and GeoParquet (METHODS §1).
//!
//! Files are streamed record by record; several files (a police.uk download has one per
//! month) are parsed in parallel and merged in the order given, so the result does not depend
//! on the thread count. Rows that cannot be used are skipped and counted by reason in a
//! [`ReadSummary`]; a file that is not what it claims is an [`Error::Format`].

pub mod areas;
mod batch;
mod blocks;
mod csv;
mod geojson;
pub mod geojson_stream;
mod inputs;
mod keep;
mod lineends;
mod locations;
mod merge;
mod parquet;
mod record;

pub use inputs::expand_inputs;
pub use locations::compress_locations;

use crate::error::{Error, Result};
use crate::model::harm::HarmTable;
use crate::model::incident::{Incidents, ReadSummary, ASB};
use crate::model::month::MonthRange;
use crate::model::progress::{CountingReader, Digest, Progress, Silent};
use crate::model::records::Records;
use crate::space::crs::{Crs, Projector, Transform};
use batch::Batch;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where coordinates are, in a CSV with named columns.
#[derive(Clone, Debug)]
pub enum CoordColumns {
    /// WGS84 longitude and latitude columns.
    LonLat {
        /// Longitude column name.
        lon: String,
        /// Latitude column name.
        lat: String,
    },
    /// Projected x and y columns in `crs`.
    Projected {
        /// Easting column name.
        x: String,
        /// Northing column name.
        y: String,
        /// The CRS the columns are in.
        crs: Crs,
    },
}

/// Column (or GeoJSON property) names. `coords: None` means the police.uk layout.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Coordinate columns; `None` for police.uk files (`Longitude`, `Latitude`).
    pub coords: Option<CoordColumns>,
    /// Month column (`Month` by default when present).
    pub month: Option<String>,
    /// Crime type column (`Crime type` by default when present).
    pub crime_type: Option<String>,
    /// A per-row harm weight column; overrides the harm table.
    pub weight: Option<String>,
    /// An incident id column (`Crime ID` for police.uk). A row that repeats an earlier row
    /// with the same non-empty id in every field is skipped; see [`ReadOptions::unique_ids`].
    pub id: Option<String>,
    /// A place-name column (`Location` for police.uk, e.g. "On or near Northumberland Street").
    pub location: Option<String>,
    /// A small-area name column (`LSOA name` for police.uk, e.g. "Newcastle upon Tyne 025C").
    pub lsoa: Option<String>,
}

/// Crime-type filter shared by every verb: `--types` and `--exclude-types`.
///
/// Names are police.uk crime types (case-insensitive), or the shorthands `crime` (every type
/// but anti-social behaviour) and `asb`.
///
/// ```
/// use harmspot::TypeFilter;
/// let f = TypeFilter::parse(Some("crime"), Some("Drugs")).unwrap();
/// assert!(f.accepts("Burglary"));
/// assert!(!f.accepts("Drugs"));
/// assert!(!f.accepts("Anti-social behaviour"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct TypeFilter {
    include: Option<Vec<String>>,
    exclude: Vec<String>,
}

fn split_names(s: &str) -> Vec<String> {
    s.split(',')
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn token_matches(token: &str, name: &str) -> bool {
    match token {
        "crime" => !name.eq_ignore_ascii_case(ASB),
        "asb" => name.eq_ignore_ascii_case(ASB),
        t => name.trim().to_lowercase() == t,
    }
}

impl TypeFilter {
    /// From the `--types` and `--exclude-types` values (comma-separated).
    pub fn parse(types: Option<&str>, exclude: Option<&str>) -> Result<TypeFilter> {
        let include = types.map(split_names);
        if include.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::param(crate::Param::Types, "names no crime type"));
        }
        Ok(TypeFilter {
            include,
            exclude: exclude.map(split_names).unwrap_or_default(),
        })
    }

    /// Whether a crime type passes the filter.
    pub fn accepts(&self, name: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|inc| inc.iter().any(|t| token_matches(t, name)))
            && !self.exclude.iter().any(|t| token_matches(t, name))
    }

    /// Names given in the filter that match none of `seen` (likely typos), for a warning.
    pub fn unmatched(&self, seen: &[String]) -> Vec<String> {
        let all = self.include.iter().flatten().chain(&self.exclude);
        all.filter(|t| !matches!(t.as_str(), "crime" | "asb"))
            .filter(|t| !seen.iter().any(|s| token_matches(t, s)))
            .cloned()
            .collect()
    }
}

/// Everything that decides which rows are read and how.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Column names; default is the police.uk layout.
    pub columns: Columns,
    /// CSV delimiter (default `,`).
    pub delimiter: u8,
    /// Crime-type filter.
    pub types: TypeFilter,
    /// Month filter (`--from`/`--to`).
    pub months: Option<MonthRange>,
    /// Harm weights by crime type.
    pub harm: HarmTable,
    /// Keep only the first row of each non-empty incident id. By default a row is skipped
    /// only when it repeats an earlier row with the same id in every field; rows whose id
    /// repeats with other fields are kept and counted (police.uk publishes each row as a
    /// record, and counts rows).
    pub unique_ids: bool,
    /// Also keep each kept row's other police.uk fields and its coordinates as read
    /// ([`read_records`]; `harmspot convert`).
    pub keep_records: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            columns: Columns::default(),
            delimiter: b',',
            types: TypeFilter::default(),
            months: None,
            harm: HarmTable::default_table(),
            unique_ids: false,
            keep_records: false,
        }
    }
}

/// Streams a file for reading, `-` meaning standard input.
fn open(path: &Path) -> Result<Box<dyn Read + Send>> {
    if path == Path::new("-") {
        return Ok(Box::new(std::io::stdin()));
    }
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    Ok(Box::new(f))
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
}

/// Whether a file is Parquet: by its extension, or by the `PAR1` magic it starts with.
fn is_parquet(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str());
    if ext
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("geoparquet"))
    {
        return true;
    }
    let mut magic = [0u8; 4];
    path != Path::new("-")
        && std::fs::File::open(path).is_ok_and(|mut f| f.read_exact(&mut magic).is_ok())
        && &magic == b"PAR1"
}

/// The row groups of Parquet files, read in parallel, in input order.
fn parquet_batches(
    files: &[Indexed],
    opts: &ReadOptions,
    progress: &dyn Progress,
    label: &(dyn Fn(usize) -> String + Sync),
) -> Result<Vec<Batch>> {
    let read: Vec<Result<Vec<Batch>>> = files
        .par_iter()
        .map(|(i, f)| parquet::read(f, *i, label(*i), opts, progress))
        .collect();
    read.into_iter().try_fold(Vec::new(), |mut all, r| {
        all.extend(r?);
        Ok(all)
    })
}

/// An input file with its place in the expanded list.
type Indexed = (usize, PathBuf);

/// A block parsed (with its sequence number in its file), or another message passed on.
enum Parsed {
    Batch(usize, Box<Batch>),
    Other(blocks::Msg),
}

/// Reads incident extracts into the working CRS.
///
/// Parameters: `inputs` files, folders (every `*-street.csv` below) or `-` for stdin;
/// `opts` columns, filters and harm table; `projector` the working CRS.
///
/// Returns the kept incidents and a summary of every row read.
///
/// ```
/// use harmspot::{read_incidents, Projector, ReadOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let f = dir.path().join("2021-03-x-street.csv");
/// std::fs::write(&f, "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n\
///   ,2021-03,P,P,-1.61,54.97,On or near X,E1,N,Anti-social behaviour,,\n\
///   ,2021-03,P,P,,,No location,,,Anti-social behaviour,,\n").unwrap();
/// let p = Projector::new("EPSG:27700").unwrap();
/// let (inc, summary) = read_incidents(&[f], &ReadOptions::default(), &p).unwrap();
/// assert_eq!((inc.len(), summary.rows, summary.skipped_total()), (1, 2, 1));
/// assert_eq!(inc.location_name(0), Some("On or near X"));
/// ```
pub fn read_incidents(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    projector: &Projector,
) -> Result<(Incidents, ReadSummary)> {
    read_incidents_with(inputs, opts, projector, &Silent)
}

/// [`read_incidents`], reporting bytes read to `progress`.
pub fn read_incidents_with(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    projector: &Projector,
    progress: &dyn Progress,
) -> Result<(Incidents, ReadSummary)> {
    let (inc, summary, _) = read_all(inputs, opts, projector, progress)?;
    Ok((inc, summary))
}

/// [`read_incidents_with`], also returning every police.uk field of the kept incidents and
/// their coordinates as read ([`ReadOptions::keep_records`]), for writing them elsewhere.
///
/// ```
/// use harmspot::{read::read_records, Projector, ReadOptions};
/// let dir = tempfile::tempdir().unwrap();
/// let f = dir.path().join("2021-03-x-street.csv");
/// std::fs::write(&f, "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n\
///   c1,2021-03,P,P,-1.61,54.97,On or near X,E1,N,Burglary,Under investigation,\n").unwrap();
/// let p = Projector::new("EPSG:27700").unwrap();
/// let (inc, _, rec) = read_records(&[f], &ReadOptions::default(), &p, &harmspot::progress::Silent).unwrap();
/// assert_eq!((inc.len(), rec.len()), (1, 1));
/// assert_eq!((rec.crime_id.get(0), rec.more[3].get(0)), (&b"c1"[..], &b"Under investigation"[..]));
/// assert_eq!(rec.source_xy[0], [-1.61, 54.97]);
/// ```
pub fn read_records(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    projector: &Projector,
    progress: &dyn Progress,
) -> Result<(Incidents, ReadSummary, Records)> {
    let opts = ReadOptions {
        keep_records: true,
        ..opts.clone()
    };
    let (inc, summary, rec) = read_all(inputs, &opts, projector, progress)?;
    Ok((inc, summary, rec.unwrap_or_default()))
}

fn read_all(
    inputs: &[PathBuf],
    opts: &ReadOptions,
    projector: &Projector,
    progress: &dyn Progress,
) -> Result<(Incidents, ReadSummary, Option<Records>)> {
    let files = expand_inputs(inputs)?;
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    progress.begin("reading", total);
    // Projected sources go straight to the working CRS (no round trip through WGS84, so a
    // source already in the working CRS is unchanged).
    let (source, to_working) = match &opts.columns.coords {
        Some(CoordColumns::Projected { crs, .. }) => {
            (Some(crs), Transform::new(crs, &projector.working)?)
        }
        _ => (None, projector.forward.clone()),
    };
    let label = |i: usize| files[i].display().to_string();
    let project = |mut b: Batch| {
        b.project(&to_working, source, &projector.working);
        b
    };
    let (pq_files, files_left): (Vec<Indexed>, Vec<Indexed>) = files
        .iter()
        .cloned()
        .enumerate()
        .partition(|(_, f)| is_parquet(f));
    let (csv_files, json_files): (Vec<Indexed>, Vec<Indexed>) =
        files_left.into_iter().partition(|(_, f)| !is_geojson(f));
    let mut batches: Vec<Batch> = json_files
        .par_iter()
        .map(|(i, f)| {
            let digest = Digest::default();
            let reader: Box<dyn Read + Send + '_> =
                Box::new(CountingReader::new(open(f)?, progress, &digest));
            let mut batch = geojson::read(reader, f, label(*i), opts)?;
            batch.file = *i;
            let (bytes, sha256) = digest.finish();
            if let Some(fs) = batch.summary.files.first_mut() {
                fs.bytes = bytes;
                fs.sha256 = sha256;
            }
            Ok(project(batch))
        })
        .collect::<Result<_>>()?;
    batches.extend(
        parquet_batches(&pq_files, opts, progress, &label)?
            .into_iter()
            .map(project),
    );
    let mut done = Vec::new();
    if !csv_files.is_empty() {
        let (tx, rx) = std::sync::mpsc::sync_channel(2 * rayon::current_num_threads() + 1);
        let outs: Vec<Result<Parsed>> = std::thread::scope(|s| {
            s.spawn(|| blocks::read_files(&csv_files, opts, progress, tx));
            rx.into_iter()
                .par_bridge()
                .map(|msg| match msg? {
                    blocks::Msg::Block(b) => {
                        let batch = blocks::parse_block(&b, label(b.file), opts);
                        Ok(Parsed::Batch(b.seq, Box::new(project(batch))))
                    }
                    m => Ok(Parsed::Other(m)),
                })
                .collect()
        });
        let mut parsed = Vec::new();
        for out in outs {
            match out? {
                Parsed::Batch(seq, b) => parsed.push((seq, *b)),
                Parsed::Other(m) => done.push(m),
            }
        }
        parsed.sort_by_key(|(seq, b)| (b.file, *seq));
        batches.extend(parsed.into_iter().map(|(_, b)| b));
    }
    batches.sort_by_key(|b| b.file);
    progress.end();
    let file_info = done
        .into_iter()
        .filter_map(|m| match m {
            blocks::Msg::FileDone {
                file,
                format,
                bytes,
                sha256,
            } => Some((file, format, bytes, sha256)),
            blocks::Msg::Block(_) => None,
        })
        .collect();
    let records = opts
        .keep_records
        .then(|| keep::collect(&mut batches, opts.unique_ids));
    let (inc, summary) = merge::merge(batches, &files, file_info, source.is_some(), opts)?;
    Ok((inc, summary, records))
}
