//! Coordinate reference systems and transformations.
//!
//! Analyses work in a projected working CRS in metres (default EPSG:27700, the British
//! National Grid); output GeoJSON is WGS84 longitude/latitude (RFC 7946).
//!
//! Built in, in pure Rust: WGS84 (EPSG:4326), ETRS89 (EPSG:4258, taken as WGS84) and the
//! British National Grid (EPSG:27700) through the Ordnance Survey's OSTN15 transformation
//! (the `ostn15` module; about 0.1 m). Points outside OSTN15's coverage of Great Britain — Ireland
//! and Northern Ireland included — do not transform and are skipped by the readers.
//!
//! Every other EPSG code (the Irish Grid, UTM, a force's local grid) goes through the PROJ
//! C library, with the cargo feature `proj` (`cargo install harmspot --features proj`; needs
//! PROJ ≥ 9 and libclang, e.g. `apt-get install libproj-dev proj-data libclang-dev`).

mod ostn15;
#[cfg(feature = "proj")]
mod proj;
mod tm;

use crate::error::{Error, Result};
use rayon::prelude::*;

/// WGS84 longitude/latitude, the CRS of police.uk coordinates and of GeoJSON output.
pub const WGS84: u32 = 4326;
/// ETRS89 longitude/latitude; the same as WGS84 to well under a metre in Great Britain.
pub const ETRS89: u32 = 4258;
/// British National Grid, the default working CRS.
pub const BNG: u32 = 27700;

/// What harmspot knows of a CRS without PROJ, or what PROJ told it.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// WGS84 or ETRS89 longitude/latitude.
    LonLat,
    /// The British National Grid.
    Bng,
    /// Any other CRS, handled by PROJ; `area` is its area of use in degrees.
    #[cfg_attr(not(feature = "proj"), allow(dead_code))]
    Proj {
        projected_metres: bool,
        area: Option<[f64; 4]>,
    },
}

/// A coordinate reference system identified by its EPSG code.
#[derive(Clone, Debug, PartialEq)]
pub struct Crs {
    code: u32,
    name: String,
    kind: Kind,
}

impl Crs {
    /// The CRS `EPSG:code`: built in for 4326, 4258 and 27700, from PROJ's database for
    /// others (with the `proj` feature).
    ///
    /// ```
    /// let bng = harmspot::Crs::epsg(27700).unwrap();
    /// assert!(bng.is_projected_metres());
    /// assert_eq!(bng.to_string(), "EPSG:27700");
    /// assert!(!harmspot::Crs::epsg(4326).unwrap().is_projected_metres());
    /// ```
    pub fn epsg(code: u32) -> Result<Crs> {
        let (name, kind) = match code {
            WGS84 => ("WGS 84".to_string(), Kind::LonLat),
            ETRS89 => ("ETRS89".to_string(), Kind::LonLat),
            BNG => ("OSGB36 / British National Grid".to_string(), Kind::Bng),
            _ => return Self::other(code),
        };
        Ok(Crs { code, name, kind })
    }

    #[cfg(feature = "proj")]
    fn other(code: u32) -> Result<Crs> {
        let def = format!("EPSG:{code}");
        let (name, projected_metres) = proj::crs_info(&def).ok_or_else(|| {
            Error::Crs(format!(
                "{def} is not a coordinate reference system PROJ knows"
            ))
        })?;
        Ok(Crs {
            code,
            name,
            kind: Kind::Proj {
                projected_metres,
                area: proj::area_of_use(&def),
            },
        })
    }

    #[cfg(not(feature = "proj"))]
    fn other(code: u32) -> Result<Crs> {
        Err(Error::Crs(format!(
            "EPSG:{code} needs the PROJ library: this build knows EPSG:27700 (British National \
             Grid, OSTN15), EPSG:4326 and EPSG:4258. Build with the `proj` feature \
             (`cargo install harmspot --features proj`, after installing PROJ, e.g. \
             `apt-get install libproj-dev proj-data libclang-dev pkg-config`)"
        )))
    }

    /// Parses `EPSG:NNNN` (case-insensitive) or a bare code.
    ///
    /// ```
    /// assert_eq!(harmspot::Crs::parse("epsg:27700").unwrap().code(), 27700);
    /// assert!(harmspot::Crs::parse("BNG").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Crs> {
        let t = s.trim();
        let digits = t
            .strip_prefix("EPSG:")
            .or_else(|| t.strip_prefix("epsg:"))
            .unwrap_or(t);
        let code: u32 = digits
            .parse()
            .map_err(|_| Error::Crs(format!("`{s}`: give a CRS as EPSG:NNNN, e.g. EPSG:27700")))?;
        Crs::epsg(code)
    }

    /// A CRS fit to work in: projected, with metre axes. Geographic CRSs are refused because
    /// bandwidths, cell sizes and buffers are lengths in metres.
    pub fn working(s: &str) -> Result<Crs> {
        let crs = Crs::parse(s)?;
        if !crs.is_projected_metres() {
            return Err(Error::Crs(format!(
                "{crs} ({}) is not a projected CRS in metres: harmspot measures cells, \
                 bandwidths and buffers in metres; use a projected CRS such as EPSG:27700",
                crs.name
            )));
        }
        Ok(crs)
    }

    /// The EPSG code.
    pub fn code(&self) -> u32 {
        self.code
    }

    /// The CRS's name (e.g. "OSGB36 / British National Grid").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is a projected CRS whose axes are in metres.
    pub fn is_projected_metres(&self) -> bool {
        match self.kind {
            Kind::LonLat => false,
            Kind::Bng => true,
            Kind::Proj {
                projected_metres, ..
            } => projected_metres,
        }
    }

    /// The CRS as ESRI-flavoured WKT 1, the content of a `.prj` sidecar that lets GIS
    /// software read the CRS of an ESRI ASCII grid; `None` when it cannot be written.
    ///
    /// ```
    /// let wkt = harmspot::Crs::epsg(27700).unwrap().wkt_esri().unwrap();
    /// assert!(wkt.starts_with("PROJCS[\"British_National_Grid\""));
    /// ```
    pub fn wkt_esri(&self) -> Option<String> {
        match self.kind {
            Kind::Bng => Some(BNG_ESRI_WKT.to_string()),
            Kind::LonLat if self.code == WGS84 => Some(WGS84_ESRI_WKT.to_string()),
            Kind::LonLat => None,
            #[cfg(feature = "proj")]
            Kind::Proj { .. } => proj::wkt_esri(&self.to_string()),
            #[cfg(not(feature = "proj"))]
            Kind::Proj { .. } => None,
        }
    }

    /// Whether a point in this CRS's own coordinates lies where it can be used: inside
    /// OSTN15's coverage of Great Britain for EPSG:27700; any finite point otherwise.
    pub fn contains(&self, p: [f64; 2]) -> bool {
        match self.kind {
            Kind::Bng => ostn15::bng_in_coverage(p[0], p[1]),
            Kind::LonLat => p[0].abs() <= 180.0 && p[1].abs() <= 90.0,
            Kind::Proj { .. } => p[0].is_finite() && p[1].is_finite(),
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EPSG:{}", self.code)
    }
}

/// ESRI's WKT of the British National Grid (as ArcGIS and PROJ write it).
const BNG_ESRI_WKT: &str = "PROJCS[\"British_National_Grid\",GEOGCS[\"GCS_OSGB_1936\",\
DATUM[\"D_OSGB_1936\",SPHEROID[\"Airy_1830\",6377563.396,299.3249646]],PRIMEM[\"Greenwich\",0.0],\
UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],\
PARAMETER[\"False_Easting\",400000.0],PARAMETER[\"False_Northing\",-100000.0],\
PARAMETER[\"Central_Meridian\",-2.0],PARAMETER[\"Scale_Factor\",0.9996012717],\
PARAMETER[\"Latitude_Of_Origin\",49.0],UNIT[\"Meter\",1.0]]";

/// ESRI's WKT of WGS84 longitude/latitude.
const WGS84_ESRI_WKT: &str = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",\
SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],\
UNIT[\"Degree\",0.0174532925199433]]";

/// One step of a transformation.
#[derive(Clone, Debug)]
enum Step {
    /// Longitude/latitude to the British National Grid by OSTN15.
    ToBng,
    /// The British National Grid to longitude/latitude by OSTN15.
    FromBng,
    /// A PROJ operation between two CRSs given as `EPSG:NNNN`.
    #[cfg(feature = "proj")]
    Proj(proj::Operation),
}

/// A transformation between two CRSs, axis order normalised to (x, y) = (east, north) or
/// (lon, lat) in degrees. A point that cannot be transformed — outside OSTN15's coverage,
/// outside a PROJ CRS's area of use, or failed — becomes `[NaN, NaN]`.
#[derive(Clone, Debug)]
pub struct Transform {
    steps: Vec<Step>,
    description: String,
    accuracy_m: f64,
}

/// Points per parallel chunk.
const CHUNK: usize = 16 * 1024;

impl Transform {
    /// A transformation from `from` to `to`. Between longitude/latitude and EPSG:27700 it is
    /// OSTN15; a CRS to itself is the identity; anything else goes through PROJ (feature
    /// `proj`), via WGS84 and OSTN15 when the other end is EPSG:27700.
    ///
    /// ```
    /// use harmspot::{Crs, Transform};
    /// let t = Transform::new(&Crs::epsg(4326).unwrap(), &Crs::epsg(27700).unwrap()).unwrap();
    /// let p = t.point([-1.6178, 54.9783]).unwrap(); // Newcastle upon Tyne, lon/lat
    /// assert!((p[0] - 424_561.565).abs() < 0.01 && (p[1] - 564_920.721).abs() < 0.01);
    /// ```
    pub fn new(from: &Crs, to: &Crs) -> Result<Transform> {
        let ostn = "OSTN15 (Ordnance Survey)".to_string();
        let (steps, description, accuracy_m) = match (&from.kind, &to.kind) {
            (a, b) if from.code == to.code || (*a == Kind::LonLat && *b == Kind::LonLat) => {
                (vec![], "identity".to_string(), 0.0)
            }
            (Kind::LonLat, Kind::Bng) => (vec![Step::ToBng], ostn, ostn15::ACCURACY_M),
            (Kind::Bng, Kind::LonLat) => (vec![Step::FromBng], ostn, ostn15::ACCURACY_M),
            #[cfg(feature = "proj")]
            _ => return Self::through_proj(from, to, &ostn),
            #[cfg(not(feature = "proj"))]
            _ => {
                return Err(Error::Crs(format!(
                    "no transformation from {from} to {to} without the `proj` feature"
                )))
            }
        };
        Ok(Transform {
            steps,
            description,
            accuracy_m,
        })
    }

    #[cfg(feature = "proj")]
    fn through_proj(from: &Crs, to: &Crs, ostn: &str) -> Result<Transform> {
        let wgs = Crs::epsg(WGS84)?;
        let (steps, description, accuracy_m) = match (&from.kind, &to.kind) {
            (Kind::Bng, _) => {
                let op = proj::Operation::new(&wgs, to)?;
                let d = format!("{ostn}; then {}", op.description());
                let acc = op.accuracy_m().max(ostn15::ACCURACY_M);
                (vec![Step::FromBng, Step::Proj(op)], d, acc)
            }
            (_, Kind::Bng) => {
                let op = proj::Operation::new(from, &wgs)?;
                let d = format!("{}; then {ostn}", op.description());
                let acc = op.accuracy_m().max(ostn15::ACCURACY_M);
                (vec![Step::Proj(op), Step::ToBng], d, acc)
            }
            _ => {
                let op = proj::Operation::new(from, to)?;
                let (d, acc) = (op.description().to_string(), op.accuracy_m());
                (vec![Step::Proj(op)], d, acc)
            }
        };
        Ok(Transform {
            steps,
            description,
            accuracy_m,
        })
    }

    /// What the transformation does (e.g. "OSTN15 (Ordnance Survey)").
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The stated accuracy in metres (0 for the identity; negative when PROJ does not know).
    pub fn accuracy_m(&self) -> f64 {
        self.accuracy_m
    }

    /// Whether the transformation leaves points as they are.
    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }

    /// Transforms points in place, in parallel for large inputs. A point that cannot be
    /// transformed becomes `[NaN, NaN]`, so callers can count it as skipped; the rest are
    /// unaffected, and the result does not depend on the thread count.
    pub fn apply(&self, pts: &mut [[f64; 2]]) {
        if self.steps.is_empty() {
            return;
        }
        if pts.len() <= CHUNK {
            return self.apply_chunk(pts);
        }
        pts.par_chunks_mut(CHUNK)
            .for_each(|chunk| self.apply_chunk(chunk));
    }

    fn apply_chunk(&self, pts: &mut [[f64; 2]]) {
        for step in &self.steps {
            match step {
                Step::ToBng => {
                    for p in pts.iter_mut() {
                        *p = ostn15::to_bng(p[0], p[1]).unwrap_or([f64::NAN; 2]);
                    }
                }
                Step::FromBng => {
                    for p in pts.iter_mut() {
                        *p = ostn15::from_bng(p[0], p[1]).unwrap_or([f64::NAN; 2]);
                    }
                }
                #[cfg(feature = "proj")]
                Step::Proj(op) => op.apply(pts),
            }
        }
    }

    /// Transforms one point; `None` when it cannot be.
    pub fn point(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let mut v = [p];
        self.apply_chunk(&mut v);
        v[0][0].is_finite().then_some(v[0])
    }
}

/// A working CRS with its transformations to and from WGS84, made once per run.
#[derive(Clone, Debug)]
pub struct Projector {
    /// The working CRS (projected, metres).
    pub working: Crs,
    /// WGS84 lon/lat → working.
    pub forward: Transform,
    /// Working → WGS84 lon/lat.
    pub inverse: Transform,
}

impl Projector {
    /// The projector for a working CRS given as `EPSG:NNNN`.
    ///
    /// ```
    /// let p = harmspot::Projector::new("EPSG:27700").unwrap();
    /// let q = p.forward.point([-1.6178, 54.9783]).unwrap();
    /// let back = p.inverse.point(q).unwrap();
    /// assert!((back[0] + 1.6178).abs() < 1e-8 && (back[1] - 54.9783).abs() < 1e-8);
    /// ```
    pub fn new(working: &str) -> Result<Projector> {
        let working = Crs::working(working)?;
        let wgs = Crs::epsg(WGS84)?;
        Ok(Projector {
            forward: Transform::new(&wgs, &working)?,
            inverse: Transform::new(&working, &wgs)?,
            working,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_geographic_working_crs_and_unknown_names() {
        let e = Crs::working("EPSG:4326").unwrap_err().to_string();
        assert!(e.contains("not a projected CRS in metres"), "{e}");
        assert!(Crs::parse("BNG").is_err());
        assert!(Crs::working("EPSG:27700").is_ok());
    }

    #[cfg(not(feature = "proj"))]
    #[test]
    fn other_codes_name_the_proj_feature() {
        let e = Crs::parse("EPSG:29903").unwrap_err().to_string();
        assert!(
            e.contains("`proj` feature") && e.contains("libproj-dev"),
            "{e}"
        );
    }

    #[cfg(feature = "proj")]
    #[test]
    fn proj_codes_are_checked() {
        assert!(Crs::working("EPSG:2263").is_err(), "feet");
        assert!(Crs::working("EPSG:3857").is_ok());
        assert!(Crs::parse("EPSG:999999").is_err());
        // Irish Grid via PROJ, Belfast: roughly E 333 000, N 374 000
        let t = Transform::new(&Crs::epsg(WGS84).unwrap(), &Crs::epsg(29903).unwrap()).unwrap();
        let p = t.point([-5.9301, 54.5973]).unwrap();
        assert!(
            (p[0] - 333_000.0).abs() < 5_000.0 && (p[1] - 374_000.0).abs() < 5_000.0,
            "{p:?}"
        );
    }

    #[test]
    fn identity_and_outside_points() {
        let bng = Crs::epsg(BNG).unwrap();
        let t = Transform::new(&bng, &bng).unwrap();
        assert!(t.is_identity());
        let p = Projector::new("EPSG:27700").unwrap();
        let mut pts = [[-1.6, 54.9], [-6.26, 53.35], [54.9, -1.6]];
        p.forward.apply(&mut pts);
        assert!(pts[0][0].is_finite());
        assert!(pts[1][0].is_nan() && pts[2][0].is_nan());
        assert!(bng.contains([424_561.0, 564_921.0]));
        assert!(!bng.contains([146_000.0, 530_000.0]), "Belfast");
    }

    #[test]
    fn parallel_apply_matches_single_points() {
        let p = Projector::new("EPSG:27700").unwrap();
        let mut pts: Vec<[f64; 2]> = (0..40_000)
            .map(|i| {
                [
                    -2.0 + (i % 200) as f64 * 0.005,
                    54.5 + (i / 200) as f64 * 0.002,
                ]
            })
            .collect();
        let first = p.forward.point(pts[12_345]).unwrap();
        p.forward.apply(&mut pts);
        assert_eq!(pts[12_345], first);
    }
}
