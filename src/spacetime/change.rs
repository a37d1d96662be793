//! Cell-by-cell change between a before and an after period on one snapped grid (METHODS
//! §4, §6), with optional dual kernel density surfaces.
//!
//! Both periods are counted on the same grid (cells snap to multiples of the cell size, and
//! the caller builds the grid from the incidents of both periods), so a cell is the same
//! place before and after. With b and a the counts before and after in a cell:
//!
//! ```text
//! change     = a − k·b
//! pct_change = 100 · (a − k·b) / (k·b)          null when b = 0
//! z          = (a − k·b) / √(a + k²·b)          null when a = b = 0
//! ```
//!
//! where k = (months after) / (months before) scales the before count to the length of the
//! after period. With periods of equal length k = 1 and z is the Poisson z of a difference,
//! (a − b)/√(a + b): under no change each count is Poisson with the same mean, and the
//! variance of a − b is a + b. The harm columns use the same formulas with the harm sums
//! H, and the variance of a sum of harm weights w, Σw² (as the harm-weighted WDD, METHODS
//! §6): `z_harm = (H_a − k·H_b) / √(Σ_a w² + k²·Σ_b w²)`.
//!
//! **Dual KDE** ([`KdeChange`]). Kernel densities of each period on the same grid, with one
//! bandwidth (given, or chosen by the rule from the incidents of both periods, so the two
//! surfaces are comparable); the before surface is multiplied by k. Then
//! `diff = D_a − k·D_b`, `ratio = D_a / max(k·D_b, floor)`, `log_ratio = ln(max(D_a, floor) /
//! max(k·D_b, floor))`. The floor keeps ratios finite where nothing happened before; by
//! default it is the peak density of one incident of weight 1, `K_h(0)` (for the quartic
//! kernel 3/(π h²), per km²): a cell with less than that before is treated as having that
//! much. Outputs never hold Inf or NaN inside the study area.

use crate::density::bandwidth;
use crate::density::count::{self, CountParams};
use crate::density::kde::{self, BandwidthRule, Values, Weights};
use crate::error::{Error, Result};
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::model::month::{Month, MonthRange};
pub use crate::model::params::change::{
    ChangeParams, ChangeSummary, ChangeUsed, KdeChange, KdeChangeParams, KdeChangeUsed,
};
use crate::model::params::disclosure::Support;

/// The per-cell change layer and the totals.
#[derive(Clone, Debug)]
pub struct ChangeResult {
    /// Columns `n_before, n_after, change, pct_change, z, harm_before, harm_after,
    /// change_harm, pct_change_harm, z_harm`, then with a dual KDE `kde_before, kde_after`
    /// and `kde_diff` | `kde_ratio` | `kde_log_ratio`. Cells outside the study area hold NaN
    /// in every derived column.
    pub layer: Layer,
    /// Totals and what was used.
    pub summary: ChangeSummary,
}

/// `(a − k b, pct, z)` for counts a, b with variances va, vb: NaN where undefined.
fn diff(a: f64, b: f64, va: f64, vb: f64, k: f64) -> (f64, f64, f64) {
    let d = a - k * b;
    let pct = if b > 0.0 {
        100.0 * d / (k * b)
    } else {
        f64::NAN
    };
    let v = va + k * k * vb;
    let z = if v > 0.0 { d / v.sqrt() } else { f64::NAN };
    (d, pct, z)
}

/// Per-cell change between two periods (see the module documentation).
///
/// Parameters: incidents with months (working-CRS metres); the grid, built over both
/// periods' incidents; [`ChangeParams`].
///
/// Returns: [`ChangeResult`].
///
/// Errors: overlapping or reversed periods (`--after`); a period without incidents
/// (`--before`/`--after`); incidents without months; KDE errors (bandwidth, floor).
///
/// Examples: one cell with 4 incidents before and 9 after:
///
/// ```
/// use harmspot::{change::{compute, ChangeParams}, grid::{Grid, Shape}, Incidents, Month, MonthRange};
/// let (b, a) = (Month::parse("2021-01").unwrap(), Month::parse("2021-02").unwrap());
/// let inc = Incidents { xy: vec![[50.0, 50.0]; 13], month: [vec![b; 4], vec![a; 9]].concat(),
///     kind: vec![0; 13], harm: vec![1.0; 13], types: vec!["Burglary".into()], ..Default::default() };
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 99.0, 99.0]).unwrap();
/// let p = ChangeParams::new(MonthRange::new(b, b).unwrap(), MonthRange::new(a, a).unwrap());
/// let r = compute(&inc, &grid, &p).unwrap();
/// assert_eq!(r.layer.get("change").unwrap()[0], 5.0);
/// assert_eq!(r.layer.get("pct_change").unwrap()[0], 125.0);
/// // (9 − 4)/√13
/// assert!((r.layer.get("z").unwrap()[0] - 1.386_750_490_563_073).abs() < 1e-12);
/// ```
pub fn compute(incidents: &Incidents, grid: &Grid, params: &ChangeParams) -> Result<ChangeResult> {
    let (before, after) = (params.before, params.after);
    if after.from <= before.to {
        return Err(Error::param(
            crate::Param::After,
            format!(
                "the after period ({after}) must start after the before period ({before}) ends"
            ),
        ));
    }
    let (sub_b, sub_a) = incidents.periods(
        "change",
        (crate::Param::Before, before),
        (crate::Param::After, after),
    )?;
    let empty_months = empty_months(&sub_b, before, &sub_a, after);
    let k = after.len() as f64 / before.len() as f64;
    let cells = grid.spec.len();
    count::check_layer_bytes(16, cells, incidents.len())?;

    let counts_b = period_counts(&sub_b, grid)?;
    let counts_a = period_counts(&sub_a, grid)?;
    let (mut layer, tot) = count_changes(grid, counts_b, counts_a, k);
    let in_area_incidents = tot[0] + tot[1];
    let (tc, tp, tz) = diff(tot[1], tot[0], tot[1], tot[0], k);

    let kde_used = match &params.kde {
        Some(kc) => Some(add_dual_kde(
            &mut layer,
            grid,
            &sub_b,
            &sub_a,
            kc,
            k,
            [params.before, params.after],
        )?),
        None => None,
    };
    let bandwidth_used = kde_used.as_ref().map(|u| u.bandwidth);
    let floor_used = kde_used.as_ref().map(|u| u.floor);

    let summary = ChangeSummary {
        before,
        after,
        period_ratio: k,
        n_before: tot[0],
        n_after: tot[1],
        change: tc,
        pct_change: tp.is_finite().then_some(tp),
        z: tz.is_finite().then_some(tz),
        harm_before: tot[2],
        harm_after: tot[3],
        outside_study_area: (sub_a.len() + sub_b.len()) as f64 - in_area_incidents,
        empty_months,
        bandwidth: bandwidth_used,
        floor: floor_used,
    };
    layer.used = crate::model::used::Used::Change(Box::new(ChangeUsed {
        summary: summary.clone(),
        kde: kde_used,
    }));
    Ok(ChangeResult { layer, summary })
}

/// The months of each period without any incident of it (a missing month of data reads as
/// a fall), before's first.
fn empty_months(
    sub_b: &Incidents,
    before: MonthRange,
    sub_a: &Incidents,
    after: MonthRange,
) -> Vec<Month> {
    let mut empty = Vec::new();
    for (sub, r) in [(sub_b, before), (sub_a, after)] {
        for m in r.iter() {
            if !sub.month.contains(&m) {
                empty.push(m);
            }
        }
    }
    empty
}

/// One period's counts per cell: incidents, harm, and the sum of squared harm weights (the
/// variance of the harm sum).
struct PeriodCounts {
    n: Vec<f64>,
    harm: Vec<f64>,
    harm2: Vec<f64>,
}

/// Counts the incidents `sub` of one period on `grid`.
fn period_counts(sub: &Incidents, grid: &Grid) -> Result<PeriodCounts> {
    let layer = count::aggregate(sub, grid, &CountParams::default())?;
    let mut sq = sub.clone();
    sq.harm.iter_mut().for_each(|w| *w *= *w);
    let (_, harm2, _) = count::cell_sums(&sq, &grid.spec);
    let get = |c: &str| layer.get(c).expect("count gives n and harm").to_vec();
    Ok(PeriodCounts {
        n: get("n"),
        harm: get("harm"),
        harm2,
    })
}

/// The count and harm columns of the change layer (`n_before` .. `z_harm`, NaN outside the
/// study area) from the counts before `b` and after `a`, with `k` the period ratio. Returns
/// the layer and the study-area totals `[n_before, n_after, harm_before, harm_after]`.
fn count_changes(grid: &Grid, b: PeriodCounts, a: PeriodCounts, k: f64) -> (Layer, [f64; 4]) {
    let cells = grid.spec.len();
    let nan = vec![f64::NAN; cells];
    let (mut change, mut pct, mut z) = (nan.clone(), nan.clone(), nan.clone());
    let (mut change_h, mut pct_h, mut z_h) = (nan.clone(), nan.clone(), nan.clone());
    let mut tot = [0.0f64; 4];
    for i in 0..cells {
        if !grid.in_area[i] {
            continue;
        }
        (change[i], pct[i], z[i]) = diff(a.n[i], b.n[i], a.n[i], b.n[i], k);
        (change_h[i], pct_h[i], z_h[i]) = diff(a.harm[i], b.harm[i], a.harm2[i], b.harm2[i], k);
        tot[0] += b.n[i];
        tot[1] += a.n[i];
        tot[2] += b.harm[i];
        tot[3] += a.harm[i];
    }
    let mut layer = Layer::new(grid.clone());
    // a change is built from both periods' incidents: the smaller positive count
    let both = Support::smaller(Support::count_in("n_before"), Support::count_in("n_after"));
    layer.set("n_before", b.n, Support::Count);
    layer.set("n_after", a.n, Support::Count);
    layer.set("change", change, both.clone());
    layer.set("pct_change", pct, both.clone());
    layer.set("z", z, both.clone());
    layer.set("harm_before", b.harm, Support::count_in("n_before"));
    layer.set("harm_after", a.harm, Support::count_in("n_after"));
    layer.set("change_harm", change_h, both.clone());
    layer.set("pct_change_harm", pct_h, both.clone());
    layer.set("z_harm", z_h, both);
    (layer, tot)
}

/// The one bandwidth of both density surfaces: given, or chosen by the rule from the
/// incidents of both periods.
fn shared_bandwidth(kc: &KdeChangeParams, sub_b: &Incidents, sub_a: &Incidents) -> Result<f64> {
    let both_xy: Vec<[f64; 2]> = sub_b.xy.iter().chain(&sub_a.xy).copied().collect();
    let both_w: Vec<f64> = sub_b.harm.iter().chain(&sub_a.harm).copied().collect();
    let w_both = match kc.kde.weights {
        Weights::Harm => Some(&both_w[..]),
        Weights::Unweighted => None,
    };
    Ok(match kc.kde.bandwidth {
        Some(h) => h,
        None => match kc.kde.bandwidth_rule {
            BandwidthRule::Arcgis => bandwidth::arcgis(&both_xy, w_both)?,
            BandwidthRule::Sfhotspot => bandwidth::sfhotspot(&both_xy)?,
        },
    })
}

/// Adds the dual kernel density columns to `layer` (`kde_before` scaled by `k`,
/// `kde_after`, and the comparison of `kc.method`; NaN outside the study area) and returns
/// what was used; the densities' supports are the incidents of each of the `periods`
/// (before, after) within the kernel's support radius. Errors: bandwidth and KDE errors; a
/// floor that is not a positive density.
fn add_dual_kde(
    layer: &mut Layer,
    grid: &Grid,
    sub_b: &Incidents,
    sub_a: &Incidents,
    kc: &KdeChangeParams,
    k: f64,
    periods: [MonthRange; 2],
) -> Result<KdeChangeUsed> {
    let cells = grid.spec.len();
    let h0 = shared_bandwidth(kc, sub_b, sub_a)?;
    let kp = kc.kde.clone().bandwidth(h0).values(Values::Density);
    let db = kde::estimate(sub_b, grid, &kp)?;
    let da = kde::estimate(sub_a, grid, &kp)?;
    let h = h0 * kp.bandwidth_adjust;
    let floor = kc.floor.unwrap_or(kp.kernel.density(0.0, h) * 1e6);
    if !(floor.is_finite() && floor > 0.0) {
        return Err(Error::param(
            crate::Param::Floor,
            format!("must be a positive density per km², got {floor}"),
        ));
    }
    let db = db.get("density").expect("kde gives density");
    let da = da.get("density").expect("kde gives density");
    let mut out = vec![f64::NAN; cells];
    let (mut vb, mut va) = (vec![f64::NAN; cells], vec![f64::NAN; cells]);
    for i in 0..cells {
        if !grid.in_area[i] {
            continue;
        }
        let (a, b) = (da[i], k * db[i]);
        va[i] = a;
        vb[i] = b;
        out[i] = match kc.method {
            KdeChange::Diff => a - b,
            KdeChange::Ratio => a / b.max(floor),
            KdeChange::LogRatio => (a.max(floor) / b.max(floor)).ln(),
        };
    }
    // each period's incidents within the kernel's support radius of the cell centre
    let radius = h * kp.kernel.support();
    let within = |months: MonthRange| Support::Within {
        radius,
        months: Some(months),
    };
    let (before, after) = (within(periods[0]), within(periods[1]));
    layer.set("kde_before", vb, before.clone());
    layer.set("kde_after", va, after.clone());
    layer.set(
        match kc.method {
            KdeChange::Diff => "kde_diff",
            KdeChange::Ratio => "kde_ratio",
            KdeChange::LogRatio => "kde_log_ratio",
        },
        out,
        Support::smaller(before, after),
    );
    Ok(KdeChangeUsed {
        method: kc.method,
        kernel: kp.kernel,
        bandwidth: h,
        bandwidth_source: if kc.kde.bandwidth.is_some() {
            "given".to_string()
        } else {
            format!(
                "{} on the incidents of both periods",
                kc.kde.bandwidth_rule.describe()
            )
        },
        weights: kc.kde.weights,
        floor,
        floor_given: kc.floor.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::density::kde::KdeParams;
    use crate::model::grid::Shape;
    use crate::model::month::{Month, MonthRange};

    fn inc(points: &[([f64; 2], i32, f64)]) -> Incidents {
        let m0 = Month::parse("2021-01").unwrap();
        Incidents {
            xy: points.iter().map(|p| p.0).collect(),
            month: points.iter().map(|p| m0.add(p.1)).collect(),
            kind: vec![0; points.len()],
            harm: points.iter().map(|p| p.2).collect(),
            types: vec!["Burglary".into()],
            ..Default::default()
        }
    }

    fn range(a: i32, b: i32) -> MonthRange {
        let m0 = Month::parse("2021-01").unwrap();
        MonthRange::new(m0.add(a), m0.add(b)).unwrap()
    }

    #[test]
    fn zero_counts_give_null_not_nan_inf_and_harm_variance() {
        // cell 0: 2 before (harm 3, 4), 0 after; cell 1: 0 before, 1 after (harm 2); cell 2: none
        let i = inc(&[
            ([50.0, 50.0], 0, 3.0),
            ([60.0, 50.0], 0, 4.0),
            ([150.0, 50.0], 1, 2.0),
        ]);
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 99.0]).unwrap();
        let r = compute(&i, &grid, &ChangeParams::new(range(0, 0), range(1, 1))).unwrap();
        let l = &r.layer;
        assert_eq!(l.get("change").unwrap(), &[-2.0, 1.0, 0.0]);
        assert_eq!(l.get("pct_change").unwrap()[0], -100.0);
        assert!(l.get("pct_change").unwrap()[1].is_nan()); // nothing before → null
        assert!(l.get("z").unwrap()[2].is_nan()); // 0 and 0 → null
        assert_eq!(l.get("z").unwrap()[1], 1.0); // 1/√1
                                                 // harm: (0 − 7)/√(3² + 4²) = −7/5
        assert!((l.get("z_harm").unwrap()[0] + 1.4).abs() < 1e-15);
        assert_eq!(r.summary.z, Some((1.0 - 2.0) / 3f64.sqrt()));
    }

    #[test]
    fn unequal_periods_scale_the_before_count() {
        // 6 before over 2 months, 4 after over 1 month: k = 1/2, change = 4 − 3 = 1,
        // z = 1/√(4 + 6/4) = 1/√5.5
        let mut pts = vec![([50.0, 50.0], 0, 1.0); 3];
        pts.extend(vec![([50.0, 50.0], 1, 1.0); 3]);
        pts.extend(vec![([50.0, 50.0], 2, 1.0); 4]);
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 99.0, 99.0]).unwrap();
        let r = compute(
            &inc(&pts),
            &grid,
            &ChangeParams::new(range(0, 1), range(2, 2)),
        )
        .unwrap();
        assert_eq!(r.layer.get("change").unwrap()[0], 1.0);
        assert!((r.layer.get("z").unwrap()[0] - 1.0 / 5.5f64.sqrt()).abs() < 1e-15);
        assert!((r.layer.get("pct_change").unwrap()[0] - 100.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn kde_surfaces_are_finite_with_the_floor() {
        let i = inc(&[
            ([50.0, 50.0], 0, 1.0),
            ([950.0, 950.0], 1, 1.0),
            ([960.0, 950.0], 1, 1.0),
        ]);
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 999.0, 999.0]).unwrap();
        for m in [KdeChange::Diff, KdeChange::Ratio, KdeChange::LogRatio] {
            let p = ChangeParams::new(range(0, 0), range(1, 1))
                .kde(KdeParams::default().bandwidth(300.0), m);
            let r = compute(&i, &grid, &p).unwrap();
            let col = r.layer.columns.last().unwrap();
            assert!(col.1.iter().all(|v| v.is_finite()), "{m:?}");
            let floor = r.summary.floor.unwrap();
            // 3/(π·300²) per m² → per km²
            assert!((floor - 3.0 / (std::f64::consts::PI * 90_000.0) * 1e6).abs() < 1e-9);
            if m == KdeChange::LogRatio {
                // nowhere near either: both floored → ln 1 = 0
                let id = grid.spec.locate([50.0, 950.0]).unwrap();
                assert_eq!(col.1[id], 0.0);
            }
        }
    }

    #[test]
    fn bad_periods() {
        let i = inc(&[([50.0, 50.0], 0, 1.0), ([50.0, 50.0], 1, 1.0)]);
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 99.0, 99.0]).unwrap();
        let e = compute(&i, &grid, &ChangeParams::new(range(0, 1), range(1, 1))).unwrap_err();
        assert!(
            e.to_string().starts_with(&crate::Param::After.to_string()),
            "{e}"
        );
        let e = compute(&i, &grid, &ChangeParams::new(range(0, 0), range(5, 6))).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("‹after›: no incidents in 2021-06..2021-07"),
            "{e}"
        );
    }
}
