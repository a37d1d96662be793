//! Recording gaps: months in which a police measure is far below its usual level in the
//! whole extract (not just the monitored areas), e.g. anti-social behaviour in Northumbria's
//! 2020-07 file, 1,368 records against 5,700–6,300 in the months either side. A period
//! holding such a month can read as a fall that is a gap in the data; reports say so next
//! to the period (METHODS §10: a gap is never to be read as an effect).
//!
//! Rule: a present month whose count is under half of each present month next to it
//! (the month before and the month after; one of them at the ends of the data), when the
//! smaller neighbour holds at least [`MIN_NEIGHBOUR`] records. A steady decline is not a
//! gap: Northumbria's ASB fell from 4,141 (2021-07) to 2,565 (2021-12) month by month.

use super::measures::{Measure, VIOLENCE, WEAPONS};
use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};
use serde::Serialize;

/// Whether a crime type (by index) belongs to a measure.
type TypeTest<'a> = Box<dyn Fn(usize) -> bool + 'a>;

/// Smallest neighbouring count checked: below it, a halving is ordinary noise.
pub const MIN_NEIGHBOUR: u64 = 50;

/// A month with far fewer records of a measure than usual in the whole extract.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Gap {
    /// The measure.
    pub measure: Measure,
    /// The month.
    pub month: Month,
    /// Its records in the whole extract.
    pub count: u64,
    /// The smaller count of the months next to it.
    pub neighbour: u64,
}

/// The recording gaps of crime, asb, violence and weapons over `span` (`present` indexed
/// by months since `span.from`).
///
/// ```
/// use harmspot::monitor::gaps::find;
/// use harmspot::{Incidents, Month, MonthRange};
/// let span = MonthRange::parse("2020-06..2020-09").unwrap();
/// let mut inc = Incidents { types: vec!["Anti-social behaviour".into()], ..Default::default() };
/// // 2020-07 is a gap; 2020-09's fall from 620 to 400 is not
/// for (m, n) in [("2020-06", 600), ("2020-07", 137), ("2020-08", 620), ("2020-09", 400)] {
///     for _ in 0..n { inc.xy.push([0.0, 0.0]); inc.month.push(Month::parse(m).unwrap()); inc.kind.push(0); inc.harm.push(1.0) }
/// }
/// let g = find(&inc, span, &[true; 4]);
/// assert_eq!((g.len(), g[0].month.to_string(), g[0].count), (1, "2020-07".to_string(), 137));
/// ```
pub fn find(inc: &Incidents, span: MonthRange, present: &[bool]) -> Vec<Gap> {
    let measures: [(Measure, TypeTest); 4] = [
        (Measure::Crime, Box::new(|k| !inc.is_asb(k as u16))),
        (Measure::Asb, Box::new(|k| inc.is_asb(k as u16))),
        (
            Measure::Violence,
            Box::new(|k| inc.types[k].eq_ignore_ascii_case(VIOLENCE)),
        ),
        (
            Measure::Weapons,
            Box::new(|k| inc.types[k].eq_ignore_ascii_case(WEAPONS)),
        ),
    ];
    let mut by_type = vec![vec![0u64; span.len()]; inc.types.len()];
    for (m, k) in inc.month.iter().zip(&inc.kind) {
        if span.contains(*m) {
            by_type[*k as usize][m.since(span.from) as usize] += 1;
        }
    }
    let mut out = Vec::new();
    for (measure, keep) in measures {
        let monthly: Vec<u64> = (0..span.len())
            .map(|m| {
                (0..inc.types.len())
                    .filter(|&k| keep(k))
                    .map(|k| by_type[k][m])
                    .sum()
            })
            .collect();
        for m in (0..span.len()).filter(|&m| present[m]) {
            let next: Vec<u64> = [m.checked_sub(1), Some(m + 1)]
                .into_iter()
                .flatten()
                .filter(|&j| j < span.len() && present[j])
                .map(|j| monthly[j])
                .collect();
            let Some(&low) = next.iter().min() else {
                continue;
            };
            if low >= MIN_NEIGHBOUR && 2 * monthly[m] < low {
                out.push(Gap {
                    measure: measure.clone(),
                    month: span.from.add(m as i32),
                    count: monthly[m],
                    neighbour: low,
                });
            }
        }
    }
    out
}
