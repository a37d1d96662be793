//! Painter of before/after areas (`areas.geojson`): each area outlined in its role's colour
//! ([`Role::colour`]), dashed for buffers, lightly filled except buffers (a buffer ring holds
//! its treatment area, which would otherwise be tinted twice); drawn controls first and
//! treatment areas last ([`Role::z`]); names queued as labels above the north edge.

use super::canvas::{paint, path_of, Canvas};
use super::labels::Queued;
use crate::map::{MapLayer, Role};
use tiny_skia::{FillRule, LineJoin, Stroke, StrokeDash, Transform};

/// Draws the areas and queues their labels.
pub(super) fn paint_areas<'a>(cv: &mut Canvas, layer: &'a MapLayer, labels: &mut Vec<Queued<'a>>) {
    let (id, cm, s) = (Transform::identity(), Some(&cv.clip), cv.s);
    let mut features: Vec<_> = layer.features.iter().collect();
    features.sort_by_key(|f| f.role.unwrap_or(Role::Other).z());
    for f in features {
        let role = f.role.unwrap_or(Role::Other);
        let Some(path) = path_of(&cv.view, &f.parts).finish() else {
            continue;
        };
        let c = role.colour();
        if role != Role::Buffer {
            cv.pm
                .fill_path(&path, &paint(c, 0.10), FillRule::EvenOdd, id, cm);
        }
        let mut st = Stroke {
            width: 1.2 * s as f32,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        if role.dashed() {
            st.dash = StrokeDash::new(vec![5.0 * s as f32, 3.0 * s as f32], 0.0);
        }
        cv.pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
        if let Some(lab) = &f.label {
            labels.push(Queued::new(2, lab, cv.view.px(lab.at)));
        }
    }
}
