//! What every painter draws with: the picture, the clip of the map frame, the view from Web
//! Mercator metres to pixels (fitted to the map's frame), the line scale, the hatching tile
//! of suppressed values, and the colour and path helpers.

use crate::map::frame::{mercator, mercator_lat};
use crate::map::style::{SUPPRESSED_FILL, SUPPRESSED_HATCH};
use crate::map::Geometry;
pub(crate) use crate::publish::draw::{colour, paint};
use tiny_skia::{Mask, PathBuilder, Pixmap};

/// The picture being drawn and what painters need to draw on the map.
pub(super) struct Canvas {
    /// The picture.
    pub pm: Pixmap,
    /// The map frame: nothing a layer draws leaves it.
    pub clip: Mask,
    /// Lon/lat → pixels.
    pub view: View,
    /// Picture pixels per font pixel of body text (line widths scale with it).
    pub s: u32,
    /// The hatching of suppressed values.
    pub hatch: Pixmap,
}

/// Web Mercator metres → picture pixels.
#[derive(Clone, Copy, Debug)]
pub(super) struct View {
    /// Picture pixels per Mercator metre.
    pub k: f64,
    /// Mercator centre.
    pub mc: [f64; 2],
    /// Pixel centre.
    pub pc: [f64; 2],
}

impl View {
    pub fn px(&self, lonlat: [f64; 2]) -> (f32, f32) {
        let m = mercator(lonlat);
        (
            (self.pc[0] + (m[0] - self.mc[0]) * self.k) as f32,
            (self.pc[1] - (m[1] - self.mc[1]) * self.k) as f32,
        )
    }

    /// Ground metres per pixel at the centre latitude.
    pub fn ground_m_per_px(&self) -> f64 {
        mercator_lat(self.mc[1]).to_radians().cos() / self.k
    }
}

pub(super) fn push_part(pb: &mut PathBuilder, view: &View, s: &Geometry) {
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
pub(super) fn scales(w: u32, h: u32) -> (u32, u32, u32) {
    let s = ((w.min(h) as f32) / 400.0).round().max(1.0) as u32;
    (s, s + 1, s.saturating_sub(1).max(1))
}

pub(super) fn hatch_tile(s: u32) -> Pixmap {
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

impl View {
    /// The view of `bounds` (lon/lat `[west, south, east, north]`) fitted, with a 4% margin
    /// and at least 500 m of ground across, into the frame `[x0, y0, x1, y1]` (pixels).
    pub fn fit(bounds: [f64; 4], frame: [f32; 4]) -> View {
        let [fx0, fy0, fx1, fy1] = frame;
        let (fw, fh) = ((fx1 - fx0) as f64, (fy1 - fy0) as f64);
        let sw = mercator([bounds[0], bounds[1]]);
        let ne = mercator([bounds[2], bounds[3]]);
        let mc = [(sw[0] + ne[0]) / 2.0, (sw[1] + ne[1]) / 2.0];
        // At least 500 m of ground across, so a single point still gets a sensible scale.
        let min_extent = 500.0 / mercator_lat(mc[1]).to_radians().cos();
        let dx = (ne[0] - sw[0]).max(min_extent) * 1.08;
        let dy = (ne[1] - sw[1]).max(min_extent) * 1.08;
        View {
            k: (fw / dx).min(fh / dy),
            mc,
            pc: [
                (fx0 as f64 + fx1 as f64) / 2.0,
                (fy0 as f64 + fy1 as f64) / 2.0,
            ],
        }
    }
}

/// One path of every part of `parts` (points left out).
pub(super) fn path_of<'a>(
    view: &View,
    parts: impl IntoIterator<Item = &'a Geometry>,
) -> PathBuilder {
    let mut pb = PathBuilder::new();
    for g in parts {
        push_part(&mut pb, view, g);
    }
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_fits_the_bounds_and_keeps_north_up() {
        let v = View::fit([-1.7, 54.9, -1.5, 55.0], [0.0, 0.0, 1000.0, 800.0]);
        let (x0, y0) = v.px([-1.7, 54.9]);
        let (x1, y1) = v.px([-1.5, 55.0]);
        // west left of east, north above south, centred, inside the frame with a margin
        assert!(x0 < x1 && y1 < y0, "{x0} {y0} {x1} {y1}");
        assert!(((x0 + x1) / 2.0 - 500.0).abs() < 1e-3 && ((y0 + y1) / 2.0 - 400.0).abs() < 1e-3);
        assert!(x0 > 0.0 && x1 < 1000.0 && y1 > 0.0 && y0 < 800.0);
        // a single point: at least 500 m across
        let p = View::fit([-1.6, 55.0, -1.6, 55.0], [0.0, 0.0, 1000.0, 800.0]);
        assert!(p.ground_m_per_px() * 800.0 > 500.0);
    }
}
