//! Turning fitted hubs and placebos into [`Verdicts`] (METHODS §6b): the effect, the
//! placebo p-value, the verdict word, the pre-period fit, the top donors and the chart
//! series with the placebo band; and the pooled row from placebo sets of as many areas.

use super::super::period::Periods;
use super::super::placebo::{Locations, NM, VRU_MEASURES};
use super::{dispersion, range, Fit, Fitted};
use crate::compare::verdict::*;
use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};

/// What a verdict is computed from.
struct Unit<'a> {
    hub: &'a Fit,
    placebos: Vec<&'a Fit>,
    /// Before months of the hub, `None` when its series are sums over different periods.
    b: Option<(usize, usize)>,
}

pub(super) fn assemble(
    inc: &Incidents,
    loc: &Locations,
    fitted: Fitted,
    donors_of: &[Vec<Vec<u32>>],
    periods: &[Periods],
    span: MonthRange,
    p: &InferenceParams,
) -> Verdicts {
    let months: Vec<Month> = (0..loc.months).map(|t| span.from.add(t as i32)).collect();
    let groups = fitted.groups;
    let hubs: Vec<(Fit, Vec<&Fit>)> = fitted
        .hubs
        .into_iter()
        .map(|h| {
            let (f, g, pl) = h.unwrap_or_default();
            let pl = pl.iter().map(|&i| &groups[g][i]).collect();
            (f, pl)
        })
        .collect();
    let mut areas = Vec::new();
    for (k, (hf, pl)) in hubs.iter().enumerate() {
        let unit = Unit {
            hub: hf,
            placebos: pl.clone(),
            b: Some(range(periods[k].before, span)),
        };
        let mut vs: Vec<Verdict> = (0..NM).map(|m| verdict(m, &unit, loc, p)).collect();
        for (m, v) in vs.iter_mut().enumerate() {
            v.top_donors = top_donors(inc, loc, &donors_of[k], &hf.weights, m);
        }
        areas.push(vs);
    }
    let shared = periods.windows(2).all(|w| w[0] == w[1]);
    let pooled_hub = sum(hubs.iter().map(|h| &h.0));
    let n_sets = hubs.iter().map(|h| h.1.len()).min().unwrap_or(0);
    let sets: Vec<Fit> = (0..n_sets)
        .map(|j| sum(hubs.iter().map(|h| h.1[j])))
        .collect();
    let unit = Unit {
        hub: &pooled_hub,
        placebos: sets.iter().collect(),
        b: (shared && !periods.is_empty()).then(|| range(periods[0].before, span)),
    };
    let pooled: Vec<Verdict> = (0..NM).map(|m| verdict(m, &unit, loc, p)).collect();
    let placebos = hubs.iter().map(|h| h.1.len()).min().unwrap_or(0);
    let mut notes = Vec::new();
    if p.inference == Inference::Placebo && placebos < p.placebos {
        notes.push(format!(
            "a hub has only {placebos} placebo areas (asked for {}): placebos are drawn among places whose before-period count is near the hub's, and there are fewer of those; the smallest p-value possible is 1/{}",
            p.placebos,
            placebos + 1
        ));
    }
    let poor: usize = areas.iter().flatten().filter(|v| v.poor_fit).count();
    if poor > 0 {
        notes.push(format!(
            "{poor} hub measure(s) have a poor pre-period fit (the counterfactual misses the before months by more than twice their Poisson noise and a quarter of their level): their effect is less certain than the p-value alone suggests"
        ));
    }
    let most = hubs.iter().map(|h| h.1.len()).max().unwrap_or(0);
    let mut inference = p.describe(placebos);
    if most > placebos && p.inference == Inference::Placebo {
        // strata differ in size: say the range (e.g. `placebo 199–999, synthetic control`)
        inference = inference.replacen(&placebos.to_string(), &format!("{placebos}–{most}"), 1);
    }
    Verdicts {
        inference,
        params: p.clone(),
        months,
        areas,
        pooled,
        notes,
    }
}

/// Sums fits (the pooled row, a pooled placebo set).
fn sum<'a>(fits: impl Iterator<Item = &'a Fit>) -> Fit {
    let mut out = Fit::default();
    for f in fits {
        if out.obs.is_empty() {
            out.obs = vec![0.0; f.obs.len()];
            out.yhat = vec![0.0; f.yhat.len()];
        }
        for (o, v) in out.obs.iter_mut().zip(&f.obs) {
            *o += v;
        }
        for (o, v) in out.yhat.iter_mut().zip(&f.yhat) {
            *o += v;
        }
        for m in 0..NM {
            out.before[m] += f.before[m];
            out.after[m] += f.after[m];
            out.cf_after[m] += f.cf_after[m];
            out.ctl[m].0 += f.ctl[m].0;
            out.ctl[m].1 += f.ctl[m].1;
        }
    }
    out
}

fn verdict(m: usize, u: &Unit, loc: &Locations, p: &InferenceParams) -> Verdict {
    let t = loc.months;
    let h = u.hub;
    let e = effect(h.after[m], h.cf_after[m]);
    let (obs, yhat) = if h.obs.is_empty() {
        (&[][..], &[][..])
    } else {
        (&h.obs[m * t..(m + 1) * t], &h.yhat[m * t..(m + 1) * t])
    };
    let p_value = match p.inference {
        Inference::Placebo => {
            let es: Vec<f64> = u
                .placebos
                .iter()
                .map(|f| effect(f.after[m], f.cf_after[m]))
                .collect();
            placebo_p(e, &es)
        }
        Inference::Analytic => analytic_p(h, m, u.b, t),
    };
    let (rmspe, poor) = match u.b {
        Some(b) if !obs.is_empty() => {
            let r = super::rmspe(&obs[b.0..b.1], &yhat[b.0..b.1]);
            let mean = obs[b.0..b.1].iter().sum::<f64>() / (b.1 - b.0).max(1) as f64;
            (r, poor_fit(r, mean))
        }
        _ => (f64::NAN, false),
    };
    let series = match u.b {
        Some(_) if !obs.is_empty() => VerdictSeries {
            observed: obs.to_vec(),
            counterfactual: yhat.to_vec(),
            band_low: band(u, m, t, yhat, 0.025),
            band_high: band(u, m, t, yhat, 0.975),
        },
        _ => VerdictSeries::default(),
    };
    Verdict {
        measure: VRU_MEASURES[m].clone(),
        before: h.before[m],
        after: h.after[m],
        counterfactual_after: h.cf_after[m],
        effect: e,
        effect_pct: (h.cf_after[m] > 0.0).then(|| 100.0 * (h.after[m] / h.cf_after[m] - 1.0)),
        p_value,
        placebos: u.placebos.len(),
        verdict: Word::of(e, p_value, p.alpha),
        pre_fit_rmspe: rmspe,
        poor_fit: poor,
        top_donors: Vec::new(),
        series,
    }
}

/// The z-test of `E` with quasi-Poisson variance `φ · Σ 1/(x + ½)` (analytic inference).
fn analytic_p(h: &Fit, m: usize, b: Option<(usize, usize)>, t: usize) -> Option<f64> {
    let (cb, ca) = h.ctl[m];
    if cb <= 0.0 {
        return None;
    }
    let phi = match b {
        Some(b) if !h.obs.is_empty() => dispersion(&h.obs[m * t + b.0..m * t + b.1]),
        _ => 1.0,
    };
    let v: f64 = [h.before[m], h.after[m], cb, ca]
        .iter()
        .map(|x| 1.0 / (x + 0.5))
        .sum::<f64>()
        * phi;
    let e = effect(h.after[m], h.cf_after[m]);
    Some(crate::stats::pvalue::two_sided(e / v.sqrt()))
}

/// Per month, the hub's counterfactual moved by the `q`-quantile of the placebos' log
/// ratios `ln((y + ½)/(ŷ + ½))` that month (empty without placebos).
fn band(u: &Unit, m: usize, t: usize, yhat: &[f64], q: f64) -> Vec<f64> {
    if u.placebos.is_empty() {
        return Vec::new();
    }
    (0..t)
        .map(|k| {
            let mut lr: Vec<f64> = u
                .placebos
                .iter()
                .filter(|f| !f.obs.is_empty())
                .map(|f| ((f.obs[m * t + k] + 0.5) / (f.yhat[m * t + k] + 0.5)).ln())
                .collect();
            let x = quantile(&mut lr, q);
            ((yhat[k] + 0.5) * x.exp() - 0.5).max(0.0)
        })
        .collect()
}

fn top_donors(
    inc: &Incidents,
    loc: &Locations,
    donors: &[Vec<u32>],
    weights: &[Vec<(usize, f64)>],
    m: usize,
) -> Vec<crate::compare::verdict::Donor> {
    let Some(w) = weights.get(m) else {
        return Vec::new();
    };
    let mut w = w.clone();
    w.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    w.iter()
        .take(3)
        .map(|&(i, wt)| Donor {
            places: donors[i]
                .iter()
                .map(|&l| {
                    inc.location_name(loc.first_row[l as usize] as usize)
                        .map_or_else(String::new, str::to_string)
                })
                .collect(),
            centres: donors[i].iter().map(|&l| loc.xy[l as usize]).collect(),
            weight: wt,
        })
        .collect()
}
