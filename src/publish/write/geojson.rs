//! Streaming GeoJSON (RFC 7946) writer: a FeatureCollection written feature by feature, so a
//! layer of a million cells never exists as one JSON value in memory.
//!
//! Coordinates are WGS84 lon/lat with 6 decimals (about 0.1 m), exteriors counter-clockwise
//! and holes clockwise (RFC 7946 §3.1.6). Foreign top-level members carry the run's
//! parameters (RFC 7946 §6.1).

use serde_json::{Map, Value};
use std::io::{self, Write};

/// Decimal places for lon/lat output (1e-6° ≈ 0.11 m of latitude).
pub const PRECISION: usize = 6;

/// A geometry to write, coordinates already in lon/lat.
#[derive(Clone, Debug)]
pub enum Geom {
    /// A point.
    Point([f64; 2]),
    /// A polygon: exterior ring then holes, each closed.
    Polygon(Vec<Vec<[f64; 2]>>),
    /// Several polygons.
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// Signed area (shoelace) of a ring: positive when counter-clockwise.
pub fn signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

fn orient(mut ring: Vec<[f64; 2]>, ccw: bool) -> Vec<[f64; 2]> {
    if (signed_area(&ring) > 0.0) != ccw {
        ring.reverse();
    }
    ring
}

impl Geom {
    /// Makes exteriors counter-clockwise and holes clockwise.
    pub fn oriented(self) -> Geom {
        let fix = |rings: Vec<Vec<[f64; 2]>>| -> Vec<Vec<[f64; 2]>> {
            rings
                .into_iter()
                .enumerate()
                .map(|(i, r)| orient(r, i == 0))
                .collect()
        };
        match self {
            Geom::Point(p) => Geom::Point(p),
            Geom::Polygon(r) => Geom::Polygon(fix(r)),
            Geom::MultiPolygon(ps) => Geom::MultiPolygon(ps.into_iter().map(fix).collect()),
        }
    }
}

fn num(w: &mut impl Write, v: f64, decimals: usize) -> io::Result<()> {
    let s = format!("{v:.decimals$}");
    let t = s.trim_end_matches('0').trim_end_matches('.');
    w.write_all(if t == "-0" { b"0" } else { t.as_bytes() })
}

fn pos(w: &mut impl Write, p: [f64; 2], d: usize) -> io::Result<()> {
    w.write_all(b"[")?;
    num(w, p[0], d)?;
    w.write_all(b",")?;
    num(w, p[1], d)?;
    w.write_all(b"]")
}

fn rings(w: &mut impl Write, rs: &[Vec<[f64; 2]>], d: usize) -> io::Result<()> {
    w.write_all(b"[")?;
    for (i, r) in rs.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(b"[")?;
        for (j, p) in r.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            pos(w, *p, d)?;
        }
        w.write_all(b"]")?;
    }
    w.write_all(b"]")
}

/// Writes one FeatureCollection.
pub struct FeatureWriter<W: Write> {
    w: W,
    n: u64,
    decimals: usize,
}

impl<W: Write> FeatureWriter<W> {
    /// Starts a collection; `members` (an object) are written as foreign top-level members,
    /// e.g. `{"harmspot": {...parameters...}}`.
    pub fn begin(mut w: W, members: &Map<String, Value>) -> io::Result<Self> {
        w.write_all(b"{\"type\":\"FeatureCollection\"")?;
        for (k, v) in members {
            w.write_all(b",")?;
            serde_json::to_writer(&mut w, k)?;
            w.write_all(b":")?;
            serde_json::to_writer(&mut w, v)?;
        }
        w.write_all(b",\"features\":[\n")?;
        Ok(FeatureWriter {
            w,
            n: 0,
            decimals: PRECISION,
        })
    }

    /// Writes coordinates with `decimals` places instead of [`PRECISION`] (partner outputs
    /// coarsen to 4, about 10 m).
    pub fn with_decimals(mut self, decimals: usize) -> Self {
        self.decimals = decimals;
        self
    }

    /// Writes a feature. Non-finite numbers in `props` become `null` (JSON has no NaN).
    pub fn feature(&mut self, geom: &Geom, props: &Map<String, Value>) -> io::Result<()> {
        let w = &mut self.w;
        let d = self.decimals;
        if self.n > 0 {
            w.write_all(b",\n")?;
        }
        self.n += 1;
        w.write_all(b"{\"type\":\"Feature\",\"geometry\":")?;
        match geom {
            Geom::Point(p) => {
                w.write_all(b"{\"type\":\"Point\",\"coordinates\":")?;
                pos(w, *p, d)?;
            }
            Geom::Polygon(rs) => {
                w.write_all(b"{\"type\":\"Polygon\",\"coordinates\":")?;
                rings(w, rs, d)?;
            }
            Geom::MultiPolygon(ps) => {
                w.write_all(b"{\"type\":\"MultiPolygon\",\"coordinates\":[")?;
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        w.write_all(b",")?;
                    }
                    rings(w, p, d)?;
                }
                w.write_all(b"]")?;
            }
        }
        w.write_all(b"},\"properties\":")?;
        serde_json::to_writer(&mut *w, props)?;
        w.write_all(b"}")
    }

    /// Features written so far.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Closes the collection and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.w.write_all(b"\n]}\n")?;
        Ok(self.w)
    }
}

/// A JSON number for a property: an integer when the value is whole (counts print as `3`,
/// not `3.0`), `null` when not finite (suppressed or undefined).
pub fn json_num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        return Value::from(v as i64);
    }
    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
}

/// The coordinate decimals of `layer`'s GeoJSON: those its disclosure control asks for,
/// else [`PRECISION`].
pub fn decimals_of(layer: &crate::Layer) -> usize {
    layer
        .disclosure
        .as_ref()
        .map_or(PRECISION, |d| d.coordinate_decimals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_valid_rfc7946() {
        let mut buf = Vec::new();
        let mut members = Map::new();
        members.insert("harmspot".into(), serde_json::json!({"cell_size": 100}));
        let mut fw = FeatureWriter::begin(&mut buf, &members).unwrap();
        let cw = vec![[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]];
        let g = Geom::Polygon(vec![cw]).oriented();
        let mut props = Map::new();
        props.insert("n".into(), json_num(3.0));
        props.insert("bad".into(), json_num(f64::NAN));
        fw.feature(&g, &props).unwrap();
        fw.feature(&Geom::Point([-1.234_567_89, 54.0]), &Map::new())
            .unwrap();
        fw.finish().unwrap();
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["harmspot"]["cell_size"], 100);
        let ring = &v["features"][0]["geometry"]["coordinates"][0];
        assert_eq!(ring[1], serde_json::json!([1, 0])); // reversed to counter-clockwise
        assert!(v["features"][0]["properties"]["bad"].is_null());
        assert_eq!(
            v["features"][1]["geometry"]["coordinates"],
            serde_json::json!([-1.234568, 54])
        );
        let gj: geojson::GeoJson = String::from_utf8(buf).unwrap().parse().unwrap();
        assert!(matches!(gj, geojson::GeoJson::FeatureCollection(_)));
    }
}
