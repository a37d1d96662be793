//! `harmspot map`: HTML page and PNG picture from a result folder (issue 7).

use crate::common::{decode_png, fails, map_page_data, map_results, ok, run, temporaries};
use std::collections::HashSet;

/// Cells of the fixture whose values are all `null`: (i + 20 j) % 17 == 0 over 300 cells,
/// i.e. ids 0, 17, ..., 289.
const SUPPRESSED_CELLS: usize = 18;

#[test]
fn html_page_holds_every_layer_offline_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    map_results(dir.path(), "results");
    ok(
        dir.path(),
        &[
            "map",
            "results",
            "--out",
            "map.html",
            "--title",
            "Hubs <& 'checks'>",
            "-q",
        ],
    );
    let page = std::fs::read_to_string(dir.path().join("map.html")).unwrap();

    // Self-contained: no fetch is allowed and nothing points outside the page.
    let csp = page
        .lines()
        .find(|l| l.contains("Content-Security-Policy"))
        .unwrap();
    assert!(
        csp.contains("content=\"default-src 'none'; script-src 'sha256-"),
        "{csp}"
    );
    assert!(
        csp.contains(
            "; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'\">"
        ),
        "{csp}"
    );
    assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
    let without_ns = page.replace("'http://www.w3.org/2000/svg'", "");
    assert!(
        !without_ns.contains("http://") && !without_ns.contains("https://"),
        "the page names a URL"
    );
    for bad in [
        "src=\"",
        "<link",
        "@import",
        "url(http",
        "fetch(",
        "XMLHttpRequest",
        "innerHTML",
    ] {
        assert!(!page.contains(bad), "the page contains {bad}");
    }
    // Escaped title and properties.
    assert!(page.contains("<title>Hubs &lt;&amp; &#39;checks&#39;&gt;</title>"));
    assert!(
        !page.contains("<img src=x"),
        "a property reached the page as markup"
    );
    assert!(page.contains(r"\u003cimg src=x onerror=alert(1)\u003eHub A"));
    assert!(page.contains(
        "Contains public sector information licensed under the Open Government Licence v3.0."
    ));

    let data = map_page_data(&page);
    let layers = data["layers"].as_array().unwrap();
    let ids: Vec<&str> = layers.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["cells", "stations", "areas", "hotspots"]); // bottom to top
    let counts: Vec<usize> = layers
        .iter()
        .map(|l| l["features"].as_array().unwrap().len())
        .collect();
    assert_eq!(counts, vec![300, 3, 3, 2]);
    assert_eq!(data["title"], "Hubs <& 'checks'>");

    // Suppressed cells: fill -1 (hatched), never a class, and their values stay null.
    let cells = &layers[0];
    let keys: Vec<&str> = cells["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let density = keys.iter().position(|k| *k == "density").unwrap();
    let mut suppressed = 0;
    for f in cells["features"].as_array().unwrap() {
        let d = f["p"]
            .as_array()
            .unwrap()
            .iter()
            .find(|kv| kv[0] == density)
            .unwrap()[1]
            .clone();
        if d.is_null() {
            suppressed += 1;
            assert_eq!(f["f"], -1);
            assert_eq!(f["g"], -1);
        } else {
            assert!(f["f"].as_i64().unwrap() >= 0);
        }
    }
    assert_eq!(suppressed, SUPPRESSED_CELLS);
    // Hotspot 2's suppressed harm is still null, not 0.
    let hot = &layers[3];
    let hkeys: Vec<&str> = hot["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    let harm = hkeys.iter().position(|k| *k == "harm").unwrap();
    let h2 = hot["features"][1]["p"]
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv[0] == harm)
        .unwrap();
    assert!(h2[1].is_null());
    assert_eq!(hkeys[..2], ["id", "rank"]);

    // Legend: density classes, suppressed, Gi*, hotspots, areas by role, stations.
    let legend = data["legend"].as_array().unwrap();
    let groups: Vec<&str> = legend
        .iter()
        .map(|s| s["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        vec!["hotspots", "areas", "stations", "cells", "cells-gistar"]
    );
    let labels: Vec<&str> = legend
        .iter()
        .flat_map(|s| s["entries"].as_array().unwrap())
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    for want in [
        "Suppressed (disclosure control)",
        "Treatment area",
        "Buffer",
        "Control area",
        "Hot spot, 99% confidence",
        "Not significant",
    ] {
        assert!(labels.contains(&want), "legend lacks {want}: {labels:?}");
    }
    let dens = &legend[3];
    assert_eq!(dens["title"], "Density per km²");
    assert_eq!(dens["note"], "5 classes, Jenks natural breaks");
    assert_eq!(dens["entries"].as_array().unwrap().len(), 6); // 5 classes + suppressed
    let params: Vec<(String, String)> = serde_json::from_value(data["params"].clone()).unwrap();
    assert_eq!(
        params,
        vec![
            ("analysis".into(), "kde".into()),
            ("cell size".into(), "100 m".into()),
            ("bandwidth".into(), "250 m".into()),
            ("kernel".into(), "quartic".into()),
            ("working CRS".into(), "EPSG:27700".into()),
        ]
    );
    assert!(data["basemap"].is_null());
}

#[test]
fn png_has_layers_legend_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    map_results(dir.path(), "results");
    let out = run(
        dir.path(),
        &["map", "results", "--out", "a.png", "--out", "a.html"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("map: cells.geojson — 300 features"), "{err}");
    assert!(
        err.contains("cells coloured by `density` in 5 classes (Jenks natural breaks, 282 values)"),
        "{err}"
    );
    let (w, h, px) = decode_png(&dir.path().join("a.png"));
    assert_eq!((w, h), (1600, 1200));
    let colours: HashSet<[u8; 4]> = px.iter().copied().collect();
    assert!(colours.len() > 20, "only {} colours", colours.len());
    // Darkest and lightest YlOrRd classes, the hatching, the hotspot outline.
    for c in [
        [128, 0, 38, 255],
        [255, 255, 204, 255],
        [105, 105, 105, 255],
        [200, 200, 200, 255],
        [17, 17, 17, 255],
    ] {
        assert!(colours.contains(&c), "no pixel of {c:?}");
    }
    // The same run twice gives the same bytes.
    ok(
        dir.path(),
        &["map", "results", "--out", "b.png", "--out", "b.html", "-q"],
    );
    assert_eq!(
        std::fs::read(dir.path().join("a.png")).unwrap(),
        std::fs::read(dir.path().join("b.png")).unwrap()
    );
    assert_eq!(
        std::fs::read(dir.path().join("a.html")).unwrap(),
        std::fs::read(dir.path().join("b.html")).unwrap()
    );
}

#[test]
fn png_size_and_gistar_view() {
    let dir = tempfile::tempdir().unwrap();
    map_results(dir.path(), "results");
    ok(
        dir.path(),
        &[
            "map",
            "results",
            "--out",
            "out/sub/gi.png",
            "--cells",
            "gistar",
            "--width",
            "640",
            "--height",
            "480",
            "-q",
        ],
    );
    let (w, h, px) = decode_png(&dir.path().join("out/sub/gi.png"));
    assert_eq!((w, h), (640, 480));
    let colours: HashSet<[u8; 4]> = px.iter().copied().collect();
    assert!(
        colours.contains(&[215, 48, 39, 255]),
        "no Gi* 99% hot-spot pixel"
    );
    assert!(
        !colours.contains(&[128, 0, 38, 255]),
        "density colours drawn in the Gi* view"
    );
}

#[test]
fn quantile_breaks_and_classes() {
    let dir = tempfile::tempdir().unwrap();
    map_results(dir.path(), "results");
    let out = run(
        dir.path(),
        &[
            "map",
            "results",
            "--out",
            "m.html",
            "--breaks",
            "quantile",
            "--classes",
            "3",
        ],
    );
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in 3 classes (quantiles, 282 values)"));
    let data = map_page_data(&std::fs::read_to_string(dir.path().join("m.html")).unwrap());
    assert_eq!(data["cells"]["fills"].as_array().unwrap().len(), 3);
    // Equal-count classes: each holds about a third of the 282 values.
    let mut per = [0usize; 3];
    for f in data["layers"][0]["features"].as_array().unwrap() {
        if let Some(i) = f["f"].as_i64().filter(|&i| i >= 0) {
            per[i as usize] += 1;
        }
    }
    assert_eq!(per.iter().sum::<usize>(), 282);
    assert!(per.iter().all(|&n| (80..=110).contains(&n)), "{per:?}");
}

#[test]
fn any_layer_may_be_missing() {
    let dir = tempfile::tempdir().unwrap();
    let res = map_results(dir.path(), "results");
    for f in ["cells.geojson", "areas.geojson", "stations.geojson"] {
        std::fs::remove_file(res.join(f)).unwrap();
    }
    ok(
        dir.path(),
        &["map", "results", "--out", "h.html", "--out", "h.png", "-q"],
    );
    let data = map_page_data(&std::fs::read_to_string(dir.path().join("h.html")).unwrap());
    assert_eq!(data["layers"].as_array().unwrap().len(), 1);
    assert!(data["params"].as_array().unwrap().is_empty());
    assert!(data["cells"]["property"].is_null());
}

#[test]
fn basemap_url_allows_only_its_host() {
    let dir = tempfile::tempdir().unwrap();
    map_results(dir.path(), "results");
    ok(
        dir.path(),
        &[
            "map",
            "results",
            "--out",
            "b.html",
            "--basemap-url",
            "https://tile.example/{z}/{x}/{y}.png",
            "--basemap-attribution",
            "© Example <tiles>",
            "-q",
        ],
    );
    let page = std::fs::read_to_string(dir.path().join("b.html")).unwrap();
    assert!(page.contains("; img-src https://tile.example; base-uri 'none'"));
    let data = map_page_data(&page);
    assert_eq!(
        data["basemap"]["url"],
        "https://tile.example/{z}/{x}/{y}.png"
    );
    assert_eq!(data["basemap"]["attribution"], "© Example <tiles>");
}

#[test]
fn clear_errors_and_no_partial_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    map_results(d, "results");
    std::fs::create_dir_all(d.join("empty")).unwrap();
    std::fs::write(d.join("empty/readme.txt"), "no layers here").unwrap();

    let e = fails(d, &["map", "nowhere", "--out", "m.html"]);
    assert!(e.contains("nowhere") && e.contains("No such file"), "{e}");
    let e = fails(d, &["map", "empty", "--out", "m.html"]);
    assert!(
        e.contains("RESULT_DIR: `empty` holds no *.geojson file"),
        "{e}"
    );
    let e = fails(d, &["map", "empty/readme.txt", "--out", "m.html"]);
    assert!(e.contains("is not a folder"), "{e}");
    let e = fails(d, &["map", "results", "--out", "m.svg"]);
    assert!(
        e.contains(
            "--out: `m.svg`: unknown extension; use .html (interactive page) or .png (picture)"
        ),
        "{e}"
    );
    let e = fails(d, &["map", "results", "--out", "m"]);
    assert!(e.contains("unknown extension"), "{e}");
    let e = fails(d, &["map", "results", "--out", "m.html", "--classes", "12"]);
    assert!(
        e.contains("--classes: 12 density classes asked for: give 2 to 9"),
        "{e}"
    );
    let e = fails(d, &["map", "results", "--out", "m.png", "--width", "50"]);
    assert!(e.contains("--width: 50 pixels"), "{e}");
    let e = fails(
        d,
        &[
            "map",
            "results",
            "--out",
            "m.html",
            "--basemap-url",
            "https://tile.example/{z}/{x}.png",
        ],
    );
    assert!(
        e.contains("--basemap-url:") && e.contains("needs {z}, {x} and {y}"),
        "{e}"
    );

    // A layer in a projected CRS, and a file that is not GeoJSON.
    std::fs::create_dir_all(d.join("bng")).unwrap();
    std::fs::write(
        d.join("bng/hotspots.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[424000,564000]}}]}"#,
    )
    .unwrap();
    let e = fails(d, &["map", "bng", "--out", "m.html"]);
    assert!(
        e.contains(
            "hotspots.geojson:2: field `geometry`: position [424000, 564000] is not WGS84 lon/lat"
        ),
        "{e}"
    );
    std::fs::create_dir_all(d.join("junk")).unwrap();
    std::fs::write(
        d.join("junk/cells.geojson"),
        "{\"type\": \"FeatureCollection\", \"features\": [",
    )
    .unwrap();
    let e = fails(d, &["map", "junk", "--out", "m.html"]);
    assert!(e.contains("cells.geojson: not valid GeoJSON"), "{e}");
    std::fs::create_dir_all(d.join("hollow")).unwrap();
    std::fs::write(
        d.join("hollow/hotspots.geojson"),
        r#"{"type":"FeatureCollection","features":[]}"#,
    )
    .unwrap();
    let e = fails(d, &["map", "hollow", "--out", "m.html"]);
    assert!(
        e.contains("nothing to draw: hotspots.geojson hold no feature with a geometry"),
        "{e}"
    );

    assert!(!d.join("m.html").exists() && !d.join("m.png").exists());
    assert!(temporaries(d).is_empty());
}
