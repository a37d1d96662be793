//! Monthly tallies per treatment area for verbs that count in areas without a before/after
//! design (`harmspot monitor`, METHODS §10), made by compare's own counting
//! (`compare::count`, counting rules in [`super`]): an incident is counted in every area it
//! lies in (a point hub's exact circle, else point-in-polygon with the edge outside), and
//! once in the union of the areas ("all areas together").
//!
//! The tally is compare's one-pass tally, so the counts are identical to `compare`'s at any
//! thread count; the bounded-work check of [`super::work`] runs first.

use super::areas::AreaSet;
use super::tally::{Frame, Layout};
use super::CountMethod;
use crate::error::Result;
use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};

/// Incidents per area × month × crime type, and harm per area × month, over the months of a
/// span. Place `k` is area `k`; place `areas` (one past the last area) is the union of
/// every area, each incident counted once.
#[derive(Clone, Debug)]
pub struct AreaTally {
    /// First month of the span.
    pub first: Month,
    /// Months in the span.
    pub months: usize,
    /// Number of areas (the pooled place is `areas`).
    pub areas: usize,
    types: usize,
    counts: Vec<u64>,
    harm: Vec<f64>,
}

impl AreaTally {
    /// Incidents of the types kept by `keep` (indexed like the incidents' `types`) in place
    /// `place` and month index `m`.
    pub fn count(&self, place: usize, m: usize, keep: &[bool]) -> u64 {
        let base = (place * self.months + m) * self.types;
        self.counts[base..base + self.types]
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .sum()
    }

    /// Number of crime types tallied.
    pub fn types(&self) -> usize {
        self.types
    }

    /// Sum of the harm weights of every incident in place `place` and month index `m`.
    pub fn harm(&self, place: usize, m: usize) -> f64 {
        self.harm[place * self.months + m]
    }
}

/// Tallies `incidents` in each area of `set` and in their union, month by month over
/// `span`, with compare's one-pass counting.
///
/// Errors: counting whose point-in-polygon tests would exceed
/// [`super::work::MAX_VERTEX_TESTS`] ([`crate::Error::Work`], before counting).
pub fn tally_areas(incidents: &Incidents, set: &AreaSet, span: MonthRange) -> Result<AreaTally> {
    super::work::check_counting(incidents, set)?;
    let frame = Frame::new(incidents, span);
    let lay = Layout { k: set.areas.len() };
    let t = super::count::count(CountMethod::OnePass, &frame, set, &lay, span);
    let k = set.areas.len();
    let types = t.types;
    let mut counts = Vec::with_capacity((k + 1) * t.months * types);
    let mut harm = Vec::with_capacity((k + 1) * t.months);
    let one_hot: Vec<Vec<bool>> = (0..types)
        .map(|ty| (0..types).map(|j| j == ty).collect())
        .collect();
    for place in (0..k)
        .map(|i| lay.treatment(i))
        .chain([lay.pooled_treatment()])
    {
        for m in 0..t.months {
            counts.extend(one_hot.iter().map(|keep| t.count(place, m, keep)));
            harm.push(t.harm[place * t.months + m]);
        }
    }
    Ok(AreaTally {
        first: span.from,
        months: t.months,
        areas: k,
        types,
        counts,
        harm,
    })
}
