//! p-values for z-scores and their significance classes (METHODS §5).
//!
//! * [`two_sided`]: `p = 2 · (1 − Φ(|z|)) = erfc(|z|/√2)`, the two-sided normal tail that
//!   ArcGIS reports for Gi*. (PySAL esda's `p_norm` is one-sided; harmspot's is not.)
//! * [`class`]: −3..3 with ±3 at p < 0.01, ±2 at p < 0.05, ±1 at p < 0.10, sign from z.
//! * [`fdr_classes`]: the same classes after the Benjamini–Hochberg (1995) false discovery
//!   rate correction applied at each level α ∈ {0.10, 0.05, 0.01} separately, as ArcGIS Hot
//!   Spot Analysis does with "Apply False Discovery Rate (FDR) Correction".

use rayon::prelude::*;

/// The three significance levels, from the strictest (class ±3) to the loosest (class ±1).
pub const LEVELS: [f64; 3] = [0.01, 0.05, 0.10];

/// Two-sided normal p-value of a z-score: `erfc(|z|/√2)`; NaN for NaN.
///
/// Computed with the complementary error function, so tiny p-values keep their precision
/// (no `1 − Φ` cancellation).
///
/// ```
/// use harmspot::pvalue::two_sided;
/// assert!((two_sided(1.959963984540054) - 0.05).abs() < 1e-12);
/// assert!((two_sided(-2.5758293035489) - 0.01).abs() < 1e-12);
/// assert_eq!(two_sided(0.0), 1.0);
/// ```
pub fn two_sided(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Significance class of a z-score with p-value `p`: ±3 at p < 0.01, ±2 at p < 0.05,
/// ±1 at p < 0.10, else 0 (also 0 for NaN). The sign is the sign of `z` (hot positive).
///
/// ```
/// use harmspot::pvalue::class;
/// assert_eq!(class(2.0, 0.0455), 2);
/// assert_eq!(class(-3.0, 0.0027), -3);
/// assert_eq!(class(1.0, 0.3173), 0);
/// ```
pub fn class(z: f64, p: f64) -> i8 {
    let level = if p < LEVELS[0] {
        3
    } else if p < LEVELS[1] {
        2
    } else if p < LEVELS[2] {
        1
    } else {
        0
    };
    if z > 0.0 {
        level
    } else if z < 0.0 {
        -level
    } else {
        0
    }
}

/// The Benjamini–Hochberg critical p-value at level `alpha`: with the m finite p-values
/// sorted ascending, the largest `p_(k)` such that `p_(k) ≤ k·α/m` (step-up). Every p at or
/// below it is significant at `alpha`. `None` when no p qualifies (or none is finite).
///
/// ```
/// // m = 5: thresholds k·0.05/5 = 0.01, 0.02, 0.03, 0.04, 0.05
/// let p = [0.005, 0.03, 0.011, 0.5, 0.04];
/// // sorted: 0.005 ≤ 0.01 ✓, 0.011 ≤ 0.02 ✓, 0.03 ≤ 0.03 ✓, 0.04 ≤ 0.04 ✓, 0.5 > 0.05
/// assert_eq!(harmspot::pvalue::bh_critical(&p, 0.05), Some(0.04));
/// ```
pub fn bh_critical(p: &[f64], alpha: f64) -> Option<f64> {
    let mut s: Vec<f64> = p.iter().copied().filter(|v| v.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    bh_critical_sorted(&s, alpha)
}

fn bh_critical_sorted(sorted: &[f64], alpha: f64) -> Option<f64> {
    let m = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .rev()
        .find(|(k, &pk)| pk <= (*k as f64 + 1.0) * alpha / m)
        .map(|(_, &pk)| pk)
}

/// Significance classes with the Benjamini–Hochberg FDR correction at each level separately
/// (ArcGIS): a cell is class ±3 when its p is at or below the BH critical p at α = 0.01,
/// else ±2 at or below the critical p at α = 0.05, else ±1 at α = 0.10, else 0. m is the
/// number of finite p-values (the cells of the study area); NaN p gives class 0.
///
/// ```
/// use harmspot::pvalue::fdr_classes;
/// let z = [3.0, 2.5, 2.0, -2.0, 0.1];
/// let p = [0.001, 0.012, 0.03, 0.04, 0.9];
/// // α=0.01: thresholds .002 .004 .006 .008 .010 → only 0.001 (k=1)
/// // α=0.05: thresholds .01 .02 .03 .04 .05 → 0.001, 0.012, 0.03, 0.04 (k=4)
/// // α=0.10: thresholds .02 .04 .06 .08 .10 → all but 0.9 (0.9 > 0.10)
/// assert_eq!(fdr_classes(&z, &p), vec![3, 2, 2, -2, 0]);
/// ```
pub fn fdr_classes(z: &[f64], p: &[f64]) -> Vec<i8> {
    assert_eq!(z.len(), p.len(), "z and p must have one value per cell");
    let mut s: Vec<f64> = p.iter().copied().filter(|v| v.is_finite()).collect();
    // the sorted values are the same whatever the thread count
    s.par_sort_unstable_by(f64::total_cmp);
    let crit: Vec<Option<f64>> = LEVELS.iter().map(|&a| bh_critical_sorted(&s, a)).collect();
    z.iter()
        .zip(p)
        .map(|(&z, &p)| {
            if !p.is_finite() || z == 0.0 || z.is_nan() {
                return 0;
            }
            let level = if crit[0].is_some_and(|c| p <= c) {
                3
            } else if crit[1].is_some_and(|c| p <= c) {
                2
            } else if crit[2].is_some_and(|c| p <= c) {
                1
            } else {
                0
            };
            if z > 0.0 {
                level
            } else {
                -level
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sided_matches_tables() {
        // standard normal table: P(|Z| > 1) = 0.3173105078629141, P(|Z| > 3) = 0.0026997960632602
        assert!((two_sided(1.0) - 0.317_310_507_862_914_1).abs() < 1e-15);
        assert!((two_sided(-3.0) - 0.002_699_796_063_260_2).abs() < 1e-15);
        assert!((two_sided(1.644_853_626_951_472) - 0.10).abs() < 1e-14);
        // far tail keeps relative precision: P(|Z| > 10) = 1.523970604832105e-23
        assert!((two_sided(10.0) / 1.523_970_604_832_105e-23 - 1.0).abs() < 1e-12);
        assert!(two_sided(f64::NAN).is_nan());
    }

    #[test]
    fn class_boundaries_are_strict() {
        assert_eq!(class(1.0, 0.01), 2);
        assert_eq!(class(1.0, 0.05), 1);
        assert_eq!(class(1.0, 0.10), 0);
        assert_eq!(class(f64::NAN, f64::NAN), 0);
    }

    #[test]
    fn bh_is_step_up() {
        // 0.04 fails its own rank threshold (k=2: 0.02) but a larger p passes at k=3
        // (0.029 ≤ 0.03), so both ranks 1..3 are significant: step-up, not step-down.
        let p = [0.001, 0.04, 0.029, 0.9, 0.8];
        // sorted: .001 .029 .04 .8 .9 with thresholds .01 .02 .03 .04 .05
        // k=3: .04 > .03 ✗; k=2: .029 > .02 ✗; k=1 ✓  → critical .001
        assert_eq!(bh_critical(&p, 0.05), Some(0.001));
        let p = [0.001, 0.019, 0.029, 0.9, 0.8];
        // k=3: .029 ≤ .03 ✓ → critical .029
        assert_eq!(bh_critical(&p, 0.05), Some(0.029));
        assert_eq!(bh_critical(&[0.5, 0.7], 0.05), None);
        assert_eq!(bh_critical(&[], 0.05), None);
    }

    #[test]
    fn fdr_never_adds_significance_and_ignores_nan() {
        let z = [2.0, 2.0, f64::NAN, 1.7];
        let p: Vec<f64> = z.iter().map(|&z| two_sided(z)).collect();
        let raw: Vec<i8> = z.iter().zip(&p).map(|(&z, &p)| class(z, p)).collect();
        let fdr = fdr_classes(&z, &p);
        for (a, b) in raw.iter().zip(&fdr) {
            assert!(b.abs() <= a.abs());
        }
        assert_eq!(fdr[2], 0);
    }
}
