//! Emerging hot spots: space-time Getis-Ord Gi* per cell per month, the Mann-Kendall trend
//! of each cell's z series, and the ArcGIS Emerging Hot Spot Analysis categories (METHODS
//! §5 and §8; ArcGIS Pro, "How Emerging Hot Spot Analysis works",
//! <https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm>).
//!
//! **Space-time Gi\*.** The population is every bin (study-area cell × month) of the cube,
//! zero bins included, as ArcGIS's default "entire cube" global window: X̄ and S are the mean
//! and population standard deviation over all bins. A bin's neighbours (binary weights,
//! itself included) are the study-area cells whose centres lie within the neighbour distance
//! of its cell (default √2 × cell size: queen neighbours on squares, the six adjacent
//! hexagons) in the same month and in each of the previous K months (`time_window`, ArcGIS's
//! "neighborhood time step", default 1). G* is the formula of [`crate::stats::gistar`] with those
//! neighbours; local sums are the sum over the K + 1 months of per-month spatial local sums,
//! so the cost is O(cells × months × spatial neighbours).
//!
//! **Which months are analysed.** The first K months of the cube have an incomplete time
//! window (fewer neighbours). An empty cell would then get a slightly different z in those
//! months than later, which the trend test would read as a trend. So the first K months
//! serve only as temporal neighbours of later months; z-scores, trends and categories cover
//! months K+1 … T (T − K months, at least 3; ArcGIS asks for at least 10 time steps).
//!
//! **Significant bin.** A bin is a significant hot (cold) spot when its two-sided normal
//! p-value is below α (default 0.10: 90% confidence, ArcGIS's lowest hot-spot class) and
//! z > 0 (z < 0). With `fdr`, the Benjamini–Hochberg procedure is applied month by month
//! over the study-area cells of that month: a bin is significant when p ≤ the BH critical
//! p-value at α for its month ([`crate::stats::pvalue::bh_critical`]); ArcGIS Pro applies an FDR
//! correction by default, so `fdr = true` is the closer match to it.
//!
//! **Trend.** The Mann-Kendall test ([`crate::stats::mannkendall`]) of the cell's z series over
//! the analysed months; a trend is significant when its two-sided p < `trend_alpha`
//! (default 0.10), upward when Z > 0.
//!
//! **Categories** ([`classify`]). With T the analysed months, h and c the numbers of
//! significant hot and cold bins, "90%" meaning h ≥ 0.9·T (compared exactly, 10h ≥ 9T):
//!
//! | pattern | rule (hot; cold mirrors swap hot/cold and the trend's sign) |
//! |---|---|
//! | Intensifying | final bin hot, h ≥ 90%, significant upward trend |
//! | Diminishing | final bin hot, h ≥ 90%, significant downward trend |
//! | Persistent | final bin hot, h ≥ 90%, no significant trend |
//! | Oscillating | final bin hot, h < 90%, at least one significant cold bin before |
//! | New | final bin hot, never significant (hot or cold) before |
//! | Consecutive | final bin hot, h < 90%, the hot bins are one uninterrupted final run of ≥ 2, never significant before it |
//! | Sporadic | final bin hot, h < 90%, other hot bins before the final run, never cold |
//! | Historical | final bin not significant, h ≥ 90% |
//! | No pattern | anything else |
//!
//! ArcGIS's wording leaves three overlaps, resolved here and stated so results can be
//! compared: (1) a location hot now with a cold history also fits New or Consecutive
//! ("never a hot spot before"); it is Oscillating, the cold history being the distinctive
//! fact (R sfdep agrees: its New and Consecutive require no earlier significant bin).
//! (2) Persistent does not say "including the final time step" while Historical says "the
//! most recent time period is not hot": a location ≥ 90% hot but not hot at the end is
//! Historical, Persistent requires the final bin hot (as xarray-spatial). (3) A final
//! significant cold bin after ≥ 90% hot bins fits both Historical Hot and Oscillating Cold;
//! the category describing the final state wins (Oscillating Cold).

use crate::density::count::{self, By, CountParams};
use crate::density::kde::Weights;
use crate::error::{Error, Result};
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::model::month::{Month, MonthRange};
use crate::model::params::disclosure::Support;
pub use crate::model::params::emerging::{EmergingParams, EmergingUsed};
use crate::stats::mannkendall::{self, MannKendall};
use crate::stats::pvalue;
use rayon::prelude::*;

mod pattern;
pub use pattern::{classify, Pattern};

/// Per-cell results of an emerging hot spot run. Cells outside the study area hold NaN,
/// 0 counts and `NoPattern`.
#[derive(Clone, Debug)]
pub struct EmergingResult {
    /// Space-time G* z-score, `[month][cell]`, over the analysed months.
    pub gistar: Vec<Vec<f64>>,
    /// Two-sided normal p-value, `[month][cell]`.
    pub pvalue: Vec<Vec<f64>>,
    /// +1 significant hot, −1 significant cold, 0 not, `[month][cell]`.
    pub bins: Vec<Vec<i8>>,
    /// Mann-Kendall Z of each cell's z series.
    pub trend_z: Vec<f64>,
    /// Its two-sided p-value.
    pub trend_pvalue: Vec<f64>,
    /// Mann-Kendall S.
    pub trend_s: Vec<f64>,
    /// Significant hot bins per cell.
    pub hot_months: Vec<u32>,
    /// Significant cold bins per cell.
    pub cold_months: Vec<u32>,
    /// Category per cell.
    pub pattern: Vec<Pattern>,
    /// Cells per category, in [`Pattern::ALL`] order (study area only).
    pub summary: Vec<(Pattern, usize)>,
    /// What was used.
    pub used: EmergingUsed,
}

/// Emerging hot spot analysis of incidents on a grid: per-month harm (or counts) per cell
/// from [`crate::density::count::aggregate`], then [`compute_cube`].
///
/// Parameters: incidents with months (working-CRS metres), the grid, [`EmergingParams`].
///
/// Returns: [`EmergingResult`]; the cube runs from the first to the last month with an
/// incident, empty months included.
///
/// Errors: incidents without months; fewer than K + 3 months; see [`compute_cube`].
///
/// ```
/// use harmspot::{emerging::{compute, EmergingParams}, grid::{Grid, Shape}, Incidents, Month};
/// // 5 x 5 cells of 100 m, 6 months; one cell gets busier every month
/// let m0 = Month::parse("2021-01").unwrap();
/// let mut inc = Incidents { types: vec!["Burglary".into()], ..Default::default() };
/// for t in 0..6 {
///     for k in 0..(1 + 3 * t) {
///         inc.xy.push([250.0, 250.0]);
///         inc.month.push(m0.add(t as i32));
///         inc.kind.push(0);
///         inc.harm.push(1.0);
///     }
///     inc.xy.push([50.0 + 100.0 * t as f64, 50.0]); // background
///     inc.month.push(m0.add(t as i32));
///     inc.kind.push(0);
///     inc.harm.push(1.0);
/// }
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap();
/// let r = compute(&inc, &grid, &EmergingParams::default()).unwrap();
/// let centre = grid.spec.locate([250.0, 250.0]).unwrap();
/// assert_eq!(r.used.months.len(), 5); // the first month is the lead-in of K = 1
/// assert_eq!(r.trend_s[centre], 10.0); // z rises every month: S = 5·4/2
/// ```
pub fn compute(
    incidents: &Incidents,
    grid: &Grid,
    params: &EmergingParams,
) -> Result<EmergingResult> {
    if incidents.is_empty() {
        return Err(Error::NoData(
            "no incidents for an emerging hot spot analysis".into(),
        ));
    }
    if incidents.month.contains(&Month::UNKNOWN) {
        return Err(Error::NoData(
            "emerging hot spots need the month of every incident: the input has incidents without a month (give ‹month_col›)".into(),
        ));
    }
    let range = incidents
        .month_range()
        .ok_or_else(|| Error::NoData("no months in the input".into()))?;
    let layer = count::aggregate(incidents, grid, &CountParams::default().by(By::Month))?;
    let prefix = match params.weights {
        Weights::Harm => "harm",
        Weights::Unweighted => "n",
    };
    let months: Vec<Month> = range.iter().collect();
    let cube: Vec<Vec<f64>> = months
        .iter()
        .map(|m| {
            let name = format!("{prefix}_{}", count::slug(&m.to_string()));
            layer
                .get(&name)
                .map(|v| v.to_vec())
                .ok_or_else(|| Error::Mismatch(format!("count layer has no column {name}")))
        })
        .collect::<Result<_>>()?;
    compute_cube(&cube, &months, grid, params)
}

/// Emerging hot spot analysis of a cube of values.
///
/// Parameters: `cube[t][cell]`, the variable per month (consecutive months `months[t]`) and
/// per cell of `grid.spec` (row-major); the grid and its study area; [`EmergingParams`].
///
/// Returns: [`EmergingResult`] over months K+1 … T.
///
/// Algorithm: see the module documentation. Spatial local sums per month over a fixed,
/// sorted neighbour-offset list, then sums over the K + 1 months of the window; parallel
/// over months and over cells, collected in order, so the result is identical at any
/// thread count.
///
/// Errors: `--neighbour-distance` not a length ≥ the cell size; `--alpha`/`--trend-alpha`
/// outside (0, 1); fewer than K + 3 months; fewer than 2 study-area cells; no variance
/// (every bin equal); a value that is not finite.
pub fn compute_cube(
    cube: &[Vec<f64>],
    months: &[Month],
    grid: &Grid,
    params: &EmergingParams,
) -> Result<EmergingResult> {
    let (k, d, auto) = check(cube, months, grid, params)?;
    let spec = &grid.spec;
    let cells = spec.len();
    let t_all = months.len();
    let area: Vec<usize> = (0..cells).filter(|&i| grid.in_area[i]).collect();
    let n = area.len() * t_all;
    let (mean, sd, empty_months) = moments(cube, months, &area)?;
    let (gistar, pvals) = space_time_z(cube, grid, d, k, [mean, sd], n);
    let bins = significant_bins(&gistar, &pvals, grid, &area, params);
    let per_cell = trends(&gistar, &bins, grid, params.trend_alpha);
    let mut summary: Vec<(Pattern, usize)> = Pattern::ALL.iter().map(|&p| (p, 0)).collect();
    for &i in &area {
        let c = per_cell[i].3;
        summary[Pattern::ALL.iter().position(|&p| p == c).expect("listed")].1 += 1;
    }
    let significance = significance(params);
    let used = EmergingUsed {
        neighbour_distance: d,
        neighbour_distance_auto: auto,
        time_window: params.time_window,
        cube_months: months.to_vec(),
        months: months[k..].to_vec(),
        alpha: params.alpha,
        trend_alpha: params.trend_alpha,
        fdr: params.fdr,
        significance,
        population: n,
        mean,
        sd,
        variable: match params.weights {
            Weights::Harm => "harm".into(),
            Weights::Unweighted => "n".into(),
        },
        study_area: grid.area_note.clone(),
        empty_months,
    };
    Ok(EmergingResult {
        gistar,
        pvalue: pvals,
        bins,
        trend_z: per_cell.iter().map(|c| c.0.z).collect(),
        trend_pvalue: per_cell.iter().map(|c| c.0.pvalue).collect(),
        trend_s: per_cell
            .iter()
            .map(|c| {
                if c.0.z.is_nan() {
                    f64::NAN
                } else {
                    c.0.s as f64
                }
            })
            .collect(),
        hot_months: per_cell.iter().map(|c| c.1).collect(),
        cold_months: per_cell.iter().map(|c| c.2).collect(),
        pattern: per_cell.iter().map(|c| c.3).collect(),
        summary,
        used,
    })
}

/// Checks the cube's shape and the parameters; returns K, the neighbour distance and
/// whether it was chosen automatically.
fn check(
    cube: &[Vec<f64>],
    months: &[Month],
    grid: &Grid,
    params: &EmergingParams,
) -> Result<(usize, f64, bool)> {
    let spec = &grid.spec;
    let cells = spec.len();
    if cube.len() != months.len() || cube.iter().any(|m| m.len() != cells) {
        return Err(Error::Mismatch(format!(
            "emerging: the cube must have one value per cell ({cells}) for each of the {} months",
            months.len()
        )));
    }
    for (flag, a) in [
        (crate::Param::Alpha, params.alpha),
        (crate::Param::TrendAlpha, params.trend_alpha),
    ] {
        if !(a > 0.0 && a < 1.0) {
            return Err(Error::param(
                flag,
                format!("must be a probability between 0 and 1, got {a}"),
            ));
        }
    }
    let k = params.time_window as usize;
    let t_all = months.len();
    if t_all < k + 3 {
        return Err(Error::Degenerate(format!(
            "emerging hot spots need at least {} months with ‹time_window› {k} (the first {k} only serve as neighbours of later months, and a trend needs at least 3), found {t_all}",
            k + 3
        )));
    }
    let auto = params.neighbour_distance.is_none();
    let d = params
        .neighbour_distance
        .unwrap_or(std::f64::consts::SQRT_2 * spec.cell_size);
    if !(d.is_finite() && d >= spec.cell_size * (1.0 - 1e-9)) {
        return Err(Error::param(
            crate::Param::NeighbourDistance,
            format!(
                "must be a length in metres of at least the cell size ({} m), got {d}",
                spec.cell_size
            ),
        ));
    }

    Ok((k, d, auto))
}

/// Population moments over every study-area bin of the cube: mean, standard deviation,
/// and the months with nothing in the study area.
fn moments(cube: &[Vec<f64>], months: &[Month], area: &[usize]) -> Result<(f64, f64, Vec<Month>)> {
    let n = area.len() * cube.len();
    if area.len() < 2 {
        return Err(Error::Degenerate(format!(
            "emerging hot spots need at least 2 cells in the study area, found {}",
            area.len()
        )));
    }
    let mut sum = 0.0;
    for (t, month) in cube.iter().enumerate() {
        for &i in area {
            let v = month[i];
            if !v.is_finite() {
                return Err(Error::Mismatch(format!(
                    "emerging: cell {i} of month {} has no finite value ({v})",
                    months[t]
                )));
            }
            sum += v;
        }
    }
    let empty_months: Vec<Month> = cube
        .iter()
        .zip(months)
        .filter(|(values, _)| area.iter().all(|&i| values[i] == 0.0))
        .map(|(_, &m)| m)
        .collect();
    let mean = sum / n as f64;
    let mut ss = 0.0;
    for month in cube {
        for &i in area {
            ss += (month[i] - mean) * (month[i] - mean);
        }
    }
    let sd = (ss / n as f64).sqrt();
    if sd == 0.0 {
        return Err(Error::Degenerate(format!(
            "no variance: every bin (cell x month) has the same value ({mean}) in the {n} bins of the cube, so Gi* is undefined; check the filters (‹types›, ‹from›, ‹to›) or use a larger study area"
        )));
    }

    Ok((mean, sd, empty_months))
}

/// Space-time Gi* per analysed bin (months K.. of the cube): z and two-sided p, NaN outside
/// the study area. `moments` are the population mean and standard deviation over `n` bins.
fn space_time_z(
    cube: &[Vec<f64>],
    grid: &Grid,
    d: f64,
    k: usize,
    moments: [f64; 2],
    n: usize,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let spec = &grid.spec;
    let cells = spec.len();
    let t_all = cube.len();
    let [mean, sd] = moments;
    // spatial neighbour counts and per-month local sums
    let offs = [
        spec.neighbour_offsets(d, false),
        spec.neighbour_offsets(d, true),
    ];
    let ks: Vec<u32> = (0..cells)
        .into_par_iter()
        .map(|i| {
            if !grid.in_area[i] {
                return 0;
            }
            offs[spec.odd_column(i) as usize]
                .iter()
                .filter_map(|&(dc, dr)| spec.offset(i, dc, dr))
                .filter(|&j| grid.in_area[j])
                .count() as u32
        })
        .collect();
    let local: Vec<Vec<f64>> = cube
        .par_iter()
        .map(|values| {
            (0..cells)
                .map(|i| {
                    if !grid.in_area[i] {
                        return 0.0;
                    }
                    let mut s = 0.0;
                    for &(dc, dr) in &offs[spec.odd_column(i) as usize] {
                        if let Some(j) = spec.offset(i, dc, dr) {
                            if grid.in_area[j] {
                                s += values[j];
                            }
                        }
                    }
                    s
                })
                .collect()
        })
        .collect();

    // z and p per analysed bin
    let window = (k + 1) as f64;
    let nf = n as f64;
    let analysed: Vec<usize> = (k..t_all).collect();
    let zp: Vec<(Vec<f64>, Vec<f64>)> = analysed
        .par_iter()
        .map(|&t| {
            let mut z = vec![f64::NAN; cells];
            let mut p = vec![f64::NAN; cells];
            for i in 0..cells {
                if !grid.in_area[i] {
                    continue;
                }
                let mut l = 0.0;
                for month in &local[t - k..=t] {
                    l += month[i];
                }
                let w = window * ks[i] as f64;
                let den2 = (nf * w - w * w) / (nf - 1.0);
                let zi = if den2 <= 0.0 {
                    0.0
                } else {
                    (l - mean * w) / (sd * den2.sqrt())
                };
                z[i] = zi;
                p[i] = pvalue::two_sided(zi);
            }
            (z, p)
        })
        .collect();
    let (gistar, pvals): (Vec<Vec<f64>>, Vec<Vec<f64>>) = zp.into_iter().unzip();

    (gistar, pvals)
}

/// Each analysed bin as significant hot (+1), cold (−1) or neither (0).
fn significant_bins(
    gistar: &[Vec<f64>],
    pvals: &[Vec<f64>],
    grid: &Grid,
    area: &[usize],
    params: &EmergingParams,
) -> Vec<Vec<i8>> {
    let cells = grid.spec.len();
    // significant bins
    gistar
        .par_iter()
        .zip(pvals)
        .map(|(z, p)| {
            let crit = if params.fdr {
                let in_area: Vec<f64> = area.iter().map(|&i| p[i]).collect();
                pvalue::bh_critical(&in_area, params.alpha)
            } else {
                None
            };
            (0..cells)
                .map(|i| {
                    if !grid.in_area[i] {
                        return 0;
                    }
                    let sig = if params.fdr {
                        crit.is_some_and(|c| p[i] <= c)
                    } else {
                        p[i] < params.alpha
                    };
                    match (sig, z[i]) {
                        (true, zi) if zi > 0.0 => 1,
                        (true, zi) if zi < 0.0 => -1,
                        _ => 0,
                    }
                })
                .collect()
        })
        .collect()
}

/// Per cell: the Mann-Kendall trend of its z series, its hot and cold months, its pattern.
fn trends(
    gistar: &[Vec<f64>],
    bins: &[Vec<i8>],
    grid: &Grid,
    trend_alpha: f64,
) -> Vec<(MannKendall, u32, u32, Pattern)> {
    let cells = grid.spec.len();
    // trend and category per cell
    (0..cells)
        .into_par_iter()
        .map(|i| {
            if !grid.in_area[i] {
                let nan = MannKendall {
                    n: 0,
                    s: 0,
                    var_s: f64::NAN,
                    z: f64::NAN,
                    pvalue: f64::NAN,
                    tau: f64::NAN,
                };
                return (nan, 0, 0, Pattern::NoPattern);
            }
            let series: Vec<f64> = gistar.iter().map(|z| z[i]).collect();
            let b: Vec<i8> = bins.iter().map(|b| b[i]).collect();
            let mk = mannkendall::test_finite(&series);
            let hot = b.iter().filter(|&&x| x > 0).count() as u32;
            let cold = b.iter().filter(|&&x| x < 0).count() as u32;
            (mk, hot, cold, classify(&b, &mk, trend_alpha))
        })
        .collect()
}

/// How a significant bin is defined, in words.
fn significance(params: &EmergingParams) -> String {
    if params.fdr {
        format!(
            "a bin is significant when its two-sided normal p-value is at or below the Benjamini-Hochberg critical p-value at alpha = {} among the study-area cells of its month; hot when z > 0, cold when z < 0",
            params.alpha
        )
    } else {
        format!(
            "a bin is significant when its two-sided normal p-value is below alpha = {} (no FDR correction); hot when z > 0, cold when z < 0",
            params.alpha
        )
    }
}

impl EmergingResult {
    /// The support of a value built from cube months `from..=to` (indices): the incidents
    /// of those months in the cell's Gi* neighbourhood.
    fn window(&self, from: usize, to: usize) -> Support {
        let cube = &self.used.cube_months;
        Support::Neighbourhood {
            distance: self.used.neighbour_distance,
            months: Some(MonthRange {
                from: cube[from],
                to: cube[to],
            }),
        }
    }

    /// The result as a layer over `grid`: columns `pattern` (the code, see
    /// [`Pattern::code`]), `trend_z`, `trend_pvalue`, `trend_s`, `hot_months`,
    /// `cold_months`, `gistar_last`, `pvalue_last`, and with `per_month` also
    /// `gistar_<yyyy_mm>` and `bin_<yyyy_mm>` (+1/−1/0) for every analysed month. The
    /// parameters record the run ([`EmergingUsed`]), the pattern legend (code → ArcGIS
    /// label) and the cells per pattern.
    pub fn to_layer(&self, grid: &Grid, per_month: bool) -> Layer {
        let mut layer = Layer::new(grid.clone());
        let mask = |i: usize, v: f64| if grid.in_area[i] { v } else { f64::NAN };
        // supports: the incidents of the Gi* neighbourhood over the months each value saw —
        // all cube months for the trend and pattern, the time window of a month for its Gi*
        let all = self.window(0, self.used.cube_months.len() - 1);
        layer.set(
            "pattern",
            self.pattern
                .iter()
                .enumerate()
                .map(|(i, p)| mask(i, p.code() as f64))
                .collect(),
            all.clone(),
        );
        layer.set("trend_z", self.trend_z.clone(), all.clone());
        layer.set("trend_pvalue", self.trend_pvalue.clone(), all.clone());
        layer.set("trend_s", self.trend_s.clone(), all.clone());
        layer.set(
            "hot_months",
            self.hot_months
                .iter()
                .enumerate()
                .map(|(i, &h)| mask(i, h as f64))
                .collect(),
            all.clone(),
        );
        layer.set(
            "cold_months",
            self.cold_months
                .iter()
                .enumerate()
                .map(|(i, &c)| mask(i, c as f64))
                .collect(),
            all,
        );
        let last = self.gistar.len() - 1;
        let k = self.used.time_window as usize;
        layer.set(
            "gistar_last",
            self.gistar[last].clone(),
            self.window(last, last + k),
        );
        layer.set(
            "pvalue_last",
            self.pvalue[last].clone(),
            self.window(last, last + k),
        );
        if per_month {
            for (t, m) in self.used.months.iter().enumerate() {
                layer.set(
                    &format!("gistar_{}", count::slug(&m.to_string())),
                    self.gistar[t].clone(),
                    self.window(t, t + k),
                );
            }
            for (t, m) in self.used.months.iter().enumerate() {
                layer.set(
                    &format!("bin_{}", count::slug(&m.to_string())),
                    self.bins[t]
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| mask(i, b as f64))
                        .collect(),
                    self.window(t, t + k),
                );
            }
        }
        layer.used =
            crate::model::used::Used::Emerging(Box::new(crate::model::used::EmergingLayerUsed {
                used: self.used.clone(),
                cells_per_pattern: self.summary.clone(),
                published: None,
            }));
        layer
    }
}

#[cfg(test)]
mod tests;
