//! The legend column of the PNG, right of the map: the sections of the groups drawn
//! ([`MapData::static_groups`](crate::map::MapData::static_groups)), each a bold heading, an
//! optional grey note and one swatch and label per entry, cut with `...` where the column is
//! too narrow and stopped at the bottom of the frame.

use super::canvas::paint;
use super::font::{draw_text, fit_text, text_width};
use crate::map::{LegendSection, Rgb, Swatch};
use tiny_skia::{
    FillRule, FilterQuality, Paint, PathBuilder, Pattern, Pixmap, Rect, SpreadMode, Stroke,
    StrokeDash, Transform,
};

/// Sizes of the legend column at font scale `ls`, pixels.
#[derive(Clone, Copy, Debug)]
pub(super) struct Column {
    /// Font scale.
    pub ls: u32,
    /// Width of the column, padding included.
    pub width: f32,
    /// Width of its text.
    pub inner: f32,
}

const SWATCH_W: f32 = 12.0;
const SWATCH_H: f32 = 8.0;
const GAP: f32 = 4.0;

impl Column {
    /// The column that fits the widest line of `sections`, between 12% and 40% of the
    /// picture's width `wf`.
    pub(super) fn fit(sections: &[&LegendSection], ls: u32, pad: f32, wf: f32) -> Column {
        let sw_w = SWATCH_W * ls as f32;
        let gap = GAP * ls as f32;
        let mut need: f32 = 0.0;
        for sec in sections {
            need = need.max(text_width(&sec.title, ls));
            if let Some(n) = &sec.note {
                need = need.max(text_width(n, ls));
            }
            for e in &sec.entries {
                need = need.max(sw_w + gap + text_width(&e.label, ls));
            }
        }
        let width = (need + 2.0 * pad).min(wf * 0.4).max(wf * 0.12);
        Column {
            ls,
            width,
            inner: width - 2.0 * pad,
        }
    }
}

/// Draws the legend column from `(lx, fy0)` down to `fy1`.
pub(super) fn draw(
    pm: &mut Pixmap,
    sections: &[&LegendSection],
    col: Column,
    (lx, fy0, fy1): (f32, f32, f32),
    hatch: &Pixmap,
) {
    let (ls, inner_w) = (col.ls, col.inner);
    let line_h = 10.0 * ls as f32;
    let sw_w = SWATCH_W * ls as f32;
    let sw_h = SWATCH_H * ls as f32;
    let gap = GAP * ls as f32;
    let mut y = fy0;
    let heading = |pm: &mut Pixmap, t: &str, y: f32| {
        let t = fit_text(t, inner_w, ls);
        draw_text(pm, &t, lx, y, ls, [20, 20, 20]);
        draw_text(pm, &t, lx + 1.0, y, ls, [20, 20, 20]); // faux bold
    };
    heading(pm, "Legend", y);
    y += 12.0 * ls as f32;
    for sec in sections {
        if y > fy1 - line_h {
            break;
        }
        heading(pm, &sec.title, y);
        y += line_h;
        if let Some(n) = &sec.note {
            draw_text(pm, &fit_text(n, inner_w, ls), lx, y, ls, [100, 100, 100]);
            y += line_h;
        }
        y += 2.0 * ls as f32;
        for e in &sec.entries {
            if y > fy1 - sw_h {
                break;
            }
            if let Some(r) = Rect::from_xywh(lx, y, sw_w, sw_h) {
                swatch_rect(pm, &e.swatch, r, hatch, ls);
            }
            let t = fit_text(&e.label, inner_w - sw_w - gap, ls);
            draw_text(
                pm,
                &t,
                lx + sw_w + gap,
                y + (sw_h - 7.0 * ls as f32) / 2.0,
                ls,
                [30, 30, 30],
            );
            y += sw_h + 3.0 * ls as f32;
        }
        y += 6.0 * ls as f32;
    }
}

/// Draws a legend swatch in `r`; `s` is the line-width scale.
fn swatch_rect(pm: &mut Pixmap, sw: &Swatch, r: Rect, hatch: &Pixmap, s: u32) {
    let (x, y, w, h) = (r.x(), r.y(), r.width(), r.height());
    let border = |pm: &mut Pixmap, c: Rgb, width: f32, dashed: bool| {
        let path = PathBuilder::from_rect(r);
        let mut st = Stroke {
            width,
            ..Stroke::default()
        };
        if dashed {
            st.dash = StrokeDash::new(vec![3.0 * s as f32, 2.0 * s as f32], 0.0);
        }
        pm.stroke_path(&path, &paint(c, 1.0), &st, Transform::identity(), None);
    };
    match *sw {
        Swatch::Fill(c) => {
            pm.fill_rect(r, &paint(c, 1.0), Transform::identity(), None);
            border(pm, [150, 150, 150], 1.0, false);
        }
        Swatch::Hatch => {
            let p = Paint {
                shader: Pattern::new(
                    hatch.as_ref(),
                    SpreadMode::Repeat,
                    FilterQuality::Nearest,
                    1.0,
                    Transform::identity(),
                ),
                ..Paint::default()
            };
            pm.fill_rect(r, &p, Transform::identity(), None);
            border(pm, [150, 150, 150], 1.0, false);
        }
        Swatch::Outline { colour: c, dashed } => {
            pm.fill_rect(r, &paint(c, 0.12), Transform::identity(), None);
            border(pm, c, s as f32, dashed);
        }
        Swatch::Line(c) => {
            let mut pb = PathBuilder::new();
            pb.move_to(x, y + h / 2.0);
            pb.line_to(x + w, y + h / 2.0);
            if let Some(path) = pb.finish() {
                let st = Stroke {
                    width: s as f32,
                    ..Stroke::default()
                };
                pm.stroke_path(&path, &paint(c, 1.0), &st, Transform::identity(), None);
            }
        }
        Swatch::Point(c) => {
            if let Some(path) = PathBuilder::from_circle(x + w / 2.0, y + h / 2.0, h / 3.0) {
                pm.fill_path(
                    &path,
                    &paint(c, 1.0),
                    FillRule::Winding,
                    Transform::identity(),
                    None,
                );
            }
        }
    }
}
