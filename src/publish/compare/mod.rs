//! Publishing a before/after evaluation (METHODS §6; `harmspot compare`) as a product
//! folder: `report.json` (everything), `report.csv` (one row per area × measure),
//! `series.csv` (monthly series), `report.md` (a partner-readable summary: a table and a
//! plain sentence per hub), `areas.geojson` (treatment, buffer and control polygons in
//! WGS84 with their counts and effects), `chart-<measure>.png` (per VRU measure, each hub
//! against its counterfactual with the placebo band), `manifest.json` and `run.toml`.
//!
//! Everything is rendered from typed records — the [`CompareResult`], the [`CompareUsed`]
//! record of what the run used, the [`crate::ReadSummary`] — under the run's disclosure rules
//! (`shield`): a count of 1 to K − 1 incidents is published as null / an empty field /
//! `<K`, or rounded; statistics computed from it are withheld.
//!
//! Rooms: `shield` applies disclosure control; `json`, `table`, `markdown` with
//! `sentence`, and `geojson` render one output each; this file writes the folder.

mod chart;
mod geojson;
mod json;
mod markdown;
mod scorecard;
mod sentence;
mod shield;
mod table;
#[cfg(test)]
mod tests;

pub use geojson::{to_lonlat, write_geojson};
pub use json::disclosure;
pub use markdown::markdown;
pub use sentence::{control_dominates, sentence, sentence_with};
pub use table::{write_csv, write_series_csv, CSV_COLUMNS, SERIES_COLUMNS};

use crate::compare::{AreaSet, CompareResult, CompareUsed};
use crate::error::{Error, Result};
use crate::model::incident::ReadSummary;
use crate::model::manifest::Manifest;
use crate::publish::disclosure::{Disclosure, DisclosureReport};
use crate::publish::write::safe::ResultDir;
use crate::publish::write::{write_atomic, write_json, AtomicFile};
use crate::space::crs::Transform;
use json::{DisclosureMember, Program};
use serde::Serialize;
use std::io::Write;
use std::time::SystemTime;

/// The files a comparison's folder holds besides `manifest.json` and `run.toml`.
pub const OUTPUTS: [&str; 10] = [
    "report.json",
    "report.csv",
    "series.csv",
    "report.md",
    "areas.geojson",
    "chart-crime.png",
    "chart-asb.png",
    "chart-violence.png",
    "chart-weapons.png",
    "chart-harm.png",
];

/// Everything a comparison's folder is made from.
pub struct Product<'a> {
    /// The result.
    pub result: &'a CompareResult,
    /// What the run used.
    pub used: CompareUsed,
    /// The places evaluated (their polygons are drawn in `areas.geojson`).
    pub areas: &'a AreaSet,
    /// What reading the extracts did.
    pub read: &'a ReadSummary,
    /// Whether only the first row of each Crime ID was kept.
    pub unique_ids: bool,
    /// Working CRS → WGS84, for `areas.geojson`.
    pub inverse: &'a Transform,
    /// Disclosure rules applied to every output.
    pub rules: &'a Disclosure,
    /// The run's manifest (command, input files); its parameters are set from `used`.
    pub manifest: Manifest,
    /// When the run started, for `manifest.json`.
    pub started: SystemTime,
    /// A front end's spelling of `‹parameter›` mentions in the recorded definitions and
    /// the header of `report.md` (e.g. its flags); the identity keeps them as they are.
    pub spell: &'a dyn Fn(&str) -> String,
}

/// What publishing did, for the caller to tell the analyst.
#[derive(Clone, Debug)]
pub struct Published {
    /// What disclosure control withheld, when its rules are active.
    pub disclosure: Option<DisclosureReport>,
}

/// Top-level members of `areas.geojson` besides the features.
#[derive(Serialize)]
struct Members<'a> {
    harmspot: ProgramUsed<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    disclosure: Option<DisclosureMember<'a>>,
}

#[derive(Serialize)]
struct ProgramUsed<'a> {
    #[serde(flatten)]
    program: Program,
    parameters: &'a CompareUsed,
}

/// The read summary in one line: rows, kept, skipped, and the repeated Crime IDs kept
/// (police.uk counts every row) or dropped (`unique_ids`).
fn read_line(s: &ReadSummary, unique_ids: bool) -> String {
    let mut line = format!(
        "{} rows, {} kept, {} skipped",
        s.rows,
        s.kept,
        s.skipped_total()
    );
    if s.repeated_ids_kept > 0 {
        line.push_str(&format!(
            "; repeated Crime ID, kept: {}",
            s.repeated_ids_kept
        ));
    }
    if unique_ids {
        line.push_str(" (‹unique_ids›: only the first row of each Crime ID)");
    }
    line
}

/// The `(label, value)` lines at the head of `report.md`.
fn header(p: &Product) -> Vec<(String, String)> {
    let g = &p.used.given;
    let inputs: Vec<String> = g.inputs.iter().map(|x| x.display().to_string()).collect();
    let mut lines = vec![
        ("Inputs".to_string(), inputs.join(", ")),
        (
            "Rows read".into(),
            (p.spell)(&read_line(p.read, p.unique_ids)),
        ),
        (
            "Areas".into(),
            format!("{} ({} areas)", g.areas.display(), p.result.areas.len()),
        ),
    ];
    if let Some(rad) = p.used.radius_m {
        lines.push(("Radius around hubs".into(), format!("{rad} m")));
    }
    lines.push((
        "Buffer".into(),
        p.used.buffer_m.map_or_else(
            || "none (no displacement measures)".to_string(),
            |b| format!("{b} m ring around each area"),
        ),
    ));
    lines.push(("Harm".into(), g.harm.to_string()));
    lines.push(("Working CRS".into(), g.working_crs.clone()));
    lines
}

fn to_value<T: Serialize>(v: &T) -> Result<serde_json::Value> {
    serde_json::to_value(v).map_err(|e| Error::Mismatch(format!("rendering JSON: {e}")))
}

/// Writes the product folder of a comparison into `dir` (every file atomically; the
/// caller commits the folder). Renders everything before writing anything.
pub fn publish(dir: &ResultDir, mut p: Product) -> Result<Published> {
    let r = p.result;
    p.used.definitions = p.used.definitions.clone().spelled(p.spell);
    let parameters = match to_value(&p.used)? {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    p.manifest.parameters = parameters;
    let (mut report, d) = json::report(r, &p.used, p.read, p.manifest.to_json(), p.rules);
    let active = p.rules.active();
    if active {
        report = report.with_disclosure(DisclosureMember::new(p.rules, &d));
    }
    let report = to_value(&report)?;
    let notes: Vec<String> = r.notes.iter().map(|n| (p.spell)(n)).collect();
    let md = markdown(r, &header(&p), &notes, p.rules, &d);
    let members = match to_value(&Members {
        harmspot: ProgramUsed {
            program: Program::compare(),
            parameters: &p.used,
        },
        disclosure: active.then(|| DisclosureMember::new(p.rules, &d)),
    })? {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };

    let charts: Vec<(&str, Vec<u8>)> = chart::CHARTS
        .iter()
        .map(|(file, m)| {
            let label = match m {
                crate::compare::MeasureKind::Weapons => {
                    "Weapons (possession of weapons: police.uk's nearest proxy for knife crime)"
                        .to_string()
                }
                _ => format!("{}", m).to_uppercase(),
            };
            chart::render(r, m, &label, p.rules.active()).map(|b| (*file, b))
        })
        .collect::<Result<_>>()?;
    write_json(&dir.path("report.json"), &report)?;
    for (file, bytes) in &charts {
        write_atomic(&dir.path(file), |w| w.write_all(bytes))?;
    }
    write_atomic(&dir.path("report.csv"), |w| write_csv(&mut *w, r, p.rules))?;
    write_atomic(&dir.path("series.csv"), |w| {
        write_series_csv(&mut *w, r, p.rules)
    })?;
    write_atomic(&dir.path("report.md"), |w| w.write_all(md.as_bytes()))?;
    let mut f = AtomicFile::create(&dir.path("areas.geojson"))?;
    write_geojson(f.writer(), r, p.areas, p.inverse, &members, p.rules)?;
    f.commit()?;
    super::write_folder_manifest(&dir.path(""), &p.manifest, &OUTPUTS, p.started)?;
    Ok(Published {
        disclosure: active.then_some(d),
    })
}
