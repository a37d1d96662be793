//! Requests that cannot mean what they say, refused before any statistic is computed: a
//! treatment area far from every incident (a hub's coordinates mistyped, swapped or in the
//! wrong CRS), whose zeros would enter the pooled row as if measured, and a buffer control
//! that holds no incident (e.g. drawn equal to the treatment areas, so nothing is left of it
//! once they and their buffers are taken out), against which a WDD means nothing.

use super::areas::AreaSet;
use super::period::Periods;
use super::tally::{Frame, Layout, Tallies};
use crate::error::{Error, Result};
use geo::BoundingRect;

/// An empty area farther than this from every incident is taken as misplaced.
pub(super) const FAR_M: f64 = 10_000.0;

/// Refuses an area whose treatment area and buffer hold no incident in any month and which
/// lies more than [`FAR_M`] from the nearest incident.
pub(super) fn check_far_areas(
    f: &Frame,
    t: &Tallies,
    lay: &Layout,
    areas: &AreaSet,
    xy: &[[f64; 2]],
) -> Result<()> {
    let all = vec![true; t.types];
    for (k, a) in areas.areas.iter().enumerate() {
        let held: u64 = (0..f.months)
            .map(|m| t.count(lay.treatment(k), m, &all) + t.count(lay.buffer(k), m, &all))
            .sum();
        if held > 0 {
            continue;
        }
        let Some(r) = a.outer.as_ref().unwrap_or(&a.treatment).bounding_rect() else {
            continue;
        };
        let (lo, hi) = (r.min(), r.max());
        let d2 = xy
            .iter()
            .map(|p| {
                let dx = (lo.x - p[0]).max(p[0] - hi.x).max(0.0);
                let dy = (lo.y - p[1]).max(p[1] - hi.y).max(0.0);
                dx * dx + dy * dy
            })
            .fold(f64::INFINITY, f64::min);
        if d2 > FAR_M * FAR_M {
            return Err(Error::Degenerate(format!(
                "area `{}` (feature {}) lies {:.0} km from the nearest incident and holds none in any month: its zeros would be evaluated as if measured; check its coordinates (longitude first in GeoJSON) or the areas' CRS (‹areas_crs›), or leave it out of ‹areas›",
                a.name,
                a.feature,
                d2.sqrt() / 1e3
            )));
        }
    }
    Ok(())
}

/// Refuses a buffer control that holds no incident in the analysed months.
pub(super) fn check_buffer_control(
    f: &Frame,
    t: &Tallies,
    lay: &Layout,
    periods: &[Periods],
    areas: &AreaSet,
) -> Result<()> {
    if areas.buffer_control.is_none() || areas.buffer_m.is_none() {
        return Ok(());
    }
    if t.in_analysed_months(f, lay.buffer_control(), periods) > 0 {
        return Ok(());
    }
    Err(Error::Degenerate(
        "the buffer control area (‹buffer_control›) holds no incident outside the treatment areas and buffers in the analysed months, so a WDD against it means nothing: it must be drawn apart from the treatment areas and their buffers (is it the treatment areas file again?), where incidents were recorded".into(),
    ))
}
