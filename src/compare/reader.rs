//! Reading a tally as the evaluation's cells (METHODS §6): counts and harm totals of one
//! place summed over a period, the before/after [`Table`] of one measure handed to
//! [`super::stats::effects`], and the monthly series of a place.

use super::period::Periods;
use super::result::{Counts, MeasureKind, PeriodCounts, SeriesPlace};
use super::stats::{Cell, Table};
use super::tally::{Frame, Measure, Tallies};
use crate::model::incident::Incidents;
use crate::model::month::MonthRange;

/// What the evaluation's cells are, for one area's periods.
pub(super) struct Reader<'a> {
    pub(super) f: &'a Frame<'a>,
    pub(super) t: &'a Tallies,
    pub(super) types: &'a [String],
    /// Decimals of the harm weights: harm sums are rounded to them
    /// ([`crate::model::harm_round`]).
    pub(super) harm_decimals: u32,
}

impl Reader<'_> {
    fn mask(&self, m: Measure) -> Vec<bool> {
        match m {
            Measure::Crime => self.f.crime.clone(),
            Measure::Asb => self.f.asb.clone(),
            Measure::Harm => vec![true; self.t.types],
            Measure::Type(k) => (0..self.t.types).map(|j| j == k).collect(),
        }
    }

    pub(super) fn cell(&self, place: usize, r: MonthRange, m: Measure) -> Cell {
        if m == Measure::Harm {
            let (mut s, mut s2) = (0.0, 0.0);
            for mo in r.iter() {
                let pm = place * self.t.months + self.f.idx(mo);
                s += self.t.harm[pm];
                s2 += self.t.harm2[pm];
            }
            let mut one = [s];
            crate::model::harm_round::round_sums(&mut one, self.harm_decimals);
            return Cell::harm(one[0], s2);
        }
        let keep = self.mask(m);
        Cell::count(
            r.iter()
                .map(|mo| self.t.count(place, self.f.idx(mo), &keep))
                .sum::<u64>() as f64,
        )
    }

    pub(super) fn counts(&self, place: usize, r: MonthRange) -> Counts {
        let sum = |m: Measure| self.cell(place, r, m).value;
        Counts {
            all: (sum(Measure::Crime) + sum(Measure::Asb)) as u64,
            crime: sum(Measure::Crime) as u64,
            asb: sum(Measure::Asb) as u64,
            harm: sum(Measure::Harm),
            types: self
                .types
                .iter()
                .enumerate()
                .map(|(k, name)| (name.clone(), sum(Measure::Type(k)) as u64))
                .collect(),
        }
    }

    pub(super) fn period_counts(&self, place: usize, p: &Periods) -> PeriodCounts {
        PeriodCounts {
            before: self.counts(place, p.before),
            after: self.counts(place, p.after),
        }
    }

    pub(super) fn series(&self, place: usize) -> SeriesPlace {
        let (crime, asb) = (&self.f.crime, &self.f.asb);
        SeriesPlace {
            crime: (0..self.t.months)
                .map(|m| self.t.count(place, m, crime))
                .collect(),
            asb: (0..self.t.months)
                .map(|m| self.t.count(place, m, asb))
                .collect(),
            harm: {
                let mut h: Vec<f64> = (0..self.t.months)
                    .map(|m| self.t.harm[place * self.t.months + m])
                    .collect();
                crate::model::harm_round::round_sums(&mut h, self.harm_decimals);
                h
            },
        }
    }

    pub(super) fn table(&self, places: [Option<usize>; 4], p: &Periods, m: Measure) -> Table {
        let two = |pl: usize| [self.cell(pl, p.before, m), self.cell(pl, p.after, m)];
        Table {
            a: two(places[0].expect("a treatment place")),
            b: places[1].map(two),
            c: two(places[2].expect("a control place")),
            cd: places[3].map(two),
            months: [p.months_before, p.months_after],
            counts: m != Measure::Harm,
        }
    }
}

/// The measures of every row, in order: the VRU's crime, ASB, violence and weapons (when
/// the data hold those types) and harm, then each crime type but ASB.
pub(super) fn measures(inc: &Incidents) -> Vec<(MeasureKind, Measure)> {
    let mut v = vec![
        (MeasureKind::Crime, Measure::Crime),
        (MeasureKind::Asb, Measure::Asb),
    ];
    for (kind, name) in [
        (MeasureKind::Violence, super::result::VIOLENCE),
        (MeasureKind::Weapons, super::result::WEAPONS),
    ] {
        if let Some(k) = inc.types.iter().position(|t| t.eq_ignore_ascii_case(name)) {
            v.push((kind, Measure::Type(k)));
        }
    }
    v.push((MeasureKind::Harm, Measure::Harm));
    for (k, name) in inc.types.iter().enumerate() {
        if !inc.is_asb(k as u16) {
            v.push((MeasureKind::Type(name.clone()), Measure::Type(k)));
        }
    }
    v
}
