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

use super::batch::{Batch, Caches, Row, HASH0};
use super::{CoordColumns, ReadOptions};
use crate::error::{Error, Result};
use crate::model::incident::{FileSummary, SkipReason};
use crate::model::progress::{CountingReader, Digest, Progress};
use column::Values;
use pages::Strings;
use parquet::file::reader::{FileReader, SerializedFileReader};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

mod column;
mod geo;
mod pages;

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
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
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

/// A text column as the reader maps it: `None` when the file has no such column, or when
/// every row of the group is null (a harmspot file written from an extract without it).
fn text(cols: &HashMap<usize, Values>, c: Option<usize>) -> Option<Cow<'_, Strings>> {
    let s = match cols.get(&c?)? {
        Values::Text(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_text()),
    };
    s.rows.iter().any(|&k| k != pages::NULL).then_some(s)
}

/// A present column's null reads as an empty field (skipped as a CSV's would be).
fn field<'a>(col: &'a Option<Cow<'_, Strings>>, i: usize) -> Option<&'a [u8]> {
    col.as_ref().map(|s| s.get(i).unwrap_or_default())
}

/// The location of each row of the group.
fn points(cols: &HashMap<usize, Values>, coords: Coords) -> Option<Vec<geo::Point>> {
    Some(match coords {
        Coords::Wkb(c) => {
            let Values::Text(s) = cols.get(&c)? else {
                return None;
            };
            let each: Vec<geo::Point> = (0..s.values() as u32)
                .map(|k| geo::point(Some(s.value(k))))
                .collect();
            s.rows
                .iter()
                .map(|&k| each.get(k as usize).copied().unwrap_or(geo::Point::Missing))
                .collect()
        }
        Coords::Xy(x, y) => {
            let (xs, ys) = (cols.get(&x)?.to_coords(), cols.get(&y)?.to_coords());
            xs.into_iter()
                .zip(ys)
                .map(|(x, y)| geo::Point::from_xy(x, y))
                .collect()
        }
    })
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
    let roles = [
        plan.month,
        plan.crime_type,
        plan.weight,
        plan.id,
        plan.location,
        plan.lsoa,
    ];
    let geometry = match plan.coords {
        Coords::Wkb(c) => [Some(c), None],
        Coords::Xy(x, y) => [Some(x), Some(y)],
    };
    let mut cols: HashMap<usize, Values> = HashMap::new();
    for c in plan
        .all
        .iter()
        .copied()
        .chain(roles.into_iter().chain(plan.more).chain(geometry).flatten())
    {
        if let std::collections::hash_map::Entry::Vacant(e) = cols.entry(c) {
            e.insert(column::read(reader, g, c, rows).map_err(bad)?);
        }
    }
    let points = points(&cols, plan.coords)
        .ok_or_else(|| Error::format(path, "the geometry column is not binary WKB"))?;
    let mut hashes = vec![HASH0; if plan.all.is_empty() { 0 } else { rows }];
    for c in &plan.all {
        cols[c].hash_into(&mut hashes);
    }
    let [month, crime_type, weight, id, location, lsoa] = roles.map(|c| text(&cols, c));
    let weight = weight.or_else(|| plan.weight.map(|_| Cow::Owned(Strings::default())));
    let more = plan.more.map(|c| text(&cols, c));
    let mut batch = Batch {
        label: label.to_string(),
        unit: "row",
        ..Default::default()
    };
    let mut caches = Caches::default();
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
