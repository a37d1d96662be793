//! Reading a result folder: its `*.geojson` files ([`geojson_files`], [`read_collection`]),
//! each one a layer whose kind its file name gives (`cells`, `hotspots`, `harmspots`,
//! `areas`, `boundary`, anything else; the context file is always context), its geometry
//! checked to be WGS84 lon/lat (RFC 7946) and its properties put in display order.

use super::{
    build, style::GENERIC, Geometry, LayerKind, MapData, MapFeature, MapLayer, MapParams,
    GENERIC_MAX_SHOWN,
};
use crate::error::{Error, Result};
use geojson::{FeatureCollection, GeoJson, GeometryValue};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Lists the `*.geojson` files at the top of `dir`, sorted by name (hidden files skipped).
pub fn geojson_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let md = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !md.is_dir() {
        return Err(Error::param(
            crate::Param::ResultDir,
            format!(
                "`{}` is not a folder: give the folder a harmspot verb wrote its GeoJSON layers to",
                dir.display()
            ),
        ));
    }
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && name.to_ascii_lowercase().ends_with(".geojson") && p.is_file()
        {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::param(
            crate::Param::ResultDir,
            format!(
                "`{}` holds no *.geojson file: expected hotspots.geojson, cells.geojson, areas.geojson or other GeoJSON layers written by a harmspot verb",
                dir.display()
            ),
        ));
    }
    Ok(files)
}

/// Reads a GeoJSON file as a FeatureCollection (a lone Feature or Geometry becomes a
/// collection of one).
pub fn read_collection(path: &Path) -> Result<FeatureCollection> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let gj = GeoJson::from_reader(std::io::BufReader::new(f))
        .map_err(|e| Error::format(path, format!("not valid GeoJSON: {e}")))?;
    Ok(match gj {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(f) => FeatureCollection {
            bbox: None,
            features: vec![f],
            foreign_members: None,
        },
        GeoJson::Geometry(g) => FeatureCollection {
            bbox: None,
            features: vec![geojson::Feature {
                geometry: Some(g),
                ..Default::default()
            }],
            foreign_members: None,
        },
    })
}

/// Reads every layer of a result folder and builds the map ([`geojson_files`],
/// [`read_collection`], [`build`]).
///
/// Errors: the folder is missing or holds no `*.geojson`; a file is not GeoJSON; a
/// coordinate is not lon/lat; no layer has a feature.
///
/// The layers are one run's: a folder replaced by another run while it is read is read
/// again ([`super::snapshot`]).
pub fn load(dir: &Path, params: &MapParams) -> Result<MapData> {
    let mut inputs = super::snapshot::read_consistent(dir, || {
        let files = geojson_files(dir)?;
        let mut inputs = Vec::with_capacity(files.len());
        for p in files {
            let fc = read_collection(&p)?;
            inputs.push((p, fc));
        }
        Ok(inputs)
    })?;
    if let Some(c) = &params.context {
        inputs.push((c.clone(), read_collection(c)?));
    }
    let mut params = params.clone();
    if params.title.is_none() {
        params.title = super::title::default_title(dir);
    }
    if params.title.is_none() {
        let name = std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir.display().to_string());
        params.title = Some(format!("harmspot map: {name}"));
    }
    build(inputs, &params)
}

/// Reads one parsed file as a layer: its kind (from the file stem; the context file of
/// `params` is always [`LayerKind::Context`]), an id unique among `layers`, a title, a colour
/// (the next of [`GENERIC`] for a generic layer, counted in `generic`) and the features that
/// have a geometry.
pub(crate) fn layer_of(
    path: &Path,
    fc: &FeatureCollection,
    params: &MapParams,
    layers: &[MapLayer],
    generic: &mut usize,
) -> Result<MapLayer> {
    let file = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = file
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or(file.clone());
    let kind = if params.context.as_deref() == Some(path) {
        LayerKind::Context
    } else {
        kind_of(&stem)
    };
    let mut id = slug(&stem);
    while layers
        .iter()
        .any(|l: &MapLayer| l.id == id || format!("{}-gistar", l.id) == id)
    {
        id.push_str("-2");
    }
    let colour = if kind == LayerKind::Other {
        *generic += 1;
        GENERIC[(*generic - 1) % GENERIC.len()]
    } else {
        [0; 3]
    };
    let title = match kind {
        LayerKind::Cells => "Grid cells".to_string(),
        LayerKind::Hotspots => "Hotspots".to_string(),
        LayerKind::HarmSpots => "Harm spots".to_string(),
        LayerKind::Context => stem.clone(),
        LayerKind::Areas => "Areas".to_string(),
        LayerKind::Other => stem.clone(),
    };
    let mut features = Vec::with_capacity(fc.features.len());
    let mut skipped = 0;
    for (i, f) in fc.features.iter().enumerate() {
        let mut parts = Vec::new();
        if let Some(g) = &f.geometry {
            geometries_of(g, &mut parts, path, i)?;
        }
        if parts.is_empty() {
            skipped += 1;
            continue;
        }
        let properties = ordered(f.properties.as_ref(), f.id.as_ref());
        features.push(MapFeature {
            parts,
            properties,
            fill: None,
            gi: None,
            role: None,
            label: None,
        });
    }
    let run = fc
        .foreign_members
        .as_ref()
        .and_then(|m| m.get("harmspot"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(MapLayer {
        id,
        file,
        kind,
        title,
        colour,
        shown: kind != LayerKind::Other || features.len() <= GENERIC_MAX_SHOWN,
        features,
        skipped,
        params: run,
    })
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() {
        "layer".into()
    } else {
        t
    }
}

fn field_err(path: &Path, feature: usize, field: &str, reason: impl Into<String>) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line: feature as u64 + 1,
        field: field.into(),
        reason: reason.into(),
    }
}

/// Converts a GeoJSON geometry to drawable parts, checking every position is lon/lat.
fn geometries_of(
    g: &geojson::Geometry,
    out: &mut Vec<Geometry>,
    path: &Path,
    feature: usize,
) -> Result<()> {
    let pos = |p: &geojson::Position| -> Result<[f64; 2]> {
        let s = p.as_slice();
        if s.len() < 2 {
            return Err(field_err(
                path,
                feature,
                "geometry",
                "a position has fewer than 2 numbers",
            ));
        }
        let (x, y) = (s[0], s[1]);
        if !(x.is_finite()
            && y.is_finite()
            && (-180.0..=180.0).contains(&x)
            && (-90.0..=90.0).contains(&y))
        {
            return Err(field_err(
                path,
                feature,
                "geometry",
                format!("position [{x}, {y}] is not WGS84 lon/lat: GeoJSON must be in EPSG:4326 (RFC 7946), not a projected CRS"),
            ));
        }
        Ok([x, y])
    };
    let line = |ps: &[geojson::Position]| ps.iter().map(pos).collect::<Result<Vec<_>>>();
    let polygon = |rings: &[Vec<geojson::Position>]| -> Result<Option<Geometry>> {
        let rs: Vec<Vec<[f64; 2]>> = rings.iter().map(|r| line(r)).collect::<Result<_>>()?;
        let rs: Vec<_> = rs.into_iter().filter(|r| r.len() >= 3).collect();
        Ok((!rs.is_empty()).then_some(Geometry::Polygon(rs)))
    };
    match &g.value {
        GeometryValue::Point { coordinates } => out.push(Geometry::Point(pos(coordinates)?)),
        GeometryValue::MultiPoint { coordinates } => {
            for p in coordinates {
                out.push(Geometry::Point(pos(p)?));
            }
        }
        GeometryValue::LineString { coordinates } => out.push(Geometry::Line(line(coordinates)?)),
        GeometryValue::MultiLineString { coordinates } => {
            for l in coordinates {
                out.push(Geometry::Line(line(l)?));
            }
        }
        GeometryValue::Polygon { coordinates } => out.extend(polygon(coordinates)?),
        GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.extend(polygon(p)?);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                geometries_of(g, out, path, feature)?;
            }
        }
    }
    Ok(())
}

/// Properties in display order: `id`, `rank`, `name`, `role` first, then alphabetical.
fn ordered(
    props: Option<&Map<String, Value>>,
    id: Option<&geojson::feature::Id>,
) -> Vec<(String, Value)> {
    const FIRST: [&str; 4] = ["id", "rank", "name", "role"];
    let mut out: Vec<(String, Value)> = Vec::new();
    let empty = Map::new();
    let props = props.unwrap_or(&empty);
    if !props.contains_key("id") {
        if let Some(id) = id {
            let v = match id {
                geojson::feature::Id::String(s) => Value::String(s.clone()),
                geojson::feature::Id::Number(n) => Value::Number(n.clone()),
            };
            out.push(("id".into(), v));
        }
    }
    for k in FIRST {
        if let Some(v) = props.get(k) {
            out.push((k.to_string(), v.clone()));
        }
    }
    let mut rest: Vec<_> = props
        .iter()
        .filter(|(k, _)| !FIRST.contains(&k.as_str()))
        .collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    out.extend(rest.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

fn kind_of(stem: &str) -> LayerKind {
    match stem.to_ascii_lowercase().as_str() {
        "cells" => LayerKind::Cells,
        "hotspots" => LayerKind::Hotspots,
        "harmspots" => LayerKind::HarmSpots,
        "boundary" => LayerKind::Context,
        "areas" => LayerKind::Areas,
        _ => LayerKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_kinds() {
        assert_eq!(slug("My Layer (2)"), "my-layer-2");
        assert_eq!(slug("***"), "layer");
        assert_eq!(kind_of("Cells"), LayerKind::Cells);
        assert_eq!(kind_of("HARMSPOTS"), LayerKind::HarmSpots);
        assert_eq!(kind_of("boundary"), LayerKind::Context);
        assert_eq!(kind_of("stations"), LayerKind::Other);
    }
}
