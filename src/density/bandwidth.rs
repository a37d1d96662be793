//! Rule-of-thumb kernel bandwidths (METHODS §3).
//!
//! * [`arcgis`] — ArcGIS Pro Kernel Density's default search radius, a spatial version of
//!   Silverman's rule of thumb (Silverman 1986, eq. 4.14):
//!   `h = 0.9 · min(SD, √(1/ln 2) · D_m) · n^(−0.2)`, where SD is the (weighted) standard
//!   distance from the (weighted) mean centre, D_m the (weighted) median distance to it, and
//!   `n` the number of points, or the sum of the weights when weighted.
//! * [`sfhotspot`] — the default of R sfhotspot's `hotspot_kde()`, which is MASS's
//!   `bandwidth.nrd`, `4 · 1.06 · min(sd(x), IQR(x)/1.34) · n^(−0.2)` ([`nrd`]). sfhotspot
//!   writes `mean(bandwidth_nrd(x), bandwidth_nrd(y))`; R's `mean(a, b)` takes `b` as its
//!   `trim` argument and returns `a`, so sfhotspot's bandwidth is that of the x coordinates
//!   alone. The preset reproduces that, so that old sfhotspot maps can be redrawn.
//!
//! Every length is metres in the working CRS; the bandwidth is the kernel's radius `h`
//! (for the Gaussian kernel, its standard deviation).

use crate::error::{Error, Result};

/// `√(1/ln 2)`, the factor that turns a median distance into a standard distance for a
/// bivariate normal distribution.
pub const SQRT_INV_LN2: f64 = 1.201_122_408_786_449_8;

/// ArcGIS's default bandwidth ("spatial Silverman", METHODS §3).
///
/// Parameters: `xy`, points in working-CRS metres; `weights`, one weight ≥ 0 per point, or
/// `None` for every point weighing 1.
///
/// Returns: `h` in metres. An error when there are no points (or no positive weight), or
/// when every point sits at the same place (h would be 0; give a bandwidth instead).
///
/// Algorithm: weighted mean centre `(x̄, ȳ)`; standard distance
/// `SD = √(Σw(x−x̄)²/Σw + Σw(y−ȳ)²/Σw)`; weighted median `D_m` of the distances to the mean
/// centre; `h = 0.9 · min(SD, √(1/ln 2)·D_m) · n^(−0.2)` with `n = Σw` when weighted, the
/// number of points otherwise.
///
/// Notes: the weighted median is the smallest distance at which the cumulated weight (points
/// sorted by distance) reaches half the total; when it equals exactly half, the median is
/// the mean of that distance and the next one, so equal weights give the ordinary median.
/// Points of weight 0 play no part.
///
/// ```
/// // six points; worked by hand in tests/golden_kde.rs: mean centre (1, 3), SD = 4.6188,
/// // D_m = (2 + √10)/2 = 2.5811, h = 0.9 · min(4.6188, 1.2011 · 2.5811) · 6^-0.2
/// let xy = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0], [1.0, 1.0], [1.0, 13.0]];
/// let h = harmspot::bandwidth::arcgis(&xy, None).unwrap();
/// assert!((h - 1.949_893_507).abs() < 1e-8);
/// ```
pub fn arcgis(xy: &[[f64; 2]], weights: Option<&[f64]>) -> Result<f64> {
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    if let Some(ws) = weights {
        if ws.len() != xy.len() {
            return Err(Error::Mismatch(format!(
                "{} weights for {} points",
                ws.len(),
                xy.len()
            )));
        }
    }
    let total: f64 = (0..xy.len()).map(w).sum();
    if xy.is_empty() || total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err(Error::Degenerate(
            "no incidents with a positive weight to choose a bandwidth from: give ‹bandwidth›"
                .into(),
        ));
    }
    let (mut mx, mut my) = (0.0, 0.0);
    for (i, p) in xy.iter().enumerate() {
        mx += w(i) * p[0];
        my += w(i) * p[1];
    }
    let (mx, my) = (mx / total, my / total);
    let (mut sxx, mut syy) = (0.0, 0.0);
    let mut dist: Vec<(f64, f64)> = Vec::with_capacity(xy.len());
    for (i, p) in xy.iter().enumerate() {
        let (dx, dy) = (p[0] - mx, p[1] - my);
        sxx += w(i) * dx * dx;
        syy += w(i) * dy * dy;
        if w(i) > 0.0 {
            dist.push((dx.hypot(dy), w(i)));
        }
    }
    let sd = (sxx / total + syy / total).sqrt();
    dist.sort_by(|a, b| a.0.total_cmp(&b.0));
    let dm = weighted_median(&dist, total);
    let n = if weights.is_some() {
        total
    } else {
        xy.len() as f64
    };
    let h = 0.9 * sd.min(SQRT_INV_LN2 * dm) * n.powf(-0.2);
    if !(h.is_finite() && h > 0.0) {
        return Err(Error::Degenerate(
            "every incident is at the same place (or the median distance to their centre is 0), so the ArcGIS rule gives a zero bandwidth: give ‹bandwidth›".into(),
        ));
    }
    Ok(h)
}

/// Weighted median of `(value, weight)` pairs sorted by value, weights > 0 summing to `total`.
fn weighted_median(sorted: &[(f64, f64)], total: f64) -> f64 {
    let half = total / 2.0;
    let mut cum = 0.0;
    for (k, &(d, w)) in sorted.iter().enumerate() {
        cum += w;
        if cum == half {
            return sorted.get(k + 1).map_or(d, |next| (d + next.0) / 2.0);
        }
        if cum > half {
            return d;
        }
    }
    sorted.last().map_or(0.0, |l| l.0)
}

/// R sfhotspot's default bandwidth: [`nrd`] of the x coordinates (see the module notes on
/// why sfhotspot's average of x and y is in fact x alone).
///
/// Parameters: `xy`, points in working-CRS metres (unweighted, as in sfhotspot).
/// Returns: `h` in metres; an error with fewer than two points or no spread in x.
///
/// ```
/// // x = 0, 2, 0, 2, 1, 1: sd = 0.8944, IQR = 1.5 (R type 7), min(0.8944, 1.5/1.34) = 0.8944,
/// // h = 4 · 1.06 · 0.8944 · 6^-0.2 = 2.6502
/// let xy = [[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0], [1.0, 1.0], [1.0, 13.0]];
/// let h = harmspot::bandwidth::sfhotspot(&xy).unwrap();
/// assert!((h - 2.650_211_902).abs() < 1e-8);
/// ```
pub fn sfhotspot(xy: &[[f64; 2]]) -> Result<f64> {
    let x: Vec<f64> = xy.iter().map(|p| p[0]).collect();
    let h = nrd(&x);
    if !(h.is_finite() && h > 0.0) {
        return Err(Error::Degenerate(
            "the sfhotspot rule needs at least two incidents with different x coordinates: give ‹bandwidth›".into(),
        ));
    }
    Ok(h)
}

/// MASS `bandwidth.nrd`: `4 · 1.06 · min(sd(x), IQR(x)/1.34) · n^(−0.2)`, with the sample
/// standard deviation (divisor n − 1) and R's default (type 7) quartiles. NaN with fewer
/// than two values.
///
/// ```
/// assert!((harmspot::bandwidth::nrd(&[0.0, 2.0, 0.0, 2.0, 1.0, 1.0]) - 2.650_211_902).abs() < 1e-8);
/// ```
pub fn nrd(x: &[f64]) -> f64 {
    let n = x.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let iqr = quantile7(&s, 0.75) - quantile7(&s, 0.25);
    4.0 * 1.06 * var.sqrt().min(iqr / 1.34) * (n as f64).powf(-0.2)
}

/// R's type-7 quantile of sorted, non-empty values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_one_point_and_identical_points_are_errors() {
        assert!(arcgis(&[], None).is_err());
        assert!(arcgis(&[[1.0, 1.0]], None).is_err());
        assert!(arcgis(&[[1.0, 1.0]; 5], None).is_err());
        assert!(arcgis(&[[0.0, 0.0], [1.0, 0.0]], Some(&[0.0, 0.0])).is_err());
        assert!(sfhotspot(&[[1.0, 1.0]]).is_err());
        assert!(sfhotspot(&[[1.0, 0.0], [1.0, 5.0]]).is_err());
    }

    #[test]
    fn weighted_median_convention() {
        // equal weights, even count: mean of the two middle values
        assert_eq!(
            weighted_median(&[(1.0, 1.0), (2.0, 1.0), (3.0, 1.0), (4.0, 1.0)], 4.0),
            2.5
        );
        // odd count: the middle value
        assert_eq!(
            weighted_median(&[(1.0, 1.0), (2.0, 1.0), (9.0, 1.0)], 3.0),
            2.0
        );
        // a heavy value takes the median
        assert_eq!(
            weighted_median(&[(1.0, 1.0), (2.0, 5.0), (3.0, 1.0)], 7.0),
            2.0
        );
    }

    #[test]
    fn weighting_by_integers_equals_repeating_points_except_for_n() {
        // n^-0.2 uses Σw when weighted and the count when not, so compare through it.
        let xy = [[0.0, 0.0], [3.0, 1.0], [1.0, 4.0], [5.0, 5.0]];
        let rep = [xy[0], xy[1], xy[1], xy[2], xy[3], xy[3], xy[3]];
        let a = arcgis(&xy, Some(&[1.0, 2.0, 1.0, 3.0])).unwrap();
        let b = arcgis(&rep, None).unwrap();
        assert!((a - b).abs() < 1e-12, "{a} {b}");
    }
}
