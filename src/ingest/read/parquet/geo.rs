//! GeoParquet's `geo` file metadata (GeoParquet 1.1 §"File metadata") and WKB Points
//! (OGC Simple Features 1.2.1 §8.2: byte order, type, then x and y as IEEE doubles; the ISO
//! `1000`s and EWKB's high bits mark Z, M and SRID, read here as 2D).

use crate::error::{Error, Result};
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The `geo` metadata, as far as a point reader needs it.
#[derive(Deserialize)]
struct GeoMeta {
    primary_column: String,
    columns: BTreeMap<String, GeoColumn>,
}

#[derive(Deserialize)]
struct GeoColumn {
    encoding: String,
    /// Absent: OGC:CRS84. `null`: unknown.
    #[serde(default, deserialize_with = "present")]
    crs: Option<serde_json::Value>,
}

/// Tells an absent `crs` (`None`) from an explicit `null` (`Some(Null)`).
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<serde_json::Value>, D::Error> {
    serde_json::Value::deserialize(d).map(Some)
}

/// Whether a PROJJSON (or `AUTHORITY:CODE` text) CRS has longitude/latitude degrees on
/// WGS84 or ETRS89 (OGC:CRS84, EPSG:4326, 4258, 4979, 4937), or is any geographic CRS.
fn lonlat_crs(crs: &serde_json::Value) -> bool {
    let named = |auth: &str, code: &str| {
        matches!(
            (
                auth.to_ascii_uppercase().as_str(),
                code.to_ascii_uppercase().as_str()
            ),
            ("OGC", "CRS84" | "CRS84H") | ("EPSG", "4326" | "4258" | "4979" | "4937")
        )
    };
    match crs {
        serde_json::Value::String(s) => s.split_once(':').is_some_and(|(a, c)| named(a, c)),
        serde_json::Value::Object(o) => {
            let id = o.get("id").or_else(|| o.get("ids").and_then(|v| v.get(0)));
            let by_id = id.is_some_and(|id| {
                let code = match id.get("code") {
                    Some(serde_json::Value::Number(n)) => n.to_string(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    _ => String::new(),
                };
                named(
                    id.get("authority").and_then(|a| a.as_str()).unwrap_or(""),
                    &code,
                )
            });
            by_id || o.get("type").and_then(|t| t.as_str()) == Some("GeographicCRS")
        }
        _ => false,
    }
}

/// The primary geometry column named by the `geo` metadata (`None` without it), after
/// checking it is WKB in lon/lat.
pub(super) fn geometry_column(
    reader: &SerializedFileReader<bytes::Bytes>,
    path: &Path,
) -> Result<Option<String>> {
    let kv = reader.metadata().file_metadata().key_value_metadata();
    let Some(text) = kv
        .into_iter()
        .flatten()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.as_deref())
    else {
        return Ok(None);
    };
    let meta: GeoMeta = serde_json::from_str(text).map_err(|e| {
        Error::format(
            path,
            format!("the GeoParquet `geo` metadata is not valid: {e}"),
        )
    })?;
    let name = meta.primary_column;
    let col = meta.columns.get(&name).ok_or_else(|| {
        Error::format(
            path,
            format!("the `geo` metadata's primary column `{name}` is not among its columns"),
        )
    })?;
    if !col.encoding.eq_ignore_ascii_case("WKB") {
        return Err(Error::format(
            path,
            format!(
                "geometry column `{name}` is encoded `{}`; harmspot reads WKB geometry, or give lon/lat columns with ‹lon_col›/‹lat_col›",
                col.encoding
            ),
        ));
    }
    match &col.crs {
        None => {}
        Some(crs) if lonlat_crs(crs) => {}
        Some(crs) => {
            let what = crs
                .get("name")
                .and_then(|n| n.as_str())
                .map_or_else(|| crs.to_string(), str::to_string);
            return Err(Error::format(
                path,
                format!(
                    "geometry column `{name}` is in CRS `{what}`; harmspot reads GeoParquet geometry in longitude/latitude (OGC:CRS84): give projected x/y columns with ‹x_col›/‹y_col› ‹crs›, or convert the file to lon/lat"
                ),
            ));
        }
    }
    Ok(Some(name))
}

/// A row's location.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Point {
    Xy(f64, f64),
    /// Null, empty, or an empty point (NaN coordinates).
    Missing,
    /// Not a number, or WKB that cannot be read.
    Bad,
    /// A geometry other than a Point.
    OtherGeometry,
}

impl Point {
    /// From coordinate columns (`None` null or empty, NaN unparsable).
    pub(super) fn from_xy(x: Option<f64>, y: Option<f64>) -> Point {
        match (x, y) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Point::Xy(x, y),
            (Some(_), Some(_)) => Point::Bad,
            _ => Point::Missing,
        }
    }
}

/// Reads a WKB (ISO or EWKB) geometry as a 2D point.
pub(super) fn point(wkb: Option<&[u8]>) -> Point {
    let Some(b) = wkb.filter(|b| !b.is_empty()) else {
        return Point::Missing;
    };
    let little = match b[0] {
        0 => false,
        1 => true,
        _ => return Point::Bad,
    };
    let word = |at: usize| -> Option<[u8; 8]> { b.get(at..at + 8)?.try_into().ok() };
    let Some(t) = b.get(1..5).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
        return Point::Bad;
    };
    let t = if little {
        u32::from_le_bytes(t)
    } else {
        u32::from_be_bytes(t)
    };
    let srid = t & 0x2000_0000 != 0;
    let base = (t & 0x0fff_ffff) % 1000;
    if base != 1 {
        return if (1..=17).contains(&base) {
            Point::OtherGeometry
        } else {
            Point::Bad
        };
    }
    let at = if srid { 9 } else { 5 };
    let num = |w: [u8; 8]| {
        if little {
            f64::from_le_bytes(w)
        } else {
            f64::from_be_bytes(w)
        }
    };
    match (word(at), word(at + 8)) {
        (Some(x), Some(y)) => {
            let (x, y) = (num(x), num(y));
            if x.is_nan() && y.is_nan() {
                Point::Missing
            } else if x.is_finite() && y.is_finite() {
                Point::Xy(x, y)
            } else {
                Point::Bad
            }
        }
        _ => Point::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wkb(little: bool, t: u32, extra: &[u8], x: f64, y: f64) -> Vec<u8> {
        let mut v = vec![u8::from(little)];
        let be = |v: &mut Vec<u8>, b: &[u8]| {
            v.extend(if little {
                b.to_vec()
            } else {
                b.iter().rev().copied().collect()
            })
        };
        be(&mut v, &t.to_le_bytes());
        v.extend_from_slice(extra);
        be(&mut v, &x.to_le_bytes());
        be(&mut v, &y.to_le_bytes());
        v
    }

    #[test]
    fn points_in_every_byte_order_and_flavour() {
        assert_eq!(
            point(Some(&wkb(true, 1, &[], -1.5, 54.9))),
            Point::Xy(-1.5, 54.9)
        );
        assert_eq!(
            point(Some(&wkb(false, 1, &[], -1.5, 54.9))),
            Point::Xy(-1.5, 54.9)
        );
        // ISO Point Z (1001) and EWKB Point with SRID 4326
        assert_eq!(
            point(Some(&wkb(true, 1001, &[], 2.0, 3.0))),
            Point::Xy(2.0, 3.0)
        );
        let ewkb = wkb(true, 0x2000_0001, &4326u32.to_le_bytes(), 2.0, 3.0);
        assert_eq!(point(Some(&ewkb)), Point::Xy(2.0, 3.0));
    }

    #[test]
    fn empty_other_and_broken_geometries() {
        assert_eq!(point(None), Point::Missing);
        assert_eq!(
            point(Some(&wkb(true, 1, &[], f64::NAN, f64::NAN))),
            Point::Missing
        );
        assert_eq!(
            point(Some(&wkb(true, 3, &[], 0.0, 0.0))),
            Point::OtherGeometry
        );
        assert_eq!(point(Some(&[1, 1, 0, 0, 0, 0])), Point::Bad);
        assert_eq!(point(Some(&[7])), Point::Bad);
    }

    #[test]
    fn lon_lat_crs_by_id_or_kind() {
        let crs84 = serde_json::json!({"type": "GeographicCRS", "id": {"authority": "OGC", "code": "CRS84"}});
        let bng = serde_json::json!({"type": "ProjectedCRS", "name": "OSGB36 / British National Grid", "id": {"authority": "EPSG", "code": 27700}});
        assert!(lonlat_crs(&crs84) && lonlat_crs(&serde_json::json!("EPSG:4326")));
        assert!(!lonlat_crs(&bng) && !lonlat_crs(&serde_json::Value::Null));
    }
}
