//! Hostile inputs: each ends in a clear error (exit 2, message naming the file and problem)
//! or in counted skips — never a panic (exit 101) or a silently wrong count.

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;

const LON: &str = "-1.6100";
const LAT: &str = "54.9700";

fn good(id: &str) -> String {
    row(id, "2021-03", LON, LAT, "Burglary")
}

/// Runs `info --json FILE` and returns (kept, skipped-by-reason JSON).
fn skips(dir: &Path, file: &str) -> (u64, Value) {
    let v: Value = serde_json::from_str(&ok(dir, &["info", "--json", file])).unwrap();
    (
        v["read"]["kept"].as_u64().unwrap(),
        v["read"]["skipped"].clone(),
    )
}

fn raw(dir: &Path, name: &str, bytes: &[u8]) -> String {
    std::fs::write(dir.join(name), bytes).unwrap();
    name.to_string()
}

#[test]
fn truncated_file_counts_the_cut_row() {
    let d = tempfile::tempdir().unwrap();
    let text = format!("{HEADER}\n{}\n{}\n", good("a"), good("b"));
    let cut = &text[..text.len() - 30];
    let f = raw(d.path(), "t.csv", cut.as_bytes());
    let (kept, s) = skips(d.path(), &f);
    assert_eq!(kept, 1);
    assert_eq!(s["malformed_row"]["count"], 1);
    assert!(s["malformed_row"]["examples"][0]
        .as_str()
        .unwrap()
        .ends_with("t.csv:line 3"));
}

#[test]
fn wrong_delimiter_is_named() {
    let d = tempfile::tempdir().unwrap();
    let f = raw(
        d.path(),
        "s.csv",
        format!(
            "{}\n{}\n",
            HEADER.replace(',', ";"),
            good("a").replace(',', ";")
        )
        .as_bytes(),
    );
    let e = fails(d.path(), &["info", &f]);
    assert!(e.contains("s.csv") && e.contains("';'-delimited"), "{e}");
    // and with --delimiter it reads
    let v: Value =
        serde_json::from_str(&ok(d.path(), &["info", "--json", "--delimiter", ";", &f])).unwrap();
    assert_eq!(v["read"]["kept"], 1);
}

#[test]
fn header_only_reads_zero_rows() {
    let d = tempfile::tempdir().unwrap();
    let f = raw(d.path(), "h.csv", format!("{HEADER}\n").as_bytes());
    let (kept, _) = skips(d.path(), &f);
    assert_eq!(kept, 0);
}

#[test]
fn huge_field_is_skipped() {
    let d = tempfile::tempdir().unwrap();
    let big = "x".repeat(2 << 20);
    let huge = format!(",2021-03,P,P,{LON},{LAT},{big},E1,N,Burglary,,");
    let f = raw(
        d.path(),
        "big.csv",
        format!("{HEADER}\n{huge}\n{}\n", good("a")).as_bytes(),
    );
    let (kept, s) = skips(d.path(), &f);
    assert_eq!((kept, s["oversized_row"]["count"].as_u64()), (1, Some(1)));
}

#[test]
fn bad_coordinates_are_counted_by_reason() {
    let d = tempfile::tempdir().unwrap();
    let lines = vec![
        HEADER.to_string(),
        row("a", "2021-03", "NaN", LAT, "Burglary"),
        row("b", "2021-03", "inf", LAT, "Burglary"),
        row("c", "2021-03", "-1.61x", LAT, "Burglary"),
        row("d", "2021-03", "0", "0", "Burglary"),
        row("e", "2021-03", LON, "95.0", "Burglary"),
        row("f", "2021-03", "-200", LAT, "Burglary"),
        row("g", "2021-03", LAT, LON, "Burglary"), // latitude and longitude swapped
        row("h", "2021-03", "", LAT, "Burglary"),
        row("i", "2021-03", "151.2", "-33.9", "Burglary"), // Sydney: valid but not BNG
        good("ok"),
    ];
    write(d.path(), "c.csv", &lines);
    let (kept, s) = skips(d.path(), "c.csv");
    assert_eq!(kept, 1);
    assert_eq!(s["unparsable_coordinates"]["count"], 3);
    assert_eq!(s["null_island"]["count"], 1);
    assert_eq!(s["out_of_range"]["count"], 2);
    assert_eq!(s["outside_crs_area"]["count"], 2);
    assert_eq!(s["missing_coordinates"]["count"], 1);
    assert_eq!(
        s["outside_crs_area"]["examples"][0].as_str().unwrap(),
        "c.csv:line 8"
    );
}

#[test]
fn non_utf8_in_free_text_is_harmless() {
    let d = tempfile::tempdir().unwrap();
    let mut bytes = format!("{HEADER}\n").into_bytes();
    bytes.extend_from_slice(format!(",2021-03,P,P,{LON},{LAT},On or near Caf").as_bytes());
    bytes.extend_from_slice(b"\xe9 \xff\xfe Street,E1,N,Anti-social behaviour,,\n");
    let f = raw(d.path(), "latin1.csv", &bytes);
    assert_eq!(skips(d.path(), &f).0, 1);
}

#[test]
fn byte_order_mark_and_crlf() {
    let d = tempfile::tempdir().unwrap();
    let f = raw(
        d.path(),
        "bom.csv",
        format!("\u{feff}{HEADER}\r\n{}\r\n{}\r\n", good("a"), good("b")).as_bytes(),
    );
    assert_eq!(skips(d.path(), &f).0, 2);
}

#[test]
fn duplicate_header_column_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let f = raw(
        d.path(),
        "dup.csv",
        format!("{HEADER},Longitude\n{},-1.0\n", good("a")).as_bytes(),
    );
    let e = fails(d.path(), &["info", &f]);
    assert!(
        e.contains("dup.csv") && e.contains("`Longitude` appears twice"),
        "{e}"
    );
}

#[test]
fn repeated_header_inside_the_file() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "cat.csv",
        &[HEADER.into(), good("a"), HEADER.into(), good("b")],
    );
    let (kept, s) = skips(d.path(), "cat.csv");
    assert_eq!((kept, s["repeated_header"]["count"].as_u64()), (2, Some(1)));
}

#[test]
fn quoted_newline_keeps_line_numbers_right() {
    let d = tempfile::tempdir().unwrap();
    let multi = format!("a1,2021-03,P,P,{LON},{LAT},\"On or near\nTwo Lines\",E1,N,Burglary,,");
    write(
        d.path(),
        "q.csv",
        &[
            HEADER.into(),
            multi,
            row("b", "2021-03", "", "", "Burglary"),
        ],
    );
    let (kept, s) = skips(d.path(), "q.csv");
    assert_eq!(kept, 1);
    assert_eq!(s["missing_coordinates"]["examples"][0], "q.csv:line 4");
}

#[test]
fn bad_month_missing_type_unknown_type_duplicate_id_short_row() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "r.csv",
        &[
            HEADER.into(),
            row("a", "2021-13", LON, LAT, "Burglary"),
            row("b", "", LON, LAT, "Burglary"),
            row("c", "2021-03", LON, LAT, ""),
            row("d", "2021-03", LON, LAT, "Space piracy"),
            good("e"),
            good("e"),
            format!("f,2021-03,P,P,{LON},{LAT}"),
        ],
    );
    let v: Value = serde_json::from_str(&ok(d.path(), &["info", "--json", "r.csv"])).unwrap();
    let s = &v["read"]["skipped"];
    assert_eq!(v["read"]["kept"], 1);
    assert_eq!(s["bad_month"]["count"], 2);
    assert_eq!(s["missing_type"]["count"], 1);
    assert_eq!(s["unknown_type"]["count"], 1);
    assert_eq!(s["duplicate_id"]["count"], 1);
    assert_eq!(s["malformed_row"]["count"], 1);
    assert!(v["read"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("harm table"));
}

#[test]
fn missing_required_column_lists_what_is_there() {
    let d = tempfile::tempdir().unwrap();
    let f = raw(
        d.path(),
        "m.csv",
        b"Crime ID,Month,Longitude,Crime type\na,2021-03,-1.6,Burglary\n",
    );
    let e = fails(d.path(), &["info", &f]);
    assert!(
        e.contains("m.csv") && e.contains("no column `Latitude`"),
        "{e}"
    );
    let e = fails(
        d.path(),
        &["info", &f, "--lon-col", "Longitude", "--lat-col", "lat"],
    );
    assert!(e.contains("no column `lat` (--lat-col)"), "{e}");
}

#[test]
fn empty_zip_json_and_binary_files_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let cases: [(&str, &[u8], &str); 4] = [
        ("empty.csv", b"", "empty file"),
        ("download.csv", b"PK\x03\x04rest-of-zip", "zip archive"),
        (
            "points.csv",
            b"{\"type\":\"FeatureCollection\"}",
            "looks like JSON",
        ),
        ("bin.csv", b"\x00\x01\x02\x00garbage", "NUL bytes"),
    ];
    for (name, bytes, msg) in cases {
        let f = raw(d.path(), name, bytes);
        let e = fails(d.path(), &["info", &f]);
        assert!(e.contains(name) && e.contains(msg), "{name}: {e}");
    }
}

#[test]
fn missing_file_names_the_path() {
    let d = tempfile::tempdir().unwrap();
    let e = fails(d.path(), &["info", "nowhere.csv"]);
    assert!(e.contains("nowhere.csv"), "{e}");
    std::fs::create_dir(d.path().join("emptydir")).unwrap();
    let e = fails(d.path(), &["info", "emptydir"]);
    assert!(e.contains("-street.csv"), "{e}");
}

fn point(lon: f64, lat: f64, props: &str) -> String {
    format!("{{\"type\":\"Feature\",\"geometry\":{{\"type\":\"Point\",\"coordinates\":[{lon},{lat}]}},\"properties\":{{{props}}}}}")
}

#[test]
fn geojson_points_are_read_and_other_geometries_skipped() {
    let d = tempfile::tempdir().unwrap();
    let poly = "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[-1.6,54.9],[-1.5,54.9],[-1.5,55.0],[-1.6,54.9]]]},\"properties\":{}}";
    let fc = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{},{},{}]}}",
        point(
            -1.61,
            54.97,
            "\"Month\":\"2021-03\",\"Crime type\":\"Robbery\""
        ),
        poly,
        point(
            -1.62,
            54.98,
            "\"Month\":\"2021-04\",\"Crime type\":\"Anti-social behaviour\""
        )
    );
    let f = raw(d.path(), "pts.geojson", fc.as_bytes());
    let v: Value = serde_json::from_str(&ok(d.path(), &["info", "--json", &f])).unwrap();
    assert_eq!(v["read"]["kept"], 2);
    assert_eq!(
        v["read"]["skipped"]["not_a_point"]["examples"][0],
        "pts.geojson:feature 2"
    );
    assert_eq!(v["counts"]["Robbery"]["2021-03"], 1);
}

#[test]
fn geojson_without_points_truncated_or_nested_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let poly = "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[-1.6,54.9],[-1.5,54.9]]},\"properties\":{}}]}";
    let f = raw(d.path(), "lines.geojson", poly.as_bytes());
    let e = fails(d.path(), &["info", &f]);
    assert!(
        e.contains("lines.geojson") && e.contains("no Point features") && e.contains("LineString"),
        "{e}"
    );
    let full = format!(
        "{{\"type\":\"FeatureCollection\",\"features\":[{}]}}",
        point(-1.61, 54.97, "")
    );
    let f = raw(d.path(), "cut.geojson", &full.as_bytes()[..full.len() - 20]);
    let e = fails(d.path(), &["info", &f]);
    assert!(e.contains("cut.geojson"), "{e}");
    let nested = format!("{{\"type\":\"FeatureCollection\",\"features\":[{{\"type\":\"Feature\",\"properties\":{{\"x\":{}1{}}},\"geometry\":null}}]}}", "[".repeat(100_000), "]".repeat(100_000));
    let f = raw(d.path(), "deep.geojson", nested.as_bytes());
    let e = fails(d.path(), &["info", &f]);
    assert!(e.contains("deep.geojson"), "{e}");
    let f = raw(d.path(), "notjson.geojson", b"Crime ID,Month\n");
    let e = fails(d.path(), &["info", &f]);
    assert!(
        e.contains("notjson.geojson") && e.contains("not a GeoJSON"),
        "{e}"
    );
}

#[test]
fn bad_flags_are_clear() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.csv", &[HEADER.into(), good("a")]);
    let e = fails(d.path(), &["info", "a.csv", "--working-crs", "EPSG:4326"]);
    assert!(e.contains("not a projected CRS in metres"), "{e}");
    let e = fails(d.path(), &["info", "a.csv", "--from", "March"]);
    assert!(e.contains("--from") && e.contains("March"), "{e}");
    let e = fails(d.path(), &["info", "a.csv", "--harm", "missing.csv"]);
    assert!(e.contains("missing.csv"), "{e}");
    let e = fails(
        d.path(),
        &["info", "a.csv", "--from", "2022-01", "--to", "2021-01"],
    );
    assert!(e.contains("--from is after --to"), "{e}");
}

// ---- issue 14: bounded work, no panics from parameters or environment ----

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
