//! Joining parsed batches in input order: one sorted type table, one table per place-name
//! column, repeated incident ids, and the read summary.

use super::batch::{Batch, FastHash, NO_NAME};
use super::ReadOptions;
use crate::error::{Error, Result};
use crate::model::incident::{FileSummary, Incidents, ReadSummary, SkipReason};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

/// Crime type ids are `u16`: this many distinct types at most.
const MAX_TYPES: usize = u16::MAX as usize + 1;

/// (file index, format, bytes, SHA-256) of each CSV file, from the reading thread.
pub(super) type FileInfo = (usize, &'static str, u64, String);

/// Interns names across batches in order of first appearance.
#[derive(Default)]
struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    /// Global ids for a batch's local name table.
    fn remap(&mut self, local: &[String]) -> Vec<u32> {
        local
            .iter()
            .map(|n| match self.ids.get(n) {
                Some(&i) => i,
                None => {
                    let i = self.names.len() as u32;
                    self.ids.insert(n.clone(), i);
                    self.names.push(n.clone());
                    i
                }
            })
            .collect()
    }
}

/// Repeated incident ids, decided in input order: each id's first row, and the other
/// distinct rows of the (few) ids that repeat.
struct Ids {
    unique: bool,
    first: HashMap<u64, u64, FastHash>,
    more: HashSet<(u64, u64), FastHash>,
    repeated_kept: u64,
}

impl Ids {
    /// `None` to keep the row, or why it is skipped.
    fn check(&mut self, id: Option<(u64, u64)>) -> Option<SkipReason> {
        use std::collections::hash_map::Entry;
        let (id, row) = id?;
        match self.first.entry(id) {
            Entry::Vacant(e) => {
                e.insert(row);
                None
            }
            Entry::Occupied(_) if self.unique => Some(SkipReason::DuplicateId),
            Entry::Occupied(e) if *e.get() == row => Some(SkipReason::DuplicateRow),
            Entry::Occupied(_) if !self.more.insert((id, row)) => Some(SkipReason::DuplicateRow),
            Entry::Occupied(_) => {
                self.repeated_kept += 1;
                None
            }
        }
    }
}

/// A shard's skips (batch, row, reason) and its count of repeated ids kept.
type ShardResult = (Vec<(u32, u32, SkipReason)>, u64);

/// Decides repeated ids over all batches, in input order, in parallel: ids are split into
/// shards by hash and each shard is walked in order. Returns, per batch, the rows to skip
/// (ascending) with their reason, and the number of repeated ids kept.
pub(super) fn repeated_ids(batches: &[Batch], unique: bool) -> (Vec<Vec<(u32, SkipReason)>>, u64) {
    use rayon::prelude::*;
    const SHARD_BITS: u32 = 6;
    let mut shards: Vec<Vec<(u64, u64, u32, u32)>> = vec![Vec::new(); 1 << SHARD_BITS];
    for (bi, b) in batches.iter().enumerate() {
        for (i, id) in b.id.iter().enumerate() {
            if let Some((id, row)) = *id {
                shards[(id >> (64 - SHARD_BITS)) as usize].push((id, row, bi as u32, i as u32));
            }
        }
    }
    let decided: Vec<ShardResult> = shards
        .into_par_iter()
        .map(|rows| {
            let mut ids = Ids {
                unique,
                first: HashMap::with_capacity_and_hasher(rows.len(), FastHash),
                more: HashSet::with_hasher(FastHash),
                repeated_kept: 0,
            };
            let skips = rows
                .into_iter()
                .filter_map(|(id, row, bi, i)| ids.check(Some((id, row))).map(|r| (bi, i, r)))
                .collect();
            (skips, ids.repeated_kept)
        })
        .collect();
    let mut per_batch = vec![Vec::new(); batches.len()];
    let mut kept = 0;
    for (skips, k) in decided {
        kept += k;
        for (bi, i, r) in skips {
            per_batch[bi as usize].push((i, r));
        }
    }
    for v in &mut per_batch {
        v.sort_unstable_by_key(|(i, _)| *i);
    }
    (per_batch, kept)
}

pub(super) fn merge(
    batches: Vec<Batch>,
    files: &[PathBuf],
    info: Vec<FileInfo>,
    projected: bool,
    opts: &ReadOptions,
) -> Result<(Incidents, ReadSummary)> {
    let mut names = BTreeSet::new();
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
    if names.len() > MAX_TYPES {
        return Err(Error::TooLarge(format!(
            "the input names {} distinct crime types; harmspot handles at most {MAX_TYPES} \
             (is the crime type column the right one?)",
            names.len()
        )));
    }
    let total: usize = batches.iter().map(|b| b.pts.len()).sum();
    let mut inc = Incidents {
        types: names.into_iter().collect(),
        ..Default::default()
    };
    inc.xy.reserve(total);
    inc.month.reserve(total);
    inc.kind.reserve(total);
    inc.harm.reserve(total);
    let has_names = batches
        .iter()
        .any(|b| !b.locations.is_empty() || !b.lsoas.is_empty());
    let (mut locations, mut lsoas) = (Names::default(), Names::default());
    let (skips, repeated_kept) = repeated_ids(&batches, opts.unique_ids);
    let mut per_file: Vec<FileSummary> = files
        .iter()
        .map(|f| FileSummary {
            path: f.display().to_string(),
            format: String::new(),
            rows: 0,
            kept: 0,
            bytes: 0,
            sha256: String::new(),
        })
        .collect();
    for (i, format, bytes, sha256) in info {
        let f = &mut per_file[i];
        (f.format, f.bytes, f.sha256) = (format.to_string(), bytes, sha256);
    }
    let mut degree_like = vec![0u64; files.len()];
    let mut summary = ReadSummary::default();
    let mut seen_types: BTreeSet<String> = BTreeSet::new();
    for (mut b, skips) in batches.into_iter().zip(skips) {
        let mut skips = skips.into_iter().peekable();
        let remap: Vec<u16> = b
            .types
            .iter()
            .map(|t| inc.types.binary_search(t).map_or(u16::MAX, |i| i as u16))
            .collect();
        seen_types.extend(b.types.iter().cloned());
        let (loc_map, lsoa_map) = (locations.remap(&b.locations), lsoas.remap(&b.lsoas));
        let global = |map: &[u32], k: u32| {
            if k == NO_NAME {
                NO_NAME
            } else {
                map[k as usize]
            }
        };
        let mut kept = 0;
        for i in 0..b.pts.len() {
            if let Some((_, reason)) = skips.next_if(|(k, _)| *k as usize == i) {
                let loc = b.location(b.line[i]);
                b.summary.skip(reason, || loc);
                continue;
            }
            inc.xy.push(b.pts[i]);
            inc.month.push(b.month[i]);
            inc.kind.push(remap[b.kind[i] as usize]);
            inc.harm.push(b.harm[i]);
            if has_names {
                inc.places.location.push(global(&loc_map, b.location[i]));
                inc.places.lsoa.push(global(&lsoa_map, b.lsoa[i]));
            }
            kept += 1;
        }
        let f = &mut per_file[b.file];
        if let Some(own) = b.summary.files.pop() {
            (f.format, f.bytes, f.sha256) = (own.format, own.bytes, own.sha256);
        }
        f.rows += b.summary.rows;
        f.kept += kept;
        degree_like[b.file] += b.degree_like;
        b.summary.kept = kept;
        summary.absorb(b.summary);
    }
    if projected {
        for (f, &n) in per_file.iter().zip(&degree_like) {
            if n > 0 && 2 * n >= f.rows {
                return Err(Error::format(
                    &f.path,
                    format!(
                        "{n} of {} rows have x/y within ±180/±90: these look like longitude and \
                         latitude in degrees, not metres; give them with ‹lon_col›/‹lat_col›",
                        f.rows
                    ),
                ));
            }
        }
    }
    summary.files = per_file;
    summary.repeated_ids_kept = repeated_kept;
    if has_names {
        inc.places.location_names = locations.names;
        inc.places.lsoa_names = lsoas.names;
    }
    let seen: Vec<String> = seen_types.into_iter().collect();
    for name in opts.types.unmatched(&seen) {
        summary.warnings.push(format!(
            "crime type `{name}` in ‹types›/‹exclude_types› matches no row"
        ));
    }
    if let Some(n) = summary.skipped.get(&SkipReason::UnknownType) {
        summary.warnings.push(format!(
            "{} rows skipped: crime type not in harm table `{}` (add the type, or a `*` row for a default weight)",
            n.count, opts.harm.origin
        ));
    }
    if repeated_kept > 0 && !opts.unique_ids {
        summary.warnings.push(format!(
            "repeated Crime ID, kept: {} rows share an id with an earlier row but differ in other \
             fields (police.uk counts each row; ‹unique_ids› keeps only the first)",
            repeated_kept
        ));
    }
    Ok((inc, summary))
}
