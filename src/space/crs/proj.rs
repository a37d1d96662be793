//! The PROJ C library (cargo feature `proj`), for every CRS other than WGS84, ETRS89 and the
//! British National Grid: CRS look-ups in PROJ's EPSG database, ESRI WKT, and operations.
//!
//! `proj::Proj` is neither `Send` nor `Sync`, so an [`Operation`] holds only the definitions
//! and each rayon worker keeps its own `Proj` in a thread-local cache.

use super::{Crs, Kind, WGS84};
use crate::error::{Error, Result};
use ::proj::Proj;
use std::ffi::{CStr, CString};

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
pub(super) fn crs_info(def: &str) -> Option<(String, bool)> {
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

/// The area of use of a CRS as `[west, south, east, north]` in degrees, when PROJ has one.
pub(super) fn area_of_use(def: &str) -> Option<[f64; 4]> {
    Proj::new(def)
        .ok()
        .and_then(|p| p.area_of_use().ok())
        .and_then(|(a, _)| a)
        .map(|a| [a.west, a.south, a.east, a.north])
}

/// The CRS as ESRI WKT 1, when PROJ can export it.
pub(super) fn wkt_esri(def: &str) -> Option<String> {
    with_pj(def, |ctx, pj| {
        // SAFETY: `ctx` and `pj` are live (see `with_pj`); the string is copied while its
        // owner is alive.
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

/// A PROJ operation from one CRS to another. When the source is WGS84, points outside the
/// target's area of use (widened by half a degree: e.g. latitude and longitude swapped)
/// become NaN instead of being projected to a meaningless place.
#[derive(Clone, Debug)]
pub(super) struct Operation {
    from: String,
    to: String,
    description: String,
    accuracy_m: f64,
    lonlat_area: Option<[f64; 4]>,
}

impl Operation {
    pub(super) fn new(from: &Crs, to: &Crs) -> Result<Operation> {
        let (f, t) = (from.to_string(), to.to_string());
        let p = Proj::new_known_crs(&f, &t, None)
            .map_err(|e| Error::Crs(format!("no transformation from {f} to {t}: {e}")))?;
        let target_area = match to.kind {
            Kind::Proj { area, .. } => area,
            _ => None,
        };
        let source_area = match from.kind {
            Kind::Proj { area, .. } => area,
            _ => None,
        };
        // PROJ picks the operation when it first transforms a point: probe the middle of the
        // area of use so that the description names the operation used there.
        if let Some(a) = target_area.filter(|_| from.code == WGS84) {
            let _ = p.convert(((a[0] + a[2]) / 2.0, (a[1] + a[3]) / 2.0));
        } else if let Some(a) = source_area {
            let mid = ((a[0] + a[2]) / 2.0, (a[1] + a[3]) / 2.0);
            if let Ok(q) = Proj::new_known_crs(&format!("EPSG:{WGS84}"), &f, None)
                .ok()
                .map_or(Err(()), |w| w.convert(mid).map_err(|_| ()))
            {
                let _ = p.convert(q);
            }
        }
        let info = p.proj_info();
        Ok(Operation {
            description: info.description.unwrap_or_default(),
            accuracy_m: info.accuracy,
            lonlat_area: target_area.filter(|_| from.code == WGS84),
            from: f,
            to: t,
        })
    }

    pub(super) fn description(&self) -> &str {
        &self.description
    }

    pub(super) fn accuracy_m(&self) -> f64 {
        self.accuracy_m
    }

    /// Transforms a chunk in place on this thread.
    pub(super) fn apply(&self, chunk: &mut [[f64; 2]]) {
        if let Some([w, s, e, n]) = self.lonlat_area {
            let m = 0.5;
            for p in chunk.iter_mut() {
                let lon_ok = if w <= e {
                    p[0] >= w - m && p[0] <= e + m
                } else {
                    p[0] >= w - m || p[0] <= e + m
                };
                if !(lon_ok && p[1] >= s - m && p[1] <= n + m) {
                    *p = [f64::NAN; 2];
                }
            }
        }
        with_proj(&self.from, &self.to, |proj| convert_chunk(proj, chunk));
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

fn convert_chunk(proj: Option<&Proj>, chunk: &mut [[f64; 2]]) {
    let Some(proj) = proj else {
        chunk.fill([f64::NAN; 2]);
        return;
    };
    for p in chunk.iter_mut() {
        if p[0].is_nan() {
            continue;
        }
        *p = match proj.convert((p[0], p[1])) {
            Ok((x, y)) if x.is_finite() && y.is_finite() => [x, y],
            _ => [f64::NAN; 2],
        };
    }
}
