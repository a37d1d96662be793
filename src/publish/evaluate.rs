//! Publishing `harmspot evaluate`'s report and PAI curve (METHODS §7): the `--report` JSON
//! of scores, curve, concentration and parameters, and the `--curve` CSV.

use crate::error::Result;
use crate::model::layer::Layer;
use crate::model::params::evaluate::CurvePoint;
use crate::publish::write::{number::push_csv_float, write_atomic, write_json};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// Writes the `--report` JSON: the (protected) `scores`, the PAI `curve`, the
/// `concentration` and the parameters of `layer`.
pub fn write_report(
    path: &Path,
    scores: &Value,
    curve: &[CurvePoint],
    concentration: &Value,
    layer: &Layer,
) -> Result<()> {
    write_json(
        path,
        &json!({
            "scores": scores,
            "curve": curve,
            "concentration": concentration,
            "parameters": crate::publish::metadata(layer),
        }),
    )
}

/// Writes the PAI curve as CSV: `cells,area_share,hit_rate,pai,harm_hit_rate`, one line a
/// point.
pub fn write_curve(path: &Path, curve: &[CurvePoint]) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(b"cells,area_share,hit_rate,pai,harm_hit_rate\n")?;
        let mut line = String::new();
        for c in curve {
            line.clear();
            line.push_str(&c.cells.to_string());
            for v in [c.area_share, c.hit_rate, c.pai, c.harm_hit_rate] {
                line.push(',');
                push_csv_float(&mut line, v);
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
        }
        Ok(())
    })
}
