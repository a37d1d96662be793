//! Area-coded counts (METHODS §10; `--area-counts FILE --code-field PROP`): counts another
//! agency shares by small area and month — A&E assault attendances under the Cardiff
//! Model, by LSOA and month — as a CSV `area_code,month,measure,count`. Each measure is
//! summed per area and period where the area's `PROP` equals `area_code`; they are never
//! spread over areas of a different kind, so an area without the property (a circle round
//! a hub) is an error naming the file and the property, never a silent zero.
//!
//! A month is present for a measure when the file has at least one row of that measure in
//! it; a period missing months is incomplete, as for the police data.

use super::csv_table::CsvTable;
use crate::compare::AreaSet;
use crate::error::{Error, Result};
use crate::ingest::read::areas::AreaFeature;
use crate::model::month::Month;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Measure names harmspot computes itself, which an area-counts file may not reuse.
pub const RESERVED: [&str; 7] = [
    "crime",
    "asb",
    "violence",
    "weapons",
    "harm",
    "repeat_locations",
    "activities",
];

/// One row of an area-counts file.
#[derive(Clone, Debug, PartialEq)]
pub struct CodedRow {
    /// The area's code (e.g. an LSOA code).
    pub code: String,
    /// The month.
    pub month: Month,
    /// Index into [`AreaCounts::measures`].
    pub measure: usize,
    /// The count (non-negative).
    pub count: f64,
}

/// The rows of an area-counts file.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaCounts {
    /// The file read.
    pub path: PathBuf,
    /// Measure names in order of first appearance.
    pub measures: Vec<String>,
    /// Every row, in file order.
    pub rows: Vec<CodedRow>,
}

fn field_error(path: &Path, line: u64, field: &str, reason: impl Into<String>) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line,
        field: field.into(),
        reason: reason.into(),
    }
}

/// Reads an area-counts CSV (`area_code,month,measure,count`; `month` `YYYY-MM`).
///
/// Errors ([`Error::Field`] with the line and column): a missing column, an empty code, a
/// month that is not `YYYY-MM`, a count that is not a non-negative number, a measure named
/// like one harmspot computes ([`RESERVED`]), the same code, month and measure twice.
pub fn read(path: &Path) -> Result<AreaCounts> {
    let mut t = CsvTable::open(path)?;
    let needs = "an area-counts CSV has the columns area_code,month,measure,count";
    let col = |name: &str| t.column(path, name, needs);
    let (ic, im, is, in_) = (
        col("area_code")?,
        col("month")?,
        col("measure")?,
        col("count")?,
    );
    let mut measures: Vec<String> = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, Month, usize), u64> = HashMap::new();
    for (k, rec) in t.reader.records().enumerate() {
        let line = k as u64 + 2;
        let rec = rec.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let code = get(ic);
        if code.is_empty() {
            return Err(field_error(path, line, "area_code", "empty"));
        }
        let ms = get(im);
        let month = Month::parse(&ms).filter(|_| ms.len() == 7).ok_or_else(|| {
            field_error(
                path,
                line,
                "month",
                format!("`{ms}` is not a month YYYY-MM"),
            )
        })?;
        let name = get(is);
        if name.is_empty() {
            return Err(field_error(
                path,
                line,
                "measure",
                "empty: name the measure, e.g. ae_assault",
            ));
        }
        if RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(field_error(path, line, "measure", format!("`{name}` is a measure harmspot computes from the police data: give the partner's measure its own name (e.g. ae_assault)")));
        }
        let cs = get(in_);
        let count = cs
            .parse::<f64>()
            .ok()
            .filter(|c| c.is_finite() && *c >= 0.0)
            .ok_or_else(|| {
                field_error(
                    path,
                    line,
                    "count",
                    format!("`{cs}` is not a non-negative number"),
                )
            })?;
        let measure = match measures.iter().position(|m| *m == name) {
            Some(i) => i,
            None => {
                measures.push(name);
                measures.len() - 1
            }
        };
        if let Some(first) = seen.insert((code.clone(), month, measure), line) {
            return Err(field_error(path, line, "area_code", format!("`{code}`, {month}, `{}` is also on line {first}: one row per code, month and measure", measures[measure])));
        }
        rows.push(CodedRow {
            code,
            month,
            measure,
            count,
        });
    }
    if rows.is_empty() {
        return Err(Error::format(path, "holds no rows"));
    }
    Ok(AreaCounts {
        path: path.to_path_buf(),
        measures,
        rows,
    })
}

/// Each area's code: the `field` property of the feature it was built from.
///
/// Errors: an area whose feature lacks the property (a Point hub's circle, a hotspot) or
/// holds an empty one ([`Error::Field`] naming the areas file, the feature and `field`).
pub fn codes(
    features: &[AreaFeature],
    set: &AreaSet,
    areas_path: &Path,
    field: &str,
) -> Result<Vec<String>> {
    set.areas
        .iter()
        .map(|a| {
            let f = features.iter().find(|f| f.number == a.feature);
            let v = f.and_then(|f| match f.properties.get(field)? {
                serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            });
            v.ok_or_else(|| field_error(areas_path, a.feature as u64, field, format!("area `{}` has no `{field}` property, so area-coded counts cannot be summed onto it (they are never spread over areas of another kind): give areas that carry the code, e.g. the LSOA polygons with their LSOA11CD", a.name)))
        })
        .collect()
}

/// What summing one file onto the areas left out, for the notes.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct Unmatched {
    /// Rows whose code no area has.
    pub rows: u64,
    /// Up to five such codes.
    pub examples: Vec<String>,
    /// Rows outside the months of the police data.
    pub outside_months: u64,
}

/// Per measure: counts per place (each area, then all areas together) × month index over
/// `first .. first + months`, and which months the measure has.
pub(super) struct Summed {
    pub(super) values: Vec<Vec<Vec<f64>>>,
    pub(super) present: Vec<Vec<bool>>,
    pub(super) unmatched: Unmatched,
}

/// Sums the rows onto the areas by code.
pub(super) fn sum(counts: &AreaCounts, codes: &[String], first: Month, months: usize) -> Summed {
    let k = codes.len();
    let nm = counts.measures.len();
    let mut by_code: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, c) in codes.iter().enumerate() {
        by_code.entry(c.as_str()).or_default().push(i);
    }
    let mut values = vec![vec![vec![0.0; months]; k + 1]; nm];
    let mut present = vec![vec![false; months]; nm];
    let mut un = Unmatched::default();
    for r in &counts.rows {
        let m = r.month.since(first);
        if m < 0 || m as usize >= months {
            un.outside_months += 1;
            continue;
        }
        let m = m as usize;
        present[r.measure][m] = true;
        match by_code.get(r.code.as_str()) {
            Some(areas) => {
                for &a in areas {
                    values[r.measure][a][m] += r.count;
                }
                values[r.measure][k][m] += r.count;
            }
            None => {
                un.rows += 1;
                if un.examples.len() < 5 && !un.examples.contains(&r.code) {
                    un.examples.push(r.code.clone());
                }
            }
        }
    }
    Summed {
        values,
        present,
        unmatched: un,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ae.csv");
        std::fs::write(&p, text).unwrap();
        (d, p)
    }

    fn err(text: &str) -> String {
        let (_d, p) = file(text);
        read(&p).unwrap_err().to_string()
    }

    #[test]
    fn reads_rows_and_measures_in_order() {
        let (_d, p) = file("area_code,month,measure,count\nE1,2021-01,ae_assault,3\nE2,2021-01,referrals,0\nE1,2021-02,ae_assault,2.5\n");
        let c = read(&p).unwrap();
        assert_eq!(c.measures, ["ae_assault", "referrals"]);
        assert_eq!(c.rows.len(), 3);
        assert_eq!((c.rows[2].measure, c.rows[2].count), (0, 2.5));
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let h = "area_code,month,measure,count\n";
        let e = err(&format!("{h}E1,2021-01,ae,1\nE1,2021-01,ae,2\n"));
        assert!(
            e.contains(":3: field `area_code`") && e.contains("also on line 2"),
            "{e}"
        );
        let e = err(&format!("{h}E1,2021-1,ae,1\n"));
        assert!(e.contains(":2: field `month`"), "{e}");
        let e = err(&format!("{h}E1,2021-01,ae,-1\n"));
        assert!(e.contains(":2: field `count`"), "{e}");
        let e = err(&format!("{h}E1,2021-01,ASB,1\n"));
        assert!(
            e.contains("field `measure`") && e.contains("own name"),
            "{e}"
        );
        let e = err("code,month,measure,count\nE1,2021-01,ae,1\n");
        assert!(e.contains("no `area_code` column"), "{e}");
        assert!(err(h).contains("holds no rows"));
    }

    #[test]
    fn sums_by_code_each_row_once_in_the_pool() {
        let (_d, p) = file("area_code,month,measure,count\nA,2021-01,ae,3\nB,2021-02,ae,4\nZ,2021-02,ae,9\nA,2020-12,ae,5\n");
        let c = read(&p).unwrap();
        // two areas share code A; one area has B
        let codes = vec!["A".to_string(), "A".to_string(), "B".to_string()];
        let s = sum(&c, &codes, Month::parse("2021-01").unwrap(), 2);
        assert_eq!(s.values[0][0], vec![3.0, 0.0]);
        assert_eq!(s.values[0][1], vec![3.0, 0.0]);
        assert_eq!(s.values[0][2], vec![0.0, 4.0]);
        assert_eq!(s.values[0][3], vec![3.0, 4.0]); // all areas together: each row once
        assert_eq!(s.present[0], vec![true, true]);
        assert_eq!((s.unmatched.rows, s.unmatched.outside_months), (1, 1));
        assert_eq!(s.unmatched.examples, ["Z"]);
    }
}
