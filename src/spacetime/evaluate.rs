//! How well hotspots from one period predict crime in the next (METHODS §7).
//!
//! Hotspots are chosen from a **training** period — the top x% of study-area cells by a
//! surface (kernel density, incidents or harm per cell), or the Gi* hot cells
//! ([`crate::hotspots::area::select_cells`]) — and scored on the incidents of a **test** period
//! counted on the same snapped grid. With N test incidents in the study area, n of them in
//! the hotspot cells, a the hotspots' area and A the study area's:
//!
//! * **hit rate** `n/N`;
//! * **PAI**, Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): `(n/N)/(a/A)`;
//! * **PEI**, Predictive Efficiency Index (Hunt 2016): PAI / PAI*, where PAI* is the best
//!   PAI any set of the same number of cells could reach in the test period (the cells with
//!   the most test incidents): `PEI = n/n*`, n* the test incidents in those cells;
//! * **RRI**, Levine's (2008) Recapture Rate Index: `(n₂/n₁)/(N₂/N₁)`, the hotspots'
//!   incidents in the test period over the training period, relative to the change in the
//!   whole study area (1 = the hotspots kept their share). Other "RRI" definitions exist;
//!   this is the one reported.
//!
//! The same scores are given for harm (harm in place of incidents). The **curve** gives the
//! hit rate and PAI for every area share along the training ranking (cells from the highest
//! training value down; ties by cell id); PAI at a share q is what the top q of cells would
//! score. **Concentration** of the test period — Lorenz curve, Gini, generalised Gini
//! (Bernasco & Steenbeek 2017) — comes from [`crate::stats::concentration`]. All cells of the study
//! area have the same area, so a/A is a share of cells.

use crate::density::count::{self, CountParams};
use crate::density::kde::{self, Values, Weights};
use crate::error::{Error, Result};
use crate::hotspots::area::{self, CellValues, Select};
use crate::model::grid::Grid;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::model::month::MonthRange;
use crate::model::params::disclosure::Support;
pub use crate::model::params::evaluate::{
    CurvePoint, EvaluateParams, EvaluateUsed, Hotspots, HowUsed, ScoreSupports, Scores, Surface,
};
use crate::stats::concentration::{self, Concentration};
use crate::stats::gistar::{self};

/// The evaluation.
#[derive(Clone, Debug)]
pub struct EvaluateResult {
    /// Scores of the chosen hotspots.
    pub scores: Scores,
    /// Hit rate and PAI along the whole training ranking (at most 1000 points: every cell
    /// for up to 1000 cells, else every 0.1% of the study area).
    pub curve: Vec<CurvePoint>,
    /// Concentration of test incidents over the study-area cells.
    pub concentration: Concentration,
    /// Concentration of test harm (generalised Gini with N = test incidents); `None` when
    /// the test harm is 0.
    pub concentration_harm: Option<Concentration>,
    /// Per cell: `score` (the training value that ranks it), `rank` (1 = highest, study
    /// area only), `hotspot` (1/0), `n_train`, `harm_train`, `n_test`, `harm_test`.
    pub layer: Layer,
}

/// `num/den`, `None` when `den` is not positive.
fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

/// Scores training hotspots on a test period (see the module documentation).
///
/// Reference: Chainey, Tompson & Uhlig (2008) for PAI; Hunt (2016) for PEI; Levine (2008)
/// for the RRI; METHODS §7.
///
/// Parameters: incidents with months (working-CRS metres); the grid (built over both
/// periods, so the cells are shared); [`EvaluateParams`].
///
/// Returns: [`EvaluateResult`].
///
/// Errors: overlapping periods (`--test`); a period without incidents in the study area
/// (`--train`/`--test`); no hotspot cell selected; KDE and Gi* errors.
///
/// Examples: four cells; the training period picks the top 25% (one cell), which holds 6
/// of the 10 test incidents; the best cell holds 6 too:
///
/// ```
/// use harmspot::{evaluate::{compute, EvaluateParams, Hotspots, Surface}, kde::Weights};
/// use harmspot::{grid::{Grid, Shape}, Incidents, Month, MonthRange};
/// let (tr, te) = (Month::parse("2021-01").unwrap(), Month::parse("2021-02").unwrap());
/// let mut inc = Incidents { types: vec!["Burglary".into()], ..Default::default() };
/// let mut add = |x: f64, m: Month, k: usize| for _ in 0..k {
///     inc.xy.push([x, 50.0]); inc.month.push(m); inc.kind.push(0); inc.harm.push(1.0);
/// };
/// add(50.0, tr, 5); add(150.0, tr, 1);                   // training
/// add(50.0, te, 6); add(150.0, te, 3); add(250.0, te, 1); // test
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 399.0, 99.0]).unwrap();
/// let p = EvaluateParams::new(MonthRange::new(tr, tr).unwrap(), MonthRange::new(te, te).unwrap())
///     .hotspots(Hotspots::Top { percent: 25.0, surface: Surface::Cells(Weights::Unweighted) });
/// let s = compute(&inc, &grid, &p).unwrap().scores;
/// assert_eq!(s.hit_rate, 0.6);           // 6/10
/// assert_eq!(s.pai, 2.4);                // 0.6 / (1/4)
/// assert_eq!(s.pei, Some(1.0));          // the best single cell also holds 6
/// assert_eq!(s.rri, Some(6.0 / 5.0 / (10.0 / 6.0))); // (6/5)/(10/6) = 0.72
/// ```
pub fn compute(
    incidents: &Incidents,
    grid: &Grid,
    params: &EvaluateParams,
) -> Result<EvaluateResult> {
    let (train, test) = (params.train, params.test);
    if train.contains(test.from) || train.contains(test.to) || test.contains(train.from) {
        return Err(Error::param(
            crate::Param::Test,
            format!("the test period ({test}) must not overlap the training period ({train})"),
        ));
    }
    let (sub_tr, sub_te) = incidents.periods(
        "evaluate",
        (crate::Param::Train, train),
        (crate::Param::Test, test),
    )?;
    let tr = PeriodCells::count(&sub_tr, grid)?;
    let te = PeriodCells::count(&sub_te, grid)?;
    let area: Vec<usize> = (0..grid.spec.len()).filter(|&i| grid.in_area[i]).collect();

    // training surface and hotspot selection
    let (score, selected, how) = select(&params.hotspots, &sub_tr, grid, &tr.n, &tr.harm)?;
    if selected.is_empty() {
        return Err(no_hotspot(&params.hotspots, train));
    }
    let scores = score_hotspots(grid, &area, &selected, &tr, &te, test)?;
    let big_h = area_sum(&te.harm, &area);
    let (rank, curve) = rank_and_curve(&score, &area, &te, scores.test_incidents, big_h);

    // concentration of the test period
    let te_area: Vec<f64> = area.iter().map(|&i| te.n[i]).collect();
    let concentration = concentration::summarise(&te_area)?;
    let concentration_harm = if big_h > 0.0 {
        let v: Vec<f64> = area.iter().map(|&i| te.harm[i]).collect();
        Some(concentration::summarise(&v)?.with_incidents(scores.test_incidents))
    } else {
        None
    };

    let supports = score_supports(&scores, &area, &te.n, &te.harm, &rank);
    let support = score_support(&how, train, grid);
    let mut layer = cells_layer(grid, &score, rank, &selected, [tr, te], support);
    layer.used = crate::model::used::Used::Evaluate(Box::new(EvaluateUsed {
        train,
        test,
        how,
        scores: scores.clone(),
        supports,
    }));
    Ok(EvaluateResult {
        scores,
        curve,
        concentration,
        concentration_harm,
        layer,
    })
}

/// One period's incidents and harm per cell.
struct PeriodCells {
    n: Vec<f64>,
    harm: Vec<f64>,
}

impl PeriodCells {
    /// Counts the incidents `sub` of one period on `grid`.
    fn count(sub: &Incidents, grid: &Grid) -> Result<Self> {
        let l = count::aggregate(sub, grid, &CountParams::default())?;
        let col = |c: &str| l.get(c).expect("count gives n and harm").to_vec();
        Ok(PeriodCells {
            n: col("n"),
            harm: col("harm"),
        })
    }
}

/// The sum of `v` over the cells `ids`, in their order.
fn area_sum(v: &[f64], ids: &[usize]) -> f64 {
    ids.iter().map(|&i| v[i]).sum::<f64>()
}

/// The error when the training period selects no hotspot cell.
fn no_hotspot(hotspots: &Hotspots, train: MonthRange) -> Error {
    Error::Degenerate(match hotspots {
        Hotspots::Hot { min_class, .. } => format!(
            "no Gi* hot spot of class {min_class} or more in the training period ({train}): nothing to evaluate; try a lower ‹hot›, or ‹top›"
        ),
        Hotspots::Top { .. } => format!(
            "no cell of the study area has a positive training value in {train}: nothing to evaluate"
        ),
    })
}

/// The scores of the `selected` hotspot cells among the study-area cells `area`: hit rate,
/// PAI, PAI*, PEI, RRI and their harm versions, from the training `tr` and test `te`
/// counts. Errors when no test incident (of period `test`) falls in the study area.
fn score_hotspots(
    grid: &Grid,
    area: &[usize],
    selected: &[usize],
    tr: &PeriodCells,
    te: &PeriodCells,
    test: MonthRange,
) -> Result<Scores> {
    let big_n = area_sum(&te.n, area);
    let big_h = area_sum(&te.harm, area);
    let big_n1 = area_sum(&tr.n, area);
    let big_h1 = area_sum(&tr.harm, area);
    if big_n <= 0.0 {
        return Err(Error::param(
            crate::Param::Test,
            format!("no test incidents ({test}) fall in the study area"),
        ));
    }
    let k = selected.len();
    let a_share = k as f64 / area.len() as f64;
    let n = area_sum(&te.n, selected);
    let h = area_sum(&te.harm, selected);
    let n1 = area_sum(&tr.n, selected);
    let h1 = area_sum(&tr.harm, selected);
    let best = |v: &[f64]| -> f64 {
        let mut s: Vec<f64> = area.iter().map(|&i| v[i]).collect();
        s.sort_by(|a, b| b.total_cmp(a));
        s[..k].iter().sum()
    };
    let (n_star, h_star) = (best(&te.n), best(&te.harm));
    let hit = n / big_n;
    let harm_hit = ratio(h, big_h);
    Ok(Scores {
        hotspot_cells: k,
        study_area_cells: area.len(),
        area_share: a_share,
        hotspot_km2: k as f64 * grid.spec.cell_area() / 1e6,
        test_incidents: big_n,
        test_incidents_in_hotspots: n,
        train_incidents: big_n1,
        train_incidents_in_hotspots: n1,
        hit_rate: hit,
        pai: hit / a_share,
        pai_max: n_star / big_n / a_share,
        pei: ratio(n, n_star),
        rri: ratio(n, n1).and_then(|r| ratio(big_n, big_n1).map(|g| r / g)),
        harm_hit_rate: harm_hit,
        harm_pai: harm_hit.map(|x| x / a_share),
        harm_pei: ratio(h, h_star),
        harm_rri: ratio(h, h1).and_then(|r| ratio(big_h, big_h1).map(|g| r / g)),
    })
}

/// Ranks the study-area cells `area` by training `score` (ties by cell index) and walks
/// down the ranking: each cell's rank (NaN outside the study area) and the PAI curve of the
/// test counts `te` (every cell up to 1000 cells, else every 0.1% of the area), with
/// `big_n`, `big_h` the study area's test incidents and harm.
fn rank_and_curve(
    score: &[f64],
    area: &[usize],
    te: &PeriodCells,
    big_n: f64,
    big_h: f64,
) -> (Vec<f64>, Vec<CurvePoint>) {
    let mut order = area.to_vec();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]).then(a.cmp(&b)));
    let m = order.len();
    let marks: Vec<usize> = if m <= 1000 {
        (1..=m).collect()
    } else {
        let mut v: Vec<usize> = (1..=1000).map(|q| (q * m).div_ceil(1000)).collect();
        v.dedup();
        v
    };
    let mut curve = Vec::with_capacity(marks.len());
    let (mut cn, mut ch) = (0.0, 0.0);
    let mut next = 0;
    let mut rank = vec![f64::NAN; te.n.len()];
    for (r, &i) in order.iter().enumerate() {
        cn += te.n[i];
        ch += te.harm[i];
        rank[i] = (r + 1) as f64;
        if next < marks.len() && marks[next] == r + 1 {
            let share = (r + 1) as f64 / m as f64;
            curve.push(CurvePoint {
                cells: r + 1,
                area_share: share,
                hit_rate: cn / big_n,
                pai: cn / big_n / share,
                harm_hit_rate: ratio(ch, big_h).unwrap_or(0.0),
            });
            next += 1;
        }
    }
    (rank, curve)
}

/// The per-cell layer: `score` (NaN outside the study area), `rank`, `hotspot` (1 for the
/// `selected` cells), all three of the score's `support`, then the training and test counts.
fn cells_layer(
    grid: &Grid,
    score: &[f64],
    rank: Vec<f64>,
    selected: &[usize],
    [tr, te]: [PeriodCells; 2],
    support: Support,
) -> Layer {
    let cells = grid.spec.len();
    let mut hot = vec![0.0; cells];
    for &i in selected {
        hot[i] = 1.0;
    }
    let mut layer = Layer::new(grid.clone());
    layer.set(
        "score",
        (0..cells)
            .map(|i| if grid.in_area[i] { score[i] } else { f64::NAN })
            .collect(),
        support.clone(),
    );
    layer.set("rank", rank, support.clone());
    layer.set("hotspot", hot, support);
    layer.set("n_train", tr.n, Support::Count);
    layer.set("harm_train", tr.harm, Support::count_in("n_train"));
    layer.set("n_test", te.n, Support::Count);
    layer.set("harm_test", te.harm, Support::count_in("n_test"));
    layer
}

/// The test incidents behind the scores (METHODS §7), for disclosure control: in the best
/// study-area cells by test count and by test harm, as many as the hotspot cells (PAI*),
/// and in the top `c` cells of the training ranking for every `c` (the PAI curve).
fn score_supports(
    s: &Scores,
    area: &[usize],
    n_te: &[f64],
    h_te: &[f64],
    rank: &[f64],
) -> ScoreSupports {
    let best = |by: &[f64]| -> f64 {
        let mut ids = area.to_vec();
        ids.sort_by(|&x, &y| by[y].total_cmp(&by[x]));
        ids[..s.hotspot_cells.min(ids.len())]
            .iter()
            .map(|&i| n_te[i])
            .sum()
    };
    let mut cumulative = vec![0.0; area.len() + 1];
    for &i in area {
        let k = rank[i];
        if k.is_finite() && k >= 1.0 && (k as usize) < cumulative.len() {
            cumulative[k as usize] += n_te[i];
        }
    }
    for k in 1..cumulative.len() {
        cumulative[k] += cumulative[k - 1];
    }
    ScoreSupports {
        best_test: best(n_te),
        best_test_by_harm: best(h_te),
        cumulative_test: cumulative,
    }
}

/// The support of a cell's score (and so of its rank and hotspot flag): the training
/// incidents it was built from — within the kernel's support radius for a density ranking,
/// in the Gi* neighbourhood for hot spots, in the cell for a count ranking.
fn score_support(how: &HowUsed, train: MonthRange, grid: &Grid) -> Support {
    match how {
        HowUsed::Hot {
            neighbour_distance, ..
        } => Support::Neighbourhood {
            distance: neighbour_distance.unwrap_or(std::f64::consts::SQRT_2 * grid.spec.cell_size),
            months: Some(train),
        },
        HowUsed::TopKde {
            kernel, bandwidth, ..
        } => Support::Within {
            radius: bandwidth * kernel.support(),
            months: Some(train),
        },
        HowUsed::TopCells { .. } => Support::count_in("n_train"),
    }
}

/// The training surface that ranks cells, the hotspot cells it selects, and how they were
/// selected.
fn select(
    hotspots: &Hotspots,
    sub_tr: &Incidents,
    grid: &Grid,
    n_tr: &[f64],
    h_tr: &[f64],
) -> Result<(Vec<f64>, Vec<usize>, HowUsed)> {
    Ok(match hotspots {
        Hotspots::Top { percent, surface } => {
            let (score, how) = match surface {
                Surface::Kde(kp) => {
                    let kp = kp.clone().values(Values::Density);
                    let l = kde::estimate(sub_tr, grid, &kp)?;
                    let k = l.kde_used().expect("kde records what it used");
                    let how = HowUsed::TopKde {
                        percent: *percent,
                        kernel: kp.kernel,
                        bandwidth: k.bandwidth,
                        bandwidth_source: k.source.clone(),
                    };
                    (l.get("density").expect("kde gives density").to_vec(), how)
                }
                Surface::Cells(w) => {
                    let v = match w {
                        Weights::Harm => h_tr.to_vec(),
                        Weights::Unweighted => n_tr.to_vec(),
                    };
                    let how = HowUsed::TopCells {
                        percent: *percent,
                        surface: *w,
                    };
                    (v, how)
                }
            };
            let cv = CellValues {
                n: n_tr,
                harm: h_tr,
                density: Some(&score),
                gistar: None,
                class: None,
            };
            let sel = area::select_cells(grid, Select::Top { percent: *percent }, &cv)?;
            (score, sel, how)
        }
        Hotspots::Hot {
            min_class,
            gistar: gp,
            value,
        } => {
            let v = match value {
                Weights::Harm => &h_tr,
                Weights::Unweighted => &n_tr,
            };
            let g = gistar::compute(v, grid, gp)?;
            let class: Vec<f64> = g.class.iter().map(|&c| c as f64).collect();
            let cv = CellValues {
                n: n_tr,
                harm: h_tr,
                density: None,
                gistar: Some(&g.gistar),
                class: Some(&class),
            };
            let sel = area::select_cells(
                grid,
                Select::Hot {
                    min_class: *min_class,
                },
                &cv,
            )?;
            (
                g.gistar.clone(),
                sel,
                HowUsed::Hot {
                    min_class: *min_class,
                    value: *value,
                    neighbour_distance: g.used.neighbour_distance,
                    fdr: g.used.fdr,
                },
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grid::Shape;
    use crate::model::month::Month;
    use crate::model::month::MonthRange;

    #[test]
    fn overlapping_and_empty_periods_are_refused() {
        let m = Month::parse("2021-01").unwrap();
        let inc = Incidents {
            xy: vec![[50.0, 50.0], [150.0, 50.0]],
            month: vec![m, m.add(1)],
            kind: vec![0; 2],
            harm: vec![1.0; 2],
            types: vec!["x".into()],
            ..Default::default()
        };
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 199.0, 99.0]).unwrap();
        let r = |a: i32, b: i32| MonthRange::new(m.add(a), m.add(b)).unwrap();
        let e = compute(&inc, &grid, &EvaluateParams::new(r(0, 1), r(1, 1))).unwrap_err();
        assert!(
            e.to_string().starts_with(&crate::Param::Test.to_string()),
            "{e}"
        );
        let e = compute(&inc, &grid, &EvaluateParams::new(r(0, 0), r(4, 4))).unwrap_err();
        assert!(e.to_string().starts_with("‹test›: no incidents"), "{e}");
    }
}
