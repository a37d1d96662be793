//! The typed result of a before/after evaluation (METHODS §6): counts per place and period,
//! the statistics of each measure ([`super::stats::Effects`]), monthly series, and the
//! control used. Every output of `harmspot compare` is rendered from these records
//! (`crate::publish::compare`); nothing reads a result back by a string key.

use super::areas::{AreaShape, Overlap};
use super::period::Periods;
use super::stats::Effects;
use super::CountMethod;
use crate::model::month::{Month, MonthRange};
use geo::MultiPolygon;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Incidents in one place over one period.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Every incident.
    pub all: u64,
    /// Every type but anti-social behaviour.
    pub crime: u64,
    /// Anti-social behaviour.
    pub asb: u64,
    /// Sum of harm weights of every incident.
    pub harm: f64,
    /// Per crime type (every type of the data, zeros included).
    pub types: BTreeMap<String, u64>,
}

impl Counts {
    /// Adds another place's counts (a stacked pooled row).
    pub(crate) fn add(&mut self, o: &Counts) {
        self.all += o.all;
        self.crime += o.crime;
        self.asb += o.asb;
        self.harm += o.harm;
        for (k, v) in &o.types {
            *self.types.entry(k.clone()).or_default() += v;
        }
    }

    /// The incidents behind a measure's value: its own count, every incident for harm (a
    /// type missing from the data counts every incident, so nothing small slips through).
    ///
    /// ```
    /// use harmspot::compare::{Counts, MeasureKind};
    /// let c = Counts { all: 7, crime: 5, asb: 2, harm: 9.5, ..Default::default() };
    /// assert_eq!(c.support(&MeasureKind::Asb), 2);
    /// assert_eq!(c.support(&MeasureKind::Harm), 7);
    /// ```
    pub fn support(&self, measure: &MeasureKind) -> u64 {
        match measure {
            MeasureKind::Crime => self.crime,
            MeasureKind::Asb => self.asb,
            MeasureKind::Harm => self.all,
            MeasureKind::Violence => self.types.get(VIOLENCE).copied().unwrap_or(self.all),
            MeasureKind::Weapons => self.types.get(WEAPONS).copied().unwrap_or(self.all),
            MeasureKind::Type(t) => self.types.get(t).copied().unwrap_or(self.all),
        }
    }
}

/// Counts before and after.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PeriodCounts {
    /// Before period.
    pub before: Counts,
    /// After period.
    pub after: Counts,
}

impl PeriodCounts {
    /// Adds another place's before and after counts.
    pub(crate) fn add(&mut self, o: &PeriodCounts) {
        self.before.add(&o.before);
        self.after.add(&o.after);
    }
}

/// Counts of the three places.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceCounts {
    /// Treatment area.
    pub treatment: PeriodCounts,
    /// Buffer ring, when drawn.
    pub buffer: Option<PeriodCounts>,
    /// Control area (for the treatment area, and for the buffer too unless a buffer control
    /// was given).
    pub control: PeriodCounts,
    /// The buffer's own control area (`buffer_control` in [`super::AreasParams`]), when given.
    pub buffer_control: Option<PeriodCounts>,
}

/// police.uk's name of the violence type (the VRU's `violence` measure).
pub const VIOLENCE: &str = "Violence and sexual offences";
/// police.uk's name of the weapons type (the VRU's `weapons` measure: police.uk's nearest
/// proxy for knife crime).
pub const WEAPONS: &str = "Possession of weapons";

/// What a statistic is computed on. Written `crime`, `asb`, `violence`, `weapons`, `harm` or
/// `type:<crime type>` in every output.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MeasureKind {
    /// Every crime type but anti-social behaviour.
    Crime,
    /// Anti-social behaviour.
    Asb,
    /// Summed harm weights of every incident.
    Harm,
    /// Violence and sexual offences (police.uk's type [`VIOLENCE`]).
    Violence,
    /// Possession of weapons (police.uk's type [`WEAPONS`]), police.uk's nearest proxy for
    /// knife crime.
    Weapons,
    /// One crime type, by its name in the data.
    Type(String),
}

impl MeasureKind {
    /// Whether the measure's values are harm totals rather than counts.
    pub fn is_harm(&self) -> bool {
        matches!(self, MeasureKind::Harm)
    }
}

impl fmt::Display for MeasureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeasureKind::Crime => f.write_str("crime"),
            MeasureKind::Asb => f.write_str("asb"),
            MeasureKind::Harm => f.write_str("harm"),
            MeasureKind::Violence => f.write_str("violence"),
            MeasureKind::Weapons => f.write_str("weapons"),
            MeasureKind::Type(t) => write!(f, "type:{t}"),
        }
    }
}

impl Serialize for MeasureKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The statistics of one measure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureEffects {
    /// What the statistics are computed on.
    pub measure: MeasureKind,
    /// Every statistic of METHODS §6.
    #[serde(flatten)]
    pub effects: Effects,
}

/// Monthly values of one place.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SeriesPlace {
    /// Crime (every type but ASB) per month.
    pub crime: Vec<u64>,
    /// ASB per month.
    pub asb: Vec<u64>,
    /// Harm per month.
    pub harm: Vec<f64>,
}

/// Monthly series of an area, for charting the trend.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Series {
    /// Every month from the data's first to its last.
    pub months: Vec<Month>,
    /// `before`, `after`, `start` (an excluded start month) or `""`, per month.
    pub period: Vec<&'static str>,
    /// Treatment area.
    pub treatment: SeriesPlace,
    /// Buffer ring, when drawn.
    pub buffer: Option<SeriesPlace>,
    /// Control area.
    pub control: SeriesPlace,
    /// The buffer's own control area, when given.
    pub buffer_control: Option<SeriesPlace>,
}

/// Everything about one area (or the pooled areas).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaResult {
    /// The area's name (`All areas` for the pooled row).
    pub name: String,
    /// Feature number in the areas file (`None` when pooled).
    pub feature: Option<usize>,
    /// How the area was given (`None` when pooled).
    pub shape: Option<AreaShape>,
    /// The periods (`None` for a stacked pooled row, whose areas have different periods).
    pub periods: Option<Periods>,
    /// Treatment area, m².
    pub treatment_m2: f64,
    /// Buffer ring, m².
    pub buffer_m2: Option<f64>,
    /// What was wrong with the geometry, when it was repaired.
    pub repaired: Option<String>,
    /// Counts per place and period.
    pub counts: PlaceCounts,
    /// Statistics for `crime`, `asb`, `violence`, `weapons` (when the data hold those types),
    /// `harm` and each crime type, in that order.
    pub measures: Vec<MeasureEffects>,
    /// Monthly series.
    pub series: Series,
}

impl AreaResult {
    /// The statistics of a measure.
    pub fn measure(&self, kind: &MeasureKind) -> Option<&Effects> {
        self.measures
            .iter()
            .find(|m| &m.measure == kind)
            .map(|m| &m.effects)
    }

    /// The statistics of all crime (every type but ASB).
    pub fn crime(&self) -> Option<&Effects> {
        self.measure(&MeasureKind::Crime)
    }

    /// The statistics of anti-social behaviour.
    pub fn asb(&self) -> Option<&Effects> {
        self.measure(&MeasureKind::Asb)
    }

    /// The statistics of harm.
    pub fn harm(&self) -> Option<&Effects> {
        self.measure(&MeasureKind::Harm)
    }

    /// Whether this is the pooled row (all areas together).
    pub fn is_pooled(&self) -> bool {
        self.feature.is_none()
    }
}

/// The control area used.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlSummary {
    /// How it was defined, in words.
    pub definition: String,
    /// Its area, m² (after leaving out treatment areas and buffers).
    pub area_m2: f64,
}

/// How the pooled row counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Every area shares its periods: each incident counts once, in the union of the areas.
    Union,
    /// Areas have different periods: each area's own counts in its own periods are summed.
    Stacked,
}

/// The result of [`super::evaluate`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CompareResult {
    /// Months with data, as consecutive runs.
    pub data_months: Vec<MonthRange>,
    /// Crime types in the data.
    pub types: Vec<String>,
    /// The period rule in words (start month excluded or included, lengths).
    pub period_rule: String,
    /// Months either side chosen automatically, when no length was given.
    pub auto_months: Option<u32>,
    /// Whether every area has the same periods.
    pub shared_periods: bool,
    /// How the pooled row counts ([`Pooling`]).
    pub pooling: Pooling,
    /// Buffer width, metres.
    pub buffer_m: Option<f64>,
    /// Radius around point hubs, metres.
    pub radius_m: Option<f64>,
    /// The control area (for the treatment areas, and for the buffers unless a buffer
    /// control is given).
    pub control: ControlSummary,
    /// The buffers' own control area, when given (WDD with separate controls, METHODS §6).
    pub buffer_control: Option<ControlSummary>,
    /// Counting method used.
    pub method: CountMethod,
    /// One per treatment area, in file order.
    pub areas: Vec<AreaResult>,
    /// All areas together.
    pub pooled: AreaResult,
    /// Overlapping places.
    pub overlaps: Vec<Overlap>,
    /// Things the analyst should know (automatic choices, repairs, normalisation, overlaps).
    pub notes: Vec<String>,
    /// The control area's geometry, working CRS (for the map).
    #[serde(skip)]
    pub control_geometry: MultiPolygon<f64>,
    /// The buffer control's geometry, working CRS (for the map), when given.
    #[serde(skip)]
    pub buffer_control_geometry: Option<MultiPolygon<f64>>,
    /// Calibrated verdicts of the VRU's measures per area and pooled (METHODS §6b).
    pub verdicts: super::verdict::Verdicts,
}

impl CompareResult {
    /// Every area row, then the pooled row.
    pub fn rows(&self) -> impl Iterator<Item = &AreaResult> {
        self.areas.iter().chain(std::iter::once(&self.pooled))
    }

    /// Names of the rows (areas and the pooled row) whose crime WDD is dominated by a
    /// control's own change ([`super::stats::Wdd::warning`]).
    pub fn wdd_dominated(&self) -> Vec<&str> {
        self.rows()
            .filter(|x| x.crime().is_some_and(|e| e.wdd.warning.is_some()))
            .map(|x| x.name.as_str())
            .collect()
    }
}
