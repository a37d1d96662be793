//! Issue 14, bounded work in `harmspot compare`: one area polygon of 10⁶ vertices, a
//! 20,000-spike self-intersecting star, and 5,000 areas each made a comparison run for more
//! than a minute. Each is now refused within seconds by an error that states the estimate
//! and what to change; the real comparisons (13 library hubs, 916 LSOA polygons over
//! Northumbria 2021) stay well under every limit.

use crate::common::*;
use harmspot::compare::work::{self, MAX_OVERLAP_VISITS, MAX_RING_OPERATIONS, MAX_SEGMENT_PAIRS};
use harmspot::compare::{build_areas, AreasParams};
use harmspot::read::areas::read_areas;
use harmspot::{read_incidents, Projector, ReadOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::DATA;
const LON: f64 = -1.61;
const LAT: f64 = 54.97;

fn small_extract(dir: &Path) -> String {
    let mut lines = vec![HEADER.to_string()];
    for i in 0..40 {
        let month = if i % 2 == 0 { "2021-02" } else { "2021-04" };
        lines.push(row(
            &format!("i{i}"),
            month,
            &format!("{:.4}", LON - 0.05 + 0.0025 * i as f64),
            &format!("{:.4}", LAT - 0.02 + 0.001 * i as f64),
            "Burglary",
        ));
    }
    write(dir, "s-street.csv", &lines);
    "s-street.csv".into()
}

fn polygon(name: &str, ring: &[[f64; 2]]) -> String {
    let coords: Vec<String> = ring
        .iter()
        .chain(ring.first())
        .map(|p| format!("[{:.7},{:.7}]", p[0], p[1]))
        .collect();
    format!(
        r#"{{"type":"Feature","properties":{{"name":"{name}"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}"#,
        coords.join(",")
    )
}

fn collection(dir: &Path, file: &str, features: &[String]) {
    let gj = format!(
        r#"{{"type":"FeatureCollection","features":[{}]}}"#,
        features.join(",")
    );
    std::fs::write(dir.join(file), gj).unwrap();
}

/// Runs a comparison that must be refused, within `secs` seconds; returns the message.
fn refused(dir: &Path, extract: &str, areas: &[&str], secs: u64) -> String {
    let mut args = vec!["compare", extract, "--start", "2021-03", "--out", "C"];
    args.extend_from_slice(areas);
    let t = Instant::now();
    let e = fails(dir, &args);
    assert!(
        t.elapsed() < Duration::from_secs(secs),
        "{areas:?} took {:?}",
        t.elapsed()
    );
    assert!(!dir.join("C").exists(), "no output folder after a refusal");
    e
}

#[test]
fn a_polygon_of_a_million_vertices_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    let n = 1_000_000;
    let ring: Vec<[f64; 2]> = (0..n)
        .map(|k| {
            let t = std::f64::consts::TAU * k as f64 / n as f64;
            [LON + 0.04 * t.cos(), LAT + 0.024 * t.sin()]
        })
        .collect();
    collection(d.path(), "big.geojson", &[polygon("big", &ring)]);
    let e = refused(d.path(), &f, &["--areas", "big.geojson"], 60);
    assert!(e.contains("vertices") && e.contains("1000001"), "{e}");
}

#[test]
fn a_self_intersecting_star_of_20000_spikes_is_refused_with_the_estimate() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    // each spike's tip leans past the next spike's base, so the edges cross
    let k = 20_000;
    let step = std::f64::consts::TAU / k as f64;
    let mut ring = Vec::with_capacity(2 * k);
    for i in 0..k {
        let (b, t) = (i as f64 * step, (i as f64 + 2.5) * step);
        ring.push([LON + 0.01 * b.cos(), LAT + 0.006 * b.sin()]);
        ring.push([LON + 0.04 * t.cos(), LAT + 0.024 * t.sin()]);
    }
    collection(d.path(), "star.geojson", &[polygon("star", &ring)]);
    let e = refused(
        d.path(),
        &f,
        &["--areas", "star.geojson", "--buffer", "200"],
        30,
    );
    // 40,001 vertices: 40,001² / 2 segment pairs to validate
    assert!(
        e.contains("checking the polygons needs an estimated 800,040,000 segment pairs")
            && e.contains("area `star` (feature 1), 40,001 vertices")
            && e.contains("limit of 100,000,000")
            && e.contains("generalise the polygons of --areas"),
        "{e}"
    );
}

#[test]
fn five_thousand_areas_are_refused_with_the_estimate() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    let mut rng = harmspot::Rng::new(14);
    let hubs: Vec<String> = (0..5000)
        .map(|i| {
            format!(
                r#"{{"type":"Feature","properties":{{"name":"h{i}"}},"geometry":{{"type":"Point","coordinates":[{:.6},{:.6}]}}}}"#,
                LON - 0.15 + 0.3 * rng.uniform(),
                LAT - 0.07 + 0.15 * rng.uniform()
            )
        })
        .collect();
    collection(d.path(), "hubs.geojson", &hubs);
    let e = refused(
        d.path(),
        &f,
        &[
            "--areas",
            "hubs.geojson",
            "--radius",
            "200",
            "--buffer",
            "200",
        ],
        30,
    );
    // 5,000 circles of 73 vertices: 5,000 × 365,000 × 6 visits
    assert!(
        e.contains("measuring the overlaps between areas needs an estimated 10,950,000,000 vertex visits (5,000 areas of 365,000 vertices in all)")
            && e.contains("split --areas into files of fewer areas"),
        "{e}"
    );
    // 5,000 small polygons with buffers
    let polys: Vec<String> = (0..5000)
        .map(|i| {
            let (x, y) = (
                LON - 0.15 + 0.3 * rng.uniform(),
                LAT - 0.07 + 0.15 * rng.uniform(),
            );
            let ring: Vec<[f64; 2]> = (0..20)
                .map(|j| {
                    let t = std::f64::consts::TAU * j as f64 / 20.0;
                    [x + 0.002 * t.cos(), y + 0.0012 * t.sin()]
                })
                .collect();
            polygon(&format!("p{i}"), &ring)
        })
        .collect();
    collection(d.path(), "polys.geojson", &polys);
    let e = refused(
        d.path(),
        &f,
        &["--areas", "polys.geojson", "--buffer", "100"],
        30,
    );
    // 5,000 rings of 21 vertices: 5,000 × 105,000 × 6 visits
    assert!(
        e.contains("an estimated 3,150,000,000 vertex visits (5,000 areas of 105,000 vertices in all), over the limit of 2,000,000,000"),
        "{e}"
    );
}

fn northumbria() -> PathBuf {
    Path::new(DATA).join("police-uk/northumbria-2021")
}

#[test]
fn the_library_hubs_run_well_under_the_limits() {
    let d = tempfile::tempdir().unwrap();
    let hubs = Path::new(DATA).join("hubs/newcastle-libraries.geojson");
    let t = Instant::now();
    ok(
        d.path(),
        &[
            "compare",
            northumbria().to_str().unwrap(),
            "--areas",
            hubs.to_str().unwrap(),
            "--radius",
            "300",
            "--buffer",
            "300",
            "--start",
            "2021-06",
            "--out",
            "libraries",
            "-q",
        ],
    );
    assert!(d.path().join("libraries/report.md").is_file());
    eprintln!("13 library hubs over Northumbria 2021: {:?}", t.elapsed());
}

#[test]
fn lsoa_polygons_as_areas_are_well_under_the_limits() {
    let projector = Projector::new("EPSG:27700").unwrap();
    let lsoa = Path::new(DATA).join("boundaries/northumbria-lsoa2011.geojson");
    let features = read_areas(&lsoa, &projector).unwrap();
    assert_eq!(features.len(), 916);
    let params = AreasParams::default().name_field("LSOA11CD").buffer(100.0);
    let w = work::estimate_areas(&features, &params);
    eprintln!("916 LSOAs with 100 m buffers: {w:?}");
    assert!(w.segment_pairs * 5 < MAX_SEGMENT_PAIRS, "{w:?}");
    assert!(w.overlap_visits * 5 < MAX_OVERLAP_VISITS, "{w:?}");
    assert!(
        w.ring_operations.unwrap() * 5 < MAX_RING_OPERATIONS,
        "{w:?}"
    );
    // counting, without buffers (the build is what the limit above bounds)
    let params = AreasParams::default().name_field("LSOA11CD");
    let set = build_areas(&features, &lsoa, &params).unwrap();
    let (inc, _) = read_incidents(&[northumbria()], &ReadOptions::default(), &projector).unwrap();
    let (tests, largest) = work::estimate_counting(&inc, &set);
    eprintln!(
        "916 LSOAs over {} incidents: {tests} vertex tests ({largest})",
        inc.len()
    );
    assert!(tests > 0 && tests * 5 < work::MAX_VERTEX_TESTS, "{tests}");
}
