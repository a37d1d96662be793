//! The baseline of a monitored measure and its 95% limits (METHODS §10, with the
//! quasi-Poisson dispersion of §6b).
//!
//! From the monthly counts `y_1 … y_T` of the baseline months the data hold:
//! `ȳ = Σ y_t / T` per month, scaled to a period's months (`ȳ·3` for a quarter);
//! `φ = max(1, Σ_t (y_t − ȳ)²/ȳ / (T − 1))` (1 when `T < 2` or `ȳ = 0`); the limits of a
//! period of `n` months are `n·ȳ ± 1.96·√(φ·n·ȳ)`, the lower floored at 0. A complete
//! period is flagged `above` when its count exceeds the upper limit, `below` when it falls
//! short of the lower, else `within`; a period with months missing is `incomplete`, never
//! flagged.

use serde::Serialize;

/// The normal quantile of 95% two-sided limits.
pub const Z95: f64 = 1.96;

/// How a period's count reads against the baseline.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// A complete period above the upper limit.
    Above,
    /// A complete period below the lower limit.
    Below,
    /// A complete period within the limits.
    Within,
    /// A period with months missing from the data: shown, never compared.
    Incomplete,
    /// A complete period of a measure with no baseline (no baseline month in the data).
    NoBaseline,
}

impl Flag {
    /// The `flag` column's value (`""` when there is no baseline).
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Above => "above",
            Flag::Below => "below",
            Flag::Within => "within",
            Flag::Incomplete => "incomplete",
            Flag::NoBaseline => "",
        }
    }
}

/// The fitted baseline of one measure in one area.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    /// `ȳ`: mean count per month of data in the baseline.
    pub per_month: f64,
    /// `φ ≥ 1`: the quasi-Poisson dispersion of the baseline's monthly counts.
    pub phi: f64,
    /// `T`: baseline months in the data.
    pub months: usize,
    /// `Σ y_t`: the baseline's total (the support of the baseline values).
    pub total: f64,
}

/// Fits the baseline from the monthly counts of the baseline months the data hold;
/// `None` when there is none.
///
/// Citation: METHODS §10 and §6b (quasi-Poisson dispersion).
///
/// Parameters: `monthly`, the count (or harm) of each baseline month with data.
///
/// Returns the [`Baseline`]: `ȳ`, `φ`, `T` and the total.
///
/// # Examples
/// ```
/// use harmspot::monitor::baseline::fit;
/// // y = 8, 12, 10, 10: ȳ = 10, Σ(y − ȳ)² = 8, φ = max(1, 8/10/3) = 1
/// let b = fit(&[8.0, 12.0, 10.0, 10.0]).unwrap();
/// assert_eq!((b.per_month, b.phi), (10.0, 1.0));
/// // a quarter: 30 ± 1.96·√30 = [19.265, 40.735]
/// let (lo, hi) = b.limits(3);
/// assert!((lo - 19.264_638).abs() < 1e-6 && (hi - 40.735_362).abs() < 1e-6);
/// // y = 2, 18, 4, 16: ȳ = 10, Σ(y − ȳ)² = 200, φ = 200/10/3 = 6.667
/// assert!((fit(&[2.0, 18.0, 4.0, 16.0]).unwrap().phi - 20.0 / 3.0).abs() < 1e-12);
/// ```
pub fn fit(monthly: &[f64]) -> Option<Baseline> {
    let t = monthly.len();
    if t == 0 {
        return None;
    }
    let total: f64 = monthly.iter().sum();
    let mean = total / t as f64;
    let phi = if t < 2 || mean <= 0.0 {
        1.0
    } else {
        let ss: f64 = monthly.iter().map(|y| (y - mean) * (y - mean)).sum();
        (ss / mean / (t - 1) as f64).max(1.0)
    };
    Some(Baseline {
        per_month: mean,
        phi,
        months: t,
        total,
    })
}

impl Baseline {
    /// The expected count of a period of `months` months: `months · ȳ`.
    pub fn expected(&self, months: usize) -> f64 {
        self.per_month * months as f64
    }

    /// The 95% limits of a period of `months` months: `e ± 1.96·√(φ·e)` with
    /// `e = months · ȳ`, the lower floored at 0.
    pub fn limits(&self, months: usize) -> (f64, f64) {
        let e = self.expected(months);
        let half = Z95 * (self.phi * e).sqrt();
        ((e - half).max(0.0), e + half)
    }

    /// The flag of a period holding `months` of its `full_months` with count `count`.
    ///
    /// ```
    /// use harmspot::monitor::baseline::{fit, Flag};
    /// let b = fit(&[10.0, 10.0, 10.0]).unwrap();   // quarter: 30, limits [19.26, 40.74]
    /// assert_eq!(b.flag(41.0, 3, 3), Flag::Above);
    /// assert_eq!(b.flag(19.0, 3, 3), Flag::Below);
    /// assert_eq!(b.flag(40.0, 3, 3), Flag::Within);
    /// assert_eq!(b.flag(5.0, 2, 3), Flag::Incomplete); // never a fall
    /// ```
    pub fn flag(&self, count: f64, months: usize, full_months: usize) -> Flag {
        if months < full_months {
            return Flag::Incomplete;
        }
        let (lo, hi) = self.limits(months);
        if count > hi {
            Flag::Above
        } else if count < lo {
            Flag::Below
        } else {
            Flag::Within
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_cases() {
        assert!(fit(&[]).is_none());
        // one month: no dispersion to estimate
        let b = fit(&[7.0]).unwrap();
        assert_eq!((b.per_month, b.phi, b.months), (7.0, 1.0, 1));
        // all zeros: limits [0, 0], a single incident is above
        let z = fit(&[0.0, 0.0, 0.0]).unwrap();
        assert_eq!(z.limits(3), (0.0, 0.0));
        assert_eq!(z.flag(1.0, 3, 3), Flag::Above);
        assert_eq!(z.flag(0.0, 3, 3), Flag::Within);
        // the lower limit is floored at 0 and nothing falls below it
        let small = fit(&[1.0, 0.0, 2.0]).unwrap();
        assert_eq!(small.limits(1).0, 0.0);
        assert_eq!(small.flag(0.0, 1, 1), Flag::Within);
    }

    #[test]
    fn hand_values() {
        // y = 30, 50, 40, 20, 60, 40 per month: ȳ = 40, Σ(y−ȳ)² = 1000,
        // φ = 1000/40/5 = 5; a quarter: e = 120, half = 1.96·√600 = 48.0100 (48.009999)
        let b = fit(&[30.0, 50.0, 40.0, 20.0, 60.0, 40.0]).unwrap();
        assert_eq!(b.per_month, 40.0);
        assert!((b.phi - 5.0).abs() < 1e-12);
        let (lo, hi) = b.limits(3);
        assert!((lo - (120.0 - 48.009_999)).abs() < 1e-5, "{lo}");
        assert!((hi - (120.0 + 48.009_999)).abs() < 1e-5, "{hi}");
        assert_eq!(b.flag(169.0, 3, 3), Flag::Above);
        assert_eq!(b.flag(71.0, 3, 3), Flag::Below);
        assert_eq!(b.flag(72.0, 3, 3), Flag::Within);
        // a year: e = 480, half = 1.96·√2400 = 96.0208
        let (lo, hi) = b.limits(12);
        assert!((hi - lo - 2.0 * 96.019_998).abs() < 1e-5);
    }
}
