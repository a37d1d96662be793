//! What a layer's `"harmspot"` member says about the run that made it, read once into a
//! typed record: the few parameters the map shows in its footer and legends. A layer that
//! harmspot did not write has none of them.

use serde_json::{Map, Value};

/// The run parameters a map shows, from a layer's `"harmspot"` member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerRun {
    /// The analysis (`hotspots`, `kde`, `compare`, …).
    pub analysis: Option<String>,
    /// Cell size, metres.
    pub cell_size: Option<f64>,
    /// Kernel bandwidth, metres.
    pub bandwidth: Option<f64>,
    /// Kernel name.
    pub kernel: Option<String>,
    /// The working CRS (`working_crs`, or `crs` in older outputs).
    pub working_crs: Option<String>,
    /// Disclosure control's minimum count K.
    pub min_count: Option<f64>,
    /// What the values weigh (`harm`, `none`, …).
    pub weights: Option<String>,
}

impl LayerRun {
    /// Reads the member; values of another type than expected are left out.
    pub fn from_member(m: &Map<String, Value>) -> LayerRun {
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
        let number = |k: &str| m.get(k).and_then(Value::as_f64);
        LayerRun {
            analysis: text("analysis"),
            cell_size: number("cell_size"),
            bandwidth: number("bandwidth"),
            kernel: text("kernel"),
            working_crs: text("working_crs").or_else(|| text("crs")),
            min_count: number("min_count"),
            weights: text("weights"),
        }
    }
}
