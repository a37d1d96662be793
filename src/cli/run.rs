//! `harmspot run FILE.toml`: replay a run described in a file, so a monthly product is
//! regenerated the same way. Every run that writes a folder leaves a `run.toml` there.

use super::Cli;
use anyhow::{Context, Result};
use clap::{Args, Parser};
use harmspot::manifest::RunFile;
use std::path::PathBuf;

/// Arguments of `harmspot run`.
#[derive(Args, Debug)]
#[command(
    after_help = "A run file holds the verb and its arguments:\n\n  command = \"hotspots\"\n  args = [\"data/police-uk/\", \"--out\", \"results\"]\n\nRelative paths are taken from the folder harmspot runs in.\n\nExample:\n  harmspot run results/run.toml"
)]
pub struct RunArgs {
    /// The run file (TOML: `command` and `args`).
    pub file: PathBuf,
}

pub fn run(a: RunArgs, quiet: bool) -> Result<()> {
    let rf = RunFile::read(&a.file)?;
    let mut argv = vec!["harmspot".to_string(), rf.command.clone()];
    argv.extend(rf.args.iter().cloned());
    if quiet && !argv.iter().any(|x| x == "-q" || x == "--quiet") {
        argv.push("--quiet".into());
    }
    let cli = Cli::try_parse_from(&argv)
        .with_context(|| format!("{}: the arguments do not parse", a.file.display()))?;
    let command: Vec<String> = std::iter::once(rf.command).chain(rf.args).collect();
    super::run(cli, command)
}
