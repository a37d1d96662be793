//! Getis-Ord Gi* local hot-spot statistic on a grid (METHODS §5; Getis & Ord 1992, Ord &
//! Getis 1995; ArcGIS Hot Spot Analysis).
//!
//! For a population of n cells with values x and binary weights w_ij (1 when the centres of
//! i and j are at most the neighbour distance apart, i itself included),
//!
//! ```text
//! G*_i = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))
//! X̄ = Σx / n,   S = sqrt(Σx²/n − X̄²)
//! ```
//!
//! With binary weights Σ_j w_ij = Σ_j w_ij² = k_i, the number of neighbours including i.
//! G* is already a z-score; its p-value is two-sided normal ([`crate::stats::pvalue::two_sided`]),
//! and cells are classed −3..3 at 99/95/90% ([`crate::stats::pvalue::class`]), optionally with the
//! Benjamini–Hochberg FDR correction per level as ArcGIS ([`crate::stats::pvalue::fdr_classes`]).
//!
//! **Population.** The cells of the grid's study area ([`Grid::in_area`]), zero-count cells
//! included: leaving out empty cells would make every populated cell look ordinary. Cells
//! outside the study area are neither tested (their results are NaN) nor anyone's neighbour.
//!
//! **Permutation p-values** (optional): conditional randomisation as in PySAL esda — for
//! each cell, its own value is held and its k_i − 1 neighbour values are drawn at random
//! without replacement from the other n − 1 cells; the pseudo p-value is
//! `(M + 1)/(N + 1)` where M counts the N simulated local sums at least as far from their
//! mean as the observed one (esda's `alternative="folded"`, a two-sided test).
//!
//! **Speed.** Local sums use a fixed, sorted neighbour-offset list per cell
//! ([`crate::model::grid::GridSpec::neighbour_offsets`]): O(cells × neighbours), parallel over rows. When the
//! band covers many cells the offsets are grouped into column runs and summed with
//! per-column prefix sums: O(cells × columns spanned by the band) — the summed-area-table
//! idea applied to a disc, which is a union of column runs rather than one rectangle.
//! Results are identical at any thread count.

use crate::error::{Error, Result};
use crate::model::grid::Grid;
use crate::model::layer::Layer;
use crate::model::params::disclosure::Support;
pub use crate::model::params::gistar::{GistarParams, GistarUsed};
use crate::model::rng::Rng;
use crate::stats::pvalue;
use rayon::prelude::*;

/// Largest number of permutations accepted.
pub const MAX_PERMUTATIONS: u32 = 99_999;

/// Gi* per cell. Cells outside the study area hold NaN (`gistar`, `pvalue`), class 0 and
/// 0 neighbours.
#[derive(Clone, Debug)]
pub struct GistarResult {
    /// G* z-score.
    pub gistar: Vec<f64>,
    /// Two-sided p-value (normal, or pseudo p from permutations).
    pub pvalue: Vec<f64>,
    /// −3..3: ±3 at 99%, ±2 at 95%, ±1 at 90% (FDR-corrected if asked), hot positive.
    pub class: Vec<i8>,
    /// Neighbours including the cell itself (k_i).
    pub neighbours: Vec<u32>,
    /// What was used.
    pub used: GistarUsed,
}

impl GistarResult {
    /// Adds the columns `gistar`, `pvalue`, `class`, `neighbours` to a layer over the same
    /// grid; cells outside the study area get NaN in all four. A Gi* value is built from the
    /// incidents of its neighbourhood (its support); the neighbour count from none.
    pub fn add_to(&self, layer: &mut Layer) {
        let in_area = layer.grid.in_area.clone();
        let masked = |v: Vec<f64>| -> Vec<f64> {
            v.into_iter()
                .zip(&in_area)
                .map(|(x, &a)| if a { x } else { f64::NAN })
                .collect()
        };
        let hood = Support::Neighbourhood {
            distance: self.used.neighbour_distance.unwrap_or(0.0),
            months: None,
        };
        layer.set("gistar", self.gistar.clone(), hood.clone());
        layer.set("pvalue", self.pvalue.clone(), hood.clone());
        layer.set(
            "class",
            masked(self.class.iter().map(|&c| c as f64).collect()),
            hood,
        );
        layer.set(
            "neighbours",
            masked(self.neighbours.iter().map(|&k| k as f64).collect()),
            Support::Exempt,
        );
    }
}

/// Population moments.
#[derive(Copy, Clone, Debug)]
struct Moments {
    n: usize,
    mean: f64,
    sd: f64,
}

fn moments(values: &[f64], in_area: &[bool]) -> Result<Moments> {
    let mut n = 0usize;
    let mut sum = 0.0;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, (&v, &a)) in values.iter().zip(in_area).enumerate() {
        if a {
            if !v.is_finite() {
                return Err(Error::Mismatch(format!(
                    "Gi*: cell {i} of the study area has no finite value ({v})"
                )));
            }
            n += 1;
            sum += v;
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    if n < 2 {
        return Err(Error::Degenerate(format!(
            "Gi* needs at least 2 cells in the study area, found {n}: use a smaller ‹cell_size› or a larger area"
        )));
    }
    if lo == hi {
        return Err(Error::Degenerate(format!(
            "no variance: every cell has the same value ({lo}) in the {n} cells of the study area, so Gi* is undefined and there are no hot or cold spots to find; check the filters (‹types›, ‹from›, ‹to›) or use a larger study area"
        )));
    }
    let mean = sum / n as f64;
    let mut ss = 0.0;
    for (&v, &a) in values.iter().zip(in_area) {
        if a {
            ss += (v - mean) * (v - mean);
        }
    }
    Ok(Moments {
        n,
        mean,
        sd: (ss / n as f64).sqrt(),
    })
}

/// G*_i from the local sum L_i = Σ_j w_ij x_j and k_i = Σ_j w_ij (binary weights).
/// When every cell is a neighbour (k_i = n) the statistic is 0/0; it is reported as 0.
#[inline]
fn z_score(local_sum: f64, k: u32, m: &Moments) -> f64 {
    let (n, k) = (m.n as f64, k as f64);
    let den2 = (n * k - k * k) / (n - 1.0);
    if den2 <= 0.0 {
        return 0.0;
    }
    (local_sum - m.mean * k) / (m.sd * den2.sqrt())
}

/// Gi* with explicit binary neighbour lists: `neighbours[i]` lists the j with w_ij = 1.
/// Cell i itself is always a neighbour of itself (Gi*), whether listed or not. All values
/// form the population. `params.neighbour_distance` is ignored.
///
/// Parameters: `values` (one per observation), `neighbours` (same length; indices into
/// `values`, no duplicates), `params` (FDR, permutations, seed).
///
/// Returns: a [`GistarResult`] in input order.
///
/// Examples: the PySAL esda fixture (6 points, distance band 15):
///
/// ```
/// use harmspot::gistar::{compute_weights, GistarParams};
/// let y = [2.0, 3.0, 3.2, 5.0, 8.0, 7.0];
/// let nb = vec![vec![1, 3], vec![0, 3, 4], vec![4], vec![0, 1, 4], vec![1, 2, 3, 5], vec![4]];
/// let r = compute_weights(&y, &nb, &GistarParams::default()).unwrap();
/// assert!((r.gistar[0] - -1.39727626).abs() < 1e-8);
/// assert_eq!(r.neighbours[4], 5);
/// ```
pub fn compute_weights(
    values: &[f64],
    neighbours: &[Vec<usize>],
    params: &GistarParams,
) -> Result<GistarResult> {
    let n = values.len();
    if neighbours.len() != n {
        return Err(Error::Mismatch(format!(
            "Gi*: {} neighbour lists for {n} values",
            neighbours.len()
        )));
    }
    if let Some((i, j)) = neighbours
        .iter()
        .enumerate()
        .find_map(|(i, l)| l.iter().find(|&&j| j >= n).map(|&j| (i, j)))
    {
        return Err(Error::Mismatch(format!(
            "Gi*: neighbour {j} of observation {i} does not exist ({n} values)"
        )));
    }
    let in_area = vec![true; n];
    let m = moments(values, &in_area)?;
    let (sum, k): (Vec<f64>, Vec<u32>) = neighbours
        .par_iter()
        .enumerate()
        .map(|(i, l)| {
            let mut s = values[i];
            let mut k = 1u32;
            for &j in l {
                if j != i {
                    s += values[j];
                    k += 1;
                }
            }
            (s, k)
        })
        .unzip();
    let used = GistarUsed {
        neighbour_distance: None,
        neighbour_distance_auto: false,
        fdr: params.fdr,
        permutations: params.permutations,
        seed: (params.permutations > 0).then_some(params.seed),
        pvalue: String::new(),
        population: m.n,
        mean: m.mean,
        sd: m.sd,
        study_area: "all observations".into(),
    };
    finish(
        values,
        &in_area,
        (sum, k),
        &m,
        params,
        used,
        &crate::model::progress::Silent,
    )
}

/// Gi* over the cells of a grid's study area (METHODS §5).
///
/// Parameters: `values` (one per cell of `grid.spec`, row-major: counts `n` or harm sums),
/// `grid` (cells and study area), `params`.
///
/// Returns: a [`GistarResult`] per cell; NaN outside the study area.
///
/// Algorithm: population moments over the study area; local sums over the fixed neighbour
/// offsets of each cell (neighbours outside the study area or the block are not
/// neighbours), or over column runs with prefix sums for wide bands; then z, p and class.
///
/// Errors: `--neighbour-distance` below the cell size (each cell would be its own only
/// neighbour); fewer than 2 study-area cells; no variance ("no variance: every cell has the
/// same value …").
///
/// Examples: a 3×3 grid with one busy centre cell:
///
/// ```
/// use harmspot::gistar::{compute, GistarParams};
/// use harmspot::grid::{Grid, Shape};
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
/// let mut v = vec![0.0; 9];
/// v[4] = 9.0; // centre
/// let r = compute(&v, &grid, &GistarParams::default()).unwrap();
/// // X̄ = 1, S = sqrt(81/9 − 1) = 2√2; centre: k = 9 = n → 0/0, reported 0;
/// // corner: k = 4, L = 9: (9 − 4)/(2√2 · sqrt((36 − 16)/8)) = 5/(2√2·√2.5) = 1.118034
/// assert!((r.gistar[0] - 1.118033988749895).abs() < 1e-12);
/// assert_eq!(r.gistar[4], 0.0);
/// ```
pub fn compute(values: &[f64], grid: &Grid, params: &GistarParams) -> Result<GistarResult> {
    compute_with(values, grid, params, &crate::model::progress::Silent)
}

/// [`compute`], reporting the permutation step (cells done) to `progress`.
pub fn compute_with(
    values: &[f64],
    grid: &Grid,
    params: &GistarParams,
    progress: &dyn crate::model::progress::Progress,
) -> Result<GistarResult> {
    let spec = &grid.spec;
    if values.len() != spec.len() || grid.in_area.len() != spec.len() {
        return Err(Error::Mismatch(format!(
            "Gi*: {} values for a grid of {} cells",
            values.len(),
            spec.len()
        )));
    }
    let auto = params.neighbour_distance.is_none();
    let d = params
        .neighbour_distance
        .unwrap_or(std::f64::consts::SQRT_2 * spec.cell_size);
    if !(d.is_finite() && d > 0.0) {
        return Err(Error::param(
            crate::Param::NeighbourDistance,
            format!("must be a positive length in metres, got {d}"),
        ));
    }
    if d < spec.cell_size * (1.0 - 1e-9) {
        return Err(Error::param(crate::Param::NeighbourDistance,
            format!(
                "{d} m is less than the cell size ({} m): each cell would be its own only neighbour; use at least the cell size (default √2 × cell size)",
                spec.cell_size
            ),
        ));
    }
    spec.check_neighbourhood(d)?;
    let m = moments(values, &grid.in_area)?;
    let (sum, k) = local_sums(values, grid, d);
    let used = GistarUsed {
        neighbour_distance: Some(d),
        neighbour_distance_auto: auto,
        fdr: params.fdr,
        permutations: params.permutations,
        seed: (params.permutations > 0).then_some(params.seed),
        pvalue: String::new(),
        population: m.n,
        mean: m.mean,
        sd: m.sd,
        study_area: grid.area_note.clone(),
    };
    finish(values, &grid.in_area, (sum, k), &m, params, used, progress)
}

/// Offsets grouped by column: `(dcol, drow_min, drow_max)`, when every column's rows are
/// contiguous (true for a distance band on square and hex lattices).
fn column_runs(offsets: &[(i64, i64)]) -> Option<Vec<(i64, i64, i64)>> {
    let mut runs: Vec<(i64, i64, i64)> = Vec::new();
    let mut count = 0usize;
    for &(dc, dr) in offsets {
        match runs.last_mut() {
            Some(r) if r.0 == dc => {
                if dr != r.2 + 1 {
                    return None;
                }
                r.2 = dr;
            }
            _ => runs.push((dc, dr, dr)),
        }
        count += 1;
    }
    debug_assert_eq!(count, offsets.len());
    Some(runs)
}

/// Below this average run length the direct offset sum is used.
const RUN_THRESHOLD: usize = 4;

/// Local sums L_i and neighbour counts k_i over the study area (0 outside it).
pub(crate) fn local_sums(values: &[f64], grid: &Grid, d: f64) -> (Vec<f64>, Vec<u32>) {
    let spec = &grid.spec;
    let (nx, ny) = (spec.nx, spec.ny);
    let masked: Vec<f64> = values
        .iter()
        .zip(&grid.in_area)
        .map(|(&v, &a)| if a { v } else { 0.0 })
        .collect();
    // offsets are sorted by (dcol, drow)
    let offs = [
        spec.neighbour_offsets(d, false),
        spec.neighbour_offsets(d, true),
    ];
    let runs = [column_runs(&offs[0]), column_runs(&offs[1])];
    let use_runs = match (&runs[0], &runs[1]) {
        (Some(a), Some(b)) => {
            offs[0].len() >= RUN_THRESHOLD * a.len() && offs[1].len() >= RUN_THRESHOLD * b.len()
        }
        _ => false,
    };
    let mut sum = vec![0.0; nx * ny];
    let mut k = vec![0u32; nx * ny];
    if use_runs {
        let runs = [
            runs[0].clone().expect("checked"),
            runs[1].clone().expect("checked"),
        ];
        // column-major prefix sums: p[c*(ny+1) + r] = Σ_{r' < r} v[r', c]
        let mut pv = vec![0.0; nx * (ny + 1)];
        let mut pk = vec![0u32; nx * (ny + 1)];
        pv.par_chunks_mut(ny + 1)
            .zip(pk.par_chunks_mut(ny + 1))
            .enumerate()
            .for_each(|(c, (pv, pk))| {
                for r in 0..ny {
                    let id = r * nx + c;
                    pv[r + 1] = pv[r] + masked[id];
                    pk[r + 1] = pk[r] + grid.in_area[id] as u32;
                }
            });
        sum.par_chunks_mut(nx)
            .zip(k.par_chunks_mut(nx))
            .enumerate()
            .for_each(|(r, (srow, krow))| {
                for c in 0..nx {
                    let id = r * nx + c;
                    if !grid.in_area[id] {
                        continue;
                    }
                    let rl = &runs[spec.odd_column(id) as usize];
                    let (mut s, mut kk) = (0.0, 0u32);
                    for &(dc, r0, r1) in rl {
                        let cc = c as i64 + dc;
                        if cc < 0 || cc >= nx as i64 {
                            continue;
                        }
                        let lo = (r as i64 + r0).max(0);
                        let hi = (r as i64 + r1).min(ny as i64 - 1);
                        if lo > hi {
                            continue;
                        }
                        let base = cc as usize * (ny + 1);
                        s += pv[base + hi as usize + 1] - pv[base + lo as usize];
                        kk += pk[base + hi as usize + 1] - pk[base + lo as usize];
                    }
                    srow[c] = s;
                    krow[c] = kk;
                }
            });
    } else {
        sum.par_chunks_mut(nx)
            .zip(k.par_chunks_mut(nx))
            .enumerate()
            .for_each(|(r, (srow, krow))| {
                for c in 0..nx {
                    let id = r * nx + c;
                    if !grid.in_area[id] {
                        continue;
                    }
                    let ol = &offs[spec.odd_column(id) as usize];
                    let (mut s, mut kk) = (0.0, 0u32);
                    for &(dc, dr) in ol {
                        let (cc, rr) = (c as i64 + dc, r as i64 + dr);
                        if cc < 0 || rr < 0 || cc >= nx as i64 || rr >= ny as i64 {
                            continue;
                        }
                        let j = rr as usize * nx + cc as usize;
                        s += masked[j];
                        kk += grid.in_area[j] as u32;
                    }
                    srow[c] = s;
                    krow[c] = kk;
                }
            });
    }
    (sum, k)
}

/// z, p and classes from local sums; shared by [`compute`] and [`compute_weights`].
fn finish(
    values: &[f64],
    in_area: &[bool],
    (sum, k): (Vec<f64>, Vec<u32>),
    m: &Moments,
    params: &GistarParams,
    mut used: GistarUsed,
    progress: &dyn crate::model::progress::Progress,
) -> Result<GistarResult> {
    if params.permutations > MAX_PERMUTATIONS {
        return Err(Error::param(
            crate::Param::Permutations,
            format!("at most {MAX_PERMUTATIONS}, got {}", params.permutations),
        ));
    }
    let gistar: Vec<f64> = sum
        .par_iter()
        .zip(&k)
        .zip(in_area)
        .map(|((&s, &k), &a)| if a { z_score(s, k, m) } else { f64::NAN })
        .collect();
    let pvalue = if params.permutations > 0 {
        used.pvalue = format!(
            "two-sided pseudo p-value (M+1)/(N+1) from N = {} conditional permutations (folded about the mean of the simulated local sums, as esda's alternative=\"folded\"), seed {}",
            params.permutations, params.seed
        );
        permutation_p(
            values,
            in_area,
            &sum,
            &k,
            params.permutations,
            params.seed,
            progress,
        )
    } else {
        used.pvalue = "two-sided normal p-value of the G* z-score".into();
        gistar.par_iter().map(|&z| pvalue::two_sided(z)).collect()
    };
    let class = if params.fdr {
        pvalue::fdr_classes(&gistar, &pvalue)
    } else {
        gistar
            .iter()
            .zip(&pvalue)
            .map(|(&z, &p)| pvalue::class(z, p))
            .collect()
    };
    let neighbours = k
        .iter()
        .zip(in_area)
        .map(|(&k, &a)| if a { k } else { 0 })
        .collect();
    Ok(GistarResult {
        gistar,
        pvalue,
        class,
        neighbours,
        used,
    })
}

/// Cells per parallel task in the permutation loop (each task owns its scratch space).
const PERM_CHUNK: usize = 1024;

/// Conditional-permutation pseudo p-values (NaN outside the study area).
fn permutation_p(
    values: &[f64],
    in_area: &[bool],
    sum: &[f64],
    k: &[u32],
    perms: u32,
    seed: u64,
    progress: &dyn crate::model::progress::Progress,
) -> Vec<f64> {
    progress.begin("permutations", values.len() as u64);
    let pop: Vec<f64> = values
        .iter()
        .zip(in_area)
        .filter(|(_, &a)| a)
        .map(|(&v, _)| v)
        .collect();
    let mut pop_index = vec![usize::MAX; values.len()];
    let mut next = 0;
    for (i, &a) in in_area.iter().enumerate() {
        if a {
            pop_index[i] = next;
            next += 1;
        }
    }
    let n = pop.len();
    let mut out = vec![f64::NAN; values.len()];
    out.par_chunks_mut(PERM_CHUNK)
        .enumerate()
        .for_each(|(chunk, out)| {
            let mut seen = vec![0u64; n.div_ceil(64)];
            let mut scratch: Vec<usize> = Vec::new();
            let mut sims = vec![0.0; perms as usize];
            for (o, i) in out.iter_mut().zip(chunk * PERM_CHUNK..) {
                if !in_area[i] {
                    continue;
                }
                let pi = pop_index[i];
                let draws = k[i] as usize - 1; // neighbours other than i
                let mut rng = Rng::stream(seed, i as u64);
                for s in sims.iter_mut() {
                    let mut l = values[i];
                    if 2 * draws > n - 1 {
                        // many draws from few cells: partial Fisher–Yates over the others
                        scratch.clear();
                        scratch.extend((0..n).filter(|&j| j != pi));
                        for t in 0..draws {
                            let u = t + rng.below((scratch.len() - t) as u64) as usize;
                            scratch.swap(t, u);
                            l += pop[scratch[t]];
                        }
                    } else {
                        // few draws from many cells: rejection against a bitmap
                        scratch.clear();
                        while scratch.len() < draws {
                            let mut j = rng.below(n as u64 - 1) as usize;
                            if j >= pi {
                                j += 1;
                            }
                            let (w, b) = (j / 64, 1u64 << (j % 64));
                            if seen[w] & b == 0 {
                                seen[w] |= b;
                                scratch.push(j);
                                l += pop[j];
                            }
                        }
                        for &j in &scratch {
                            seen[j / 64] &= !(1u64 << (j % 64));
                        }
                    }
                    *s = l;
                }
                let mean = sims.iter().sum::<f64>() / perms as f64;
                let obs = (sum[i] - mean).abs();
                let tol = 1e-12 * (sum[i].abs() + mean.abs() + 1.0);
                let extreme = sims
                    .iter()
                    .filter(|&&s| (s - mean).abs() >= obs - tol)
                    .count();
                *o = (extreme as f64 + 1.0) / (perms as f64 + 1.0);
            }
            progress.advance(out.len() as u64);
        });
    progress.end();
    out
}

#[cfg(test)]
mod tests;
