//! Calibrated verdicts of a before/after evaluation (METHODS §6b): the typed records and the
//! formulas of the placebo test.
//!
//! - Effect `E = ln((A_a + ½)/(Ŷ_a + ½))`, `Ŷ_a` the counterfactual after-period value (a
//!   synthetic control, Robbins, Saunders & Kilmer 2017, or the control scaled,
//!   `A_b · C_a / C_b`); `effect_pct = 100 · (A_a/Ŷ_a − 1)`.
//! - Placebo p-value (placebo-in-space, Abadie, Diamond & Hainmueller 2010): with `P`
//!   placebos' effects `E_j`, `p = (1 + #{|E_j| ≥ |E_h|}) / (P + 1)`, two-sided
//!   ([`placebo_p`]).
//! - Verdict ([`Word`]): `p < α` and `E < 0` is a fall, `p < α` and `E > 0` a rise, else no
//!   clear change. Verdict words follow the p-value only.
//!
//! The engine that computes them is [`super::infer`].

use super::result::MeasureKind;
use crate::model::month::Month;
use serde::{Serialize, Serializer};
use std::fmt;

/// How verdicts' p-values are computed (`--inference`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Inference {
    /// Placebo areas of each hub's shape (the default; calibrated).
    #[default]
    Placebo,
    /// The RES test of METHODS §6 with quasi-Poisson variances (not calibrated at micro
    /// places; kept for comparison).
    Analytic,
}

/// What a hub's counterfactual is (`--control`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Counterfactual {
    /// A synthetic control from donor areas (the default).
    #[default]
    Synthetic,
    /// The control area's change: `Ŷ_a = A_b · C_a / C_b` (a `--control FILE`).
    Control,
}

/// Parameters of the verdicts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InferenceParams {
    /// How p-values are computed.
    pub inference: Inference,
    /// Placebo areas per hub (default 999).
    pub placebos: usize,
    /// Seed of the placebo and donor draws.
    pub seed: u64,
    /// Significance level of the verdict words (default 0.05).
    pub alpha: f64,
    /// The counterfactual.
    pub counterfactual: Counterfactual,
    /// Donors (each a group of areas) drawn for the synthetic controls (default 100; see
    /// [`super::infer`]).
    pub donors: usize,
}

impl Default for InferenceParams {
    fn default() -> Self {
        InferenceParams {
            inference: Inference::Placebo,
            placebos: 999,
            seed: 1,
            alpha: 0.05,
            counterfactual: Counterfactual::Synthetic,
            donors: 60,
        }
    }
}

impl InferenceParams {
    /// How the p-values and counterfactual were made, in words for the `inference` column
    /// (e.g. `placebo 999, synthetic control`).
    pub fn describe(&self, placebos: usize) -> String {
        let cf = match self.counterfactual {
            Counterfactual::Synthetic => "synthetic control",
            Counterfactual::Control => "control area",
        };
        match self.inference {
            Inference::Placebo => format!("placebo {placebos}, {cf}"),
            Inference::Analytic => "analytic RES, quasi-Poisson, control area".to_string(),
        }
    }
}

/// A verdict word: `fall`, `rise` or `no clear change`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Word {
    /// Fell beyond chance.
    Fall,
    /// Rose beyond chance.
    Rise,
    /// No change beyond chance.
    NoClearChange,
}

impl Word {
    /// The verdict of effect `e` with p-value `p` at level `alpha` (no p: no clear change).
    ///
    /// ```
    /// use harmspot::compare::verdict::Word;
    /// assert_eq!(Word::of(-0.4, Some(0.01), 0.05), Word::Fall);
    /// assert_eq!(Word::of(0.4, Some(0.01), 0.05), Word::Rise);
    /// assert_eq!(Word::of(-0.4, Some(0.05), 0.05), Word::NoClearChange);
    /// ```
    pub fn of(e: f64, p: Option<f64>, alpha: f64) -> Word {
        match p {
            Some(p) if p < alpha && e < 0.0 => Word::Fall,
            Some(p) if p < alpha && e > 0.0 => Word::Rise,
            _ => Word::NoClearChange,
        }
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Word::Fall => "fall",
            Word::Rise => "rise",
            Word::NoClearChange => "no clear change",
        })
    }
}

impl Serialize for Word {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A donor of a synthetic control with its weight: a group of areas of the hub's shape
/// summed ([`super::infer::DONOR_GROUP`] of them).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Donor {
    /// The police.uk location name at each area's centre (empty when the data have none).
    pub places: Vec<String>,
    /// Each area's centre, working CRS.
    pub centres: Vec<[f64; 2]>,
    /// The group's weight.
    pub weight: f64,
}

/// Monthly values of a hub and its counterfactual, for charts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VerdictSeries {
    /// The hub's value per month.
    pub observed: Vec<f64>,
    /// The counterfactual per month.
    pub counterfactual: Vec<f64>,
    /// The 2.5% point of the placebos' month-by-month spread around their own
    /// counterfactuals, applied to the hub's counterfactual (empty without placebos).
    pub band_low: Vec<f64>,
    /// The 97.5% point of the same spread.
    pub band_high: Vec<f64>,
}

/// The calibrated verdict of one measure of one hub (or of the hubs pooled).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    /// The measure.
    pub measure: MeasureKind,
    /// The hub's before-period value `A_b`.
    pub before: f64,
    /// The hub's after-period value `A_a`.
    pub after: f64,
    /// The counterfactual after-period value `Ŷ_a`.
    pub counterfactual_after: f64,
    /// `E = ln((A_a + ½)/(Ŷ_a + ½))`.
    pub effect: f64,
    /// `100 · (A_a/Ŷ_a − 1)`; `None` when `Ŷ_a = 0`.
    pub effect_pct: Option<f64>,
    /// Two-sided p-value; `None` when it cannot be computed (no placebo).
    pub p_value: Option<f64>,
    /// Placebos behind the p-value.
    pub placebos: usize,
    /// The verdict word.
    pub verdict: Word,
    /// Root mean squared error of the counterfactual over the before months.
    pub pre_fit_rmspe: f64,
    /// Whether the pre-period fit is poor ([`poor_fit`]).
    pub poor_fit: bool,
    /// The synthetic control's largest weights (at most 3).
    pub top_donors: Vec<Donor>,
    /// Monthly values for charts.
    pub series: VerdictSeries,
}

/// Every verdict of an evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdicts {
    /// The parameters used.
    pub params: InferenceParams,
    /// How p-values and counterfactuals were made, in words (the `inference` column).
    pub inference: String,
    /// The months of every series.
    pub months: Vec<Month>,
    /// Per treatment area (file order), one verdict per measure of [`super::placebo::VRU_MEASURES`].
    pub areas: Vec<Vec<Verdict>>,
    /// The hubs pooled (sums over hubs; placebo sets of as many areas).
    pub pooled: Vec<Verdict>,
    /// What the analyst should know about the verdicts.
    pub notes: Vec<String>,
}

impl Verdicts {
    /// The verdict of `measure` for area `k`, or for the pooled row when `k` is `None`.
    pub fn get(&self, k: Option<usize>, measure: &MeasureKind) -> Option<&Verdict> {
        let v = match k {
            Some(k) => self.areas.get(k)?,
            None => &self.pooled,
        };
        v.iter().find(|x| &x.measure == measure)
    }
}

/// `E = ln((A_a + ½)/(Ŷ_a + ½))`.
///
/// ```
/// assert!((harmspot::compare::verdict::effect(49.5, 99.5) - 0.5f64.ln()).abs() < 1e-15);
/// ```
pub fn effect(after: f64, counterfactual: f64) -> f64 {
    ((after + 0.5) / (counterfactual + 0.5)).ln()
}

/// Two-sided placebo p-value `(1 + #{|E_j| ≥ |E_h|}) / (P + 1)`; `None` without placebos.
/// A placebo within a relative 1e-12 of the hub's size counts as at least as extreme.
///
/// ```
/// use harmspot::compare::verdict::placebo_p;
/// // 2 of 4 placebos at least as extreme as −0.5: (1 + 2)/5
/// assert_eq!(placebo_p(-0.5, &[0.1, -0.6, 0.5, 0.2]), Some(0.6));
/// ```
pub fn placebo_p(e: f64, placebos: &[f64]) -> Option<f64> {
    if placebos.is_empty() {
        return None;
    }
    let h = e.abs() * (1.0 - 1e-12);
    let k = placebos.iter().filter(|x| x.abs() >= h).count();
    Some((1 + k) as f64 / (placebos.len() + 1) as f64)
}

/// Whether a pre-period fit is poor: its RMSPE exceeds both twice the Poisson noise of the
/// hub's months, `2√ȳ`, and a quarter of its monthly mean `ȳ`.
///
/// ```
/// use harmspot::compare::verdict::poor_fit;
/// assert!(!poor_fit(15.0, 100.0)); // 15 < 2·10 and < 25
/// assert!(poor_fit(30.0, 100.0));
/// assert!(!poor_fit(3.5, 4.0)); // noise alone: 2·2 = 4
/// ```
pub fn poor_fit(rmspe: f64, mean: f64) -> bool {
    rmspe > 2.0 * mean.max(0.0).sqrt() && rmspe > 0.25 * mean
}

/// The `q`-quantile of `v` (type 7, linear between order statistics); `v` is sorted here.
pub(crate) fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p_value_counts_the_hub_and_ties() {
        // no placebo as extreme: the smallest p, 1/(P + 1)
        assert_eq!(placebo_p(2.0, &[0.1, -0.2, 0.3]), Some(0.25));
        // every placebo as extreme (one tie, one larger opposite sign): 1
        assert_eq!(placebo_p(0.5, &[0.5, -0.7, 0.6]), Some(1.0));
        // two-sided: |−0.3| counts against a hub of 0.25
        assert_eq!(placebo_p(0.25, &[-0.3, 0.1, 0.2, 0.0]), Some(0.4));
        assert_eq!(placebo_p(0.25, &[]), None);
        // 999 placebos, 24 at least as extreme: 25/1000
        let mut v = vec![0.0; 975];
        v.extend(std::iter::repeat_n(-1.0, 24));
        assert_eq!(placebo_p(0.9, &v), Some(0.025));
    }

    #[test]
    fn quantiles_interpolate() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert_eq!(quantile(&mut v, 0.25), 2.0);
        assert!((quantile(&mut v, 0.1) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn words_follow_p_only() {
        assert_eq!(Word::of(-3.0, None, 0.05), Word::NoClearChange);
        assert_eq!(Word::of(0.0, Some(0.001), 0.05), Word::NoClearChange);
        assert_eq!(Word::Fall.to_string(), "fall");
        assert_eq!(Word::NoClearChange.to_string(), "no clear change");
    }
}
