//! What a result was made with, as typed records: each analysis says what it used
//! (bandwidth and its source, cell size, periods, neighbour distance, …) in its own record
//! ([`crate::density::kde::KdeUsed`], [`crate::density::count::CountUsed`], [`crate::stats::gistar::GistarUsed`], …),
//! and a run adds what it read ([`RunRecord`]). A [`crate::Layer`] carries both; only the
//! publishing layer ([`crate::publish`]) turns them into JSON, GeoTIFF metadata and
//! summaries, so no sentence of an output can describe a method that was not run.

use crate::model::manifest::Manifest;
use crate::model::params::change::ChangeUsed;
use crate::model::params::count::CountUsed;
use crate::model::params::emerging::{EmergingUsed, Pattern};
use crate::model::params::evaluate::EvaluateUsed;
use crate::model::params::gistar::GistarUsed;
use crate::model::params::hotspots::{GistarValue, HotspotsUsed};
use crate::model::params::kde::KdeUsed;

/// What the analysis behind a layer used.
#[derive(Clone, Debug, Default)]
pub enum Used {
    /// Nothing recorded: a layer built by hand.
    #[default]
    Nothing,
    /// Incident and harm counts per cell ([`crate::density::count::aggregate`]).
    Count(CountUsed),
    /// A kernel density surface ([`crate::density::kde::estimate`]).
    Kde(KdeUsed),
    /// Gi* of per-cell counts or harm.
    Gistar {
        /// The counts Gi* ran on.
        cells: CountUsed,
        /// Which column Gi* tested.
        value: GistarValue,
        /// What Gi* used.
        gistar: GistarUsed,
    },
    /// The hotspots job ([`crate::hotspots::run`]): density, Gi*, hotspot areas, harm spots.
    Hotspots(Box<HotspotsUsed>),
    /// Before/after change per cell ([`crate::spacetime::change::compute`]).
    Change(Box<ChangeUsed>),
    /// Hotspots scored on a later period ([`crate::spacetime::evaluate::compute`]).
    Evaluate(Box<EvaluateUsed>),
    /// Emerging hot spot patterns ([`crate::spacetime::emerging::compute`]).
    Emerging(Box<EmergingLayerUsed>),
}

/// What an emerging hot spot layer records: the run's [`EmergingUsed`] and its cells per
/// pattern.
#[derive(Clone, Debug)]
pub struct EmergingLayerUsed {
    /// What the analysis used.
    pub used: EmergingUsed,
    /// Study-area cells per pattern, as computed.
    pub cells_per_pattern: Vec<(Pattern, usize)>,
    /// Cells per pattern as published after disclosure control, with the cells whose
    /// pattern was suppressed; `None` when no control was applied.
    pub published: Option<(Vec<(Pattern, usize)>, usize)>,
}

/// What a run adds to every output: where the incidents came from and how the grid was
/// chosen. Set by the command that ran (see `record_run` in the CLI).
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// The working CRS, e.g. `EPSG:27700`.
    pub working_crs: String,
    /// What was read.
    pub input: InputRecord,
    /// Where the harm weights came from, in words.
    pub harm: String,
    /// How the grid was chosen.
    pub grid: GridDecisions,
    /// The run's manifest (command, inputs and their hashes), for replays.
    pub manifest: Option<Manifest>,
}

/// What was read, for every output.
#[derive(Clone, Debug, Default)]
pub struct InputRecord {
    /// The files read.
    pub files: Vec<String>,
    /// Data rows read.
    pub rows: u64,
    /// Rows kept.
    pub kept: u64,
    /// Rows skipped (unusable).
    pub skipped: u64,
    /// Rows left out by the crime-type/month filter.
    pub filtered: u64,
    /// First to last month of the incidents kept, e.g. `2021-01..2021-12`.
    pub months: Option<String>,
    /// The crime-type filter as given.
    pub types: Option<String>,
    /// The crime types left out, as given.
    pub exclude_types: Option<String>,
}

/// How a run's grid was chosen (the grid itself travels with the layer).
#[derive(Clone, Debug, Default)]
pub struct GridDecisions {
    /// Whether the cell size was given (else chosen automatically).
    pub cell_size_given: bool,
    /// Strays left out of the automatic extent, when the extent was automatic.
    pub strays_left_out: Option<usize>,
}

impl GridDecisions {
    /// Where the cell size came from, in words.
    pub fn cell_size_source(&self) -> &'static str {
        if self.cell_size_given {
            "given"
        } else {
            "automatic: shorter side of the extent / 250, rounded, at least 50 m"
        }
    }
}
