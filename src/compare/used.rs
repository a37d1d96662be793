//! What a before/after evaluation used (METHODS §6), as one typed record: the inputs and
//! options as the caller gave them ([`Given`]) and what the analysis decided from them —
//! radius, buffer, the period rule, the counting method and the definitions of the
//! measures and tests. The publisher (`crate::publish::compare`) writes it as the
//! `parameters` of `report.json`, `manifest.json` and `areas.geojson`.
//!
//! Definitions name parameters as `‹name›` ([`crate::Param`]); a front end spells them its
//! own way when the record is published.

use super::result::CompareResult;
use super::CountMethod;
use serde::{Serialize, Serializer};
use std::path::PathBuf;

/// Where harm weights came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HarmSource {
    /// A column of the input holding each incident's weight.
    WeightColumn(String),
    /// A harm table: where it came from and its version.
    Table {
        /// Its path, or `default`.
        origin: String,
        /// Its version line.
        version: String,
    },
}

impl std::fmt::Display for HarmSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HarmSource::WeightColumn(c) => write!(f, "weight column `{c}`"),
            HarmSource::Table { origin, version } => {
                write!(f, "harm table `{origin}` (version {version})")
            }
        }
    }
}

impl Serialize for HarmSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The control given: a file, or the rest of the study area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlSource {
    /// The rest of the study area, minus every treatment area and buffer.
    RestOfStudyArea,
    /// A GeoJSON file of polygons.
    File(PathBuf),
}

impl Serialize for ControlSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ControlSource::RestOfStudyArea => s.serialize_str("rest of the study area"),
            ControlSource::File(p) => p.serialize(s),
        }
    }
}

/// The inputs and options as the caller gave them (paths, filters, the periods as
/// written), recorded beside what the analysis decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Given {
    /// The extracts read (files or folders).
    pub inputs: Vec<PathBuf>,
    /// The areas file.
    pub areas: PathBuf,
    /// The areas file's CRS, when given.
    pub areas_crs: Option<String>,
    /// Property holding each area's name.
    pub name_field: String,
    /// The control.
    pub control: ControlSource,
    /// The buffers' own control file, when given.
    pub buffer_control: Option<PathBuf>,
    /// The study-area boundary file, when given.
    pub boundary: Option<PathBuf>,
    /// Property holding each area's start month, when given.
    pub start_field: Option<String>,
    /// The start month as written, when given.
    pub start: Option<String>,
    /// Months either side, when given.
    pub months: Option<u32>,
    /// Whether the start month counts in the after period.
    pub include_start_month: bool,
    /// The before period as written, when given.
    pub before: Option<String>,
    /// The after period as written, when given.
    pub after: Option<String>,
    /// The working CRS.
    pub working_crs: String,
    /// Where harm weights came from.
    pub harm: HarmSource,
    /// Crime types kept, as written.
    pub types: Option<String>,
    /// Crime types left out, as written.
    pub exclude_types: Option<String>,
    /// First month kept, as written.
    pub from: Option<String>,
    /// Last month kept, as written.
    pub to: Option<String>,
}

/// What the measures and tests of `report.json` are (METHODS §6).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Definitions {
    /// All crime.
    pub crime: String,
    /// Anti-social behaviour.
    pub asb: String,
    /// Harm.
    pub harm: String,
    /// The WDD variance used: with one control, or separate controls.
    pub wdd_variance: String,
    /// How a point hub's treatment area and buffer are decided.
    pub hub_membership: String,
    /// The RES and its zero correction.
    pub res: String,
    /// Which way p-values go.
    pub pvalues: String,
}

impl Definitions {
    /// The definitions, with separate controls for the treatment areas and the buffers or
    /// one control serving both.
    pub fn new(separate_controls: bool) -> Definitions {
        let wdd_variance = if separate_controls {
            "A_a + A_b + B_a + B_b + Ct_a + Ct_b + Cd_a + Cd_b (separate controls for the treatment areas and the buffers)"
        } else {
            "A_a + A_b + B_a + B_b + 4(C_a + C_b) (one control serves the treatment area and the buffer: WDD = dA + dB - 2 dC)"
        };
        Definitions {
            crime: "every crime type but Anti-social behaviour (independent of ‹types›)".into(),
            asb: "Anti-social behaviour".into(),
            harm: "sum of harm weights of every incident kept".into(),
            wdd_variance: wdd_variance.into(),
            hub_membership: "a point hub's treatment area is every incident at most ‹radius› metres from it, its buffer every incident more than ‹radius› and at most ‹radius› + ‹buffer› metres from it (exact distance, working CRS)".into(),
            res: "(A_b C_a)/(A_a C_b); > 1 = relative fall; 0.5 added to every count when one is zero".into(),
            pvalues: "two-sided normal".into(),
        }
    }

    /// The definitions with every `‹parameter›` mention spelled by `spell` (a front
    /// end's own names for the parameters, e.g. its flags).
    pub fn spelled(self, spell: &dyn Fn(&str) -> String) -> Definitions {
        Definitions {
            crime: spell(&self.crime),
            asb: spell(&self.asb),
            harm: spell(&self.harm),
            wdd_variance: spell(&self.wdd_variance),
            hub_membership: spell(&self.hub_membership),
            res: spell(&self.res),
            pvalues: spell(&self.pvalues),
        }
    }
}

/// What a comparison used: the caller's inputs and options, and what the analysis decided.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareUsed {
    /// Inputs and options as given.
    #[serde(flatten)]
    pub given: Given,
    /// Radius around point hubs, metres.
    pub radius_m: Option<f64>,
    /// Buffer width, metres.
    pub buffer_m: Option<f64>,
    /// The period rule in words.
    pub period_rule: String,
    /// Counting method used.
    pub count_method: CountMethod,
    /// How the verdicts were made (placebos, seed, α, counterfactual; METHODS §6b).
    pub inference: super::verdict::InferenceParams,
    /// What the measures and tests are.
    pub definitions: Definitions,
}

impl CompareResult {
    /// The record of what this comparison used, with the caller's inputs and options.
    pub fn used(&self, given: Given) -> CompareUsed {
        CompareUsed {
            given,
            radius_m: self.radius_m,
            buffer_m: self.buffer_m,
            period_rule: self.period_rule.clone(),
            count_method: self.method,
            inference: self.verdicts.params.clone(),
            definitions: Definitions::new(self.buffer_control.is_some()),
        }
    }
}
