//! Disclosure control of a monitoring table ([`crate::publish::disclosure`]; issue 20): a count of 1
//! to K − 1 (per area, period and measure) is suppressed, or rounded to the base with
//! `round`; a harm total takes the support of the incidents it sums and is suppressed,
//! never rounded. What is computed from a protected count is withheld with it: the flag
//! (it would say which side of the limits the count lies) and the % change; the baseline
//! mean and limits are withheld when the baseline's own total is 1 to K − 1; last year's
//! count follows its own support. Zeros are published. As elsewhere, differencing
//! published values (all areas together minus the others) is not protected against.

use crate::monitor::{Flag, MeasureResult, MonitorResult, Row};
use crate::publish::disclosure::{Disclosure, DisclosureReport};

/// One cell of the table as published: `None` where a value is withheld.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// The count (rounded when the rules round), `None` when suppressed.
    pub count: Option<f64>,
    /// Months of the period in the data.
    pub months: usize,
    /// Expected count for those months.
    pub baseline_mean: Option<f64>,
    /// Lower 95% limit.
    pub low: Option<f64>,
    /// Upper 95% limit.
    pub high: Option<f64>,
    /// The flag, `None` when withheld.
    pub flag: Option<Flag>,
    /// Last year's count.
    pub last_year: Option<f64>,
    /// % change on last year.
    pub change_pct: Option<f64>,
}

/// Values withheld so far.
#[derive(Default)]
struct Tally {
    suppressed: u64,
    rounded: u64,
    cells: u64,
}

/// A value of a count measure (`is_count`) or a harm total, protected by its support.
fn protect(rules: &Disclosure, v: f64, support: f64, is_count: bool, t: &mut Tally) -> Option<f64> {
    if !rules.small(support) {
        return Some(v);
    }
    match (is_count, rules.round) {
        (true, Some(_)) => {
            t.rounded += 1;
            rules.count(v)
        }
        _ => {
            t.suppressed += 1;
            None
        }
    }
}

fn shield_row(
    rules: &Disclosure,
    m: &MeasureResult,
    place: usize,
    row: &Row,
    t: &mut Tally,
) -> Shown {
    let before = t.suppressed + t.rounded;
    let is_count = m.measure.is_count();
    let small = rules.small(row.support);
    let count = protect(rules, row.count, row.support, is_count, t);
    let base_small = rules.small(m.baseline_support[place]);
    let base = |v: Option<f64>, t: &mut Tally| match v {
        Some(_) if base_small => {
            t.suppressed += 1;
            None
        }
        v => v,
    };
    let baseline_mean = base(row.baseline_mean, t);
    let low = base(row.low, t);
    let high = base(row.high, t);
    let last_year = row
        .last_year
        .and_then(|l| protect(rules, l, row.last_year_support, is_count, t));
    let ly_small = rules.small(row.last_year_support);
    let flag = if small && row.flag != Flag::Incomplete {
        t.suppressed += 1;
        None
    } else {
        Some(row.flag)
    };
    let change_pct = match row.change_pct {
        Some(_) if small || ly_small => {
            t.suppressed += 1;
            None
        }
        v => v,
    };
    if t.suppressed + t.rounded > before {
        t.cells += 1;
    }
    Shown {
        count,
        months: row.months,
        baseline_mean,
        low,
        high,
        flag,
        last_year,
        change_pct,
    }
}

/// Every measure's rows after disclosure control (`[measure][place][period]`), and what
/// was withheld.
pub fn shield(
    r: &MonitorResult,
    rules: &Disclosure,
) -> (Vec<Vec<Vec<Shown>>>, Option<DisclosureReport>) {
    let mut t = Tally::default();
    let shown = r
        .measures
        .iter()
        .map(|m| {
            m.rows
                .iter()
                .enumerate()
                .map(|(p, rows)| {
                    rows.iter()
                        .map(|row| shield_row(rules, m, p, row, &mut t))
                        .collect()
                })
                .collect()
        })
        .collect();
    let report = rules.active().then(|| {
        let mut d = DisclosureReport {
            min_count: rules.min_count,
            round: rules.round,
            suppressed_values: t.suppressed,
            rounded_values: t.rounded,
            cells_affected: t.cells,
            note: String::new(),
        };
        d.note = rules.sentence(&d, "rows of measures.csv");
        d
    });
    (shown, report)
}
