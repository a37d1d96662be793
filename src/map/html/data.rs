//! The data block of the HTML page: every layer's geometry as SVG path data in local
//! integer coordinates, its properties (keys listed once per layer), fills, roles and labels,
//! the legend, the colours and the run parameters, as one JSON value the page's script draws
//! from.
//!
//! **Coordinates.** Positions are Web Mercator metres (EPSG:3857) relative to the north-west
//! corner of the extent, in decimetres, rounded to integers: about 0.1 m on the ground, and
//! small enough for the 32-bit floats browsers draw SVG with.

use super::HtmlOptions;
use crate::map::frame::mercator;
use crate::map::style::{
    CONTEXT_OUTLINE, HARM_SPOT_FILL, NO_VALUE_FILL, SUPPRESSED_FILL, SUPPRESSED_HATCH,
};
use crate::map::{
    gi_colour, CellFill, CellsView, Geometry, GiFill, LayerKind, MapData, MapFeature, MapLayer,
    Rgb, Role, Swatch, ATTRIBUTION,
};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Local drawing units per Web Mercator metre (decimetres).
const UNIT: f64 = 10.0;

fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Local integer coordinates (decimetres east of and south of the extent's north-west corner).
fn local(p: [f64; 2], origin: [f64; 2]) -> (i64, i64) {
    let m = mercator(p);
    (
        ((m[0] - origin[0]) * UNIT).round() as i64,
        ((origin[1] - m[1]) * UNIT).round() as i64,
    )
}

/// SVG path data of a sequence of positions (absolute move, relative lines, `z` if closed).
fn path_data(out: &mut String, pts: &[[f64; 2]], origin: [f64; 2], close: bool) {
    let mut prev: Option<(i64, i64)> = None;
    let n = if close && pts.len() > 1 && pts[0] == pts[pts.len() - 1] {
        pts.len() - 1
    } else {
        pts.len()
    };
    for p in &pts[..n] {
        let q = local(*p, origin);
        match prev {
            None => {
                let _ = write!(out, "M{} {}", q.0, q.1);
            }
            Some(r) if r == q => continue,
            Some(r) => {
                let _ = write!(out, "l{} {}", q.0 - r.0, q.1 - r.1);
            }
        }
        prev = Some(q);
    }
    if close && prev.is_some() {
        out.push('z');
    }
}

fn swatch_json(s: &Swatch) -> Value {
    match *s {
        Swatch::Fill(c) => json!({"type": "fill", "colour": hex(c)}),
        Swatch::Hatch => json!({"type": "hatch"}),
        Swatch::Outline { colour, dashed } => {
            json!({"type": "outline", "colour": hex(colour), "dashed": dashed})
        }
        Swatch::Point(c) => json!({"type": "point", "colour": hex(c)}),
        Swatch::Line(c) => json!({"type": "line", "colour": hex(c)}),
    }
}

/// The data block the page's script draws from.
pub(super) fn page_data(map: &MapData, opts: &HtmlOptions) -> Value {
    let nw = mercator([map.bounds[0], map.bounds[3]]);
    let se = mercator([map.bounds[2], map.bounds[1]]);
    let origin = [nw[0], nw[1]];
    let extent = [
        0.0,
        0.0,
        ((se[0] - nw[0]) * UNIT).round(),
        ((nw[1] - se[1]) * UNIT).round(),
    ];
    let layers: Vec<Value> = map.layers.iter().map(|l| layer_json(l, origin)).collect();
    let legend: Vec<Value> = map
        .legend
        .iter()
        .map(|s| {
            json!({"group": s.group, "title": s.title, "note": s.note,
                "entries": s.entries.iter().map(|e| json!({"label": e.label, "swatch": swatch_json(&e.swatch)})).collect::<Vec<_>>()})
        })
        .collect();
    let roles: serde_json::Map<String, Value> = Role::ALL
        .into_iter()
        .map(|r| {
            (
                r.name().to_string(),
                json!({"colour": hex(r.colour()), "dashed": r.dashed(), "fill": r != Role::Buffer, "z": r.z()}),
            )
        })
        .collect();
    json!({
        "title": map.title,
        "harmspot_fill": hex(HARM_SPOT_FILL),
        "context_outline": hex(CONTEXT_OUTLINE),
        "unit": UNIT,
        "origin": origin,
        "extent": extent,
        "layers": layers,
        "cells": {
            "fills": map.scale.as_ref().map(|s| s.colours.iter().map(|c| hex(*c)).collect::<Vec<_>>()).unwrap_or_default(),
            "gi": (-3..=3i8).map(|c| hex(gi_colour(c))).collect::<Vec<_>>(),
            "novalue": hex(NO_VALUE_FILL),
            "view": if map.cells_view == CellsView::Gistar { "gistar" } else { "density" },
            "property": map.scale.as_ref().map(|s| s.property.clone()),
        },
        "suppressed": {"fill": hex(SUPPRESSED_FILL), "hatch": hex(SUPPRESSED_HATCH)},
        "roles": roles,
        "legend": legend,
        "params": map.params,
        "attribution": ATTRIBUTION,
        "version": env!("CARGO_PKG_VERSION"),
        "basemap": opts.basemap_url.as_ref().map(|u| json!({"url": u, "attribution": opts.basemap_attribution})),
    })
}

/// One layer: its features, the property keys they index, their labels `[x, y, text, above]`.
fn layer_json(l: &MapLayer, origin: [f64; 2]) -> Value {
    let mut keys: Vec<String> = Vec::new();
    let mut features = Vec::with_capacity(l.features.len());
    let mut labels = Vec::new();
    for f in &l.features {
        features.push(feature_json(f, origin, &mut keys));
        if let Some(lab) = &f.label {
            let q = local(lab.at, origin);
            labels.push(json!([q.0, q.1, lab.text, u8::from(lab.above)]));
        }
    }
    let kind = match l.kind {
        LayerKind::Cells => "cells",
        LayerKind::Other => "other",
        LayerKind::Areas => "areas",
        LayerKind::Hotspots => "hotspots",
        LayerKind::HarmSpots => "harmspots",
        LayerKind::Context => "context",
    };
    let has_density = l.kind == LayerKind::Cells && l.features.iter().any(|f| f.fill.is_some());
    let has_gi = l.kind == LayerKind::Cells && l.features.iter().any(|f| f.gi.is_some());
    json!({
        "id": l.id, "file": l.file, "kind": kind, "title": l.title, "colour": hex(l.colour),
        "skipped": l.skipped, "keys": keys, "features": features, "labels": labels,
        "has_density": has_density, "has_gi": has_gi, "shown": l.shown,
    })
}

/// One feature: polygon path `d`, line path `l`, points `pts`, density fill `f` (class, −1
/// suppressed, −2 no value), Gi* fill `g` (class + 3, or −1, −2), role `r`, and properties
/// `p` as `[key index, value]` pairs (new keys appended to `keys`).
fn feature_json(f: &MapFeature, origin: [f64; 2], keys: &mut Vec<String>) -> Value {
    let mut d = String::new();
    let mut lines = String::new();
    let mut pts = Vec::new();
    for s in &f.parts {
        match s {
            Geometry::Polygon(rings) => {
                for r in rings {
                    path_data(&mut d, r, origin, true);
                }
            }
            Geometry::Line(ps) => path_data(&mut lines, ps, origin, false),
            Geometry::Point(p) => {
                let q = local(*p, origin);
                pts.push(json!([q.0, q.1]));
            }
        }
    }
    let mut o = serde_json::Map::new();
    if !d.is_empty() {
        o.insert("d".into(), d.into());
    }
    if !lines.is_empty() {
        o.insert("l".into(), lines.into());
    }
    if !pts.is_empty() {
        o.insert("pts".into(), pts.into());
    }
    if let Some(fill) = f.fill {
        let v: i64 = match fill {
            CellFill::Class(i) => i as i64,
            CellFill::Suppressed => -1,
            CellFill::NoValue => -2,
        };
        o.insert("f".into(), v.into());
    }
    if let Some(gi) = f.gi {
        let v: i64 = match gi {
            GiFill::Class(c) => c as i64 + 3,
            GiFill::Suppressed => -1,
            GiFill::NoValue => -2,
        };
        o.insert("g".into(), v.into());
    }
    if let Some(r) = f.role {
        o.insert("r".into(), r.name().into());
    }
    let props: Vec<Value> = f
        .properties
        .iter()
        .map(|(k, v)| {
            let i = match keys.iter().position(|x| x == k) {
                Some(i) => i,
                None => {
                    keys.push(k.clone());
                    keys.len() - 1
                }
            };
            json!([i, v])
        })
        .collect();
    o.insert("p".into(), props.into());
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_data_is_relative_and_closed() {
        let origin = mercator([0.0, 0.0]);
        let mut d = String::new();
        // A square of 0.001° at the equator: 111.3 m = 1113 dm a side.
        path_data(
            &mut d,
            &[
                [0.0, 0.0],
                [0.001, 0.0],
                [0.001, 0.001],
                [0.0, 0.001],
                [0.0, 0.0],
            ],
            origin,
            true,
        );
        assert_eq!(d, "M0 0l1113 0l0 -1113l-1113 0z");
        let mut l = String::new();
        path_data(
            &mut l,
            &[[0.0, 0.0], [0.0, 0.0], [0.001, 0.0]],
            origin,
            false,
        );
        assert_eq!(l, "M0 0l1113 0");
    }
}
