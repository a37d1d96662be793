//! `harmspot evaluate`: hotspots from a training period scored on a test period (hit rate,
//! PAI, PEI, RRI, PAI curve, concentration; METHODS §7).

use super::args::{json_path, period};
use super::gistar::ValueArg;
use super::input::InputArgs;
use super::kde::{KdeOpts, WeightsArg};
use super::layer_out::{record_run, DisclosureArgs, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use harmspot::disclosure::{min_positive, protect_members};
use harmspot::disclosure::{neighbourhood_sums, Disclosure, Support};
use harmspot::evaluate::{
    compute, CurvePoint, EvaluateParams, EvaluateResult, Hotspots, HowUsed, Surface,
};
use harmspot::gistar::GistarParams;
use harmspot::kde::{raw_sums, Kernel, Weights};
use harmspot::write::{number::push_csv_float, write_atomic, write_json};
use harmspot::{Incidents, MonthRange};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;

/// The training surface that ranks cells for --top.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RankArg {
    /// Kernel density of the training incidents (--kernel, --bandwidth, --weights).
    Kde,
    /// Training incidents per cell.
    N,
    /// Training harm per cell.
    Harm,
}

/// Arguments of `harmspot evaluate`.
#[derive(Args, Debug)]
#[command(
    after_help = "Scores: hit rate n/N; PAI (Chainey et al. 2008) = (n/N)/(a/A); PEI \
(Hunt 2016) = PAI / the best PAI of as many cells in the test period; RRI = Levine's (2008) \
Recapture Rate Index (n_test/n_train)/(N_test/N_train). The same for harm. The report also \
holds the PAI curve along the whole training ranking and the test period's concentration \
(Lorenz curve, Gini, generalised Gini).\n\n\
--out writes the cells (columns score, rank, hotspot, n_train, harm_train, n_test, harm_test) \
through the usual writers; --report the scores as JSON; --curve the PAI curve as CSV.\n\n\
Disclosure control (--min-count K, --partner): n_train, n_test and their harm are suppressed \
when the cell has 1 to K-1 incidents in that period; score, rank and hotspot when the training \
values behind the score hold 1 to K-1 incidents (the cell's n_train for --rank-by n or harm, \
the training incidents within the kernel's support radius for kde, the study-area cells within \
the neighbour distance for --hot). The report's scores are aggregates over all hotspot cells: \
they are suppressed only when the hotspots hold 1 to K-1 test incidents in total (likewise \
each total and index by the smallest non-zero count it is built from, and the concentration \
when the study area holds 1 to K-1 test incidents); the PAI curve keeps only the points \
between which 0 or at least K test incidents are added.\n\n\
Example:\n  harmspot evaluate data/police-uk/ --train 2021-01..2021-06 --test 2021-07..2021-12 \
--cell-size 250 --top 5 --report evaluate.json --out evaluate.geojson"
)]
pub struct EvaluateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    /// Training period, YYYY-MM..YYYY-MM: the hotspots are made from it.
    #[arg(long, value_name = "FROM..TO", help_heading = "Periods")]
    pub train: String,
    /// Test period, YYYY-MM..YYYY-MM: the hotspots are scored on it (no overlap).
    #[arg(long, value_name = "FROM..TO", help_heading = "Periods")]
    pub test: String,
    /// Hotspots = the top PERCENT of study-area cells by --rank-by [default: 5].
    #[arg(
        long,
        value_name = "PERCENT",
        allow_negative_numbers = true,
        conflicts_with = "hot",
        help_heading = "Hotspots"
    )]
    pub top: Option<f64>,
    /// Hotspots = training Gi* hot cells of class CLASS or more (1, 2, 3: 90, 95, 99%).
    #[arg(
        long,
        value_name = "CLASS",
        allow_negative_numbers = true,
        help_heading = "Hotspots"
    )]
    pub hot: Option<i8>,
    /// Surface ranking the cells for --top (and for the PAI curve).
    #[arg(long, value_enum, default_value_t = RankArg::Kde, help_heading = "Hotspots")]
    pub rank_by: RankArg,
    /// Value Gi* tests for --hot: `n` or `harm`.
    #[arg(long, value_enum, default_value_t = ValueArg::Harm, help_heading = "Hotspots")]
    pub value: ValueArg,
    /// Gi* neighbour distance for --hot, metres [default: √2 × cell size].
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Hotspots"
    )]
    pub neighbour_distance: Option<f64>,
    /// Benjamini–Hochberg FDR correction of the Gi* classes for --hot.
    #[arg(long, help_heading = "Hotspots")]
    pub fdr: bool,
    #[command(flatten)]
    pub kde: KdeOpts,
    /// Cells output(s), format by extension (.geojson, .csv, .tif, .asc, .parquet).
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub out: Vec<PathBuf>,
    /// GeoJSON: also write study-area cells whose values are all zero.
    #[arg(long, help_heading = "Output")]
    pub all_cells: bool,
    /// Scores, PAI curve, concentration and the run's parameters as JSON.
    #[arg(long, value_name = "FILE.json", help_heading = "Output")]
    pub report: Option<PathBuf>,
    /// The PAI curve as CSV: cells,area_share,hit_rate,pai,harm_hit_rate.
    #[arg(long, value_name = "FILE.csv", help_heading = "Output")]
    pub curve: Option<PathBuf>,
    /// Replace companion files harmspot did not record writing for this output.
    #[arg(long, help_heading = "Output")]
    pub force: bool,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.decimals$}"))
}

pub fn run(a: EvaluateArgs, quiet: bool) -> Result<()> {
    a.grid.validate()?;
    let out = OutArgs {
        out: a.out.clone(),
        all_cells: a.all_cells,
        force: a.force,
        disclosure: a.disclosure.clone(),
    };
    let rules = a.disclosure.rules()?;
    out.check(a.grid.shape.into(), &a.input)?;
    let inputs = a.input.safety_inputs();
    for p in a.report.iter().chain(&a.curve) {
        harmspot::write::safe::check_output_file(p, &inputs)?;
    }
    if let Some(p) = &a.report {
        json_path("--report", p)?;
    }
    if let Some(p) = &a.curve {
        if p.extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
            != Some("csv")
        {
            bail!("--curve: `{}` must end in .csv", p.display());
        }
    }
    if a.out.is_empty() && a.report.is_none() && a.curve.is_none() {
        bail!("nothing to write: give --report FILE.json, --out FILE and/or --curve FILE.csv");
    }
    let train = period("--train", &a.train)?;
    let test = period("--test", &a.test)?;
    let kde = a.kde.params()?;
    let hotspots = match a.hot {
        Some(c) => {
            if !(1..=3).contains(&c) {
                bail!("--hot: class must be 1, 2 or 3 (90, 95, 99%), got {c}");
            }
            Hotspots::Hot {
                min_class: c,
                gistar: GistarParams {
                    neighbour_distance: a.neighbour_distance,
                    fdr: a.fdr,
                    ..GistarParams::default()
                },
                value: match a.value {
                    ValueArg::N => Weights::Unweighted,
                    ValueArg::Harm => Weights::Harm,
                },
            }
        }
        None => {
            let percent = a.top.unwrap_or(5.0);
            if !(percent > 0.0 && percent <= 100.0) {
                bail!("--top: must be a percentage in (0, 100], got {percent}");
            }
            Hotspots::Top {
                percent,
                surface: match a.rank_by {
                    RankArg::Kde => Surface::Kde(kde),
                    RankArg::N => Surface::Cells(WeightsArg::None.into()),
                    RankArg::Harm => Surface::Cells(WeightsArg::Harm.into()),
                },
            }
        }
    };
    let loaded = a.input.load_nonempty(quiet)?;
    let inc = &loaded.incidents;
    let xy: Vec<[f64; 2]> = (0..inc.len())
        .filter(|&i| train.contains(inc.month[i]) || test.contains(inc.month[i]))
        .map(|i| inc.xy[i])
        .collect();
    if xy.is_empty() {
        let have = inc.month_range().map_or("none".into(), |r| r.to_string());
        bail!("no incidents in {train} or {test} (the data cover {have})");
    }
    let built = a.grid.build(&xy, &loaded.projector, quiet)?;
    let params = EvaluateParams {
        train,
        test,
        hotspots,
    };
    let mut r = compute(inc, &built.grid, &params)?;
    let s = &r.scores;
    note(
        quiet,
        format!(
            "{} hotspot cells ({:.2}% of {} study-area cells, {:.3} km2) from {train}, scored on {test}:\n  hit rate {:.3}  PAI {:.2}  PEI {}  RRI {}  (harm: hit rate {}, PAI {}, PEI {})\n  test-period Gini {:.3}, generalised {:.3}",
            s.hotspot_cells,
            100.0 * s.area_share,
            s.study_area_cells,
            s.hotspot_km2,
            s.hit_rate,
            s.pai,
            opt(s.pei, 3),
            opt(s.rri, 3),
            opt(s.harm_hit_rate, 3),
            opt(s.harm_pai, 2),
            opt(s.harm_pei, 3),
            r.concentration.gini,
            r.concentration.gini_generalised,
        ),
    );
    record_run(&mut r.layer, &built, &loaded, &a.input)?;
    let mut scores = serde_json::to_value(&r.scores)?;
    let mut concentration = json!({"incidents": r.concentration, "harm": r.concentration_harm});
    if rules.active() {
        let support = score_support(&a, &r, inc, train, &built.grid)?;
        let (aggregates, dropped) =
            protect_aggregates(&mut r, &rules, &mut scores, &mut concentration);
        let supports = [
            ("score", Support::Vector(&support)),
            ("rank", Support::Vector(&support)),
            ("hotspot", Support::Vector(&support)),
        ];
        out.disclosure
            .protect(&mut r.layer, &inc.xy, 0.0, &supports, quiet)?;
        if let harmspot::used::Used::Evaluate(e) = &mut r.layer.used {
            e.published_scores = Some(scores.clone());
        }
        note(
            quiet,
            format!(
                "disclosure control: {aggregates} report value(s) built from 1 to {} incidents suppressed, {dropped} PAI curve point(s) left out",
                rules.min_count - 1
            ),
        );
    }
    if let Some(p) = &a.report {
        write_json(
            p,
            &json!({
                "scores": scores,
                "curve": r.curve,
                "concentration": concentration,
                "parameters": harmspot::publish::metadata(&r.layer),
            }),
        )?;
        note(quiet, format!("wrote the report to {}", p.display()));
    }
    if let Some(p) = &a.curve {
        write_atomic(p, |w| {
            w.write_all(b"cells,area_share,hit_rate,pai,harm_hit_rate\n")?;
            let mut line = String::new();
            for c in &r.curve {
                line.clear();
                line.push_str(&c.cells.to_string());
                for v in [c.area_share, c.hit_rate, c.pai, c.harm_hit_rate] {
                    line.push(',');
                    push_csv_float(&mut line, v);
                }
                line.push('\n');
                w.write_all(line.as_bytes())?;
            }
            Ok(())
        })?;
        note(
            quiet,
            format!("wrote {} curve points to {}", r.curve.len(), p.display()),
        );
    }
    if !a.out.is_empty() {
        out.write(&r.layer, &loaded.projector, false, quiet)?;
    }
    Ok(())
}

/// The support of each cell's training score (and so of its rank and hotspot flag): the
/// training incidents behind it.
fn score_support(
    a: &EvaluateArgs,
    r: &EvaluateResult,
    inc: &Incidents,
    train: MonthRange,
    grid: &harmspot::grid::Grid,
) -> Result<Vec<f64>> {
    let n_train = r.layer.get("n_train").expect("n_train column");
    let how = match &r.layer.used {
        harmspot::used::Used::Evaluate(e) => &e.how,
        _ => unreachable!("evaluate records what it used"),
    };
    Ok(match (a.hot, a.rank_by) {
        (Some(_), _) => {
            // Gi* of the training values: the study-area cells within the neighbour distance
            let d = match how {
                HowUsed::Hot {
                    neighbour_distance: Some(d),
                    ..
                } => *d,
                _ => std::f64::consts::SQRT_2 * grid.spec.cell_size,
            };
            let n: Vec<f64> = n_train
                .iter()
                .zip(&grid.in_area)
                .map(|(&v, &inside)| if inside { v } else { 0.0 })
                .collect();
            neighbourhood_sums(grid, &n, d)
        }
        (None, RankArg::Kde) => {
            let HowUsed::TopKde { bandwidth: h, .. } = *how else {
                unreachable!("a kde ranking records its bandwidth")
            };
            let radius = h * Kernel::from(a.kde.bandwidth.kernel).support();
            let xy: Vec<[f64; 2]> = (0..inc.len())
                .filter(|&i| train.contains(inc.month[i]))
                .map(|i| inc.xy[i])
                .collect();
            raw_sums(&xy, None, &grid.spec, Kernel::Uniform, radius)
        }
        (None, RankArg::N | RankArg::Harm) => n_train.to_vec(),
    })
}

/// Suppresses the report's aggregates built from 1 to K-1 incidents (before the layer's
/// own columns are protected: it reads the unprotected counts) and thins the PAI curve.
/// Returns the number of report values suppressed and of curve points left out.
fn protect_aggregates(
    r: &mut EvaluateResult,
    rules: &Disclosure,
    scores: &mut Value,
    concentration: &mut Value,
) -> (usize, usize) {
    let s = &r.scores;
    let layer = &r.layer;
    let col = |c: &str| layer.get(c).expect("evaluate columns");
    let (n_te, h_te, rank) = (col("n_test"), col("harm_test"), col("rank"));
    let area: Vec<usize> = (0..n_te.len()).filter(|&i| layer.grid.in_area[i]).collect();
    // incidents in the best k test cells by count (PAI*) and by harm (harm PAI*)
    let best = |by: &[f64]| -> f64 {
        let mut ids = area.clone();
        ids.sort_by(|&x, &y| by[y].total_cmp(&by[x]));
        ids[..s.hotspot_cells.min(ids.len())]
            .iter()
            .map(|&i| n_te[i])
            .sum()
    };
    let (n_star, n_star_h) = (best(n_te), best(h_te));
    let (big_n, n) = (s.test_incidents, s.test_incidents_in_hotspots);
    let (big_n1, n1) = (s.train_incidents, s.train_incidents_in_hotspots);
    let hits = min_positive(n, big_n);
    let rri = min_positive(min_positive(n, n1), min_positive(big_n, big_n1));
    let mut changed = 0;
    if let Value::Object(m) = scores {
        changed += protect_members(
            m,
            rules,
            &[
                ("test_incidents", big_n, true),
                ("test_incidents_in_hotspots", n, true),
                ("train_incidents", big_n1, true),
                ("train_incidents_in_hotspots", n1, true),
                ("hit_rate", hits, false),
                ("pai", hits, false),
                ("pai_max", min_positive(n_star, big_n), false),
                ("pei", min_positive(n, n_star), false),
                ("rri", rri, false),
                ("harm_hit_rate", hits, false),
                ("harm_pai", hits, false),
                ("harm_pei", min_positive(n, n_star_h), false),
                ("harm_rri", rri, false),
            ],
        );
    }
    if rules.small(big_n) {
        if let Value::Object(m) = concentration {
            for v in m.values_mut().filter(|v| !v.is_null()) {
                *v = Value::Null;
                changed += 1;
            }
        }
    }
    // cumulative test incidents along the ranking
    let mut by_rank = vec![0.0; area.len() + 1];
    for &i in &area {
        let k = rank[i];
        if k.is_finite() && k >= 1.0 && (k as usize) < by_rank.len() {
            by_rank[k as usize] += n_te[i];
        }
    }
    for k in 1..by_rank.len() {
        by_rank[k] += by_rank[k - 1];
    }
    let before = r.curve.len();
    r.curve = thin_curve(&r.curve, &by_rank, rules);
    (changed, before - r.curve.len())
}

/// The PAI curve points to publish: walking down the ranking, a point is kept when 0 or at
/// least K test incidents were added since the last kept point, so that no difference of
/// two published points (nor of the last one and the total) is built from 1 to K-1
/// incidents. `cumulative[c]` is the test incidents in the top `c` cells. Nothing when the
/// total itself is small.
fn thin_curve(curve: &[CurvePoint], cumulative: &[f64], rules: &Disclosure) -> Vec<CurvePoint> {
    let total = cumulative.last().copied().unwrap_or(0.0);
    if rules.small(total) {
        return Vec::new();
    }
    let mut kept: Vec<(CurvePoint, f64)> = Vec::new();
    for c in curve {
        let at = cumulative[c.cells.min(cumulative.len() - 1)];
        let last = kept.last().map_or(0.0, |k| k.1);
        if !rules.small(at - last) {
            kept.push((c.clone(), at));
        }
    }
    // the tail after the last kept point must not be small either: merge it backwards
    while kept.last().is_some_and(|k| rules.small(total - k.1)) {
        kept.pop();
    }
    kept.into_iter().map(|(c, _)| c).collect()
}
