//! Parameters, patterns and the "what was used" record of emerging hot spots
//! ([`crate::spacetime::emerging::compute`], METHODS §8).

use crate::model::month::Month;
use crate::model::params::kde::Weights;
use serde::Serialize;

/// Parameters of [`compute`](crate::spacetime::emerging::compute) and [`compute_cube`](crate::spacetime::emerging::compute_cube).
#[derive(Clone, Debug, PartialEq)]
pub struct EmergingParams {
    /// Spatial neighbour distance in metres between cell centres; `None` = √2 × cell size.
    pub neighbour_distance: Option<f64>,
    /// K: bins of the previous K months are neighbours too (ArcGIS "neighborhood time step").
    pub time_window: u32,
    /// Significance level of a bin (two-sided p < α, or BH at α with `fdr`).
    pub alpha: f64,
    /// Significance level of the Mann-Kendall trend.
    pub trend_alpha: f64,
    /// Benjamini–Hochberg FDR per month.
    pub fdr: bool,
    /// The analysis variable: harm per bin, or incidents per bin.
    pub weights: Weights,
}

impl Default for EmergingParams {
    fn default() -> Self {
        EmergingParams {
            neighbour_distance: None,
            time_window: 1,
            alpha: 0.10,
            trend_alpha: 0.10,
            fdr: false,
            weights: Weights::Harm,
        }
    }
}

impl EmergingParams {
    /// Spatial neighbour distance in metres (default √2 × cell size).
    pub fn neighbour_distance(mut self, metres: f64) -> Self {
        self.neighbour_distance = Some(metres);
        self
    }
    /// Previous months in the neighbourhood, K (default 1).
    pub fn time_window(mut self, k: u32) -> Self {
        self.time_window = k;
        self
    }
    /// Bin significance level (default 0.10).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
    /// Trend significance level (default 0.10).
    pub fn trend_alpha(mut self, alpha: f64) -> Self {
        self.trend_alpha = alpha;
        self
    }
    /// Benjamini–Hochberg FDR per month (default false).
    pub fn fdr(mut self, on: bool) -> Self {
        self.fdr = on;
        self
    }
    /// Analysis variable (default harm; `Weights::Unweighted` counts incidents).
    pub fn weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        self
    }
}

/// What an emerging hot spot run used, for reports and output metadata.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EmergingUsed {
    /// Spatial neighbour distance in metres.
    pub neighbour_distance: f64,
    /// Whether it was chosen automatically (√2 × cell size).
    pub neighbour_distance_auto: bool,
    /// K, previous months in the neighbourhood.
    pub time_window: u32,
    /// Months of the cube (first .. last), including the K lead-in months.
    pub cube_months: Vec<Month>,
    /// Months analysed (z-scores, trend, categories).
    pub months: Vec<Month>,
    /// Bin significance level.
    pub alpha: f64,
    /// Trend significance level.
    pub trend_alpha: f64,
    /// Whether bins are FDR-corrected per month.
    pub fdr: bool,
    /// How a significant bin is defined, in words.
    pub significance: String,
    /// Bins in the Gi* population (study-area cells × cube months).
    pub population: usize,
    /// Mean bin value X̄.
    pub mean: f64,
    /// Population standard deviation S of the bin values.
    pub sd: f64,
    /// Analysis variable: `harm` or `n`.
    pub variable: String,
    /// How the study area was defined.
    pub study_area: String,
    /// Months of the cube with nothing in the study area (a month missing from the data reads
    /// as a fall to zero).
    pub empty_months: Vec<Month>,
}

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

    pub(crate) fn of(kind: i8, hot: bool) -> Pattern {
        Pattern::from_code(if hot { kind } else { -kind }).expect("1..=8")
    }
}
