//! A static map picture (PNG) for reports and slides, drawn with `tiny-skia`: the density
//! cells (or Gi* classes, [`MapData::cells_view`]) coloured, generic layers, areas by role and
//! hotspot outlines with their ranks on top; a title, a legend column, a scale bar with a
//! round length, a north arrow, the run parameters and the OGL attribution.
//!
//! Web Mercator (EPSG:3857, [`super::mercator`]) fitted to the layers' extent: north is up
//! everywhere, and the scale bar uses the ground scale at the map's centre latitude
//! (Mercator stretches lengths by 1/cos φ; over a police force area the scale varies by a
//! few per cent from south to north).
//!
//! Text uses a built-in 5×7 bitmap font ([`GLYPHS`]: printable ASCII plus `²`, `°`; g, j, p,
//! q, y and the comma get two descender rows), scaled by whole pixels, so the picture looks
//! the same on every machine and needs no system font.

use super::frame::{fmt_length, mercator, mercator_lat, nice_length};
use super::style::{
    CONTEXT_OUTLINE, HARM_SPOT_FILL, HOTSPOT_OUTLINE, NO_VALUE_FILL, SUPPRESSED_FILL,
    SUPPRESSED_HATCH,
};
use super::{gi_colour, CellFill, CellsView, Geometry, GiFill, LayerKind, MapData, Rgb, Swatch};
use crate::error::{Error, Result};
use crate::write::write_atomic;
use std::io::Write;
use std::path::Path;
use tiny_skia::{
    Color, FillRule, FilterQuality, LineCap, LineJoin, Mask, Paint, Path as SkPath, PathBuilder,
    Pattern, Pixmap, Rect, SpreadMode, Stroke, StrokeDash, Transform,
};

/// Size of the picture. Default 1600 × 1200 pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PngOptions {
    /// Width in pixels, 200 to 10,000 (default 1600).
    pub width: u32,
    /// Height in pixels, 200 to 10,000 (default 1200).
    pub height: u32,
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions {
            width: 1600,
            height: 1200,
        }
    }
}

/// The 5×7 glyphs of printable ASCII (`' '` to `'~'`): seven rows, top first, each the five
/// low bits of a byte, bit 4 the leftmost pixel.
pub const GLYPHS: [[u8; 7]; 95] = [
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], // ' '
    [0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04], // !
    [0x0A, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00], // "
    [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A], // #
    [0x04, 0x0F, 0x14, 0x0E, 0x05, 0x1E, 0x04], // $
    [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03], // %
    [0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D], // &
    [0x0C, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00], // '
    [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02], // (
    [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08], // )
    [0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00], // *
    [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00], // +
    [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08], // ,
    [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00], // -
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C], // .
    [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00], // /
    [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E], // 0
    [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E], // 1
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F], // 2
    [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E], // 3
    [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02], // 4
    [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E], // 5
    [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E], // 6
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08], // 7
    [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E], // 8
    [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C], // 9
    [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00], // :
    [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x04, 0x08], // ;
    [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02], // <
    [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00], // =
    [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08], // >
    [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04], // ?
    [0x0E, 0x11, 0x01, 0x0D, 0x15, 0x15, 0x0E], // @
    [0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11], // A
    [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E], // B
    [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E], // C
    [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C], // D
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F], // E
    [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10], // F
    [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F], // G
    [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11], // H
    [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], // I
    [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C], // J
    [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11], // K
    [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F], // L
    [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11], // M
    [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11], // N
    [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // O
    [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10], // P
    [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D], // Q
    [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11], // R
    [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E], // S
    [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04], // T
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E], // U
    [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04], // V
    [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A], // W
    [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11], // X
    [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04], // Y
    [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F], // Z
    [0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E], // [
    [0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00], // \
    [0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E], // ]
    [0x04, 0x0A, 0x11, 0x00, 0x00, 0x00, 0x00], // ^
    [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F], // _
    [0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00], // `
    [0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F], // a
    [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E], // b
    [0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E], // c
    [0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F], // d
    [0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E], // e
    [0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08], // f
    [0x00, 0x00, 0x0F, 0x11, 0x0F, 0x01, 0x0E], // g
    [0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11], // h
    [0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E], // i
    [0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C], // j
    [0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12], // k
    [0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E], // l
    [0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11], // m
    [0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11], // n
    [0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E], // o
    [0x00, 0x00, 0x1E, 0x11, 0x1E, 0x10, 0x10], // p
    [0x00, 0x00, 0x0D, 0x13, 0x0F, 0x01, 0x01], // q
    [0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10], // r
    [0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E], // s
    [0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06], // t
    [0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D], // u
    [0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04], // v
    [0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A], // w
    [0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11], // x
    [0x00, 0x00, 0x11, 0x11, 0x0F, 0x01, 0x0E], // y
    [0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F], // z
    [0x02, 0x04, 0x04, 0x08, 0x04, 0x04, 0x02], // {
    [0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04], // |
    [0x08, 0x04, 0x04, 0x02, 0x04, 0x04, 0x08], // }
    [0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00], // ~
];

const SQUARED: [u8; 7] = [0x0C, 0x12, 0x04, 0x08, 0x1E, 0x00, 0x00];
const DEGREE: [u8; 7] = [0x0C, 0x12, 0x12, 0x0C, 0x00, 0x00, 0x00];

/// Letters with descenders, drawn over nine rows (the x-height in rows 2–6 as the other
/// lower-case letters, the tail in rows 7–8) instead of their squeezed 7-row [`GLYPHS`].
const DESCENDERS: [(char, [u8; 9]); 6] = [
    ('g', [0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E]),
    ('j', [0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C]),
    ('p', [0x00, 0x00, 0x1E, 0x11, 0x11, 0x11, 0x1E, 0x10, 0x10]),
    ('q', [0x00, 0x00, 0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x01]),
    ('y', [0x00, 0x00, 0x11, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E]),
    (',', [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C, 0x04, 0x08]),
];

/// The nine rows drawn for a character: [`DESCENDERS`], else [`glyph`] and two blank rows.
fn rows(c: char) -> [u8; 9] {
    if let Some((_, r)) = DESCENDERS.iter().find(|(d, _)| *d == c) {
        return *r;
    }
    let g = glyph(c);
    [g[0], g[1], g[2], g[3], g[4], g[5], g[6], 0, 0]
}

/// The glyph of a character: printable ASCII, `²`, `°`, a few look-alikes (dashes, quotes,
/// `×`, `≤`, `≥`), and `?` for anything else.
///
/// ```
/// use harmspot::map::png::glyph;
/// assert_eq!(glyph('1'), [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E]);
/// assert_eq!(glyph('–'), glyph('-'));
/// assert_eq!(glyph('漢'), glyph('?'));
/// ```
pub fn glyph(c: char) -> [u8; 7] {
    let c = match c {
        '²' => return SQUARED,
        '°' => return DEGREE,
        '–' | '—' | '−' => '-',
        '‘' | '’' => '\'',
        '“' | '”' => '"',
        '×' => 'x',
        '≤' => '<',
        '≥' => '>',
        '·' | '•' => '.',
        c => c,
    };
    match c as u32 {
        32..=126 => GLYPHS[c as usize - 32],
        _ => GLYPHS['?' as usize - 32],
    }
}

/// Width in pixels of `text` at `scale` (6 font pixels per character, less the last gap).
pub fn text_width(text: &str, scale: u32) -> f32 {
    let n = text.chars().count() as f32;
    if n == 0.0 {
        0.0
    } else {
        (n * 6.0 - 1.0) * scale as f32
    }
}

fn colour(c: Rgb, alpha: f32) -> Color {
    Color::from_rgba8(
        c[0],
        c[1],
        c[2],
        (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
    )
}

fn paint(c: Rgb, alpha: f32) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(colour(c, alpha));
    p.anti_alias = true;
    p
}

/// Draws `text` with its top-left corner at (x, y), each font pixel `scale` × `scale`.
fn draw_text(pm: &mut Pixmap, text: &str, x: f32, y: f32, scale: u32, c: Rgb) {
    let s = scale as f32;
    let mut pb = PathBuilder::new();
    for (i, ch) in text.chars().enumerate() {
        let g = rows(ch);
        let gx = x.round() + i as f32 * 6.0 * s;
        for (row, bits) in g.iter().enumerate() {
            for col in 0..5 {
                if bits & (0x10 >> col) != 0 {
                    if let Some(r) =
                        Rect::from_xywh(gx + col as f32 * s, y.round() + row as f32 * s, s, s)
                    {
                        pb.push_rect(r);
                    }
                }
            }
        }
    }
    if let Some(path) = pb.finish() {
        let mut p = paint(c, 1.0);
        p.anti_alias = false;
        pm.fill_path(&path, &p, FillRule::Winding, Transform::identity(), None);
    }
}

/// Draws `text` with a white halo (for labels over the map).
fn draw_text_halo(pm: &mut Pixmap, text: &str, x: f32, y: f32, scale: u32, c: Rgb) {
    let d = scale as f32;
    for (dx, dy) in [
        (-1.0, -1.0),
        (0.0, -1.0),
        (1.0, -1.0),
        (-1.0, 0.0),
        (1.0, 0.0),
        (-1.0, 1.0),
        (0.0, 1.0),
        (1.0, 1.0),
    ] {
        draw_text(pm, text, x + dx * d, y + dy * d, scale, [255, 255, 255]);
    }
    draw_text(pm, text, x, y, scale, c);
}

/// Cuts `text` to at most `max_w` pixels at `scale`, ending with `...` when cut.
fn fit_text(text: &str, max_w: f32, scale: u32) -> String {
    if text_width(text, scale) <= max_w {
        return text.to_string();
    }
    let max_chars = ((max_w / scale as f32 + 1.0) / 6.0).floor() as usize;
    let keep = max_chars.saturating_sub(3);
    let mut s: String = text.chars().take(keep).collect();
    s.push_str("...");
    s
}

/// Splits `text` into lines of at most `max_w` pixels at `scale`, at spaces.
fn wrap_text(text: &str, max_w: f32, scale: u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let cand = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&cand, scale) <= max_w || cur.is_empty() {
            cur = cand;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|l| fit_text(&l, max_w, scale))
        .collect()
}

/// Web Mercator metres → picture pixels.
#[derive(Clone, Copy, Debug)]
struct View {
    /// Picture pixels per Mercator metre.
    k: f64,
    /// Mercator centre.
    mc: [f64; 2],
    /// Pixel centre.
    pc: [f64; 2],
}

impl View {
    fn px(&self, lonlat: [f64; 2]) -> (f32, f32) {
        let m = mercator(lonlat);
        (
            (self.pc[0] + (m[0] - self.mc[0]) * self.k) as f32,
            (self.pc[1] - (m[1] - self.mc[1]) * self.k) as f32,
        )
    }

    /// Ground metres per pixel at the centre latitude.
    fn ground_m_per_px(&self) -> f64 {
        mercator_lat(self.mc[1]).to_radians().cos() / self.k
    }
}

fn push_shape(pb: &mut PathBuilder, view: &View, s: &Geometry) {
    match s {
        Geometry::Polygon(rings) => {
            for r in rings {
                for (i, p) in r.iter().enumerate() {
                    let (x, y) = view.px(*p);
                    if i == 0 {
                        pb.move_to(x, y);
                    } else {
                        pb.line_to(x, y);
                    }
                }
                pb.close();
            }
        }
        Geometry::Line(ps) => {
            for (i, p) in ps.iter().enumerate() {
                let (x, y) = view.px(*p);
                if i == 0 {
                    pb.move_to(x, y);
                } else {
                    pb.line_to(x, y);
                }
            }
        }
        Geometry::Point(_) => {}
    }
}

/// The picture's pixels per font pixel for body text, titles and small text.
fn scales(w: u32, h: u32) -> (u32, u32, u32) {
    let s = ((w.min(h) as f32) / 400.0).round().max(1.0) as u32;
    (s, s + 1, s.saturating_sub(1).max(1))
}

fn hatch_tile(s: u32) -> Pixmap {
    let n = (4 * s).max(6);
    let mut pm = Pixmap::new(n, n).expect("hatch tile size is positive");
    let line = (s / 2).max(1);
    let fill = colour(SUPPRESSED_FILL, 1.0).premultiply().to_color_u8();
    let hatch = colour(SUPPRESSED_HATCH, 1.0).premultiply().to_color_u8();
    for y in 0..n {
        for x in 0..n {
            pm.pixels_mut()[(y * n + x) as usize] = if (x + y) % n < line { hatch } else { fill };
        }
    }
    pm
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

/// Draws the map as PNG bytes.
///
/// Parameters: the map ([`super::load`]/[`super::build`]); the picture size.
///
/// Returns the encoded PNG (8-bit RGBA).
///
/// Layout: title band on top; the map frame (fitted to [`MapData::bounds`] with a 4% margin)
/// with a scale bar bottom left and a north arrow top right; a legend column on the right
/// (the sections of [`MapData::static_groups`]); run parameters and the attribution at the
/// bottom. Font pixels are `round(min(width, height) / 400)` picture pixels (3 at 1600 × 1200).
///
/// ```
/// use harmspot::map::{build, png, MapParams};
/// let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!({"type": "FeatureCollection",
///     "features": [{"type": "Feature", "properties": {"rank": 1},
///       "geometry": {"type": "Polygon", "coordinates": [[[-1.61, 54.97], [-1.60, 54.97], [-1.60, 54.98], [-1.61, 54.97]]]}}]})).unwrap();
/// let map = build(vec![("hotspots.geojson".into(), fc)], &MapParams::default()).unwrap();
/// let bytes = png::render(&map, &png::PngOptions { width: 400, height: 300 }).unwrap();
/// assert_eq!(&bytes[1..4], b"PNG");
/// assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 400); // IHDR width
/// ```
pub fn render(map: &MapData, opts: &PngOptions) -> Result<Vec<u8>> {
    for (name, v) in [
        (crate::Param::Width, opts.width),
        (crate::Param::Height, opts.height),
    ] {
        if !(200..=10_000).contains(&v) {
            return Err(Error::param(name, format!("{v} pixels: give 200 to 10000")));
        }
    }
    let (w, h) = (opts.width, opts.height);
    let (s, ts, ls) = scales(w, h);
    let (wf, hf) = (w as f32, h as f32);
    let pad = 5.0 * s as f32;
    let mut pm = Pixmap::new(w, h)
        .ok_or_else(|| Error::Analysis(format!("cannot make a {w}x{h} picture")))?;
    pm.fill(Color::WHITE);
    let hatch = hatch_tile(s);
    let groups = map.static_groups();

    // Title band.
    let title_h = 7.0 * ts as f32 + 2.0 * pad;
    let title = fit_text(&map.title, wf - 2.0 * pad, ts);
    draw_text(&mut pm, &title, pad, pad, ts, [20, 20, 20]);

    // Footer: parameters, attribution.
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
    footer.extend(wrap_text(super::ATTRIBUTION, wf - 2.0 * pad, ls));
    let footer_h = footer.len() as f32 * line_h + 2.0 * pad;
    for (i, l) in footer.iter().enumerate() {
        draw_text(
            &mut pm,
            l,
            pad,
            hf - footer_h + pad + i as f32 * line_h,
            ls,
            [60, 60, 60],
        );
    }

    // Legend column width.
    let sections: Vec<_> = map
        .legend
        .iter()
        .filter(|sec| groups.contains(&sec.group))
        .collect();
    let sw_w = 12.0 * ls as f32;
    let sw_h = 8.0 * ls as f32;
    let gap = 4.0 * ls as f32;
    let mut need: f32 = 0.0;
    for sec in &sections {
        need = need.max(text_width(&sec.title, ls));
        if let Some(n) = &sec.note {
            need = need.max(text_width(n, ls));
        }
        for e in &sec.entries {
            need = need.max(sw_w + gap + text_width(&e.label, ls));
        }
    }
    let legend_w = (need + 2.0 * pad).min(wf * 0.4).max(wf * 0.12);
    let inner_w = legend_w - 2.0 * pad;

    // Map frame.
    let fx0 = pad;
    let fy0 = title_h;
    let fx1 = wf - legend_w - pad;
    let fy1 = hf - footer_h;
    let (fw, fh) = ((fx1 - fx0) as f64, (fy1 - fy0) as f64);
    if fw < 50.0 || fh < 50.0 {
        return Err(Error::param(
            crate::Param::Width,
            format!("a {w}x{h} picture leaves no room for the map: make it larger"),
        ));
    }
    let frame = Rect::from_ltrb(fx0, fy0, fx1, fy1).expect("frame is not empty");
    pm.fill_rect(
        frame,
        &paint([241, 243, 246], 1.0),
        Transform::identity(),
        None,
    );
    let mut clip = Mask::new(w, h).expect("mask size matches the picture");
    clip.fill_path(
        &PathBuilder::from_rect(frame),
        FillRule::Winding,
        false,
        Transform::identity(),
    );

    let sw = mercator([map.bounds[0], map.bounds[1]]);
    let ne = mercator([map.bounds[2], map.bounds[3]]);
    let mc = [(sw[0] + ne[0]) / 2.0, (sw[1] + ne[1]) / 2.0];
    // At least 500 m of ground across, so a single point still gets a sensible scale.
    let min_extent = 500.0 / mercator_lat(mc[1]).to_radians().cos();
    let dx = (ne[0] - sw[0]).max(min_extent) * 1.08;
    let dy = (ne[1] - sw[1]).max(min_extent) * 1.08;
    let view = View {
        k: (fw / dx).min(fh / dy),
        mc,
        pc: [
            (fx0 as f64 + fx1 as f64) / 2.0,
            (fy0 as f64 + fy1 as f64) / 2.0,
        ],
    };

    let cm = Some(&clip);
    let id = Transform::identity();
    // (priority, label, pixel position): hotspot ranks before area names.
    let mut labels: Vec<(u8, &super::Label, (f32, f32))> = Vec::new();
    for layer in map.layers.iter().filter(|l| l.shown) {
        match layer.kind {
            LayerKind::Cells => {
                // One path per fill, drawn without anti-aliasing so neighbours meet without seams.
                let gistar = map.cells_view == CellsView::Gistar;
                let mut by_fill: Vec<(Option<Rgb>, PathBuilder)> = Vec::new();
                for f in &layer.features {
                    let key: Option<Rgb> = if gistar {
                        match f.gi {
                            Some(GiFill::Class(c)) => Some(gi_colour(c)),
                            Some(GiFill::Suppressed) => None,
                            Some(GiFill::NoValue) | None => Some(NO_VALUE_FILL),
                        }
                    } else {
                        match f.fill {
                            Some(CellFill::Class(i)) => map
                                .scale
                                .as_ref()
                                .map(|sc| sc.colours[i])
                                .or(Some(NO_VALUE_FILL)),
                            Some(CellFill::Suppressed) => None,
                            Some(CellFill::NoValue) | None => Some(NO_VALUE_FILL),
                        }
                    };
                    let pos = match by_fill.iter().position(|(k, _)| *k == key) {
                        Some(p) => p,
                        None => {
                            by_fill.push((key, PathBuilder::new()));
                            by_fill.len() - 1
                        }
                    };
                    for sh in &f.parts {
                        push_shape(&mut by_fill[pos].1, &view, sh);
                    }
                }
                for (key, pb) in by_fill {
                    let Some(path) = pb.finish() else { continue };
                    let mut p = match key {
                        Some(c) => paint(c, 1.0),
                        None => Paint {
                            shader: Pattern::new(
                                hatch.as_ref(),
                                SpreadMode::Repeat,
                                FilterQuality::Nearest,
                                1.0,
                                id,
                            ),
                            ..Paint::default()
                        },
                    };
                    p.anti_alias = false;
                    pm.fill_path(&path, &p, FillRule::EvenOdd, id, cm);
                }
            }
            LayerKind::Other => {
                let c = layer.colour;
                let mut polys = PathBuilder::new();
                let mut lines = PathBuilder::new();
                let mut dots = PathBuilder::new();
                for sh in layer.features.iter().flat_map(|f| &f.parts) {
                    match sh {
                        Geometry::Polygon(_) => push_shape(&mut polys, &view, sh),
                        Geometry::Line(_) => push_shape(&mut lines, &view, sh),
                        Geometry::Point(p) => {
                            let (x, y) = view.px(*p);
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
                    pm.fill_path(&path, &paint(c, 0.15), FillRule::EvenOdd, id, cm);
                    pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
                }
                if let Some(path) = lines.finish() {
                    pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
                }
                if let Some(path) = dots.finish() {
                    pm.fill_path(&path, &paint(c, 0.9), FillRule::Winding, id, cm);
                }
            }
            LayerKind::Areas => {
                for f in &layer.features {
                    let role = f.role.unwrap_or(super::Role::Other);
                    let mut pb = PathBuilder::new();
                    for sh in &f.parts {
                        push_shape(&mut pb, &view, sh);
                    }
                    let Some(path) = pb.finish() else { continue };
                    let c = role.colour();
                    if role != super::Role::Buffer {
                        pm.fill_path(&path, &paint(c, 0.10), FillRule::EvenOdd, id, cm);
                    }
                    let mut st = Stroke {
                        width: 1.2 * s as f32,
                        line_join: LineJoin::Round,
                        ..Stroke::default()
                    };
                    if role.dashed() {
                        st.dash = StrokeDash::new(vec![5.0 * s as f32, 3.0 * s as f32], 0.0);
                    }
                    pm.stroke_path(&path, &paint(c, 1.0), &st, id, cm);
                    if let Some(lab) = &f.label {
                        labels.push((2, lab, view.px(lab.at)));
                    }
                }
            }
            LayerKind::Context => {
                let mut pb = PathBuilder::new();
                for sh in layer.features.iter().flat_map(|f| &f.parts) {
                    push_shape(&mut pb, &view, sh);
                }
                if let Some(path) = pb.finish() {
                    let st = Stroke {
                        width: 0.7 * s as f32,
                        line_join: LineJoin::Round,
                        ..Stroke::default()
                    };
                    pm.stroke_path(&path, &paint(CONTEXT_OUTLINE, 0.8), &st, id, cm);
                }
                for f in &layer.features {
                    if let Some(lab) = &f.label {
                        labels.push((3, lab, view.px(lab.at)));
                    }
                }
            }
            LayerKind::HarmSpots => {
                let mut pb = PathBuilder::new();
                for sh in layer.features.iter().flat_map(|f| &f.parts) {
                    push_shape(&mut pb, &view, sh);
                }
                if let Some(path) = pb.finish() {
                    pm.fill_path(
                        &path,
                        &paint(HARM_SPOT_FILL, 0.9),
                        FillRule::EvenOdd,
                        id,
                        cm,
                    );
                    // an outline of the fill's colour keeps a 125 m spot visible at force scale
                    let edge = Stroke {
                        width: 1.5 * s as f32,
                        line_join: LineJoin::Round,
                        ..Stroke::default()
                    };
                    pm.stroke_path(&path, &paint(HARM_SPOT_FILL, 1.0), &edge, id, cm);
                }
                for f in &layer.features {
                    if let Some(lab) = &f.label {
                        // harm spot labels before every other
                        labels.push((0, lab, view.px(lab.at)));
                    }
                }
            }
            LayerKind::Hotspots => {
                let mut pb = PathBuilder::new();
                for sh in layer.features.iter().flat_map(|f| &f.parts) {
                    push_shape(&mut pb, &view, sh);
                }
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
                    pm.stroke_path(&path, &paint([255, 255, 255], 0.9), &halo, id, cm);
                    pm.stroke_path(&path, &paint(HOTSPOT_OUTLINE, 1.0), &line, id, cm);
                }
                for f in &layer.features {
                    if let Some(lab) = &f.label {
                        labels.push((1, lab, view.px(lab.at)));
                    }
                }
            }
        }
    }
    // Labels on top of every layer, hotspot ranks first; a label that would leave the frame
    // or overlap one already drawn is left out.
    labels.sort_by_key(|l| l.0);
    let mut taken: Vec<Rect> = Vec::new();
    for (_, lab, (x, y)) in labels {
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
        let free = taken.iter().all(|o| {
            r.right() <= o.left()
                || o.right() <= r.left()
                || r.bottom() <= o.top()
                || o.bottom() <= r.top()
        });
        if inside && free {
            draw_text_halo(&mut pm, &t, lx, ly, ls, [10, 10, 10]);
            taken.push(r);
        }
    }
    pm.stroke_path(
        &PathBuilder::from_rect(frame),
        &paint([120, 120, 120], 1.0),
        &Stroke {
            width: 1.0,
            ..Stroke::default()
        },
        id,
        None,
    );

    // Scale bar, bottom left: the longest round length within a quarter of the frame.
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
        &mut pm,
        "0",
        x0 - text_width("0", ls) / 2.0,
        ly,
        ls,
        [20, 20, 20],
    );
    draw_text(
        &mut pm,
        &label,
        x0 + bar_px - text_width(&label, ls) / 2.0,
        ly,
        ls,
        [20, 20, 20],
    );

    // North arrow, top right.
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
        &mut pm,
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

    // Legend column.
    let lx = fx1 + pad;
    let mut y = fy0;
    let heading = |pm: &mut Pixmap, t: &str, y: f32| {
        let t = fit_text(t, inner_w, ls);
        draw_text(pm, &t, lx, y, ls, [20, 20, 20]);
        draw_text(pm, &t, lx + 1.0, y, ls, [20, 20, 20]); // faux bold
    };
    heading(&mut pm, "Legend", y);
    y += 12.0 * ls as f32;
    for sec in sections {
        if y > fy1 - line_h {
            break;
        }
        heading(&mut pm, &sec.title, y);
        y += line_h;
        if let Some(n) = &sec.note {
            draw_text(
                &mut pm,
                &fit_text(n, inner_w, ls),
                lx,
                y,
                ls,
                [100, 100, 100],
            );
            y += line_h;
        }
        y += 2.0 * ls as f32;
        for e in &sec.entries {
            if y > fy1 - sw_h {
                break;
            }
            if let Some(r) = Rect::from_xywh(lx, y, sw_w, sw_h) {
                swatch_rect(&mut pm, &e.swatch, r, &hatch, ls);
            }
            let t = fit_text(&e.label, inner_w - sw_w - gap, ls);
            draw_text(
                &mut pm,
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

    pm.encode_png()
        .map_err(|e| Error::Analysis(format!("PNG encoding failed: {e}")))
}

/// Draws the map ([`render`]) and writes it to `dest` atomically.
pub fn write(dest: &Path, map: &MapData, opts: &PngOptions) -> Result<()> {
    let bytes = render(map, opts)?;
    write_atomic(dest, |w| w.write_all(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyphs_use_five_columns() {
        for (i, g) in GLYPHS.iter().enumerate() {
            assert!(
                g.iter().all(|r| r & !0x1F == 0),
                "glyph {i} is wider than 5 pixels"
            );
        }
        assert_eq!(GLYPHS.len(), ('~' as usize) - (' ' as usize) + 1);
        assert!(GLYPHS[0].iter().all(|&r| r == 0));
        // Every visible character but space has ink.
        for (i, g) in GLYPHS.iter().enumerate().skip(1) {
            assert!(g.iter().any(|&r| r != 0), "glyph {i} is blank");
        }
    }

    #[test]
    fn text_measures_and_wraps() {
        assert_eq!(text_width("", 2), 0.0);
        assert_eq!(text_width("ab", 1), 11.0);
        assert_eq!(text_width("ab", 3), 33.0);
        assert_eq!(fit_text("abcdefghij", 35.0, 1), "abc...");
        assert_eq!(wrap_text("aa bb cc", 17.0, 1), vec!["aa", "bb", "cc"]);
        assert_eq!(wrap_text("aa bb cc", 29.0, 1), vec!["aa bb", "cc"]);
    }

    #[test]
    fn refuses_silly_sizes() {
        let fc: geojson::FeatureCollection = serde_json::from_value(
            serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [0.0, 51.5]}, "properties": {}}]}),
        )
        .unwrap();
        let map = super::super::build(vec![("x.geojson".into(), fc)], &Default::default()).unwrap();
        let e = render(
            &map,
            &PngOptions {
                width: 50,
                height: 300,
            },
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("‹width›: 50 pixels"), "{e}");
        // A single point still renders (the frame spans at least 500 m).
        assert!(render(
            &map,
            &PngOptions {
                width: 300,
                height: 200
            }
        )
        .is_ok());
    }
}
