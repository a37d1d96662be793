//! Emerging hot spot patterns: the ArcGIS Pro categories (new, consecutive, intensifying,
//! persistent, diminishing, sporadic, oscillating, historical, and their cold mirrors) of
//! one location from its significant space-time Gi* bins and the Mann-Kendall trend of its
//! z series. Reference: ArcGIS Pro, "How Emerging Hot Spot Analysis works"; the rules and the
//! three resolved overlaps are in the documentation of [`super`].

pub use crate::model::params::emerging::Pattern;
use crate::stats::mannkendall::MannKendall;

/// The category of one location from its significant bins and its trend.
///
/// Reference: ArcGIS Pro, "How Emerging Hot Spot Analysis works"; the rules and the three
/// resolved overlaps are in the module documentation.
///
/// Parameters: `bins`, one per analysed month, oldest first: +1 significant hot spot, −1
/// significant cold spot, 0 not significant; `trend`, the Mann-Kendall test of the
/// location's z series; `trend_alpha`, the trend's significance level.
///
/// Returns: the [`Pattern`]; `NoPattern` for an empty series.
///
/// ```
/// use harmspot::emerging::{classify, Pattern};
/// use harmspot::mannkendall;
/// let bins = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
/// let trend = mannkendall::test(&[0.1, 0.2, 0.0, 0.3, 0.1, 0.2, 0.0, 0.1, 0.2, 2.5]).unwrap();
/// assert_eq!(classify(&bins, &trend, 0.10), Pattern::NewHot);
/// assert_eq!(Pattern::NewHot.code(), 1);
/// ```
pub fn classify(bins: &[i8], trend: &MannKendall, trend_alpha: f64) -> Pattern {
    let Some(&last) = bins.last() else {
        return Pattern::NoPattern;
    };
    let t = bins.len();
    let hot = bins.iter().filter(|&&b| b > 0).count();
    let cold = bins.iter().filter(|&&b| b < 0).count();
    let ninety = |k: usize| 10 * k >= 9 * t;
    if last == 0 {
        return if ninety(hot) {
            Pattern::HistoricalHot
        } else if ninety(cold) {
            Pattern::HistoricalCold
        } else {
            Pattern::NoPattern
        };
    }
    // same-side ("this") and other-side counts, trend sign seen from this side
    let is_hot = last > 0;
    let (this, other) = if is_hot { (hot, cold) } else { (cold, hot) };
    let sign: i8 = if is_hot { 1 } else { -1 };
    if ninety(this) {
        let significant = trend.pvalue < trend_alpha && trend.z != 0.0;
        let kind = if !significant {
            4 // persistent
        } else if (trend.z > 0.0) == is_hot {
            3 // intensifying
        } else {
            5 // diminishing
        };
        return Pattern::of(kind, is_hot);
    }
    if other > 0 {
        return Pattern::of(7, is_hot); // oscillating
    }
    if this == 1 {
        return Pattern::of(1, is_hot); // new
    }
    let run = bins.iter().rev().take_while(|&&b| b == sign).count();
    if run == this {
        Pattern::of(2, is_hot) // consecutive (run ≥ 2 since this ≥ 2)
    } else {
        Pattern::of(6, is_hot) // sporadic
    }
}
