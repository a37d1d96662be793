//! Polygon and point layers an analyst supplies: a study-area boundary, treatment areas,
//! hub locations, control areas, projected to the working CRS on reading.
//!
//! GeoJSON is WGS84 lon/lat (RFC 7946), but analysts draw intervention areas in QGIS in
//! British National Grid and export them as they are: such files carry a legacy (GeoJSON
//! 2008) `crs` member, `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}`
//! (or `"EPSG:27700"`, or the older `{"type":"EPSG","properties":{"code":27700}}`). The
//! file's CRS is, in order: the one the caller names ([`read_areas_in`]), the file's `crs`
//! member, else WGS84. A file read as WGS84 whose coordinates cannot be longitude/latitude
//! (|x| > 180 or |y| > 90) is refused, never read as such; so is a file said to be in a
//! projected CRS whose coordinates all look like degrees.

use crate::error::{Error, Result};
use crate::space::crs::{Crs, Projector, Transform};
use geo::{CoordsIter, Geometry, MapCoords, MultiPolygon};
use geojson::JsonObject;
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufReader;
use std::path::Path;

/// One feature of an areas file, geometry in the working CRS.
#[derive(Clone, Debug)]
pub struct AreaFeature {
    /// 1-based feature number in the file, for messages.
    pub number: usize,
    /// The feature's properties.
    pub properties: JsonObject,
    /// Polygon, MultiPolygon or Point, working-CRS metres.
    pub geometry: Geometry<f64>,
}

/// Where the CRS of an areas file came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrsSource {
    /// Named by the caller.
    Given,
    /// The file's legacy `crs` member.
    FileMember,
    /// Neither: WGS84 lon/lat, as RFC 7946 says.
    Default,
}

/// The CRS an areas file was read in.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SourceCrs {
    /// `EPSG:NNNN`, or `EPSG:4326` for WGS84 lon/lat (`CRS84`).
    pub crs: String,
    /// Where it came from.
    pub from: CrsSource,
}

/// Reads every feature of a GeoJSON file in WGS84 (or in the CRS of its legacy `crs`
/// member), checking each geometry is a Polygon, MultiPolygon or Point, and projects them.
pub fn read_areas(path: &Path, projector: &Projector) -> Result<Vec<AreaFeature>> {
    Ok(read_areas_in(path, projector, None)?.0)
}

/// EPSG code of a legacy GeoJSON `crs` member; `Ok(None)` when there is none.
///
/// ```
/// use harmspot::read::areas::legacy_crs_code;
/// let v: serde_json::Value = serde_json::from_str(
///     r#"{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}}"#).unwrap();
/// assert_eq!(legacy_crs_code(&v), Ok(27700));
/// let v = serde_json::json!({"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}});
/// assert_eq!(legacy_crs_code(&v), Ok(4326));
/// ```
pub fn legacy_crs_code(member: &Value) -> std::result::Result<u32, String> {
    let props = member.get("properties");
    if let Some(code) = props.and_then(|p| p.get("code")) {
        return code
            .as_u64()
            .or_else(|| code.as_str().and_then(|s| s.trim().parse().ok()))
            .and_then(|c| u32::try_from(c).ok())
            .ok_or_else(|| format!("`crs` code {code} is not an EPSG code"));
    }
    let Some(name) = props.and_then(|p| p.get("name")).and_then(Value::as_str) else {
        return Err(format!(
            "`crs` member {member} names no CRS (expected {{\"type\":\"name\",\"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}}}})"
        ));
    };
    let n = name.trim();
    let upper = n.to_ascii_uppercase();
    if upper.ends_with("CRS84") {
        return Ok(crate::space::crs::WGS84);
    }
    // urn:ogc:def:crs:EPSG::27700, urn:ogc:def:crs:EPSG:9.9:27700, EPSG:27700,
    // http://www.opengis.net/def/crs/EPSG/0/27700
    if upper.contains("EPSG") {
        if let Some(code) = n
            .rsplit([':', '/'])
            .next()
            .and_then(|c| c.trim().parse::<u32>().ok())
        {
            return Ok(code);
        }
    }
    Err(format!(
        "`crs` member names `{name}`, not an EPSG CRS (give it as urn:ogc:def:crs:EPSG::NNNN)"
    ))
}

/// Like [`read_areas`], with the file's CRS named by the caller (`crs`, overriding any `crs`
/// member). Returns the features in the working CRS and the CRS they were read in.
///
/// Errors name the file: not a FeatureCollection, a feature without geometry or of another
/// type, an unknown `crs` member, WGS84 coordinates out of range (with what to do), a
/// projected file whose coordinates all look like degrees, coordinates that cannot be
/// transformed.
pub fn read_areas_in(
    path: &Path,
    projector: &Projector,
    crs: Option<&Crs>,
) -> Result<(Vec<AreaFeature>, SourceCrs)> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let f =
        crate::model::limits::Capped::new(f, crate::model::limits::AREAS_MAX_BYTES, "areas file");
    let mut collected = Vec::new();
    let tops =
        crate::ingest::read::geojson_stream::for_each_feature(BufReader::new(f), path, |_, ft| {
            collected.push(ft);
            Ok(())
        })?;
    let mut crs_members = tops
        .iter()
        .filter_map(|t| t.get("crs"))
        .filter(|m| !m.is_null());
    let member = crs_members.next().cloned();
    if crs_members.any(|m| Some(m) != member.as_ref()) {
        return Err(Error::format(
            path,
            "holds several FeatureCollections naming different `crs` members: split it into one file per CRS",
        ));
    }
    let (file_crs, from) = match (crs, member.as_ref().filter(|m| !m.is_null())) {
        (Some(c), _) => (c.clone(), CrsSource::Given),
        (None, Some(m)) => {
            let code = legacy_crs_code(m).map_err(|why| Error::format(path, why))?;
            let c =
                Crs::epsg(code).map_err(|e| Error::format(path, format!("`crs` member: {e}")))?;
            (c, CrsSource::FileMember)
        }
        (None, None) => (Crs::epsg(crate::space::crs::WGS84)?, CrsSource::Default),
    };
    let lonlat = file_crs.code() == crate::space::crs::WGS84;
    let transform = if lonlat {
        projector.forward.clone()
    } else {
        Transform::new(&file_crs, &projector.working)?
    };
    let mut out = Vec::new();
    let mut all_degrees = true;
    for (k, feature) in collected.into_iter().enumerate() {
        let number = k + 1;
        let Some(g) = feature.geometry else {
            return Err(Error::format(
                path,
                format!("feature {number} has no geometry"),
            ));
        };
        if let Some(bad) = short_position(&g.value) {
            return Err(Error::format(
                path,
                format!("feature {number}: a position has {bad} number(s); GeoJSON positions are [longitude, latitude]"),
            ));
        }
        let geom: Geometry<f64> = Geometry::try_from(g).map_err(|e| {
            Error::format(path, format!("feature {number}: unreadable geometry: {e}"))
        })?;
        if !matches!(
            geom,
            Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Point(_)
        ) {
            return Err(Error::format(
                path,
                format!(
                    "feature {number} is a {}, expected a Polygon, MultiPolygon or Point",
                    geometry_name(&geom)
                ),
            ));
        }
        let bad = geom
            .coords_iter()
            .find(|c| !(c.x.abs() <= 180.0 && c.y.abs() <= 90.0));
        match bad {
            Some(c) if lonlat => {
                return Err(Error::format(
                    path,
                    format!(
                        "feature {number} has coordinate ({}, {}), which cannot be WGS84 longitude/latitude, and the file names no other CRS: projected coordinates (e.g. British National Grid metres) need the file's CRS, as a `crs` member in the file (for ‹areas›, ‹areas_crs› EPSG:27700 gives it too); or reproject it to EPSG:4326 (QGIS Export > Save Features As)",
                        c.x, c.y
                    ),
                ));
            }
            Some(_) => all_degrees = false,
            None => {}
        }
        let properties = feature.properties.unwrap_or_default();
        out.push((number, properties, geom));
    }
    if out.is_empty() {
        return Err(Error::format(path, "holds no features"));
    }
    if !lonlat && all_degrees {
        return Err(Error::format(
            path,
            format!(
                "every coordinate lies within ±180, ±90, as longitude/latitude would, but the file is read in {file_crs} ({}): check the file's `crs` member (or ‹areas_crs›)",
                file_crs.name()
            ),
        ));
    }
    let features = out
        .into_iter()
        .map(|(number, properties, geom)| {
            Ok(AreaFeature {
                number,
                properties,
                geometry: project_with(&geom, &transform)
                    .map_err(|e| Error::format(path, format!("feature {number}: {e}")))?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((
        features,
        SourceCrs {
            crs: file_crs.to_string(),
            from,
        },
    ))
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) | Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// Projects a lon/lat geometry to the working CRS (all coordinates in one parallel batch).
pub fn project(geom: &Geometry<f64>, projector: &Projector) -> Result<Geometry<f64>> {
    project_with(geom, &projector.forward)
}

/// Transforms a geometry's coordinates with `transform` (all in one parallel batch).
pub fn project_with(geom: &Geometry<f64>, transform: &Transform) -> Result<Geometry<f64>> {
    let src: Vec<[f64; 2]> = geom.coords_iter().map(|c| [c.x, c.y]).collect();
    let mut dst = src.clone();
    transform.apply(&mut dst);
    if dst.iter().any(|p| p[0].is_nan()) {
        return Err(Error::Crs(
            "an area's coordinates could not be projected to the working CRS".into(),
        ));
    }
    let lookup: HashMap<(u64, u64), [f64; 2]> = src
        .iter()
        .zip(&dst)
        .map(|(s, d)| ((s[0].to_bits(), s[1].to_bits()), *d))
        .collect();
    let lookup = &lookup;
    Ok(geom.map_coords(|c| {
        let p = lookup[&(c.x.to_bits(), c.y.to_bits())];
        geo::coord! { x: p[0], y: p[1] }
    }))
}

/// The length of the first position with fewer than two numbers (the `geojson` crate's
/// conversion would index past it), if any.
fn short_position(v: &geojson::GeometryValue) -> Option<usize> {
    use geojson::GeometryValue as V;
    let short = |p: &geojson::Position| (p.len() < 2).then_some(p.len());
    match v {
        V::Point { coordinates } => short(coordinates),
        V::MultiPoint { coordinates } | V::LineString { coordinates } => {
            coordinates.iter().find_map(short)
        }
        V::MultiLineString { coordinates } | V::Polygon { coordinates } => {
            coordinates.iter().flatten().find_map(short)
        }
        V::MultiPolygon { coordinates } => coordinates.iter().flatten().flatten().find_map(short),
        V::GeometryCollection { geometries } => {
            geometries.iter().find_map(|g| short_position(&g.value))
        }
    }
}

/// A study-area boundary: the union (as a MultiPolygon) of every polygon in the file (in
/// WGS84, or in the CRS of its `crs` member).
pub fn read_boundary(path: &Path, projector: &Projector) -> Result<MultiPolygon<f64>> {
    read_boundary_in(path, projector, None)
}

/// Like [`read_boundary`], with the file's CRS named by the caller.
pub fn read_boundary_in(
    path: &Path,
    projector: &Projector,
    crs: Option<&Crs>,
) -> Result<MultiPolygon<f64>> {
    let mut polys = Vec::new();
    for f in read_areas_in(path, projector, crs)?.0 {
        match f.geometry {
            Geometry::Polygon(p) => polys.push(p),
            Geometry::MultiPolygon(mp) => polys.extend(mp.0),
            _ => {
                return Err(Error::format(
                    path,
                    format!(
                        "boundary feature {} is a Point: a boundary must be polygons",
                        f.number
                    ),
                ))
            }
        }
    }
    Ok(MultiPolygon(polys))
}
