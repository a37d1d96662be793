//! Hostile inputs: each ends in a clear error (exit 2, message naming the file and problem)
//! or in counted skips — never a panic (exit 101) or a silently wrong count.

use crate::common::*;
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
    assert_eq!(s["outside_bng"]["count"], 2);
    assert_eq!(s["missing_coordinates"]["count"], 1);
    assert_eq!(
        s["outside_bng"]["examples"][0].as_str().unwrap(),
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
    assert_eq!(s["duplicate_row"]["count"], 1);
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

/// Issue 12: a row is dropped only when it repeats an earlier row with the same non-empty
/// Crime ID in every field; other repeats of an id are kept and counted; `--unique-ids`
/// keeps the first row of each id; identical rows without an id (ASB) are all kept.
#[test]
fn repeated_crime_ids_are_kept_and_counted_identical_rows_dropped() {
    let d = tempfile::tempdir().unwrap();
    let asb = row("", "2021-03", LON, LAT, "Anti-social behaviour");
    write(
        d.path(),
        "ids.csv",
        &[
            HEADER.into(),
            good("x1"),
            good("x1"),                                       // identical: dropped
            row("x1", "2021-03", "-1.6200", LAT, "Burglary"), // same id elsewhere: kept
            asb.clone(),
            asb, // no id: both kept
        ],
    );
    let v: Value = serde_json::from_str(&ok(d.path(), &["info", "--json", "ids.csv"])).unwrap();
    assert_eq!(v["read"]["kept"], 4);
    assert_eq!(v["read"]["skipped"]["duplicate_row"]["count"], 1);
    assert_eq!(v["read"]["repeated_ids_kept"], 1);
    let v: Value = serde_json::from_str(&ok(
        d.path(),
        &["info", "--json", "--unique-ids", "ids.csv"],
    ))
    .unwrap();
    assert_eq!(v["read"]["kept"], 3);
    assert_eq!(v["read"]["skipped"]["duplicate_id"]["count"], 2);
}

/// Issue 14: one stray quote costs one counted, located row, not the rest of the file.
#[test]
fn a_stray_quote_skips_one_row_not_the_file() {
    let d = tempfile::tempdir().unwrap();
    let mut lines = vec![HEADER.to_string(), good("a")];
    lines.push(row("b", "2021-03", LON, LAT, "Burglary").replacen(",Test", ",\"Test", 1));
    for i in 0..50 {
        lines.push(good(&format!("c{i}")));
    }
    write(d.path(), "q.csv", &lines);
    let (kept, s) = skips(d.path(), "q.csv");
    assert_eq!(kept, 51);
    assert_eq!(s["unbalanced_quote"]["count"], 1);
    assert_eq!(s["unbalanced_quote"]["examples"][0], "q.csv:line 3");
}

/// Issue 14: a file named twice (a folder and a file inside it) is read once.
#[test]
fn the_same_file_twice_is_read_once() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "2021-03-x-street.csv",
        &[HEADER.into(), good("a"), good("b")],
    );
    let v: Value = serde_json::from_str(&ok(
        d.path(),
        &[
            "info",
            "--json",
            ".",
            "2021-03-x-street.csv",
            "./2021-03-x-street.csv",
        ],
    ))
    .unwrap();
    assert_eq!(v["read"]["kept"], 2);
    assert_eq!(v["read"]["files"].as_array().unwrap().len(), 1);
}

/// Issue 14: longitude/latitude given as projected x/y is an error, not points in the sea
/// off Cornwall.
#[test]
fn degrees_given_as_metres_are_refused() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "xy.csv",
        &["x,y".into(), "-1.61,54.97".into(), "-1.62,54.98".into()],
    );
    let e = fails(
        d.path(),
        &[
            "info",
            "xy.csv",
            "--x-col",
            "x",
            "--y-col",
            "y",
            "--crs",
            "EPSG:27700",
        ],
    );
    assert!(
        e.contains("xy.csv") && e.contains("--lon-col/--lat-col"),
        "{e}"
    );
}

/// Issue 10: Belfast, Dublin and Cork are outside the British National Grid and skipped
/// with that reason; the Scottish border and the Isles of Scilly are kept.
#[test]
fn ireland_is_skipped_the_border_and_scilly_kept() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "uk.csv",
        &[
            HEADER.into(),
            row("belfast", "2021-03", "-5.9301", "54.5973", "Burglary"),
            row("dublin", "2021-03", "-6.2603", "53.3498", "Burglary"),
            row("cork", "2021-03", "-8.4756", "51.8985", "Burglary"),
            row("border", "2021-03", "-2.0340", "55.8110", "Burglary"),
            row("scilly", "2021-03", "-6.3150", "49.9140", "Burglary"),
        ],
    );
    let out = ok(d.path(), &["info", "uk.csv"]);
    assert!(
        out.contains("outside the British National Grid (OSTN15)"),
        "{out}"
    );
    let (kept, s) = skips(d.path(), "uk.csv");
    assert_eq!(kept, 2);
    assert_eq!(s["outside_bng"]["count"], 3);
}
