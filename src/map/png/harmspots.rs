//! Painter of harm spots (`harmspots.geojson`, issue 11): filled dark blue (ColorBrewer
//! Blues, apart from the YlOrRd density) with an outline of the same colour, so a 125 m spot
//! stays visible at force scale; their `S1 street` labels queued first of all.

use super::canvas::{paint, path_of, Canvas};
use super::labels::Queued;
use crate::map::style::HARM_SPOT_FILL;
use crate::map::MapLayer;
use tiny_skia::{FillRule, LineJoin, Stroke, Transform};

/// Draws the harm spots and queues their labels.
pub(super) fn paint_harm_spots<'a>(
    cv: &mut Canvas,
    layer: &'a MapLayer,
    labels: &mut Vec<Queued<'a>>,
) {
    let (id, cm) = (Transform::identity(), Some(&cv.clip));
    let pb = path_of(&cv.view, layer.features.iter().flat_map(|f| &f.parts));
    if let Some(path) = pb.finish() {
        cv.pm.fill_path(
            &path,
            &paint(HARM_SPOT_FILL, 0.9),
            FillRule::EvenOdd,
            id,
            cm,
        );
        // an outline of the fill's colour keeps a 125 m spot visible at force scale
        let edge = Stroke {
            width: 1.5 * cv.s as f32,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        cv.pm
            .stroke_path(&path, &paint(HARM_SPOT_FILL, 1.0), &edge, id, cm);
    }
    for f in &layer.features {
        if let Some(lab) = &f.label {
            // harm spot labels before every other
            labels.push(Queued::new(0, lab, cv.view.px(lab.at)));
        }
    }
}
