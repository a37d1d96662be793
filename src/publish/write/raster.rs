//! Writing a square-cell [`Layer`] as a raster: GeoTIFF, or ESRI ASCII grid for tools
//! without GeoTIFF.
//!
//! **GeoTIFF** (OGC GeoTIFF 1.1): one Float32 band per layer column, in column order,
//! band-sequential (PlanarConfiguration 2), uncompressed strips of about 64 KiB, north up
//! (row 0 is the northernmost row of cells). Georeferencing in the working CRS:
//! `ModelPixelScaleTag = (cell, cell, 0)`, `ModelTiepointTag = (0, 0, 0, xmin, ymax, 0)`,
//! GeoKeys `GTModelTypeGeoKey = 1` (projected), `GTRasterTypeGeoKey = 1` (PixelIsArea) and
//! `ProjectedCSTypeGeoKey = EPSG code`, so GDAL reports e.g. EPSG:27700. GDAL's private tags
//! carry the NoData value ([`NODATA`], tag 42113) and, in `GDAL_METADATA` (tag 42112), each
//! band's description (its column name) and the run parameters as dataset metadata. Files
//! over 4 GB are written as BigTIFF.
//!
//! **ESRI ASCII grid** (`.asc`): one file per column — the first column to the path given,
//! every other column to `<stem>_<column>.asc` beside it. The format has no CRS; the grid is
//! in the working CRS.
//!
//! NoData: cells outside the study area, non-finite values and, with `empty_as_nodata`
//! (KDE surfaces, as ArcGIS does), cells where every column is 0.
//!
//! Hexagonal grids are not rasters and are refused.

use crate::error::{Error, Result};
use crate::model::grid::Shape;
use crate::model::layer::Layer;
use crate::publish::write::AtomicFile;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use tiff::encoder::{TiffEncoder, TiffKind};
use tiff::tags::Tag;

/// The NoData value written to rasters.
pub const NODATA: f64 = -9999.0;

/// GDAL's private TIFF tag for metadata (XML).
const GDAL_METADATA: u16 = 42112;

/// Refuses hexagonal grids, which cannot be written as rasters.
pub fn check_rasterisable(shape: Shape, dest: &Path) -> Result<()> {
    if shape == Shape::Hex {
        return Err(Error::param(crate::Param::Out,
            format!(
                "`{}`: hexagonal cells cannot be written as a raster (.tif, .asc); write .geojson or .csv, or use ‹shape› square",
                dest.display()
            ),
        ));
    }
    Ok(())
}

/// Per cell (row-major ids): whether it is NoData.
pub fn nodata_mask(layer: &Layer, empty_as_nodata: bool) -> Vec<bool> {
    (0..layer.grid.spec.len())
        .map(|id| {
            !layer.grid.in_area[id]
                || layer.columns.iter().any(|(_, v)| !v[id].is_finite())
                || (empty_as_nodata && layer.columns.iter().all(|(_, v)| v[id] == 0.0))
        })
        .collect()
}

/// Writes `layer` as a GeoTIFF in the working CRS `epsg` (see the module documentation).
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, Layer};
/// let mut layer = Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 199.0, 99.0]).unwrap());
/// layer.set("n", vec![3.0, 0.0], harmspot::disclosure::Support::Count);
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("n.tif");
/// harmspot::write::raster::write_geotiff(&p, &layer, 27700, true).unwrap();
/// let mut d = tiff::decoder::Decoder::new(std::fs::File::open(&p).unwrap()).unwrap();
/// assert_eq!(d.dimensions().unwrap(), (2, 1));
/// let tiff::decoder::DecodingResult::F32(v) = d.read_image().unwrap() else { panic!() };
/// assert_eq!(v, [3.0, -9999.0]); // the empty cell is NoData
/// ```
pub fn write_geotiff(dest: &Path, layer: &Layer, epsg: u32, empty_as_nodata: bool) -> Result<()> {
    let spec = &layer.grid.spec;
    check_rasterisable(spec.shape, dest)?;
    if layer.columns.is_empty() {
        return Err(Error::Mismatch(
            "nothing to write: the layer has no columns".into(),
        ));
    }
    let epsg16 = u16::try_from(epsg).map_err(|_| {
        Error::param(
            crate::Param::WorkingCrs,
            format!("EPSG:{epsg} does not fit a GeoTIFF ProjectedCSTypeGeoKey (at most 65535)"),
        )
    })?;
    let mask = nodata_mask(layer, empty_as_nodata);
    let bytes = layer.columns.len() as f64 * spec.len() as f64 * 4.0;
    let mut f = AtomicFile::create(dest)?;
    let w = f.writer();
    let r = if bytes > 3.9e9 {
        encode(TiffEncoder::new_big(w), layer, &mask, epsg16)
    } else {
        encode(TiffEncoder::new(w), layer, &mask, epsg16)
    };
    r.map_err(|e| Error::io(dest, std::io::Error::other(e.to_string())))?;
    f.commit()
}

fn encode<W: Write + Seek, K: TiffKind>(
    enc: tiff::TiffResult<TiffEncoder<W, K>>,
    layer: &Layer,
    mask: &[bool],
    epsg: u16,
) -> tiff::TiffResult<()> {
    let mut enc = enc?;
    let spec = &layer.grid.spec;
    let (nx, ny) = (spec.nx, spec.ny);
    let bands = layer.columns.len();
    let rows_per_strip = (65_536 / (nx * 4)).clamp(1, ny);
    let strips_per_band = ny.div_ceil(rows_per_strip);
    let mut dir = enc.image_directory()?;
    let mut offsets: Vec<u64> = Vec::with_capacity(bands * strips_per_band);
    let mut counts: Vec<u32> = Vec::with_capacity(bands * strips_per_band);
    let mut buf: Vec<f32> = Vec::with_capacity(rows_per_strip * nx);
    for (_, values) in &layer.columns {
        for s in 0..strips_per_band {
            buf.clear();
            for tr in s * rows_per_strip..((s + 1) * rows_per_strip).min(ny) {
                let row = ny - 1 - tr; // TIFF row 0 is the north edge
                for id in row * nx..(row + 1) * nx {
                    buf.push(if mask[id] {
                        NODATA as f32
                    } else {
                        values[id] as f32
                    });
                }
            }
            offsets.push(dir.write_data(&buf[..])?);
            counts.push((buf.len() * 4) as u32);
        }
    }
    let b = spec.bounds();
    let (xmin, ymax) = (b[0], b[3]);
    let offsets: Vec<K::OffsetType> = offsets
        .into_iter()
        .map(K::convert_offset)
        .collect::<tiff::TiffResult<_>>()?;
    dir.write_tag(Tag::ImageWidth, nx as u32)?;
    dir.write_tag(Tag::ImageLength, ny as u32)?;
    dir.write_tag(Tag::BitsPerSample, &vec![32u16; bands][..])?;
    dir.write_tag(Tag::Compression, 1u16)?;
    dir.write_tag(Tag::PhotometricInterpretation, 1u16)?; // BlackIsZero
    dir.write_tag(Tag::StripOffsets, K::convert_slice(&offsets))?;
    dir.write_tag(Tag::SamplesPerPixel, bands as u16)?;
    dir.write_tag(Tag::RowsPerStrip, rows_per_strip as u32)?;
    dir.write_tag(Tag::StripByteCounts, &counts[..])?;
    dir.write_tag(Tag::PlanarConfiguration, 2u16)?; // band-sequential
    if bands > 1 {
        dir.write_tag(Tag::ExtraSamples, &vec![0u16; bands - 1][..])?; // unspecified
    }
    dir.write_tag(Tag::SampleFormat, &vec![3u16; bands][..])?; // IEEE float
    dir.write_tag(
        Tag::ModelPixelScaleTag,
        &[spec.cell_size, spec.cell_size, 0.0][..],
    )?;
    dir.write_tag(Tag::ModelTiepointTag, &[0.0, 0.0, 0.0, xmin, ymax, 0.0][..])?;
    let keys: [u16; 16] = [
        1, 1, 0, 3, // version 1.1.0, 3 keys
        1024, 0, 1, 1, // GTModelTypeGeoKey = ModelTypeProjected
        1025, 0, 1, 1, // GTRasterTypeGeoKey = RasterPixelIsArea
        3072, 0, 1, epsg, // ProjectedCSTypeGeoKey
    ];
    dir.write_tag(Tag::GeoKeyDirectoryTag, &keys[..])?;
    dir.write_tag(Tag::Unknown(GDAL_METADATA), gdal_metadata(layer).as_str())?;
    dir.write_tag(Tag::GdalNodata, format!("{NODATA}").as_str())?;
    dir.finish()
}

/// GDAL's metadata XML: run parameters as dataset items, column names as band descriptions.
fn gdal_metadata(layer: &Layer) -> String {
    let mut s = String::from("<GDALMetadata>\n");
    for (k, v) in &crate::publish::metadata(layer) {
        let text = match v {
            serde_json::Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        s.push_str(&format!(
            "  <Item name=\"{}\">{}</Item>\n",
            xml_escape(k),
            xml_escape(&text)
        ));
    }
    for (band, (name, _)) in layer.columns.iter().enumerate() {
        s.push_str(&format!(
            "  <Item name=\"DESCRIPTION\" sample=\"{band}\" role=\"description\">{}</Item>\n",
            xml_escape(name)
        ));
    }
    s.push_str("</GDALMetadata>");
    s
}

/// XML text that is also plain ASCII, as a TIFF ASCII tag must be: markup characters as
/// entities, any other non-ASCII character as a numeric reference (`é` → `&#xE9;`, which
/// GDAL decodes back), control characters (invalid in XML 1.0, and NUL ends a TIFF string)
/// as a space.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\t' => out.push(c),
            c if c.is_ascii_control() => out.push(' '),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!("&#x{:X};", u32::from(c))),
        }
    }
    out
}

/// The files [`write_ascii_grids`] writes for `layer` to `dest`, one per column, in column
/// order: `dest` itself for the first, `<stem>_<column>.asc` for the others.
pub fn ascii_grid_paths(dest: &Path, layer: &Layer) -> Vec<PathBuf> {
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    layer
        .columns
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            if k == 0 {
                dest.to_path_buf()
            } else {
                dest.with_file_name(format!("{stem}_{name}.asc"))
            }
        })
        .collect()
}

/// Writes `layer` as ESRI ASCII grids, one file per column (see [`ascii_grid_paths`]).
/// Values are written as 32-bit floats (shortest exact form), like the GeoTIFF bands.
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, Layer};
/// let mut layer = Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 99.0, 199.0]).unwrap());
/// layer.set("density", vec![0.5, 0.0], harmspot::disclosure::Support::Within { radius: 300.0, months: None });
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("d.asc");
/// harmspot::write::raster::write_ascii_grids(&p, &layer, true).unwrap();
/// assert_eq!(std::fs::read_to_string(&p).unwrap(),
///     "ncols 1\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 100\nNODATA_value -9999\n-9999\n0.5\n");
/// ```
pub fn write_ascii_grids(
    dest: &Path,
    layer: &Layer,
    empty_as_nodata: bool,
) -> Result<Vec<PathBuf>> {
    let spec = &layer.grid.spec;
    check_rasterisable(spec.shape, dest)?;
    let mask = nodata_mask(layer, empty_as_nodata);
    let b = spec.bounds();
    let paths = ascii_grid_paths(dest, layer);
    // Write all to temporaries first, so that a failure leaves none of them.
    let mut files = Vec::new();
    for ((_, values), path) in layer.columns.iter().zip(&paths) {
        let mut f = AtomicFile::create(path)?;
        let w = f.writer();
        let io = (|| -> std::io::Result<()> {
            let mut head = String::new();
            head.push_str(&format!("ncols {}\nnrows {}\nxllcorner ", spec.nx, spec.ny));
            super::cells::push_fixed(&mut head, b[0], 6);
            head.push_str("\nyllcorner ");
            super::cells::push_fixed(&mut head, b[1], 6);
            head.push_str("\ncellsize ");
            super::cells::push_fixed(&mut head, spec.cell_size, 6);
            head.push_str(&format!("\nNODATA_value {NODATA}\n"));
            w.write_all(head.as_bytes())?;
            let mut line = String::new();
            for row in (0..spec.ny).rev() {
                line.clear();
                for id in row * spec.nx..(row + 1) * spec.nx {
                    if id > row * spec.nx {
                        line.push(' ');
                    }
                    if mask[id] {
                        line.push_str(&NODATA.to_string());
                    } else {
                        line.push_str(&(values[id] as f32).to_string());
                    }
                }
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
            Ok(())
        })();
        io.map_err(|e| Error::io(path, e))?;
        files.push(f);
    }
    for f in files {
        f.commit()?;
    }
    Ok(paths)
}
