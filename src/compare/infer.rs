//! The engine of calibrated verdicts (METHODS §6b): each hub's counterfactual, its effect,
//! and the placebo test of the effect ([`super::verdict`] holds the records and formulas).
//!
//! For each group of hubs sharing a shape and periods (every circle hub of one run is one
//! group):
//! 1. **Candidates**: the map points where a placebo may be centred
//!    ([`super::placebo::eligible`]).
//! 2. **Donors** (synthetic control): `donors` (default 60) donors, each the sum of
//!    [`DONOR_GROUP`] (25) areas of the hub's shape centred at candidates drawn with
//!    probability proportional to their incidents ([`super::placebo::draw_weighted`]),
//!    fixed for the group. A unit (hub or placebo) uses every donor none of whose areas
//!    overlaps it or its buffer (centres more than `2·reach + b` apart), so a placebo is
//!    never fitted by its own neighbour — exactly as a hub's donors never overlap it. One
//!    fixed pool keeps the cost at one small NNLS per unit and measure, and every unit,
//!    hub or placebo, gets its counterfactual the same way. Why groups: a single 300 m
//!    circle is as noisy as the hub, and NNLS picks few donors, so the counterfactual
//!    carried the donors' own noise; summed groups of 25 cut it (measured on 150 real
//!    placebo hubs: a planted 50% fall found at 7 of 20 hubs with single-area donors, 12 of
//!    20 with groups of 25; 9 of 20 with groups of 20 and 5 of 20 with 20 groups of 100).
//!    The weights are fitted on every month from the data's first to the end of the before
//!    period (the pre-intervention series), holding the before-period total exactly.
//! 3. **Placebos**: per hub, `placebos` (default 999) candidates drawn from those whose
//!    before-period count of all incidents is nearest the hub's — within a factor 1.5, at
//!    least 199, at most `2·N` (its stratum: the spread of E shrinks as counts grow, and a
//!    busy hub is compared with busy places) ([`super::placebo::stratum`]).
//! 4. Every unit is fitted once per measure (in parallel, collected in a fixed order, so
//!    results are identical at any thread count); `E`, the p-value and the verdict follow.
//!
//! Pooled row: the hubs' values summed; placebo set `j` sums the `j`-th placebo of every
//! hub (so it has as many areas as there are hubs, each from its hub's stratum).
//!
//! Analytic inference (`--inference analytic`): the control-scaled counterfactual and a
//! z-test of `E` with variance `φ · Σ 1/(x + ½)` over `A_b, A_a, C_b, C_a` (the RES
//! variance of METHODS §6 with ½ added), `φ` the quasi-Poisson dispersion of the hub's
//! before months.

use super::period::Periods;
use super::placebo::{draw_weighted, eligible, stratum, Locations, Shape, NM};
use super::synthetic;
use super::verdict::*;
use crate::model::incident::Incidents;
use crate::model::month::MonthRange;
use crate::model::rng::Rng;
use geo::{Contains, MultiPolygon, Point};
use rayon::prelude::*;

/// One unit's (hub's or placebo's) values and counterfactual per measure.
#[derive(Clone, Debug, Default)]
pub(super) struct Fit {
    /// `[measure][month]` values.
    obs: Vec<f64>,
    /// `[measure][month]` counterfactual.
    yhat: Vec<f64>,
    before: [f64; NM],
    after: [f64; NM],
    cf_after: [f64; NM],
    rmspe: [f64; NM],
    /// The control's before and after values (control-scaled counterfactual only).
    ctl: [(f64, f64); NM],
    /// The weights of the synthetic control per measure (donor index, weight), kept for hubs.
    weights: Vec<Vec<(usize, f64)>>,
}

/// What fitting one unit needs.
struct Ctx<'a> {
    loc: &'a Locations,
    shape: Shape,
    b: (usize, usize),
    a: (usize, usize),
    cf: Counterfactual,
    /// Donor areas, each a group of map points (the areas' centres).
    donors: Vec<Vec<u32>>,
    donor_series: Vec<Vec<f64>>,
    exclude: f64,
    control: Vec<f64>,
}

impl Ctx<'_> {
    fn fit(&self, centre: [f64; 2], keep: bool) -> Fit {
        let t = self.loc.months;
        let obs = self.loc.series(&self.shape, centre);
        let mut f = Fit {
            yhat: vec![0.0; NM * t],
            ..Default::default()
        };
        let usable: Vec<usize> = (0..self.donors.len())
            .filter(|&i| {
                self.donors[i].iter().all(|&d| {
                    super::region::distance_m(self.loc.xy[d as usize], centre) > self.exclude
                })
            })
            .collect();
        for m in 0..NM {
            let row = &obs[m * t..(m + 1) * t];
            let ab: f64 = row[self.b.0..self.b.1].iter().sum();
            let yhat = &mut f.yhat[m * t..(m + 1) * t];
            match self.cf {
                Counterfactual::Synthetic => {
                    // fitted over every month before the after period, the before total held
                    let pre = self.b.1;
                    let cols: Vec<&[f64]> = usable
                        .iter()
                        .map(|&i| &self.donor_series[i][m * t..m * t + pre])
                        .collect();
                    let w = synthetic::weights_in(&cols, &row[..pre], self.b.0..self.b.1);
                    let mut kept = Vec::new();
                    for (&i, &wi) in usable.iter().zip(&w) {
                        if wi > 0.0 {
                            let d = &self.donor_series[i][m * t..(m + 1) * t];
                            for (y, v) in yhat.iter_mut().zip(d) {
                                *y += wi * v;
                            }
                            if keep {
                                kept.push((i, wi));
                            }
                        }
                    }
                    f.weights.push(kept);
                }
                Counterfactual::Control => {
                    let c = &self.control[m * t..(m + 1) * t];
                    let cb: f64 = c[self.b.0..self.b.1].iter().sum();
                    f.ctl[m] = (cb, c[self.a.0..self.a.1].iter().sum());
                    if cb > 0.0 {
                        for (y, v) in yhat.iter_mut().zip(c) {
                            *y = ab * v / cb;
                        }
                    }
                    f.weights.push(Vec::new());
                }
            }
            f.before[m] = ab;
            f.after[m] = row[self.a.0..self.a.1].iter().sum();
            f.cf_after[m] = yhat[self.a.0..self.a.1].iter().sum();
            f.rmspe[m] = rmspe(&row[self.b.0..self.b.1], &yhat[self.b.0..self.b.1]);
        }
        f.obs = obs;
        f
    }
}

fn rmspe(a: &[f64], y: &[f64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    (a.iter().zip(y).map(|(a, y)| (a - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

/// Quasi-Poisson dispersion of monthly counts, `max(1, Σ (y − ȳ)²/ȳ / (T − 1))` (METHODS §6b).
///
/// ```
/// use harmspot::compare::infer::dispersion;
/// // mean 4, squared deviations 9 + 9 + 9 + 9 = 36 → 36/4/3 = 3
/// assert_eq!(dispersion(&[1.0, 7.0, 1.0, 7.0]), 3.0);
/// assert_eq!(dispersion(&[4.0, 4.0, 4.0]), 1.0);
/// ```
pub fn dispersion(y: &[f64]) -> f64 {
    if y.len() < 2 {
        return 1.0;
    }
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    if mean <= 0.0 {
        return 1.0;
    }
    let ss: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    (ss / mean / (y.len() - 1) as f64).max(1.0)
}

/// Areas summed into one donor of a synthetic control (see the module doc).
pub const DONOR_GROUP: usize = 25;

/// A group of hubs sharing shape and periods.
struct Group {
    shape: Shape,
    periods: Periods,
    hubs: Vec<(usize, [f64; 2])>,
}

fn groups(areas: &super::AreaSet, periods: &[Periods]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    for (k, p) in periods.iter().enumerate() {
        let (shape, anchor) = Shape::of(areas, k);
        let same = out.iter_mut().find(|g| {
            g.periods == *p
                && matches!((&g.shape, &shape), (Shape::Circle(a), Shape::Circle(b)) if a == b)
        });
        match same {
            Some(g) => g.hubs.push((k, anchor)),
            None => out.push(Group {
                shape,
                periods: p.clone(),
                hubs: vec![(k, anchor)],
            }),
        }
    }
    out
}

fn range(r: MonthRange, span: MonthRange) -> (usize, usize) {
    let s = r.from.since(span.from).max(0) as usize;
    (s, s + r.len())
}

/// Everything the verdicts are assembled from: each hub's fit and its placebos' fits.
struct Fitted {
    /// Per hub: its fit, its group, and its placebos (indices into the group's fits) in
    /// draw order.
    hubs: Vec<Option<(Fit, usize, Vec<usize>)>>,
    /// Per group: the fits of its placebos.
    groups: Vec<Vec<Fit>>,
}

/// Computes the calibrated verdicts (METHODS §6b) of every area and the pooled row.
///
/// `periods` are the areas' resolved periods, `span` the months of the data, `control` the
/// control area (for the control-scaled counterfactual and analytic inference).
pub fn infer(
    inc: &Incidents,
    areas: &super::AreaSet,
    periods: &[Periods],
    span: MonthRange,
    control: &MultiPolygon<f64>,
    p: &InferenceParams,
) -> Verdicts {
    let loc = Locations::build(inc, span);
    let cf = match p.inference {
        Inference::Analytic => Counterfactual::Control,
        Inference::Placebo => p.counterfactual,
    };
    let control_series = control_series(&loc, control, cf);
    let mut fitted = Fitted {
        hubs: vec![None; periods.len()],
        groups: Vec::new(),
    };
    let mut donors_of = vec![Vec::new(); periods.len()];
    for (gi, g) in groups(areas, periods).into_iter().enumerate() {
        let ctx = group_ctx(&loc, areas, &g, span, cf, &control_series, p, gi);
        let cands = match p.inference {
            Inference::Placebo => eligible(&loc, areas, g.shape.reach()),
            Inference::Analytic => Vec::new(),
        };
        let strata = stratum_values(&loc, &g.shape, &cands, ctx.b);
        let picks: Vec<Vec<u32>> = g
            .hubs
            .iter()
            .map(|&(k, anchor)| {
                if p.inference == Inference::Analytic {
                    return Vec::new();
                }
                let s = loc.series(&g.shape, anchor);
                let hub: f64 = (0..2)
                    .map(|m| {
                        s[m * loc.months + ctx.b.0..m * loc.months + ctx.b.1]
                            .iter()
                            .sum::<f64>()
                    })
                    .sum();
                stratum(
                    &cands,
                    &strata,
                    hub,
                    p.placebos,
                    &mut Rng::stream(p.seed, k as u64),
                )
            })
            .collect();
        let mut union: Vec<u32> = picks.iter().flatten().copied().collect();
        union.sort_unstable();
        union.dedup();
        let fits: Vec<Fit> = union
            .par_iter()
            .map(|&c| ctx.fit(loc.xy[c as usize], false))
            .collect();
        let hub_fits: Vec<Fit> = g
            .hubs
            .par_iter()
            .map(|&(_, anchor)| ctx.fit(anchor, true))
            .collect();
        for ((&(k, _), hf), pk) in g.hubs.iter().zip(hub_fits).zip(picks) {
            let pl: Vec<usize> = pk
                .iter()
                .map(|c| union.binary_search(c).expect("a fitted placebo"))
                .collect();
            fitted.hubs[k] = Some((hf, gi, pl));
            donors_of[k] = ctx.donors.clone();
        }
        fitted.groups.push(fits);
    }
    assemble(inc, &loc, fitted, &donors_of, periods, span, p)
}

#[allow(clippy::too_many_arguments)]
fn group_ctx<'a>(
    loc: &'a Locations,
    areas: &super::AreaSet,
    g: &Group,
    span: MonthRange,
    cf: Counterfactual,
    control: &[f64],
    p: &InferenceParams,
    gi: usize,
) -> Ctx<'a> {
    let reach = g.shape.reach();
    let (b, a) = (range(g.periods.before, span), range(g.periods.after, span));
    let donors = if cf == Counterfactual::Synthetic {
        let cands = eligible(loc, areas, reach);
        let w: Vec<f64> = cands
            .iter()
            .map(|&c| {
                (0..2)
                    .map(|m| {
                        let r = loc.row(c as usize, m);
                        r[b.0..b.1].iter().sum::<f64>() + r[a.0..a.1].iter().sum::<f64>()
                    })
                    .sum()
            })
            .collect();
        let mut rng = Rng::stream(p.seed, u64::MAX - gi as u64);
        let mut areas = draw_weighted(&cands, &w, p.donors * DONOR_GROUP, &mut rng);
        rng.shuffle(&mut areas);
        areas.chunks(DONOR_GROUP).map(<[u32]>::to_vec).collect()
    } else {
        Vec::new()
    };
    let donor_series = donors
        .par_iter()
        .map(|group: &Vec<u32>| {
            let mut s = vec![0.0; NM * loc.months];
            for &d in group {
                for (o, v) in s.iter_mut().zip(loc.series(&g.shape, loc.xy[d as usize])) {
                    *o += v;
                }
            }
            s
        })
        .collect();
    Ctx {
        loc,
        shape: g.shape.clone(),
        b,
        a,
        cf,
        donors,
        donor_series,
        exclude: 2.0 * reach + areas.buffer_m.unwrap_or(0.0),
        control: control.to_vec(),
    }
}

/// Each candidate's before-period count of all incidents (crime and ASB) in the shape
/// centred on it.
fn stratum_values(loc: &Locations, shape: &Shape, cands: &[u32], b: (usize, usize)) -> Vec<f64> {
    let point: Vec<f64> = (0..loc.len())
        .map(|l| {
            (0..2)
                .map(|m| loc.row(l, m)[b.0..b.1].iter().sum::<f64>())
                .sum()
        })
        .collect();
    cands
        .par_iter()
        .map(|&c| {
            loc.inside(shape, loc.xy[c as usize])
                .iter()
                .map(|&l| point[l as usize])
                .sum()
        })
        .collect()
}

/// The control area's monthly series (`[measure][month]`), for the control-scaled
/// counterfactual; empty for a synthetic control.
fn control_series(loc: &Locations, control: &MultiPolygon<f64>, cf: Counterfactual) -> Vec<f64> {
    if cf != Counterfactual::Control {
        return Vec::new();
    }
    let t = loc.months;
    let inside: Vec<bool> = loc
        .xy
        .par_iter()
        .map(|p| control.contains(&Point::new(p[0], p[1])))
        .collect();
    let mut out = vec![0.0; NM * t];
    for (l, _) in inside.iter().enumerate().filter(|(_, &i)| i) {
        for m in 0..NM {
            for (o, v) in out[m * t..(m + 1) * t].iter_mut().zip(loc.row(l, m)) {
                *o += v;
            }
        }
    }
    out
}

mod assemble;
use assemble::assemble;
