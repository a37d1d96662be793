//! CSV extracts: the police.uk street-level layout, detected by its header, or named columns.

use super::{CoordColumns, ReadOptions};
use crate::error::{Error, Result};
use std::io::BufRead;
use std::path::Path;

const POLICE_UK: [&str; 4] = ["Longitude", "Latitude", "Month", "Crime type"];

/// Where the fields of a file are, found from its header.
#[derive(Debug)]
pub(super) struct Layout {
    pub x: usize,
    pub y: usize,
    pub month: Option<usize>,
    pub crime_type: Option<usize>,
    pub weight: Option<usize>,
    pub id: Option<usize>,
    pub location: Option<usize>,
    pub lsoa: Option<usize>,
    pub lonlat: bool,
    pub format: &'static str,
    /// Number of header fields.
    pub fields: usize,
    /// The header's x field, to recognise a header repeated inside the file.
    pub header_x: Vec<u8>,
    /// The other police.uk columns, found only with `keep_records` (`convert`).
    pub more: [Option<usize>; 5],
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

fn require(header: &[String], name: &str, flag: crate::Param, path: &Path) -> Result<usize> {
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

pub(super) fn layout(header: &[String], path: &Path, opts: &ReadOptions) -> Result<Layout> {
    let c = &opts.columns;
    let optional =
        |given: &Option<String>, default: &str, flag: crate::Param| -> Result<Option<usize>> {
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
                            "; the header reads as a single column but contains {d:?}: is the file {d:?}-delimited? (‹delimiter›)"
                        );
                    }
                } else {
                    msg += "; for your own extract name the columns with ‹lon_col›/‹lat_col› or ‹x_col›/‹y_col› ‹crs›";
                }
                return Err(Error::format(path, msg));
            }
            let x = require(header, "Longitude", crate::Param::LonCol, path)?;
            let y = require(header, "Latitude", crate::Param::LatCol, path)?;
            (x, y, true, "police.uk")
        }
        Some(CoordColumns::LonLat { lon, lat }) => (
            require(header, lon, crate::Param::LonCol, path)?,
            require(header, lat, crate::Param::LatCol, path)?,
            true,
            "csv",
        ),
        Some(CoordColumns::Projected { x, y, .. }) => (
            require(header, x, crate::Param::XCol, path)?,
            require(header, y, crate::Param::YCol, path)?,
            false,
            "csv",
        ),
    };
    Ok(Layout {
        x,
        y,
        month: optional(&c.month, "Month", crate::Param::MonthCol)?,
        crime_type: optional(&c.crime_type, "Crime type", crate::Param::TypeCol)?,
        weight: c
            .weight
            .as_ref()
            .map(|w| require(header, w, crate::Param::WeightCol, path))
            .transpose()?,
        id: optional(&c.id, "Crime ID", crate::Param::IdCol)?,
        location: optional(&c.location, "Location", crate::Param::LocationCol)?,
        lsoa: optional(&c.lsoa, "LSOA name", crate::Param::LsoaCol)?,
        lonlat,
        format,
        fields: header.len(),
        header_x: header[x].as_bytes().to_vec(),
        more: super::keep::more_columns(header, opts),
    })
}

/// Peeks the first bytes to refuse files that are plainly not CSV, and skips a UTF-8 BOM.
pub(super) fn sniff(reader: &mut impl BufRead, path: &Path) -> Result<()> {
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
