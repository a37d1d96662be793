//! Reading incident extracts: police.uk street-level CSV, CSV with named columns, and GeoJSON
//! Points (METHODS §1).
//!
//! Files are streamed record by record; several files (a police.uk download has one per
//! month) are parsed in parallel and merged in the order given, so the result does not depend
//! on the thread count. Rows that cannot be used are skipped and counted by reason in a
//! [`ReadSummary`]; a file that is not what it claims is an [`Error::Format`].

pub mod areas;
mod csv;
mod geojson;

use crate::crs::{Crs, Projector, Transform, WGS84};
use crate::error::{Error, Result};
use crate::harm::HarmTable;
use crate::incident::{FilterReason, Incidents, ReadSummary, SkipReason, ASB};
use crate::month::{Month, MonthRange};
use crate::progress::{CountingReader, Digest, Progress, Silent};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
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
    /// An incident id column (`Crime ID` for police.uk); repeated non-empty ids are skipped.
    pub id: Option<String>,
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
            return Err(Error::param("--types", "names no crime type"));
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
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            columns: Columns::default(),
            delimiter: b',',
            types: TypeFilter::default(),
            months: None,
            harm: HarmTable::default_table(),
        }
    }
}

/// Rows parsed from one file, coordinates still in the source CRS.
#[derive(Default)]
struct Batch {
    pts: Vec<[f64; 2]>,
    month: Vec<Month>,
    kind: Vec<u16>,
    harm: Vec<f64>,
    id: Vec<Option<u64>>,
    line: Vec<u64>,
    types: Vec<String>,
    summary: ReadSummary,
    /// `file:` prefix and unit (`line` or `feature`) for example locations.
    label: String,
    unit: &'static str,
}

impl Batch {
    fn location(&self, line: u64) -> String {
        format!("{}:{} {line}", self.label, self.unit)
    }
}

/// Per-file cache of crime types: name bytes → (local id, passes filter, harm weight).
#[derive(Default)]
struct TypeCache {
    seen: Vec<(Vec<u8>, u16, bool, Option<f64>)>,
    last: usize,
}

impl TypeCache {
    fn lookup(
        &mut self,
        name: &[u8],
        batch: &mut Batch,
        opts: &ReadOptions,
    ) -> (u16, bool, Option<f64>) {
        if let Some(e) = self.seen.get(self.last).filter(|e| e.0 == name) {
            return (e.1, e.2, e.3);
        }
        if let Some(i) = self.seen.iter().position(|e| e.0 == name) {
            self.last = i;
            let e = &self.seen[i];
            return (e.1, e.2, e.3);
        }
        let text = String::from_utf8_lossy(name).trim().to_string();
        let id = batch.types.len() as u16;
        let pass = opts.types.accepts(&text);
        let weight = if opts.harm.is_unweighted() {
            Some(1.0)
        } else {
            opts.harm.weight(&text)
        };
        batch.types.push(text);
        self.seen.push((name.to_vec(), id, pass, weight));
        self.last = self.seen.len() - 1;
        (id, pass, weight)
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

/// Expands the inputs: a folder becomes every `*-street.csv` below it (sorted), `-` is
/// standard input, anything else is a file.
///
/// A police.uk download unpacks to one folder per month; pass the top folder.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            if found.is_empty() {
                return Err(Error::format(
                    p,
                    "folder holds no police.uk `*-street.csv` file",
                ));
            }
            found.sort();
            out.extend(found);
        } else if p == Path::new("-") || p.exists() {
            out.push(p.clone());
        } else {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    if out.is_empty() {
        return Err(Error::param(
            "INPUT",
            "give at least one file, folder or `-`",
        ));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().ends_with("-street.csv"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn is_geojson(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"))
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
    let files = expand_inputs(inputs)?;
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    progress.begin("reading", total);
    // Projected sources: to lon/lat for the area check, and straight to the working CRS
    // (no round trip through WGS84, so a source already in the working CRS is unchanged).
    let projected_source = match &opts.columns.coords {
        Some(CoordColumns::Projected { crs, .. }) => Some((
            Transform::new(crs, &Crs::epsg(WGS84)?)?,
            Transform::new(crs, &projector.working)?,
        )),
        _ => None,
    };
    let mut batches: Vec<Batch> = files
        .par_iter()
        .map(|f| {
            let digest = Digest::default();
            let reader: Box<dyn Read + Send + '_> =
                Box::new(CountingReader::new(open(f)?, progress, &digest));
            let label = f.display().to_string();
            let mut batch = if is_geojson(f) {
                geojson::read(reader, f, label, opts)
            } else {
                csv::read(reader, f, label, opts)
            }?;
            let (bytes, sha256) = digest.finish();
            if let Some(fs) = batch.summary.files.first_mut() {
                fs.bytes = bytes;
                fs.sha256 = sha256;
            }
            Ok(batch)
        })
        .collect::<Result<_>>()?;
    for b in &mut batches {
        match &projected_source {
            None => {
                let lonlat = b.pts.clone();
                check_area(b, &lonlat, projector);
                project_distinct(&mut b.pts, &projector.forward);
            }
            Some((to_wgs, to_working)) => {
                let mut lonlat = b.pts.clone();
                project_distinct(&mut lonlat, to_wgs);
                check_area(b, &lonlat, projector);
                project_distinct(&mut b.pts, to_working);
            }
        }
        drop_unprojected(b);
    }
    progress.end();
    Ok(merge(batches, opts))
}

/// Skips points outside the working CRS's area of use (checked in lon/lat, half a degree of
/// margin) and points a source transformation could not handle.
fn check_area(b: &mut Batch, lonlat: &[[f64; 2]], projector: &Projector) {
    let keep: Vec<bool> = lonlat
        .iter()
        .map(|p| !p[0].is_nan() && projector.in_area(p[0], p[1], 0.5))
        .collect();
    retain(b, &keep, |b, i| {
        let reason = if lonlat[i][0].is_nan() {
            SkipReason::ProjectionFailed
        } else {
            SkipReason::OutsideCrsArea
        };
        let loc = b.location(b.line[i]);
        b.summary.skip(reason, || loc);
    });
}

fn drop_unprojected(b: &mut Batch) {
    let keep: Vec<bool> = b.pts.iter().map(|p| !p[0].is_nan()).collect();
    retain(b, &keep, |b, i| {
        let loc = b.location(b.line[i]);
        b.summary.skip(SkipReason::ProjectionFailed, || loc);
    });
}

/// Keeps rows where `keep` is true, calling `on_drop` (in row order) for the others.
fn retain(b: &mut Batch, keep: &[bool], mut on_drop: impl FnMut(&mut Batch, usize)) {
    if keep.iter().all(|k| *k) {
        return;
    }
    for (i, k) in keep.iter().enumerate() {
        if !k {
            on_drop(b, i);
        }
    }
    fn filt<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
        let mut i = 0;
        v.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
    filt(&mut b.pts, keep);
    filt(&mut b.month, keep);
    filt(&mut b.kind, keep);
    filt(&mut b.harm, keep);
    filt(&mut b.id, keep);
    filt(&mut b.line, keep);
}

/// Joins batches in input order: global sorted type table, duplicate ids, summary.
fn merge(batches: Vec<Batch>, opts: &ReadOptions) -> (Incidents, ReadSummary) {
    // the types of kept rows, sorted: mark each batch's local ids in use, then name them
    let mut names = std::collections::BTreeSet::new();
    for b in &batches {
        let mut used = vec![false; b.types.len()];
        for &k in &b.kind {
            used[k as usize] = true;
        }
        names.extend(
            b.types
                .iter()
                .zip(used)
                .filter(|(_, u)| *u)
                .map(|(t, _)| t.clone()),
        );
    }
    let types: Vec<String> = names.into_iter().collect();
    let mut inc = Incidents {
        types,
        ..Default::default()
    };
    let total: usize = batches.iter().map(|b| b.pts.len()).sum();
    inc.xy.reserve(total);
    inc.month.reserve(total);
    inc.kind.reserve(total);
    inc.harm.reserve(total);
    let mut summary = ReadSummary::default();
    let mut seen_ids: HashSet<u64, FastHash> = HashSet::with_capacity_and_hasher(total, FastHash);
    let mut all_seen_types: Vec<String> = Vec::new();
    for mut b in batches {
        let remap: Vec<u16> = b
            .types
            .iter()
            .map(|t| inc.types.binary_search(t).map_or(u16::MAX, |i| i as u16))
            .collect();
        for t in &b.types {
            if !all_seen_types.contains(t) {
                all_seen_types.push(t.clone());
            }
        }
        let mut kept = 0;
        for i in 0..b.pts.len() {
            if let Some(h) = b.id[i] {
                if !seen_ids.insert(h) {
                    let loc = b.location(b.line[i]);
                    b.summary.skip(SkipReason::DuplicateId, || loc);
                    continue;
                }
            }
            inc.xy.push(b.pts[i]);
            inc.month.push(b.month[i]);
            inc.kind.push(remap[b.kind[i] as usize]);
            inc.harm.push(b.harm[i]);
            kept += 1;
        }
        b.summary.kept = kept;
        if let Some(f) = b.summary.files.first_mut() {
            f.kept = kept;
        }
        summary.absorb(b.summary);
    }
    for name in opts.types.unmatched(&all_seen_types) {
        summary.warnings.push(format!(
            "crime type `{name}` in --types/--exclude-types matches no row"
        ));
    }
    if let Some(n) = summary.skipped.get(&SkipReason::UnknownType) {
        summary.warnings.push(format!(
            "{} rows skipped: crime type not in harm table `{}` (add the type, or a `*` row for a default weight)",
            n.count, opts.harm.origin
        ));
    }
    (inc, summary)
}

/// A fast hasher for keys that are already hashes or coordinates' bits (FxHash's
/// multiply-rotate step); not resistant to chosen collisions, which costs nothing here but
/// time.
#[derive(Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Projects points in place, transforming each distinct location once: police.uk snaps
/// incidents to anonymous map points, so most rows share their coordinates with others.
fn project_distinct(pts: &mut [[f64; 2]], t: &Transform) {
    let mut index: HashMap<(u64, u64), u32, FastHash> =
        HashMap::with_capacity_and_hasher(pts.len() / 4, FastHash);
    let mut distinct: Vec<[f64; 2]> = Vec::new();
    let slot: Vec<u32> = pts
        .iter()
        .map(|p| {
            *index
                .entry((p[0].to_bits(), p[1].to_bits()))
                .or_insert_with(|| {
                    distinct.push(*p);
                    (distinct.len() - 1) as u32
                })
        })
        .collect();
    t.apply(&mut distinct);
    for (p, &k) in pts.iter_mut().zip(&slot) {
        *p = distinct[k as usize];
    }
}

/// FNV-1a hash of an id, for duplicate detection.
fn id_hash(id: &[u8]) -> u64 {
    id.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Shared row logic for every format, after the format's own field extraction.
struct Row<'a> {
    line: u64,
    x: Option<&'a [u8]>,
    y: Option<&'a [u8]>,
    month: Option<&'a [u8]>,
    crime_type: Option<&'a [u8]>,
    weight: Option<&'a [u8]>,
    id: Option<&'a [u8]>,
}

fn parse_num(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b.trim_ascii()).ok()?;
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

impl Batch {
    /// Validates and pushes one row; `lonlat` tells whether coordinates are degrees.
    fn push_row(&mut self, row: Row<'_>, lonlat: bool, types: &mut TypeCache, opts: &ReadOptions) {
        self.summary.rows += 1;
        let line = row.line;
        let (xs, ys) = (
            row.x.unwrap_or(b"").trim_ascii(),
            row.y.unwrap_or(b"").trim_ascii(),
        );
        if xs.is_empty() || ys.is_empty() {
            return self.skip(SkipReason::MissingCoordinates, line);
        }
        let (Some(x), Some(y)) = (parse_num(xs), parse_num(ys)) else {
            return self.skip(SkipReason::UnparsableCoordinates, line);
        };
        if x == 0.0 && y == 0.0 {
            return self.skip(SkipReason::NullIsland, line);
        }
        if lonlat && !(x.abs() <= 180.0 && y.abs() <= 90.0) {
            return self.skip(SkipReason::OutOfRange, line);
        }
        let month = match row.month {
            None => Month::UNKNOWN,
            Some(m) => match Month::parse_bytes(m) {
                Some(m) => m,
                None => return self.skip(SkipReason::BadMonth, line),
            },
        };
        let type_bytes = row
            .crime_type
            .map(|t| t.trim_ascii())
            .unwrap_or(b"Unspecified");
        if type_bytes.is_empty() {
            return self.skip(SkipReason::MissingType, line);
        }
        let (kind, pass, weight) = types.lookup(type_bytes, self, opts);
        if !pass {
            *self.summary.filtered.entry(FilterReason::Type).or_default() += 1;
            return;
        }
        if opts.months.is_some_and(|r| !r.contains(month)) {
            *self
                .summary
                .filtered
                .entry(FilterReason::Month)
                .or_default() += 1;
            return;
        }
        let harm = match row.weight {
            Some(w) => match parse_num(w).filter(|w| *w >= 0.0) {
                Some(w) => w,
                None => return self.skip(SkipReason::BadWeight, line),
            },
            None if row.crime_type.is_none() => 1.0,
            None => match weight {
                Some(w) => w,
                None => return self.skip(SkipReason::UnknownType, line),
            },
        };
        let id = row
            .id
            .map(|b| b.trim_ascii())
            .filter(|b| !b.is_empty())
            .map(id_hash);
        self.pts.push([x, y]);
        self.month.push(month);
        self.kind.push(kind);
        self.harm.push(harm);
        self.id.push(id);
        self.line.push(line);
    }

    fn skip(&mut self, reason: SkipReason, line: u64) {
        let loc = self.location(line);
        self.summary.skip(reason, || loc);
    }
}
