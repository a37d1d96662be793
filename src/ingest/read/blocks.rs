//! Reading CSV files as blocks of whole lines, parsed in parallel.
//!
//! One thread reads each file in turn — hashing every byte for the manifest as it goes —
//! and cuts it into blocks of about 4 MiB ending at a line break; the rayon pool parses the
//! blocks in any order and the merge puts them back in file and block order, so one large
//! file is read by every core and the result does not depend on the thread count. Memory
//! holds a few blocks at a time beyond the incidents kept.

use super::batch::{Batch, Caches, Row};
use super::csv::{layout, sniff, Layout};
use super::record::{split, Fields};
use super::ReadOptions;
use crate::error::{Error, Result};
use crate::model::incident::SkipReason;
use crate::model::progress::{CountingReader, Digest, Progress};
use memchr::{memchr, memchr_iter, memrchr};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

/// Bytes read per block.
const BLOCK: usize = 4 << 20;

/// Rows longer than this are not incident records.
pub(super) const MAX_ROW: usize = 1 << 20;

/// Lines a quoted field may run over before its opening quote is taken as a stray.
const MAX_JOIN_LINES: usize = 64;

/// Whole lines of one file, with the line number of the first.
pub(super) struct Block {
    pub file: usize,
    pub seq: usize,
    pub data: Vec<u8>,
    pub first_line: u64,
    /// Lines longer than [`MAX_ROW`] passed over just before this block.
    pub oversized: Vec<u64>,
    pub layout: Arc<Layout>,
}

/// What the reading thread sends: blocks, then each file's size and SHA-256.
pub(super) enum Msg {
    Block(Block),
    FileDone {
        file: usize,
        format: &'static str,
        bytes: u64,
        sha256: String,
    },
}

/// Reads `files` (index, path) in order, sending blocks to `tx`; stops at the first error,
/// which it sends too.
pub(super) fn read_files(
    files: &[(usize, PathBuf)],
    opts: &ReadOptions,
    progress: &dyn Progress,
    tx: SyncSender<Result<Msg>>,
) {
    for (i, path) in files {
        if let Err(e) = read_file(*i, path, opts, progress, &tx) {
            let _ = tx.send(Err(e));
            return;
        }
    }
}

fn read_file(
    file: usize,
    path: &Path,
    opts: &ReadOptions,
    progress: &dyn Progress,
    tx: &SyncSender<Result<Msg>>,
) -> Result<()> {
    let digest = Digest::default();
    let src = super::open(path)?;
    let mut reader = BufReader::with_capacity(1 << 16, CountingReader::new(src, progress, &digest));
    sniff(&mut reader, path)?;
    let mut reader: Box<dyn BufRead + '_> =
        if super::lineends::cr_only(&mut reader).map_err(|e| Error::io(path, e))? {
            let lf = super::lineends::CrToLf(reader);
            Box::new(BufReader::with_capacity(1 << 16, lf))
        } else {
            Box::new(reader)
        };
    let header = read_header(&mut reader, path, opts.delimiter)?;
    let layout = Arc::new(layout(&header, path, opts)?);
    let io = |e| Error::io(path, e);
    let mut next_line = 2u64;
    let mut carry: Vec<u8> = Vec::new();
    let mut oversized = Vec::new();
    let mut discarding = false;
    let mut seq = 0;
    loop {
        let mut buf = std::mem::take(&mut carry);
        buf.reserve(BLOCK);
        let n = reader
            .by_ref()
            .take(BLOCK as u64)
            .read_to_end(&mut buf)
            .map_err(io)?;
        let eof = n == 0;
        if discarding {
            match memchr(b'\n', &buf) {
                Some(k) => {
                    buf.drain(..=k);
                    next_line += 1;
                    discarding = false;
                }
                None if eof => break,
                None => continue,
            }
        }
        match memrchr(b'\n', &buf) {
            Some(k) => carry = buf.split_off(k + 1),
            None if eof => {}
            None if buf.len() > MAX_ROW => {
                oversized.push(next_line);
                discarding = true;
                continue;
            }
            None => {
                carry = buf;
                continue;
            }
        }
        if !buf.is_empty() {
            let lines = memchr_iter(b'\n', &buf).count() as u64;
            let block = Block {
                file,
                seq,
                data: buf,
                first_line: next_line,
                oversized: std::mem::take(&mut oversized),
                layout: layout.clone(),
            };
            if tx.send(Ok(Msg::Block(block))).is_err() {
                return Ok(());
            }
            next_line += lines;
            seq += 1;
        }
        if eof && carry.is_empty() {
            break;
        }
    }
    drop(reader);
    let (bytes, sha256) = digest.finish();
    let _ = tx.send(Ok(Msg::FileDone {
        file,
        format: layout.format,
        bytes,
        sha256,
    }));
    Ok(())
}

/// The header line's field names, trimmed.
fn read_header(reader: &mut impl BufRead, path: &Path, delim: u8) -> Result<Vec<String>> {
    let mut line = Vec::new();
    reader
        .by_ref()
        .take(MAX_ROW as u64)
        .read_until(b'\n', &mut line)
        .map_err(|e| Error::io(path, e))?;
    if !line.ends_with(b"\n") && line.len() >= MAX_ROW {
        return Err(Error::format(path, "the header line is longer than 1 MiB"));
    }
    let line = trim_eol(&line);
    let mut f = Fields::default();
    if !split(line, delim, &mut f) {
        return Err(Error::format(
            path,
            "cannot read the header: a quoted column name is not closed",
        ));
    }
    Ok((0..f.len())
        .map(|i| String::from_utf8_lossy(f.get(line, i)).trim().to_string())
        .collect())
}

fn trim_eol(mut line: &[u8]) -> &[u8] {
    if let [rest @ .., b'\n'] = line {
        line = rest;
    }
    if let [rest @ .., b'\r'] = line {
        line = rest;
    }
    line
}

/// Validates the rows of one block (not yet projected).
pub(super) fn parse_block(block: &Block, label: String, opts: &ReadOptions) -> Batch {
    let lay = &*block.layout;
    let mut batch = Batch {
        file: block.file,
        label,
        unit: "line",
        ..Default::default()
    };
    for &line in &block.oversized {
        batch.summary.rows += 1;
        batch.skip(SkipReason::OversizedRow, line);
    }
    let mut caches = Caches::default();
    let mut f = Fields::default();
    let data = &block.data[..];
    let (mut pos, mut line_no) = (0, block.first_line);
    while pos < data.len() {
        let end = memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let this_line = line_no;
        let start = pos;
        let mut record = trim_eol(&data[start..end]);
        pos = end + 1;
        line_no += 1;
        if record.trim_ascii().is_empty() {
            continue;
        }
        if !split(record, opts.delimiter, &mut f) {
            match join_lines(data, start, end, lay.fields, opts.delimiter, &mut f) {
                Some((rec_end, extra)) => {
                    record = trim_eol(&data[start..rec_end]);
                    pos = rec_end + 1;
                    line_no += extra;
                }
                None => {
                    batch.summary.rows += 1;
                    batch.skip(SkipReason::UnbalancedQuote, this_line);
                    continue;
                }
            }
        }
        let skip = if record.len() > MAX_ROW {
            Some(SkipReason::OversizedRow)
        } else if f.len() != lay.fields {
            Some(SkipReason::MalformedRow)
        } else if f.get(record, lay.x).trim_ascii() == lay.header_x.as_slice() {
            Some(SkipReason::RepeatedHeader)
        } else {
            None
        };
        if let Some(reason) = skip {
            batch.summary.rows += 1;
            batch.skip(reason, this_line);
            continue;
        }
        let get = |i: Option<usize>| i.map(|i| f.get(record, i));
        let id = get(lay.id);
        let row = Row {
            line: this_line,
            x: Some(f.get(record, lay.x)),
            y: Some(f.get(record, lay.y)),
            month: get(lay.month),
            crime_type: get(lay.crime_type),
            weight: get(lay.weight),
            id,
            location: get(lay.location),
            lsoa: get(lay.lsoa),
            more: lay.more.map(get),
            row_hash: if id.is_some_and(|b| !b.trim_ascii().is_empty()) {
                f.hash(record)
            } else {
                0
            },
        };
        batch.push_row(row, lay.lonlat, &mut caches, opts);
    }
    batch
}

/// Tries the record starting at `start` (whose first line ends at `end`) with following
/// lines joined, until its quoted field closes; `Some((record end, extra lines))` when that
/// gives a record of `width` fields within the block and the limits.
fn join_lines(
    data: &[u8],
    start: usize,
    mut end: usize,
    width: usize,
    delim: u8,
    f: &mut Fields,
) -> Option<(usize, u64)> {
    for extra in 1..=MAX_JOIN_LINES as u64 {
        if end >= data.len() || end - start > MAX_ROW {
            return None;
        }
        end = memchr(b'\n', &data[end + 1..]).map_or(data.len(), |k| end + 1 + k);
        if split(trim_eol(&data[start..end]), delim, f) {
            return (f.len() == width).then_some((end, extra));
        }
    }
    None
}
