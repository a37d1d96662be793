//! Automatic extent and study area from the incidents themselves (issue 11; METHODS §4).
//!
//! Real police.uk extracts hold a few locational outliers: rows geocoded to another county
//! or to Northern Ireland. Left in, they stretch the extent, so the automatic cell size
//! (extent / 250) and the study area grow with them. ArcGIS's Optimized Hot Spot Analysis
//! sets such outliers aside before choosing its scale; harmspot does the same with a rule
//! that needs no distance scale:
//!
//! * **Robust extent** ([`robust_extent`]): per axis, the 1st and 99th percentiles of the
//!   coordinates give a central box; it is widened on each side by half its own width (at
//!   least [`MIN_MARGIN`] m). Incidents outside the widened box are *strays*: they are
//!   counted and reported, and left out of the automatic extent, cell size and bandwidth.
//! * **Study area near the incidents** ([`near_incidents`]): without a boundary, the study
//!   area is the cells whose centre lies within `reach` metres of the centre of a cell
//!   holding a (non-stray) incident. Unlike the convex hull it does not reach out to sea nor
//!   across empty moorland, where no incident can be recorded: Gi* compares each cell with
//!   the mean of the study area, so thousands of structurally empty cells would make every
//!   urban cell "hot".
//!
//! Lengths are metres in the working CRS.

use crate::error::{Error, Result};
use crate::model::grid::{Grid, GridSpec, Shape};

/// Smallest margin, metres, added on each side of the central box (so that a compact
/// extract, one town, keeps its outskirts).
pub const MIN_MARGIN: f64 = 5_000.0;

/// The extent of the incidents without their locational outliers.
#[derive(Clone, Debug, PartialEq)]
pub struct RobustExtent {
    /// `[xmin, ymin, xmax, ymax]` of the non-stray incidents, metres.
    pub extent: [f64; 4],
    /// `[xmin, ymin, xmax, ymax]` of every incident, metres.
    pub full: [f64; 4],
    /// Whether each incident is a stray (outside the widened central box).
    pub stray: Vec<bool>,
    /// Number of strays.
    pub strays: usize,
}

/// The robust extent of `xy` (see the module documentation).
///
/// Parameters: `xy`, incidents in working-CRS metres. Returns `None` when `xy` is empty or
/// holds a non-finite coordinate. With fewer than 100 incidents no point is called a stray
/// (percentiles of so few points say nothing).
///
/// ```
/// use harmspot::study_area::robust_extent;
/// // 1,000 incidents in a 10 km square and two strays 300 km away
/// let mut xy: Vec<[f64; 2]> = (0..1000).map(|i| [(i % 100) as f64 * 100.0, (i / 100) as f64 * 1000.0]).collect();
/// xy.push([300_000.0, 0.0]);
/// xy.push([0.0, -300_000.0]);
/// let r = robust_extent(&xy).unwrap();
/// assert_eq!(r.strays, 2);
/// assert_eq!(r.extent, [0.0, 0.0, 9_900.0, 9_000.0]);
/// assert!(r.stray[1000] && r.stray[1001] && !r.stray[0]);
/// ```
pub fn robust_extent(xy: &[[f64; 2]]) -> Option<RobustExtent> {
    let full = crate::model::incident::bbox(xy)?;
    if !full.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut stray = vec![false; xy.len()];
    if xy.len() >= 100 {
        let central = |axis: usize| -> (f64, f64) {
            let mut v: Vec<f64> = xy.iter().map(|p| p[axis]).collect();
            let k = v.len() / 100;
            let lo = *v.select_nth_unstable_by(k, f64::total_cmp).1;
            let top = v.len() - 1 - k;
            let hi = *v.select_nth_unstable_by(top, f64::total_cmp).1;
            (lo, hi)
        };
        let (x0, x1) = central(0);
        let (y0, y1) = central(1);
        let mx = (0.5 * (x1 - x0)).max(MIN_MARGIN);
        let my = (0.5 * (y1 - y0)).max(MIN_MARGIN);
        let (bx0, bx1, by0, by1) = (x0 - mx, x1 + mx, y0 - my, y1 + my);
        for (s, p) in stray.iter_mut().zip(xy) {
            *s = p[0] < bx0 || p[0] > bx1 || p[1] < by0 || p[1] > by1;
        }
    }
    let mut e = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut strays = 0;
    for (p, &s) in xy.iter().zip(&stray) {
        if s {
            strays += 1;
            continue;
        }
        e = [
            e[0].min(p[0]),
            e[1].min(p[1]),
            e[2].max(p[0]),
            e[3].max(p[1]),
        ];
    }
    Some(RobustExtent {
        extent: e,
        full,
        stray,
        strays,
    })
}

/// A grid whose study area is the cells within `reach` metres of a cell holding an
/// incident (see the module documentation).
///
/// Parameters: `shape`, `cell_size` (metres); `xy`, incidents (working CRS); `skip`, one
/// flag per incident (`true` = left out, e.g. a stray), or empty for none; `reach`, metres
/// (at least the cell size is used).
///
/// Returns: a [`Grid`] whose block covers the kept incidents plus `reach` and one cell.
/// Errors: no incident kept; a grid too large.
///
/// ```
/// use harmspot::{grid::Shape, study_area::near_incidents};
/// // two incidents 10 km apart, 100 m cells, reach 500 m: two discs of cells, not the gap
/// let g = near_incidents(Shape::Square, 100.0, &[[50.0, 50.0], [10_050.0, 50.0]], &[], 500.0).unwrap();
/// let inside = |p: [f64; 2]| g.in_area[g.spec.locate(p).unwrap()];
/// assert!(inside([450.0, 50.0]) && inside([9_650.0, 50.0]));
/// assert!(!inside([5_050.0, 50.0]) && !inside([650.0, 50.0]));
/// assert_eq!(g.area_cells(), 2 * 81); // 81 centres within 500 m on a 100 m lattice
/// ```
pub fn near_incidents(
    shape: Shape,
    cell_size: f64,
    xy: &[[f64; 2]],
    skip: &[bool],
    reach: f64,
) -> Result<Grid> {
    let kept = |i: usize| skip.get(i).is_none_or(|s| !*s);
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (i, p) in xy.iter().enumerate() {
        if kept(i) && p[0].is_finite() && p[1].is_finite() {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
    }
    if b[0] > b[2] {
        return Err(Error::NoData("no incidents to build a grid on".into()));
    }
    let reach = reach.max(cell_size);
    let pad = reach + cell_size;
    let spec = GridSpec::covering(
        shape,
        cell_size,
        [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad],
    )?;
    let mut occupied = vec![false; spec.len()];
    for (i, p) in xy.iter().enumerate() {
        if kept(i) {
            if let Some(c) = spec.locate(*p) {
                occupied[c] = true;
            }
        }
    }
    let offsets = [
        spec.neighbour_offsets(reach, false),
        spec.neighbour_offsets(reach, true),
    ];
    let mut in_area = vec![false; spec.len()];
    for (c, _) in occupied.iter().enumerate().filter(|(_, o)| **o) {
        for &(dc, dr) in &offsets[spec.odd_column(c) as usize] {
            if let Some(n) = spec.offset(c, dc, dr) {
                in_area[n] = true;
            }
        }
    }
    Ok(Grid {
        spec,
        in_area,
        area_note: format!(
            "cells whose centre lies within {reach:.0} m of a cell holding an incident"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_small_inputs() {
        assert!(robust_extent(&[]).is_none());
        assert!(robust_extent(&[[f64::NAN, 0.0]]).is_none());
        // fewer than 100 points: nothing is a stray, however far
        let r = robust_extent(&[[0.0, 0.0], [1e6, 1e6]]).unwrap();
        assert_eq!(r.strays, 0);
        assert_eq!(r.extent, r.full);
        assert!(near_incidents(Shape::Square, 100.0, &[], &[], 500.0).is_err());
        // every incident skipped
        assert!(near_incidents(Shape::Square, 100.0, &[[0.0, 0.0]], &[true], 500.0).is_err());
    }

    #[test]
    fn rural_incidents_within_the_margin_are_not_strays() {
        // 10,000 in a 20 km square; 50 spread 0..8 km beyond its east edge (outskirts:
        // within half the width); 3 at 100 km
        let mut xy = Vec::new();
        let mut r = crate::Rng::new(3);
        for _ in 0..10_000 {
            xy.push([20_000.0 * r.uniform(), 20_000.0 * r.uniform()]);
        }
        for k in 0..50 {
            xy.push([20_000.0 + 160.0 * k as f64, 10_000.0]);
        }
        for k in 0..3 {
            xy.push([120_000.0, 1000.0 * k as f64]);
        }
        let e = robust_extent(&xy).unwrap();
        assert_eq!(e.strays, 3);
        assert!((e.extent[2] - (20_000.0 + 160.0 * 49.0)).abs() < 1e-9);
        assert_eq!(e.full[2], 120_000.0);
    }

    #[test]
    fn skipped_incidents_leave_no_study_area() {
        let xy = [[50.0, 50.0], [50_050.0, 50.0]];
        let g = near_incidents(Shape::Square, 100.0, &xy, &[false, true], 300.0).unwrap();
        assert!(
            g.spec.locate(xy[1]).is_none(),
            "the block ignores the skipped point"
        );
        assert_eq!(g.area_cells(), 29); // centres within 300 m on a 100 m lattice
    }

    #[test]
    fn hexagonal_study_area_is_a_disc_of_cells() {
        let g = near_incidents(Shape::Hex, 100.0, &[[0.0, 0.0]], &[], 100.0).unwrap();
        assert_eq!(g.area_cells(), 7); // the cell and its six neighbours
    }
}
