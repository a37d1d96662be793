//! One self-contained interactive HTML map: the layers as inline SVG in Web Mercator, drawn
//! by hand-written JavaScript embedded in the page (no library, no CDN). It opens offline
//! and, unless a basemap is asked for, makes no network request at all: a Content Security
//! Policy in the page forbids every fetch but inline script and style (and the basemap's
//! tile host when given).
//!
//! The page offers pan (drag, arrow keys), zoom (wheel, `+`/`−` buttons and keys, "fit"),
//! a checkbox per layer (the cells twice when they carry Gi* classes: density and Gi*), a
//! legend, a popup listing the properties of every feature under a click (`null` shown as
//! "suppressed"), a scale bar, the run parameters and the OGL attribution. `#LAYER/INDEX`
//! in the address (e.g. `map.html#hotspots/0`) opens that feature's popup.
//!
//! **Safety.** Every text from the data reaches the page through `textContent` or
//! `setAttribute`, never as markup; the data block is JSON with `<`, `>`, `&`, U+2028 and
//! U+2029 escaped, so no property can close the `<script>` element. The title is
//! HTML-escaped ([`escape_html`]).
//!
//! **Coordinates.** Positions are Web Mercator metres (Web Mercator, EPSG:3857) relative to the
//! north-west corner of the extent, in decimetres, rounded to integers: about 0.1 m on the
//! ground, and small enough for the 32-bit floats browsers draw SVG with.
//!
//! **Checks.** The page records every script error, unhandled rejection and blocked request
//! in a visible `<ul id="errors">` list and sets `data-ready="true"` on `<html>` once drawn,
//! so a headless browser can check it (`tests/browser_map.rs`).

use super::frame::mercator;
use super::style::{
    CONTEXT_OUTLINE, HARM_SPOT_FILL, NO_VALUE_FILL, SUPPRESSED_FILL, SUPPRESSED_HATCH,
};
use super::{
    gi_colour, CellFill, CellsView, Geometry, GiFill, LayerKind, MapData, Rgb, Role, Swatch,
    ATTRIBUTION,
};
use crate::error::{Error, Result};
use crate::write::write_atomic;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// The page's script (hand-written, no dependency).
const SCRIPT: &str = include_str!("map.js");
/// The page's style sheet.
const STYLE: &str = include_str!("map.css");
/// Local drawing units per Web Mercator metre (decimetres).
const UNIT: f64 = 10.0;

/// Options of the HTML map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlOptions {
    /// An XYZ tile URL template (`https://tile.example/{z}/{x}/{y}.png`, `{s}` for a
    /// sub-domain a/b/c) drawn under the layers. Default: none, and the page makes no request.
    pub basemap_url: Option<String>,
    /// Attribution of the basemap, shown in the footer (default: none).
    pub basemap_attribution: Option<String>,
}

/// Escapes `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
///
/// ```
/// assert_eq!(harmspot::map::html::escape_html(r#"<b a="1">&'"#), "&lt;b a=&quot;1&quot;&gt;&amp;&#39;");
/// ```
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX`
/// escapes (valid JSON, and no `</script>` can appear).
///
/// ```
/// let s = harmspot::map::html::script_json(&serde_json::json!({"a": "</script>&"}));
/// assert_eq!(s, r#"{"a":"\u003c/script\u003e\u0026"}"#);
/// ```
pub fn script_json(v: &Value) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + 64);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Checks a basemap URL template and returns the Content-Security-Policy source that lets
/// the page load its tiles: `scheme://host[:port]` (`scheme://*.rest` when the host starts
/// with `{s}.`), or the bare scheme (`file:`).
///
/// The template must be `http://`, `https://` or `file://`, contain `{z}`, `{x}` and `{y}`,
/// and hold no space, quote, `<`, `>`, `;` or `,`.
///
/// ```
/// use harmspot::map::html::basemap_source;
/// assert_eq!(basemap_source("https://tile.example/{z}/{x}/{y}.png").unwrap(), "https://tile.example");
/// assert_eq!(basemap_source("https://{s}.tile.example:8080/{z}/{x}/{y}.png").unwrap(), "https://*.tile.example:8080");
/// assert!(basemap_source("https://tile.example/{z}/{x}.png").is_err());
/// ```
pub fn basemap_source(url: &str) -> Result<String> {
    let bad = |why: &str| Error::param(crate::Param::BasemapUrl, format!("`{url}`: {why}"));
    if url
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>;,`\\".contains(c))
    {
        return Err(bad("must not hold spaces, quotes, <, >, ; or ,"));
    }
    for k in ["{z}", "{x}", "{y}"] {
        if !url.contains(k) {
            return Err(bad("an XYZ tile template needs {z}, {x} and {y}, e.g. https://tile.example/{z}/{x}/{y}.png"));
        }
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| bad("must start with https://, http:// or file://"))?;
    let scheme = scheme.to_ascii_lowercase();
    match scheme.as_str() {
        "file" => Ok("file:".into()),
        "http" | "https" => {
            let host = rest.split('/').next().unwrap_or("");
            if host.is_empty() {
                return Err(bad("no host name"));
            }
            if let Some(tail) = host.strip_prefix("{s}.") {
                if tail.contains('{') {
                    return Err(bad("only a leading {s}. may vary in the host name"));
                }
                Ok(format!("{scheme}://*.{tail}"))
            } else if host.contains('{') {
                Err(bad("only a leading {s}. may vary in the host name"))
            } else {
                Ok(format!("{scheme}://{host}"))
            }
        }
        _ => Err(bad("must start with https://, http:// or file://")),
    }
}

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
fn page_data(map: &MapData, opts: &HtmlOptions) -> Value {
    let nw = mercator([map.bounds[0], map.bounds[3]]);
    let se = mercator([map.bounds[2], map.bounds[1]]);
    let origin = [nw[0], nw[1]];
    let extent = [
        0.0,
        0.0,
        ((se[0] - nw[0]) * UNIT).round(),
        ((nw[1] - se[1]) * UNIT).round(),
    ];
    let mut layers = Vec::new();
    for l in &map.layers {
        let mut keys: Vec<String> = Vec::new();
        let mut features = Vec::with_capacity(l.features.len());
        let mut labels = Vec::new();
        for f in &l.features {
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
            features.push(Value::Object(o));
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
        layers.push(json!({
            "id": l.id, "file": l.file, "kind": kind, "title": l.title, "colour": hex(l.colour),
            "skipped": l.skipped, "keys": keys, "features": features, "labels": labels,
            "has_density": has_density, "has_gi": has_gi, "shown": l.shown,
        }));
    }
    let legend: Vec<Value> = map
        .legend
        .iter()
        .map(|s| {
            json!({"group": s.group, "title": s.title, "note": s.note,
                "entries": s.entries.iter().map(|e| json!({"label": e.label, "swatch": swatch_json(&e.swatch)})).collect::<Vec<_>>()})
        })
        .collect();
    let roles: serde_json::Map<String, Value> = [
        Role::Treatment,
        Role::Buffer,
        Role::Control,
        Role::Other,
    ]
    .into_iter()
    .map(|r| {
        (
            r.name().to_string(),
            json!({"colour": hex(r.colour()), "dashed": r.dashed(), "fill": r != Role::Buffer}),
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

/// Renders the page.
///
/// Parameters: the map ([`super::load`]/[`super::build`]); the options.
///
/// Returns the whole HTML document: style, data and script inline. The same map and options
/// give the same bytes.
///
/// Errors: a bad `--basemap-url` ([`basemap_source`]).
///
/// ```
/// use harmspot::map::{build, html, MapParams};
/// let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!({"type": "FeatureCollection",
///     "features": [{"type": "Feature", "properties": {"rank": 1, "name": "</script><b>"},
///       "geometry": {"type": "Polygon", "coordinates": [[[-1.61, 54.97], [-1.60, 54.97], [-1.60, 54.98], [-1.61, 54.97]]]}}]})).unwrap();
/// let map = build(vec![("hotspots.geojson".into(), fc)], &MapParams::default().title("A & B")).unwrap();
/// let page = html::render(&map, &html::HtmlOptions::default()).unwrap();
/// assert!(page.contains("<title>A &amp; B</title>"));
/// assert!(!page.contains("</script><b>") && page.contains(r"\u003c/script\u003e\u003cb\u003e"));
/// assert!(page.contains("img-src 'none'")); // no request without a basemap
/// ```
pub fn render(map: &MapData, opts: &HtmlOptions) -> Result<String> {
    let img_src = match &opts.basemap_url {
        Some(u) => basemap_source(u)?,
        None => "'none'".to_string(),
    };
    let title = escape_html(&map.title);
    let data = script_json(&page_data(map, opts));
    let mut page = String::with_capacity(data.len() + SCRIPT.len() + STYLE.len() + 4096);
    let _ = write!(
        page,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src {img_src}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="harmspot {version}">
<title>{title}</title>
<style>
{STYLE}</style>
</head>
<body>
<script>
// Records every error in the page itself, so it shows without a console.
(function () {{
  function report(msg) {{
    var list = document.getElementById('errors');
    if (!list) {{ list = document.createElement('ul'); list.id = 'errors'; (document.body || document.documentElement).appendChild(list); }}
    list.hidden = false;
    var li = document.createElement('li');
    li.textContent = String(msg);
    list.appendChild(li);
    document.documentElement.setAttribute('data-errors', String(list.children.length));
  }}
  window.harmspotReport = report;
  window.addEventListener('error', function (e) {{ report('error: ' + e.message + ' (line ' + e.lineno + ':' + e.colno + ')'); }});
  window.addEventListener('unhandledrejection', function (e) {{ report('unhandled rejection: ' + e.reason); }});
  document.addEventListener('securitypolicyviolation', function (e) {{ report('blocked by the content security policy: ' + e.blockedURI + ' (' + e.violatedDirective + ')'); }});
}})();
</script>
<div id="app">
<header><h1 id="title">{title}</h1></header>
<main id="map" tabindex="0" aria-label="Map: drag to pan, wheel or + and - to zoom, click a feature for its properties"></main>
<aside id="panel" aria-label="Layers and legend">
<h2>Layers</h2>
<div id="layers"></div>
<h2>Legend</h2>
<div id="legend"></div>
<h2>Run</h2>
<dl id="params"></dl>
</aside>
<footer id="footer"></footer>
</div>
<ul id="errors" hidden></ul>
<script type="application/json" id="map-data">{data}</script>
<script>
{SCRIPT}</script>
</body>
</html>
"#,
        version = env!("CARGO_PKG_VERSION"),
    );
    Ok(page)
}

/// Renders the page ([`render`]) and writes it to `dest` atomically.
pub fn write(dest: &Path, map: &MapData, opts: &HtmlOptions) -> Result<()> {
    let page = render(map, opts)?;
    write_atomic(dest, |w| w.write_all(page.as_bytes()))
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

    #[test]
    fn basemap_urls() {
        assert_eq!(
            basemap_source("file:///tmp/t/{z}/{x}/{y}.png").unwrap(),
            "file:"
        );
        assert_eq!(
            basemap_source("HTTP://a.b/{z}/{x}/{y}").unwrap(),
            "http://a.b"
        );
        for bad in [
            "ftp://a/{z}/{x}/{y}",
            "https://a/{z}/{x}/{y}.png; script-src *",
            "https://{s}.{t}.b/{z}/{x}/{y}",
            "https:///{z}/{x}/{y}",
            "tile/{z}/{x}/{y}",
            "https://a/{z}/{x}/{y}.png\"",
        ] {
            let e = basemap_source(bad).unwrap_err();
            assert!(e.to_string().starts_with("‹basemap_url›: "), "{bad}: {e}");
        }
    }

    #[test]
    fn escapes_line_separators() {
        assert_eq!(script_json(&json!("a\u{2028}b")), "\"a\\u2028b\"");
    }
}
