//! Monitoring periods (METHODS §10): months grouped into months, quarters or years from a
//! year start (`1` = calendar years, labelled `2021 Q1`; `4` = UK financial years, labelled
//! `2021/22 Q1`, 2021/22 Q1 = 2021-04..2021-06), and which months of each period the data
//! hold (`months`): a period holding fewer than its full months is *incomplete*.

use crate::error::Param;
use crate::error::{Error, Result};
use crate::model::month::{Month, MonthRange};
use serde::Serialize;

/// How months are grouped into periods.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One month per period.
    Month,
    /// Three months per period, from the year start (the default).
    #[default]
    Quarter,
    /// Twelve months per period, from the year start.
    Year,
}

impl PeriodKind {
    /// Months in a full period: 1, 3 or 12.
    pub fn months(self) -> usize {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            PeriodKind::Year => 12,
        }
    }

    /// Periods in a year: 12, 4 or 1.
    pub fn per_year(self) -> usize {
        12 / self.months()
    }
}

/// The calendar periods are drawn from: the grouping and the first month of the year.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Calendar {
    /// Months, quarters or years.
    pub kind: PeriodKind,
    /// First month of the year, 1–12 (4 = UK financial year).
    pub year_start: u32,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar {
            kind: PeriodKind::Quarter,
            year_start: 1,
        }
    }
}

/// One period of the monitoring table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Period {
    /// Its label: `2021 Q1`, `2021/22 Q1`, `2021`, `2021/22` or `2021-04`.
    pub label: String,
    /// Its first month.
    pub first: Month,
    /// Months in the full period (1, 3 or 12).
    pub full_months: usize,
}

impl Period {
    /// The months of the full period.
    pub fn range(&self) -> MonthRange {
        MonthRange {
            from: self.first,
            to: self.first.add(self.full_months as i32 - 1),
        }
    }
}

impl Calendar {
    /// A calendar; refuses a year start outside 1–12 ([`Error::Param`] naming `year_start`).
    pub fn new(kind: PeriodKind, year_start: u32) -> Result<Calendar> {
        if !(1..=12).contains(&year_start) {
            return Err(Error::param(
                Param::YearStart,
                format!("{year_start} is not a month 01-12 (04 = UK financial year)"),
            ));
        }
        Ok(Calendar { kind, year_start })
    }

    /// Months from the year start to `m` (0–11).
    fn offset(&self, m: Month) -> i32 {
        ((m.month() + 12 - self.year_start) % 12) as i32
    }

    /// First month of the period holding `m`.
    pub fn start_of(&self, m: Month) -> Month {
        let off = self.offset(m);
        match self.kind {
            PeriodKind::Month => m,
            PeriodKind::Quarter => m.add(-(off % 3)),
            PeriodKind::Year => m.add(-off),
        }
    }

    /// The label of the period starting at `first`.
    ///
    /// ```
    /// use harmspot::monitor::period::{Calendar, PeriodKind};
    /// use harmspot::Month;
    /// let fy = Calendar::new(PeriodKind::Quarter, 4).unwrap();
    /// assert_eq!(fy.label(Month::parse("2021-04").unwrap()), "2021/22 Q1");
    /// assert_eq!(fy.label(Month::parse("2022-01").unwrap()), "2021/22 Q4");
    /// let cal = Calendar::new(PeriodKind::Quarter, 1).unwrap();
    /// assert_eq!(cal.label(Month::parse("2021-07").unwrap()), "2021 Q3");
    /// ```
    pub fn label(&self, first: Month) -> String {
        let off = self.offset(first) as u32;
        let y0 = if first.month() >= self.year_start {
            first.year()
        } else {
            first.year() - 1
        };
        let year = if self.year_start == 1 {
            format!("{y0}")
        } else {
            format!("{y0}/{:02}", (y0 + 1) % 100)
        };
        match self.kind {
            PeriodKind::Month => first.to_string(),
            PeriodKind::Quarter => format!("{year} Q{}", off / 3 + 1),
            PeriodKind::Year => year,
        }
    }

    /// The periods covering `span`, in order (the first and last may reach outside it).
    pub fn periods(&self, span: MonthRange) -> Vec<Period> {
        let mut out = Vec::new();
        let mut first = self.start_of(span.from);
        while first <= span.to {
            out.push(Period {
                label: self.label(first),
                first,
                full_months: self.kind.months(),
            });
            first = first.add(self.kind.months() as i32);
        }
        out
    }
}

/// How many months of `p` are present; `present` is indexed by months since `span.from`.
pub fn months_present(p: &Period, span: MonthRange, present: &[bool]) -> usize {
    p.range()
        .iter()
        .filter(|m| span.contains(*m) && present[m.since(span.from) as usize])
        .count()
}

/// The default baseline: the months of the first `per_year` complete periods (four
/// quarters, twelve months, one year); `None` when there are fewer complete periods.
pub fn default_baseline(
    cal: &Calendar,
    periods: &[Period],
    span: MonthRange,
    present: &[bool],
) -> Option<MonthRange> {
    let complete: Vec<&Period> = periods
        .iter()
        .filter(|p| months_present(p, span, present) == p.full_months)
        .collect();
    let n = cal.kind.per_year();
    let first = complete.first()?;
    let last = complete.get(n - 1)?;
    MonthRange::new(first.first, last.range().to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn labels_calendar_and_financial() {
        let fy = Calendar::new(PeriodKind::Quarter, 4).unwrap();
        assert_eq!(fy.start_of(m("2021-03")), m("2021-01"));
        assert_eq!(fy.label(m("2021-01")), "2020/21 Q4");
        assert_eq!(fy.start_of(m("2021-05")), m("2021-04"));
        let fyy = Calendar::new(PeriodKind::Year, 4).unwrap();
        assert_eq!(fyy.start_of(m("2021-03")), m("2020-04"));
        assert_eq!(fyy.label(m("2020-04")), "2020/21");
        assert_eq!(fyy.label(m("1999-04")), "1999/00");
        let cal = Calendar::new(PeriodKind::Year, 1).unwrap();
        assert_eq!(cal.label(m("2021-01")), "2021");
        let mon = Calendar::new(PeriodKind::Month, 4).unwrap();
        assert_eq!(mon.label(m("2021-02")), "2021-02");
        assert!(Calendar::new(PeriodKind::Quarter, 13).is_err());
        assert!(Calendar::new(PeriodKind::Quarter, 0).is_err());
    }

    #[test]
    fn periods_cover_the_span_and_default_baseline_skips_incomplete() {
        // 2020-05 .. 2021-12 in financial quarters: 2020/21 Q1 holds May and June only
        let span = MonthRange::new(m("2020-05"), m("2021-12")).unwrap();
        let fy = Calendar::new(PeriodKind::Quarter, 4).unwrap();
        let ps = fy.periods(span);
        let labels: Vec<&str> = ps.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2020/21 Q1",
                "2020/21 Q2",
                "2020/21 Q3",
                "2020/21 Q4",
                "2021/22 Q1",
                "2021/22 Q2",
                "2021/22 Q3"
            ]
        );
        let present = vec![true; span.len()];
        assert_eq!(months_present(&ps[0], span, &present), 2);
        assert_eq!(months_present(&ps[6], span, &present), 3);
        let b = default_baseline(&fy, &ps, span, &present).unwrap();
        assert_eq!(b, MonthRange::new(m("2020-07"), m("2021-06")).unwrap());
        // a missing month (2020-11) makes Q3 incomplete: the baseline moves on a quarter
        // (its months are the complete quarters of the range, see `table`)
        let mut gap = present.clone();
        gap[6] = false;
        assert_eq!(months_present(&ps[2], span, &gap), 2);
        let b = default_baseline(&fy, &ps, span, &gap).unwrap();
        assert_eq!(b, MonthRange::new(m("2020-07"), m("2021-09")).unwrap());
        // too few complete periods: no default
        let short = MonthRange::new(m("2021-04"), m("2021-12")).unwrap();
        let ps = fy.periods(short);
        assert!(default_baseline(&fy, &ps, short, &vec![true; short.len()]).is_none());
    }
}
