//! Issue 14, bounded work and no panics: parameters out of range, months, clusters, thread
//! counts, names that are not UTF-8 or not ASCII, side files without end, areas too
//! detailed — each a clear error naming the estimate and the flag, or a correct result.

use crate::common::*;
use std::path::Path;

const LON: &str = "-1.6100";
const LAT: &str = "54.9700";

fn small_extract(dir: &Path) -> String {
    let mut lines = vec![HEADER.to_string()];
    for i in 0..30 {
        lines.push(row(
            &format!("i{i}"),
            "2021-03",
            &format!("-1.61{:02}", i % 9),
            &format!("54.97{:02}", i % 4),
            "Burglary",
        ));
    }
    write(dir, "s-street.csv", &lines);
    "s-street.csv".into()
}

#[test]
fn extreme_cell_sizes_and_distances_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    for cs in ["1e-320", "4.9e-324", "1e9", "NaN", "inf"] {
        let e = fails(
            d.path(),
            &["count", &f, "--cell-size", cs, "--out", "c.csv"],
        );
        assert!(e.contains("--cell-size"), "{cs}: {e}");
    }
    for nd in ["1e308", "1e7"] {
        let e = fails(
            d.path(),
            &[
                "gistar",
                &f,
                "--cell-size",
                "100",
                "--neighbour-distance",
                nd,
                "--out",
                "g.csv",
            ],
        );
        assert!(e.contains("--neighbour-distance"), "{nd}: {e}");
    }
    // within the flag's range but too many cells per neighbourhood: the estimate is named
    let e = fails(
        d.path(),
        &[
            "gistar",
            &f,
            "--cell-size",
            "0.5",
            "--neighbour-distance",
            "900000",
            "--out",
            "g.csv",
        ],
    );
    assert!(e.contains("neighbourhood") || e.contains("memory"), "{e}");
    let e = fails(
        d.path(),
        &["kde", &f, "--bandwidth", "1e308", "--out", "k.csv"],
    );
    assert!(e.contains("--bandwidth"), "{e}");
}

#[test]
fn thousands_of_years_of_months_are_refused_quickly() {
    let d = tempfile::tempdir().unwrap();
    let mut lines = vec![HEADER.to_string()];
    lines.push(row("a", "0001-01", LON, LAT, "Burglary"));
    lines.push(row("b", "9999-12", LON, LAT, "Burglary"));
    for i in 0..50 {
        lines.push(row(&format!("c{i}"), "2021-03", LON, LAT, "Burglary"));
    }
    write(d.path(), "m-street.csv", &lines);
    let t = std::time::Instant::now();
    let e = fails(
        d.path(),
        &["count", "m-street.csv", "--by", "month", "--out", "c.csv"],
    );
    assert!(e.contains("119988") || e.contains("memory"), "{e}");
    let e = fails(
        d.path(),
        &["emerging", "m-street.csv", "--out", "e.geojson"],
    );
    assert!(e.contains("month") || e.contains("memory"), "{e}");
    assert!(t.elapsed().as_secs() < 30);
}

#[test]
fn generate_clusters_are_bounded() {
    let d = tempfile::tempdir().unwrap();
    let e = fails(
        d.path(),
        &[
            "generate",
            "--clusters",
            "1000000000",
            "--rows",
            "10",
            "--out",
            "g.csv",
        ],
    );
    assert!(e.contains("clusters") && e.contains("10000"), "{e}");
}

#[test]
fn huge_thread_counts_fall_back() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(["count", &f, "--cell-size", "200", "--out", "c.csv", "-q"])
        .env("RAYON_NUM_THREADS", "3000")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[cfg(unix)]
#[test]
fn non_utf8_and_non_ascii_names_work() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    let odd = std::ffi::OsStr::from_bytes(b"bad\xff-street.csv");
    std::fs::copy(d.path().join(&f), d.path().join(odd)).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .arg("count")
        .arg(odd)
        .args(["--cell-size", "200", "--out", "c.csv", "-q"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // monitor records the odd name in its outputs instead of panicking (found by the
    // hostile sweep)
    let hubs = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hubs-example.geojson");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .arg("monitor")
        .arg(odd)
        .arg("--areas")
        .arg(&hubs)
        .args(["--radius", "300", "--out", "mon", "-q"])
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_ne!(
        o.status.code(),
        Some(101),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // an en dash in an input, é in the output, Ö in --types: the GeoTIFF is valid
    std::fs::copy(d.path().join(&f), d.path().join("north–east-street.csv")).unwrap();
    ok(
        d.path(),
        &[
            "kde",
            "north–east-street.csv",
            "--types",
            "Burglary,Öther",
            "--cell-size",
            "200",
            "--bandwidth",
            "400",
            "--out",
            "é.tif",
            "-q",
        ],
    );
    let mut dec =
        tiff::decoder::Decoder::new(std::fs::File::open(d.path().join("é.tif")).unwrap()).unwrap();
    assert!(dec.read_image().is_ok());
    ok(
        d.path(),
        &[
            "hotspots",
            "north–east-street.csv",
            "--types",
            "Burglary,Öther",
            "--cell-size",
            "200",
            "--bandwidth",
            "400",
            "--out",
            "Résultats",
            "-q",
        ],
    );
    assert!(d.path().join("Résultats/density.tif").is_file());
}

#[cfg(unix)]
#[test]
fn side_files_are_read_with_size_caps() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    let e = fails(
        d.path(),
        &["count", &f, "--harm", "/dev/zero", "--out", "c.csv"],
    );
    assert!(e.contains("too large for a harm table"), "{e}");
    let big = std::fs::File::create(d.path().join("big.csv")).unwrap();
    big.set_len(1 << 30).unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--harm", "big.csv", "--out", "c.csv"],
    );
    assert!(e.contains("too large for a harm table"), "{e}");
    let t = std::time::Instant::now();
    let e = fails(
        d.path(),
        &[
            "compare",
            &f,
            "--areas",
            "/dev/zero",
            "--radius",
            "100",
            "--start",
            "2021-03",
            "--out",
            "C",
        ],
    );
    assert!(e.contains("/dev/zero"), "{e}");
    assert!(t.elapsed().as_secs() < 60);
}

#[test]
fn areas_with_too_many_vertices_are_refused_with_the_count() {
    let d = tempfile::tempdir().unwrap();
    let f = small_extract(d.path());
    // a 300,000-spike star around the test location
    let n = 300_000;
    let mut ring: Vec<String> = (0..n)
        .map(|k| {
            let a = k as f64 / n as f64 * std::f64::consts::TAU;
            let r = if k % 2 == 0 { 0.01 } else { 0.002 };
            format!("[{:.7},{:.7}]", -1.61 + r * a.cos(), 54.97 + r * a.sin())
        })
        .collect();
    ring.push(ring[0].clone());
    let gj = format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"name":"star"}},"geometry":{{"type":"Polygon","coordinates":[[{}]]}}}}]}}"#,
        ring.join(",")
    );
    std::fs::write(d.path().join("star.geojson"), gj).unwrap();
    let t = std::time::Instant::now();
    let e = fails(
        d.path(),
        &[
            "compare",
            &f,
            "--areas",
            "star.geojson",
            "--start",
            "2021-03",
            "--out",
            "C",
        ],
    );
    assert!(e.contains("vertices") && e.contains("300001"), "{e}");
    assert!(t.elapsed().as_secs() < 60);
}
