//! `chart.png`: small multiples of a monitoring table (METHODS §10) — one panel per place
//! (rows) and measure (columns): the count of each period as a dot joined by a line, the
//! baseline's usual range as a shaded band with its average as a tick, complete periods
//! filled (red above the range, blue below, grey within), incomplete periods hollow.
//! Drawn with tiny-skia and the map's built-in bitmap font, so the picture is the same on
//! every machine.
//!
//! With more than [`MAX_ROWS`] places, the rows are all areas together and the areas with
//! the most flagged periods; the title says so (every area is in `measures.csv`).

use super::markdown::grouped;
use super::shield::Shown;
use crate::error::{Error, Result};
use crate::monitor::{Flag, MonitorResult};
use crate::publish::draw::font::{draw_text, fit_text, text_width};
use std::path::Path;
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// Most rows of panels (all areas together included).
pub const MAX_ROWS: usize = 16;

const S: u32 = 2; // picture pixels per font pixel
const PANEL_W: f32 = 230.0 * S as f32;
const PANEL_H: f32 = 110.0 * S as f32;
const GAP: f32 = 14.0 * S as f32;
const LEFT: f32 = 130.0 * S as f32;
const TOP: f32 = 62.0 * S as f32;
const BOTTOM: f32 = 30.0 * S as f32;

type Rgb = [u8; 3];
const INK: Rgb = [40, 40, 40];
const GREY: Rgb = [110, 110, 110];
const ABOVE: Rgb = [215, 48, 39];
const BELOW: Rgb = [49, 104, 176];
const BAND: Rgb = [150, 170, 200];

fn paint(c: Rgb, a: f32) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(Color::from_rgba8(c[0], c[1], c[2], (a * 255.0) as u8));
    p.anti_alias = true;
    p
}

fn rect(pm: &mut Pixmap, l: f32, t: f32, r: f32, b: f32, c: Rgb, a: f32) {
    if let Some(rc) = Rect::from_ltrb(l, t.min(b), r, b.max(t)) {
        pm.fill_rect(rc, &paint(c, a), Transform::identity(), None);
    }
}

fn line(pm: &mut Pixmap, pts: &[(f32, f32)], c: Rgb, w: f32) {
    let mut pb = PathBuilder::new();
    for (i, p) in pts.iter().enumerate() {
        if i == 0 {
            pb.move_to(p.0, p.1)
        } else {
            pb.line_to(p.0, p.1)
        }
    }
    if let Some(path) = pb.finish() {
        let st = Stroke {
            width: w,
            ..Stroke::default()
        };
        pm.stroke_path(&path, &paint(c, 1.0), &st, Transform::identity(), None);
    }
}

fn dot(pm: &mut Pixmap, x: f32, y: f32, flag: Option<Flag>) {
    let r = 3.5 * S as f32;
    let Some(path) = PathBuilder::from_circle(x, y, r) else {
        return;
    };
    let id = Transform::identity();
    let c = match flag {
        Some(Flag::Above) => ABOVE,
        Some(Flag::Below) => BELOW,
        _ => INK,
    };
    if flag == Some(Flag::Incomplete) {
        pm.fill_path(
            &path,
            &paint([255, 255, 255], 1.0),
            FillRule::Winding,
            id,
            None,
        );
        let st = Stroke {
            width: 1.5 * S as f32,
            ..Stroke::default()
        };
        pm.stroke_path(&path, &paint(c, 1.0), &st, id, None);
    } else {
        pm.fill_path(&path, &paint(c, 1.0), FillRule::Winding, id, None);
    }
}

/// The places drawn: all areas together, then every area (or the most flagged ones).
fn rows_drawn(r: &MonitorResult, shown: &[Vec<Vec<Shown>>]) -> Vec<usize> {
    let all = r.areas.len();
    let mut areas: Vec<usize> = (0..all).collect();
    if all + 1 > MAX_ROWS {
        let flags = |p: usize| {
            shown
                .iter()
                .flat_map(|m| &m[p])
                .filter(|s| matches!(s.flag, Some(Flag::Above | Flag::Below)))
                .count()
        };
        let total = |p: usize| shown[0][p].iter().filter_map(|s| s.count).sum::<f64>();
        areas.sort_by(|&a, &b| {
            flags(b)
                .cmp(&flags(a))
                .then(total(b).total_cmp(&total(a)))
                .then(a.cmp(&b))
        });
        areas.truncate(MAX_ROWS - 1);
    }
    std::iter::once(all).chain(areas).collect()
}

/// Draws one panel with its top-left corner at (x0, y0).
fn panel(pm: &mut Pixmap, cells: &[Shown], x0: f32, y0: f32, count_dp: usize) {
    rect(pm, x0, y0, x0 + PANEL_W, y0 + PANEL_H, [247, 247, 247], 1.0);
    let n = cells.len().max(1) as f32;
    let top = cells
        .iter()
        .flat_map(|s| [s.count, s.high])
        .flatten()
        .fold(0.0f64, f64::max);
    let ymax = top.max(1.0) * 1.08;
    let (pad_t, pad_b) = (12.0 * S as f32, 4.0 * S as f32);
    let y = |v: f64| y0 + PANEL_H - pad_b - (v / ymax) as f32 * (PANEL_H - pad_t - pad_b);
    let dx = PANEL_W / n;
    let x = |j: usize| x0 + dx * (j as f32 + 0.5);
    for (j, s) in cells.iter().enumerate() {
        if let (Some(lo), Some(hi)) = (s.low, s.high) {
            rect(
                pm,
                x(j) - dx / 2.0,
                y(hi),
                x(j) + dx / 2.0,
                y(lo),
                BAND,
                0.45,
            );
        }
        if let Some(m) = s.baseline_mean {
            line(
                pm,
                &[(x(j) - dx / 2.0, y(m)), (x(j) + dx / 2.0, y(m))],
                GREY,
                1.0 * S as f32,
            );
        }
    }
    let mut run: Vec<(f32, f32)> = Vec::new();
    for (j, s) in cells.iter().enumerate() {
        match s.count.filter(|_| s.months > 0) {
            Some(c) => run.push((x(j), y(c))),
            None => {
                line(pm, &run, GREY, 1.2 * S as f32);
                run.clear();
            }
        }
    }
    line(pm, &run, GREY, 1.2 * S as f32);
    for (j, s) in cells.iter().enumerate() {
        if let Some(c) = s.count.filter(|_| s.months > 0) {
            dot(pm, x(j), y(c), s.flag);
        }
    }
    draw_text(
        pm,
        &grouped(top, count_dp),
        x0 + 3.0 * S as f32,
        y0 + 2.0 * S as f32,
        S,
        GREY,
    );
}

fn legend(pm: &mut Pixmap, x0: f32, y0: f32) {
    let mut x = x0;
    let step = |pm: &mut Pixmap, x: &mut f32, text: &str| {
        draw_text(pm, text, *x + 8.0 * S as f32, y0 - 3.0 * S as f32, S, INK);
        *x += text_width(text, S) + 24.0 * S as f32;
    };
    for (flag, text) in [
        (Some(Flag::Within), "within usual range"),
        (Some(Flag::Above), "above"),
        (Some(Flag::Below), "below"),
        (
            Some(Flag::Incomplete),
            "incomplete (months missing), not compared",
        ),
    ] {
        dot(pm, x, y0, flag);
        step(pm, &mut x, text);
    }
    rect(
        pm,
        x - 4.0 * S as f32,
        y0 - 5.0 * S as f32,
        x + 4.0 * S as f32,
        y0 + 5.0 * S as f32,
        BAND,
        0.45,
    );
    step(pm, &mut x, "usual range (baseline, 95%)");
}

/// Draws the chart of `r` and writes it to `path` (a PNG).
pub fn render(r: &MonitorResult, shown: &[Vec<Vec<Shown>>]) -> Result<Vec<u8>> {
    let rows = rows_drawn(r, shown);
    let cols = r.measures.len();
    let w = (LEFT + cols as f32 * (PANEL_W + GAP) + GAP) as u32;
    let h = (TOP + rows.len() as f32 * (PANEL_H + GAP) + BOTTOM) as u32;
    let mut pm =
        Pixmap::new(w, h).ok_or_else(|| Error::TooLarge(format!("a chart of {w} x {h} pixels")))?;
    pm.fill(Color::WHITE);
    let unit = match r.calendar.kind {
        crate::monitor::PeriodKind::Month => "month",
        crate::monitor::PeriodKind::Quarter => "quarter",
        crate::monitor::PeriodKind::Year => "year",
    };
    let which = if rows.len() - 1 < r.areas.len() {
        format!("all areas together and the {} of {} areas with most flagged periods (every area is in measures.csv)", rows.len() - 1, r.areas.len())
    } else {
        format!("all areas together and each of {} areas", r.areas.len())
    };
    let (first, last) = (
        r.periods.first().map_or("", |p| &p.label),
        r.periods.last().map_or("", |p| &p.label),
    );
    let title = format!("Count per {unit}, {first} to {last}: {which}");
    draw_text(
        &mut pm,
        &fit_text(&title, w as f32 - 2.0 * GAP, S),
        GAP,
        8.0 * S as f32,
        S,
        INK,
    );
    legend(&mut pm, GAP + 4.0 * S as f32, 28.0 * S as f32);
    for (c, m) in r.measures.iter().enumerate() {
        let x0 = LEFT + c as f32 * (PANEL_W + GAP);
        draw_text(
            &mut pm,
            &fit_text(m.measure.name(), PANEL_W, S),
            x0,
            TOP - 12.0 * S as f32,
            S,
            INK,
        );
    }
    for (ri, &p) in rows.iter().enumerate() {
        let y0 = TOP + ri as f32 * (PANEL_H + GAP);
        let name = r.place_name(p);
        let mut ly = y0 + 4.0 * S as f32;
        for l in crate::publish::draw::font::wrap_text(name, LEFT - 2.0 * GAP, S)
            .into_iter()
            .take(4)
        {
            draw_text(&mut pm, &fit_text(&l, LEFT - 2.0 * GAP, S), GAP, ly, S, INK);
            ly += 10.0 * S as f32;
        }
        for (c, m) in r.measures.iter().enumerate() {
            let x0 = LEFT + c as f32 * (PANEL_W + GAP);
            panel(
                &mut pm,
                &shown[c][p],
                x0,
                y0,
                if m.measure.is_count() { 0 } else { 1 },
            );
        }
    }
    // period labels under the last row: first and last
    let yb = TOP + rows.len() as f32 * (PANEL_H + GAP) - GAP + 4.0 * S as f32;
    for c in 0..cols {
        let x0 = LEFT + c as f32 * (PANEL_W + GAP);
        if let (Some(a), Some(z)) = (r.periods.first(), r.periods.last()) {
            draw_text(&mut pm, &a.label, x0, yb, S, GREY);
            draw_text(
                &mut pm,
                &z.label,
                x0 + PANEL_W - text_width(&z.label, S),
                yb,
                S,
                GREY,
            );
        }
    }
    pm.encode_png()
        .map_err(|e| Error::io(Path::new("chart.png"), std::io::Error::other(e.to_string())))
}
