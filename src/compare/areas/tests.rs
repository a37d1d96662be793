//! Unit tests of building areas: buffers and overlaps, names and start months, point hubs,
//! repair or rejection of invalid polygons.

use super::geometry::shared;
use super::*;
use geo::{polygon, Geometry, Point};

fn feature(number: usize, name: &str, g: Geometry<f64>) -> AreaFeature {
    let mut props = serde_json::Map::new();
    props.insert("name".into(), name.into());
    props.insert("opened".into(), "2022-01".into());
    AreaFeature {
        number,
        properties: props,
        geometry: g,
    }
}

fn square(x: f64, y: f64, s: f64) -> Geometry<f64> {
    Geometry::Polygon(
        polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s)],
    )
}

#[test]
fn square_buffer_and_overlaps() {
    let fs = [
        feature(1, "A", square(0.0, 0.0, 100.0)),
        feature(2, "B", square(50.0, 0.0, 100.0)),
    ];
    let set = build(
        &fs,
        Path::new("a.geojson"),
        &AreasParams::default().buffer(10.0),
    )
    .unwrap();
    assert_eq!(set.areas[0].treatment_m2, 10_000.0);
    // A and B share a 50 × 100 strip
    let tt = set
        .overlaps
        .iter()
        .find(|o| o.kind == "treatment/treatment")
        .unwrap();
    assert!((tt.area_m2 - 5000.0).abs() < 1e-6, "{tt:?}");
    // A's ring leaves out B's square, which counts as treatment
    let ring = set.areas[0].ring.as_ref().unwrap();
    assert!(shared(ring, &set.areas[1].treatment) < 1e-6);
    assert!(set
        .overlaps
        .iter()
        .any(|o| o.kind == "buffer/treatment" && o.first == "A"));
    assert!(set.notes.iter().any(|n| n.contains("overlap")));
}

#[test]
fn names_and_starts() {
    let mut f = feature(3, "A", square(0.0, 0.0, 10.0));
    f.properties.remove("name");
    let e = build(
        std::slice::from_ref(&f),
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("h.geojson:3: field `name`") && e.contains("properties are: opened"),
        "{e}"
    );
    let e = build(
        &[
            feature(1, "A", square(0.0, 0.0, 10.0)),
            feature(2, "A", square(20.0, 0.0, 10.0)),
        ],
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("already used by feature 1"), "{e}");
    let set = build(
        &[feature(1, "A", square(0.0, 0.0, 10.0))],
        Path::new("h.geojson"),
        &AreasParams::default().start_field("opened"),
    )
    .unwrap();
    assert_eq!(set.areas[0].start, Month::parse("2022-01"));
    let e = build(
        &[feature(1, "A", square(0.0, 0.0, 10.0))],
        Path::new("h.geojson"),
        &AreasParams::default().start_field("start"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("area `A` has no start month") && e.contains("name, opened"),
        "{e}"
    );
}

#[test]
fn points_need_radius() {
    let f = feature(1, "Hub", Geometry::Point(Point::new(0.0, 0.0)));
    let e = build(
        std::slice::from_ref(&f),
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("‹radius›:") && e.contains("`Hub`"), "{e}");
    let e = build(
        &[f],
        Path::new("h.geojson"),
        &AreasParams::default().radius(-3.0),
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("‹radius›:"), "{e}");
}

#[test]
fn repair_or_reject() {
    let bowtie = Geometry::Polygon(
        polygon![(x: 0., y: 0.), (x: 0., y: 10.), (x: 10., y: 0.), (x: 10., y: 10.)],
    );
    let set = build(
        &[feature(4, "Bow", bowtie)],
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap();
    assert!(set.areas[0].repaired.is_some());
    assert!((set.areas[0].treatment_m2 - 50.0).abs() < 1e-9);
    assert!(set.notes[0].contains("`Bow` (feature 4)"));
    let flat = Geometry::Polygon(polygon![(x: 0., y: 0.), (x: 5., y: 5.), (x: 10., y: 10.)]);
    let e = build(
        &[feature(2, "Flat", flat)],
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("h.geojson:2: field `geometry`") && e.contains("area `Flat`"),
        "{e}"
    );
    // overlapping parts of one MultiPolygon are merged
    let mp = Geometry::MultiPolygon(MultiPolygon(vec![
        polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
        polygon![(x: 5., y: 0.), (x: 15., y: 0.), (x: 15., y: 10.), (x: 5., y: 10.)],
    ]));
    let set = build(
        &[feature(1, "M", mp)],
        Path::new("h.geojson"),
        &AreasParams::default(),
    )
    .unwrap();
    assert!(
        (set.areas[0].treatment_m2 - 150.0).abs() < 1e-6,
        "{}",
        set.areas[0].treatment_m2
    );
}

/// geo's `MakeValid` returns its repair in an order that varies between calls; the
/// repaired areas (and so areas.geojson and every area in m²) must not.
#[test]
fn a_repaired_polygon_is_the_same_every_time() {
    use geo::{Coord, LineString, MultiPolygon, Polygon};
    // a 7-pointed star drawn in one stroke: its boundary crosses itself 14 times
    let pts: Vec<Coord<f64>> = (0..=7)
        .map(|i| {
            let a = (i * 3 % 7) as f64 * std::f64::consts::TAU / 7.0;
            Coord {
                x: 1000.0 * a.cos(),
                y: 1000.0 * a.sin(),
            }
        })
        .collect();
    let star = MultiPolygon(vec![Polygon::new(LineString(pts), vec![])]);
    let first = super::make_valid(star.clone()).unwrap().0;
    for _ in 0..30 {
        assert_eq!(super::make_valid(star.clone()).unwrap().0, first);
    }
}
