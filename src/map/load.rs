//! Reading a result folder: its `*.geojson` files ([`geojson_files`], [`read_collection`]),
//! handed to [`build`], which makes each one a layer (`layer`: its kind from the file name
//! — `cells`, `hotspots`, `harmspots`, `areas`, `boundary`, anything else; the context file
//! is always context — its geometry checked to be WGS84 lon/lat, RFC 7946).

use super::{build, MapData, MapParams};
use crate::error::{Error, Result};
use geojson::{FeatureCollection, GeoJson};
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
/// again (`map::snapshot`).
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
