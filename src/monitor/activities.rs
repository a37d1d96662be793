//! Partner activity points (METHODS §10; `--activities`): education sessions, referrals,
//! patrols, each a point with a date, counted per area and period like incidents (compare's
//! counting, [`crate::compare::per_area`]). With the areas of a hotspots result this is
//! "sessions delivered in harm hotspots".
//!
//! Read from a CSV with `lon`, `lat` (WGS84 degrees) and `date` (`YYYY-MM-DD` or `YYYY-MM`)
//! columns, or from GeoJSON Points with a `date` property (WGS84, or the file's legacy `crs`
//! member, as areas files). An activities file is a small control file read whole: a bad
//! row stops the run with its line (or feature number) and field.

use super::csv_table::CsvTable;
use crate::error::{Error, Result};
use crate::ingest::read::areas::read_areas_in;
use crate::model::incident::Incidents;
use crate::model::month::Month;
use crate::space::crs::{Crs, Projector};
use geo::Geometry;
use std::path::{Path, PathBuf};

/// One activity: where (working CRS metres) and in which month.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct Activity {
    /// Location, working CRS metres.
    pub xy: [f64; 2],
    /// Month of its date.
    pub month: Month,
}

/// The activities of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Activities {
    /// The file read.
    pub path: PathBuf,
    /// Every activity, in file order.
    pub points: Vec<Activity>,
}

impl Activities {
    /// The activities as a one-type incident set (`Activity`, weight 1), for counting.
    pub fn as_incidents(&self) -> Incidents {
        Incidents {
            xy: self.points.iter().map(|a| a.xy).collect(),
            month: self.points.iter().map(|a| a.month).collect(),
            kind: vec![0; self.points.len()],
            harm: vec![1.0; self.points.len()],
            types: vec!["Activity".into()],
            places: Default::default(),
        }
    }
}

fn field_error(path: &Path, line: u64, field: &str, reason: impl Into<String>) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line,
        field: field.into(),
        reason: reason.into(),
    }
}

fn parse_date(path: &Path, line: u64, field: &str, s: &str) -> Result<Month> {
    let t = s.trim();
    let ok = t.len() == 7 || t.len() == 10;
    ok.then(|| Month::parse(t)).flatten().ok_or_else(|| {
        field_error(
            path,
            line,
            field,
            format!("`{s}` is not a date YYYY-MM-DD or YYYY-MM"),
        )
    })
}

/// Reads an activities file: GeoJSON when its name ends in `.geojson` or `.json`, else CSV.
/// `crs` is the CRS of a GeoJSON file that has no `crs` member (default WGS84).
///
/// Errors: a missing column, an unreadable coordinate or date ([`Error::Field`] with the
/// line or feature number), a geometry that is not a Point, a coordinate that cannot be
/// projected.
pub fn read(path: &Path, projector: &Projector, crs: Option<&Crs>) -> Result<Activities> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let points = if ext == "geojson" || ext == "json" {
        read_geojson(path, projector, crs)?
    } else {
        read_csv(path, projector)?
    };
    Ok(Activities {
        path: path.to_path_buf(),
        points,
    })
}

fn read_geojson(path: &Path, projector: &Projector, crs: Option<&Crs>) -> Result<Vec<Activity>> {
    let (features, _) = read_areas_in(path, projector, crs)?;
    features
        .iter()
        .map(|f| {
            let Geometry::Point(p) = f.geometry else {
                return Err(Error::format(
                    path,
                    format!("feature {} is not a Point: activities are points", f.number),
                ));
            };
            let date =
                match f.properties.get("date") {
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(v) => {
                        return Err(field_error(
                            path,
                            f.number as u64,
                            "date",
                            format!("{v} is not a date string YYYY-MM-DD or YYYY-MM"),
                        ))
                    }
                    None => return Err(field_error(
                        path,
                        f.number as u64,
                        "date",
                        "missing: every activity needs a `date` property (YYYY-MM-DD or YYYY-MM)",
                    )),
                };
            Ok(Activity {
                xy: [p.x(), p.y()],
                month: parse_date(path, f.number as u64, "date", &date)?,
            })
        })
        .collect()
}

fn read_csv(path: &Path, projector: &Projector) -> Result<Vec<Activity>> {
    let mut t = CsvTable::open(path)?;
    let needs = "an activities CSV needs lon, lat and date";
    let col = |name: &str| t.column(path, name, needs);
    let (ilon, ilat, idate) = (col("lon")?, col("lat")?, col("date")?);
    let mut lonlat = Vec::new();
    let mut months = Vec::new();
    for (k, rec) in t.reader.records().enumerate() {
        let line = k as u64 + 2;
        let rec = rec.map_err(|e| Error::format(path, format!("line {line}: {e}")))?;
        let num = |i: usize, name: &str, lim: f64| -> Result<f64> {
            let s = rec.get(i).unwrap_or("").trim();
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= lim)
                .ok_or_else(|| {
                    field_error(
                        path,
                        line,
                        name,
                        format!("`{s}` is not a WGS84 {name} (degrees, within ±{lim})"),
                    )
                })
        };
        lonlat.push([num(ilon, "lon", 180.0)?, num(ilat, "lat", 90.0)?]);
        months.push(parse_date(
            path,
            line,
            "date",
            rec.get(idate).unwrap_or(""),
        )?);
    }
    let mut xy = lonlat.clone();
    projector.forward.apply(&mut xy);
    xy.iter()
        .zip(&lonlat)
        .zip(months)
        .enumerate()
        .map(|(k, ((p, ll), month))| {
            if p[0].is_finite() && p[1].is_finite() {
                Ok(Activity { xy: *p, month })
            } else {
                Err(field_error(
                    path,
                    k as u64 + 2,
                    "lon",
                    format!(
                        "({}, {}) cannot be projected to the working CRS",
                        ll[0], ll[1]
                    ),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(name: &str, text: &str) -> Result<Activities> {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        read(&p, &Projector::new("EPSG:27700").unwrap(), None)
    }

    #[test]
    fn csv_and_geojson_give_the_same_points() {
        let a = read_text(
            "a.csv",
            "LON,Lat,date\n-1.61,54.975,2021-02-03\n-1.6,54.98,2021-03\n",
        )
        .unwrap();
        assert_eq!(a.points.len(), 2);
        assert_eq!(a.points[0].month, Month::parse("2021-02").unwrap());
        let g = read_text(
            "a.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"date":"2021-02-03"},"geometry":{"type":"Point","coordinates":[-1.61,54.975]}},
              {"type":"Feature","properties":{"date":"2021-03"},"geometry":{"type":"Point","coordinates":[-1.6,54.98]}}]}"#,
        )
        .unwrap();
        assert_eq!(a.points, g.points);
        let inc = a.as_incidents();
        assert_eq!((inc.len(), inc.types.len()), (2, 1));
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let e = read_text("a.csv", "lon,lat\n1,2\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `date` column"), "{e}");
        let e = read_text(
            "a.csv",
            "lon,lat,date\n-1.6,54.9,2021-01\n-181,54.9,2021-01\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":3: field `lon`"), "{e}");
        let e = read_text("a.csv", "lon,lat,date\n-1.6,54.9,2021-01-45\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2: field `date`"), "{e}");
        let e = read_text(
            "a.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[-1.61,54.975]}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(":1: field `date`") && e.contains("missing"),
            "{e}"
        );
    }
}
