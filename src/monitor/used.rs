//! What a monitoring run used (`harmspot monitor`), as a typed record: the inputs and
//! options as given, and what was chosen automatically (each measure's baseline). Written
//! into `manifest.json`'s parameters and the head of `measures.md`.

use super::{MonitorResult, PeriodKind};
use crate::model::month::MonthRange;
use serde::Serialize;
use std::path::PathBuf;

/// Where the harm weights came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HarmUsed {
    /// A harm table (`default`, `none` or a file), with its version.
    Table {
        /// `default`, `none` or the file.
        origin: String,
        /// The table's version.
        version: String,
    },
    /// A per-row weight column.
    WeightColumn(String),
}

/// The inputs and options of a monitoring run, as given.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Given {
    /// Extract files and folders.
    #[serde(serialize_with = "lossy::paths")]
    pub inputs: Vec<PathBuf>,
    /// The areas file.
    #[serde(serialize_with = "lossy::path")]
    pub areas: PathBuf,
    /// Its CRS when given.
    pub areas_crs: Option<String>,
    /// Name property.
    pub name_field: String,
    /// Radius around Point areas, metres.
    pub radius_m: Option<f64>,
    /// Activities file.
    #[serde(serialize_with = "lossy::optional")]
    pub activities: Option<PathBuf>,
    /// Area-counts file.
    #[serde(serialize_with = "lossy::optional")]
    pub area_counts: Option<PathBuf>,
    /// Property holding each area's code.
    pub code_field: Option<String>,
    /// Working CRS.
    pub working_crs: String,
    /// Harm weights.
    pub harm: HarmUsed,
}

/// A measure's baseline as used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BaselineUsed {
    /// The measure.
    pub measure: String,
    /// Baseline months (asked for or chosen); `None`: no baseline.
    pub months: Option<MonthRange>,
    /// Baseline months with data.
    pub months_with_data: usize,
}

/// What a monitoring run used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonitorUsed {
    /// Inputs and options as given.
    pub given: Given,
    /// Months, quarters or years.
    pub by: PeriodKind,
    /// First month of the year (1 = calendar, 4 = UK financial year).
    pub year_start: u32,
    /// The baseline asked for (`None`: the first year of complete periods of each measure).
    pub baseline_asked: Option<MonthRange>,
    /// Each measure's baseline.
    pub baselines: Vec<BaselineUsed>,
    /// The 95% limits' rule.
    pub limits: &'static str,
}

impl MonitorResult {
    /// The record of what this result used, from the options as given.
    pub fn used(&self, given: Given, baseline_asked: Option<MonthRange>) -> MonitorUsed {
        MonitorUsed {
            given,
            by: self.calendar.kind,
            year_start: self.calendar.year_start,
            baseline_asked,
            baselines: self
                .measures
                .iter()
                .map(|m| BaselineUsed {
                    measure: m.measure.name().to_string(),
                    months: m.baseline_range,
                    months_with_data: m.baseline_months,
                })
                .collect(),
            limits: "baseline mean per month x months, +/- 1.96 sqrt(phi x mean), lower floored at 0; phi = max(1, quasi-Poisson dispersion of the baseline months) (METHODS 10, 6b)",
        }
    }
}

/// File names as outputs record them: as text, a name that is not UTF-8 with its odd bytes
/// replaced (a record of the run, never a panic).
mod lossy {
    use serde::Serializer;
    use std::path::{Path, PathBuf};

    pub fn path<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&p.to_string_lossy())
    }

    pub fn paths<S: Serializer>(ps: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ps.iter().map(|p| p.to_string_lossy()))
    }

    pub fn optional<S: Serializer>(p: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.serialize_some(&p.to_string_lossy()),
            None => s.serialize_none(),
        }
    }
}
