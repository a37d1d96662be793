//! The steps of the Knox table (METHODS §8; Knox 1964; Johnson et al. 2007): counting the
//! close pairs per spatial × time band for the observed months and for batches of seeded
//! permutations of them, adding the "beyond" spatial band from the month histogram, and the
//! table's cells (expected = mean over the permutations, ratio, one-sided p-value).

use super::{count_batch, KnoxCell, KnoxParams, Pairs, BATCH};
use crate::model::rng::Rng;
use rayon::prelude::*;

/// Counts the close pairs per spatial band × time band (with the "beyond" time band) for
/// lanes of month assignments.
pub(super) struct Counter<'a> {
    pairs: &'a Pairs,
    params: &'a KnoxParams,
    /// Months from the first to the last.
    span: usize,
    /// Close pairs per spatial band.
    band_pairs: Vec<u64>,
}

impl<'a> Counter<'a> {
    /// A counter of `pairs` in the bands of `params`, for months spanning `span`.
    pub(super) fn new(pairs: &'a Pairs, params: &'a KnoxParams, span: usize) -> Self {
        let band_pairs = pairs.j.iter().map(|j| j.len() as u64).collect();
        Counter {
            pairs,
            params,
            span,
            band_pairs,
        }
    }

    /// The counts of the `BATCH` month assignments `lanes` (each the months of every
    /// renumbered incident, as months since the first): per lane, spatial band by spatial
    /// band, the time bands and then "beyond".
    pub(super) fn count(&self, lanes: &[Vec<u16>]) -> Vec<Vec<u64>> {
        let n = lanes[0].len();
        let bands = &self.params.month_bands;
        let c = if self.span < 256 {
            let mm: Vec<u8> = (0..n * BATCH)
                .map(|k| lanes[k % BATCH][k / BATCH] as u8)
                .collect();
            count_batch(self.pairs, &mm, bands)
        } else {
            let mm: Vec<u16> = (0..n * BATCH)
                .map(|k| lanes[k % BATCH][k / BATCH])
                .collect();
            count_batch(self.pairs, &mm, bands)
        };
        let (nd, nt) = (self.band_pairs.len(), bands.len());
        let width = nt + 1;
        // c[lane][band][t] for t < nt → flat nd × width with the beyond column
        (0..BATCH)
            .map(|p| {
                let mut v = vec![0u64; nd * width];
                for b in 0..nd {
                    let mut sum = 0;
                    for t in 0..nt {
                        let x = c[(p * nd + b) * nt + t];
                        v[b * width + t] = x;
                        sum += x;
                    }
                    v[b * width + nt] = self.band_pairs[b] - sum;
                }
                v
            })
            .collect()
    }

    /// The counts of the R permutations of `months`, in permutation order: batches of
    /// `BATCH` counted in parallel, permutation r drawn from `Rng::stream(seed, r)`.
    pub(super) fn simulate(&self, months: &[u16]) -> Vec<Vec<u64>> {
        let r_all = self.params.permutations as usize;
        (0..r_all.div_ceil(BATCH))
            .into_par_iter()
            .map(|batch| self.count(&shuffled_batch(months, self.params.seed, batch)))
            .flatten()
            .collect::<Vec<_>>()
            .into_iter()
            .take(r_all)
            .collect()
    }
}

/// The `BATCH` permutations of `months` of batch `batch`, each from its own seeded stream.
fn shuffled_batch(months: &[u16], seed: u64, batch: usize) -> Vec<Vec<u16>> {
    (0..BATCH)
        .map(|b| {
            let mut rng = Rng::stream(seed, (batch * BATCH + b) as u64);
            let mut m = months.to_vec();
            rng.shuffle(&mut m);
            m
        })
        .collect()
}

/// All pairs per time band (the "beyond" band last), from the histogram of `months` (months
/// since the first, spanning `span`): the same in every permutation.
pub(super) fn pairs_per_time_band(months: &[u16], month_bands: &[u32], span: usize) -> Vec<u64> {
    // time band of each month difference 0..=span (nt = beyond)
    let lut: Vec<u8> = (0..=span as u32)
        .map(|dt| month_bands.partition_point(|&e| e < dt) as u8)
        .collect();
    let mut hist = vec![0u64; span + 1];
    for &m in months {
        hist[m as usize] += 1;
    }
    let mut total = vec![0u64; month_bands.len() + 1];
    for dt in 0..=span {
        let pairs_dt: u64 = if dt == 0 {
            hist.iter().map(|&h| h * h.saturating_sub(1) / 2).sum()
        } else {
            (0..=span - dt).map(|a| hist[a] * hist[a + dt]).sum()
        };
        total[lut[dt] as usize] += pairs_dt;
    }
    total
}

/// The counts `c` of the `nd` spatial bands with the "beyond" spatial band added: all pairs
/// of each time band (`total`) less the close ones.
pub(super) fn with_beyond(c: &[u64], total: &[u64], nd: usize) -> Vec<u64> {
    let width = total.len();
    let mut v = c.to_vec();
    for t in 0..width {
        let close: u64 = (0..nd).map(|b| c[b * width + t]).sum();
        v.push(total[t] - close);
    }
    v
}

/// The table's cells from the `observed` counts and those of the permutations `sims`:
/// expected = mean over the permutations, ratio = observed / expected, p = (#{simulated ≥
/// observed} + 1) / (R + 1).
pub(super) fn cells(observed: &[u64], sims: &[Vec<u64>], params: &KnoxParams) -> Vec<KnoxCell> {
    let nd = params.distance_bands.len();
    let width = params.month_bands.len() + 1;
    let r = params.permutations as f64;
    let mut cells = Vec::with_capacity((nd + 1) * width);
    for d in 0..=nd {
        for t in 0..width {
            let k = d * width + t;
            let obs = observed[k];
            let sum: u64 = sims.iter().map(|s| s[k]).sum();
            let ge = sims.iter().filter(|s| s[k] >= obs).count();
            let expected = sum as f64 / r;
            cells.push(KnoxCell {
                distance_from: if d == 0 {
                    0.0
                } else {
                    params.distance_bands[d - 1]
                },
                distance_to: params.distance_bands.get(d).copied(),
                months_from: if t == 0 {
                    0
                } else {
                    params.month_bands[t - 1] + 1
                },
                months_to: params.month_bands.get(t).copied(),
                observed: obs,
                expected,
                ratio: (expected > 0.0).then(|| obs as f64 / expected),
                pvalue: (ge as f64 + 1.0) / (r + 1.0),
            });
        }
    }
    cells
}
