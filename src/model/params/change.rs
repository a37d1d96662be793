//! Parameters and the "what was used" record of cell-by-cell change
//! ([`crate::spacetime::change::compute`], METHODS §4, §6).

use crate::model::month::{Month, MonthRange};
use crate::model::params::kde::{KdeParams, Weights};
use serde::Serialize;

/// How the two density surfaces are compared.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum KdeChange {
    /// `D_a − k·D_b`, density per km².
    Diff,
    /// `D_a / max(k·D_b, floor)`.
    Ratio,
    /// `ln(max(D_a, floor) / max(k·D_b, floor))`.
    LogRatio,
}

impl KdeChange {
    /// The name on the command line and of the output column's suffix.
    pub fn name(self) -> &'static str {
        match self {
            KdeChange::Diff => "diff",
            KdeChange::Ratio => "ratio",
            KdeChange::LogRatio => "log-ratio",
        }
    }
}

/// Dual-KDE settings.
#[derive(Clone, Debug, PartialEq)]
pub struct KdeChangeParams {
    /// Kernel, bandwidth (or rule), weights; `values` is always density per km².
    pub kde: KdeParams,
    /// How the surfaces are compared.
    pub method: KdeChange,
    /// Floor on densities in ratios, per km²; `None` = K_h(0), one unit-weight incident's peak.
    pub floor: Option<f64>,
}

/// Parameters of [`compute`](crate::spacetime::change::compute).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeParams {
    /// The before period.
    pub before: MonthRange,
    /// The after period (must start after `before` ends).
    pub after: MonthRange,
    /// Optional dual-KDE surfaces.
    pub kde: Option<KdeChangeParams>,
}

impl ChangeParams {
    /// Counts only (no KDE).
    pub fn new(before: MonthRange, after: MonthRange) -> ChangeParams {
        ChangeParams {
            before,
            after,
            kde: None,
        }
    }

    /// Adds dual-KDE surfaces compared by `method` (default: none), with the default floor.
    pub fn kde(mut self, kde: KdeParams, method: KdeChange) -> Self {
        self.kde = Some(KdeChangeParams {
            kde,
            method,
            floor: None,
        });
        self
    }
}

/// Study-area totals and what was used.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ChangeSummary {
    /// Before period.
    pub before: MonthRange,
    /// After period.
    pub after: MonthRange,
    /// k = months after / months before.
    pub period_ratio: f64,
    /// Incidents before, study area.
    pub n_before: f64,
    /// Incidents after, study area.
    pub n_after: f64,
    /// `n_after − k·n_before`.
    pub change: f64,
    /// Percent change; `None` when there was nothing before.
    pub pct_change: Option<f64>,
    /// Poisson z of the change; `None` when both are 0.
    pub z: Option<f64>,
    /// Harm before, study area.
    pub harm_before: f64,
    /// Harm after, study area.
    pub harm_after: f64,
    /// Incidents of either period outside the study area (not in the totals).
    pub outside_study_area: f64,
    /// Months of a period without any incident (a missing month of data reads as a fall).
    pub empty_months: Vec<Month>,
    /// Bandwidth of the dual KDE, metres.
    pub bandwidth: Option<f64>,
    /// Floor of the ratios, per km².
    pub floor: Option<f64>,
}

/// What [`compute`](crate::spacetime::change::compute) used, recorded in every output of its layer (see [`crate::model::used`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ChangeUsed {
    /// The periods, their ratio and the study-area totals.
    pub summary: ChangeSummary,
    /// The dual kernel density, when one was computed.
    pub kde: Option<KdeChangeUsed>,
}

/// What the dual kernel density of [`compute`](crate::spacetime::change::compute) used.
#[derive(Clone, Debug, PartialEq)]
pub struct KdeChangeUsed {
    /// How the two densities are compared.
    pub method: KdeChange,
    /// The kernel.
    pub kernel: crate::model::params::kde::Kernel,
    /// Bandwidth in metres (one for both periods).
    pub bandwidth: f64,
    /// Where the bandwidth came from.
    pub bandwidth_source: String,
    /// What each incident weighed.
    pub weights: Weights,
    /// Floor of the ratios, per km².
    pub floor: f64,
    /// Whether the floor was given (else one incident's peak density, K_h(0)).
    pub floor_given: bool,
}
