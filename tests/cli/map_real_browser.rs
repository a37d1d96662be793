//! The maps of real runs in a real browser (issue 11, "Done when: screenshots of the HTML and
//! PNG maps of that run show readable labels, place names and units"): `hotspots` on a year of
//! Northumbria with the force boundary and LSOAs as context, and `compare` of the 13 Newcastle
//! library sites, each drawn by `harmspot map` and opened in headless Chromium.
//!
//! A driver page loads the map in a frame and writes back what was drawn: the labels shown
//! with their boxes on screen, the legend, the outline colours of the areas, the page's
//! errors. Screenshots are checked not blank; with `HARMSPOT_SHOTS=DIR` they (and the PNG
//! maps) are also copied to DIR for a person to look at.
//!
//! Needs the shared real data (`common::DATA`; else each test prints SKIPPED) and
//! `/usr/bin/chromium` (see `tests/common/browser.rs`; `HARMSPOT_REQUIRE_BROWSER=1` makes a
//! missing browser a failure).

use crate::common::browser::{browse, browser_available, colours_in, console_lines, file_url};
use crate::common::skip_without_data;
use crate::common::{decode_png, ok, real_compare, real_hotspots, DATA};
use serde_json::Value;
use std::path::Path;

/// Loads `map.html` in a frame and writes, as JSON in `<pre id="result">`, what it drew.
const DRIVER: &str = r#"<!DOCTYPE html>
<html><body style="margin:0">
<iframe id="f" src="map.html" style="width:1400px;height:1000px;border:0"></iframe>
<pre id="result">not run</pre>
<script>
var f = document.getElementById('f');
f.addEventListener('load', function () {
  var out = {};
  try {
    var d = f.contentDocument;
    out.ready = d.documentElement.getAttribute('data-ready');
    out.errors = d.documentElement.getAttribute('data-errors');
    var s = d.getElementById('svg').getBoundingClientRect();
    out.svg = [s.left, s.top, s.right, s.bottom];
    out.labels = [];
    d.querySelectorAll('#labels g.labels').forEach(function (g) {
      if (g.style.display === 'none') return;
      g.querySelectorAll('text').forEach(function (t) {
        if (t.style.display === 'none') return;
        var r = t.getBoundingClientRect();
        out.labels.push({ layer: g.getAttribute('data-layer'), text: t.textContent,
                          box: [r.left, r.top, r.right, r.bottom] });
      });
    });
    out.leaders = Array.prototype.filter.call(d.querySelectorAll('#labels line.leader'),
      function (l) { return l.style.display !== 'none'; }).length;
    out.legend = d.getElementById('legend').textContent;
    var strokes = {};
    d.querySelectorAll('g[data-layer="areas"] path.f').forEach(function (p) {
      strokes[p.getAttribute('stroke')] = (strokes[p.getAttribute('stroke')] || 0) + 1;
    });
    out.areaStrokes = strokes;
  } catch (e) { out.exception = String(e) + ' ' + e.stack; }
  document.getElementById('result').textContent = JSON.stringify(out);
});
</script>
</body></html>
"#;

/// Runs the driver on `dir/map.html`; returns what it wrote, after checking the page drew
/// without an error or console message.
fn drawn(dir: &Path) -> Value {
    std::fs::write(dir.join("driver.html"), DRIVER).unwrap();
    let (dom, stderr) = browse(
        dir,
        &file_url(&dir.join("driver.html")),
        &[
            "--allow-file-access-from-files".to_string(),
            "--window-size=1500,1100".to_string(),
            "--dump-dom".to_string(),
        ],
    );
    assert!(
        console_lines(&stderr).is_empty(),
        "console output: {:?}",
        console_lines(&stderr)
    );
    let json = &dom[dom.find("<pre id=\"result\">").unwrap() + 17..];
    let json = json[..json.find("</pre>").unwrap()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    let out: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert!(out.get("exception").is_none(), "{}", out["exception"]);
    assert_eq!(out["ready"], "true", "the page did not finish drawing");
    assert!(out["errors"].is_null(), "page errors: {}", out["errors"]);
    out
}

/// Screenshot of `dir/map.html` at 1400 × 1000, checked not blank; copied to `HARMSPOT_SHOTS`.
fn screenshot(dir: &Path, name: &str) -> (u32, u32, Vec<[u8; 4]>) {
    let shot = dir.join(format!("{name}.png"));
    let (_, stderr) = browse(
        dir,
        &file_url(&dir.join("map.html")),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1400,1000".to_string(),
        ],
    );
    assert!(console_lines(&stderr).is_empty(), "{stderr}");
    keep(&shot, &format!("{name}.png"));
    let (w, h, px) = decode_png(&shot);
    assert_eq!((w, h), (1400, 1000));
    // the map area (left of the panel, below the title) holds many colours, not one
    let map = colours_in(&px, w, (0, 1080), (60, 960));
    assert!(map.len() > 40, "blank map: {} colours", map.len());
    (w, h, px)
}

/// Copies a picture to `$HARMSPOT_SHOTS/name`, when that is set.
fn keep(path: &Path, name: &str) {
    if let Some(dir) = std::env::var_os("HARMSPOT_SHOTS") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(path, Path::new(&dir).join(name)).unwrap();
    }
}

/// Labels as (layer, text, box).
fn labels(out: &Value) -> Vec<(String, String, [f64; 4])> {
    out["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let b: Vec<f64> = l["box"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            (
                l["layer"].as_str().unwrap().to_string(),
                l["text"].as_str().unwrap().to_string(),
                [b[0], b[1], b[2], b[3]],
            )
        })
        .collect()
}

/// No two shown labels' text boxes overlap (by more than a pixel: boxes of adjacent rows
/// share their font's line spacing), and every one lies on the map.
fn assert_readable(labs: &[(String, String, [f64; 4])], svg: [f64; 4]) {
    for (i, (la, ta, a)) in labs.iter().enumerate() {
        assert!(
            a[0] >= svg[0] - 1.0
                && a[2] <= svg[2] + 1.0
                && a[1] >= svg[1] - 1.0
                && a[3] <= svg[3] + 1.0,
            "{la} label {ta:?} at {a:?} leaves the map {svg:?}"
        );
        for (lb, tb, b) in &labs[i + 1..] {
            let w = a[2].min(b[2]) - a[0].max(b[0]);
            let h = a[3].min(b[3]) - a[1].max(b[1]);
            assert!(
                w <= 1.0 || h <= 1.0,
                "{la} label {ta:?} {a:?} overlaps {lb} label {tb:?} {b:?}"
            );
        }
    }
}

#[test]
fn map_of_the_real_hotspots_run_shows_named_harm_spots_units_and_places() {
    if skip_without_data("map_of_the_real_hotspots_run_shows_named_harm_spots_units_and_places") {
        return;
    }
    if !browser_available("map_of_the_real_hotspots_run_shows_named_harm_spots_units_and_places") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let d = work.path();
    let lsoas = format!("{DATA}/boundaries/northumbria-lsoa2011.geojson");
    real_hotspots(d);
    ok(
        d,
        &[
            "map",
            "res",
            "--context",
            &lsoas,
            "--out",
            "map.html",
            "--out",
            "m.png",
            "-q",
        ],
    );
    keep(&d.join("m.png"), "hotspots-m.png");

    let out = drawn(d);
    let labs = labels(&out);
    let svg: Vec<f64> = out["svg"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_readable(&labs, [svg[0], svg[1], svg[2], svg[3]]);
    // all ten top harm spots are labelled "S<rank> <street>", the clustered ones moved aside
    let spots: Vec<&str> = labs
        .iter()
        .filter(|(l, _, _)| l == "harmspots")
        .map(|(_, t, _)| t.as_str())
        .collect();
    for r in 1..=10 {
        let prefix = format!("S{r} ");
        let t = spots
            .iter()
            .find(|t| t.starts_with(&prefix))
            .unwrap_or_else(|| panic!("no label S{r} among {spots:?}"));
        assert!(
            t[prefix.len()..]
                .chars()
                .filter(|c| c.is_alphabetic())
                .count()
                >= 4,
            "{t:?} names no street"
        );
    }
    assert!(out["leaders"].as_u64().unwrap() >= 1, "no label was moved");
    // hotspot ranks and LSOA names (place names) are shown too
    let ranks = labs.iter().filter(|(l, _, _)| l == "hotspots").count();
    assert!(ranks >= 10, "{ranks} hotspot ranks shown");
    let places = labs
        .iter()
        .filter(|(l, t, _)| {
            l.starts_with("northumbria-lsoa") && t.starts_with("Newcastle upon Tyne")
        })
        .count();
    assert!(places >= 3, "{places} Newcastle LSOA names shown");
    // the legend states the unit of the density
    let legend = out["legend"].as_str().unwrap();
    assert!(legend.contains("Density, harm per km²"), "{legend}");

    let (w, _, px) = screenshot(d, "hotspots-html");
    // dark label text on the map
    let map = colours_in(&px, w, (0, 1080), (60, 960));
    assert!(
        map.iter().any(|c| c[0] < 40 && c[1] < 40 && c[2] < 40),
        "no text on the map"
    );
    // the PNG: harm spots drawn, labels (near-black text) written
    let (_, _, png) = decode_png(&d.join("m.png"));
    assert!(
        png.iter().any(|p| p[..3] == [8, 81, 156]),
        "no harm spot in the PNG"
    );
    assert!(
        png.iter().filter(|p| p[..3] == [10, 10, 10]).count() > 2000,
        "no labels in the PNG"
    );
}

#[test]
fn map_of_the_real_compare_run_draws_and_names_each_role() {
    if skip_without_data("map_of_the_real_compare_run_draws_and_names_each_role") {
        return;
    }
    if !browser_available("map_of_the_real_compare_run_draws_and_names_each_role") {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let d = work.path();
    real_compare(d);
    ok(
        d,
        &["map", "cmp", "--out", "map.html", "--out", "c.png", "-q"],
    );
    keep(&d.join("c.png"), "compare-c.png");

    let out = drawn(d);
    // treatment, buffer and control each outlined in their own colour...
    let strokes = out["areaStrokes"].as_object().unwrap();
    for c in ["#6a3d9a", "#ff7f00", "#1f78b4"] {
        assert!(strokes.contains_key(c), "no area outlined {c}: {strokes:?}");
    }
    assert_eq!(strokes.len(), 3, "{strokes:?}");
    // ...and named in the legend
    let legend = out["legend"].as_str().unwrap();
    for role in ["Treatment area", "Buffer", "Control area"] {
        assert!(legend.contains(role), "the legend lacks {role}: {legend}");
    }
    // the frame is on the 13 sites: every one is named, readably
    let labs = labels(&out);
    let svg: Vec<f64> = out["svg"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_readable(&labs, [svg[0], svg[1], svg[2], svg[3]]);
    let names: std::collections::BTreeSet<&str> = labs
        .iter()
        .filter(|(l, _, _)| l == "areas")
        .map(|(_, t, _)| t.as_str())
        .collect();
    for site in ["City", "Gosforth", "Walker", "Newburn", "Blakelaw"] {
        assert!(names.contains(site), "{site} not named: {names:?}");
    }
    assert!(names.len() >= 13, "{} sites named: {names:?}", names.len());

    screenshot(d, "compare-html");
    // the PNG draws each role in its colour
    let (_, _, png) = decode_png(&d.join("c.png"));
    for c in [[106, 61, 154], [255, 127, 0], [31, 120, 180]] {
        assert!(png.iter().any(|p| p[..3] == c), "no {c:?} in the PNG");
    }
}
