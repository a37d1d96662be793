//! `harmspot generate`: a seeded synthetic extract in the police.uk layout.

use anyhow::{Context, Result};
use clap::Args;
use harmspot::generate::{generate, GenerateParams};
use harmspot::Month;
use std::path::PathBuf;

/// Arguments of `harmspot generate`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  harmspot generate --rows 1000000 --months 24 --seed 1 --out big-street.csv"
)]
pub struct GenerateArgs {
    /// Rows to write (10^3 to 10^8 are typical).
    #[arg(long, default_value_t = 100_000)]
    pub rows: u64,
    /// Consecutive months covered.
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// First month, YYYY-MM.
    #[arg(long, default_value = "2021-01")]
    pub start: String,
    /// Random seed: the same seed gives byte-identical output.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of hot-spot clusters.
    #[arg(long, default_value_t = 12)]
    pub clusters: u32,
    /// Month from which some clusters change [default: the middle month].
    #[arg(long)]
    pub step_month: Option<String>,
    /// How many clusters change at --step-month.
    #[arg(long, default_value_t = 3)]
    pub step_clusters: u32,
    /// Rate multiplier of the changing clusters after the step (0.5 = a 50% fall).
    #[arg(long, default_value_t = 0.5)]
    pub step_factor: f64,
    /// Share of rows with empty coordinates.
    #[arg(long, default_value_t = 0.01)]
    pub missing_share: f64,
    /// Output CSV (`-` for standard output).
    #[arg(long, default_value = "-")]
    pub out: PathBuf,
    /// Also write the clusters (centres, spreads, which change) as JSON here.
    #[arg(long)]
    pub truth: Option<PathBuf>,
}

pub fn run(a: GenerateArgs, quiet: bool) -> Result<()> {
    let start =
        Month::parse(&a.start).with_context(|| format!("--start: `{}` is not YYYY-MM", a.start))?;
    let step_month = a
        .step_month
        .as_deref()
        .map(|s| Month::parse(s).with_context(|| format!("--step-month: `{s}` is not YYYY-MM")))
        .transpose()?;
    let params = GenerateParams {
        rows: a.rows,
        months: a.months,
        start,
        seed: a.seed,
        clusters: a.clusters,
        step_month,
        step_clusters: a.step_clusters,
        step_factor: a.step_factor,
        missing_share: a.missing_share,
        ..GenerateParams::default()
    };
    if let Some(t) = &a.truth {
        if t == &a.out {
            anyhow::bail!("--truth: `{}` is also --out", t.display());
        }
        harmspot::write::safe::check_output_file(t, std::slice::from_ref(&a.out))?;
    }
    let summary = if a.out.as_os_str() == "-" {
        harmspot::write::stdout::with_stdout(|w| generate(&params, w))?
    } else {
        let mut f = harmspot::write::AtomicFile::create(&a.out)?;
        let s = generate(&params, f.writer())?;
        f.commit()?;
        s
    };
    if let Some(t) = &a.truth {
        harmspot::write::write_json(t, &summary)?;
    }
    super::note(
        quiet,
        format!(
            "wrote {} rows ({} with empty coordinates), {} clusters",
            summary.rows,
            summary.missing_coordinates,
            summary.clusters.len()
        ),
    );
    Ok(())
}
