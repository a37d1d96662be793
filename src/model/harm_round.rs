//! Harm sums as precise as the weights (issue 23): a sum of weights written with `d`
//! decimals (`1039.4`, `2.5`) is a multiple of `10^-d`, but summing binary floats leaves
//! noise (`2446.0800000000004`). [`round_sums`] rounds such sums to the weights' decimals,
//! which is exact: the true sum has no more decimals than its terms.

use std::collections::HashSet;

/// Most decimals kept (weights with more, or in exponent form, keep 9).
pub const MAX_DECIMALS: u32 = 9;

/// The decimals the weights carry: the most decimals among their shortest texts.
///
/// ```
/// assert_eq!(harmspot::harm_round::weight_decimals(&[1.0, 1039.4, 2.25, 1039.4]), 2);
/// assert_eq!(harmspot::harm_round::weight_decimals(&[365.0, 2.0]), 0);
/// ```
pub fn weight_decimals(weights: &[f64]) -> u32 {
    let mut seen = HashSet::new();
    let mut d = 0;
    for w in weights {
        if !seen.insert(w.to_bits()) {
            continue;
        }
        let s = format!("{w}");
        let k = match s.split_once('.') {
            Some((_, frac)) => frac.len() as u32,
            None => 0,
        };
        d = d.max(k.min(MAX_DECIMALS));
        if seen.len() > 10_000 {
            return MAX_DECIMALS; // a weight column of arbitrary values: keep what it gives
        }
    }
    d
}

/// Rounds each of `sums` to `decimals` (values too large to scale exactly are left alone).
///
/// ```
/// let mut v = [2446.0800000000004, 0.30000000000000004, 7.0];
/// harmspot::harm_round::round_sums(&mut v, 2);
/// assert_eq!(v, [2446.08, 0.3, 7.0]);
/// ```
pub fn round_sums(sums: &mut [f64], decimals: u32) {
    let scale = 10f64.powi(decimals.min(MAX_DECIMALS) as i32);
    for v in sums {
        let x = *v * scale;
        if x.is_finite() && x.abs() < 4.0e15 {
            *v = x.round() / scale;
        }
    }
}
