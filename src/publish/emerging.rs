//! Publishing `harmspot emerging`'s `--summary` JSON (METHODS §8): the cells per pattern
//! (the published cells when disclosure control suppressed some) and the run's parameters.

use crate::error::Result;
use crate::model::layer::Layer;
use crate::model::used::Used;
use std::path::Path;

/// Writes the `--summary` JSON of the emerging `layer`: `cells_per_pattern` and
/// `parameters`.
pub fn write_summary(path: &Path, layer: &Layer) -> Result<()> {
    let per = match &layer.used {
        Used::Emerging(e) => crate::publish::metadata::cells_per_pattern(e),
        _ => Default::default(),
    };
    crate::publish::write::write_json(
        path,
        &serde_json::json!({"cells_per_pattern": per, "parameters": crate::publish::metadata(layer)}),
    )
}
