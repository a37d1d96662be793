//! Label placement on the PNG: every label the painters queued, in priority order (harm
//! spots, hotspot ranks, area names, context names; file order within one), is drawn with a
//! white halo unless it would leave the map frame or overlap a label already placed — a
//! greedy, first-come placement (Imhof 1975: names must not cover one another).
//!
//! A harm spot's label that does not fit on its spot tries [`candidates`] around it in turn
//! (right, left, then rows above and below; the candidate-position model of point-feature
//! label placement, Christensen, Marks & Shieber 1995) and, when moved, is tied to its spot
//! by a leader line: the top harm spots of a force often lie a few hundred metres apart in
//! one town centre, where centred labels would hide all but the first.

use super::canvas::paint;
use super::font::{draw_text_halo, fit_text, text_width};
use crate::map::Label;
use tiny_skia::{LineCap, PathBuilder, Pixmap, Rect, Stroke, Transform};

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
    /// A line from the anchor to the box, when the label was moved off its anchor.
    pub leader: Option<[(f32, f32); 2]>,
}

/// Rows above and below a harm spot its label may move to.
const ROWS: i8 = 6;

/// Where a harm spot's label may go, in the order tried: the label's centre offset from its
/// anchor, horizontally in half label widths plus a gap (±1: right or left of the anchor),
/// vertically in label rows: on the spot, right, left, then row by row (up to [`ROWS`])
/// above, below, and right and left of those.
pub(super) fn candidates() -> impl Iterator<Item = (i8, i8)> {
    [(0, 0), (1, 0), (-1, 0)]
        .into_iter()
        .chain((1..=ROWS).flat_map(|r| [(0, -r), (0, r), (1, -r), (-1, -r), (1, r), (-1, r)]))
}

/// Chooses the labels to draw at font scale `ls` inside `frame` (`[x0, y0, x1, y1]`).
pub(super) fn place(mut labels: Vec<Queued>, frame: [f32; 4], ls: u32) -> Vec<Placed> {
    let [fx0, fy0, fx1, fy1] = frame;
    let fw = (fx1 - fx0) as f64;
    labels.sort_by_key(|l| l.priority);
    let mut placed: Vec<Placed> = Vec::new();
    for q in labels {
        let lab = q.label;
        let (x, y) = q.at;
        let t = fit_text(&lab.text, (fw as f32) / 3.0, ls);
        let tw = text_width(&t, ls);
        let th = 7.0 * ls as f32;
        let l = ls as f32;
        let tries = if q.priority == 0 { usize::MAX } else { 1 };
        for (cx, cy) in candidates().take(tries) {
            // the label's centre: on the anchor, or beside it (a gap of two font pixels) and
            // whole rows (the box's height) above or below
            let ox = f32::from(cx) * (tw / 2.0 + 3.0 * l);
            let oy = f32::from(cy) * (th + 3.0 * l);
            let lx = x + ox - tw / 2.0;
            let ly = if lab.above {
                y - th - 2.0 * l
            } else {
                y + oy - th / 2.0
            };
            let Some(r) = Rect::from_xywh(lx - l, ly - l, tw + 2.0 * l, th + 3.0 * l) else {
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
                let leader = ((cx, cy) != (0, 0)).then(|| {
                    let near = (x.clamp(r.left(), r.right()), y.clamp(r.top(), r.bottom()));
                    [(x, y), near]
                });
                placed.push(Placed {
                    text: t,
                    x: lx,
                    y: ly,
                    area: r,
                    leader,
                });
                break;
            }
        }
    }
    placed
}

/// Draws the placed labels, dark on a white halo, over their leader lines.
pub(super) fn draw(pm: &mut Pixmap, placed: &[Placed], ls: u32) {
    let mut pb = PathBuilder::new();
    for [a, b] in placed.iter().filter_map(|p| p.leader) {
        pb.move_to(a.0, a.1);
        pb.line_to(b.0, b.1);
    }
    if let Some(path) = pb.finish() {
        let (halo, line) = (ls as f32 + 2.0, (ls as f32 / 2.0).max(1.0));
        for (w, c) in [(halo, [255, 255, 255]), (line, [10, 10, 10])] {
            let st = Stroke {
                width: w,
                line_cap: LineCap::Round,
                ..Stroke::default()
            };
            pm.stroke_path(&path, &paint(c, 1.0), &st, Transform::identity(), None);
        }
    }
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
    fn clustered_harm_spot_labels_move_aside_with_leaders() {
        // ten harm spots within 20 px, as the top spots of a town centre at force scale
        let labs: Vec<Label> = (1..=10)
            .map(|i| label(&format!("S{i} Some Street"), false))
            .collect();
        let queued = labs
            .iter()
            .enumerate()
            .map(|(i, l)| Queued::new(0, l, (400.0 + 2.0 * i as f32, 300.0 + i as f32)))
            .collect();
        let placed = place(queued, [0.0, 0.0, 800.0, 600.0], 2);
        assert_eq!(placed.len(), 10, "{placed:?}");
        assert!(placed[0].leader.is_none());
        for (i, p) in placed.iter().enumerate() {
            for q in &placed[i + 1..] {
                let (r, o) = (p.area, q.area);
                assert!(
                    r.right() <= o.left()
                        || o.right() <= r.left()
                        || r.bottom() <= o.top()
                        || o.bottom() <= r.top(),
                    "{p:?} {q:?}"
                );
            }
        }
        // every moved label is tied to its spot: the leader starts at the anchor, ends on the box
        for (i, p) in placed.iter().enumerate().skip(1) {
            let [a, b] = p.leader.expect("a leader");
            assert_eq!(a, (400.0 + 2.0 * i as f32, 300.0 + i as f32));
            assert!(b.0 >= p.area.left() && b.0 <= p.area.right());
            assert!(b.1 >= p.area.top() && b.1 <= p.area.bottom());
        }
    }

    #[test]
    fn labels_leaving_the_frame_are_dropped_and_long_ones_cut() {
        let (a, b) = (label("edge", false), label(&"x".repeat(200), false));
        let placed = place(
            vec![
                Queued::new(1, &a, (2.0, 50.0)),
                Queued::new(1, &b, (300.0, 300.0)),
            ],
            [0.0, 0.0, 600.0, 600.0],
            1,
        );
        assert_eq!(placed.len(), 1);
        assert!(placed[0].text.ends_with("...") && text_width(&placed[0].text, 1) <= 200.0);
        // a harm spot's label at the edge moves inwards, tied by a leader
        let placed = place(
            vec![Queued::new(0, &a, (2.0, 50.0))],
            [0.0, 0.0, 600.0, 600.0],
            1,
        );
        assert_eq!(placed.len(), 1);
        assert!(placed[0].x > 2.0 && placed[0].leader.is_some());
    }
}
