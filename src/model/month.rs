//! Calendar months, the time resolution of police.uk data (METHODS §1: `Month` is `YYYY-MM`).

use std::fmt;

/// A calendar month, stored as months since January of year 0 so that ranges and
/// differences are plain integer arithmetic.
///
/// ```
/// use harmspot::Month;
/// let m = Month::parse("2021-03").unwrap();
/// assert_eq!(m.to_string(), "2021-03");
/// assert_eq!(m.add(10).to_string(), "2022-01");
/// assert_eq!(Month::parse("2022-01").unwrap().since(m), 10);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(u32);

impl Month {
    /// Stands for "no month known" (an input without a month column). It sorts first and
    /// prints as `unknown`.
    pub const UNKNOWN: Month = Month(0);

    /// The month of `year` (1..=9999) and `month` (1..=12), or `None` when out of range.
    pub fn new(year: u32, month: u32) -> Option<Month> {
        if (1..=9999).contains(&year) && (1..=12).contains(&month) {
            Some(Month(year * 12 + month - 1))
        } else {
            None
        }
    }

    /// Parses `YYYY-MM`, or an ISO date `YYYY-MM-DD` (the day is ignored), as force extracts
    /// often carry dates. Leading and trailing spaces are allowed. Returns `None` otherwise.
    pub fn parse(s: &str) -> Option<Month> {
        Month::parse_bytes(s.as_bytes())
    }

    /// [`Month::parse`] on raw bytes (no UTF-8 check needed: only ASCII digits are accepted).
    pub fn parse_bytes(b: &[u8]) -> Option<Month> {
        let b = b.trim_ascii();
        let digits = |s: &[u8]| -> Option<u32> {
            if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(s.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0')))
        };
        let ok_len = b.len() == 7 || (b.len() == 10 && b[7] == b'-');
        if !ok_len || b[4] != b'-' {
            return None;
        }
        if b.len() == 10 {
            let day = digits(&b[8..10])?;
            if !(1..=31).contains(&day) {
                return None;
            }
        }
        Month::new(digits(&b[0..4])?, digits(&b[5..7])?)
    }

    /// The calendar year.
    pub fn year(self) -> u32 {
        self.0 / 12
    }

    /// The month of the year, 1..=12.
    pub fn month(self) -> u32 {
        self.0 % 12 + 1
    }

    /// This month moved by `k` months (negative moves back).
    // Not `std::ops::Add`: a month plus a month is meaningless; this adds a count of months.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, k: i32) -> Month {
        Month((self.0 as i64 + k as i64).max(0) as u32)
    }

    /// Whole months from `earlier` to `self` (negative when `self` is earlier).
    pub fn since(self, earlier: Month) -> i32 {
        self.0 as i32 - earlier.0 as i32
    }

    /// The internal index (months since year 0); useful as a compact sort key.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Month::UNKNOWN {
            return f.write_str("unknown");
        }
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An inclusive range of months, written `2021-01..2021-12` on the command line.
///
/// ```
/// use harmspot::MonthRange;
/// let r = MonthRange::parse("2021-01..2021-12").unwrap();
/// assert_eq!(r.len(), 12);
/// assert!(r.contains(harmspot::Month::parse("2021-06").unwrap()));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct MonthRange {
    /// First month, included.
    pub from: Month,
    /// Last month, included.
    pub to: Month,
}

impl MonthRange {
    /// A range; `None` when `to` is before `from`.
    pub fn new(from: Month, to: Month) -> Option<MonthRange> {
        (from <= to).then_some(MonthRange { from, to })
    }

    /// Parses `YYYY-MM..YYYY-MM` (or a single `YYYY-MM`, a one-month range).
    pub fn parse(s: &str) -> Option<MonthRange> {
        match s.split_once("..") {
            Some((a, b)) => MonthRange::new(Month::parse(a)?, Month::parse(b)?),
            None => {
                let m = Month::parse(s)?;
                Some(MonthRange { from: m, to: m })
            }
        }
    }

    /// Number of months in the range.
    pub fn len(&self) -> usize {
        (self.to.since(self.from) + 1) as usize
    }

    /// Always false: a range holds at least one month.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Whether `m` falls in the range.
    pub fn contains(&self, m: Month) -> bool {
        self.from <= m && m <= self.to
    }

    /// The months of the range in order.
    pub fn iter(&self) -> impl Iterator<Item = Month> + '_ {
        (0..self.len() as i32).map(|k| self.from.add(k))
    }
}

impl fmt::Display for MonthRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.from, self.to)
    }
}

/// Consecutive runs of months, e.g. `[2021-01..2021-06, 2021-08..2022-12]`.
pub fn runs(months: &[Month]) -> Vec<MonthRange> {
    let mut out: Vec<MonthRange> = Vec::new();
    for &m in months {
        match out.last_mut() {
            Some(r) if m.since(r.to) == 1 => r.to = m,
            Some(r) if m <= r.to => {}
            _ => out.push(MonthRange { from: m, to: m }),
        }
    }
    out
}

/// The runs as text: `2021-01..2021-06, 2021-08..2022-12`.
pub fn describe_runs(months: &[Month]) -> String {
    let r: Vec<String> = runs(months)
        .iter()
        .map(|r| {
            if r.from == r.to {
                r.from.to_string()
            } else {
                r.to_string()
            }
        })
        .collect();
    if r.is_empty() {
        "none".into()
    } else {
        r.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Month::parse("2021-03").unwrap().month(), 3);
        assert_eq!(Month::parse(" 2021-12 ").unwrap().year(), 2021);
        assert_eq!(Month::parse("2021-03-15").unwrap().to_string(), "2021-03");
        for bad in [
            "",
            "2021-13",
            "2021-00",
            "21-03",
            "2021/03",
            "2021-3",
            "abcd-ef",
            "2021-03-99",
        ] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ranges() {
        assert!(MonthRange::parse("2022-01..2021-01").is_none());
        let r = MonthRange::parse("2021-11..2022-02").unwrap();
        let v: Vec<String> = r.iter().map(|m| m.to_string()).collect();
        assert_eq!(v, ["2021-11", "2021-12", "2022-01", "2022-02"]);
    }
}
