//! GeoParquet 1.1 incident files (<https://geoparquet.org/releases/v1.1.0/>): the police.uk
//! columns typed (text as UTF-8 strings, coordinates as doubles), a `geometry` column of
//! WKB Points (OGC Simple Features 1.2.1 §8.2, little-endian, 21 bytes) in longitude and
//! latitude, and the file-level `geo` metadata with its CRS (OGC:CRS84 as PROJJSON) and
//! bounding box. One row group per month (months over [`MAX_GROUP_ROWS`] split), snappy
//! compressed, dictionary-encoded (police.uk snaps incidents to shared map points); written atomically ([`super::AtomicFile`]).

use super::AtomicFile;
use crate::error::{Error, Result};
use crate::model::incident::Incidents;
use crate::model::month::Month;
use crate::model::records::{Records, Texts, MORE_NAMES};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::types::ColumnPath;
use std::path::Path;
use std::sync::Arc;

/// Most rows in one row group: a month with more is split.
pub const MAX_GROUP_ROWS: usize = 1 << 20;

/// OGC:CRS84 (WGS84, longitude then latitude, degrees) as PROJJSON.
const CRS84: &str = r#"{"$schema":"https://proj.org/schemas/v0.7/projjson.schema.json","type":"GeographicCRS","name":"WGS 84 (CRS84)","datum":{"type":"GeodeticReferenceFrame","name":"World Geodetic System 1984","ellipsoid":{"name":"WGS 84","semi_major_axis":6378137,"inverse_flattening":298.257223563}},"coordinate_system":{"subtype":"ellipsoidal","axis":[{"name":"Geodetic longitude","abbreviation":"Lon","direction":"east","unit":"degree"},{"name":"Geodetic latitude","abbreviation":"Lat","direction":"north","unit":"degree"}]},"id":{"authority":"OGC","code":"CRS84"}}"#;

/// What was written.
#[derive(Clone, Debug, PartialEq)]
pub struct GeoParquetWritten {
    /// Rows written.
    pub rows: usize,
    /// Row groups written (one per month, more for months over [`MAX_GROUP_ROWS`]).
    pub row_groups: usize,
    /// `[west, south, east, north]` in degrees, `None` when empty.
    pub bbox: Option<[f64; 4]>,
}

/// The `geo` metadata value for a file of `kind` geometries (`Point`, `Polygon`) within
/// `bbox` (GeoParquet 1.1).
pub fn geo_metadata(kind: &str, bbox: Option<[f64; 4]>) -> String {
    let crs: serde_json::Value = serde_json::from_str(CRS84).expect("valid PROJJSON");
    let mut col = serde_json::json!({
        "encoding": "WKB",
        "geometry_types": [kind],
        "crs": crs,
    });
    if let Some(b) = bbox {
        col["bbox"] = serde_json::json!(b);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": "geometry",
        "columns": { "geometry": col },
    })
    .to_string()
}

/// The Parquet schema: the police.uk columns in their order, then `weight` if given, then
/// the geometry.
fn schema(weight: Option<&str>) -> parquet::errors::Result<parquet::schema::types::TypePtr> {
    use parquet::basic::{LogicalType, Repetition, Type as Physical};
    use parquet::schema::types::Type;
    let field = |name: &str, physical, rep, text: bool| {
        let t = Type::primitive_type_builder(name, physical).with_repetition(rep);
        let t = if text {
            t.with_logical_type(Some(LogicalType::String))
        } else {
            t
        };
        t.build().map(Arc::new)
    };
    let text = |name: &str| field(name, Physical::BYTE_ARRAY, Repetition::OPTIONAL, true);
    let double = |name: &str| field(name, Physical::DOUBLE, Repetition::REQUIRED, false);
    let mut fields = vec![
        text("crime_id")?,
        text("month")?,
        text(MORE_NAMES[0])?,
        text(MORE_NAMES[1])?,
    ];
    fields.extend([double("longitude")?, double("latitude")?]);
    for name in [
        "location",
        MORE_NAMES[2],
        "lsoa_name",
        "crime_type",
        MORE_NAMES[3],
        MORE_NAMES[4],
    ] {
        fields.push(text(name)?);
    }
    if let Some(w) = weight {
        if fields
            .iter()
            .any(|f| f.name().eq_ignore_ascii_case(w.trim()))
            || w == "geometry"
        {
            return Err(parquet::errors::ParquetError::General(format!(
                "`{w}` is also a police.uk column of the file"
            )));
        }
        fields.push(double(w)?);
    }
    fields.push(field(
        "geometry",
        Physical::BYTE_ARRAY,
        Repetition::REQUIRED,
        false,
    )?);
    Type::group_type_builder("incidents")
        .with_fields(fields)
        .build()
        .map(Arc::new)
}

/// A WKB Point, little-endian.
fn wkb(p: [f64; 2]) -> ByteArray {
    let mut v = Vec::with_capacity(21);
    v.push(1u8);
    v.extend_from_slice(&1u32.to_le_bytes());
    v.extend_from_slice(&p[0].to_le_bytes());
    v.extend_from_slice(&p[1].to_le_bytes());
    ByteArray::from(v)
}

/// Rows in file order: by month (unknown first), input order within a month, split into
/// groups of at most [`MAX_GROUP_ROWS`].
fn groups(month: &[Month]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..month.len()).collect();
    order.sort_by_key(|&i| month[i]);
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match out.last_mut() {
            Some(g) if month[g[0]] == month[i] && g.len() < MAX_GROUP_ROWS => g.push(i),
            _ => out.push(vec![i]),
        }
    }
    out
}

/// Everything a row group's columns are made from.
struct Source<'a> {
    inc: &'a Incidents,
    rec: &'a Records,
    lonlat: &'a [[f64; 2]],
    weight: bool,
    types: Vec<ByteArray>,
    locations: Vec<ByteArray>,
    lsoas: Vec<ByteArray>,
}

/// Writes one text column: values of the rows, empty ones as null.
fn text_column<W: std::io::Write + Send>(
    rg: &mut SerializedRowGroupWriter<'_, W>,
    rows: &[usize],
    value: impl Fn(usize) -> Option<ByteArray>,
) -> parquet::errors::Result<()> {
    let mut vals = Vec::with_capacity(rows.len());
    let mut defs = Vec::with_capacity(rows.len());
    for &i in rows {
        match value(i) {
            Some(v) if !v.is_empty() => {
                vals.push(v);
                defs.push(1);
            }
            _ => defs.push(0),
        }
    }
    let mut col = rg.next_column()?.expect("schema column");
    col.typed::<ByteArrayType>()
        .write_batch(&vals, Some(&defs), None)?;
    col.close()
}

fn double_column<W: std::io::Write + Send>(
    rg: &mut SerializedRowGroupWriter<'_, W>,
    vals: &[f64],
) -> parquet::errors::Result<()> {
    let mut col = rg.next_column()?.expect("schema column");
    col.typed::<DoubleType>().write_batch(vals, None, None)?;
    col.close()
}

/// Writes the rows `rows` as one row group, columns in schema order.
fn row_group<W: std::io::Write + Send>(
    w: &mut SerializedFileWriter<W>,
    src: &Source<'_>,
    rows: &[usize],
) -> parquet::errors::Result<()> {
    let (inc, rec) = (src.inc, src.rec);
    let texts = |t: &Texts, i: usize| Some(ByteArray::from(t.get(i).to_vec()));
    let name = |table: &[ByteArray], ids: &[u32], i: usize| {
        ids.get(i).and_then(|&k| table.get(k as usize)).cloned()
    };
    let mut rg = w.next_row_group()?;
    text_column(&mut rg, rows, |i| texts(&rec.crime_id, i))?;
    text_column(&mut rg, rows, |i| {
        (inc.month[i] != Month::UNKNOWN)
            .then(|| ByteArray::from(inc.month[i].to_string().into_bytes()))
    })?;
    text_column(&mut rg, rows, |i| texts(&rec.more[0], i))?;
    text_column(&mut rg, rows, |i| texts(&rec.more[1], i))?;
    let lon: Vec<f64> = rows.iter().map(|&i| src.lonlat[i][0]).collect();
    let lat: Vec<f64> = rows.iter().map(|&i| src.lonlat[i][1]).collect();
    double_column(&mut rg, &lon)?;
    double_column(&mut rg, &lat)?;
    text_column(&mut rg, rows, |i| {
        name(&src.locations, &inc.places.location, i)
    })?;
    text_column(&mut rg, rows, |i| texts(&rec.more[2], i))?;
    text_column(&mut rg, rows, |i| name(&src.lsoas, &inc.places.lsoa, i))?;
    text_column(&mut rg, rows, |i| {
        rec.typed[i].then(|| src.types[inc.kind[i] as usize].clone())
    })?;
    text_column(&mut rg, rows, |i| texts(&rec.more[3], i))?;
    text_column(&mut rg, rows, |i| texts(&rec.more[4], i))?;
    if src.weight {
        let harm: Vec<f64> = rows.iter().map(|&i| inc.harm[i]).collect();
        double_column(&mut rg, &harm)?;
    }
    let geom: Vec<ByteArray> = rows.iter().map(|&i| wkb(src.lonlat[i])).collect();
    let mut col = rg.next_column()?.expect("schema column");
    col.typed::<ByteArrayType>()
        .write_batch(&geom, None, None)?;
    col.close()?;
    rg.close()?;
    Ok(())
}

/// Writes incidents as GeoParquet 1.1 to `dest`, atomically.
///
/// Parameters: the kept incidents and their [`Records`] (from
/// [`crate::ingest::read::read_records`]), `lonlat` each incident's longitude and latitude in
/// degrees (WGS84), and `weight` the name of a per-row weight column to write (the
/// incidents' harm), if the input had one.
///
/// Returns the rows, row groups and bounding box written.
pub fn write_geoparquet(
    dest: &Path,
    inc: &Incidents,
    rec: &Records,
    lonlat: &[[f64; 2]],
    weight: Option<&str>,
) -> Result<GeoParquetWritten> {
    if rec.len() != inc.len() || lonlat.len() != inc.len() {
        return Err(Error::format(
            dest,
            "internal: records and incidents differ in length",
        ));
    }
    let bbox = crate::model::incident::bbox(lonlat);
    let as_bytes = |v: &[String]| {
        v.iter()
            .map(|s| ByteArray::from(s.as_bytes().to_vec()))
            .collect()
    };
    let src = Source {
        inc,
        rec,
        lonlat,
        weight: weight.is_some(),
        types: as_bytes(&inc.types),
        locations: as_bytes(&inc.places.location_names),
        lsoas: as_bytes(&inc.places.lsoa_names),
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("harmspot {}", env!("CARGO_PKG_VERSION")))
        .set_column_statistics_enabled(ColumnPath::from("geometry"), EnabledStatistics::None)
        .build();
    let groups = groups(&inc.month);
    let schema = schema(weight).map_err(|e| {
        Error::param(
            crate::Param::WeightCol,
            format!("cannot be a Parquet column name: {e}"),
        )
    })?;
    let pq = |e: parquet::errors::ParquetError| Error::io(dest, std::io::Error::other(e));
    let mut file = AtomicFile::create(dest)?;
    {
        let mut w =
            SerializedFileWriter::new(file.writer(), schema, Arc::new(props)).map_err(pq)?;
        for rows in &groups {
            row_group(&mut w, &src, rows).map_err(pq)?;
        }
        w.append_key_value_metadata(KeyValue::new("geo".into(), geo_metadata("Point", bbox)));
        w.close().map_err(pq)?;
    }
    file.commit()?;
    Ok(GeoParquetWritten {
        rows: inc.len(),
        row_groups: groups.len(),
        bbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wkb_point_is_21_bytes_little_endian() {
        let b = wkb([-1.5, 54.25]);
        let d = b.data();
        assert_eq!((d.len(), d[0], &d[1..5]), (21, 1, &[1u8, 0, 0, 0][..]));
        assert_eq!(f64::from_le_bytes(d[5..13].try_into().unwrap()), -1.5);
        assert_eq!(f64::from_le_bytes(d[13..21].try_into().unwrap()), 54.25);
    }

    #[test]
    fn one_group_per_month_in_month_order_input_order_within() {
        let (a, b) = (Month::new(2021, 3).unwrap(), Month::new(2021, 1).unwrap());
        assert_eq!(groups(&[a, b, a, b]), vec![vec![1, 3], vec![0, 2]]);
        assert!(groups(&[]).is_empty());
    }

    #[test]
    fn geo_metadata_has_the_required_keys() {
        let v: serde_json::Value =
            serde_json::from_str(&geo_metadata("Point", Some([0.0, 1.0, 2.0, 3.0]))).unwrap();
        assert_eq!(v["version"], "1.1.0");
        assert_eq!(v["primary_column"], "geometry");
        let g = &v["columns"]["geometry"];
        assert_eq!(
            (g["encoding"].as_str(), g["geometry_types"][0].as_str()),
            (Some("WKB"), Some("Point"))
        );
        assert_eq!(g["crs"]["id"]["code"], "CRS84");
        assert_eq!(g["bbox"], serde_json::json!([0.0, 1.0, 2.0, 3.0]));
    }
}
