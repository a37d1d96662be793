//! The map's furniture (the parts around and over the layers that are not data): the title
//! band, the footer with the run parameters and the OGL attribution, the frame line, a scale
//! bar with a round length (the ground scale at the centre latitude: Web Mercator stretches
//! lengths by 1/cos φ, a few per cent across a force area) and a north arrow.

use super::canvas::{paint, View};
use super::font::{draw_text, fit_text, text_width, wrap_text};
use crate::map::frame::{fmt_length, nice_length};
use crate::map::{MapData, ATTRIBUTION};
use tiny_skia::{FillRule, LineJoin, Path as SkPath, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// Sizes shared by the furniture: the body-text and line scales and the padding, pixels.
#[derive(Clone, Copy, Debug)]
pub(super) struct Scales {
    /// Picture pixels per font pixel of body text; line widths scale with it.
    pub s: u32,
    /// Font scale of the title.
    pub ts: u32,
    /// Font scale of labels, legend and footer.
    pub ls: u32,
    /// Padding, pixels.
    pub pad: f32,
}

/// Draws the title; returns the height of the title band.
pub(super) fn title(pm: &mut Pixmap, map: &MapData, k: Scales) -> f32 {
    let wf = pm.width() as f32;
    let title_h = 7.0 * k.ts as f32 + 2.0 * k.pad;
    let title = fit_text(&map.title, wf - 2.0 * k.pad, k.ts);
    draw_text(pm, &title, k.pad, k.pad, k.ts, [20, 20, 20]);
    title_h
}

/// Draws the footer (run parameters, harmspot's version, the attribution, wrapped); returns
/// its height.
pub(super) fn footer(pm: &mut Pixmap, map: &MapData, k: Scales) -> f32 {
    let (wf, hf) = (pm.width() as f32, pm.height() as f32);
    let (pad, ls) = (k.pad, k.ls);
    let line_h = 10.0 * ls as f32;
    let mut footer: Vec<String> = Vec::new();
    let params: Vec<String> = map
        .params
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let mut first = params.join("   ");
    if !first.is_empty() {
        first.push_str("   ");
    }
    first.push_str(&format!("harmspot {}", env!("CARGO_PKG_VERSION")));
    footer.extend(wrap_text(&first, wf - 2.0 * pad, ls));
    footer.extend(wrap_text(ATTRIBUTION, wf - 2.0 * pad, ls));
    let footer_h = footer.len() as f32 * line_h + 2.0 * pad;
    for (i, l) in footer.iter().enumerate() {
        draw_text(
            pm,
            l,
            pad,
            hf - footer_h + pad + i as f32 * line_h,
            ls,
            [60, 60, 60],
        );
    }
    footer_h
}

/// Draws the grey line around the map frame.
pub(super) fn frame_line(pm: &mut Pixmap, frame: Rect) {
    pm.stroke_path(
        &PathBuilder::from_rect(frame),
        &paint([120, 120, 120], 1.0),
        &Stroke {
            width: 1.0,
            ..Stroke::default()
        },
        Transform::identity(),
        None,
    );
}

/// Draws the scale bar at the bottom left of `frame` (`[x0, y0, x1, y1]`): the longest round
/// length within a quarter of the frame.
pub(super) fn scale_bar(pm: &mut Pixmap, view: &View, frame: [f32; 4], k: Scales) {
    let [fx0, _, fx1, fy1] = frame;
    let (s, ls, pad) = (k.s, k.ls, k.pad);
    let id = Transform::identity();
    let fw = (fx1 - fx0) as f64;
    let mpp = view.ground_m_per_px();
    let len = nice_length(fw * 0.25 * mpp);
    let bar_px = (len / mpp) as f32;
    let bar_h = 2.0 * s as f32;
    let label = fmt_length(len);
    let box_w = bar_px.max(text_width(&label, ls) + text_width("0", ls))
        + 4.0 * s as f32
        + text_width(&label, ls) / 2.0;
    let box_h = 7.0 * ls as f32 + bar_h + 6.0 * s as f32;
    let bx = fx0 + pad;
    let by = fy1 - pad - box_h;
    if let Some(r) = Rect::from_xywh(bx, by, box_w, box_h) {
        pm.fill_rect(r, &paint([255, 255, 255], 0.85), id, None);
    }
    let x0 = bx + 2.0 * s as f32;
    let y_bar = by + box_h - 2.0 * s as f32 - bar_h;
    for (i, colour_) in [[30, 30, 30], [255, 255, 255]].into_iter().enumerate() {
        if let Some(r) = Rect::from_xywh(x0 + i as f32 * bar_px / 2.0, y_bar, bar_px / 2.0, bar_h) {
            pm.fill_rect(r, &paint(colour_, 1.0), id, None);
        }
    }
    if let Some(r) = Rect::from_xywh(x0, y_bar, bar_px, bar_h) {
        let st = Stroke {
            width: 1.0,
            ..Stroke::default()
        };
        pm.stroke_path(
            &PathBuilder::from_rect(r),
            &paint([30, 30, 30], 1.0),
            &st,
            id,
            None,
        );
    }
    let ly = y_bar - 8.0 * ls as f32;
    draw_text(
        pm,
        "0",
        x0 - text_width("0", ls) / 2.0,
        ly,
        ls,
        [20, 20, 20],
    );
    draw_text(
        pm,
        &label,
        x0 + bar_px - text_width(&label, ls) / 2.0,
        ly,
        ls,
        [20, 20, 20],
    );
}

/// Draws the north arrow at the top right of `frame` (`[x0, y0, x1, y1]`).
pub(super) fn north_arrow(pm: &mut Pixmap, frame: [f32; 4], k: Scales) {
    let [_, fy0, fx1, _] = frame;
    let (s, ls, pad) = (k.s, k.ls, k.pad);
    let id = Transform::identity();
    let aw = 8.0 * s as f32;
    let ah = 12.0 * s as f32;
    let ax = fx1 - pad - aw / 2.0 - 2.0 * s as f32;
    let ay = fy0 + pad + 9.0 * ls as f32;
    if let Some(r) = Rect::from_xywh(
        ax - aw / 2.0 - 2.0 * s as f32,
        fy0 + pad - 2.0 * s as f32,
        aw + 4.0 * s as f32,
        ah + 9.0 * ls as f32 + 4.0 * s as f32,
    ) {
        pm.fill_rect(r, &paint([255, 255, 255], 0.85), id, None);
    }
    draw_text(
        pm,
        "N",
        ax - text_width("N", ls) / 2.0,
        fy0 + pad,
        ls,
        [20, 20, 20],
    );
    let tri = |pts: &[(f32, f32)]| -> Option<SkPath> {
        let mut pb = PathBuilder::new();
        pb.move_to(pts[0].0, pts[0].1);
        for p in &pts[1..] {
            pb.line_to(p.0, p.1);
        }
        pb.close();
        pb.finish()
    };
    let tip = (ax, ay);
    let notch = (ax, ay + ah * 0.72);
    if let Some(p) = tri(&[tip, (ax - aw / 2.0, ay + ah), notch]) {
        pm.fill_path(&p, &paint([20, 20, 20], 1.0), FillRule::Winding, id, None);
    }
    if let Some(p) = tri(&[tip, (ax + aw / 2.0, ay + ah), notch]) {
        pm.fill_path(
            &p,
            &paint([255, 255, 255], 1.0),
            FillRule::Winding,
            id,
            None,
        );
        let st = Stroke {
            width: 1.0,
            line_join: LineJoin::Round,
            ..Stroke::default()
        };
        pm.stroke_path(&p, &paint([20, 20, 20], 1.0), &st, id, None);
    }
}
