//! A small raster drawing kit shared by the charts of result folders and the map's PNG:
//! RGB colours, tiny-skia paints and a 5×7 bitmap font (pure Rust, no font files).

use tiny_skia::{Color, Paint};

pub mod font;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// The tiny-skia colour of `c` at opacity `alpha` (0–1).
pub fn colour(c: Rgb, alpha: f32) -> Color {
    Color::from_rgba8(
        c[0],
        c[1],
        c[2],
        (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
    )
}

/// An anti-aliased paint of `c` at opacity `alpha`.
pub fn paint(c: Rgb, alpha: f32) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color(colour(c, alpha));
    p.anti_alias = true;
    p
}
