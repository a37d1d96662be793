//! `harmspot run FILE.toml`: replay a run described in a file, so a monthly product is
//! regenerated the same way. Every run that writes a folder leaves a `run.toml` there.
//!
//! A replay is checked before it starts: the verb must be replayable (an analysis verb, not
//! `run` itself), the arguments must parse for that verb, and every input the file records
//! must still have the SHA-256 it had (unless `--allow-changed-inputs`).

use super::Cli;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser};
use harmspot::manifest::RunFile;
use std::path::{Component, Path, PathBuf};

/// Arguments of `harmspot run`.
#[derive(Args, Debug)]
#[command(
    after_help = "A run file holds the verb, its arguments and the inputs' SHA-256:\n\n  command = \"hotspots\"\n  args = [\"data/police-uk/\", \"--out\", \"results\"]\n  [[inputs]]\n  path = \"data/police-uk/2021-03/2021-03-northumbria-street.csv\"\n  bytes = 4120330\n  sha256 = \"...\"\n\nRelative paths are taken from the folder the run was made in: the run file's folder, less \
the --out path when the file lies in the run's own output (a run.toml a run left in its \
result folder replays from anywhere). A run's manifest.json replays the same way.\n\nExample:\n  harmspot run results/run.toml"
)]
pub struct RunArgs {
    /// The run file (TOML: `command`, `args`, `[[inputs]]`) or a run's manifest.json.
    pub file: PathBuf,
    /// Replay even if an input's contents no longer match the SHA-256 the file records.
    #[arg(long)]
    pub allow_changed_inputs: bool,
    /// Write into an existing output folder or beside files harmspot did not write
    /// (passed to the replayed verb).
    #[arg(long)]
    pub force: bool,
}

/// Arguments a run file may not carry: help and version (they end the program) and `--force`
/// (a replay never overrides output safety on a file's say-so).
const FORBIDDEN_ARGS: [&str; 5] = ["-h", "--help", "-V", "--version", "--force"];

/// The command as run, for manifests: verb and arguments without the program name and
/// without `--force`.
pub fn replayable(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<String> {
    args.skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .filter(|a| a != "--force")
        .collect()
}

/// The `--out`/`-o` value among a run file's arguments.
fn out_arg(args: &[String]) -> Option<&str> {
    let mut it = args.iter();
    while let Some(x) = it.next() {
        if x == "--out" || x == "-o" {
            return it.next().map(String::as_str);
        }
        if let Some(v) = x.strip_prefix("--out=") {
            return Some(v);
        }
    }
    None
}

/// `dir` without `tail`'s components at its end, if it ends with them.
fn strip_tail(dir: &Path, tail: &Path) -> Option<PathBuf> {
    let mut d = dir.to_path_buf();
    let names: Vec<_> = tail
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    for c in names.iter().rev() {
        match c {
            Component::Normal(n) if d.file_name() == Some(n) => {
                d = d.parent()?.to_path_buf();
            }
            _ => return None,
        }
    }
    Some(d)
}

/// The folder a run file's relative paths are taken from: the folder the run was made in
/// when the file lies in the run's output (its folder ends with a relative `--out`, or with
/// that output's folder for a file's `.manifest.json`), else the run file's own folder.
pub fn replay_folder(file: &Path, args: &[String]) -> PathBuf {
    let dir = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if let Some(out) = out_arg(args).map(Path::new).filter(|o| o.is_relative()) {
        for tail in [Some(out), out.parent()].into_iter().flatten() {
            if let Some(base) = strip_tail(&dir, tail) {
                return base;
            }
        }
    }
    dir
}

pub fn run(a: RunArgs, quiet: bool) -> Result<()> {
    let rf = RunFile::read(&a.file)?;
    let lossy = rf
        .args
        .iter()
        .chain(rf.inputs.iter().map(|i| &i.path))
        .find(|x| x.contains('\u{FFFD}'));
    if let Some(x) = lossy {
        bail!(
            "{}: the run was made with a name that is not valid UTF-8 (recorded as `{x}`), which a run file cannot hold exactly, so it cannot be replayed: rename the file to a UTF-8 name and run the verb again",
            a.file.display()
        );
    }
    let base = replay_folder(&a.file, &rf.args);
    std::env::set_current_dir(&base)
        .with_context(|| format!("cannot replay in `{}`", base.display()))?;
    super::note(
        quiet,
        format!(
            "replaying in {} (relative paths are taken from there)",
            base.display()
        ),
    );
    if let Some(x) = rf
        .args
        .iter()
        .find(|x| FORBIDDEN_ARGS.contains(&x.as_str()) || x.starts_with("--force="))
    {
        bail!(
            "{}: `args` may not contain `{x}` in a run file",
            a.file.display()
        );
    }
    let changed = rf.changed_inputs();
    if !changed.is_empty() {
        let list: Vec<String> = changed
            .iter()
            .map(|c| format!("{}: {}", c.path, c.reason))
            .collect();
        if !a.allow_changed_inputs {
            bail!(
                "{}: inputs changed since the run was made, so a replay would not reproduce it (give --allow-changed-inputs to replay anyway):\n  {}",
                a.file.display(),
                list.join("\n  ")
            );
        }
        super::note(
            quiet,
            format!(
                "warning: replaying on changed inputs:\n  {}",
                list.join("\n  ")
            ),
        );
    }
    let mut argv = vec!["harmspot".to_string(), rf.command.clone()];
    argv.extend(rf.args.iter().cloned());
    if quiet && !argv.iter().any(|x| x == "-q" || x == "--quiet") {
        argv.push("--quiet".into());
    }
    if a.force && rf.command != "knox" {
        argv.push("--force".into());
    }
    let cli = Cli::try_parse_from(&argv)
        .with_context(|| format!("{}: the arguments do not parse", a.file.display()))?;
    if matches!(cli.command, super::Command::Run(_)) {
        bail!("{}: a run file may not replay `run`", a.file.display());
    }
    let command: Vec<String> = std::iter::once(rf.command).chain(rf.args).collect();
    super::run(cli, command)
}
