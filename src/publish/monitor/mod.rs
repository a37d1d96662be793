//! Publishing a monitoring table (METHODS §10; `harmspot monitor`) as a result folder:
//! `measures.csv` (one row per area, period and measure), `measures.md` (what a VRU board
//! reads: sentences for flagged periods and a table per measure), `chart.png` (small
//! multiples), `areas.geojson` (the monitored areas in WGS84 with their latest complete
//! period, for `harmspot map`), `manifest.json` and `run.toml`.
//!
//! Everything is rendered from the typed [`MonitorResult`] and [`MonitorUsed`] under the
//! run's disclosure rules ([`shield`]).
//!
//! Rooms: `shield` applies disclosure control; `table`, `markdown`, `chart` and
//! `geojson` render one output each; this file writes the folder.

mod chart;
mod geojson;
mod markdown;
pub mod shield;
mod table;

pub use chart::render as chart;
pub use markdown::markdown;
pub use table::{write_csv, CSV_COLUMNS};

use crate::compare::AreaSet;
use crate::error::{Error, Result};
use crate::model::incident::ReadSummary;
use crate::model::manifest::Manifest;
use crate::monitor::used::{HarmUsed, MonitorUsed};
use crate::monitor::{MonitorResult, PeriodKind};
use crate::publish::disclosure::{Disclosure, DisclosureReport};
use crate::publish::write::safe::ResultDir;
use crate::publish::write::write_atomic;
use crate::space::crs::Transform;
use std::io::Write;
use std::time::SystemTime;

/// The files a monitoring folder holds besides `manifest.json` and `run.toml`.
pub const OUTPUTS: [&str; 4] = ["measures.csv", "measures.md", "chart.png", "areas.geojson"];

/// Everything a monitoring folder is made from.
pub struct Product<'a> {
    /// The result.
    pub result: &'a MonitorResult,
    /// What the run used.
    pub used: MonitorUsed,
    /// The areas (drawn in `areas.geojson`).
    pub areas: &'a AreaSet,
    /// What reading the extracts did.
    pub read: &'a ReadSummary,
    /// Working CRS → WGS84.
    pub inverse: &'a Transform,
    /// Disclosure rules.
    pub rules: &'a Disclosure,
    /// The run's manifest; its parameters are set from `used`.
    pub manifest: Manifest,
    /// When the run started.
    pub started: SystemTime,
    /// A front end's spelling of `‹parameter›` mentions (e.g. its flags).
    pub spell: &'a dyn Fn(&str) -> String,
}

/// What publishing did.
#[derive(Clone, Debug)]
pub struct Published {
    /// What disclosure control withheld, when active.
    pub disclosure: Option<DisclosureReport>,
}

fn header(p: &Product) -> Vec<(String, String)> {
    let (r, g) = (p.result, &p.used.given);
    let inputs: Vec<String> = g.inputs.iter().map(|x| x.display().to_string()).collect();
    let s = p.read;
    let mut lines = vec![
        ("Inputs".to_string(), inputs.join(", ")),
        (
            "Rows read".into(),
            format!(
                "{} rows, {} kept, {} skipped",
                markdown::grouped(s.rows as f64, 0),
                markdown::grouped(s.kept as f64, 0),
                markdown::grouped(s.skipped_total() as f64, 0)
            ),
        ),
        (
            "Areas".into(),
            match g.radius_m {
                Some(rad) => format!(
                    "{} ({} areas; {rad} m around each point)",
                    g.areas.display(),
                    r.areas.len()
                ),
                None => format!("{} ({} areas)", g.areas.display(), r.areas.len()),
            },
        ),
    ];
    let periods = match (r.calendar.kind, r.calendar.year_start) {
        (PeriodKind::Month, _) => "months".to_string(),
        (k, 1) => format!(
            "calendar {}",
            if k == PeriodKind::Year {
                "years"
            } else {
                "quarters"
            }
        ),
        (k, 4) => format!(
            "{} of the UK financial year (from April)",
            if k == PeriodKind::Year {
                "years"
            } else {
                "quarters"
            }
        ),
        (k, ys) => format!(
            "{} of years starting in month {ys:02}",
            if k == PeriodKind::Year {
                "years"
            } else {
                "quarters"
            }
        ),
    };
    lines.push(("Periods".into(), periods));
    let missing = if r.missing_months.is_empty() {
        "none missing".to_string()
    } else {
        let m: Vec<String> = r.missing_months.iter().map(|m| m.to_string()).collect();
        format!("missing: {}", m.join(", "))
    };
    lines.push((
        "Police data".into(),
        format!("{} ({} months; {missing})", r.span, r.span.len()),
    ));
    if let Some(a) = &g.activities {
        lines.push(("Activities".into(), a.display().to_string()));
    }
    if let (Some(a), Some(f)) = (&g.area_counts, &g.code_field) {
        lines.push((
            "Area-coded counts".into(),
            format!("{} (summed by the areas' `{f}`)", a.display()),
        ));
    }
    lines.push((
        "Harm".into(),
        match &g.harm {
            HarmUsed::Table { origin, version } => {
                format!("harm table `{origin}` (version {version})")
            }
            HarmUsed::WeightColumn(c) => format!("per-row weights from column `{c}`"),
        },
    ));
    lines
}

fn members(
    p: &Product,
    d: Option<&DisclosureReport>,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut m = serde_json::Map::new();
    m.insert(
        "harmspot".into(),
        serde_json::json!({"command": "monitor", "version": env!("CARGO_PKG_VERSION"), "parameters": &p.used}),
    );
    if let Some(d) = d {
        let v =
            serde_json::to_value(d).map_err(|e| Error::Mismatch(format!("rendering JSON: {e}")))?;
        m.insert("disclosure".into(), v);
    }
    Ok(m)
}

/// Writes the monitoring folder into `dir` (every file atomically; the caller commits the
/// folder). Renders everything before writing anything.
pub fn publish(dir: &ResultDir, mut p: Product) -> Result<Published> {
    let r = p.result;
    let parameters = match serde_json::to_value(&p.used) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    p.manifest.parameters = parameters;
    let (shown, d) = shield::shield(r, p.rules);
    let mut head = header(&p);
    if let Some(d) = &d {
        head.push(("Disclosure control".into(), d.note.clone()));
    }
    let notes: Vec<String> = r.notes.iter().map(|n| (p.spell)(n)).collect();
    let md = markdown(r, &shown, &head, &notes, p.rules.min_count);
    let png = chart(r, &shown)?;
    let members = members(&p, d.as_ref())?;

    write_atomic(&dir.path("measures.csv"), |w| write_csv(&mut *w, r, &shown))?;
    write_atomic(&dir.path("measures.md"), |w| w.write_all(md.as_bytes()))?;
    write_atomic(&dir.path("chart.png"), |w| w.write_all(&png))?;
    geojson::write(
        &dir.path("areas.geojson"),
        r,
        &shown,
        p.areas,
        p.inverse,
        &members,
        p.rules,
    )?;
    super::write_folder_manifest(&dir.path(""), &p.manifest, &OUTPUTS, p.started)?;
    Ok(Published { disclosure: d })
}
