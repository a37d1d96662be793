//! The measures a monitoring table reports (METHODS §10; the `measure` column) and their
//! monthly series per area: `crime` (every type but anti-social behaviour), `asb`,
//! `violence` (Violence and sexual offences), `weapons` (Possession of weapons), `harm`
//! (the sum of harm weights of every incident), `repeat_locations` (incidents at a map point
//! with another incident in the 12 months before, [`super::repeat`]), `activities` (partner
//! activity points) and each measure of an area-counts file.

use crate::compare::per_area::AreaTally;
use crate::model::incident::Incidents;
use serde::Serialize;

/// police.uk's name of the `violence` measure's crime type.
pub const VIOLENCE: &str = "Violence and sexual offences";
/// police.uk's name of the `weapons` measure's crime type.
pub const WEAPONS: &str = "Possession of weapons";

/// One measure of the monitoring table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Every crime type but anti-social behaviour.
    Crime,
    /// Anti-social behaviour.
    Asb,
    /// Violence and sexual offences.
    Violence,
    /// Possession of weapons.
    Weapons,
    /// Sum of the harm weights of every incident (crime and ASB).
    Harm,
    /// Incidents (crime and ASB) at a map point with another incident in the 12 months before.
    RepeatLocations,
    /// Partner activity points.
    Activities,
    /// A measure of an area-counts file, by its name there.
    Coded(String),
}

impl Measure {
    /// The `measure` column's value.
    pub fn name(&self) -> &str {
        match self {
            Measure::Crime => "crime",
            Measure::Asb => "asb",
            Measure::Violence => "violence",
            Measure::Weapons => "weapons",
            Measure::Harm => "harm",
            Measure::RepeatLocations => "repeat_locations",
            Measure::Activities => "activities",
            Measure::Coded(n) => n,
        }
    }

    /// What it counts, in words, for reports.
    pub fn describe(&self) -> String {
        match self {
            Measure::Crime => "crime (every police.uk type but anti-social behaviour)".into(),
            Measure::Asb => "anti-social behaviour".into(),
            Measure::Violence => "violence and sexual offences".into(),
            Measure::Weapons => "possession of weapons".into(),
            Measure::Harm => "harm (sum of the harm weights of every incident)".into(),
            Measure::RepeatLocations => "incidents at repeat locations (a map point with another incident in the 12 months before)".into(),
            Measure::Activities => "partner activities".into(),
            Measure::Coded(n) => format!("{n} (area-coded counts)"),
        }
    }

    /// Its title in reports: `Crime`, `Anti-social behaviour`, ….
    pub fn title(&self) -> &str {
        match self {
            Measure::Crime => "Crime",
            Measure::Asb => "Anti-social behaviour",
            Measure::Violence => "Violence and sexual offences",
            Measure::Weapons => "Possession of weapons",
            Measure::Harm => "Harm",
            Measure::RepeatLocations => "Incidents at repeat locations",
            Measure::Activities => "Partner activities",
            Measure::Coded(n) => n,
        }
    }

    /// Whether its values are counts (harm is a sum of weights).
    pub fn is_count(&self) -> bool {
        !matches!(self, Measure::Harm)
    }
}

/// A measure's monthly values per place (each area, then all areas together), the support
/// of each value for disclosure control (the incidents it is built from), and which months
/// of the span the measure has.
#[derive(Clone, Debug)]
pub struct Series {
    /// The measure.
    pub measure: Measure,
    /// `values[place][month]`.
    pub values: Vec<Vec<f64>>,
    /// `support[place][month]`: incidents (or rows' counts) behind the value.
    pub support: Vec<Vec<f64>>,
    /// Months of the span the measure has.
    pub present: Vec<bool>,
}

fn type_mask(inc: &Incidents, pred: impl Fn(usize) -> bool) -> Vec<bool> {
    (0..inc.types.len().max(1))
        .map(|k| k < inc.types.len() && pred(k))
        .collect()
}

/// Counts of the types `keep` marks (indexed like the incidents' types) per place × month.
/// A tally of [`super::repeat::doubled`] incidents holds each type twice: both count.
fn counts(t: &AreaTally, keep: &[bool]) -> Vec<Vec<f64>> {
    let keep: Vec<bool> = (0..t.types()).map(|k| keep[k % keep.len()]).collect();
    let keep = &keep;
    (0..=t.areas)
        .map(|p| (0..t.months).map(|m| t.count(p, m, keep) as f64).collect())
        .collect()
}

/// The police measures (crime, asb, violence, weapons, harm) from a tally of the incidents.
pub(super) fn police(t: &AreaTally, inc: &Incidents, present: &[bool]) -> Vec<Series> {
    let asb = type_mask(inc, |k| inc.is_asb(k as u16));
    let crime = type_mask(inc, |k| !inc.is_asb(k as u16));
    let named = |n: &str| type_mask(inc, |k| inc.types[k].eq_ignore_ascii_case(n));
    let all = type_mask(inc, |_| true);
    let incidents = counts(t, &all);
    let harm: Vec<Vec<f64>> = (0..=t.areas)
        .map(|p| (0..t.months).map(|m| t.harm(p, m)).collect())
        .collect();
    let own = |measure: Measure, keep: &[bool]| {
        let v = counts(t, keep);
        Series {
            measure,
            support: v.clone(),
            values: v,
            present: present.to_vec(),
        }
    };
    vec![
        own(Measure::Crime, &crime),
        own(Measure::Asb, &asb),
        own(Measure::Violence, &named(VIOLENCE)),
        own(Measure::Weapons, &named(WEAPONS)),
        Series {
            measure: Measure::Harm,
            values: harm,
            support: incidents,
            present: present.to_vec(),
        },
    ]
}

/// Incidents at repeat locations, from a tally of [`super::repeat::doubled`] incidents.
pub(super) fn repeats(t: &AreaTally, present: Vec<bool>) -> Series {
    let n = t.types() / 2;
    let v = counts(t, &(0..2 * n).map(|k| k >= n).collect::<Vec<_>>());
    Series {
        measure: Measure::RepeatLocations,
        support: v.clone(),
        values: v,
        present,
    }
}

/// A measure counting every incident of a tally (activities).
pub(super) fn all_of(t: &AreaTally, measure: Measure, present: Vec<bool>) -> Series {
    let v = counts(t, &vec![true; t.types()]);
    Series {
        measure,
        support: v.clone(),
        values: v,
        present,
    }
}
