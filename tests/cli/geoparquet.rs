//! `harmspot convert` to GeoParquet and every verb reading `.parquet` (issue 21 item 3): the
//! same usable rows and `info` as the CSV, valid `geo` metadata, a row group per month,
//! byte-identical harm spots, foreign GeoParquet and plain Parquet with skips by reason,
//! and output safety.

use crate::common::*;
use parquet::file::reader::{FileReader, SerializedFileReader};
use serde_json::Value;
use std::path::Path;

/// `info` text from the line `rows read` on, without the lines about skipped rows (a
/// GeoParquet holds only the kept rows) and the rows-read line itself.
fn info_body(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_skips = false;
    for l in text
        .lines()
        .skip_while(|l| !l.starts_with("rows read"))
        .skip(1)
    {
        if l.starts_with("skipped") {
            in_skips = true;
            continue;
        }
        if in_skips && l.starts_with("  ") {
            continue;
        }
        in_skips = false;
        out.push(l);
    }
    out.join("\n")
}

/// The `geo` metadata and the row-group months of a Parquet file.
fn footer(p: &Path) -> (Value, Vec<i64>) {
    let r = SerializedFileReader::new(std::fs::File::open(p).unwrap()).unwrap();
    let md = r.metadata();
    let geo = md
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .iter()
        .find(|kv| kv.key == "geo")
        .and_then(|kv| kv.value.clone())
        .expect("a `geo` key");
    let rows = md.row_groups().iter().map(|g| g.num_rows()).collect();
    (
        serde_json::from_str(&geo).expect("geo metadata is JSON"),
        rows,
    )
}

fn check_geo(geo: &Value) {
    assert_eq!(geo["version"], "1.1.0");
    assert_eq!(geo["primary_column"], "geometry");
    let g = &geo["columns"]["geometry"];
    assert_eq!(g["encoding"], "WKB");
    assert_eq!(g["geometry_types"], serde_json::json!(["Point"]));
    assert_eq!(g["crs"]["id"]["authority"], "OGC");
    assert_eq!(g["crs"]["id"]["code"], "CRS84");
    let b: Vec<f64> = g["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    // Northumbria (and the few far-off points police.uk places in other counties)
    assert!(
        b[0] < b[2] && b[1] < b[3] && b[0] > -8.0 && b[2] < 2.0 && b[1] > 49.0 && b[3] < 61.0,
        "{b:?}"
    );
}

#[test]
fn convert_sample_reads_back_with_the_same_info_and_harm_spots() {
    let d = tempfile::tempdir().unwrap();
    let csv = sample().display().to_string();
    ok(d.path(), &["convert", &csv, "--out", "s.parquet", "-q"]);
    let (geo, groups) = footer(&d.path().join("s.parquet"));
    check_geo(&geo);
    assert_eq!(groups, vec![18151], "one month, one row group");
    let a = ok(d.path(), &["info", &csv]);
    let b = ok(d.path(), &["info", "s.parquet"]);
    assert!(
        b.contains("s.parquet (geoparquet): 18151 rows, 18151 kept"),
        "{b}"
    );
    assert_eq!(info_body(&a), info_body(&b));
    assert!(info_body(&a).contains("kept             18151"));
    for (src, out) in [(csv.as_str(), "a"), ("s.parquet", "b")] {
        ok(
            d.path(),
            &["hotspots", src, "--cell-size", "250", "--out", out, "-q"],
        );
    }
    // the features byte for byte (the `harmspot` member before them names the inputs)
    for f in ["harmspots.geojson", "hotspots.geojson", "cells.geojson"] {
        let (x, y) = (d.path().join("a").join(f), d.path().join("b").join(f));
        let (x, y) = (std::fs::read(&x).unwrap(), std::fs::read(&y).unwrap());
        let at = |v: &[u8]| v.windows(10).position(|w| w == b"\"features\"").unwrap();
        assert!(x[at(&x)..] == y[at(&y)..], "{f}: features differ");
    }
    let md = |o: &str| std::fs::read(d.path().join(o).join("summary.md")).unwrap();
    assert_eq!(md("a"), md("b"));
}

#[test]
fn convert_real_months_keeps_every_usable_row_a_group_per_month() {
    if skip_without_data("convert_real_months_keeps_every_usable_row_a_group_per_month") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    // 2021-08 .. 2021-12 hold rows without coordinates: skipped and reported, not written
    let months: Vec<String> = (8..=12)
        .map(|m| {
            format!(
                "{DATA}/police-uk/northumbria-2021/2021-{m:02}/2021-{m:02}-northumbria-street.csv"
            )
        })
        .collect();
    let mut args: Vec<&str> = vec!["convert"];
    args.extend(months.iter().map(String::as_str));
    args.extend(["--out", "m.parquet"]);
    let o = run(d.path(), &args);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("skipped       297  empty coordinates"),
        "{err}"
    );
    let (geo, groups) = footer(&d.path().join("m.parquet"));
    check_geo(&geo);
    assert_eq!(groups.len(), 5);
    let mut info: Vec<&str> = vec!["info"];
    info.extend(months.iter().map(String::as_str));
    let a = ok(d.path(), &info);
    let b = ok(d.path(), &["info", "m.parquet"]);
    assert_eq!(info_body(&a), info_body(&b));
    let kept = |s: &str| {
        s.lines()
            .find(|l| l.starts_with("kept"))
            .unwrap()
            .to_string()
    };
    assert_eq!(kept(&a), kept(&b));
    assert_eq!(
        groups.iter().sum::<i64>().to_string(),
        kept(&b).split_whitespace().last().unwrap()
    );
}

#[test]
fn convert_applies_filters_and_refuses_unsafe_outputs() {
    let d = tempfile::tempdir().unwrap();
    let csv = sample().display().to_string();
    ok(
        d.path(),
        &[
            "convert",
            &csv,
            "--types",
            "Burglary",
            "--out",
            "b.parquet",
            "-q",
        ],
    );
    let j: Value = serde_json::from_str(&ok(d.path(), &["info", "b.parquet", "--json"])).unwrap();
    let all: Value = serde_json::from_str(&ok(d.path(), &["info", &csv, "--json"])).unwrap();
    assert_eq!(
        j["type_totals"],
        serde_json::json!({"Burglary": all["type_totals"]["Burglary"]})
    );
    // not .parquet, an input as output, nothing left to write: refused, nothing written
    assert!(fails(d.path(), &["convert", &csv, "--out", "x.csv"]).contains(".parquet"));
    let copy = d.path().join("in.parquet");
    std::fs::copy(d.path().join("b.parquet"), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    fails(d.path(), &["convert", "in.parquet", "--out", "in.parquet"]);
    assert_eq!(std::fs::read(&copy).unwrap(), before);
    let e = fails(
        d.path(),
        &[
            "convert",
            &csv,
            "--types",
            "Robbery",
            "--from",
            "2030-01",
            "--out",
            "e.parquet",
        ],
    );
    assert!(e.contains("no incidents left to convert"), "{e}");
    assert!(!d.path().join("e.parquet").exists());
    assert!(temporaries(d.path()).is_empty());
}

#[test]
fn projected_xy_input_converts_to_lon_lat() {
    let d = tempfile::tempdir().unwrap();
    let lines = vec![
        "id,month,type,x,y".to_string(),
        "a,2021-01,Burglary,424000,564000".into(),
        "b,2021-02,Burglary,425000,565000".into(),
        "c,2021-02,Robbery,,".into(),
    ];
    let f = write(d.path(), "xy.csv", &lines);
    let f = f.display().to_string();
    let cols = [
        "--x-col",
        "x",
        "--y-col",
        "y",
        "--crs",
        "EPSG:27700",
        "--month-col",
        "month",
        "--type-col",
        "type",
        "--id-col",
        "id",
    ];
    let mut args = vec!["convert", f.as_str()];
    args.extend(cols);
    args.extend(["--out", "xy.parquet", "-q"]);
    ok(d.path(), &args);
    let (_, groups) = footer(&d.path().join("xy.parquet"));
    assert_eq!(groups, vec![1, 1]);
    let mut info = vec!["info", f.as_str(), "--json"];
    info.extend(cols);
    let a: Value = serde_json::from_str(&ok(d.path(), &info)).unwrap();
    let b: Value = serde_json::from_str(&ok(d.path(), &["info", "xy.parquet", "--json"])).unwrap();
    assert_eq!(b["read"]["kept"], 2);
    for k in 0..4 {
        let (x, y) = (
            a["extent_working"][k].as_f64().unwrap(),
            b["extent_working"][k].as_f64().unwrap(),
        );
        assert!(
            (x - y).abs() < 1e-3,
            "{x} vs {y}: the BNG point back within a millimetre"
        );
    }
}

/// A WKB geometry: `t` 1 Point, 3 Polygon (an empty ring list), little- or big-endian.
fn wkb(little: bool, t: u32, x: f64, y: f64) -> Vec<u8> {
    let mut v = vec![u8::from(little)];
    let put = |v: &mut Vec<u8>, le: &[u8]| {
        if little {
            v.extend_from_slice(le)
        } else {
            v.extend(le.iter().rev())
        }
    };
    put(&mut v, &t.to_le_bytes());
    if t == 1 {
        put(&mut v, &x.to_le_bytes());
        put(&mut v, &y.to_le_bytes());
    } else {
        put(&mut v, &0u32.to_le_bytes());
    }
    v
}

/// A GeoParquet written by another tool: police.uk column names, an optional `Month` and
/// `Crime type`, `geo` metadata without `crs` (OGC:CRS84 by default).
/// A foreign row: WKB geometry, month, crime type (each may be null).
type ForeignRow<'a> = (Option<Vec<u8>>, Option<&'a str>, Option<&'a str>);

fn foreign(path: &Path, rows: &[ForeignRow<'_>]) {
    use parquet::data_type::{ByteArray, ByteArrayType};
    use std::sync::Arc;
    let schema = parquet::schema::parser::parse_message_type(
        "message m { OPTIONAL BYTE_ARRAY Month (STRING); OPTIONAL BYTE_ARRAY crime_type (STRING); OPTIONAL BYTE_ARRAY geom; }",
    )
    .unwrap();
    let file = std::fs::File::create(path).unwrap();
    let props = Arc::new(parquet::file::properties::WriterProperties::builder().build());
    let mut w =
        parquet::file::writer::SerializedFileWriter::new(file, Arc::new(schema), props).unwrap();
    let mut rg = w.next_row_group().unwrap();
    let cols: [Vec<Option<Vec<u8>>>; 3] = [
        rows.iter()
            .map(|r| r.1.map(|s| s.as_bytes().to_vec()))
            .collect(),
        rows.iter()
            .map(|r| r.2.map(|s| s.as_bytes().to_vec()))
            .collect(),
        rows.iter().map(|r| r.0.clone()).collect(),
    ];
    for c in cols {
        let defs: Vec<i16> = c.iter().map(|v| i16::from(v.is_some())).collect();
        let vals: Vec<ByteArray> = c.into_iter().flatten().map(ByteArray::from).collect();
        let mut col = rg.next_column().unwrap().unwrap();
        col.typed::<ByteArrayType>()
            .write_batch(&vals, Some(&defs), None)
            .unwrap();
        col.close().unwrap();
    }
    rg.close().unwrap();
    let geo = r#"{"version":"1.0.0","primary_column":"geom","columns":{"geom":{"encoding":"WKB","geometry_types":["Point","Polygon"]}}}"#;
    w.append_key_value_metadata(parquet::file::metadata::KeyValue::new(
        "geo".into(),
        geo.to_string(),
    ));
    w.close().unwrap();
}

#[test]
fn foreign_geoparquet_rows_are_skipped_by_reason() {
    let d = tempfile::tempdir().unwrap();
    let (m, t) = (Some("2021-03"), Some("Burglary"));
    let rows = vec![
        (Some(wkb(true, 1, -1.61, 54.97)), m, t),
        (Some(wkb(false, 1, -1.62, 54.98)), Some("2021-04-17"), t),
        (None, m, t),
        (Some(wkb(true, 3, 0.0, 0.0)), m, t),
        (Some(wkb(true, 1, -1.61, 54.97)), Some("March"), t),
        (Some(wkb(true, 1, -1.61, 54.97)), m, None),
        (Some(wkb(true, 1, 200.0, 54.97)), m, t),
        (Some(vec![1, 1, 0]), m, t),
    ];
    foreign(&d.path().join("f.parquet"), &rows);
    let j: Value = serde_json::from_str(&ok(d.path(), &["info", "f.parquet", "--json"])).unwrap();
    assert_eq!(
        (j["read"]["rows"].as_u64(), j["read"]["kept"].as_u64()),
        (Some(8), Some(2))
    );
    let skipped = &j["read"]["skipped"];
    for (reason, row) in [
        ("missing_coordinates", 3),
        ("not_a_point", 4),
        ("bad_month", 5),
        ("missing_type", 6),
        ("out_of_range", 7),
        ("unparsable_coordinates", 8),
    ] {
        assert_eq!(skipped[reason]["count"], 1, "{reason}: {skipped}");
        let ex = skipped[reason]["examples"][0].as_str().unwrap();
        assert!(
            ex.ends_with(&format!("f.parquet:row {row}")),
            "{reason}: {ex}"
        );
    }
    // a file of polygons only is refused, naming the file
    foreign(
        &d.path().join("p.parquet"),
        &[(Some(wkb(true, 3, 0.0, 0.0)), m, t)],
    );
    assert!(fails(d.path(), &["info", "p.parquet"]).contains("no Point geometries"));
}

/// A plain Parquet file (no `geo` metadata): `lon`/`lat` doubles, an INT64 id, a DATE month
/// and a text type written with DELTA_BYTE_ARRAY (not dictionary-encoded).
fn plain_parquet(path: &Path) {
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
    use std::sync::Arc;
    let schema = parquet::schema::parser::parse_message_type(
        "message m { REQUIRED DOUBLE lon; REQUIRED DOUBLE lat; REQUIRED INT64 crime_id; OPTIONAL INT32 month (DATE); REQUIRED BYTE_ARRAY crime_type (STRING); }",
    )
    .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_dictionary_enabled(false)
        .set_column_encoding(
            parquet::schema::types::ColumnPath::from("crime_type"),
            parquet::basic::Encoding::DELTA_BYTE_ARRAY,
        )
        .build();
    let file = std::fs::File::create(path).unwrap();
    let mut w =
        parquet::file::writer::SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))
            .unwrap();
    let mut rg = w.next_row_group().unwrap();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<DoubleType>()
        .write_batch(&[-1.61, -1.62, -1.63], None, None)
        .unwrap();
    col.close().unwrap();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<DoubleType>()
        .write_batch(&[54.97, 54.98, 54.99], None, None)
        .unwrap();
    col.close().unwrap();
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<Int64Type>()
        .write_batch(&[7, 7, 9], None, None)
        .unwrap();
    col.close().unwrap();
    // 2021-03-01, 2021-02-28, null
    let mut col = rg.next_column().unwrap().unwrap();
    col.typed::<Int32Type>()
        .write_batch(&[18_687, 18_686], Some(&[1, 1, 0]), None)
        .unwrap();
    col.close().unwrap();
    let mut col = rg.next_column().unwrap().unwrap();
    let types: Vec<ByteArray> = ["Burglary", "Robbery", "Burglary"]
        .map(ByteArray::from)
        .to_vec();
    col.typed::<ByteArrayType>()
        .write_batch(&types, None, None)
        .unwrap();
    col.close().unwrap();
    rg.close().unwrap();
    w.close().unwrap();
}

#[test]
fn plain_parquet_lon_lat_dates_and_delta_text() {
    let d = tempfile::tempdir().unwrap();
    plain_parquet(&d.path().join("p.parquet"));
    let j: Value = serde_json::from_str(&ok(d.path(), &["info", "p.parquet", "--json"])).unwrap();
    assert_eq!(j["read"]["files"][0]["format"], "parquet");
    assert_eq!(
        (j["read"]["rows"].as_u64(), j["read"]["kept"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        j["read"]["skipped"]["bad_month"]["count"], 1,
        "a null date in a date column"
    );
    assert_eq!(j["counts"]["Burglary"]["2021-03"], 1);
    assert_eq!(j["counts"]["Robbery"]["2021-02"], 1);
    // the id repeats with other fields: kept and counted, as for CSV
    assert_eq!(j["read"]["repeated_ids_kept"], 1);
}

#[test]
fn grid_layer_as_geoparquet_holds_the_geojson_cells() {
    use parquet::record::RowAccessor;
    let d = tempfile::tempdir().unwrap();
    let csv = sample().display().to_string();
    let args = [
        "count",
        &csv,
        "--cell-size",
        "500",
        "--out",
        "c.parquet",
        "--out",
        "c.geojson",
        "-q",
    ];
    ok(d.path(), &args);
    let (geo, groups) = footer(&d.path().join("c.parquet"));
    assert_eq!(
        geo["columns"]["geometry"]["geometry_types"],
        serde_json::json!(["Polygon"])
    );
    let j = load(&d.path().join("c.geojson"));
    let feats = j["features"].as_array().unwrap();
    assert_eq!(groups, vec![feats.len() as i64]);
    let r = SerializedFileReader::new(std::fs::File::open(d.path().join("c.parquet")).unwrap())
        .unwrap();
    let names: Vec<String> = r
        .metadata()
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    assert_eq!(names, ["x", "y", "n", "harm", "geometry"]);
    for (row, f) in r.get_row_iter(None).unwrap().zip(feats) {
        let row = row.unwrap();
        assert_eq!(
            row.get_double(2).unwrap(),
            f["properties"]["n"].as_f64().unwrap()
        );
        assert!(
            (row.get_double(3).unwrap() - f["properties"]["harm"].as_f64().unwrap()).abs() < 1e-9
        );
        // the ring's first vertex, as the GeoJSON rounds it (6 decimals)
        let wkb = row.get_bytes(4).unwrap().data().to_vec();
        let lon = f64::from_le_bytes(wkb[13..21].try_into().unwrap());
        assert!((lon - f["geometry"]["coordinates"][0][0][0].as_f64().unwrap()).abs() < 1e-6);
    }
}

#[test]
fn damaged_parquet_is_an_error_or_skips_never_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let csv = sample().display().to_string();
    ok(
        d.path(),
        &[
            "convert",
            &csv,
            "--types",
            "Robbery,Drugs",
            "--out",
            "s.parquet",
            "-q",
        ],
    );
    let good = std::fs::read(d.path().join("s.parquet")).unwrap();
    let mut cases: Vec<Vec<u8>> = Vec::new();
    for k in 1..=40 {
        let mut b = good.clone();
        let at = k * (good.len() - 1) / 41;
        b[at] ^= 0x5a;
        cases.push(b);
    }
    for k in 1..=10 {
        cases.push(good[..k * good.len() / 11].to_vec());
    }
    for (k, bytes) in cases.iter().enumerate() {
        std::fs::write(d.path().join("bad.parquet"), bytes).unwrap();
        let o = run(d.path(), &["info", "bad.parquet"]);
        let code = o.status.code();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            code == Some(0) || code == Some(2),
            "case {k}: exit {code:?}: {err}"
        );
        if code == Some(2) {
            assert!(
                err.contains("bad.parquet"),
                "case {k}: the error names the file: {err}"
            );
        }
    }
}

/// By hand (needs `pip install duckdb geopandas`; not in CI): DuckDB and geopandas read what
/// `convert` writes, rows, types and CRS included.
#[test]
#[ignore]
fn duckdb_and_geopandas_read_the_file() {
    let d = tempfile::tempdir().unwrap();
    let csv = sample().display().to_string();
    ok(d.path(), &["convert", &csv, "--out", "s.parquet", "-q"]);
    let script = "import duckdb, geopandas\n\
        n = duckdb.sql(\"select count(*) from 's.parquet' where crime_type = 'Burglary'\").fetchall()[0][0]\n\
        g = geopandas.read_parquet('s.parquet')\n\
        print(n, len(g), g.crs.to_string(), g.geometry.iloc[0].geom_type)\n";
    let o = std::process::Command::new("python3")
        .args(["-c", script])
        .current_dir(d.path())
        .output()
        .expect("python3 runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let burglary = ok(d.path(), &["info", &csv, "--types", "Burglary", "--json"]);
    let j: Value = serde_json::from_str(&burglary).unwrap();
    assert_eq!(
        out.trim(),
        format!("{} 18151 OGC:CRS84 Point", j["read"]["kept"])
    );
}

#[test]
fn a_weight_column_travels_with_its_name() {
    let d = tempfile::tempdir().unwrap();
    let lines = vec![
        "lon,lat,harm score".to_string(),
        "-1.61,54.97,2.5".into(),
        "-1.62,54.98,4".into(),
    ];
    let f = write(d.path(), "w.csv", &lines).display().to_string();
    let cols = [
        "--lon-col",
        "lon",
        "--lat-col",
        "lat",
        "--weight-col",
        "harm score",
    ];
    let mut args = vec!["convert", f.as_str()];
    args.extend(cols);
    args.extend(["--out", "w.parquet", "-q"]);
    ok(d.path(), &args);
    let j: Value = serde_json::from_str(&ok(
        d.path(),
        &["info", "w.parquet", "--weight-col", "harm score", "--json"],
    ))
    .unwrap();
    assert_eq!(j["total_harm"], 6.5);
    // a weight column named like a police.uk column would make the file ambiguous
    std::fs::write(d.path().join("m.csv"), "lon,lat,Context\n-1.61,54.97,2\n").unwrap();
    let e = fails(
        d.path(),
        &[
            "convert",
            "m.csv",
            "--lon-col",
            "lon",
            "--lat-col",
            "lat",
            "--weight-col",
            "Context",
            "--out",
            "m.parquet",
        ],
    );
    assert!(e.contains("also a police.uk column"), "{e}");
    assert!(!d.path().join("m.parquet").exists() && temporaries(d.path()).is_empty());
}
