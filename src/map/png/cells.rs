//! Painter of the grid cells: each cell filled with its density class colour (YlOrRd) or,
//! on the Gi* view, its Gi* class colour; suppressed cells hatched, valueless cells light
//! grey. One path per fill, drawn without anti-aliasing, so neighbours meet without seams.

use super::canvas::{paint, push_part, Canvas};
use crate::map::style::NO_VALUE_FILL;
use crate::map::{gi_colour, CellFill, CellsView, GiFill, MapData, MapFeature, MapLayer, Rgb};
use tiny_skia::{FillRule, FilterQuality, Paint, PathBuilder, Pattern, SpreadMode, Transform};

/// The fill of a cell: a colour, or `None` for the suppressed hatching.
fn fill_of(map: &MapData, f: &MapFeature) -> Option<Rgb> {
    if map.cells_view == CellsView::Gistar {
        match f.gi {
            Some(GiFill::Class(c)) => Some(gi_colour(c)),
            Some(GiFill::Suppressed) => None,
            Some(GiFill::NoValue) | None => Some(NO_VALUE_FILL),
        }
    } else {
        match f.fill {
            Some(CellFill::Class(i)) => map
                .scale
                .as_ref()
                .map(|sc| sc.colours[i])
                .or(Some(NO_VALUE_FILL)),
            Some(CellFill::Suppressed) => None,
            Some(CellFill::NoValue) | None => Some(NO_VALUE_FILL),
        }
    }
}

/// Draws the cells of `layer` in the view [`MapData::cells_view`] asks for.
pub(super) fn paint_cells(cv: &mut Canvas, map: &MapData, layer: &MapLayer) {
    let id = Transform::identity();
    let mut by_fill: Vec<(Option<Rgb>, PathBuilder)> = Vec::new();
    for f in &layer.features {
        let key = fill_of(map, f);
        let pos = match by_fill.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                by_fill.push((key, PathBuilder::new()));
                by_fill.len() - 1
            }
        };
        for g in &f.parts {
            push_part(&mut by_fill[pos].1, &cv.view, g);
        }
    }
    for (key, pb) in by_fill {
        let Some(path) = pb.finish() else { continue };
        let mut p = match key {
            Some(c) => paint(c, 1.0),
            None => Paint {
                shader: Pattern::new(
                    cv.hatch.as_ref(),
                    SpreadMode::Repeat,
                    FilterQuality::Nearest,
                    1.0,
                    id,
                ),
                ..Paint::default()
            },
        };
        p.anti_alias = false;
        cv.pm
            .fill_path(&path, &p, FillRule::EvenOdd, id, Some(&cv.clip));
    }
}
