//! Polygon and point layers an analyst supplies: a study-area boundary, treatment areas,
//! hub locations, control areas. GeoJSON in WGS84 lon/lat (RFC 7946), projected to the
//! working CRS on reading.

use crate::crs::Projector;
use crate::error::{Error, Result};
use geo::{CoordsIter, Geometry, MapCoords, MultiPolygon};
use geojson::{FeatureReader, JsonObject};
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

/// Reads every feature of a GeoJSON file, checking that coordinates are lon/lat and that
/// each geometry is a Polygon, MultiPolygon or Point, and projects them.
pub fn read_areas(path: &Path, projector: &Projector) -> Result<Vec<AreaFeature>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let f = crate::limits::Capped::new(f, crate::limits::AREAS_MAX_BYTES, "areas file");
    let mut out = Vec::new();
    for (k, feature) in FeatureReader::from_reader(BufReader::new(f))
        .features()
        .enumerate()
    {
        let number = k + 1;
        let feature = feature.map_err(|e| {
            Error::format(
                path,
                format!("not a GeoJSON FeatureCollection (at feature {number}): {e}"),
            )
        })?;
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
        if let Some(c) = bad {
            return Err(Error::format(
                path,
                format!(
                    "feature {number} has coordinate ({}, {}), not WGS84 lon/lat: GeoJSON must be in EPSG:4326 (RFC 7946); reproject it (e.g. QGIS Export > Save Features As, CRS EPSG:4326)",
                    c.x, c.y
                ),
            ));
        }
        out.push(AreaFeature {
            number,
            properties: feature.properties.unwrap_or_default(),
            geometry: project(&geom, projector)?,
        });
    }
    if out.is_empty() {
        return Err(Error::format(path, "holds no features"));
    }
    Ok(out)
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
    let src: Vec<[f64; 2]> = geom.coords_iter().map(|c| [c.x, c.y]).collect();
    let mut dst = src.clone();
    projector.forward.apply(&mut dst);
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

/// A study-area boundary: the union (as a MultiPolygon) of every polygon in the file.
pub fn read_boundary(path: &Path, projector: &Projector) -> Result<MultiPolygon<f64>> {
    let mut polys = Vec::new();
    for f in read_areas(path, projector)? {
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
