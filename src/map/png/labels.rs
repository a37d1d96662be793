//! Label placement on the PNG: every label the painters queued, in priority order (harm
//! spots, hotspot ranks, area names, context names; file order within one), is drawn with a
//! white halo unless it would leave the map frame or overlap a label already placed — a
//! greedy, first-come placement, the simplest of the cartographic label-placement rules
//! (Imhof 1975: names must not cover one another).

use super::font::{draw_text_halo, fit_text, text_width};
use crate::map::Label;
use tiny_skia::{Pixmap, Rect};

/// A label waiting to be placed: its priority (0 first), the label, its anchor in pixels.
pub(super) struct Queued<'a> {
    priority: u8,
    label: &'a Label,
    at: (f32, f32),
}

impl<'a> Queued<'a> {
    pub(super) fn new(priority: u8, label: &'a Label, at: (f32, f32)) -> Self {
        Queued {
            priority,
            label,
            at,
        }
    }
}

/// A placed label: its text (cut to a third of the frame's width) and top-left corner.
#[derive(Debug, PartialEq)]
pub(super) struct Placed {
    pub text: String,
    pub x: f32,
    pub y: f32,
    /// The box kept free around the text.
    pub area: Rect,
}

/// Chooses the labels to draw at font scale `ls` inside `frame` (`[x0, y0, x1, y1]`).
pub(super) fn place(mut labels: Vec<Queued>, frame: [f32; 4], ls: u32) -> Vec<Placed> {
    let [fx0, fy0, fx1, fy1] = frame;
    let fw = (fx1 - fx0) as f64;
    labels.sort_by_key(|l| l.priority);
    let mut placed: Vec<Placed> = Vec::new();
    for Queued {
        label: lab,
        at: (x, y),
        ..
    } in labels
    {
        let t = fit_text(&lab.text, (fw as f32) / 3.0, ls);
        let tw = text_width(&t, ls);
        let th = 7.0 * ls as f32;
        let lx = x - tw / 2.0;
        let ly = if lab.above {
            y - th - 2.0 * ls as f32
        } else {
            y - th / 2.0
        };
        let Some(r) = Rect::from_xywh(
            lx - ls as f32,
            ly - ls as f32,
            tw + 2.0 * ls as f32,
            th + 3.0 * ls as f32,
        ) else {
            continue;
        };
        let inside = lx >= fx0 && ly >= fy0 && lx + tw <= fx1 && ly + th <= fy1;
        let free = placed.iter().map(|p| p.area).all(|o| {
            r.right() <= o.left()
                || o.right() <= r.left()
                || r.bottom() <= o.top()
                || o.bottom() <= r.top()
        });
        if inside && free {
            placed.push(Placed {
                text: t,
                x: lx,
                y: ly,
                area: r,
            });
        }
    }
    placed
}

/// Draws the placed labels, dark on a white halo.
pub(super) fn draw(pm: &mut Pixmap, placed: &[Placed], ls: u32) {
    for p in placed {
        draw_text_halo(pm, &p.text, p.x, p.y, ls, [10, 10, 10]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(text: &str, above: bool) -> Label {
        Label {
            text: text.into(),
            at: [0.0, 0.0],
            above,
        }
    }

    #[test]
    fn higher_priority_wins_and_nothing_overlaps() {
        let (a, b, c, d) = (
            label("S1 Grey Street", false),
            label("1", false),
            label("Hub", true),
            label("far", false),
        );
        let queued = vec![
            Queued::new(3, &d, (400.0, 300.0)),
            Queued::new(1, &b, (102.0, 101.0)),
            Queued::new(0, &a, (100.0, 100.0)),
            Queued::new(2, &c, (100.0, 150.0)),
        ];
        let placed = place(queued, [0.0, 0.0, 800.0, 600.0], 2);
        let texts: Vec<&str> = placed.iter().map(|p| p.text.as_str()).collect();
        // the rank under the harm spot's label is dropped; the area name sits above its point
        assert_eq!(texts, vec!["S1 Grey Street", "Hub", "far"]);
        for (i, p) in placed.iter().enumerate() {
            for q in &placed[i + 1..] {
                let (r, o) = (p.area, q.area);
                let apart = r.right() <= o.left()
                    || o.right() <= r.left()
                    || r.bottom() <= o.top()
                    || o.bottom() <= r.top();
                assert!(apart, "{p:?} {q:?}");
            }
        }
        assert!(placed[1].y + 14.0 <= 150.0);
    }

    #[test]
    fn labels_leaving_the_frame_are_dropped_and_long_ones_cut() {
        let (a, b) = (label("edge", false), label(&"x".repeat(200), false));
        let placed = place(
            vec![
                Queued::new(0, &a, (2.0, 50.0)),
                Queued::new(0, &b, (300.0, 300.0)),
            ],
            [0.0, 0.0, 600.0, 600.0],
            1,
        );
        assert_eq!(placed.len(), 1);
        assert!(placed[0].text.ends_with("...") && text_width(&placed[0].text, 1) <= 200.0);
    }
}
