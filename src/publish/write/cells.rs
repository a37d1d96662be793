//! Writing a [`Layer`] cell by cell: GeoJSON polygons (RFC 7946) and CSV rows.
//!
//! Both show the study area only ([`crate::Grid::in_area`]). GeoJSON holds one Polygon
//! feature per study-area cell with a non-zero value in some column (every study-area cell
//! with `all_cells`), in WGS84 lon/lat, its properties the layer's columns, and a top-level
//! member `"harmspot"` holding the layer's run parameters. CSV holds one row per study-area
//! cell, zero cells included: `x,y` (the cell centre in working-CRS metres, to the
//! millimetre) and then the layer's columns. Rows and features follow cell ids (row-major,
//! from the south-west corner). Non-finite values are `null` in GeoJSON and empty in CSV.

use crate::error::Result;
use crate::model::layer::Layer;
use crate::publish::write::geojson::{decimals_of, json_num, FeatureWriter, Geom};
use crate::publish::write::write_atomic;
use crate::space::crs::Transform;
use serde_json::{Map, Value};
use std::io::Write;
use std::path::Path;

/// Cells converted to lon/lat per batch (bounds memory on very large layers).
const BATCH: usize = 65_536;

/// Whether any column of `layer` is non-zero at cell `id` (NaN counts as non-zero).
pub fn is_nonempty(layer: &Layer, id: usize) -> bool {
    layer.columns.iter().any(|(_, v)| v[id] != 0.0)
}

/// Writes `layer` as a GeoJSON FeatureCollection to `dest` (atomically) and returns the
/// number of features.
///
/// Parameters: the layer; `inverse`, the working CRS → WGS84 transformation
/// ([`crate::Projector::inverse`]); `all_cells` to write zero cells of the study area too.
///
/// Each cell's ring (closed, counter-clockwise) is projected vertex by vertex to lon/lat,
/// oriented counter-clockwise again if the projection flipped it, and written with 6
/// decimals (about 0.1 m). The collection's `"harmspot"` member is the layer's [`crate::publish::metadata()`].
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, Layer, Projector};
/// // two 100 m cells in Newcastle (British National Grid), one empty
/// let grid = Grid::from_extent(Shape::Square, 100.0, [424_500.0, 564_900.0, 424_699.0, 564_999.0]).unwrap();
/// let mut layer = Layer::new(grid);
/// layer.set("n", vec![4.0, 0.0], harmspot::disclosure::Support::Count);
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("cells.geojson");
/// let inverse = Projector::new("EPSG:27700").unwrap().inverse;
/// assert_eq!(harmspot::write::cells::write_geojson(&p, &layer, &inverse, false).unwrap(), 1);
/// let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
/// let corner = &v["features"][0]["geometry"]["coordinates"][0][0];
/// assert!((corner[0].as_f64().unwrap() + 1.619).abs() < 0.01); // longitude first
/// assert!((corner[1].as_f64().unwrap() - 54.978).abs() < 0.01);
/// ```
pub fn write_geojson(
    dest: &Path,
    layer: &Layer,
    inverse: &Transform,
    all_cells: bool,
) -> Result<u64> {
    write_geojson_where(dest, layer, inverse, |id| {
        all_cells || is_nonempty(layer, id)
    })
}

/// [`write_geojson`] for the study-area cells where `keep(id)` holds.
pub fn write_geojson_where(
    dest: &Path,
    layer: &Layer,
    inverse: &Transform,
    keep: impl Fn(usize) -> bool,
) -> Result<u64> {
    let spec = &layer.grid.spec;
    let ids: Vec<usize> = (0..spec.len())
        .filter(|&id| layer.grid.in_area[id] && keep(id))
        .collect();
    let mut members = Map::new();
    members.insert(
        "harmspot".into(),
        Value::Object(crate::publish::metadata(layer)),
    );
    let mut count = 0;
    write_atomic(dest, |w| {
        let mut fw = FeatureWriter::begin(w, &members)?.with_decimals(decimals_of(layer));
        for chunk in ids.chunks(BATCH) {
            let mut pts: Vec<[f64; 2]> = Vec::with_capacity(chunk.len() * 7);
            let mut ends = Vec::with_capacity(chunk.len());
            for &id in chunk {
                pts.extend(spec.ring(id));
                ends.push(pts.len());
            }
            inverse.apply(&mut pts);
            let mut start = 0;
            for (&id, &end) in chunk.iter().zip(&ends) {
                let ring = pts[start..end].to_vec();
                start = end;
                if ring.iter().any(|p| !p[0].is_finite()) {
                    return Err(std::io::Error::other(format!(
                        "cell centred at {:?} could not be projected to lon/lat",
                        spec.centre(id)
                    )));
                }
                let mut props = Map::new();
                for (name, v) in &layer.columns {
                    props.insert(name.clone(), json_num(v[id]));
                }
                fw.feature(&Geom::Polygon(vec![ring]).oriented(), &props)?;
            }
        }
        count = fw.count();
        fw.finish()?;
        Ok(())
    })?;
    Ok(count)
}

/// Writes `layer` as CSV to `dest` (atomically): header `x,y,<columns>`, one row per
/// study-area cell. Returns the number of rows.
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, Layer};
/// let mut layer = Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 199.0, 99.0]).unwrap());
/// layer.set("n", vec![3.0, 0.0], harmspot::disclosure::Support::Count);
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("cells.csv");
/// assert_eq!(harmspot::write::cells::write_csv(&p, &layer).unwrap(), 2);
/// assert_eq!(std::fs::read_to_string(&p).unwrap(), "x,y,n\n50,50,3\n150,50,0\n");
/// ```
pub fn write_csv(dest: &Path, layer: &Layer) -> Result<u64> {
    let spec = &layer.grid.spec;
    let mut rows = 0;
    write_atomic(dest, |w| {
        w.write_all(b"x,y")?;
        for (name, _) in &layer.columns {
            write!(w, ",{}", super::escape::csv_field(name))?;
        }
        w.write_all(b"\n")?;
        let mut line = String::new();
        for id in 0..spec.len() {
            if !layer.grid.in_area[id] {
                continue;
            }
            line.clear();
            let c = spec.centre(id);
            push_fixed(&mut line, c[0], 3);
            line.push(',');
            push_fixed(&mut line, c[1], 3);
            for (_, v) in &layer.columns {
                line.push(',');
                if v[id].is_finite() {
                    super::number::push_csv_float(&mut line, v[id]);
                }
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
            rows += 1;
        }
        Ok(())
    })?;
    Ok(rows)
}

/// Appends `v` with at most `decimals` decimals, trailing zeros removed (`-0` as `0`).
pub fn push_fixed(out: &mut String, v: f64, decimals: usize) {
    let s = format!("{v:.decimals$}");
    let t = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    out.push_str(if t == "-0" { "0" } else { t });
}
