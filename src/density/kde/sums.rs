//! The kernel-sum engine of [`super`]: `Σ_i w_i · shape(‖c − p_i‖ / h)` at every cell
//! centre, exact and bit-identical at any number of threads (points sorted into grid rows,
//! output rows in parallel, each cell summing in one fixed order; see the parent module).

use super::Kernel;
use crate::model::grid::{GridSpec, Shape};
use crate::model::incident::Incidents;
use crate::model::progress::{Progress, Silent};
use rayon::prelude::*;

/// Kernel shapes as functions of `q = u²`, one type each so the inner loop is compiled per
/// kernel.
pub(super) trait ShapeQ: Sync {
    fn f(q: f64) -> f64;
}
pub(super) struct Quartic;
pub(super) struct Epanechnikov;
pub(super) struct Triweight;
pub(super) struct Uniform;
pub(super) struct Triangular;
pub(super) struct Gaussian;
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

/// The incidents (and their weights) that fall in the grid's block of cells.
pub(super) fn on_grid(
    incidents: &Incidents,
    spec: &crate::model::grid::GridSpec,
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
