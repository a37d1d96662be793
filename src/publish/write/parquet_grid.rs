//! A grid layer as GeoParquet 1.1 (`--out NAME.parquet` of the grid verbs): one row per
//! study-area cell as the GeoJSON output has them (cells with a non-zero value, or every
//! cell with `all_cells`), the cell polygon as WKB in longitude/latitude (projected vertex
//! by vertex, counter-clockwise, as in [`super::cells::write_geojson`]), `x`/`y` the cell
//! centre in working-CRS metres, then the layer's columns as doubles (non-finite as null).
//! The layer's run parameters are the file metadata key `harmspot` (JSON).

use super::geojson::Geom;
use super::parquet::{geo_metadata, MAX_GROUP_ROWS};
use super::AtomicFile;
use crate::error::{Error, Result};
use crate::model::layer::Layer;
use crate::space::crs::Transform;
use parquet::basic::{Compression, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::path::Path;
use std::sync::Arc;

/// The schema: `x`, `y`, the layer's columns, `geometry`.
fn schema(layer: &Layer) -> parquet::errors::Result<Type> {
    let double = |name: &str, rep| {
        Type::primitive_type_builder(name, Physical::DOUBLE)
            .with_repetition(rep)
            .build()
            .map(Arc::new)
    };
    let mut fields = vec![
        double("x", Repetition::REQUIRED)?,
        double("y", Repetition::REQUIRED)?,
    ];
    for (name, _) in &layer.columns {
        fields.push(double(name, Repetition::OPTIONAL)?);
    }
    fields.push(Arc::new(
        Type::primitive_type_builder("geometry", Physical::BYTE_ARRAY)
            .with_repetition(Repetition::REQUIRED)
            .build()?,
    ));
    Type::group_type_builder("cells")
        .with_fields(fields)
        .build()
}

/// A WKB Polygon of one ring, little-endian.
fn wkb_polygon(ring: &[[f64; 2]]) -> ByteArray {
    let mut v = Vec::with_capacity(13 + 16 * ring.len());
    v.push(1u8);
    v.extend_from_slice(&3u32.to_le_bytes());
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend_from_slice(&(ring.len() as u32).to_le_bytes());
    for p in ring {
        v.extend_from_slice(&p[0].to_le_bytes());
        v.extend_from_slice(&p[1].to_le_bytes());
    }
    ByteArray::from(v)
}

/// The cells' rings in lon/lat, counter-clockwise.
fn rings(layer: &Layer, ids: &[usize], inverse: &Transform) -> std::io::Result<Vec<Vec<[f64; 2]>>> {
    let spec = &layer.grid.spec;
    ids.iter()
        .map(|&id| {
            let mut ring = spec.ring(id);
            inverse.apply(&mut ring);
            if ring.iter().any(|p| !p[0].is_finite()) {
                return Err(std::io::Error::other(format!(
                    "cell centred at {:?} could not be projected to lon/lat",
                    spec.centre(id)
                )));
            }
            Ok(match Geom::Polygon(vec![ring]).oriented() {
                Geom::Polygon(mut r) => r.swap_remove(0),
                _ => unreachable!("a polygon stays a polygon"),
            })
        })
        .collect()
}

/// Writes one row group of cells `ids`.
fn group<W: std::io::Write + Send>(
    w: &mut SerializedFileWriter<W>,
    layer: &Layer,
    ids: &[usize],
    rings: &[Vec<[f64; 2]>],
) -> parquet::errors::Result<()> {
    let spec = &layer.grid.spec;
    let mut rg = w.next_row_group()?;
    for k in 0..2 {
        let v: Vec<f64> = ids.iter().map(|&id| spec.centre(id)[k]).collect();
        let mut col = rg.next_column()?.expect("schema column");
        col.typed::<DoubleType>().write_batch(&v, None, None)?;
        col.close()?;
    }
    for (_, values) in &layer.columns {
        let vals: Vec<f64> = ids
            .iter()
            .map(|&id| values[id])
            .filter(|v| v.is_finite())
            .collect();
        let defs: Vec<i16> = ids
            .iter()
            .map(|&id| i16::from(values[id].is_finite()))
            .collect();
        let mut col = rg.next_column()?.expect("schema column");
        col.typed::<DoubleType>()
            .write_batch(&vals, Some(&defs), None)?;
        col.close()?;
    }
    let geom: Vec<ByteArray> = rings.iter().map(|r| wkb_polygon(r)).collect();
    let mut col = rg.next_column()?.expect("schema column");
    col.typed::<ByteArrayType>()
        .write_batch(&geom, None, None)?;
    col.close()?;
    rg.close()?;
    Ok(())
}

/// Writes `layer` as GeoParquet to `dest` (atomically) and returns the number of cells.
///
/// Parameters as [`super::cells::write_geojson`]: `inverse` the working CRS → WGS84
/// transformation, `all_cells` to write zero cells of the study area too.
pub fn write_grid_geoparquet(
    dest: &Path,
    layer: &Layer,
    inverse: &Transform,
    all_cells: bool,
) -> Result<u64> {
    let ids: Vec<usize> = (0..layer.grid.spec.len())
        .filter(|&id| layer.grid.in_area[id] && (all_cells || super::cells::is_nonempty(layer, id)))
        .collect();
    let rings = rings(layer, &ids, inverse).map_err(|e| Error::io(dest, e))?;
    let pts: Vec<[f64; 2]> = rings.iter().flatten().copied().collect();
    let bbox = crate::model::incident::bbox(&pts);
    let pq = |e: parquet::errors::ParquetError| Error::io(dest, std::io::Error::other(e));
    let schema = Arc::new(schema(layer).map_err(|e| {
        Error::param(
            crate::Param::Out,
            format!("a column name cannot be written to Parquet: {e}"),
        )
    })?);
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("harmspot {}", env!("CARGO_PKG_VERSION")))
        .build();
    let meta = serde_json::Value::Object(crate::publish::metadata(layer)).to_string();
    let mut file = AtomicFile::create(dest)?;
    {
        let mut w =
            SerializedFileWriter::new(file.writer(), schema, Arc::new(props)).map_err(pq)?;
        for (ids, rings) in ids.chunks(MAX_GROUP_ROWS).zip(rings.chunks(MAX_GROUP_ROWS)) {
            group(&mut w, layer, ids, rings).map_err(pq)?;
        }
        w.append_key_value_metadata(KeyValue::new("geo".into(), geo_metadata("Polygon", bbox)));
        w.append_key_value_metadata(KeyValue::new("harmspot".into(), meta));
        w.close().map_err(pq)?;
    }
    file.commit()?;
    Ok(ids.len() as u64)
}
