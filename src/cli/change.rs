//! `harmspot change`: cell-by-cell change between a before and an after period, with
//! optional dual kernel density surfaces (METHODS §4, §6).

use super::args::{both_periods_xy, json_path, period};
use super::input::InputArgs;
use super::kde::KdeOpts;
use super::layer_out::{record_run, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use harmspot::change::{compute, ChangeParams, ChangeSummary, KdeChange, KdeChangeParams};
use harmspot::publish::change::write_summary;
use harmspot::{KdeParams, MonthRange};
use std::path::PathBuf;

/// Dual-KDE comparisons on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// After density minus (period-scaled) before density, per km².
    Diff,
    /// After density / max(before density, floor).
    Ratio,
    /// ln(max(after, floor) / max(before, floor)).
    LogRatio,
}

/// Arguments of `harmspot change`.
#[derive(Args, Debug)]
#[command(
    after_help = "Columns: n_before, n_after, change (n_after - k n_before), pct_change \
(null when n_before = 0), z (Poisson: change / sqrt(n_after + k^2 n_before), null when both are \
0), harm_before, harm_after, change_harm, pct_change_harm, z_harm (variance = sum of squared \
weights); with --method also kde_before, kde_after and kde_diff | kde_ratio | kde_log_ratio. \
k = months after / months before (1 for periods of equal length). Both periods are counted on \
the same snapped grid, built from the incidents of both.\n\n\
Disclosure control (--min-count K, --partner): n_before, n_after and the harm of each period \
are suppressed when the period has 1 to K-1 incidents in the cell; change, pct_change, z and \
their harm versions when either period has 1 to K-1 (the smaller non-zero count); kde_before \
and kde_after when 1 to K-1 incidents of the period lie within the kernel's support radius of \
the cell centre, and the kde comparison when either does. The --summary totals follow the same \
rules over the study area.\n\n\
Example:\n  harmspot change data/police-uk/ --before 2021-01..2021-06 --after 2021-07..2021-12 \
--cell-size 250 --method log-ratio --out change.geojson --out change.csv"
)]
pub struct ChangeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    /// Before period, YYYY-MM..YYYY-MM.
    #[arg(long, value_name = "FROM..TO", help_heading = "Periods")]
    pub before: String,
    /// After period, YYYY-MM..YYYY-MM; starts after the before period ends.
    #[arg(long, value_name = "FROM..TO", help_heading = "Periods")]
    pub after: String,
    /// Also compare kernel density surfaces of the two periods (one bandwidth for both).
    #[arg(long, value_enum, help_heading = "Density")]
    pub method: Option<MethodArg>,
    /// Floor on densities in ratios, per km² [default: the peak density of one incident of
    /// weight 1, 3/(pi h^2) for the quartic kernel].
    #[arg(
        long,
        value_name = "D",
        allow_negative_numbers = true,
        help_heading = "Density",
        requires = "method"
    )]
    pub floor: Option<f64>,
    #[command(flatten)]
    pub kde: KdeOpts,
    #[command(flatten)]
    pub out: OutArgs,
    /// Also write the study-area totals and the run's parameters as JSON here.
    #[arg(long, value_name = "FILE.json", help_heading = "Output")]
    pub summary: Option<PathBuf>,
}

impl From<MethodArg> for KdeChange {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::Diff => KdeChange::Diff,
            MethodArg::Ratio => KdeChange::Ratio,
            MethodArg::LogRatio => KdeChange::LogRatio,
        }
    }
}

/// Runs `harmspot change`: checks the flags, counts both periods on one grid, notes the
/// totals, applies disclosure control and writes the outputs.
pub fn run(a: ChangeArgs, quiet: bool) -> Result<()> {
    let (before, after, kde) = check_args(&a)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let xy = both_periods_xy(&loaded.incidents, before, after)?;
    let built = a.grid.build(&xy, &loaded.projector, quiet)?;
    let params = change_params(&a, before, after, kde);
    let r = compute(&loaded.incidents, &built.grid, &params)?;
    let s = &r.summary;
    note_summary(s, quiet);
    let mut layer = r.layer;
    record_run(&mut layer, &built, &loaded, &a.input)?;
    let rules = a.out.disclosure.rules()?;
    a.out
        .disclosure
        .protect(&mut layer, &loaded.incidents, quiet)?;
    let (totals, small) = harmspot::publish::change::totals(s, &rules);
    if small > 0 {
        note(
            quiet,
            format!("disclosure control: {small} study-area total(s) built from 1 to {} incidents suppressed or rounded", rules.min_count - 1),
        );
    }
    if let Some(p) = &a.summary {
        write_summary(p, &totals, &layer)?;
        note(quiet, format!("wrote totals to {}", p.display()));
    }
    a.out.write(&layer, &loaded.projector, false, quiet)
}

/// Checks the flags before any work (grid, outputs, periods in order, density, summary
/// path, floor) and returns the before and after periods and the density parameters.
fn check_args(a: &ChangeArgs) -> Result<(MonthRange, MonthRange, KdeParams)> {
    a.grid.validate()?;
    a.out.check(a.grid.shape.into(), &a.input)?;
    let before = period("--before", &a.before)?;
    let after = period("--after", &a.after)?;
    if after.from <= before.to {
        bail!("--after: the after period ({after}) must start after the before period ({before}) ends");
    }
    let kde = a.kde.params()?;
    if let Some(p) = &a.summary {
        json_path("--summary", p)?;
    }
    if let Some(f) = a.floor {
        if !(f.is_finite() && f > 0.0) {
            bail!("--floor: must be a positive density per km², got {f}");
        }
    }
    Ok((before, after, kde))
}

/// Maps the flags to the analysis's parameters (dual kernel densities with `--method`).
fn change_params(
    a: &ChangeArgs,
    before: MonthRange,
    after: MonthRange,
    kde: KdeParams,
) -> ChangeParams {
    let mut params = ChangeParams::new(before, after);
    if let Some(m) = a.method {
        params.kde = Some(KdeChangeParams {
            kde,
            method: m.into(),
            floor: a.floor,
        });
    }
    params
}

/// Notes the study-area totals and what was chosen: the period ratio when the periods
/// differ in length, empty months, the bandwidth and floor.
fn note_summary(s: &ChangeSummary, quiet: bool) {
    let (before, after) = (s.before, s.after);
    if s.period_ratio != 1.0 {
        note(
            quiet,
            format!(
                "periods of different length ({} and {} months): before counts are scaled by k = {:.4}",
                before.len(),
                after.len(),
                s.period_ratio
            ),
        );
    }
    if !s.empty_months.is_empty() {
        let m: Vec<String> = s.empty_months.iter().map(|m| m.to_string()).collect();
        note(
            quiet,
            format!(
                "warning: no incidents at all in {} (missing data reads as a fall to zero)",
                m.join(", ")
            ),
        );
    }
    if let (Some(h), Some(f)) = (s.bandwidth, s.floor) {
        note(
            quiet,
            format!(
                "kernel density: bandwidth {h:.0} m for both periods, ratio floor {f:.4} per km2"
            ),
        );
    }
    note(
        quiet,
        format!(
            "{} incidents before ({before}), {} after ({after}): change {:+}{}{}",
            s.n_before,
            s.n_after,
            s.change,
            s.pct_change
                .map_or(String::new(), |p| format!(" ({p:+.1}%)")),
            s.z.map_or(String::new(), |z| format!(", z = {z:.2}")),
        ),
    );
}
