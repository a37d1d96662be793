//! Counting incidents per place, month and crime type (METHODS §6, counting rules in
//! [`super`]): every incident is tallied in each treatment area it lies in, else in the
//! buffer ring of every area whose buffer distance it lies within, else in the control when
//! it lies inside the control limit; and once in the pooled treatment and buffer places.
//!
//! Two methods give the same tallies ([`CountMethod`]): one parallel pass over the
//! incidents with an [`EnvelopeGrid`] of the areas' envelopes, or per-area queries of an
//! [`IncidentIndex`] (Guttman's R-tree, [`crate::space::index`]).

use super::areas::AreaSet;
use super::envelope::{in_rect, EnvelopeGrid};
use super::region::Region;
use super::tally::{Frame, Layout, Tallies};
use super::CountMethod;
use crate::model::incident::Selection;
use crate::model::month::MonthRange;
use crate::space::index::IncidentIndex;
use geo::{BoundingRect, Contains, MultiPolygon, Point};
use rayon::prelude::*;

/// Tallies of every place by the chosen method.
pub(super) fn count(
    method: CountMethod,
    f: &Frame,
    set: &AreaSet,
    lay: &Layout,
    span: MonthRange,
) -> Tallies {
    match method {
        CountMethod::OnePass => count_one_pass(f, set, lay),
        CountMethod::Index => count_index(f, set, lay, span),
    }
}

/// Treatment and outer (treatment + buffer) regions of every area, as counted.
pub(super) fn regions(set: &AreaSet) -> (Vec<Region<'_>>, Vec<Option<Region<'_>>>) {
    (0..set.areas.len())
        .map(|k| (set.treatment_region(k), set.outer_region(k)))
        .unzip()
}

/// The polygon that limits the control (the analyst's control, else the boundary).
pub(super) fn control_limit(set: &AreaSet) -> Option<&MultiPolygon<f64>> {
    set.control.as_ref().or(set.boundary.as_ref())
}

/// Incidents per chunk for the one-pass method; chunks depend only on the input size, so
/// tallies add up in the same order at any thread count.
fn chunk_size(n: usize) -> usize {
    (n / 64).max(1 << 16)
}

fn count_one_pass(f: &Frame, set: &AreaSet, lay: &Layout) -> Tallies {
    let inc = f.inc;
    let ntypes = inc.types.len().max(1);
    let grid = EnvelopeGrid::new(set);
    let (treat, outer) = regions(set);
    let limit = control_limit(set).and_then(|p| p.bounding_rect().map(|r| (p, r)));
    let limit_d = set
        .buffer_control
        .as_ref()
        .and_then(|p| p.bounding_rect().map(|r| (p, r)));
    let n = inc.len();
    let chunk = chunk_size(n);
    let n_chunks = n.div_ceil(chunk);
    let count_chunk = |c: usize| -> Tallies {
        let mut t = Tallies::new(lay.places(), f.months, ntypes);
        let mut cand: Vec<u32> = Vec::with_capacity(16);
        for i in c * chunk..((c + 1) * chunk).min(n) {
            let Some(m) = f.month_index(i) else { continue };
            let p = inc.xy[i];
            let (ty, w) = (inc.kind[i] as usize, inc.harm[i]);
            grid.candidates(p, &mut cand);
            if !cand.is_empty() {
                let mut in_t = false;
                for &id in cand.iter().filter(|&&id| id & 1 == 0) {
                    let k = (id >> 1) as usize;
                    if treat[k].contains(p) {
                        in_t = true;
                        t.add(lay.treatment(k), m, ty, w);
                    }
                }
                if in_t {
                    t.add(lay.pooled_treatment(), m, ty, w);
                    continue;
                }
                let mut in_o = false;
                for &id in cand.iter().filter(|&&id| id & 1 == 1) {
                    let k = (id >> 1) as usize;
                    if outer[k].as_ref().is_some_and(|o| o.contains(p)) {
                        in_o = true;
                        t.add(lay.buffer(k), m, ty, w);
                    }
                }
                if in_o {
                    t.add(lay.pooled_buffer(), m, ty, w);
                    continue;
                }
            }
            let in_c = match &limit {
                None => true,
                Some((poly, r)) => in_rect(r, p) && poly.contains(&Point::new(p[0], p[1])),
            };
            if in_c {
                t.add(lay.control(), m, ty, w);
            }
            if let Some((poly, r)) = &limit_d {
                if in_rect(r, p) && poly.contains(&Point::new(p[0], p[1])) {
                    t.add(lay.buffer_control(), m, ty, w);
                }
            }
        }
        t
    };
    let mut total = Tallies::new(lay.places(), f.months, ntypes);
    const GROUP: usize = 16;
    for g in (0..n_chunks).step_by(GROUP) {
        let parts: Vec<Tallies> = (g..(g + GROUP).min(n_chunks))
            .into_par_iter()
            .map(count_chunk)
            .collect();
        for p in &parts {
            total.absorb(p);
        }
    }
    total
}

fn count_index(f: &Frame, set: &AreaSet, lay: &Layout, span: MonthRange) -> Tallies {
    let inc = f.inc;
    let ntypes = inc.types.len().max(1);
    let index = IncidentIndex::build(inc);
    let sel = Selection::months(span);
    let rows_in = |r: Region| -> Vec<u32> {
        let Some(env) = r.envelope() else {
            return Vec::new();
        };
        let mut v = index.in_envelope(inc, env, &sel);
        v.retain(|&i| r.contains(inc.xy[i as usize]));
        v
    };
    let rows_t: Vec<Vec<u32>> = (0..set.areas.len())
        .into_par_iter()
        .map(|k| rows_in(set.treatment_region(k)))
        .collect();
    let rows_o: Vec<Vec<u32>> = (0..set.areas.len())
        .into_par_iter()
        .map(|k| set.outer_region(k).map_or_else(Vec::new, rows_in))
        .collect();
    let rows_c: Option<Vec<u32>> = control_limit(set).map(|c| index.in_polygon(inc, c, &sel));
    let rows_d: Option<Vec<u32>> = set
        .buffer_control
        .as_ref()
        .map(|c| index.in_polygon(inc, c, &sel));
    const IN_T: u8 = 1;
    const IN_O: u8 = 2;
    const IN_C: u8 = 4;
    const IN_D: u8 = 8;
    let mut flag = vec![0u8; inc.len()];
    for (rows, bit) in rows_t
        .iter()
        .map(|r| (r, IN_T))
        .chain(rows_o.iter().map(|r| (r, IN_O)))
        .chain(rows_c.iter().map(|r| (r, IN_C)))
        .chain(rows_d.iter().map(|r| (r, IN_D)))
    {
        for &i in rows {
            flag[i as usize] |= bit;
        }
    }
    let limited = rows_c.is_some();
    let tally = |rows: &mut dyn Iterator<Item = usize>| -> Tallies {
        let mut t = Tallies::new(1, f.months, ntypes);
        for i in rows {
            if let Some(m) = f.month_index(i) {
                t.add(0, m, inc.kind[i] as usize, inc.harm[i]);
            }
        }
        t
    };
    let k = set.areas.len();
    let one: Vec<Tallies> =
        (0..lay.places())
            .into_par_iter()
            .map(|p| {
                let all = 0..inc.len();
                if p == lay.pooled_treatment() {
                    tally(&mut all.filter(|&i| flag[i] & IN_T != 0))
                } else if p == lay.pooled_buffer() {
                    tally(&mut all.filter(|&i| flag[i] & (IN_T | IN_O) == IN_O))
                } else if p == lay.control() {
                    tally(&mut all.filter(|&i| {
                        flag[i] & (IN_T | IN_O) == 0 && (!limited || flag[i] & IN_C != 0)
                    }))
                } else if p == lay.buffer_control() {
                    tally(&mut all.filter(|&i| flag[i] & (IN_T | IN_O | IN_D) == IN_D))
                } else if p % 2 == 0 {
                    tally(&mut rows_t[p / 2].iter().map(|&i| i as usize))
                } else {
                    debug_assert!(p / 2 < k);
                    tally(
                        &mut rows_o[p / 2]
                            .iter()
                            .map(|&i| i as usize)
                            .filter(|&i| flag[i] & IN_T == 0),
                    )
                }
            })
            .collect();
    let mut total = Tallies::new(lay.places(), f.months, ntypes);
    for (p, t) in one.iter().enumerate() {
        total.put(p, t);
    }
    total
}
