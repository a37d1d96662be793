//! Painter of generic layers (any other `*.geojson`): polygons lightly filled and outlined,
//! lines and points, all in the layer's own colour (ColorBrewer Dark2, in turn).

use super::canvas::{paint, push_part, Canvas};
use crate::map::{Geometry, MapLayer};
use tiny_skia::{FillRule, LineJoin, PathBuilder, Stroke, Transform};

/// Draws a generic layer.
pub(super) fn paint_other(cv: &mut Canvas, layer: &MapLayer) {
    let (id, cm, s) = (Transform::identity(), Some(&cv.clip), cv.s);
    let c = layer.colour;
    let mut polys = PathBuilder::new();
    let mut lines = PathBuilder::new();
    let mut dots = PathBuilder::new();
    for g in layer.features.iter().flat_map(|f| &f.parts) {
        match g {
            Geometry::Polygon(_) => push_part(&mut polys, &cv.view, g),
            Geometry::Line(_) => push_part(&mut lines, &cv.view, g),
            Geometry::Point(p) => {
                let (x, y) = cv.view.px(*p);
                dots.push_circle(x, y, 1.5 * s as f32);
            }
        }
    }
    let st = Stroke {
        width: s as f32 * 0.8,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    if let Some(path) = polys.finish() {
        cv.pm
            .fill_path(&path, &paint(c, 0.15), FillRule::EvenOdd, id, cm);
        cv.pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
    }
    if let Some(path) = lines.finish() {
        cv.pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
    }
    if let Some(path) = dots.finish() {
        cv.pm
            .fill_path(&path, &paint(c, 0.9), FillRule::Winding, id, cm);
    }
}
