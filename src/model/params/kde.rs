//! Parameters and the "what was used" record of kernel density ([`crate::density::kde::estimate`],
//! METHODS §2–3): kernels, bandwidth rules, weights and values.

/// The kernel function (METHODS §2).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Kernel {
    /// `3/(π h²) · (1 − u²)²` — ArcGIS's kernel and sfhotspot's (default).
    #[default]
    Quartic,
    /// `2/(π h²) · (1 − u²)`.
    Epanechnikov,
    /// `4/(π h²) · (1 − u²)³`.
    Triweight,
    /// `1/(π h²)` inside the disc of radius h.
    Uniform,
    /// `3/(π h²) · (1 − u)`.
    Triangular,
    /// `exp(−u²/2) / (2π h² (1 − e⁻⁸))`, truncated at 4h; h is the standard deviation.
    Gaussian,
}

/// Which rule chooses the bandwidth when none is given (METHODS §3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BandwidthRule {
    /// ArcGIS's spatial Silverman rule, [`bandwidth::arcgis`](crate::density::bandwidth::arcgis) (default).
    #[default]
    Arcgis,
    /// R sfhotspot's rule, [`bandwidth::sfhotspot`](crate::density::bandwidth::sfhotspot).
    Sfhotspot,
}

impl BandwidthRule {
    /// A short description for notes and metadata ("ArcGIS rule").
    pub fn describe(self) -> &'static str {
        match self {
            BandwidthRule::Arcgis => "ArcGIS rule",
            BandwidthRule::Sfhotspot => "sfhotspot rule",
        }
    }
}

/// What each incident weighs in the sum.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Weights {
    /// `Incidents::harm`: the harm table's weight, or the per-row weight column when the
    /// incidents were read with one (default; `--weights harm` or `--weights COLUMN`).
    #[default]
    Harm,
    /// Every incident weighs 1 (`--weights none`).
    Unweighted,
}

/// Which value the main column holds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum Values {
    /// Incidents (or harm) per km², column `density` (default).
    #[default]
    Density,
    /// Density × cell area: incidents (or harm) expected in the cell, column `expected`.
    Expected,
    /// `Σ w · shape(u)` without the kernel's constant, column `kde` (sfhotspot's `kde`).
    Raw,
}

impl Values {
    /// The output column name: `density`, `expected` or `kde`.
    pub fn column(self) -> &'static str {
        match self {
            Values::Density => "density",
            Values::Expected => "expected",
            Values::Raw => "kde",
        }
    }
}

/// What [`estimate`](crate::density::kde::estimate) used, recorded in every output of its layer (see [`crate::model::used`]).
#[derive(Clone, Debug, PartialEq)]
pub struct KdeUsed {
    /// The kernel.
    pub kernel: Kernel,
    /// Bandwidth h in metres, after any adjustment.
    pub bandwidth: f64,
    /// Where the bandwidth came from: "given", "ArcGIS rule", or the rule raised to the cell.
    pub source: String,
    /// The multiplier applied to the bandwidth (1 = none).
    pub adjust: f64,
    /// The bandwidth before the multiplier.
    pub unadjusted: f64,
    /// How far a point reaches: h × the kernel's support.
    pub support_radius: f64,
    /// What each incident weighed.
    pub weights: WeightsUsed,
    /// Which value the main column holds.
    pub values: Values,
    /// Incidents given.
    pub incidents: u64,
    /// Incidents outside the grid (they still add density to the cells they reach).
    pub outside_grid: u64,
}

/// What each incident weighed in a density.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WeightsUsed {
    /// The harm table's weight.
    Harm,
    /// 1 each.
    None,
    /// A per-row weight column of the input.
    Column(String),
}

impl WeightsUsed {
    /// In words, as outputs record it: `harm`, `none` or ``column `NAME` ``.
    pub fn describe(&self) -> String {
        match self {
            WeightsUsed::Harm => "harm".into(),
            WeightsUsed::None => "none".into(),
            WeightsUsed::Column(c) => format!("column `{c}`"),
        }
    }
}

impl Values {
    /// What the main column holds, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Values::Density => "density per km2",
            Values::Expected => "expected per cell (density x cell area)",
            Values::Raw => "raw kernel sum without the constant",
        }
    }
}

/// Parameters of [`estimate`](crate::density::kde::estimate). Start from [`KdeParams::default`] and chain the setters, each
/// of which documents its default.
///
/// ```
/// use harmspot::kde::{KdeParams, Kernel};
/// let p = KdeParams::default().bandwidth(250.0).kernel(Kernel::Epanechnikov);
/// assert_eq!(p.bandwidth, Some(250.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct KdeParams {
    /// The kernel.
    pub kernel: Kernel,
    /// Bandwidth h in metres; `None` chooses it with `bandwidth_rule`.
    pub bandwidth: Option<f64>,
    /// The rule used when `bandwidth` is `None`.
    pub bandwidth_rule: BandwidthRule,
    /// Multiplier applied to the bandwidth, given or automatic (sfhotspot's `bandwidth_adjust`).
    pub bandwidth_adjust: f64,
    /// What each incident weighs.
    pub weights: Weights,
    /// What the main column holds.
    pub values: Values,
    /// Accept a bandwidth smaller than the cell size (refused by default: incidents farther
    /// than h from every cell centre would vanish from the surface).
    pub allow_small_bandwidth: bool,
}

impl Default for KdeParams {
    fn default() -> Self {
        KdeParams {
            kernel: Kernel::Quartic,
            bandwidth: None,
            bandwidth_rule: BandwidthRule::Arcgis,
            bandwidth_adjust: 1.0,
            weights: Weights::Harm,
            values: Values::Density,
            allow_small_bandwidth: false,
        }
    }
}

impl KdeParams {
    /// The kernel (default quartic).
    pub fn kernel(mut self, kernel: Kernel) -> Self {
        self.kernel = kernel;
        self
    }
    /// Bandwidth in metres (default: automatic, by `bandwidth_rule`).
    pub fn bandwidth(mut self, h: f64) -> Self {
        self.bandwidth = Some(h);
        self
    }
    /// Rule for the automatic bandwidth (default ArcGIS).
    pub fn bandwidth_rule(mut self, rule: BandwidthRule) -> Self {
        self.bandwidth_rule = rule;
        self
    }
    /// Multiplier of the bandwidth (default 1).
    pub fn bandwidth_adjust(mut self, f: f64) -> Self {
        self.bandwidth_adjust = f;
        self
    }
    /// Weights (default harm).
    pub fn weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        self
    }
    /// Output values (default density per km²).
    pub fn values(mut self, values: Values) -> Self {
        self.values = values;
        self
    }
    /// Accept a bandwidth smaller than the cell size (default false).
    pub fn allow_small_bandwidth(mut self, allow: bool) -> Self {
        self.allow_small_bandwidth = allow;
        self
    }
}

/// The Gaussian kernel's support, in standard deviations.
pub const GAUSSIAN_TRUNCATION: f64 = 4.0;
