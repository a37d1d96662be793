//! Emerging hot spot patterns: the ArcGIS Pro categories (new, consecutive, intensifying,
//! persistent, diminishing, sporadic, oscillating, historical, and their cold mirrors) of
//! one location from its significant space-time Gi* bins and the Mann-Kendall trend of its
//! z series. Reference: ArcGIS Pro, "How Emerging Hot Spot Analysis works"; the rules and the
//! three resolved overlaps are in the documentation of [`super`].

use crate::stats::mannkendall::MannKendall;
use serde::Serialize;

/// An emerging hot spot category. [`Pattern::code`] gives 1..8 for hot patterns, −1..−8
/// for their cold mirrors and 0 for no pattern.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[allow(missing_docs)]
pub enum Pattern {
    NoPattern,
    NewHot,
    ConsecutiveHot,
    IntensifyingHot,
    PersistentHot,
    DiminishingHot,
    SporadicHot,
    OscillatingHot,
    HistoricalHot,
    NewCold,
    ConsecutiveCold,
    IntensifyingCold,
    PersistentCold,
    DiminishingCold,
    SporadicCold,
    OscillatingCold,
    HistoricalCold,
}

impl Pattern {
    /// Every pattern, in code order 0, 1..8, −1..−8.
    pub const ALL: [Pattern; 17] = [
        Pattern::NoPattern,
        Pattern::NewHot,
        Pattern::ConsecutiveHot,
        Pattern::IntensifyingHot,
        Pattern::PersistentHot,
        Pattern::DiminishingHot,
        Pattern::SporadicHot,
        Pattern::OscillatingHot,
        Pattern::HistoricalHot,
        Pattern::NewCold,
        Pattern::ConsecutiveCold,
        Pattern::IntensifyingCold,
        Pattern::PersistentCold,
        Pattern::DiminishingCold,
        Pattern::SporadicCold,
        Pattern::OscillatingCold,
        Pattern::HistoricalCold,
    ];

    /// 1 new, 2 consecutive, 3 intensifying, 4 persistent, 5 diminishing, 6 sporadic,
    /// 7 oscillating, 8 historical; negative for cold spots; 0 no pattern.
    pub fn code(self) -> i8 {
        let i = Pattern::ALL
            .iter()
            .position(|&p| p == self)
            .expect("listed") as i8;
        if i > 8 {
            -(i - 8)
        } else {
            i
        }
    }

    /// The pattern with `code`.
    pub fn from_code(code: i8) -> Option<Pattern> {
        match code {
            0..=8 => Some(Pattern::ALL[code as usize]),
            -8..=-1 => Some(Pattern::ALL[(8 - code) as usize]),
            _ => None,
        }
    }

    /// ArcGIS's label, e.g. `New Hot Spot`, `No Pattern Detected`.
    pub fn label(self) -> &'static str {
        const HOT: [&str; 9] = [
            "No Pattern Detected",
            "New Hot Spot",
            "Consecutive Hot Spot",
            "Intensifying Hot Spot",
            "Persistent Hot Spot",
            "Diminishing Hot Spot",
            "Sporadic Hot Spot",
            "Oscillating Hot Spot",
            "Historical Hot Spot",
        ];
        const COLD: [&str; 9] = [
            "No Pattern Detected",
            "New Cold Spot",
            "Consecutive Cold Spot",
            "Intensifying Cold Spot",
            "Persistent Cold Spot",
            "Diminishing Cold Spot",
            "Sporadic Cold Spot",
            "Oscillating Cold Spot",
            "Historical Cold Spot",
        ];
        let c = self.code();
        if c >= 0 {
            HOT[c as usize]
        } else {
            COLD[(-c) as usize]
        }
    }

    fn of(kind: i8, hot: bool) -> Pattern {
        Pattern::from_code(if hot { kind } else { -kind }).expect("1..=8")
    }
}

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
