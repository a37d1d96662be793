//! Harm weights: how harmful each crime type is (METHODS §9).
//!
//! A harm table is a CSV with the columns `crime_type,weight,source,version`. harmspot ships
//! a documented default (`data/harm-default.csv`, derivation in `data/HARM.md`), reads an
//! analyst's own table, or weighs every incident 1 (`--harm none`). A row whose
//! `crime_type` is `*` gives the weight of any type the table does not name; without it the
//! table is strict, and incidents of unnamed types are skipped and counted, never weighted 0.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::path::Path;

/// The default table shipped with harmspot.
pub const DEFAULT_TABLE: &str = include_str!("../../data/harm-default.csv");

/// A crime-type → harm-weight lookup.
#[derive(Clone, Debug)]
pub struct HarmTable {
    weights: HashMap<String, f64>,
    fallback: Option<f64>,
    /// Where the table came from: `default`, `none` or a file path.
    pub origin: String,
    /// The `version` column's value(s), joined with `+` when a table mixes versions.
    pub version: String,
}

fn key(crime_type: &str) -> String {
    crime_type.trim().to_lowercase()
}

impl HarmTable {
    /// Every incident weighs 1: harm equals the count.
    pub fn none() -> HarmTable {
        HarmTable {
            weights: HashMap::new(),
            fallback: Some(1.0),
            origin: "none".into(),
            version: "unweighted".into(),
        }
    }

    /// The table shipped in `data/harm-default.csv`.
    ///
    /// ```
    /// let t = harmspot::HarmTable::default_table();
    /// assert!(t.weight("Burglary").unwrap() > t.weight("Anti-social behaviour").unwrap());
    /// assert!(t.weight("Not a police.uk type").is_none());
    /// ```
    pub fn default_table() -> HarmTable {
        let mut t = HarmTable::parse(DEFAULT_TABLE.as_bytes(), Path::new("data/harm-default.csv"))
            .expect("the shipped harm table is valid (tested)");
        t.origin = "default".into();
        t
    }

    /// `default`, `none`, or a path to a table.
    pub fn from_arg(arg: &str) -> Result<HarmTable> {
        match arg {
            "default" => Ok(HarmTable::default_table()),
            "none" => Ok(HarmTable::none()),
            path => {
                let bytes = crate::model::limits::read_capped(
                    Path::new(path),
                    crate::model::limits::HARM_TABLE_MAX_BYTES,
                    "harm table",
                )?;
                let mut t = HarmTable::parse(&bytes, Path::new(path))?;
                t.origin = path.to_string();
                Ok(t)
            }
        }
    }

    /// Parses a table's bytes; `path` is used in error messages only.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<HarmTable> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = rdr
            .headers()
            .map_err(|e| Error::format(path, format!("not a CSV harm table: {e}")))?
            .clone();
        let col = |name: &str| -> Result<usize> {
            headers.iter().position(|h| h.eq_ignore_ascii_case(name)).ok_or_else(|| {
                Error::format(
                    path,
                    format!("harm table needs the columns crime_type,weight,source,version; `{name}` is missing"),
                )
            })
        };
        let (ct, wt, ver) = (col("crime_type")?, col("weight")?, col("version")?);
        col("source")?;
        let mut weights = HashMap::new();
        let mut fallback = None;
        let mut versions: Vec<String> = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| Error::format(path, e.to_string()))?;
            let line = rec.position().map_or(0, |p| p.line());
            let field = |i: usize| rec.get(i).unwrap_or("");
            let name = field(ct);
            if name.is_empty() {
                return Err(Error::Field {
                    path: path.into(),
                    line,
                    field: "crime_type".into(),
                    reason: "empty".into(),
                });
            }
            let w: f64 = field(wt)
                .parse()
                .ok()
                .filter(|w: &f64| w.is_finite() && *w >= 0.0)
                .ok_or_else(|| Error::Field {
                    path: path.into(),
                    line,
                    field: "weight".into(),
                    reason: format!("`{}` is not a finite number ≥ 0", field(wt)),
                })?;
            if w > crate::model::limits::MAX_HARM_WEIGHT {
                return Err(Error::Field {
                    path: path.into(),
                    line,
                    field: "weight".into(),
                    reason: format!(
                        "`{}` is larger than the {:e} harmspot accepts (the largest published weight, homicide in the Cambridge index, is 5475): is a digit or an exponent too many?",
                        field(wt),
                        crate::model::limits::MAX_HARM_WEIGHT
                    ),
                });
            }
            let v = field(ver).to_string();
            if !versions.contains(&v) {
                versions.push(v);
            }
            if name == "*" {
                fallback = Some(w);
            } else if weights.insert(key(name), w).is_some() {
                return Err(Error::Field {
                    path: path.into(),
                    line,
                    field: "crime_type".into(),
                    reason: format!("`{name}` appears twice"),
                });
            }
        }
        if weights.is_empty() && fallback.is_none() {
            return Err(Error::format(path, "harm table has no rows"));
        }
        Ok(HarmTable {
            weights,
            fallback,
            origin: path.display().to_string(),
            version: versions.join("+"),
        })
    }

    /// The weight of a crime type (case and surrounding spaces ignored), the `*` weight for
    /// an unnamed type, or `None` when the table is strict and does not name it.
    pub fn weight(&self, crime_type: &str) -> Option<f64> {
        self.weights
            .get(&key(crime_type))
            .copied()
            .or(self.fallback)
    }

    /// Whether every incident weighs 1 (`--harm none`).
    pub fn is_unweighted(&self) -> bool {
        self.weights.is_empty() && self.fallback == Some(1.0)
    }

    /// The weights the table names, sorted by crime type, for reports.
    pub fn entries(&self) -> Vec<(String, f64)> {
        let mut v: Vec<_> = self.weights.iter().map(|(k, w)| (k.clone(), *w)).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::incident::POLICE_UK_TYPES as TYPES;

    #[test]
    fn default_table_names_every_police_uk_type() {
        let t = HarmTable::default_table();
        for ty in TYPES {
            let w = t.weight(ty).unwrap_or_else(|| panic!("{ty} missing"));
            assert!(w > 0.0, "{ty}");
        }
        assert_eq!(t.entries().len(), 14);
        assert!(t.weight("  burglary ").is_some());
    }

    #[test]
    fn star_row_is_the_explicit_default() {
        let t = HarmTable::parse(
            b"crime_type,weight,source,version\nRobbery,365,x,1\n*,2,x,1\n",
            Path::new("t.csv"),
        )
        .unwrap();
        assert_eq!(t.weight("Robbery"), Some(365.0));
        assert_eq!(t.weight("Anything"), Some(2.0));
    }

    #[test]
    fn bad_tables_name_line_and_field() {
        let e = HarmTable::parse(
            b"crime_type,weight,source,version\nRobbery,abc,x,1\n",
            Path::new("t.csv"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "t.csv:2: field `weight`: `abc` is not a finite number ≥ 0"
        );
        let e = HarmTable::parse(
            b"crime_type,weight,source,version\nRobbery,-1,x,1\n",
            Path::new("t.csv"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("t.csv:2"));
        let e = HarmTable::parse(b"type,weight\n", Path::new("t.csv")).unwrap_err();
        assert!(e.to_string().contains("`crime_type` is missing"), "{e}");
        let e = HarmTable::parse(
            b"crime_type,weight,source,version\nA,1,x,1\na,2,x,1\n",
            Path::new("t.csv"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("appears twice"), "{e}");
    }
}
