//! GeoParquet point files (GeoParquet 1.0/1.1, <https://geoparquet.org>) and plain Parquet
//! files with longitude/latitude or x/y columns, read column by column, the row groups of a
//! file in parallel (collected in order, so the result does not depend on the thread
//! count).
//!
//! Geometry: the `geo` metadata's primary column, WKB Points (OGC Simple Features 1.2.1
//! §8.2; ISO and EWKB Z/M/SRID variants read as 2D) in lon/lat (GeoParquet's default CRS,
//! OGC:CRS84; axis order is always x = longitude, y = latitude). Other columns map to
//! month, crime type, weight, id and names as CSV columns do (the police.uk names or
//! harmspot's snake-case ones by default, or the `--…-col` names given). Every row goes
//! through the same checks as a CSV row and a skip is counted by reason, at `file:row N`.

use super::batch::{hash_bytes, Batch, Caches, Row, HASH0};
use super::{CoordColumns, ReadOptions};
use crate::error::{Error, Result};
use crate::model::incident::{FileSummary, SkipReason};
use crate::model::month::Month;
use crate::model::progress::{CountingReader, Digest, Progress};
use parquet::basic::{ConvertedType, LogicalType, TimeUnit};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{ByteArray, DataType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;

mod geo;

/// Where the coordinates are.
#[derive(Clone, Copy, Debug)]
enum Coords {
    /// A WKB geometry column.
    Wkb(usize),
    /// Number (or text) columns x and y.
    Xy(usize, usize),
}

/// Which column (leaf index) holds what.
#[derive(Debug)]
struct Plan {
    coords: Coords,
    lonlat: bool,
    month: Option<usize>,
    crime_type: Option<usize>,
    weight: Option<usize>,
    id: Option<usize>,
    location: Option<usize>,
    lsoa: Option<usize>,
    more: [Option<usize>; 5],
    /// Every flat column, hashed to tell identical rows from repeated ids.
    all: Vec<usize>,
}

/// Reads one Parquet file into batches, one per row group.
pub(super) fn read(
    path: &Path,
    file: usize,
    label: String,
    opts: &ReadOptions,
    progress: &dyn Progress,
) -> Result<Vec<Batch>> {
    let digest = Digest::default();
    let mut buf = Vec::new();
    CountingReader::new(super::open(path)?, progress, &digest)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    let (bytes, sha256) = digest.finish();
    let reader = SerializedFileReader::new(bytes::Bytes::from(buf))
        .map_err(|e| Error::format(path, format!("not a readable Parquet file: {e}")))?;
    let (plan, geo) = plan(&reader, path, opts)?;
    let mut start = vec![0u64];
    for g in reader.metadata().row_groups() {
        start.push(start.last().copied().unwrap_or(0) + g.num_rows().max(0) as u64);
    }
    let mut batches: Vec<Batch> = (0..reader.num_row_groups())
        .into_par_iter()
        .map(|g| read_group(&reader, g, start[g], &plan, path, &label, opts))
        .collect::<Result<_>>()?;
    if batches.is_empty() {
        batches.push(Batch {
            label,
            unit: "row",
            ..Default::default()
        });
    }
    let rows: u64 = batches.iter().map(|b| b.summary.rows).sum();
    let not_points: u64 = batches
        .iter()
        .filter_map(|b| b.summary.skipped.get(&SkipReason::NotAPoint))
        .map(|s| s.count)
        .sum();
    if rows > 0 && not_points == rows {
        return Err(Error::format(
            path,
            "holds no Point geometries: incidents must be Points",
        ));
    }
    for b in &mut batches {
        b.file = file;
    }
    batches[0].summary.files.push(FileSummary {
        path: path.display().to_string(),
        format: if geo { "geoparquet" } else { "parquet" }.into(),
        rows,
        kept: 0,
        bytes,
        sha256,
    });
    Ok(batches)
}

/// The flat (top-level, not repeated) column named `name`, case-insensitively; an error
/// when two columns match.
fn find(
    reader: &SerializedFileReader<bytes::Bytes>,
    names: &[&str],
    path: &Path,
) -> Result<Option<usize>> {
    let schema = reader.metadata().file_metadata().schema_descr();
    for name in names {
        let hits: Vec<usize> = (0..schema.num_columns())
            .filter(|&i| {
                let c = schema.column(i);
                c.path().parts().len() == 1 && c.name().eq_ignore_ascii_case(name.trim())
            })
            .collect();
        match hits.as_slice() {
            [] => continue,
            [i] => return Ok(Some(*i)),
            _ => {
                return Err(Error::format(
                    path,
                    format!("column `{name}` appears twice: which one is meant is ambiguous"),
                ))
            }
        }
    }
    Ok(None)
}

/// The column names of the file, for error messages.
fn column_names(reader: &SerializedFileReader<bytes::Bytes>) -> String {
    let schema = reader.metadata().file_metadata().schema_descr();
    (0..schema.num_columns())
        .map(|i| schema.column(i).path().string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column the user named (it must exist) or the first of the default names present.
fn column(
    reader: &SerializedFileReader<bytes::Bytes>,
    given: &Option<String>,
    defaults: &[&str],
    flag: crate::Param,
    path: &Path,
) -> Result<Option<usize>> {
    match given {
        Some(name) => find(reader, &[name], path)?
            .ok_or_else(|| {
                Error::format(
                    path,
                    format!(
                        "no column `{name}` ({flag}); the file has: {}",
                        column_names(reader)
                    ),
                )
            })
            .map(Some),
        None => find(reader, defaults, path),
    }
}

/// Decides which columns to read; `true` with it when the geometry is GeoParquet's.
fn plan(
    reader: &SerializedFileReader<bytes::Bytes>,
    path: &Path,
    opts: &ReadOptions,
) -> Result<(Plan, bool)> {
    use crate::Param;
    let c = &opts.columns;
    let need = |given: &String, flag| column(reader, &Some(given.clone()), &[], flag, path);
    let (coords, lonlat, geo) = match &c.coords {
        Some(CoordColumns::LonLat { lon, lat }) => {
            let (x, y) = (need(lon, Param::LonCol)?, need(lat, Param::LatCol)?);
            (Coords::Xy(x.unwrap_or(0), y.unwrap_or(0)), true, false)
        }
        Some(CoordColumns::Projected { x, y, .. }) => {
            let (x, y) = (need(x, Param::XCol)?, need(y, Param::YCol)?);
            (Coords::Xy(x.unwrap_or(0), y.unwrap_or(0)), false, false)
        }
        None => match geo::geometry_column(reader, path)? {
            Some(name) => {
                let i = find(reader, &[&name], path)?.ok_or_else(|| {
                    Error::format(
                        path,
                        format!("the `geo` metadata names geometry column `{name}`, which the file does not have"),
                    )
                })?;
                (Coords::Wkb(i), true, true)
            }
            None => {
                let x = find(reader, &["Longitude", "lon", "lng"], path)?;
                let y = find(reader, &["Latitude", "lat"], path)?;
                match (x, y) {
                    (Some(x), Some(y)) => (Coords::Xy(x, y), true, false),
                    _ => {
                        return Err(Error::format(
                            path,
                            format!(
                                "no GeoParquet `geo` metadata and no `Longitude`/`Latitude` columns; name the coordinate columns with ‹lon_col›/‹lat_col› or ‹x_col›/‹y_col› ‹crs›; the file has: {}",
                                column_names(reader)
                            ),
                        ))
                    }
                }
            }
        },
    };
    let id = column(reader, &c.id, &["Crime ID", "crime_id"], Param::IdCol, path)?;
    let schema = reader.metadata().file_metadata().schema_descr();
    let all = (0..schema.num_columns())
        .filter(|&i| schema.column(i).path().parts().len() == 1)
        .filter(|&i| schema.column(i).max_rep_level() == 0)
        .collect();
    let mut more = [None; 5];
    if opts.keep_records {
        for (k, m) in more.iter_mut().enumerate() {
            let names = [
                crate::model::records::MORE_COLUMNS[k],
                crate::model::records::MORE_NAMES[k],
            ];
            *m = find(reader, &names, path)?;
        }
    }
    let plan = Plan {
        coords,
        lonlat,
        month: column(reader, &c.month, &["Month"], Param::MonthCol, path)?,
        crime_type: column(
            reader,
            &c.crime_type,
            &["Crime type", "crime_type"],
            Param::TypeCol,
            path,
        )?,
        weight: c
            .weight
            .as_ref()
            .map(|w| need(w, Param::WeightCol))
            .transpose()?
            .flatten(),
        id,
        location: column(reader, &c.location, &["Location"], Param::LocationCol, path)?,
        lsoa: column(
            reader,
            &c.lsoa,
            &["LSOA name", "lsoa_name"],
            Param::LsoaCol,
            path,
        )?,
        more,
        all: if id.is_some() { all } else { Vec::new() },
    };
    Ok((plan, geo))
}

/// One column of one row group, one entry per row (`None` for null).
enum Values {
    Bytes(Vec<Option<ByteArray>>),
    Float(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    /// Dates and timestamps, as the month they fall in.
    Month(Vec<Option<Month>>),
    Bool(Vec<Option<bool>>),
}

/// Reads a whole column chunk, nulls in place.
fn read_typed<T: DataType>(
    mut r: ColumnReaderImpl<T>,
    rows: usize,
    max_def: i16,
) -> parquet::errors::Result<Vec<Option<T::T>>> {
    let mut vals: Vec<T::T> = Vec::with_capacity(rows);
    let mut defs: Vec<i16> = Vec::with_capacity(if max_def > 0 { rows } else { 0 });
    let mut done = 0;
    while done < rows {
        let levels = (max_def > 0).then_some(&mut defs);
        let (n, _, _) = r.read_records(rows - done, levels, None, &mut vals)?;
        if n == 0 {
            break;
        }
        done += n;
    }
    if max_def == 0 {
        return Ok(vals.into_iter().map(Some).collect());
    }
    let mut it = vals.into_iter();
    Ok(defs
        .iter()
        .map(|&d| if d == max_def { it.next() } else { None })
        .collect())
}

/// Days since 1970-01-01 as a month (H. Hinnant's `civil_from_days`).
fn month_of_day(days: i64) -> Option<Month> {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Month::new(u32::try_from(y).ok()?, m as u32)
}

/// Reads column `c` of row group `g` (`rows` rows).
fn read_column(
    reader: &SerializedFileReader<bytes::Bytes>,
    g: usize,
    c: usize,
    rows: usize,
) -> parquet::errors::Result<Values> {
    let rg = reader.get_row_group(g)?;
    let desc = reader.metadata().file_metadata().schema_descr().column(c);
    let max_def = desc.max_def_level();
    let logical = desc.logical_type_ref().cloned();
    let converted = desc.converted_type();
    let per_day = match (&logical, converted) {
        (Some(LogicalType::Date), _) | (None, ConvertedType::DATE) => Some(1),
        (Some(LogicalType::Timestamp(t)), _) => Some(match t.unit {
            TimeUnit::MILLIS => 86_400_000,
            TimeUnit::MICROS => 86_400_000_000,
            TimeUnit::NANOS => 86_400_000_000_000,
        }),
        (None, ConvertedType::TIMESTAMP_MILLIS) => Some(86_400_000),
        (None, ConvertedType::TIMESTAMP_MICROS) => Some(86_400_000_000),
        _ => None,
    };
    let month = |v: Vec<Option<i64>>, per: i64| {
        Values::Month(
            v.into_iter()
                .map(|d| d.and_then(|d| month_of_day(d.div_euclid(per))))
                .collect(),
        )
    };
    Ok(match rg.get_column_reader(c)? {
        ColumnReader::ByteArrayColumnReader(r) => Values::Bytes(read_typed(r, rows, max_def)?),
        ColumnReader::FixedLenByteArrayColumnReader(r) => Values::Bytes(
            read_typed(r, rows, max_def)?
                .into_iter()
                .map(|v| v.map(|f| ByteArray::from(f.data().to_vec())))
                .collect(),
        ),
        ColumnReader::DoubleColumnReader(r) => Values::Float(read_typed(r, rows, max_def)?),
        ColumnReader::FloatColumnReader(r) => Values::Float(
            read_typed(r, rows, max_def)?
                .into_iter()
                .map(|v| v.map(f64::from))
                .collect(),
        ),
        ColumnReader::Int32ColumnReader(r) => {
            let v: Vec<Option<i64>> = read_typed(r, rows, max_def)?
                .into_iter()
                .map(|v| v.map(i64::from))
                .collect();
            match per_day {
                Some(p) => month(v, p),
                None => Values::Int(v),
            }
        }
        ColumnReader::Int64ColumnReader(r) => {
            let v = read_typed(r, rows, max_def)?;
            match per_day {
                Some(p) => month(v, p),
                None => Values::Int(v),
            }
        }
        ColumnReader::BoolColumnReader(r) => Values::Bool(read_typed(r, rows, max_def)?),
        ColumnReader::Int96ColumnReader(r) => Values::Month(
            read_typed(r, rows, max_def)?
                .into_iter()
                .map(|v| v.and_then(|t| month_of_day(i64::from(t.data()[2]) - 2_440_588)))
                .collect(),
        ),
    })
}

impl Values {
    /// As text, for the columns read as text (month, crime type, id, names, weight).
    fn into_text(self) -> Vec<Option<ByteArray>> {
        let text = |s: String| Some(ByteArray::from(s.into_bytes()));
        match self {
            Values::Bytes(v) => v,
            Values::Float(v) => v
                .into_iter()
                .map(|x| x.and_then(|x| text(x.to_string())))
                .collect(),
            Values::Int(v) => v
                .into_iter()
                .map(|x| x.and_then(|x| text(x.to_string())))
                .collect(),
            Values::Month(v) => v
                .into_iter()
                .map(|x| x.and_then(|x| text(x.to_string())))
                .collect(),
            Values::Bool(v) => v
                .into_iter()
                .map(|x| x.and_then(|x| text(x.to_string())))
                .collect(),
        }
    }

    /// As coordinates: `None` when null or empty, NaN when not a number.
    fn into_coords(self) -> Vec<Option<f64>> {
        match self {
            Values::Float(v) => v,
            Values::Int(v) => v.into_iter().map(|x| x.map(|x| x as f64)).collect(),
            Values::Bytes(v) => v
                .into_iter()
                .map(|x| {
                    let b = x?;
                    let s = std::str::from_utf8(b.data()).ok().map(str::trim);
                    match s {
                        Some("") => None,
                        Some(s) => Some(s.parse::<f64>().unwrap_or(f64::NAN)),
                        None => Some(f64::NAN),
                    }
                })
                .collect(),
            Values::Month(v) => v.into_iter().map(|x| x.map(|_| f64::NAN)).collect(),
            Values::Bool(v) => v.into_iter().map(|x| x.map(|_| f64::NAN)).collect(),
        }
    }

    /// Continues each row's hash with this column's value.
    fn hash_into(&self, h: &mut [u64]) {
        const NULL: &[u8] = b"\xff\xfenull";
        let mut step = |i: usize, b: &[u8]| h[i] = hash_bytes(h[i], b);
        match self {
            Values::Bytes(v) => v
                .iter()
                .enumerate()
                .for_each(|(i, x)| step(i, x.as_ref().map_or(NULL, |x| x.data()))),
            Values::Float(v) => v
                .iter()
                .enumerate()
                .for_each(|(i, x)| step(i, &x.map_or(NULL.to_vec(), |x| x.to_le_bytes().to_vec()))),
            Values::Int(v) => v
                .iter()
                .enumerate()
                .for_each(|(i, x)| step(i, &x.map_or(NULL.to_vec(), |x| x.to_le_bytes().to_vec()))),
            Values::Month(v) => v.iter().enumerate().for_each(|(i, x)| {
                step(
                    i,
                    &x.map_or(NULL.to_vec(), |x| x.index().to_le_bytes().to_vec()),
                )
            }),
            Values::Bool(v) => v
                .iter()
                .enumerate()
                .for_each(|(i, x)| step(i, x.map_or(NULL, |x| if x { b"1" } else { b"0" }))),
        }
    }
}

/// A text column as the reader maps it: `None` when the file has no such column, or when
/// every row of the group is null (a harmspot file written from an extract without it).
fn text_column(
    reader: &SerializedFileReader<bytes::Bytes>,
    g: usize,
    c: Option<usize>,
    rows: usize,
) -> parquet::errors::Result<Option<Vec<Option<ByteArray>>>> {
    let Some(c) = c else { return Ok(None) };
    let v = read_column(reader, g, c, rows)?.into_text();
    Ok(v.iter().any(Option::is_some).then_some(v))
}

/// Reads row group `g`, whose first row is row `start` of the file (0-based).
fn read_group(
    reader: &SerializedFileReader<bytes::Bytes>,
    g: usize,
    start: u64,
    plan: &Plan,
    path: &Path,
    label: &str,
    opts: &ReadOptions,
) -> Result<Batch> {
    let rows = reader.metadata().row_group(g).num_rows().max(0) as usize;
    let bad = |e: parquet::errors::ParquetError| {
        Error::format(path, format!("row group {}: cannot be read: {e}", g + 1))
    };
    let text = |c| text_column(reader, g, c, rows).map_err(bad);
    let points = match plan.coords {
        Coords::Wkb(c) => match read_column(reader, g, c, rows).map_err(bad)? {
            Values::Bytes(v) => v
                .iter()
                .map(|b| geo::point(b.as_ref().map(ByteArray::data)))
                .collect(),
            _ => return Err(Error::format(path, "the geometry column is not binary WKB")),
        },
        Coords::Xy(x, y) => {
            let xs = read_column(reader, g, x, rows).map_err(bad)?.into_coords();
            let ys = read_column(reader, g, y, rows).map_err(bad)?.into_coords();
            xs.into_iter()
                .zip(ys)
                .map(|(x, y)| geo::Point::from_xy(x, y))
                .collect::<Vec<_>>()
        }
    };
    let month = text(plan.month)?;
    let crime_type = text(plan.crime_type)?;
    let weight = match plan.weight {
        Some(c) => Some(read_column(reader, g, c, rows).map_err(bad)?.into_text()),
        None => None,
    };
    let id = text(plan.id)?;
    let location = text(plan.location)?;
    let lsoa = text(plan.lsoa)?;
    let more: Vec<Option<Vec<Option<ByteArray>>>> =
        plan.more.iter().map(|c| text(*c)).collect::<Result<_>>()?;
    let mut hashes = vec![HASH0; if plan.all.is_empty() { 0 } else { rows }];
    for &c in &plan.all {
        read_column(reader, g, c, rows)
            .map_err(bad)?
            .hash_into(&mut hashes);
    }
    let mut batch = Batch {
        label: label.to_string(),
        unit: "row",
        ..Default::default()
    };
    let mut caches = Caches::default();
    // a present column's null reads as an empty field (skipped as a CSV's would be)
    fn field(col: &Option<Vec<Option<ByteArray>>>, i: usize) -> Option<&[u8]> {
        col.as_ref()
            .map(|v| v[i].as_ref().map_or(&b""[..], ByteArray::data))
    }
    for (i, p) in points.iter().enumerate() {
        let line = start + i as u64 + 1;
        batch.summary.rows += 1;
        let (x, y) = match *p {
            geo::Point::Xy(x, y) => (x, y),
            geo::Point::Missing => {
                batch.skip(SkipReason::MissingCoordinates, line);
                continue;
            }
            geo::Point::Bad => {
                batch.skip(SkipReason::UnparsableCoordinates, line);
                continue;
            }
            geo::Point::OtherGeometry => {
                batch.skip(SkipReason::NotAPoint, line);
                continue;
            }
        };
        let row = Row {
            line,
            x: None,
            y: None,
            month: field(&month, i),
            crime_type: field(&crime_type, i),
            weight: field(&weight, i),
            id: field(&id, i),
            location: field(&location, i),
            lsoa: field(&lsoa, i),
            more: std::array::from_fn(|k| field(&more[k], i)),
            row_hash: hashes.get(i).copied().unwrap_or(0),
        };
        batch.push_xy(x, y, row, plan.lonlat, &mut caches, opts);
    }
    Ok(batch)
}
