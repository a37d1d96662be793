//! Repeat locations (METHODS §10): an incident is at a *repeat location* when its map
//! point had at least one other incident in the 12 months before its month (months
//! `m − 12 … m − 1`; police.uk gives months only, so incidents of the same month are not
//! "before" one another). police.uk snaps every incident to an anonymous map point, so a
//! location is a snapped point: incidents share a location when their coordinates are
//! bit-for-bit equal.
//!
//! A month's share is only comparable when the 12 months before it are all in the data: a
//! shorter look-back finds fewer repeats. [`lookback_complete`] says which months qualify;
//! the others are treated as months missing from this measure.

use crate::model::incident::Incidents;
use crate::model::month::{Month, MonthRange};
use std::collections::HashMap;

/// Months of look-back.
pub const LOOKBACK_MONTHS: i32 = 12;

/// Whether each incident is at a repeat location: its map point had another incident in the
/// 12 months before its month. Incidents with an unknown month are never repeats.
///
/// # Examples
/// ```
/// use harmspot::monitor::repeat::repeats;
/// use harmspot::{Incidents, Month};
/// let m = |s: &str| Month::parse(s).unwrap();
/// let inc = Incidents {
///     xy: vec![[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 0.0], [0.0, 0.0]],
///     month: vec![m("2021-01"), m("2021-01"), m("2021-06"), m("2021-06"), m("2022-07")],
///     kind: vec![0; 5], harm: vec![1.0; 5], types: vec!["Burglary".into()], ..Default::default()
/// };
/// // January's two have nothing before them; June's first has January's; 2022-07 is
/// // 13 months after June 2021: nothing in its look-back
/// assert_eq!(repeats(&inc), vec![false, false, true, false, false]);
/// ```
pub fn repeats(inc: &Incidents) -> Vec<bool> {
    // months of each location, sorted
    let mut loc_of: HashMap<(u64, u64), u32> = HashMap::new();
    let mut months: Vec<Vec<u32>> = Vec::new();
    let ids: Vec<u32> = inc
        .xy
        .iter()
        .map(|p| {
            let key = (p[0].to_bits(), p[1].to_bits());
            let next = months.len() as u32;
            let id = *loc_of.entry(key).or_insert(next);
            if id == next {
                months.push(Vec::new());
            }
            id
        })
        .collect();
    for (i, &id) in ids.iter().enumerate() {
        if inc.month[i] != Month::UNKNOWN {
            months[id as usize].push(inc.month[i].index());
        }
    }
    for v in &mut months {
        v.sort_unstable();
    }
    ids.iter()
        .enumerate()
        .map(|(i, &id)| {
            let m = inc.month[i];
            if m == Month::UNKNOWN {
                return false;
            }
            let v = &months[id as usize];
            let hi = m.index();
            let lo = hi.saturating_sub(LOOKBACK_MONTHS as u32);
            // incidents in [lo, hi): any at all
            let a = v.partition_point(|&x| x < lo);
            let b = v.partition_point(|&x| x < hi);
            b > a
        })
        .collect()
}

/// Which months of `span` have all of their 12 months of look-back in the data
/// (`present` indexed by months since `span.from`), and are present themselves.
pub fn lookback_complete(span: MonthRange, present: &[bool]) -> Vec<bool> {
    (0..span.len())
        .map(|k| {
            present[k]
                && (1..=LOOKBACK_MONTHS).all(|d| {
                    let j = k as i32 - d;
                    j >= 0 && present[j as usize]
                })
        })
        .collect()
}

/// The incidents with their types doubled for counting in one pass: an incident of type
/// `k` keeps `k` when it is not at a repeat location and becomes `k + n` when it is (`n`
/// types). A tally of it gives every police measure (types `k` and `k + n` together) and
/// the repeat-location count (types `n..2n`) from one point-in-polygon pass.
pub fn doubled(inc: &Incidents, is_repeat: &[bool]) -> Incidents {
    let n = inc.types.len() as u16;
    let mut types = inc.types.clone();
    types.extend(inc.types.iter().map(|t| format!("{t} (repeat location)")));
    Incidents {
        xy: inc.xy.clone(),
        month: inc.month.clone(),
        kind: inc
            .kind
            .iter()
            .zip(is_repeat)
            .map(|(&k, &r)| if r { k + n } else { k })
            .collect(),
        harm: inc.harm.clone(),
        types,
        places: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookback_needs_twelve_months_before() {
        let span = MonthRange::new(
            Month::parse("2020-05").unwrap(),
            Month::parse("2021-12").unwrap(),
        )
        .unwrap();
        let present = vec![true; span.len()];
        let ok = lookback_complete(span, &present);
        // 2021-05 is the first month with 2020-05..2021-04 before it
        assert_eq!(ok.iter().position(|x| *x), Some(12));
        assert!(ok[12..].iter().all(|x| *x));
        let mut gap = present.clone();
        gap[14] = false; // 2021-07 missing: it and the 12 months after it fail
        let ok = lookback_complete(span, &gap);
        assert!(ok[12] && ok[13] && !ok[14] && !ok[15] && !ok[19]);
    }

    #[test]
    fn empty_and_unknown_months() {
        assert!(repeats(&Incidents::default()).is_empty());
        let inc = Incidents {
            xy: vec![[1.0, 1.0], [1.0, 1.0]],
            month: vec![Month::UNKNOWN, Month::parse("2021-02").unwrap()],
            kind: vec![0, 0],
            harm: vec![1.0, 1.0],
            types: vec!["Drugs".into()],
            ..Default::default()
        };
        assert_eq!(repeats(&inc), vec![false, false]);
    }
}
