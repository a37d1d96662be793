//! A bound on the Knox test's work before it starts: the close pairs (within the largest
//! distance band) it must list are at least the pairs sharing a square of side
//! `dmax / √2` — any two points in one such square are less than `dmax` apart. Counting
//! them is one pass over the incidents, so a job whose close pairs exceed
//! [`super::MAX_PAIRS`] is refused at once instead of after listing them (on police.uk
//! data, where most incidents share snapped map points, the bound is close to the count).

use std::collections::HashMap;

/// Pairs of `xy` that share a square of side `dmax / √2` (a lower bound on the pairs
/// within `dmax`), saturating.
///
/// ```
/// // three points within 1 m of each other: 3 pairs; a far one adds none
/// let xy = [[0.0, 0.0], [0.3, 0.2], [0.1, 0.4], [900.0, 900.0]];
/// assert_eq!(harmspot::knox::close_pairs_at_least(&xy, 10.0), 3);
/// ```
pub fn close_pairs_at_least(xy: &[[f64; 2]], dmax: f64) -> u64 {
    let side = dmax / std::f64::consts::SQRT_2;
    if !(side.is_finite() && side > 0.0) {
        return 0;
    }
    let mut cells: HashMap<(i64, i64), u64> = HashMap::with_capacity(xy.len() / 4);
    for p in xy {
        let key = ((p[0] / side).floor() as i64, (p[1] / side).floor() as i64);
        *cells.entry(key).or_insert(0) += 1;
    }
    cells
        .values()
        .fold(0u64, |s, &k| s.saturating_add(k * k.saturating_sub(1) / 2))
}

/// Incidents sampled by [`close_pairs_estimate`].
pub const SAMPLE: usize = 4000;

/// An estimate of the pairs within `dmax`: the mean number of neighbours within `dmax` of
/// a systematic sample of `SAMPLE` incidents (every k-th in input order, so the result is
/// the same on every run), times n / 2. Costs `SAMPLE` range queries.
pub fn close_pairs_estimate(xy: &[[f64; 2]], index: &crate::IncidentIndex, dmax: f64) -> f64 {
    let n = xy.len();
    if n < 2 {
        return 0.0;
    }
    let step = n.div_ceil(SAMPLE).max(1);
    let (mut sampled, mut neighbours) = (0u64, 0u64);
    for p in xy.iter().step_by(step) {
        let mut k = 0u64;
        index.for_each_within(*p, dmax, |_, _| k += 1);
        neighbours += k.saturating_sub(1);
        sampled += 1;
    }
    neighbours as f64 / sampled as f64 * n as f64 / 2.0
}
