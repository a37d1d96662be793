//! `harmspot evaluate`: hotspots from a training period scored on a test period (hit rate,
//! PAI, PEI, RRI, PAI curve, concentration; METHODS §7).

use super::args::{both_periods_xy, json_path, period};
use super::gistar::ValueArg;
use super::input::InputArgs;
use super::kde::{KdeOpts, WeightsArg};
use super::layer_out::{record_run, DisclosureArgs, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use harmspot::disclosure::Disclosure;
use harmspot::evaluate::{compute, EvaluateParams, EvaluateResult, Hotspots, Surface};
use harmspot::gistar::GistarParams;
use harmspot::kde::Weights;
use harmspot::publish::evaluate as publish;
use harmspot::{KdeParams, MonthRange};
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

/// `v` with `decimals` decimals, or `n/a`.
fn opt(v: Option<f64>, decimals: usize) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.decimals$}"))
}

/// Runs `harmspot evaluate`: checks the flags, makes the hotspots from the training period,
/// scores them on the test period, applies disclosure control and writes the report, the
/// curve and the cells.
pub fn run(a: EvaluateArgs, quiet: bool) -> Result<()> {
    let (out, rules) = check_outputs(&a)?;
    let train = period("--train", &a.train)?;
    let test = period("--test", &a.test)?;
    let kde = a.kde.params()?;
    let hotspots = hotspots_params(&a, kde)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let inc = &loaded.incidents;
    let xy = both_periods_xy(inc, train, test)?;
    let built = a.grid.build(&xy, &loaded.projector, quiet)?;
    let params = EvaluateParams {
        train,
        test,
        hotspots,
    };
    let mut r = compute(inc, &built.grid, &params)?;
    note_scores(&r, train, test, quiet);
    record_run(&mut r.layer, &built, &loaded, &a.input)?;
    let supports = match &r.layer.used {
        harmspot::used::Used::Evaluate(e) => e.supports.clone(),
        _ => unreachable!("evaluate records what it used"),
    };
    let (scores, small_scores) = publish::scores(&r.scores, &supports, &rules);
    let (concentration, small_conc) = publish::concentration(
        &r.concentration,
        r.concentration_harm.as_ref(),
        r.scores.test_incidents,
        &rules,
    );
    let curve = publish::pai_curve(&r.curve, &supports.cumulative_test, &rules);
    out.disclosure.protect(&mut r.layer, inc, quiet)?;
    if rules.active() {
        let (aggregates, dropped) = (small_scores + small_conc, r.curve.len() - curve.len());
        note(
            quiet,
            format!(
                "disclosure control: {aggregates} report value(s) built from 1 to {} incidents suppressed, {dropped} PAI curve point(s) left out",
                rules.min_count - 1
            ),
        );
    }
    if let Some(p) = &a.report {
        publish::write_report(p, &scores, &curve, &concentration, &r.layer)?;
        note(quiet, format!("wrote the report to {}", p.display()));
    }
    if let Some(p) = &a.curve {
        publish::write_curve(p, &curve)?;
        note(
            quiet,
            format!("wrote {} curve points to {}", curve.len(), p.display()),
        );
    }
    if !a.out.is_empty() {
        out.write(&r.layer, &loaded.projector, false, quiet)?;
    }
    Ok(())
}

impl From<&EvaluateArgs> for OutArgs {
    fn from(a: &EvaluateArgs) -> Self {
        OutArgs {
            out: a.out.clone(),
            all_cells: a.all_cells,
            force: a.force,
            disclosure: a.disclosure.clone(),
        }
    }
}

/// Checks the outputs before any work (grid, disclosure flags, cells outputs, report and
/// curve paths, something to write) and returns the cells outputs and disclosure rules.
fn check_outputs(a: &EvaluateArgs) -> Result<(OutArgs, Disclosure)> {
    a.grid.validate()?;
    let out = OutArgs::from(a);
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
    Ok((out, rules))
}

/// Maps the hotspot flags to the analysis's parameters: Gi* hot cells of a class with
/// `--hot`, else the top `--top` percent of cells by `--rank-by` (`kde` ranks by density).
fn hotspots_params(a: &EvaluateArgs, kde: KdeParams) -> Result<Hotspots> {
    Ok(match a.hot {
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
    })
}

/// Notes the scores: the hotspots' share of the study area, hit rate, PAI, PEI, RRI (and
/// for harm) and the test period's concentration.
fn note_scores(r: &EvaluateResult, train: MonthRange, test: MonthRange, quiet: bool) {
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
}
