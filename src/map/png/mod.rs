//! A static map picture (PNG) for reports and slides, drawn with `tiny-skia`: the density
//! cells (or Gi* classes, [`MapData::cells_view`]) coloured, generic layers, areas by role,
//! context outlines, harm spots and hotspot outlines, with labels on top; a title, a legend
//! column, a scale bar with a round length, a north arrow, the run parameters and the OGL
//! attribution.
//!
//! Web Mercator (EPSG:3857) fitted to the map's frame ([`MapData::bounds`]): north is up
//! everywhere, and the scale bar uses the ground scale at the map's centre latitude
//! (Mercator stretches lengths by 1/cos φ; over a police force area the scale varies by a
//! few per cent from south to north).
//!
//! Rooms: this file lays the picture out and runs the painters in drawing order; one painter
//! per layer kind (`cells`, `other`, `areas`, `context`, `harmspots`, `hotspots`), `labels`
//! (placement without overlap), `furniture` (title, footer, scale bar, north arrow), `legend`
//! (the legend column), `font` (the built-in 5×7 bitmap font) and `canvas` (view, paints).

mod areas;
pub(crate) mod canvas;
mod cells;
mod context;
pub(crate) use crate::publish::draw::font;
mod furniture;
mod harmspots;
mod hotspots;
mod labels;
mod legend;
mod other;

use super::{LayerKind, LegendSection, MapData};
use crate::error::{Error, Result};
use crate::publish::write::write_atomic;
use canvas::{hatch_tile, paint, scales, Canvas, View};
use furniture::Scales;
use std::io::Write;
use std::path::Path;
use tiny_skia::{Color, FillRule, Mask, PathBuilder, Pixmap, Rect, Transform};

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
    let k = Scales {
        s,
        ts,
        ls,
        pad: 5.0 * s as f32,
    };
    let mut pm = Pixmap::new(w, h)
        .ok_or_else(|| Error::TooLarge(format!("cannot make a {w}x{h} picture")))?;
    pm.fill(Color::WHITE);
    let hatch = hatch_tile(s);
    let groups = map.static_groups();
    let title_h = furniture::title(&mut pm, map, k);
    let footer_h = furniture::footer(&mut pm, map, k);
    let sections: Vec<&LegendSection> = map
        .legend
        .iter()
        .filter(|sec| groups.contains(&sec.group))
        .collect();
    let column = legend::Column::fit(&sections, ls, k.pad, w as f32);

    // Map frame.
    let frame = [
        k.pad,
        title_h,
        w as f32 - column.width - k.pad,
        h as f32 - footer_h,
    ];
    let [fx0, fy0, fx1, fy1] = frame;
    if ((fx1 - fx0) as f64) < 50.0 || ((fy1 - fy0) as f64) < 50.0 {
        return Err(Error::param(
            crate::Param::Width,
            format!("a {w}x{h} picture leaves no room for the map: make it larger"),
        ));
    }
    let rect = Rect::from_ltrb(fx0, fy0, fx1, fy1).expect("frame is not empty");
    pm.fill_rect(
        rect,
        &paint([241, 243, 246], 1.0),
        Transform::identity(),
        None,
    );
    let mut clip = Mask::new(w, h).expect("mask size matches the picture");
    clip.fill_path(
        &PathBuilder::from_rect(rect),
        FillRule::Winding,
        false,
        Transform::identity(),
    );
    let view = View::fit(map.bounds, frame);
    let mut cv = Canvas {
        pm,
        clip,
        view,
        s,
        hatch,
    };
    paint_layers(&mut cv, map, frame, ls);
    let mut pm = cv.pm;
    furniture::frame_line(&mut pm, rect);
    furniture::scale_bar(&mut pm, &view, frame, k);
    furniture::north_arrow(&mut pm, frame, k);
    legend::draw(
        &mut pm,
        &sections,
        column,
        (fx1 + k.pad, fy0, fy1),
        &cv.hatch,
    );
    pm.encode_png()
        .map_err(|e| Error::Mismatch(format!("PNG encoding failed: {e}")))
}

/// Draws every shown layer, bottom first, then the labels they queued.
fn paint_layers(cv: &mut Canvas, map: &MapData, frame: [f32; 4], ls: u32) {
    let mut queued = Vec::new();
    for layer in map.layers.iter().filter(|l| l.shown) {
        match layer.kind {
            LayerKind::Cells => cells::paint_cells(cv, map, layer),
            LayerKind::Other => other::paint_other(cv, layer),
            LayerKind::Areas => areas::paint_areas(cv, layer, &mut queued),
            LayerKind::Context => context::paint_context(cv, layer, &mut queued),
            LayerKind::HarmSpots => harmspots::paint_harm_spots(cv, layer, &mut queued),
            LayerKind::Hotspots => hotspots::paint_hotspots(cv, layer, &mut queued),
        }
    }
    // Labels on top of every layer, harm spots first; a label that would leave the frame or
    // overlap one already drawn is left out.
    let placed = labels::place(queued, frame, ls);
    labels::draw(&mut cv.pm, &placed, ls);
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
    fn refuses_silly_sizes() {
        let fc: geojson::FeatureCollection = serde_json::from_value(
            serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "geometry": {"type": "Point", "coordinates": [0.0, 51.5]}, "properties": {}}]}),
        )
        .unwrap();
        let map = crate::map::build(vec![("x.geojson".into(), fc)], &Default::default()).unwrap();
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
