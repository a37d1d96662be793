//! `areas.geojson` of a monitoring folder: each monitored area (a point hub's circle drawn
//! as a 72-gon, a polygon as given) in WGS84 with `role` = `monitored`, so `harmspot map`
//! draws the folder; its properties hold the latest complete period of the police
//! measures: `period`, then per measure `<measure>`, `<measure>_flag` and
//! `<measure>_change_pct` (disclosure-shielded as in `measures.csv`).

use super::shield::Shown;
use crate::compare::AreaSet;
use crate::error::{Error, Result};
use crate::monitor::MonitorResult;
use crate::publish::compare::to_lonlat;
use crate::publish::disclosure::Disclosure;
use crate::publish::write::geojson::FeatureWriter;
use crate::publish::write::AtomicFile;
use crate::space::crs::Transform;
use serde_json::{Map, Value};
use std::path::Path;

/// The last period complete in every police measure's data, if any.
fn latest_complete(r: &MonitorResult) -> Option<usize> {
    let all = r.areas.len();
    let m = r.measures.first()?;
    (0..r.periods.len())
        .rev()
        .find(|&j| m.rows[all][j].months == r.periods[j].full_months)
}

/// Writes `areas.geojson` to `path`.
pub(super) fn write(
    path: &Path,
    r: &MonitorResult,
    shown: &[Vec<Vec<Shown>>],
    set: &AreaSet,
    inverse: &Transform,
    members: &Map<String, Value>,
    rules: &Disclosure,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io(path, e);
    let latest = latest_complete(r);
    let mut f = AtomicFile::create(path)?;
    let mut fw = FeatureWriter::begin(f.writer(), members)
        .map_err(io)?
        .with_decimals(rules.precision);
    for (k, a) in set.areas.iter().enumerate() {
        let mut p = Map::new();
        p.insert("name".into(), a.name.clone().into());
        p.insert("role".into(), "monitored".into());
        p.insert("feature".into(), a.feature.into());
        p.insert(
            "period".into(),
            latest.map_or(Value::Null, |j| r.periods[j].label.clone().into()),
        );
        for (m, rows) in r.measures.iter().zip(shown) {
            let name = m.measure.name();
            let s = latest.map(|j| &rows[k][j]);
            let num = |v: Option<f64>| {
                v.map_or(Value::Null, |x| {
                    serde_json::json!((x * 100.0).round() / 100.0)
                })
            };
            p.insert(name.into(), num(s.and_then(|s| s.count)));
            p.insert(
                format!("{name}_flag"),
                s.and_then(|s| s.flag)
                    .map_or(Value::Null, |f| f.as_str().into()),
            );
            p.insert(
                format!("{name}_change_pct"),
                num(s.and_then(|s| s.change_pct)),
            );
        }
        fw.feature(&to_lonlat(&a.treatment, inverse)?, &p)
            .map_err(io)?;
    }
    fw.finish().map_err(io)?;
    f.commit()
}
