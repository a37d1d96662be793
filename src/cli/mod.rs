//! Command-line front end: clap argument structs (raw flags), their validation into library
//! parameters, and one file per subcommand. The work is in the library.

pub mod args;
pub mod change;
pub mod compare;
pub mod convert;
pub mod count;
pub mod emerging;
pub mod evaluate;
pub mod flags;
pub mod generate;
pub mod gistar;
pub mod hotspots;
pub mod info;
pub mod input;
pub mod kde;
pub mod knox;
pub mod layer_out;
pub mod map;
pub mod monitor;
pub mod progress;
pub mod run;
pub mod signals;

/// `--force` for verbs that write a result folder.
#[derive(clap::Args, Debug, Clone)]
pub struct ForceArg {
    /// Write into an existing output folder that holds files harmspot did not write there
    /// (they are kept: moved into the new folder, never deleted).
    #[arg(long, help_heading = "Output")]
    pub force: bool,
}

use clap::{Parser, Subcommand};

/// harmspot: crime harm-hotspot analysis for police.uk and force extracts.
#[derive(Parser, Debug)]
#[command(name = "harmspot", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Print nothing on stderr but errors (no progress, no automatic-choice notes).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// The main job: harm-weighted density, Gi* with FDR, hotspot polygons ranked by harm,
    /// concentration and a briefing summary, written into one folder.
    Hotspots(hotspots::HotspotsArgs),
    /// Replay a run described in a file (the `run.toml` every folder-writing run leaves).
    Run(run::RunArgs),
    /// Summarise extracts: rows kept and skipped by reason, months, counts per type and month.
    Info(info::InfoArgs),
    /// Write extracts as GeoParquet 1.1 (WKB points, police.uk columns typed, a row group per month).
    Convert(convert::ConvertArgs),
    /// Write a seeded synthetic extract in the police.uk street-level layout.
    Generate(generate::GenerateArgs),
    /// Count incidents and sum harm per grid cell (square or hex), optionally per type or month.
    Count(count::CountArgs),
    /// Kernel density of incidents or harm on a grid (quartic, ArcGIS-style, exact).
    Kde(kde::KdeArgs),
    /// Getis-Ord Gi* hot and cold spots on a grid: z, two-sided p, classes, optional FDR and permutations.
    Gistar(gistar::GistarArgs),
    /// Before/after evaluation around hubs and intervention areas: WDQ, WDD, RES per area and pooled.
    Compare(compare::CompareArgs),
    /// Per-cell change between a before and an after period: counts, harm, percent change, Poisson z, dual KDE.
    Change(change::ChangeArgs),
    /// Score hotspots from a training period on a test period: hit rate, PAI, PEI, RRI, PAI curve, Gini.
    Evaluate(evaluate::EvaluateArgs),
    /// Emerging hot spots: monthly space-time Gi*, Mann-Kendall trends, ArcGIS categories.
    Emerging(emerging::EmergingArgs),
    /// Knox test for near repeats: distance x month bands, seeded permutations.
    Knox(knox::KnoxArgs),
    /// Measures of success by quarter (or month, year) for hubs, intervention areas, LSOAs and
    /// hotspots: counts against a baseline with 95% limits, partner activity, area-coded counts.
    Monitor(monitor::MonitorArgs),
    /// Map a result folder: one self-contained HTML page (offline) or a static PNG.
    Map(map::MapArgs),
}

/// The command being run (verb and arguments, as replayable) and when it started, for
/// manifests. `harmspot run` replaces it with the replayed command.
static INVOCATION: std::sync::Mutex<Option<(Vec<String>, std::time::SystemTime)>> =
    std::sync::Mutex::new(None);

/// The command being run, verb first.
pub fn command() -> Vec<String> {
    INVOCATION
        .lock()
        .ok()
        .and_then(|g| g.as_ref().map(|(c, _)| c.clone()))
        .unwrap_or_default()
}

/// When the command started.
pub fn started() -> std::time::SystemTime {
    INVOCATION
        .lock()
        .ok()
        .and_then(|g| g.as_ref().map(|(_, t)| *t))
        .unwrap_or_else(std::time::SystemTime::now)
}

/// The manifest of this run over the extracts it read and the control files it used (a
/// harm table file, `others`: boundary, areas, control), embedded in outputs (no time).
pub fn manifest(
    loaded: &input::Loaded,
    parameters: &serde_json::Map<String, serde_json::Value>,
    others: &[&std::path::Path],
) -> anyhow::Result<harmspot::manifest::Manifest> {
    let mut m = harmspot::manifest::Manifest::from_read(
        command(),
        &loaded.summary,
        loaded.projector.working.to_string(),
    );
    m.parameters = parameters.clone();
    m.parameters.remove("manifest");
    let harm = std::path::Path::new(&loaded.harm.origin);
    if !matches!(loaded.harm.origin.as_str(), "default" | "none") && harm.is_file() {
        m.add_file(harm)?;
    }
    for p in others {
        m.add_file(p)?;
    }
    Ok(m)
}

/// Names a result folder may hold from an earlier harmspot run besides the verb's own
/// outputs (a map made from it).
pub const FOLDER_EXTRAS: [&str; 4] = ["map.html", "map.png", "manifest.json", "run.toml"];

/// Runs a parsed command line.
pub fn run(cli: Cli, command: Vec<String>) -> anyhow::Result<()> {
    if let Ok(mut g) = INVOCATION.lock() {
        *g = Some((command, std::time::SystemTime::now()));
    }
    let quiet = cli.quiet;
    match cli.command {
        Command::Hotspots(a) => hotspots::run(a, quiet),
        Command::Run(a) => run::run(a, quiet),
        Command::Info(a) => info::run(a, quiet),
        Command::Convert(a) => convert::run(a, quiet),
        Command::Generate(a) => generate::run(a, quiet),
        Command::Count(a) => count::run(a, quiet),
        Command::Kde(a) => kde::run(a, quiet),
        Command::Gistar(a) => gistar::run(a, quiet),
        Command::Compare(a) => compare::run(a, quiet),
        Command::Change(a) => change::run(a, quiet),
        Command::Evaluate(a) => evaluate::run(a, quiet),
        Command::Emerging(a) => emerging::run(a, quiet),
        Command::Knox(a) => knox::run(a, quiet),
        Command::Monitor(a) => monitor::run(a, quiet),
        Command::Map(a) => map::run(a, quiet),
    }
}

/// Prints a note to stderr unless `--quiet`.
pub fn note(quiet: bool, msg: impl std::fmt::Display) {
    if !quiet {
        eprintln!("{}", flags::render(&msg.to_string()));
    }
}

/// An error and its causes on one line, each cause once: a cause whose text the message
/// already holds (an OS error a library error quotes) is not printed again.
pub fn describe(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if out.contains(&s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&s);
    }
    out
}
