//! The steps of [`generate`](super::generate) (METHODS §1, §6): the location mixture and its
//! weights before and after the step, the rows per month (pass 1), and one row's fields
//! (pass 2). The random streams and the order of the draws are those the module
//! documentation describes, so output stays byte-identical for identical parameters.

use super::{
    csv_field, cumulative, fmix, pick, place_clusters, push_hex, Cluster, Component,
    GenerateParams, Lattice, ASB, BACKGROUND_SHARE, LSOA_SIDE_M, MAP_POINT_JITTER,
    MAP_POINT_SPACING_M, M_PER_DEG, OUTCOMES, TYPES,
};
use crate::model::rng::Rng;
use std::f64::consts::TAU;

/// The location components (the background disc first, then the hot spots) and their
/// weights before and after the step.
pub(super) struct Mixture {
    /// Background disc, then the hot spots, largest first.
    components: Vec<Component>,
    /// Weights before the step (the background's share, then ∝ 1/k).
    before: Vec<f64>,
    /// Cumulative weights before the step.
    cum_before: Vec<f64>,
    /// Cumulative weights from the step month on.
    cum_after: Vec<f64>,
    /// Total rate of a month from the step month on (1 before it).
    pub(super) rate_after: f64,
}

impl Mixture {
    /// Places the hot spots (stream 0 of the seed) in the disc of `radius_m` and weighs
    /// them: the background `BACKGROUND_SHARE` (1 without clusters), clusters ∝ 1/k, the
    /// step clusters' weights multiplied by `step_factor` after the step.
    pub(super) fn new(p: &GenerateParams, radius_m: f64) -> Self {
        let mut setup = Rng::stream(p.seed, 0);
        let clusters = place_clusters(&mut setup, p.clusters, radius_m);
        let background = if p.clusters == 0 {
            1.0
        } else {
            BACKGROUND_SHARE
        };
        let harmonic: f64 = (1..=p.clusters).map(|k| 1.0 / k as f64).sum();
        let mut before = vec![background];
        before.extend((1..=p.clusters).map(|k| (1.0 - background) / (k as f64 * harmonic)));
        let mut after = before.clone();
        for w in after.iter_mut().skip(1).take(p.step_clusters as usize) {
            *w *= p.step_factor;
        }
        let rate_after: f64 = after.iter().sum();
        let cum_before = cumulative(&before);
        let cum_after = cumulative(&after);
        let mut components = vec![Component {
            x: 0.0,
            y: 0.0,
            sigma: 0.0,
        }];
        components.extend(clusters);
        Mixture {
            components,
            before,
            cum_before,
            cum_after,
            rate_after,
        }
    }

    /// The hot spots as the summary reports them: centre in degrees (around `p.centre`,
    /// `m_per_deg_lon` metres per degree of longitude), σ, share before the step, and
    /// whether they step.
    pub(super) fn clusters(&self, p: &GenerateParams, m_per_deg_lon: f64) -> Vec<Cluster> {
        let [lon0, lat0] = p.centre;
        self.components[1..]
            .iter()
            .enumerate()
            .map(|(k, c)| Cluster {
                lon: lon0 + c.x / m_per_deg_lon,
                lat: lat0 + c.y / M_PER_DEG,
                sigma_m: c.sigma,
                share: self.before[k + 1],
                step: k < p.step_clusters as usize,
            })
            .collect()
    }
}

/// Pass 1: rows per month (stream 1 of the seed). Month m has rate 1 before the step
/// (`n_before` months) and `rate_after` from it.
pub(super) fn rows_per_month(p: &GenerateParams, n_before: usize, rate_after: f64) -> Vec<u64> {
    let months = p.months as usize;
    let n_after = months - n_before;
    let total = n_before as f64 + n_after as f64 * rate_after;
    let mut counts = vec![0u64; months];
    let mut month_rng = Rng::stream(p.seed, 1);
    for _ in 0..p.rows {
        let x = month_rng.uniform() * total;
        let m = if x < n_before as f64 {
            x as usize
        } else {
            n_before + ((x - n_before as f64) / rate_after) as usize
        };
        counts[m.min(months - 1)] += 1;
    }
    counts
}

/// What every row is written from: the mixture, the fixed text, the crime-id keys and the
/// map-point lattice.
pub(super) struct RowWriter<'a> {
    mix: &'a Mixture,
    radius_m: f64,
    missing_share: f64,
    /// `Reported by,Falls within,` (the force twice).
    force: Vec<u8>,
    /// Crime types by decreasing share, and their cumulative shares.
    type_order: Vec<usize>,
    type_cum: Vec<f64>,
    outcome_cum: Vec<f64>,
    /// Crime-id keys (stream 3 of the seed), the last one the lattice's.
    keys: [u64; 5],
    lattice: Lattice,
}

impl<'a> RowWriter<'a> {
    /// The row writer of `p` around its centre (`m_per_deg_lon` metres per degree of
    /// longitude there).
    pub(super) fn new(
        p: &GenerateParams,
        mix: &'a Mixture,
        radius_m: f64,
        m_per_deg_lon: f64,
    ) -> Self {
        let [lon0, lat0] = p.centre;
        let mut force = csv_field(&p.force);
        force.push(b',');
        let mut type_order: Vec<usize> = (0..TYPES.len()).collect();
        type_order.sort_by(|&a, &b| TYPES[b].1.total_cmp(&TYPES[a].1));
        let type_cum = cumulative(&type_order.iter().map(|&i| TYPES[i].1).collect::<Vec<_>>());
        let outcome_cum = cumulative(&OUTCOMES.map(|o| o.1));
        let mut keys_rng = Rng::stream(p.seed, 3);
        let keys = [
            keys_rng.next_u64(),
            keys_rng.next_u64(),
            keys_rng.next_u64(),
            keys_rng.next_u64(),
            keys_rng.next_u64(),
        ];
        let lattice = Lattice {
            lon0_u: lon0 * 1e6,
            lat0_u: lat0 * 1e6,
            dlon_u: MAP_POINT_SPACING_M / m_per_deg_lon * 1e6,
            dlat_u: MAP_POINT_SPACING_M / M_PER_DEG * 1e6,
            lsoa_steps: MAP_POINT_SPACING_M / LSOA_SIDE_M,
            jitter: 2.0 * MAP_POINT_JITTER,
            key: keys[4],
        };
        RowWriter {
            mix,
            radius_m,
            missing_share: p.missing_share,
            force,
            type_order,
            type_cum,
            outcome_cum,
            keys,
            lattice,
        }
    }

    /// Writes data row number `row` of month `label` into `line` (cleared first), with the
    /// mixture weights from the step month on when `after`. Returns whether the row has no
    /// location.
    pub(super) fn push_row(
        &self,
        line: &mut Vec<u8>,
        row: u64,
        label: &[u8],
        after: bool,
        rng: &mut Rng,
    ) -> bool {
        line.clear();
        let t = if row < TYPES.len() as u64 {
            row as usize
        } else {
            self.type_order[pick(&self.type_cum, rng.uniform())]
        };
        if t != ASB {
            self.push_crime_id(line, row);
        }
        line.push(b',');
        line.extend_from_slice(label);
        line.push(b',');
        line.extend_from_slice(&self.force);
        line.extend_from_slice(&self.force);
        let missing = rng.uniform() < self.missing_share;
        if missing {
            line.extend_from_slice(b",,No Location,,,");
        } else {
            let cum = if after {
                &self.mix.cum_after
            } else {
                &self.mix.cum_before
            };
            let c = &self.mix.components[pick(cum, rng.uniform())];
            let (x, y) = self.draw_point(c, rng);
            self.lattice.push_place(line, x, y);
        }
        line.extend_from_slice(TYPES[t].0.as_bytes());
        line.push(b',');
        if t != ASB {
            line.extend_from_slice(
                OUTCOMES[pick(&self.outcome_cum, rng.uniform())]
                    .0
                    .as_bytes(),
            );
        }
        line.extend_from_slice(b",\n");
        missing
    }

    /// Appends the `Crime ID` of row `row`: four 64-bit words chained from the row number.
    fn push_crime_id(&self, line: &mut Vec<u8>, row: u64) {
        let keys = &self.keys;
        let w0 = fmix(row ^ keys[0]);
        let w1 = fmix(w0 ^ keys[1]);
        let w2 = fmix(w1 ^ keys[2]);
        let w3 = fmix(w2 ^ keys[3]);
        push_hex(line, [w0, w1, w2, w3]);
    }

    /// A point of component `c`, metres from the centre: uniform in the disc for the
    /// background, else Gaussian (Box–Muller, both deviates).
    fn draw_point(&self, c: &Component, rng: &mut Rng) -> (f64, f64) {
        if c.sigma == 0.0 {
            let r = self.radius_m * rng.uniform().sqrt();
            let (s, co) = (TAU * rng.uniform()).sin_cos();
            (r * co, r * s)
        } else {
            let r = c.sigma * (-2.0 * (1.0 - rng.uniform()).ln()).sqrt();
            let (s, co) = (TAU * rng.uniform()).sin_cos();
            (c.x + r * co, c.y + r * s)
        }
    }
}
