//! CSV extracts: the police.uk street-level layout, detected by its header, or named columns.

use super::{Batch, CoordColumns, ReadOptions, Row, TypeCache};
use crate::error::{Error, Result};
use crate::incident::{FileSummary, SkipReason};
use csv::ByteRecord;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

/// Rows longer than this are not incident records.
const MAX_ROW: usize = 1 << 20;

/// Records per batch handed from the tokenising thread to the parsing one.
const RECORDS_PER_BATCH: usize = 4096;

const POLICE_UK: [&str; 4] = ["Longitude", "Latitude", "Month", "Crime type"];

struct Layout {
    x: usize,
    y: usize,
    month: Option<usize>,
    crime_type: Option<usize>,
    weight: Option<usize>,
    id: Option<usize>,
    lonlat: bool,
    format: &'static str,
}

fn find(header: &[String], name: &str, path: &Path) -> Result<Option<usize>> {
    let hits: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.eq_ignore_ascii_case(name.trim()))
        .map(|(i, _)| i)
        .collect();
    match hits.as_slice() {
        [] => Ok(None),
        [i] => Ok(Some(*i)),
        [a, b, ..] => Err(Error::format(
            path,
            format!(
                "column `{name}` appears twice in the header (columns {} and {}): which one is meant is ambiguous",
                a + 1,
                b + 1
            ),
        )),
    }
}

fn require(header: &[String], name: &str, flag: &str, path: &Path) -> Result<usize> {
    find(header, name, path)?.ok_or_else(|| {
        Error::format(
            path,
            format!(
                "no column `{name}` ({flag}); the header has: {}",
                header.join(", ")
            ),
        )
    })
}

fn layout(header: &[String], path: &Path, opts: &ReadOptions) -> Result<Layout> {
    let c = &opts.columns;
    let optional = |given: &Option<String>, default: &str, flag: &str| -> Result<Option<usize>> {
        match given {
            Some(name) => require(header, name, flag, path).map(Some),
            None => find(header, default, path),
        }
    };
    let (x, y, lonlat, format) = match &c.coords {
        None => {
            let missing: Vec<&str> = POLICE_UK
                .iter()
                .copied()
                .filter(|n| !header.iter().any(|h| h.eq_ignore_ascii_case(n)))
                .collect();
            if !missing.is_empty() {
                let mut msg = format!(
                    "not a police.uk street-level CSV: no column {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
                if header.len() == 1 {
                    if let Some(d) = [';', '\t', '|'].iter().find(|d| header[0].contains(**d)) {
                        msg += &format!(
                            "; the header reads as a single column but contains {d:?}: is the file {d:?}-delimited? (--delimiter)"
                        );
                    }
                } else {
                    msg += "; for your own extract name the columns with --lon-col/--lat-col or --x-col/--y-col --crs";
                }
                return Err(Error::format(path, msg));
            }
            let x = require(header, "Longitude", "police.uk", path)?;
            let y = require(header, "Latitude", "police.uk", path)?;
            (x, y, true, "police.uk")
        }
        Some(CoordColumns::LonLat { lon, lat }) => (
            require(header, lon, "--lon-col", path)?,
            require(header, lat, "--lat-col", path)?,
            true,
            "csv",
        ),
        Some(CoordColumns::Projected { x, y, .. }) => (
            require(header, x, "--x-col", path)?,
            require(header, y, "--y-col", path)?,
            false,
            "csv",
        ),
    };
    Ok(Layout {
        x,
        y,
        month: optional(&c.month, "Month", "--month-col")?,
        crime_type: optional(&c.crime_type, "Crime type", "--type-col")?,
        weight: c
            .weight
            .as_ref()
            .map(|w| require(header, w, "--weight-col", path))
            .transpose()?,
        id: optional(&c.id, "Crime ID", "--id-col")?,
        lonlat,
        format,
    })
}

/// Peeks the first bytes to refuse files that are plainly not CSV, and skips a UTF-8 BOM.
fn sniff(reader: &mut BufReader<Box<dyn Read + Send + '_>>, path: &Path) -> Result<()> {
    let head = reader.fill_buf().map_err(|e| Error::io(path, e))?;
    if head.is_empty() {
        return Err(Error::format(
            path,
            "empty file: expected a CSV header line",
        ));
    }
    if head.starts_with(b"PK\x03\x04") {
        return Err(Error::format(
            path,
            "is a zip archive: unzip the police.uk download and pass the folder",
        ));
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
        return Ok(());
    }
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{') | Some(b'[')) {
        return Err(Error::format(
            path,
            "looks like JSON, not CSV: give GeoJSON files a .geojson extension",
        ));
    }
    if head.iter().take(512).any(|b| *b == 0) {
        return Err(Error::format(
            path,
            "contains NUL bytes: not a text CSV file",
        ));
    }
    Ok(())
}

pub(super) fn read<'a>(
    reader: Box<dyn Read + Send + 'a>,
    path: &Path,
    label: String,
    opts: &ReadOptions,
) -> Result<Batch> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    sniff(&mut reader, path)?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(opts.delimiter)
        .flexible(true)
        .has_headers(true)
        .from_reader(reader);
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| Error::format(path, format!("cannot read the header: {e}")))?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let lay = layout(&header, path, opts)?;
    let mut batch = Batch {
        label,
        unit: "line",
        ..Default::default()
    };
    let mut types = TypeCache::default();
    let hdr_x = header[lay.x].as_bytes().to_vec();
    // Two stages: a scoped thread tokenises records (the csv crate) into batches while this
    // thread validates and converts them; batches come back for reuse, order is kept.
    let (full_tx, full_rx) =
        mpsc::sync_channel::<std::result::Result<(Vec<ByteRecord>, usize), csv::Error>>(4);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<ByteRecord>>();
    std::thread::scope(|scope| -> Result<()> {
        scope.spawn(move || loop {
            let mut recs = empty_rx.try_recv().unwrap_or_default();
            recs.resize_with(RECORDS_PER_BATCH, ByteRecord::new);
            let mut n = 0;
            while n < RECORDS_PER_BATCH {
                match rdr.read_byte_record(&mut recs[n]) {
                    Ok(true) => n += 1,
                    Ok(false) => break,
                    Err(e) => {
                        let _ = full_tx.send(Err(e));
                        return;
                    }
                }
            }
            if full_tx.send(Ok((recs, n))).is_err() || n < RECORDS_PER_BATCH {
                return;
            }
        });
        for msg in full_rx {
            // csv only fails mid-file on I/O errors (it is lenient about quoting).
            let (recs, n) = msg.map_err(|e| Error::format(path, format!("read failed: {e}")))?;
            for rec in &recs[..n] {
                parse_record(rec, &header, &lay, &hdr_x, &mut batch, &mut types, opts);
            }
            let _ = empty_tx.send(recs);
        }
        Ok(())
    })?;
    batch.summary.files.push(FileSummary {
        path: path.display().to_string(),
        format: lay.format.into(),
        rows: batch.summary.rows,
        kept: 0,
        bytes: 0,
        sha256: String::new(),
    });
    Ok(batch)
}

/// Validates one record and adds it to the batch (or counts why it was skipped).
fn parse_record(
    rec: &ByteRecord,
    header: &[String],
    lay: &Layout,
    hdr_x: &[u8],
    batch: &mut Batch,
    types: &mut TypeCache,
    opts: &ReadOptions,
) {
    let line = rec.position().map_or(0, |p| p.line());
    if rec.len() == 1 && rec[0].trim_ascii().is_empty() {
        return; // blank line
    }
    let skip = if rec.as_slice().len() > MAX_ROW {
        Some(SkipReason::OversizedRow)
    } else if rec.len() != header.len() {
        Some(SkipReason::MalformedRow)
    } else if rec[lay.x].trim_ascii() == hdr_x {
        Some(SkipReason::RepeatedHeader)
    } else {
        None
    };
    if let Some(reason) = skip {
        batch.summary.rows += 1;
        batch.skip(reason, line);
        return;
    }
    let get = |i: Option<usize>| i.map(|i| &rec[i]);
    let row = Row {
        line,
        x: Some(&rec[lay.x]),
        y: Some(&rec[lay.y]),
        month: get(lay.month),
        crime_type: get(lay.crime_type),
        weight: get(lay.weight),
        id: get(lay.id),
    };
    batch.push_row(row, lay.lonlat, types, opts);
}
