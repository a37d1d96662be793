//! Mann-Kendall test for a monotonic trend in a series (METHODS §8; Mann 1945; Kendall
//! 1975; Gilbert 1987, *Statistical Methods for Environmental Pollution Monitoring*, §16.4).
//!
//! For a series x₁ … xₙ in time order,
//!
//! ```text
//! S      = Σ_{k<j} sign(x_j − x_k)
//! Var(S) = [n(n−1)(2n+5) − Σ_g t_g(t_g−1)(2t_g+5)] / 18      (t_g = size of tie group g)
//! Z      = (S − 1)/√Var(S)  if S > 0,   0 if S = 0,   (S + 1)/√Var(S)  if S < 0
//! p      = 2 · (1 − Φ(|Z|))                                  (two-sided)
//! ```
//!
//! The ±1 is the continuity correction. Ties are exact equality of the values. When
//! Var(S) = 0 (fewer than two values, or every value equal) there is no evidence of a trend:
//! Z = 0 and p = 1. The normal approximation is the one ArcGIS's Emerging Hot Spot Analysis
//! uses for the trend of a bin's Gi* z-scores; for n ≤ 10, exact tables (Gilbert 1987,
//! Table A18) are more accurate.

use crate::error::{Error, Result};
use crate::stats::pvalue;
use serde::Serialize;

/// The Mann-Kendall statistics of one series, in the shape PySAL esda uses for every
/// statistic: statistic, variance, z and a p-value whose direction is stated (two-sided).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct MannKendall {
    /// Number of values.
    pub n: usize,
    /// S = Σ_{k<j} sign(x_j − x_k): positive for an upward trend.
    pub s: i64,
    /// Var(S) under the null hypothesis of no trend, tie-corrected.
    pub var_s: f64,
    /// Z with the continuity correction ±1; 0 when Var(S) = 0.
    pub z: f64,
    /// Two-sided normal p-value of Z; 1 when Var(S) = 0.
    pub pvalue: f64,
    /// Kendall's τ_a = S / (n(n−1)/2), in [−1, 1]; 0 for n < 2.
    pub tau: f64,
}

/// The Mann-Kendall trend test of `x` (values in time order).
///
/// Reference: Mann (1945); Kendall (1975); Gilbert (1987) eqs. 16.3–16.5; METHODS §8.
///
/// Parameters: `x`, the series, oldest first.
///
/// Returns: [`MannKendall`] with S, the tie-corrected Var(S), Z (continuity-corrected) and
/// the two-sided p-value.
///
/// Algorithm: all n(n−1)/2 pairs (O(n²), ample for monthly series); tie groups from a
/// sorted copy.
///
/// Errors: a value that is not finite (the message gives its position).
///
/// Examples: the 14-value series of Little's worked example (College of the Holy Cross,
/// "A Mann-Kendall example by hand"): 72 increases, 18 decreases and one tied pair give
/// S = 54, Var(S) = 14·13·33/18 − 2·1·9/18 = 332.667 and Z = 53/√332.667 = 2.9058.
///
/// ```
/// let x = [12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7];
/// let mk = harmspot::mannkendall::test(&x).unwrap();
/// assert_eq!(mk.s, 54);
/// assert!((mk.var_s - 332.666_666_666_666_7).abs() < 1e-9);
/// assert!((mk.z - 2.9058).abs() < 5e-5);
/// ```
pub fn test(x: &[f64]) -> Result<MannKendall> {
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::Mismatch(format!(
            "Mann-Kendall: value {} of the series is not a finite number ({})",
            i + 1,
            x[i]
        )));
    }
    Ok(test_finite(x))
}

/// [`test`] for a series known to be finite (no check; NaN compares as a tie).
pub(crate) fn test_finite(x: &[f64]) -> MannKendall {
    let n = x.len();
    let mut s: i64 = 0;
    for k in 0..n {
        let xk = x[k];
        for &xj in &x[k + 1..] {
            if xj > xk {
                s += 1;
            } else if xj < xk {
                s -= 1;
            }
        }
    }
    let var_s = variance(x);
    let z = if var_s <= 0.0 || s == 0 {
        0.0
    } else if s > 0 {
        (s - 1) as f64 / var_s.sqrt()
    } else {
        (s + 1) as f64 / var_s.sqrt()
    };
    let pvalue = if var_s <= 0.0 {
        1.0
    } else {
        pvalue::two_sided(z)
    };
    let pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    MannKendall {
        n,
        s,
        var_s,
        z,
        pvalue,
        tau: if n < 2 { 0.0 } else { s as f64 / pairs },
    }
}

/// Tie-corrected Var(S) (Gilbert 1987 eq. 16.4).
fn variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == sorted[i] {
            j += 1;
        }
        let t = (j - i) as f64;
        if t > 1.0 {
            ties += t * (t - 1.0) * (2.0 * t + 5.0);
        }
        i = j;
    }
    ((n * (n - 1.0) * (2.0 * n + 5.0) - ties) / 18.0).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_cases() {
        for x in [&[][..], &[3.0][..], &[2.0, 2.0, 2.0][..]] {
            let mk = test(x).unwrap();
            assert_eq!(
                (mk.s, mk.var_s, mk.z, mk.pvalue),
                (0, 0.0, 0.0, 1.0),
                "{x:?}"
            );
        }
        let e = test(&[1.0, f64::NAN]).unwrap_err();
        assert!(e.to_string().contains("value 2"), "{e}");
    }

    #[test]
    fn two_values() {
        // S = 1, Var = 2·1·9/18 = 1, Z = (1 − 1)/1 = 0
        let mk = test(&[1.0, 2.0]).unwrap();
        assert_eq!((mk.s, mk.var_s, mk.z, mk.tau), (1, 1.0, 0.0, 1.0));
    }
}
