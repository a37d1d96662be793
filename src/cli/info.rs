//! `harmspot info`: summarise extracts.
//!
//! Example: `harmspot info data/police-uk/` prints rows read, kept and skipped by reason
//! (with line numbers), months, counts per crime type per month, shared locations and the
//! extent; `--json` prints the same as JSON.

use super::input::InputArgs;
use anyhow::Result;
use clap::Args;
use std::io::Write;

/// Arguments of `harmspot info`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  harmspot info data/police-uk/\n  harmspot info data/police-uk/ --types asb --json"
)]
pub struct InfoArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: InfoArgs, quiet: bool) -> Result<()> {
    let l = a.input.read(quiet)?;
    let report = harmspot::info::summarise(&l.incidents, l.summary, &l.projector);
    let stdout_err = |e| harmspot::Error::io(harmspot::write::stdout::STDOUT, e);
    harmspot::write::stdout::with_stdout(|out| {
        if a.json {
            serde_json::to_writer_pretty(&mut *out, &report).map_err(|e| stdout_err(e.into()))?;
            writeln!(out).map_err(stdout_err)
        } else {
            out.write_all(report.to_text().as_bytes())
                .map_err(stdout_err)
        }
    })?;
    Ok(())
}
