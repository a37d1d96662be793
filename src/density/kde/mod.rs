//! Kernel density estimation on a grid (METHODS §2; ArcGIS Kernel Density; Silverman 1986,
//! eq. 4.5).
//!
//! `D(x) = Σ_i w_i · K_h(‖x − p_i‖)`, evaluated at every cell centre and summed in f64.
//! Every kernel below integrates to 1 over the plane, so the surface integrates to `Σw`.
//!
//! | kernel | `K_h(d)` for `d < h`, 0 beyond | raw shape (`kde` column) |
//! |---|---|---|
//! | quartic (default) | `3/(π h²) · (1 − u²)²` | `(1 − u²)²` |
//! | epanechnikov | `2/(π h²) · (1 − u²)` | `1 − u²` |
//! | triweight | `4/(π h²) · (1 − u²)³` | `(1 − u²)³` |
//! | uniform | `1/(π h²)` | `1` |
//! | triangular | `3/(π h²) · (1 − u)` | `1 − u` |
//! | gaussian | `1/(2π h² (1 − e⁻⁸)) · exp(−u²/2)` for `d < 4h` | `exp(−u²/2)` |
//!
//! with `u = d/h`. The Gaussian's `h` is its standard deviation; it is truncated at `4h`
//! (the mass beyond, `e⁻⁸ ≈ 3.4·10⁻⁴`, is dropped) and renormalised by `1/(1 − e⁻⁸)` so that
//! it too integrates to exactly 1. The support is open: a point exactly `h` (Gaussian: `4h`)
//! from a cell centre contributes nothing to it.
//!
//! Output values ([`Values`]): `density` in incidents (or harm) per km² (per m² × 10⁶, the
//! default), `expected` = density per m² × cell area (incidents expected in the cell), and
//! `raw` = `Σ w · shape(u)`, the sum without the kernel's constant — for the quartic kernel
//! this is what R sfhotspot's `kde` column holds.
//!
//! Exactness and speed: every point–centre pair closer than the support radius is
//! evaluated; nothing is binned. Points are sorted into grid rows (a counting sort, input
//! order kept within a row); output rows are computed in parallel, each from the points of
//! the rows within reach, with the range of columns a point reaches computed from the circle
//! equation. Each cell sums its contributions in one fixed order (point row, then input
//! order), so the result is bit-identical at any number of threads.

use crate::density::bandwidth;
use crate::error::{Error, Result};
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::model::params::disclosure::Support;
pub use crate::model::params::kde::{
    BandwidthRule, KdeParams, KdeUsed, Kernel, Values, Weights, WeightsUsed, GAUSSIAN_TRUNCATION,
};
use crate::model::progress::{Progress, Silent};
use rayon::prelude::*;
use std::f64::consts::PI;

mod sums;
use sums::{on_grid, Epanechnikov, Gaussian, Quartic, ShapeQ, Triangular, Triweight, Uniform};
pub use sums::{raw_sums, raw_sums_with};

impl From<Weights> for WeightsUsed {
    fn from(w: Weights) -> WeightsUsed {
        match w {
            Weights::Harm => WeightsUsed::Harm,
            Weights::Unweighted => WeightsUsed::None,
        }
    }
}

/// Kernel density of `incidents` at the centres of `grid`'s cells.
///
/// Reference: METHODS §2–3; ArcGIS Pro "How Kernel Density works"; Silverman (1986) eq. 4.5.
///
/// Parameters: the incidents (working-CRS metres), the grid, and [`KdeParams`].
///
/// Returns: a [`Layer`] with columns `density` | `expected` | `kde` (by `params.values`),
/// then `n` and `harm` (incidents and harm per cell, as [`crate::density::count::aggregate`]). Values
/// cover the whole block of cells; writers show the study area. `layer.params` records the
/// kernel, the bandwidth used and where it came from (`bandwidth_source`), the weights, the
/// values, the cell size and the support radius.
///
/// Algorithm: see the module documentation; O(n · (h/cell)²) kernel evaluations.
///
/// Errors: no incidents; a bandwidth or adjustment that is not a positive number; a
/// bandwidth smaller than the cell size (unless allowed); a layer too large for memory.
///
/// ```
/// use harmspot::{grid::{Grid, Shape}, kde::{estimate, KdeParams}, Incidents};
/// // two points 100 m apart, quartic kernel, h = 200 m, 10 m cells
/// let inc = Incidents { xy: vec![[0.0, 0.0], [100.0, 0.0]], harm: vec![1.0, 1.0],
///     kind: vec![0, 0], month: vec![harmspot::Month::UNKNOWN; 2], types: vec!["x".into()], ..Default::default() };
/// let grid = Grid::from_extent(Shape::Square, 10.0, [-100.0, -100.0, 200.0, 100.0]).unwrap();
/// let layer = estimate(&inc, &grid, &KdeParams::default().bandwidth(200.0)).unwrap();
/// // the cell centred at (55, 5): distances 55.23 and 45.28 m, 41.8603 per km²
/// let id = grid.spec.locate([55.0, 5.0]).unwrap();
/// let u2 = |d2: f64| d2 / 200.0f64.powi(2);
/// let by_hand = 3.0 / (std::f64::consts::PI * 40_000.0)
///     * ((1.0 - u2(55.0f64.powi(2) + 25.0)).powi(2) + (1.0 - u2(45.0f64.powi(2) + 25.0)).powi(2)) * 1e6;
/// assert!((layer.get("density").unwrap()[id] - by_hand).abs() < 1e-9);
/// assert!((by_hand - 41.8603).abs() < 1e-4); // incidents per km²
/// ```
pub fn estimate(incidents: &Incidents, grid: &Grid, params: &KdeParams) -> Result<Layer> {
    estimate_with(incidents, grid, params, &Silent)
}

/// [`estimate`], reporting rows of cells done to `progress`.
pub fn estimate_with(
    incidents: &Incidents,
    grid: &Grid,
    params: &KdeParams,
    progress: &dyn Progress,
) -> Result<Layer> {
    if incidents.is_empty() {
        return Err(Error::NoData(
            "no incidents to estimate a density from".into(),
        ));
    }
    let spec = &grid.spec;
    if !(params.bandwidth_adjust.is_finite() && params.bandwidth_adjust > 0.0) {
        return Err(Error::param(
            crate::Param::BandwidthAdjust,
            format!("must be a positive number, got {}", params.bandwidth_adjust),
        ));
    }
    let weights: Option<&[f64]> = match params.weights {
        Weights::Harm => Some(&incidents.harm),
        Weights::Unweighted => None,
    };
    let (h0, h, source) = chosen_bandwidth(incidents, spec, params, weights)?;
    crate::density::count::check_layer_bytes(3, spec.len(), incidents.len())?;

    let raw = raw_sums_with(&incidents.xy, weights, spec, params.kernel, h, progress);
    let scale = match params.values {
        Values::Density => params.kernel.constant() / (h * h) * 1e6,
        Values::Expected => params.kernel.constant() / (h * h) * spec.cell_area(),
        Values::Raw => 1.0,
    };
    let main: Vec<f64> = if scale == 1.0 {
        raw
    } else {
        raw.into_par_iter().map(|s| s * scale).collect()
    };
    let (n, harm, outside) = crate::density::count::cell_sums(incidents, spec);
    let mut layer = Layer::new(grid.clone());
    // a density is built from the incidents within the kernel's support radius
    let within = Support::Within {
        radius: h * params.kernel.support(),
        months: None,
    };
    layer.set(params.values.column(), main, within);
    layer.set("n", n, Support::Count);
    layer.set("harm", harm, Support::count_in("n"));
    layer.used = crate::model::used::Used::Kde(KdeUsed {
        kernel: params.kernel,
        bandwidth: h,
        source,
        adjust: params.bandwidth_adjust,
        unadjusted: h0,
        support_radius: h * params.kernel.support(),
        weights: params.weights.into(),
        values: params.values,
        incidents: incidents.len() as u64,
        outside_grid: outside,
    });
    Ok(layer)
}

/// The bandwidth of [`estimate_with`]: the given one or the rule's on the incidents on the
/// grid, times the adjustment; an automatic one below the cell size is raised to it.
/// Returns (unadjusted, used, where it came from in words). Errors: a given bandwidth that
/// is not a positive length, or one below the cell size unless allowed.
fn chosen_bandwidth(
    incidents: &Incidents,
    spec: &crate::model::grid::GridSpec,
    params: &KdeParams,
    weights: Option<&[f64]>,
) -> Result<(f64, f64, String)> {
    let (h0, source) = match params.bandwidth {
        Some(h) => {
            if !(h.is_finite() && h > 0.0) {
                return Err(Error::param(
                    crate::Param::Bandwidth,
                    format!("must be a positive length in metres, got {h}"),
                ));
            }
            (h, "given")
        }
        None => {
            // the rule sees only the incidents on the grid: strays left out of the automatic
            // extent (crate::space::study_area) or outside a boundary do not widen it
            let (xy, w) = on_grid(incidents, spec, weights);
            let w = w.as_deref();
            match params.bandwidth_rule {
                BandwidthRule::Arcgis => (bandwidth::arcgis(&xy, w)?, "ArcGIS rule"),
                BandwidthRule::Sfhotspot => (bandwidth::sfhotspot(&xy)?, "sfhotspot rule"),
            }
        }
    };
    let mut h = h0 * params.bandwidth_adjust;
    if h.is_nan() || h > crate::model::limits::MAX_DISTANCE {
        let (param, what) = if params.bandwidth_adjust == 1.0 {
            (crate::Param::Bandwidth, format!("{h:.0} m"))
        } else {
            (
                crate::Param::BandwidthAdjust,
                format!(
                    "{:e} × the {source} bandwidth {h0:.0} m = {h:.3e} m",
                    params.bandwidth_adjust
                ),
            )
        };
        return Err(Error::param(
            param,
            format!(
                "{what} is wider than the {} km harmspot accepts (every density would be about 0): is the factor meant to be much smaller (e.g. 0.5 or 2)?",
                crate::model::limits::MAX_DISTANCE / 1e3
            ),
        ));
    }
    let mut source = source.to_string();
    if h < spec.cell_size && params.bandwidth.is_none() && !params.allow_small_bandwidth {
        // an automatic choice never refuses to run: the rule's bandwidth shrinks with n
        // (n^-0.2) and can fall below the cell, which would drop incidents from the surface
        source = format!(
            "{source} gave {h:.1} m, raised to the {} m cell size",
            spec.cell_size
        );
        h = spec.cell_size;
    }
    if h < spec.cell_size && !params.allow_small_bandwidth {
        let how = if params.bandwidth.is_some() {
            String::new()
        } else {
            format!(" ({source})")
        };
        return Err(Error::param(crate::Param::Bandwidth,
            format!(
                "{h:.1} m{how} is smaller than the {} m cell size: incidents farther than the bandwidth from every cell centre would vanish from the surface. Use a larger ‹bandwidth› or a smaller ‹cell_size›, or pass ‹allow_small_bandwidth›",
                spec.cell_size
            ),
        ));
    }
    Ok((h0, h, source))
}

/// The kernels' mathematics (METHODS §2): normalising constants, support and shape.
impl Kernel {
    /// Every kernel, in the order of the table above.
    pub const ALL: [Kernel; 6] = [
        Kernel::Quartic,
        Kernel::Epanechnikov,
        Kernel::Triweight,
        Kernel::Uniform,
        Kernel::Triangular,
        Kernel::Gaussian,
    ];

    /// The kernel's name as on the command line (`quartic`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Quartic => "quartic",
            Kernel::Epanechnikov => "epanechnikov",
            Kernel::Triweight => "triweight",
            Kernel::Uniform => "uniform",
            Kernel::Triangular => "triangular",
            Kernel::Gaussian => "gaussian",
        }
    }

    /// The kernel called `name` (case-insensitive).
    pub fn parse(name: &str) -> Option<Kernel> {
        Kernel::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The constant `c` in `K_h(d) = c / h² · shape(d/h)`.
    pub fn constant(self) -> f64 {
        match self {
            Kernel::Quartic | Kernel::Triangular => 3.0 / PI,
            Kernel::Epanechnikov => 2.0 / PI,
            Kernel::Triweight => 4.0 / PI,
            Kernel::Uniform => 1.0 / PI,
            Kernel::Gaussian => {
                1.0 / (2.0 * PI * (1.0 - (-GAUSSIAN_TRUNCATION * GAUSSIAN_TRUNCATION / 2.0).exp()))
            }
        }
    }

    /// The support radius in units of h: 1, or 4 for the Gaussian.
    pub fn support(self) -> f64 {
        match self {
            Kernel::Gaussian => GAUSSIAN_TRUNCATION,
            _ => 1.0,
        }
    }

    /// The kernel's shape without its constant at `u = d/h` (0 from the support radius on).
    ///
    /// ```
    /// use harmspot::kde::Kernel;
    /// assert_eq!(Kernel::Quartic.shape(0.5), 0.5625); // (1 - 0.25)²
    /// assert_eq!(Kernel::Uniform.shape(1.0), 0.0);    // the support is open
    /// ```
    pub fn shape(self, u: f64) -> f64 {
        if u.abs().partial_cmp(&self.support()) != Some(std::cmp::Ordering::Less) {
            return 0.0;
        }
        self.shape_q(u * u)
    }

    /// `K_h(d)` per m²: `constant / h² · shape(d/h)`.
    ///
    /// ```
    /// use harmspot::kde::Kernel;
    /// // at the centre of a quartic kernel of radius 100 m: 3/(π·100²) per m²
    /// assert!((Kernel::Quartic.density(0.0, 100.0) - 9.549_296_586e-5).abs() < 1e-14);
    /// ```
    pub fn density(self, d: f64, h: f64) -> f64 {
        self.constant() / (h * h) * self.shape(d / h)
    }

    /// Shape as a function of `q = u²`, valid inside the support.
    #[inline(always)]
    fn shape_q(self, q: f64) -> f64 {
        match self {
            Kernel::Quartic => Quartic::f(q),
            Kernel::Epanechnikov => Epanechnikov::f(q),
            Kernel::Triweight => Triweight::f(q),
            Kernel::Uniform => Uniform::f(q),
            Kernel::Triangular => Triangular::f(q),
            Kernel::Gaussian => Gaussian::f(q),
        }
    }
}

#[cfg(test)]
mod tests;
