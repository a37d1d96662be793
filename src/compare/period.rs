//! Before and after periods of a before/after evaluation (METHODS §6: "periods are month
//! ranges").
//!
//! Three ways to give them:
//! - explicit ranges, `--before 2021-01..2021-12 --after 2022-01..2022-12`;
//! - a start month and a length, `--start 2022-01 --months 12`: K months before the start
//!   and K after it. The start month itself is **excluded** by default (the month a hub
//!   opens is part-treated), so the after period is `start+1 ..= start+K`; with
//!   `include_start` it is `start ..= start+K−1`;
//! - a start month per area (`--start-field`), with the same rule per area.
//!
//! Without a length, K is the largest that every area's periods fit in the data. Every month
//! of a period must hold data (a month missing from the extract would read as a fall to
//! zero), and the error names the months available. Periods of unequal length are allowed
//! for explicit ranges; the statistics are then normalised per month (see [`super::stats`]).

use crate::error::{Error, Result};
pub use crate::model::month::{describe_runs, runs};
use crate::model::month::{Month, MonthRange};
use serde::Serialize;

/// How the periods are chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum PeriodSpec {
    /// The same explicit ranges for every area.
    Explicit {
        /// Before period.
        before: MonthRange,
        /// After period; must start after `before` ends.
        after: MonthRange,
    },
    /// One start month for every area.
    Start {
        /// The month the intervention started.
        start: Month,
        /// Months on each side; `None` = the most the data allow.
        months: Option<u32>,
        /// Put the start month in the after period instead of leaving it out.
        include_start: bool,
    },
    /// Each area's own start month (from `--start-field`).
    PerArea {
        /// Months on each side; `None` = the most the data allow for every area.
        months: Option<u32>,
        /// Put each start month in its after period instead of leaving it out.
        include_start: bool,
    },
}

/// The resolved periods of one area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Periods {
    /// Before period.
    pub before: MonthRange,
    /// After period.
    pub after: MonthRange,
    /// The start month, when periods come from one.
    pub start: Option<Month>,
    /// What happens to the start month: `excluded`, `in after period`, or `none` for
    /// explicit ranges.
    pub start_month: &'static str,
    /// Months in the before period.
    pub months_before: u32,
    /// Months in the after period.
    pub months_after: u32,
    /// Whether the lengths differ, so the statistics are per month.
    pub normalised: bool,
}

impl Periods {
    fn new(before: MonthRange, after: MonthRange, start: Option<Month>, include: bool) -> Periods {
        let (b, a) = (before.len() as u32, after.len() as u32);
        Periods {
            before,
            after,
            start,
            start_month: match (start, include) {
                (None, _) => "none",
                (Some(_), false) => "excluded",
                (Some(_), true) => "in after period",
            },
            months_before: b,
            months_after: a,
            normalised: b != a,
        }
    }

    /// `before`, `after`, `start` (an excluded start month) or `""` for a month outside both.
    pub fn classify(&self, m: Month) -> &'static str {
        if self.before.contains(m) {
            "before"
        } else if self.after.contains(m) {
            "after"
        } else if self.start == Some(m) {
            "start"
        } else {
            ""
        }
    }

    /// The rule in words, e.g. `before 2021-01..2021-12 (12 months), after 2022-02..2023-01
    /// (12 months); start month 2022-01 excluded`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "before {} ({} months), after {} ({} months)",
            self.before, self.months_before, self.after, self.months_after
        );
        if let Some(m) = self.start {
            if self.start_month == "excluded" {
                s.push_str(&format!("; start month {m} excluded from both periods"));
            } else {
                s.push_str(&format!("; start month {m} counted in the after period"));
            }
        }
        if self.normalised {
            s.push_str("; unequal lengths, so counts are normalised per month");
        }
        s
    }
}

/// Periods for every area, and what was decided automatically.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// One per area, in area order.
    pub periods: Vec<Periods>,
    /// The rule that made them, in words (recorded in every output).
    pub rule: String,
    /// Months on each side chosen automatically (when no length was given).
    pub auto_months: Option<u32>,
    /// Notes for the analyst (automatic choices, normalisation).
    pub notes: Vec<String>,
}

fn missing(range: MonthRange, available: &[Month]) -> Vec<Month> {
    range
        .iter()
        .filter(|m| available.binary_search(m).is_err())
        .collect()
}

fn check(flag: crate::Param, what: &str, range: MonthRange, available: &[Month]) -> Result<()> {
    let gone = missing(range, available);
    if gone.is_empty() {
        return Ok(());
    }
    Err(Error::param(
        flag,
        format!(
            "{what} {range} includes months with no data ({}); the data hold {}",
            describe_runs(&gone),
            describe_runs(available)
        ),
    ))
}

/// How many consecutive months with data end at `m` (going back) or start at it (going on).
fn run_len(available: &[Month], m: Month, step: i32) -> u32 {
    let mut k = 0;
    while available.binary_search(&m.add(step * k as i32)).is_ok() {
        k += 1;
    }
    k
}

fn around(start: Month, k: u32, include: bool) -> Option<Periods> {
    let k = k as i32;
    let before = MonthRange::new(start.add(-k), start.add(-1))?;
    let after = if include {
        MonthRange::new(start, start.add(k - 1))?
    } else {
        MonthRange::new(start.add(1), start.add(k))?
    };
    Some(Periods::new(before, after, Some(start), include))
}

/// Resolves the periods of every area.
///
/// Parameters: `spec`, how periods are chosen; `areas`, each area's name and its own start
/// month (used by [`PeriodSpec::PerArea`]); `available`, the sorted distinct months that
/// hold data.
///
/// Returns one [`Periods`] per area, the rule in words and notes. Errors name the flag
/// (`--before`, `--after`, `--start`, `--months`, `--start-field`), the area when it is
/// per-area, and the months available.
///
/// ```
/// use harmspot::compare::period::{resolve, PeriodSpec};
/// use harmspot::{Month, MonthRange};
/// let available: Vec<Month> = MonthRange::parse("2021-01..2022-12").unwrap().iter().collect();
/// let start = Month::parse("2022-01").unwrap();
/// let spec = PeriodSpec::Start { start, months: Some(6), include_start: false };
/// let r = resolve(&spec, &[("Hub".into(), None)], &available).unwrap();
/// assert_eq!(r.periods[0].before.to_string(), "2021-07..2021-12");
/// assert_eq!(r.periods[0].after.to_string(), "2022-02..2022-07"); // start month left out
/// ```
pub fn resolve(
    spec: &PeriodSpec,
    areas: &[(String, Option<Month>)],
    available: &[Month],
) -> Result<Resolved> {
    match spec {
        PeriodSpec::Explicit { before, after } => explicit(*before, *after, areas.len(), available),
        PeriodSpec::Start {
            start,
            months,
            include_start,
        } => from_start(*start, *months, *include_start, areas.len(), available),
        PeriodSpec::PerArea {
            months,
            include_start,
        } => per_area(*months, *include_start, areas, available),
    }
}

/// Explicit before and after ranges, the same for every one of `n` areas.
fn explicit(
    before: MonthRange,
    after: MonthRange,
    n: usize,
    available: &[Month],
) -> Result<Resolved> {
    let mut notes = Vec::new();
    if after.from <= before.to {
        return Err(Error::param(
            crate::Param::After,
            format!("{after} must start after ‹before› {before} ends"),
        ));
    }
    check(crate::Param::Before, "period", before, available)?;
    check(crate::Param::After, "period", after, available)?;
    let p = Periods::new(before, after, None, false);
    if p.normalised {
        notes.push(format!(
            "the before period has {} months and the after period {}: counts are normalised to incidents per month, so GE, TNE, WDD and DiD are per month (RES and WDQ are ratios and do not change)",
            p.months_before, p.months_after
        ));
    }
    let rule = format!("explicit periods: {}", p.describe());
    Ok(Resolved {
        periods: vec![p; n],
        rule,
        auto_months: None,
        notes,
    })
}

/// Refuses a number of months no data can hold (more than [`crate::model::limits::MAX_MONTHS`]),
/// before any period is drawn from it.
fn check_months(months: Option<u32>, available: &[Month]) -> Result<()> {
    match months {
        Some(k) if u64::from(k) > crate::model::limits::MAX_MONTHS => Err(Error::param(
            crate::Param::Months,
            format!(
                "{k} months either side is more than the {} (100 years) harmspot accepts; the data hold {}",
                crate::model::limits::MAX_MONTHS,
                describe_runs(available)
            ),
        )),
        _ => Ok(()),
    }
}

/// `months` either side of one start month, the same for every one of `n` areas.
fn from_start(
    start: Month,
    months: Option<u32>,
    include_start: bool,
    n: usize,
    available: &[Month],
) -> Result<Resolved> {
    check_months(months, available)?;
    let mut notes = Vec::new();
    let data = describe_runs(available);
    let fit = fit_months(start, include_start, available);
    let k = match months {
        Some(0) => return Err(Error::param(crate::Param::Months, "must be at least 1")),
        Some(k) => k,
        None if fit == 0 => {
            return Err(Error::param(
                crate::Param::Start,
                format!(
                    "{start} leaves no month with data on one side of it; the data hold {data}"
                ),
            ))
        }
        None => {
            notes.push(format!(
                "number of months not given: using {fit} months before and after {start}, the most the data ({data}) hold on both sides"
            ));
            fit
        }
    };
    let p = around(start, k, include_start).ok_or_else(|| {
        Error::param(
            crate::Param::Months,
            format!("{k} months reach outside the calendar"),
        )
    })?;
    let flag = if months.is_some() {
        crate::Param::Months
    } else {
        crate::Param::Start
    };
    check(
        flag,
        &format!("with ‹start› {start}, the before period"),
        p.before,
        available,
    )?;
    check(
        flag,
        &format!("with ‹start› {start}, the after period"),
        p.after,
        available,
    )?;
    let rule = format!(
        "start month {start}, {k} months either side: {}",
        p.describe()
    );
    Ok(Resolved {
        periods: vec![p; n],
        rule,
        auto_months: months.is_none().then_some(k),
        notes,
    })
}

/// `months` either side of each area's own start month.
fn per_area(
    months: Option<u32>,
    include_start: bool,
    areas: &[(String, Option<Month>)],
    available: &[Month],
) -> Result<Resolved> {
    check_months(months, available)?;
    let mut notes = Vec::new();
    let data = describe_runs(available);
    let mut starts = Vec::with_capacity(areas.len());
    for (name, s) in areas {
        let s = s.ok_or_else(|| {
            Error::param(
                crate::Param::StartField,
                format!("area `{name}` has no start month"),
            )
        })?;
        starts.push((name, s));
    }
    let k = match months {
        Some(0) => return Err(Error::param(crate::Param::Months, "must be at least 1")),
        Some(k) => k,
        None => {
            let (k, name, s) = starts
                .iter()
                .map(|(n, s)| (fit_months(*s, include_start, available), n, s))
                .min_by_key(|x| x.0)
                .ok_or_else(|| Error::NoData("no areas to evaluate".into()))?;
            if k == 0 {
                return Err(Error::param(crate::Param::StartField,
                    format!("area `{name}` starts {s}, which leaves no month with data on one side of it; the data hold {data}"),
                ));
            }
            notes.push(format!(
                "number of months not given: using {k} months before and after each area's start, the most the data ({data}) hold for every area (area `{name}` limits it)"
            ));
            k
        }
    };
    let mut periods = Vec::with_capacity(starts.len());
    for (name, s) in &starts {
        let p = around(*s, k, include_start).ok_or_else(|| {
            Error::param(
                crate::Param::Months,
                format!("{k} months reach outside the calendar"),
            )
        })?;
        for (what, r) in [("before", p.before), ("after", p.after)] {
            if !missing(r, available).is_empty() {
                return Err(Error::param(crate::Param::StartField,
                    format!(
                        "area `{name}` starts {s}: its {what} period {r} ({k} months) includes months with no data ({}); the data hold {data}{}",
                        describe_runs(&missing(r, available)),
                        if months.is_some() { "; use a smaller ‹months›" } else { "" }
                    ),
                ));
            }
        }
        periods.push(p);
    }
    let rule =
        format!(
        "each area's own start month (from the areas file), {k} months either side; start month {}",
        if include_start { "counted in the after period" } else { "excluded from both periods" }
    );
    Ok(Resolved {
        periods,
        rule,
        auto_months: months.is_none().then_some(k),
        notes,
    })
}

/// The most months K such that K months before `start` and K after it all hold data.
fn fit_months(start: Month, include: bool, available: &[Month]) -> u32 {
    let back = run_len(available, start.add(-1), -1);
    let on = run_len(available, if include { start } else { start.add(1) }, 1);
    back.min(on)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(s: &str) -> Vec<Month> {
        MonthRange::parse(s).unwrap().iter().collect()
    }
    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }
    fn one(name: &str) -> Vec<(String, Option<Month>)> {
        vec![(name.to_string(), None)]
    }

    #[test]
    fn runs_of_months() {
        let mut v = months("2021-01..2021-03");
        v.extend(months("2021-05..2021-06"));
        assert_eq!(describe_runs(&v), "2021-01..2021-03, 2021-05..2021-06");
        assert_eq!(describe_runs(&[]), "none");
    }

    #[test]
    fn start_excluded_and_included() {
        let avail = months("2021-01..2022-12");
        let ex = PeriodSpec::Start {
            start: m("2022-01"),
            months: Some(12),
            include_start: false,
        };
        // excluded: after = 2022-02..2023-01 runs past the data
        let e = resolve(&ex, &one("H"), &avail).unwrap_err().to_string();
        assert!(
            e.starts_with("‹months›:") && e.contains("2023-01") && e.contains("2021-01..2022-12"),
            "{e}"
        );
        let inc = PeriodSpec::Start {
            start: m("2022-01"),
            months: Some(12),
            include_start: true,
        };
        let r = resolve(&inc, &one("H"), &avail).unwrap();
        assert_eq!(r.periods[0].after.to_string(), "2022-01..2022-12");
        assert_eq!(r.periods[0].start_month, "in after period");
        assert!(r.rule.contains("counted in the after period"));
        // automatic K with the start excluded: 12 before, 11 after → 11
        let auto = PeriodSpec::Start {
            start: m("2022-01"),
            months: None,
            include_start: false,
        };
        let r = resolve(&auto, &one("H"), &avail).unwrap();
        assert_eq!(r.auto_months, Some(11));
        assert_eq!(r.periods[0].before.to_string(), "2021-02..2021-12");
        assert_eq!(r.periods[0].classify(m("2022-01")), "start");
        assert!(r.notes[0].contains("11 months"));
    }

    #[test]
    fn explicit_checks() {
        let avail = months("2021-01..2022-12");
        let spec = |b: &str, a: &str| PeriodSpec::Explicit {
            before: MonthRange::parse(b).unwrap(),
            after: MonthRange::parse(a).unwrap(),
        };
        let e = resolve(
            &spec("2020-06..2020-12", "2022-01..2022-06"),
            &one("H"),
            &avail,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(&crate::Param::Before.to_string())
                && e.contains("2020-06..2020-12")
                && e.contains("data hold 2021-01..2022-12"),
            "{e}"
        );
        let e = resolve(
            &spec("2021-01..2021-12", "2021-12..2022-06"),
            &one("H"),
            &avail,
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("‹after›:"));
        let r = resolve(
            &spec("2021-01..2021-12", "2022-01..2022-06"),
            &one("H"),
            &avail,
        )
        .unwrap();
        assert!(r.periods[0].normalised);
        assert!(r.notes[0].contains("normalised"));
    }

    #[test]
    fn per_area_starts() {
        let avail = months("2021-01..2022-12");
        let areas = vec![
            ("A".to_string(), Some(m("2021-07"))),
            ("B".to_string(), Some(m("2022-03"))),
        ];
        let spec = PeriodSpec::PerArea {
            months: None,
            include_start: false,
        };
        let r = resolve(&spec, &areas, &avail).unwrap();
        // A: 6 before, 17 after; B: 14 before, 9 after → 6
        assert_eq!(r.auto_months, Some(6));
        assert_eq!(r.periods[1].before.to_string(), "2021-09..2022-02");
        assert!(r.notes[0].contains("`A` limits"));
        let spec = PeriodSpec::PerArea {
            months: Some(8),
            include_start: false,
        };
        let e = resolve(&spec, &areas, &avail).unwrap_err().to_string();
        assert!(
            e.contains("area `A` starts 2021-07") && e.contains("2020-11..2020-12"),
            "{e}"
        );
        // a gap month inside a period is refused
        let mut gappy = months("2021-01..2021-05");
        gappy.extend(months("2021-07..2021-12"));
        let e = resolve(
            &PeriodSpec::Explicit {
                before: MonthRange::parse("2021-01..2021-06").unwrap(),
                after: MonthRange::parse("2021-07..2021-12").unwrap(),
            },
            &one("H"),
            &gappy,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("(2021-06)") && e.contains("2021-01..2021-05, 2021-07..2021-12"),
            "{e}"
        );
    }
}
