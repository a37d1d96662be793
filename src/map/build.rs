//! From parsed layers to the map ([`build`]): each file a layer ([`super::load`]), the layers
//! in drawing order, the frame ([`super::frame`]), the cells' fills ([`super::cells`]), the
//! labels and legend blocks of the layers above ([`super::overlay`]) and the run parameters
//! of the footer.

use super::legend::fmt_value;
use super::run::LayerRun;
use super::{cells, frame, layer, overlay};
use super::{CellsView, LayerKind, MapData, MapLayer, MapParams};
use crate::error::{Error, Result};
use geojson::FeatureCollection;
use std::path::PathBuf;

/// Builds the map from parsed layers: `(path, collection)` pairs, the path naming the layer
/// (its file stem decides the kind) and appearing in errors.
///
/// Returns the layers in drawing order with their features' fills, roles and labels, the
/// extent, the density scale ([`jenks_breaks`](super::jenks_breaks) or
/// [`quantile_breaks`](super::quantile_breaks) on the first of `density`, `harm`, `n` the
/// cells carry), the legend and the footer parameters.
///
/// Errors: [`MapParams::classes`] outside 2..9; [`CellsView::Gistar`] without a `class`
/// property; a position outside lon/lat; no feature in any layer.
///
/// ```
/// use harmspot::map::{build, CellFill, MapParams};
/// let cell = |x: f64, n: serde_json::Value| serde_json::json!({"type": "Feature",
///     "geometry": {"type": "Polygon", "coordinates": [[[x, 55.0], [x + 0.01, 55.0], [x + 0.01, 55.01], [x, 55.01], [x, 55.0]]]},
///     "properties": {"n": n}});
/// let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!({"type": "FeatureCollection",
///     "features": [cell(-1.6, 1.into()), cell(-1.59, 2.into()), cell(-1.58, 9.into()), cell(-1.57, serde_json::Value::Null)]})).unwrap();
/// let map = build(vec![("cells.geojson".into(), fc)], &MapParams::default().classes(2)).unwrap();
/// let scale = map.scale.as_ref().unwrap();
/// assert_eq!(scale.breaks, vec![2.0, 9.0]); // Jenks: {1, 2} and {9}
/// let fills: Vec<_> = map.layers[0].features.iter().map(|f| f.fill.unwrap()).collect();
/// assert_eq!(fills, vec![CellFill::Class(0), CellFill::Class(0), CellFill::Class(1), CellFill::Suppressed]);
/// assert!((map.bounds[0] + 1.6).abs() < 1e-12 && (map.bounds[2] + 1.56).abs() < 1e-12);
/// ```
pub fn build(inputs: Vec<(PathBuf, FeatureCollection)>, params: &MapParams) -> Result<MapData> {
    if !(2..=9).contains(&params.classes) {
        return Err(Error::param(
            crate::Param::Classes,
            format!("{} density classes asked for: give 2 to 9", params.classes),
        ));
    }
    let mut layers: Vec<MapLayer> = Vec::with_capacity(inputs.len());
    let mut generic = 0;
    for (path, fc) in &inputs {
        let layer = layer::layer_of(path, fc, params, &layers, &mut generic)?;
        layers.push(layer);
    }
    // Drawing order: cells, generic layers, areas, hotspots (stable within a kind: file name).
    layers.sort_by_key(|l| l.kind as u8);
    let Some(bounds) = frame::bounds(&layers) else {
        let files: Vec<_> = layers.iter().map(|l| l.file.as_str()).collect();
        return Err(Error::NoData(format!(
            "nothing to draw: {} hold no feature with a geometry",
            files.join(", ")
        )));
    };

    let suppressed = cells::suppressed_label(&layers);
    let mut scale = None;
    let mut cells_view = CellsView::Density;
    let mut legend_cells = Vec::new();
    if let Some(l) = layers.iter_mut().find(|l| l.kind == LayerKind::Cells) {
        let style = cells::style(l, params, &suppressed)?;
        scale = style.scale;
        cells_view = style.view;
        legend_cells = style.legend;
    }
    // The layers above the cells, top first, then the cells.
    let mut legend: Vec<_> = layers.iter_mut().rev().filter_map(overlay::style).collect();
    legend.extend(legend_cells);

    let title = params
        .title
        .clone()
        .unwrap_or_else(|| "harmspot map".into());
    Ok(MapData {
        title,
        params: footer_params(&layers),
        layers,
        bounds,
        scale,
        cells_view,
        legend,
    })
}

/// A few run parameters from the layers' `"harmspot"` members (cells first, then hotspots,
/// areas, others; the first layer holding a key wins): analysis, cell size, bandwidth,
/// kernel, working CRS, minimum count.
fn footer_params(layers: &[MapLayer]) -> Vec<(String, String)> {
    let order = [
        LayerKind::Cells,
        LayerKind::Hotspots,
        LayerKind::Areas,
        LayerKind::Other,
    ];
    let runs: Vec<&LayerRun> = order
        .iter()
        .flat_map(|k| layers.iter().filter(move |l| l.kind == *k))
        .map(|l| &l.run)
        .collect();
    let text = |f: fn(&LayerRun) -> Option<&String>| runs.iter().find_map(|r| f(r)).cloned();
    let number = |f: fn(&LayerRun) -> Option<f64>, unit: &str| {
        runs.iter().find_map(|r| f(r)).map(|x| match unit {
            "" => fmt_value(x),
            _ => format!("{} {unit}", fmt_value(x)),
        })
    };
    let items = [
        ("analysis", text(|r| r.analysis.as_ref())),
        ("cell size", number(|r| r.cell_size, "m")),
        ("bandwidth", number(|r| r.bandwidth, "m")),
        ("kernel", text(|r| r.kernel.as_ref())),
        ("working CRS", text(|r| r.working_crs.as_ref())),
        ("min count", number(|r| r.min_count, "")),
    ];
    items
        .into_iter()
        .filter_map(|(name, v)| Some((name.to_string(), v?)))
        .collect()
}
