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

use crate::bandwidth;
use crate::error::{Error, Result};
use crate::grid::{Grid, GridSpec, Shape};
use crate::incident::Incidents;
use crate::layer::Layer;
use crate::progress::{Progress, Silent};
use rayon::prelude::*;
use serde_json::json;
use std::f64::consts::PI;

/// The Gaussian kernel's support, in standard deviations.
pub const GAUSSIAN_TRUNCATION: f64 = 4.0;

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

/// Kernel shapes as functions of `q = u²`, one type each so the inner loop is compiled per
/// kernel.
trait ShapeQ: Sync {
    fn f(q: f64) -> f64;
}
struct Quartic;
struct Epanechnikov;
struct Triweight;
struct Uniform;
struct Triangular;
struct Gaussian;
impl ShapeQ for Quartic {
    #[inline(always)]
    fn f(q: f64) -> f64 {
        let a = 1.0 - q;
        a * a
    }
}
impl ShapeQ for Epanechnikov {
    #[inline(always)]
    fn f(q: f64) -> f64 {
        1.0 - q
    }
}
impl ShapeQ for Triweight {
    #[inline(always)]
    fn f(q: f64) -> f64 {
        let a = 1.0 - q;
        a * a * a
    }
}
impl ShapeQ for Uniform {
    #[inline(always)]
    fn f(_q: f64) -> f64 {
        1.0
    }
}
impl ShapeQ for Triangular {
    #[inline(always)]
    fn f(q: f64) -> f64 {
        1.0 - q.sqrt()
    }
}
impl ShapeQ for Gaussian {
    #[inline(always)]
    fn f(q: f64) -> f64 {
        (-0.5 * q).exp()
    }
}

/// Which rule chooses the bandwidth when none is given (METHODS §3).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum BandwidthRule {
    /// ArcGIS's spatial Silverman rule, [`bandwidth::arcgis`] (default).
    #[default]
    Arcgis,
    /// R sfhotspot's rule, [`bandwidth::sfhotspot`].
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

/// Parameters of [`estimate`]. Start from [`KdeParams::default`] and chain the setters, each
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

/// Kernel density of `incidents` at the centres of `grid`'s cells.
///
/// Reference: METHODS §2–3; ArcGIS Pro "How Kernel Density works"; Silverman (1986) eq. 4.5.
///
/// Parameters: the incidents (working-CRS metres), the grid, and [`KdeParams`].
///
/// Returns: a [`Layer`] with columns `density` | `expected` | `kde` (by `params.values`),
/// then `n` and `harm` (incidents and harm per cell, as [`crate::count::aggregate`]). Values
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
        return Err(Error::Analysis(
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
            // extent (crate::study_area) or outside a boundary do not widen it
            let (xy, w) = on_grid(incidents, spec, weights);
            let w = w.as_deref();
            match params.bandwidth_rule {
                BandwidthRule::Arcgis => (bandwidth::arcgis(&xy, w)?, "ArcGIS rule"),
                BandwidthRule::Sfhotspot => (bandwidth::sfhotspot(&xy)?, "sfhotspot rule"),
            }
        }
    };
    let mut h = h0 * params.bandwidth_adjust;
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
    crate::count::check_layer_bytes(3, spec.len(), incidents.len())?;

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
    let (n, harm, outside) = crate::count::cell_sums(incidents, spec);
    let mut layer = Layer::new(grid.clone());
    layer.set(params.values.column(), main);
    layer.set("n", n);
    layer.set("harm", harm);
    layer.param("analysis", "kde");
    layer.param("kernel", params.kernel.name());
    layer.param("bandwidth", h);
    layer.param("bandwidth_source", source);
    if params.bandwidth_adjust != 1.0 {
        layer.param("bandwidth_adjust", params.bandwidth_adjust);
        layer.param("bandwidth_unadjusted", h0);
    }
    layer.param("support_radius", h * params.kernel.support());
    if params.kernel == Kernel::Gaussian {
        layer.param(
            "gaussian_truncation",
            "4 standard deviations, renormalised to integrate to 1",
        );
    }
    layer.param(
        "weights",
        match params.weights {
            Weights::Harm => "harm",
            Weights::Unweighted => "none",
        },
    );
    layer.param(
        "values",
        match params.values {
            Values::Density => "density per km2",
            Values::Expected => "expected per cell (density x cell area)",
            Values::Raw => "raw kernel sum without the constant",
        },
    );
    layer.param("cell_size", spec.cell_size);
    layer.param("shape", json!(spec.shape));
    layer.param("incidents", incidents.len() as u64);
    layer.param("incidents_outside_grid", outside);
    Ok(layer)
}

/// The incidents (and their weights) that fall in the grid's block of cells.
fn on_grid(
    incidents: &Incidents,
    spec: &crate::grid::GridSpec,
    weights: Option<&[f64]>,
) -> (Vec<[f64; 2]>, Option<Vec<f64>>) {
    let keep: Vec<usize> = (0..incidents.len())
        .filter(|&i| spec.locate(incidents.xy[i]).is_some())
        .collect();
    let xy = keep.iter().map(|&i| incidents.xy[i]).collect();
    let w = weights.map(|w| keep.iter().map(|&i| w[i]).collect());
    (xy, w)
}

/// `Σ_i w_i · shape(‖c − p_i‖ / h)` at every cell centre `c` of `spec` (row-major ids): the
/// kernel sum without its constant. `weights = None` weighs every point 1.
///
/// Exact (every pair closer than `kernel.support() · h` counts, nothing else) and
/// bit-identical at any number of threads; see the module documentation.
///
/// ```
/// use harmspot::{grid::{GridSpec, Shape}, kde::{raw_sums, Kernel}};
/// let spec = GridSpec::covering(Shape::Square, 10.0, [0.0, 0.0, 29.0, 9.0]).unwrap();
/// // one point on the centre of the middle cell: 1 there, (1 - 0.1²)² = 0.9801 next door
/// let s = raw_sums(&[[15.0, 5.0]], None, &spec, Kernel::Quartic, 100.0);
/// assert_eq!(s[1], 1.0);
/// assert!((s[0] - 0.9801).abs() < 1e-15 && (s[2] - 0.9801).abs() < 1e-15);
/// ```
pub fn raw_sums(
    xy: &[[f64; 2]],
    weights: Option<&[f64]>,
    spec: &GridSpec,
    kernel: Kernel,
    h: f64,
) -> Vec<f64> {
    raw_sums_with(xy, weights, spec, kernel, h, &Silent)
}

/// [`raw_sums`], reporting rows of cells done to `progress`.
pub fn raw_sums_with(
    xy: &[[f64; 2]],
    weights: Option<&[f64]>,
    spec: &GridSpec,
    kernel: Kernel,
    h: f64,
    progress: &dyn Progress,
) -> Vec<f64> {
    match kernel {
        Kernel::Quartic => sums::<Quartic>(xy, weights, spec, kernel, h, progress),
        Kernel::Epanechnikov => sums::<Epanechnikov>(xy, weights, spec, kernel, h, progress),
        Kernel::Triweight => sums::<Triweight>(xy, weights, spec, kernel, h, progress),
        Kernel::Uniform => sums::<Uniform>(xy, weights, spec, kernel, h, progress),
        Kernel::Triangular => sums::<Triangular>(xy, weights, spec, kernel, h, progress),
        Kernel::Gaussian => sums::<Gaussian>(xy, weights, spec, kernel, h, progress),
    }
}

/// Points sorted into rows of the block (compressed sparse rows), in local coordinates whose
/// origin is the centre of cell 0.
struct Binned {
    /// First row index held (may be negative: rows below the block still reach into it).
    first_row: i64,
    /// `start[k]..start[k + 1]` are the points of row `first_row + k`.
    start: Vec<usize>,
    /// `[x, y, w]` of each point, by row, in input order within a row.
    pts: Vec<[f64; 3]>,
}

fn bin_rows(xy: &[[f64; 2]], weights: Option<&[f64]>, spec: &GridSpec, reach: i64) -> Binned {
    let o = spec.centre(0);
    let inv_s = 1.0 / spec.cell_size;
    let first_row = -reach;
    let rows = spec.ny + 2 * reach as usize;
    // Nearest row of centres of each point, counted from `first_row`, or NONE when out of
    // reach of the block. Truncation of a non-negative number is its floor.
    const NONE: u32 = u32::MAX;
    let row: Vec<u32> = xy
        .par_iter()
        .map(|p| {
            let v = (p[1] - o[1]) * inv_s - first_row as f64 + 0.5;
            if v >= 0.0 && v < rows as f64 && p[0].is_finite() {
                v as u32
            } else {
                NONE
            }
        })
        .collect();
    let mut start = vec![0usize; rows + 1];
    for &r in &row {
        if r != NONE {
            start[r as usize + 1] += 1;
        }
    }
    for k in 0..rows {
        start[k + 1] += start[k];
    }
    // Counting sort of the point ids (stable: input order within a row), then a parallel
    // gather of their coordinates and weights.
    let mut order = vec![0u32; start[rows]];
    let mut next = start.clone();
    for (i, &r) in row.iter().enumerate() {
        if r != NONE {
            order[next[r as usize]] = i as u32;
            next[r as usize] += 1;
        }
    }
    drop(row);
    let pts = order
        .par_iter()
        .map(|&i| {
            let i = i as usize;
            [
                xy[i][0] - o[0],
                xy[i][1] - o[1],
                weights.map_or(1.0, |w| w[i]),
            ]
        })
        .collect();
    Binned {
        first_row,
        start,
        pts,
    }
}

fn sums<K: ShapeQ>(
    xy: &[[f64; 2]],
    weights: Option<&[f64]>,
    spec: &GridSpec,
    kernel: Kernel,
    h: f64,
    progress: &dyn Progress,
) -> Vec<f64> {
    progress.begin("density", spec.ny as u64);
    let s = spec.cell_size;
    let radius = kernel.support() * h;
    let r2 = radius * radius;
    let inv_h2 = 1.0 / (h * h);
    // A point in bucket row k (nearest row of centres, |y − k·s| ≤ s/2) is at least
    // (|r − k| − ½)·s from centre row r, so only |r − k| < R/s + ½ can reach it; one more row
    // guards against rounding, and one more the half-cell shift of hexagon columns.
    let reach = (radius / s + 0.5).floor() as i64
        + match spec.shape {
            Shape::Square => 1,
            Shape::Hex => 2,
        };
    let b = bin_rows(xy, weights, spec, reach);
    let nx = spec.nx;
    let mut out = vec![0.0f64; spec.len()];
    let rows = |r: usize| {
        let lo = (r as i64 - reach - b.first_row).max(0) as usize;
        let hi = ((r as i64 + reach - b.first_row + 1).max(0) as usize).min(b.start.len() - 1);
        b.start[lo]..b.start[hi.max(lo)]
    };
    match spec.shape {
        Shape::Square => {
            let inv_s = 1.0 / s;
            // Local x of each column's centres.
            let cx: Vec<f64> = (0..nx).map(|c| c as f64 * s).collect();
            let ctx = SquareRow {
                cx: &cx,
                s,
                radius,
                // columns strictly within `radius` of a point: at most ⌊2R/s⌋ + 1, after the
                // first candidate, which may itself be out of reach
                width: (2.0 * radius / s).floor() as usize + 2,
                r2,
                inv_h2,
                inv_s,
            };
            #[cfg(target_arch = "x86_64")]
            let avx2 = std::arch::is_x86_feature_detected!("avx2");
            // Bands of BAND rows: each point is read once per band, not once per row, and
            // the band's sums stay in cache. Every cell still receives its contributions in
            // point order.
            out.par_chunks_mut(nx * BAND)
                .enumerate()
                .for_each(|(k, acc)| {
                    let r0 = k * BAND;
                    let r1 = r0 + acc.len() / nx - 1;
                    let range = rows(r0).start..rows(r1).end;
                    let pts = &b.pts[range];
                    #[cfg(target_arch = "x86_64")]
                    if avx2 {
                        // SAFETY: the CPU supports AVX2 (checked above). The same IEEE
                        // operations run in wider registers (no fused multiply-add), so the
                        // result is bit-identical to the portable path.
                        unsafe { ctx.run_avx2::<K>(acc, pts, r0) };
                        progress.advance((acc.len() / nx) as u64);
                        return;
                    }
                    ctx.run::<K>(acc, pts, r0);
                    progress.advance((acc.len() / nx) as u64);
                })
        }
        Shape::Hex => {
            // Columns are √3/2 · s apart; odd local columns sit half a cell above (col0 even)
            // or below (col0 odd) the even ones.
            let sx = HEX_DX * s;
            let inv_sx = 1.0 / sx;
            let shift = if spec.col0.rem_euclid(2) == 0 {
                0.5 * s
            } else {
                -0.5 * s
            };
            out.par_chunks_mut(nx).enumerate().for_each(|(r, acc)| {
                let yc = r as f64 * s;
                for i in rows(r) {
                    let [px, py, w] = b.pts[i];
                    let dy = yc - py;
                    let dy_odd = dy + shift;
                    let dmin = dy.abs().min(dy_odd.abs());
                    if dmin * dmin >= r2 {
                        continue;
                    }
                    let Some((c0, c1)) = col_range(px, (r2 - dmin * dmin).sqrt(), inv_sx, nx)
                    else {
                        continue;
                    };
                    for (c, a) in acc.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                        let dx = c as f64 * sx - px;
                        let dyc = if c % 2 == 1 { dy_odd } else { dy };
                        let d2 = dx * dx + dyc * dyc;
                        if d2 < r2 {
                            *a += w * K::f(d2 * inv_h2);
                        }
                    }
                }
                progress.advance(1);
            })
        }
    }
    progress.end();
    out
}

/// Rows of centres per parallel task on square grids.
const BAND: usize = 8;

/// What every row of a square grid shares.
struct SquareRow<'a> {
    cx: &'a [f64],
    s: f64,
    radius: f64,
    width: usize,
    r2: f64,
    inv_h2: f64,
    inv_s: f64,
}

impl SquareRow<'_> {
    /// Adds to `acc` (consecutive rows of centres, the first being row `r0`) the
    /// contributions of the points `[x, y, w]`, in order.
    ///
    /// Each point–row pair evaluates a fixed window of `width` columns starting at the
    /// first that may be in reach, clamped to the block, and keeps the pairs closer than
    /// the support radius: a regular loop the compiler vectorises, at the price of some
    /// evaluations that the test then discards.
    #[inline(always)]
    fn run<K: ShapeQ>(&self, acc: &mut [f64], pts: &[[f64; 3]], r0: usize) {
        let nx = self.cx.len();
        for &[px, py, wi] in pts {
            // First column that may be in reach: ⌊(px − R)/s⌋, or 0 left of the block.
            if px + self.radius < 0.0 {
                continue;
            }
            let a = (px - self.radius) * self.inv_s;
            let first = if a <= 0.0 { 0 } else { a as usize };
            if first >= nx {
                continue;
            }
            let last = (first + self.width).min(nx);
            let cx = &self.cx[first..last];
            for (r, acc) in acc.chunks_exact_mut(nx).enumerate() {
                let dy = (r0 + r) as f64 * self.s - py;
                let dy2 = dy * dy;
                if dy2 >= self.r2 {
                    continue;
                }
                for (a, &cx) in acc[first..last].iter_mut().zip(cx) {
                    let dx = cx - px;
                    let d2 = dx * dx + dy2;
                    let v = wi * K::f(d2 * self.inv_h2);
                    *a += if d2 < self.r2 { v } else { 0.0 };
                }
            }
        }
    }

    /// [`SquareRow::run`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn run_avx2<K: ShapeQ>(&self, acc: &mut [f64], pts: &[[f64; 3]], r0: usize) {
        self.run::<K>(acc, pts, r0)
    }
}

/// Distance between hexagon columns per metre of cell size, `√3/2`.
const HEX_DX: f64 = 0.866_025_403_784_438_6;

/// Columns whose centre `c / inv_sx` may lie within `half` of `px` (a superset by a hair:
/// the caller tests each distance), clamped to the block; `None` when none does. Integer
/// conversions instead of `ceil`/`floor`, which are library calls on baseline x86-64.
#[inline(always)]
fn col_range(px: f64, half: f64, inv_sx: f64, nx: usize) -> Option<(usize, usize)> {
    let a = (px - half) * inv_sx - 1e-7;
    let b = (px + half) * inv_sx + 1e-7;
    if b < 0.0 || a > (nx - 1) as f64 {
        return None;
    }
    let lo = if a <= 0.0 {
        0
    } else {
        let t = a as usize; // floor, a > 0
        if (t as f64) < a {
            t + 1
        } else {
            t
        }
    };
    let hi = (b as usize).min(nx - 1); // floor, b ≥ 0
    (lo <= hi).then_some((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rng;

    fn brute(xy: &[[f64; 2]], w: &[f64], spec: &GridSpec, k: Kernel, h: f64) -> Vec<f64> {
        (0..spec.len())
            .map(|id| {
                let c = spec.centre(id);
                xy.iter()
                    .zip(w)
                    .map(|(p, w)| w * k.shape((c[0] - p[0]).hypot(c[1] - p[1]) / h))
                    .sum()
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_on_square_and_hex_grids() {
        let mut rng = Rng::new(3);
        let xy: Vec<[f64; 2]> = (0..300)
            .map(|_| {
                [
                    1000.0 + 2000.0 * rng.uniform(),
                    -500.0 + 1500.0 * rng.uniform(),
                ]
            })
            .collect();
        let w: Vec<f64> = (0..300).map(|_| 0.5 + rng.uniform()).collect();
        for shape in [Shape::Square, Shape::Hex] {
            // the block covers only part of the points: points outside still reach in
            let spec = GridSpec::covering(shape, 50.0, [1200.0, -300.0, 2600.0, 700.0]).unwrap();
            for k in Kernel::ALL {
                let h = if k == Kernel::Gaussian { 60.0 } else { 230.0 };
                let fast = raw_sums(&xy, Some(&w), &spec, k, h);
                let slow = brute(&xy, &w, &spec, k, h);
                for (a, b) in fast.iter().zip(&slow) {
                    assert!(
                        (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                        "{shape:?} {k:?}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn bit_identical_at_one_and_two_threads() {
        let mut rng = Rng::new(9);
        let xy: Vec<[f64; 2]> = (0..20_000)
            .map(|_| [5000.0 * rng.uniform(), 5000.0 * rng.uniform()])
            .collect();
        let spec = GridSpec::covering(Shape::Square, 50.0, [0.0, 0.0, 5000.0, 5000.0]).unwrap();
        let run = |t: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| raw_sums(&xy, None, &spec, Kernel::Quartic, 300.0))
        };
        let (a, b) = (run(1), run(2));
        assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn kernel_names_round_trip() {
        for k in Kernel::ALL {
            assert_eq!(Kernel::parse(k.name()), Some(k));
        }
        assert_eq!(Kernel::parse("Biweight"), None);
    }
}
