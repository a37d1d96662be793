//! The rows of one block of one file, validated and projected, before they are merged.

use super::ReadOptions;
use crate::model::incident::{FilterReason, ReadSummary, SkipReason};
use crate::model::month::Month;
use crate::space::crs::{Crs, Transform, BNG};
use std::collections::HashMap;

/// "No name" in a name-id column.
pub(crate) const NO_NAME: u32 = u32::MAX;

/// Rows parsed from one block of one file, coordinates in the working CRS once
/// [`Batch::project`] has run.
#[derive(Default)]
pub(super) struct Batch {
    /// Which input file (index into the expanded inputs).
    pub file: usize,
    pub pts: Vec<[f64; 2]>,
    pub month: Vec<Month>,
    /// Crime type, an index into `types`.
    pub kind: Vec<u32>,
    pub harm: Vec<f64>,
    /// (id hash, whole-row hash) for rows with a non-empty incident id.
    pub id: Vec<Option<(u64, u64)>>,
    pub line: Vec<u64>,
    /// Location and LSOA name ids, indexes into `locations` / `lsoas` or [`NO_NAME`].
    pub location: Vec<u32>,
    pub lsoa: Vec<u32>,
    pub types: Vec<String>,
    pub locations: Vec<String>,
    pub lsoas: Vec<String>,
    /// The kept rows' other police.uk fields, with [`ReadOptions::keep_records`].
    pub kept: crate::model::records::Records,
    /// Rows whose projected x/y look like longitude/latitude degrees.
    pub degree_like: u64,
    pub summary: ReadSummary,
    /// `file:` prefix and unit (`line` or `feature`) for example locations.
    pub label: String,
    pub unit: &'static str,
}

/// Shared row logic for every format, after the format's own field extraction.
pub(super) struct Row<'a> {
    pub line: u64,
    pub x: Option<&'a [u8]>,
    pub y: Option<&'a [u8]>,
    pub month: Option<&'a [u8]>,
    pub crime_type: Option<&'a [u8]>,
    pub weight: Option<&'a [u8]>,
    pub id: Option<&'a [u8]>,
    pub location: Option<&'a [u8]>,
    pub lsoa: Option<&'a [u8]>,
    /// Hash of every field of the row, for telling identical rows from repeated ids.
    pub row_hash: u64,
    /// The other police.uk fields ([`crate::model::records::MORE_COLUMNS`]), read only
    /// with [`ReadOptions::keep_records`].
    pub more: [Option<&'a [u8]>; 5],
}

/// A crime type as a batch knows it: (local id, passes the filter, harm weight).
type TypeEntry = (u32, bool, Option<f64>);

/// Per-batch cache of crime types by name bytes.
#[derive(Default)]
pub(super) struct TypeCache {
    seen: HashMap<Vec<u8>, TypeEntry, FastHash>,
}

impl TypeCache {
    fn lookup(&mut self, name: &[u8], types: &mut Vec<String>, opts: &ReadOptions) -> TypeEntry {
        match self.seen.get(name) {
            Some(v) => *v,
            None => {
                let text = String::from_utf8_lossy(name).trim().to_string();
                let id = types.len() as u32;
                let pass = opts.types.accepts(&text);
                let weight = if opts.harm.is_unweighted() {
                    Some(1.0)
                } else {
                    opts.harm.weight(&text)
                };
                types.push(text);
                let v = (id, pass, weight);
                self.seen.insert(name.to_vec(), v);
                v
            }
        }
    }
}

/// Per-batch interning of place names (police.uk `Location`, `LSOA name`).
#[derive(Default)]
pub(super) struct NameCache {
    seen: HashMap<Vec<u8>, u32, FastHash>,
}

impl NameCache {
    fn id(&mut self, name: Option<&[u8]>, names: &mut Vec<String>) -> u32 {
        let Some(name) = name.map(|n| n.trim_ascii()).filter(|n| !n.is_empty()) else {
            return NO_NAME;
        };
        if let Some(&i) = self.seen.get(name) {
            return i;
        }
        let i = names.len() as u32;
        names.push(String::from_utf8_lossy(name).into_owned());
        self.seen.insert(name.to_vec(), i);
        i
    }
}

/// The caches a batch needs while it is filled.
#[derive(Default)]
pub(super) struct Caches {
    pub types: TypeCache,
    pub locations: NameCache,
    pub lsoas: NameCache,
}

fn parse_num(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b.trim_ascii()).ok()?;
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A 64-bit hash of bytes continuing from `h`, eight bytes at a time (FxHash's step), for
/// incident ids and whole rows; the length is mixed in, so concatenations differ.
pub(super) fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut step = |w: u64| h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        step(u64::from_le_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ]));
    }
    for &b in chunks.remainder() {
        step(u64::from(b));
    }
    step(bytes.len() as u64);
    h
}

/// A starting value for [`hash_bytes`].
pub(super) const HASH0: u64 = 0xcbf2_9ce4_8422_2325;

impl Batch {
    /// `file:line N` for examples in the read summary.
    pub fn location(&self, line: u64) -> String {
        format!("{}:{} {line}", self.label, self.unit)
    }

    pub fn skip(&mut self, reason: SkipReason, line: u64) {
        let loc = self.location(line);
        self.summary.skip(reason, || loc);
    }

    /// Validates and pushes one row; `lonlat` tells whether coordinates are degrees.
    pub fn push_row(
        &mut self,
        row: Row<'_>,
        lonlat: bool,
        caches: &mut Caches,
        opts: &ReadOptions,
    ) {
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
        self.push_xy(x, y, row, lonlat, caches, opts)
    }

    /// [`Batch::push_row`] once the coordinates are numbers (binary formats; the row is
    /// already counted in `summary.rows`).
    pub fn push_xy(
        &mut self,
        x: f64,
        y: f64,
        row: Row<'_>,
        lonlat: bool,
        caches: &mut Caches,
        opts: &ReadOptions,
    ) {
        let line = row.line;
        if x == 0.0 && y == 0.0 {
            return self.skip(SkipReason::NullIsland, line);
        }
        if lonlat && !(x.abs() <= 180.0 && y.abs() <= 90.0) {
            return self.skip(SkipReason::OutOfRange, line);
        }
        if !lonlat && x.abs() <= 180.0 && y.abs() <= 90.0 {
            self.degree_like += 1;
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
        let (kind, pass, weight) = caches.types.lookup(type_bytes, &mut self.types, opts);
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
            Some(w) => {
                match parse_num(w)
                    .filter(|w| (0.0..=crate::model::limits::MAX_HARM_WEIGHT).contains(w))
                {
                    Some(w) => w,
                    None => return self.skip(SkipReason::BadWeight, line),
                }
            }
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
            .map(|b| (hash_bytes(HASH0, b), row.row_hash));
        self.pts.push([x, y]);
        self.month.push(month);
        self.kind.push(kind);
        self.harm.push(harm);
        self.id.push(id);
        self.line.push(line);
        let loc = caches.locations.id(row.location, &mut self.locations);
        self.location.push(loc);
        let lsoa = caches.lsoas.id(row.lsoa, &mut self.lsoas);
        self.lsoa.push(lsoa);
        if opts.keep_records {
            let typed = row.crime_type.is_some();
            self.kept.push([x, y], typed, row.id, row.more);
        }
    }

    /// Moves the points into the working CRS, transforming each distinct location once
    /// (police.uk snaps incidents to shared map points), and skips the points that cannot
    /// be used there: outside OSTN15's coverage for the British National Grid, outside the
    /// CRS's area of use otherwise. `source` is the CRS of projected input columns, whose
    /// points are checked against it before they are transformed.
    pub fn project(&mut self, to_working: &Transform, source: Option<&Crs>, working: &Crs) {
        if let Some(src) = source {
            for p in &mut self.pts {
                if !src.contains(*p) {
                    *p = [f64::NAN; 2];
                }
            }
        }
        if !to_working.is_identity() {
            project_distinct(&mut self.pts, to_working);
        }
        let reason = if working.code() == BNG || source.is_some_and(|s| s.code() == BNG) {
            SkipReason::OutsideBng
        } else {
            SkipReason::OutsideCrsArea
        };
        let keep: Vec<bool> = self.pts.iter().map(|p| !p[0].is_nan()).collect();
        self.retain(&keep, reason);
    }

    /// Keeps rows where `keep` is true, skipping the others with `reason`.
    fn retain(&mut self, keep: &[bool], reason: SkipReason) {
        if keep.iter().all(|k| *k) {
            return;
        }
        for (i, k) in keep.iter().enumerate() {
            if !k {
                self.skip(reason, self.line[i]);
            }
        }
        fn filt<T: Copy>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        filt(&mut self.pts, keep);
        filt(&mut self.month, keep);
        filt(&mut self.kind, keep);
        filt(&mut self.harm, keep);
        filt(&mut self.id, keep);
        filt(&mut self.line, keep);
        filt(&mut self.location, keep);
        filt(&mut self.lsoa, keep);
        if !self.kept.is_empty() {
            self.kept.retain(keep);
        }
    }
}

/// Projects points in place, transforming each distinct location once.
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

/// A fast hasher for keys that are already hashes or coordinates' bits (FxHash's
/// multiply-rotate step); not resistant to chosen collisions, which costs nothing here but
/// time.
#[derive(Clone, Copy, Default)]
pub(crate) struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0)
    }
}

pub(crate) struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(self.0, bytes);
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}
