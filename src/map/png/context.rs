//! Painter of context layers (`boundary.geojson`, the context file: force boundary, LSOAs,
//! wards): thin grey outlines for orientation, their names queued as the lowest-priority
//! labels.

use super::canvas::{paint, path_of, Canvas};
use super::labels::Queued;
use crate::map::style::CONTEXT_OUTLINE;
use crate::map::MapLayer;
use tiny_skia::{LineJoin, Stroke, Transform};

/// Draws a context layer and queues its labels.
pub(super) fn paint_context<'a>(
    cv: &mut Canvas,
    layer: &'a MapLayer,
    labels: &mut Vec<Queued<'a>>,
) {
    let pb = path_of(&cv.view, layer.features.iter().flat_map(|f| &f.parts));
    if let Some(path) = pb.finish() {
        let st = Stroke {
            width: 0.7 * cv.s as f32,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        cv.pm.stroke_path(
            &path,
            &paint(CONTEXT_OUTLINE, 0.8),
            &st,
            Transform::identity(),
            Some(&cv.clip),
        );
    }
    for f in &layer.features {
        if let Some(lab) = &f.label {
            labels.push(Queued::new(3, lab, cv.view.px(lab.at)));
        }
    }
}
