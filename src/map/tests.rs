//! Unit tests of [`super::build`] on small hand-made layers: fills, suppression, layer
//! order, legend, labels, frame, errors.

use super::*;
use geojson::FeatureCollection;
use serde_json::json;

fn fc(v: Value) -> FeatureCollection {
    serde_json::from_value(v).unwrap()
}

fn square(x: f64, y: f64, d: f64) -> Value {
    json!({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]})
}

#[test]
fn suppressed_never_zero_and_orders_layers() {
    let cells = fc(
        json!({"type": "FeatureCollection", "harmspot": {"cell_size": 100, "bandwidth": 250.4, "working_crs": "EPSG:27700", "min_count": 5},
        "features": [
            {"type": "Feature", "geometry": square(-1.6, 55.0, 0.01), "properties": {"density": 0.0, "class": 0}},
            {"type": "Feature", "geometry": square(-1.59, 55.0, 0.01), "properties": {"density": null, "class": null}},
            {"type": "Feature", "geometry": square(-1.58, 55.0, 0.01), "properties": {"density": 8.0, "class": 3}},
            {"type": "Feature", "geometry": square(-1.57, 55.0, 0.01), "properties": {"class": -2}},
            {"type": "Feature", "geometry": null, "properties": {"density": 1.0}}
        ]}),
    );
    let hot = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-1.58, 55.0, 0.01), "properties": {"rank": 1, "harm": null}}]}));
    let areas = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-1.6, 55.0, 0.03), "properties": {"role": "Treatment", "name": "Hub <A>"}},
        {"type": "Feature", "geometry": square(-1.61, 54.99, 0.05), "properties": {"role": "buffer", "name": "ring"}}]}));
    let other = fc(
        json!({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.55, 55.02]}, "properties": {}}]}),
    );
    let map = build(
        vec![
            ("r/hotspots.geojson".into(), hot),
            ("r/points.geojson".into(), other),
            ("r/areas.geojson".into(), areas),
            ("r/cells.geojson".into(), cells),
        ],
        &MapParams::default().classes(3),
    )
    .unwrap();
    let kinds: Vec<_> = map.layers.iter().map(|l| l.kind).collect();
    assert_eq!(
        kinds,
        vec![
            LayerKind::Cells,
            LayerKind::Other,
            LayerKind::Areas,
            LayerKind::Hotspots
        ]
    );
    let cells = &map.layers[0];
    assert_eq!(cells.skipped, 1);
    let fills: Vec<_> = cells.features.iter().map(|f| f.fill.unwrap()).collect();
    // Values {0, 8}: two distinct values, so two classes; null is suppressed, missing is no value.
    assert_eq!(map.scale.as_ref().unwrap().breaks, vec![0.0, 8.0]);
    assert_eq!(
        fills,
        vec![
            CellFill::Class(0),
            CellFill::Suppressed,
            CellFill::Class(1),
            CellFill::NoValue
        ]
    );
    let gi: Vec<_> = cells.features.iter().map(|f| f.gi.unwrap()).collect();
    assert_eq!(
        gi,
        vec![
            GiFill::Class(0),
            GiFill::Suppressed,
            GiFill::Class(3),
            GiFill::Class(-2)
        ]
    );
    assert_eq!(map.cells_view, CellsView::Density);
    assert_eq!(
        map.static_groups(),
        vec!["cells", "points", "areas", "hotspots"]
    );
    let sec = map.legend.iter().find(|s| s.group == "cells").unwrap();
    assert!(sec
        .entries
        .iter()
        .any(|e| e.swatch == Swatch::Hatch && e.label == "Suppressed (fewer than 5 incidents)"));
    assert!(map.legend.iter().any(|s| s.group == "cells-gistar"));
    assert_eq!(map.legend[0].group, "hotspots");
    let areas = &map.layers[2];
    assert_eq!(areas.features[0].role, Some(Role::Treatment));
    let lab = areas.features[0].label.clone().unwrap();
    assert_eq!(lab.text, "Hub <A>");
    assert!(lab.above && (lab.at[0] + 1.585).abs() < 1e-12 && (lab.at[1] - 55.03).abs() < 1e-12);
    assert!(areas.features[1].label.is_none());
    let hot = &map.layers[3];
    let Label { text, at: p, above } = hot.features[0].label.clone().unwrap();
    assert_eq!(text, "1");
    assert!(!above);
    assert!(p[0] > -1.58 && p[0] < -1.57 && p[1] > 55.0 && p[1] < 55.01);
    assert_eq!(hot.features[0].prop("harm"), Some(&Value::Null));
    assert_eq!(
        map.params,
        vec![
            ("cell size".to_string(), "100 m".to_string()),
            ("bandwidth".to_string(), "250 m".to_string()),
            ("working CRS".to_string(), "EPSG:27700".to_string()),
            ("min count".to_string(), "5".to_string()),
        ]
    );
    assert_eq!(map.bounds, [-1.61, 54.99, -1.55, 55.04]);
}

#[test]
fn gistar_view_chosen_without_density() {
    let cells = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(0.0, 50.0, 0.01), "properties": {"n": 3, "gistar": 2.5, "class": 2}}]}));
    let map = build(
        vec![("cells.geojson".into(), cells.clone())],
        &MapParams::default(),
    )
    .unwrap();
    assert_eq!(map.cells_view, CellsView::Gistar);
    assert_eq!(map.static_groups(), vec!["cells-gistar"]);
    let map = build(
        vec![("cells.geojson".into(), cells)],
        &MapParams::default().cells(CellsView::Density),
    )
    .unwrap();
    assert_eq!(map.cells_view, CellsView::Density);
    let plain = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(0.0, 50.0, 0.01), "properties": {"n": 3}}]}));
    let e = build(
        vec![("cells.geojson".into(), plain)],
        &MapParams::default().cells(CellsView::Gistar),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with("‹cells›: gistar asked for"),
        "{e}"
    );
}

#[test]
fn refuses_projected_coordinates_and_empty_input() {
    let bng = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [424000.0, 564000.0]}, "properties": {}}]}));
    let e = build(
        vec![("x/hotspots.geojson".into(), bng)],
        &MapParams::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().starts_with(
            "x/hotspots.geojson:1: field `geometry`: position [424000, 564000] is not WGS84"
        ),
        "{e}"
    );
    let empty = fc(json!({"type": "FeatureCollection", "features": []}));
    let e = build(
        vec![("hotspots.geojson".into(), empty)],
        &MapParams::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("nothing to draw"), "{e}");
    let one = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}, "properties": {}}]}));
    let e = build(
        vec![("a.geojson".into(), one)],
        &MapParams::default().classes(12),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::Classes.to_string()),
        "{e}"
    );
}

#[test]
fn large_generic_layers_start_hidden() {
    let pts: Vec<Value> = (0..=GENERIC_MAX_SHOWN)
        .map(|i| json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [i as f64 * 1e-5, 50.0]}, "properties": {}}))
        .collect();
    let big = fc(json!({"type": "FeatureCollection", "features": pts}));
    let small = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 50.0]}, "properties": {}}]}));
    let map = build(
        vec![("big.geojson".into(), big), ("small.geojson".into(), small)],
        &MapParams::default(),
    )
    .unwrap();
    assert_eq!(
        map.layers.iter().map(|l| l.shown).collect::<Vec<_>>(),
        vec![false, true]
    );
    assert_eq!(map.static_groups(), vec!["small"]);
    let big = map.legend.iter().find(|s| s.group == "big").unwrap();
    assert_eq!(
        big.note.as_deref(),
        Some("hidden at first: more than 5000 features")
    );
}

#[test]
fn slugs_are_unique_ids() {
    let p = |n: &str| -> (PathBuf, FeatureCollection) {
        (
            n.into(),
            fc(
                json!({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}, "properties": {}}]}),
            ),
        )
    };
    let map = build(
        vec![p("a b.geojson"), p("a-b.geojson")],
        &MapParams::default(),
    )
    .unwrap();
    let ids: Vec<_> = map.layers.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, vec!["a-b", "a-b-2"]);
}

#[test]
fn the_frame_leaves_out_controls_and_context() {
    let areas = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-3.0, 54.0, 2.0), "properties": {"place": "control", "name": "control"}},
        {"type": "Feature", "geometry": square(-1.62, 54.98, 0.01), "properties": {"place": "treatment", "name": "Library A"}},
        {"type": "Feature", "geometry": square(-1.63, 54.97, 0.03), "properties": {"place": "buffer", "name": "Library A"}},
        {"type": "Feature", "geometry": square(-1.58, 54.99, 0.01), "properties": {"place": "treatment", "name": "Library B"}}]}));
    let map = build(
        vec![("cmp/areas.geojson".into(), areas)],
        &MapParams::default(),
    )
    .unwrap();
    assert_eq!(map.bounds, [-1.63, 54.97, -1.57, 55.0]);
    let roles: Vec<_> = map.layers[0].features.iter().map(|f| f.role).collect();
    assert_eq!(
        roles,
        vec![
            Some(Role::Control),
            Some(Role::Treatment),
            Some(Role::Buffer),
            Some(Role::Treatment)
        ]
    );
    // a context layer (a force's LSOAs) is not framed either
    let areas = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-1.62, 54.98, 0.01), "properties": {"role": "treatment"}}]}));
    let lsoas = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-2.5, 54.5, 1.5), "properties": {"LSOA11NM": "Somewhere 001A"}}]}));
    let map = build(
        vec![
            ("areas.geojson".into(), areas),
            ("lsoa.geojson".into(), lsoas),
        ],
        &MapParams::default().context("lsoa.geojson"),
    )
    .unwrap();
    assert_eq!(map.bounds, [-1.62, 54.98, -1.62 + 0.01, 54.98 + 0.01]);
    // with nothing but a control area, it is framed

    let control = fc(json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": square(-3.0, 54.0, 2.0), "properties": {"role": "control"}}]}));
    let map = build(
        vec![("areas.geojson".into(), control)],
        &MapParams::default(),
    )
    .unwrap();
    assert_eq!(map.bounds, [-3.0, 54.0, -1.0, 56.0]);
}
