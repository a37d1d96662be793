//! Places sharing ground (METHODS §6): overlaps between treatment areas and between
//! buffers, a buffer reaching another area's treatment area, and the analyst's control,
//! boundary and buffer control — validated, repaired when needed, and their overlaps with
//! treatment areas and buffers reported.

use super::geometry::{make_valid, shared, SLIVER_M2};
use super::{Area, AreasParams, Overlap};
use crate::error::{Error, Result};
use geo::MultiPolygon;

/// Overlaps between every pair of areas, measured pairwise on bounding-box candidates.
pub(super) fn between(areas: &[Area]) -> Vec<Overlap> {
    let mut overlaps = Vec::new();
    for i in 0..areas.len() {
        for j in 0..areas.len() {
            if i == j {
                continue;
            }
            let (a, b) = (&areas[i], &areas[j]);
            if i < j {
                let s = shared(&a.treatment, &b.treatment);
                if s > SLIVER_M2 {
                    overlaps.push(Overlap {
                        kind: "treatment/treatment",
                        first: a.name.clone(),
                        second: b.name.clone(),
                        area_m2: s,
                    });
                }
                if let (Some(ra), Some(rb)) = (&a.ring, &b.ring) {
                    let s = shared(ra, rb);
                    if s > SLIVER_M2 {
                        overlaps.push(Overlap {
                            kind: "buffer/buffer",
                            first: a.name.clone(),
                            second: b.name.clone(),
                            area_m2: s,
                        });
                    }
                }
            }
            if let Some(oa) = &a.outer {
                let s = shared(oa, &b.treatment) - shared(&a.treatment, &b.treatment);
                if s > SLIVER_M2 {
                    overlaps.push(Overlap {
                        kind: "buffer/treatment",
                        first: a.name.clone(),
                        second: b.name.clone(),
                        area_m2: s,
                    });
                }
            }
        }
    }
    overlaps
}

/// The analyst's control, boundary and buffer control, made valid, with their overlaps
/// and notes.
pub(super) struct Limits {
    pub(super) control: Option<MultiPolygon<f64>>,
    pub(super) boundary: Option<MultiPolygon<f64>>,
    pub(super) buffer_control: Option<MultiPolygon<f64>>,
}

/// Validates the control, boundary and buffer control of `params` against the union of
/// the treatment areas `union_t` and of every treatment area and buffer `covered`.
pub(super) fn limits(
    params: &AreasParams,
    union_t: &MultiPolygon<f64>,
    covered: &MultiPolygon<f64>,
    overlaps: &mut Vec<Overlap>,
    notes: &mut Vec<String>,
) -> Result<Limits> {
    let fix_whole = |what: &str,
                     flag: crate::Param,
                     mp: &MultiPolygon<f64>,
                     notes: &mut Vec<String>|
     -> Result<MultiPolygon<f64>> {
        let (fixed, problem) = make_valid(mp.clone()).map_err(|why| {
            Error::param(flag, format!("the {what} is not a valid polygon: {why}"))
        })?;
        if let Some(p) = problem {
            notes.push(format!(
                "the {what} ({flag}) was not a valid polygon ({p}); it was repaired"
            ));
        }
        Ok(fixed)
    };
    let control = match &params.control {
        None => None,
        Some(c) => {
            let c = fix_whole("control area", crate::Param::Control, c, &mut *notes)?;
            let in_t = shared(&c, union_t);
            if in_t > SLIVER_M2 {
                overlaps.push(Overlap {
                    kind: "control/treatment",
                    first: "control".into(),
                    second: "treatment areas".into(),
                    area_m2: in_t,
                });
            }
            let in_b = shared(&c, covered) - in_t;
            if in_b > SLIVER_M2 {
                overlaps.push(Overlap {
                    kind: "control/buffer",
                    first: "control".into(),
                    second: "buffers".into(),
                    area_m2: in_b,
                });
            }
            if in_t + in_b > SLIVER_M2 {
                notes.push(format!(
                    "the control area (‹control›) overlaps treatment areas or buffers over {:.0} m²: incidents there count as treatment or buffer, not control",
                    in_t + in_b
                ));
            }
            Some(c)
        }
    };
    let boundary = match &params.boundary {
        None => None,
        Some(b) => Some(fix_whole(
            "boundary",
            crate::Param::Boundary,
            b,
            &mut *notes,
        )?),
    };
    let buffer_control = match &params.buffer_control {
        None => None,
        Some(d) => {
            let d = fix_whole(
                "buffer control area",
                crate::Param::BufferControl,
                d,
                &mut *notes,
            )?;
            if shared(&d, covered) > SLIVER_M2 {
                notes.push(
                    "the buffer control area overlaps treatment areas or buffers: incidents there count as treatment or buffer, not as buffer control".into(),
                );
            }
            Some(d)
        }
    };
    Ok(Limits {
        control,
        boundary,
        buffer_control,
    })
}
