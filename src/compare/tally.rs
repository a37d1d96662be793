//! Tallies of incidents per place × month × crime type (and harm per place × month), the
//! counting frame they are made in, and where each place sits in a tally (METHODS §6:
//! treatment area A, buffer ring B, control C of every area, and the pooled places).
//!
//! A tally is a flat vector, so partial tallies made over fixed chunks of incidents add up
//! in chunk order: the totals are identical at any thread count.

use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};
use rayon::prelude::*;

/// What a statistic is computed on.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(super) enum Measure {
    Crime,
    Asb,
    Harm,
    Type(usize),
}

/// Per place × month × type counts and per place × month harm sums.
#[derive(Clone, Debug)]
pub(super) struct Tallies {
    pub(super) months: usize,
    pub(super) types: usize,
    counts: Vec<u64>,
    pub(super) harm: Vec<f64>,
    pub(super) harm2: Vec<f64>,
}

impl Tallies {
    pub(super) fn new(places: usize, months: usize, types: usize) -> Tallies {
        Tallies {
            months,
            types,
            counts: vec![0; places * months * types],
            harm: vec![0.0; places * months],
            harm2: vec![0.0; places * months],
        }
    }

    #[inline]
    pub(super) fn add(&mut self, place: usize, m: usize, t: usize, w: f64) {
        let pm = place * self.months + m;
        self.counts[pm * self.types + t] += 1;
        self.harm[pm] += w;
        self.harm2[pm] += w * w;
    }

    pub(super) fn absorb(&mut self, o: &Tallies) {
        self.counts
            .iter_mut()
            .zip(&o.counts)
            .for_each(|(a, b)| *a += b);
        self.harm.iter_mut().zip(&o.harm).for_each(|(a, b)| *a += b);
        self.harm2
            .iter_mut()
            .zip(&o.harm2)
            .for_each(|(a, b)| *a += b);
    }

    /// Copies place 0 of a one-place tally into `place`.
    pub(super) fn put(&mut self, place: usize, one: &Tallies) {
        let (mt, m) = (self.months * self.types, self.months);
        self.counts[place * mt..(place + 1) * mt].copy_from_slice(&one.counts);
        self.harm[place * m..(place + 1) * m].copy_from_slice(&one.harm);
        self.harm2[place * m..(place + 1) * m].copy_from_slice(&one.harm2);
    }

    pub(super) fn count(&self, place: usize, m: usize, keep: &[bool]) -> u64 {
        let base = (place * self.months + m) * self.types;
        self.counts[base..base + self.types]
            .iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(c, _)| *c)
            .sum()
    }

    /// Incidents of every type at `place` in the months of `frame` that some period's
    /// before or after holds (the months a comparison analyses).
    pub(super) fn in_analysed_months(
        &self,
        frame: &Frame,
        place: usize,
        periods: &[super::period::Periods],
    ) -> u64 {
        let all = vec![true; self.types];
        (0..frame.months)
            .filter(|&m| {
                let mo = frame.first.add(m as i32);
                periods
                    .iter()
                    .any(|p| p.before.contains(mo) || p.after.contains(mo))
            })
            .map(|m| self.count(place, m, &all))
            .sum()
    }
}

/// Which places a tally holds, and where.
pub(super) struct Layout {
    pub(super) k: usize,
}

impl Layout {
    pub(super) fn treatment(&self, i: usize) -> usize {
        2 * i
    }
    pub(super) fn buffer(&self, i: usize) -> usize {
        2 * i + 1
    }
    pub(super) fn pooled_treatment(&self) -> usize {
        2 * self.k
    }
    pub(super) fn pooled_buffer(&self) -> usize {
        2 * self.k + 1
    }
    pub(super) fn control(&self) -> usize {
        2 * self.k + 2
    }
    pub(super) fn buffer_control(&self) -> usize {
        2 * self.k + 3
    }
    pub(super) fn places(&self) -> usize {
        2 * self.k + 4
    }
}

/// The counting context: months, types, masks.
pub(super) struct Frame<'a> {
    pub(super) inc: &'a Incidents,
    pub(super) first: Month,
    pub(super) months: usize,
    pub(super) crime: Vec<bool>,
    pub(super) asb: Vec<bool>,
}

impl Frame<'_> {
    #[inline]
    pub(super) fn month_index(&self, i: usize) -> Option<usize> {
        let m = self.inc.month[i];
        if m < self.first || m == Month::UNKNOWN {
            return None;
        }
        let k = m.since(self.first) as usize;
        (k < self.months).then_some(k)
    }

    pub(super) fn idx(&self, m: Month) -> usize {
        m.since(self.first) as usize
    }
}

/// Which months of `span` hold at least one incident (an OR over fixed chunks: exact at any
/// thread count).
pub(super) fn months_present(f: &Frame) -> Vec<bool> {
    let months = f.months;
    (0..f.inc.len())
        .into_par_iter()
        .with_min_len(1 << 16)
        .fold(
            || vec![false; months],
            |mut v, i| {
                if let Some(m) = f.month_index(i) {
                    v[m] = true;
                }
                v
            },
        )
        .reduce(
            || vec![false; months],
            |a, b| a.iter().zip(&b).map(|(x, y)| *x || *y).collect(),
        )
}

impl<'a> Frame<'a> {
    /// The frame of `inc` over the months of `span`.
    pub(super) fn new(inc: &'a Incidents, span: MonthRange) -> Frame<'a> {
        let ntypes = inc.types.len().max(1);
        let is_asb = |k: usize| k < inc.types.len() && inc.is_asb(k as u16);
        Frame {
            inc,
            first: span.from,
            months: span.len(),
            crime: (0..ntypes)
                .map(|k| k < inc.types.len() && !is_asb(k))
                .collect(),
            asb: (0..ntypes).map(is_asb).collect(),
        }
    }
}
