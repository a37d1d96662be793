//! Painter of hotspots (`hotspots.geojson`): near-black outlines over a white halo, readable
//! on any density colour; rank labels queued after the harm spots'.

use super::canvas::{paint, path_of, Canvas};
use super::labels::Queued;
use crate::map::style::HOTSPOT_OUTLINE;
use crate::map::MapLayer;
use tiny_skia::{LineCap, LineJoin, Stroke, Transform};

/// Draws the hotspot outlines and queues their rank labels.
pub(super) fn paint_hotspots<'a>(
    cv: &mut Canvas,
    layer: &'a MapLayer,
    labels: &mut Vec<Queued<'a>>,
) {
    let (id, cm, s) = (Transform::identity(), Some(&cv.clip), cv.s);
    let pb = path_of(&cv.view, layer.features.iter().flat_map(|f| &f.parts));
    if let Some(path) = pb.finish() {
        let halo = Stroke {
            width: s as f32 + 3.0,
            line_join: LineJoin::Round,
            line_cap: LineCap::Round,
            ..Stroke::default()
        };
        let line = Stroke {
            width: s as f32,
            line_join: LineJoin::Round,
            line_cap: LineCap::Round,
            ..Stroke::default()
        };
        cv.pm
            .stroke_path(&path, &paint([255, 255, 255], 0.9), &halo, id, cm);
        cv.pm
            .stroke_path(&path, &paint(HOTSPOT_OUTLINE, 1.0), &line, id, cm);
    }
    for f in &layer.features {
        if let Some(lab) = &f.label {
            labels.push(Queued::new(1, lab, cv.view.px(lab.at)));
        }
    }
}
