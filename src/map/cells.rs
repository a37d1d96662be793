//! The fills of the grid cells and their legend: the density view (classes of the first of
//! `density`, `harm`, `n` the cells carry, by [`super::classify`]; Jenks 1967 or quantiles,
//! coloured over YlOrRd) and the Gi* view (classes −3..3 of the `class` property, reds hot and
//! blues cold as in ArcGIS Hot Spot Analysis; Getis & Ord 1992). A `null` value is
//! suppressed (hatched), never a zero; a missing or non-number value is "no value".

use super::classify::{jenks_breaks, quantile_breaks, Breaks, ColourScale};
use super::legend::{fmt_value, LegendEntry, LegendSection, Swatch};
use super::style::{gi_colour, gi_label, ramp, NO_VALUE_FILL};
use super::{CellFill, CellsView, GiFill, MapLayer, MapParams};
use crate::error::{Error, Result};
use serde_json::Value;

/// What styling the cells gives the map.
pub(crate) struct CellsStyle {
    /// The density scale, if the cells carry values.
    pub scale: Option<ColourScale>,
    /// The view shown first ([`CellsView::Density`] or [`CellsView::Gistar`]).
    pub view: CellsView,
    /// Legend blocks: density, then Gi*, or one "no value" block.
    pub legend: Vec<LegendSection>,
}

/// The legend label of suppressed values: with the run's `min_count` when a layer records it.
pub(crate) fn suppressed_label(layers: &[MapLayer]) -> String {
    let min_count = layers.iter().find_map(|l| l.run.min_count);
    match min_count {
        Some(k) => format!("Suppressed (fewer than {} incidents)", fmt_value(k)),
        None => "Suppressed (disclosure control)".to_string(),
    }
}

/// Sets the density and Gi* fills of every cell and returns the scale, the first view and
/// the legend blocks.
///
/// Errors: [`CellsView::Gistar`] asked for, but no cell has a `class` property.
pub(crate) fn style(
    cells: &mut MapLayer,
    params: &MapParams,
    suppressed: &str,
) -> Result<CellsStyle> {
    let has = |key: &str| cells.features.iter().any(|f| f.prop(key).is_some());
    let property = ["density", "harm", "n"].into_iter().find(|k| has(k));
    let has_class = has("class");
    let view = match params.cells {
        CellsView::Auto if has_class && property != Some("density") => CellsView::Gistar,
        CellsView::Auto => CellsView::Density,
        CellsView::Gistar if !has_class => {
            return Err(Error::param(
                crate::Param::Cells,
                format!(
                    "gistar asked for, but {} has no `class` property (write it with `harmspot gistar`)",
                    cells.file
                ),
            ))
        }
        v => v,
    };
    let mut legend = Vec::new();
    let mut scale = None;
    if let Some(property) = property {
        let (s, section) = density(cells, property, params, suppressed);
        scale = s;
        legend.push(section);
    }
    if has_class {
        legend.push(gistar(cells, suppressed));
    }
    if property.is_none() && !has_class {
        // Cells without any value: drawn as "no value".
        for f in &mut cells.features {
            f.fill = Some(CellFill::NoValue);
        }
        legend.push(LegendSection {
            group: cells.id.clone(),
            title: "Grid cells".into(),
            note: None,
            entries: missing_entries(0, 1, suppressed),
        });
    }
    Ok(CellsStyle {
        scale,
        view,
        legend,
    })
}

/// The density view: classes of `property`, the fills and the legend block.
fn density(
    cells: &mut MapLayer,
    property: &str,
    params: &MapParams,
    suppressed: &str,
) -> (Option<ColourScale>, LegendSection) {
    let values: Vec<f64> = cells
        .features
        .iter()
        .filter_map(|f| f.prop(property).and_then(Value::as_f64))
        .filter(|v| v.is_finite())
        .collect();
    let breaks = match params.breaks {
        Breaks::Jenks => jenks_breaks(&values, params.classes),
        Breaks::Quantile => quantile_breaks(&values, params.classes),
    };
    let s = (!breaks.is_empty()).then(|| ColourScale {
        property: property.to_string(),
        method: params.breaks,
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        colours: ramp(breaks.len()),
        breaks,
        values: values.len(),
    });
    let (mut n_sup, mut n_none) = (0, 0);
    for f in &mut cells.features {
        let fill = match f.prop(property) {
            Some(Value::Null) => CellFill::Suppressed,
            Some(v) => match (v.as_f64(), &s) {
                (Some(x), Some(s)) if x.is_finite() => CellFill::Class(s.class_of(x)),
                _ => CellFill::NoValue,
            },
            None => CellFill::NoValue,
        };
        n_sup += usize::from(fill == CellFill::Suppressed);
        n_none += usize::from(fill == CellFill::NoValue);
        f.fill = Some(fill);
    }
    let mut entries = Vec::new();
    if let Some(s) = &s {
        for i in (0..s.breaks.len()).rev() {
            entries.push(LegendEntry {
                label: s.label(i),
                swatch: Swatch::Fill(s.colours[i]),
            });
        }
    }
    entries.extend(missing_entries(n_sup, n_none, suppressed));
    let weights = cells.run.weights.as_deref();
    let section = LegendSection {
        group: cells.id.clone(),
        title: density_title(property, weights).into(),
        note: s
            .as_ref()
            .map(|s| format!("{} classes, {}", s.breaks.len(), s.method.name())),
        entries,
    };
    (s, section)
}

/// The legend heading of the density view, with its unit: a density is per km², in harm or
/// incidents as the run's `weights` say.
fn density_title(property: &str, weights: Option<&str>) -> &'static str {
    match property {
        "density" => match weights {
            Some("harm") => "Density, harm per km²",
            Some("none") => "Density, incidents per km²",
            _ => "Density per km²",
        },
        "harm" => "Harm per cell",
        _ => "Incidents per cell",
    }
}

/// The Gi* view: a class −3..3 per cell (rounded, clamped) and the legend block, listing the
/// classes present and always "not significant".
fn gistar(cells: &mut MapLayer, suppressed: &str) -> LegendSection {
    let mut present = [false; 7];
    let (mut n_sup, mut n_none) = (0, 0);
    for f in &mut cells.features {
        let gi = match f.prop("class") {
            Some(Value::Null) => GiFill::Suppressed,
            Some(v) => match v.as_f64() {
                Some(c) if c.is_finite() => GiFill::Class(c.round().clamp(-3.0, 3.0) as i8),
                _ => GiFill::NoValue,
            },
            None => GiFill::NoValue,
        };
        match gi {
            GiFill::Class(c) => present[(c + 3) as usize] = true,
            GiFill::Suppressed => n_sup += 1,
            GiFill::NoValue => n_none += 1,
        }
        f.gi = Some(gi);
    }
    let mut entries: Vec<LegendEntry> = (-3..=3i8)
        .rev()
        .filter(|&c| present[(c + 3) as usize] || c == 0)
        .map(|c| LegendEntry {
            label: gi_label(c).into(),
            swatch: Swatch::Fill(gi_colour(c)),
        })
        .collect();
    entries.extend(missing_entries(n_sup, n_none, suppressed));
    LegendSection {
        group: format!("{}-gistar", cells.id),
        title: "Gi* hot and cold spots".into(),
        note: Some("two-sided p, z = Gi*".into()),
        entries,
    }
}

/// The legend lines of suppressed and valueless cells, when there are any.
fn missing_entries(n_sup: usize, n_none: usize, suppressed: &str) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    if n_sup > 0 {
        entries.push(LegendEntry {
            label: suppressed.to_string(),
            swatch: Swatch::Hatch,
        });
    }
    if n_none > 0 {
        entries.push(LegendEntry {
            label: "No value".into(),
            swatch: Swatch::Fill(NO_VALUE_FILL),
        });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn density_titles_state_the_unit() {
        assert_eq!(
            density_title("density", Some("harm")),
            "Density, harm per km²"
        );
        assert_eq!(
            density_title("density", Some("none")),
            "Density, incidents per km²"
        );
        assert_eq!(density_title("density", None), "Density per km²");
        assert_eq!(density_title("harm", Some("harm")), "Harm per cell");
        assert_eq!(density_title("n", None), "Incidents per cell");
    }
}
