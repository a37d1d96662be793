//! Coordinate reference systems and transformations, through the PROJ C library.
//!
//! This is the only module that calls `proj`. Analyses work in a projected working CRS in
//! metres (default EPSG:27700, British National Grid); output GeoJSON is WGS84 lon/lat
//! (RFC 7946). With the EPSG database that Debian ships, PROJ transforms WGS84 to the British
//! National Grid with the 7-parameter Helmert "OSGB36 to WGS 84 (6)" (about 2 m accuracy),
//! not the OSTN15 grid; the README says so.

use crate::error::{Error, Result};
use proj::Proj;
use rayon::prelude::*;
use std::ffi::{CStr, CString};

/// A coordinate reference system identified by its EPSG code.
#[derive(Clone, Debug, PartialEq)]
pub struct Crs {
    code: u32,
    name: String,
    projected_metres: bool,
    area: Option<[f64; 4]>,
}

/// WGS84 longitude/latitude, the CRS of police.uk coordinates and of GeoJSON output.
pub const WGS84: u32 = 4326;
/// British National Grid, the default working CRS.
pub const BNG: u32 = 27700;

impl Crs {
    /// Looks up `EPSG:code` in PROJ's database.
    ///
    /// ```
    /// let bng = harmspot::Crs::epsg(27700).unwrap();
    /// assert!(bng.is_projected_metres());
    /// assert_eq!(bng.to_string(), "EPSG:27700");
    /// assert!(!harmspot::Crs::epsg(4326).unwrap().is_projected_metres());
    /// ```
    pub fn epsg(code: u32) -> Result<Crs> {
        let def = format!("EPSG:{code}");
        let info = crs_info(&def).ok_or_else(|| {
            Error::Crs(format!(
                "{def} is not a coordinate reference system PROJ knows"
            ))
        })?;
        let area = Proj::new(&def)
            .ok()
            .and_then(|p| p.area_of_use().ok())
            .and_then(|(a, _)| a)
            .map(|a| [a.west, a.south, a.east, a.north]);
        Ok(Crs {
            code,
            name: info.0,
            projected_metres: info.1,
            area,
        })
    }

    /// Parses `EPSG:NNNN` (case-insensitive) or a bare code.
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
        if !crs.projected_metres {
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

    /// PROJ's name for the CRS (e.g. "OSGB36 / British National Grid").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it is a projected CRS whose axes are in metres.
    pub fn is_projected_metres(&self) -> bool {
        self.projected_metres
    }

    /// The CRS as ESRI-flavoured WKT 1, the content of a `.prj` sidecar that lets GIS
    /// software read the CRS of an ESRI ASCII grid; `None` if PROJ cannot export it.
    ///
    /// ```
    /// let wkt = harmspot::Crs::epsg(27700).unwrap().wkt_esri().unwrap();
    /// assert!(wkt.starts_with("PROJCS[\"British_National_Grid\""));
    /// ```
    pub fn wkt_esri(&self) -> Option<String> {
        with_pj(&self.to_string(), |ctx, pj| {
            // SAFETY: `ctx` and `pj` are live (see `with_pj`); the string is copied while
            // its owner is alive.
            unsafe {
                let w = proj_sys::proj_as_wkt(
                    ctx,
                    pj,
                    proj_sys::PJ_WKT_TYPE_PJ_WKT1_ESRI,
                    std::ptr::null(),
                );
                (!w.is_null()).then(|| CStr::from_ptr(w).to_string_lossy().into_owned())
            }
        })
        .flatten()
    }

    /// The area of use as `[west, south, east, north]` in degrees, when PROJ has one.
    pub fn area_of_use(&self) -> Option<[f64; 4]> {
        self.area
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EPSG:{}", self.code)
    }
}

/// Runs `f` on a PROJ object made from `def` with its own context, destroying both
/// afterwards; `None` when PROJ cannot make the object.
fn with_pj<R>(
    def: &str,
    f: impl FnOnce(*mut proj_sys::PJ_CONTEXT, *mut proj_sys::PJ) -> R,
) -> Option<R> {
    use proj_sys::*;
    let cdef = CString::new(def).ok()?;
    // SAFETY: the context and object live until destroyed here, after `f`; `f` gets them
    // only for its call, and the object is checked for null first.
    unsafe {
        let ctx = proj_context_create();
        let pj = proj_create(ctx, cdef.as_ptr());
        let out = (!pj.is_null()).then(|| f(ctx, pj));
        if !pj.is_null() {
            proj_destroy(pj);
        }
        proj_context_destroy(ctx);
        out
    }
}

/// (name, projected with metre axes) of a CRS definition, or `None` when PROJ does not know it.
fn crs_info(def: &str) -> Option<(String, bool)> {
    use proj_sys::*;
    with_pj(def, |ctx, pj| {
        // SAFETY: `ctx` and `pj` are live (see `with_pj`); pointers PROJ returns are checked
        // for null before use, strings copied while their owner is alive, and the coordinate
        // system object is destroyed here.
        unsafe {
            let ty = proj_get_type(pj);
            let is_crs = matches!(
                ty,
                PJ_TYPE_PJ_TYPE_GEOGRAPHIC_2D_CRS
                    | PJ_TYPE_PJ_TYPE_GEOGRAPHIC_3D_CRS
                    | PJ_TYPE_PJ_TYPE_GEOCENTRIC_CRS
                    | PJ_TYPE_PJ_TYPE_PROJECTED_CRS
                    | PJ_TYPE_PJ_TYPE_COMPOUND_CRS
                    | PJ_TYPE_PJ_TYPE_BOUND_CRS
                    | PJ_TYPE_PJ_TYPE_OTHER_CRS
            );
            let name_ptr = proj_get_name(pj);
            let name = if name_ptr.is_null() {
                def.to_string()
            } else {
                CStr::from_ptr(name_ptr).to_string_lossy().into_owned()
            };
            let mut metres = false;
            if ty == PJ_TYPE_PJ_TYPE_PROJECTED_CRS {
                let cs = proj_crs_get_coordinate_system(ctx, pj);
                if !cs.is_null() {
                    let axes = proj_cs_get_axis_count(ctx, cs);
                    metres = axes >= 2;
                    for i in 0..axes {
                        let mut factor = 0.0;
                        let ok = proj_cs_get_axis_info(
                            ctx,
                            cs,
                            i,
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                            &mut factor,
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                            std::ptr::null_mut(),
                        );
                        metres &= ok == 1 && (factor - 1.0).abs() < 1e-12;
                    }
                    proj_destroy(cs);
                }
            }
            is_crs.then_some((name, metres))
        }
    })
    .flatten()
}

/// A transformation between two CRSs, axis order normalised to (x, y) = (east, north) or
/// (lon, lat) in degrees.
///
/// `proj::Proj` is neither `Send` nor `Sync`, so a `Transform` holds only the definitions and
/// each rayon worker makes its own `Proj`.
#[derive(Clone, Debug)]
pub struct Transform {
    from: String,
    to: String,
    description: String,
    accuracy_m: f64,
}

const CHUNK: usize = 16 * 1024;

impl Transform {
    /// A transformation from `from` to `to`.
    ///
    /// ```
    /// use harmspot::{Crs, Transform};
    /// let t = Transform::new(&Crs::epsg(4326).unwrap(), &Crs::epsg(27700).unwrap()).unwrap();
    /// let mut p = [[-1.6178, 54.9783]]; // Newcastle upon Tyne, lon/lat
    /// t.apply(&mut p);
    /// assert!((p[0][0] - 424_560.7).abs() < 1.0 && (p[0][1] - 564_921.5).abs() < 1.0);
    /// ```
    pub fn new(from: &Crs, to: &Crs) -> Result<Transform> {
        let (f, t) = (from.to_string(), to.to_string());
        let p = Proj::new_known_crs(&f, &t, None)
            .map_err(|e| Error::Crs(format!("no transformation from {f} to {t}: {e}")))?;
        // PROJ picks the operation when it first transforms a point: probe with the middle
        // of the CRSs' area of use so that the description names the operation used there.
        if let Some(probe) = probe_point(from, to) {
            let _ = p.convert(probe);
        }
        let info = p.proj_info();
        Ok(Transform {
            description: info.description.unwrap_or_default(),
            accuracy_m: info.accuracy,
            from: f,
            to: t,
        })
    }

    /// PROJ's description of the operation it chose (e.g. "Inverse of OSGB36 to WGS 84 (6) +
    /// British National Grid").
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The accuracy PROJ states for the operation, in metres (negative when unknown).
    pub fn accuracy_m(&self) -> f64 {
        self.accuracy_m
    }

    /// Transforms points in place, in parallel. A point PROJ cannot transform becomes
    /// `[NaN, NaN]`, so callers can count it as skipped; the rest are unaffected.
    pub fn apply(&self, pts: &mut [[f64; 2]]) {
        if self.from == self.to {
            return;
        }
        // Creating a `Proj` costs milliseconds (database look-ups), so each thread keeps
        // the ones it made; small inputs stay on the calling thread.
        if pts.len() <= CHUNK {
            return with_proj(&self.from, &self.to, |proj| convert_chunk(proj, pts));
        }
        pts.par_chunks_mut(CHUNK)
            .for_each(|chunk| with_proj(&self.from, &self.to, |proj| convert_chunk(proj, chunk)));
    }

    /// Transforms one point; `None` when PROJ cannot.
    pub fn point(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let mut v = [p];
        self.apply(&mut v);
        v[0][0].is_finite().then_some(v[0])
    }
}

thread_local! {
    /// This thread's transformation objects, by (from, to).
    static PROJS: std::cell::RefCell<Vec<(String, String, Option<Proj>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's `Proj` for (from, to), made on first use.
fn with_proj<R>(from: &str, to: &str, f: impl FnOnce(Option<&Proj>) -> R) -> R {
    PROJS.with(|cache| {
        let mut cache = cache.borrow_mut();
        let i = match cache.iter().position(|(a, b, _)| a == from && b == to) {
            Some(i) => i,
            None => {
                let p = Proj::new_known_crs(from, to, None).ok();
                cache.push((from.to_string(), to.to_string(), p));
                cache.len() - 1
            }
        };
        f(cache[i].2.as_ref())
    })
}

/// A point in `from`'s coordinates at the middle of the area of use of the projected CRS
/// of the pair.
fn probe_point(from: &Crs, to: &Crs) -> Option<(f64, f64)> {
    let area = if from.code == WGS84 {
        to.area
    } else {
        from.area
    }?;
    let (lon, lat) = ((area[0] + area[2]) / 2.0, (area[1] + area[3]) / 2.0);
    if from.code == WGS84 {
        return Some((lon, lat));
    }
    Proj::new_known_crs(&format!("EPSG:{WGS84}"), &from.to_string(), None)
        .ok()?
        .convert((lon, lat))
        .ok()
}

fn convert_chunk(proj: Option<&Proj>, chunk: &mut [[f64; 2]]) {
    let Some(proj) = proj else {
        chunk.fill([f64::NAN; 2]);
        return;
    };
    let mut v: Vec<(f64, f64)> = chunk.iter().map(|p| (p[0], p[1])).collect();
    if proj.convert_array(&mut v).is_ok() {
        for (dst, src) in chunk.iter_mut().zip(&v) {
            *dst = [src.0, src.1];
        }
    } else {
        for p in chunk.iter_mut() {
            *p = match proj.convert((p[0], p[1])) {
                Ok((x, y)) if x.is_finite() && y.is_finite() => [x, y],
                _ => [f64::NAN; 2],
            };
        }
    }
    for p in chunk.iter_mut() {
        if !(p[0].is_finite() && p[1].is_finite()) {
            *p = [f64::NAN; 2];
        }
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
    pub fn new(working: &str) -> Result<Projector> {
        let working = Crs::working(working)?;
        let wgs = Crs::epsg(WGS84)?;
        Ok(Projector {
            forward: Transform::new(&wgs, &working)?,
            inverse: Transform::new(&working, &wgs)?,
            working,
        })
    }

    /// Whether a lon/lat lies within the working CRS's area of use, widened by `margin`
    /// degrees. A point outside (for example one whose latitude and longitude were swapped)
    /// would project to a meaningless place.
    pub fn in_area(&self, lon: f64, lat: f64, margin: f64) -> bool {
        match self.working.area_of_use() {
            Some([w, s, e, n]) if w <= e => {
                lon >= w - margin && lon <= e + margin && lat >= s - margin && lat <= n + margin
            }
            Some([w, s, e, n]) => {
                // area crossing the antimeridian
                (lon >= w - margin || lon <= e + margin) && lat >= s - margin && lat <= n + margin
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ordnance Survey, "A guide to coordinate systems in Great Britain", Annex C worked
    /// example (Caister water tower): OSGB36 φ = 52°39′27.2531″N, λ = 1°43′4.5177″E gives
    /// E 651 409.903 m, N 313 177.270 m. Pure Transverse Mercator, so exact to a millimetre.
    #[test]
    fn os_annex_c_worked_example() {
        let osgb36 = Crs::epsg(4277).unwrap();
        let t = Transform::new(&osgb36, &Crs::epsg(BNG).unwrap()).unwrap();
        let lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        let p = t.point([lon, lat]).unwrap();
        assert!((p[0] - 651_409.903).abs() < 0.001, "{p:?}");
        assert!((p[1] - 313_177.270).abs() < 0.001, "{p:?}");
    }

    /// WGS84 → BNG goes through PROJ's 7-parameter Helmert (stated accuracy 2 m). An
    /// independent OSTN15 implementation puts Newcastle (-1.6178, 54.9783) at
    /// E 424 561.565, N 564 920.721; the Helmert path must agree within its 2 m.
    #[test]
    fn wgs84_to_bng_within_helmert_accuracy_of_ostn15() {
        let p = Projector::new("EPSG:27700").unwrap();
        let q = p.forward.point([-1.6178, 54.9783]).unwrap();
        let d = ((q[0] - 424_561.565).powi(2) + (q[1] - 564_920.721).powi(2)).sqrt();
        assert!(d < 2.0, "{q:?} is {d} m from OSTN15");
        assert!(p.forward.accuracy_m() <= 2.0 && p.forward.accuracy_m() > 0.0);
        let back = p.inverse.point(q).unwrap();
        assert!((back[0] + 1.6178).abs() < 1e-7 && (back[1] - 54.9783).abs() < 1e-7);
    }

    #[test]
    fn refuses_geographic_and_feet_working_crs() {
        let e = Crs::working("EPSG:4326").unwrap_err().to_string();
        assert!(e.contains("not a projected CRS in metres"), "{e}");
        // NAD83 / New York Long Island (ftUS)
        assert!(Crs::working("EPSG:2263").is_err());
        assert!(Crs::working("EPSG:3857").is_ok());
        assert!(Crs::parse("EPSG:999999").is_err());
        assert!(Crs::parse("BNG").is_err());
    }

    #[test]
    fn area_of_use_rejects_swapped_coordinates() {
        let p = Projector::new("EPSG:27700").unwrap();
        assert!(p.in_area(-1.6, 54.9, 0.5));
        assert!(!p.in_area(54.9, -1.6, 0.5));
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
