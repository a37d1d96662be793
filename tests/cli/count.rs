//! `harmspot count` end to end on a hand-made extract in British National Grid metres.

use crate::common::{fails, ok, temporaries};
use std::path::Path;

/// Seven incidents on a 100 m grid snapped at (420 000, 560 000), near Newcastle:
///
/// | x, y | cell (col, row) | type | month | weight |
/// |---|---|---|---|---|
/// | 420 050, 560 050 | (0, 0) | Anti-social behaviour | 2021-01 | 1 |
/// | 420 060, 560 020 | (0, 0) | Burglary | 2021-03 | 10 |
/// | 420 100, 560 100 | (1, 1): lower-left corner belongs to the cell | Burglary | 2021-01 | 10 |
/// | 420 199, 560 199 | (1, 1) | Anti-social behaviour | 2021-03 | 1 |
/// | 420 350, 560 250 | (3, 2) | Burglary | 2021-03 | 10 |
/// | 420 350, 560 250 | (3, 2) | Burglary | 2021-03 | 10 |
/// | 420 350, 560 250 | (3, 2) | Anti-social behaviour | 2021-01 | 1 |
fn extract(dir: &Path) {
    let rows = [
        "420050,560050,Anti-social behaviour,2021-01,1",
        "420060,560020,Burglary,2021-03,10",
        "420100,560100,Burglary,2021-01,10",
        "420199,560199,Anti-social behaviour,2021-03,1",
        "420350,560250,Burglary,2021-03,10",
        "420350,560250,Burglary,2021-03,10",
        "420350,560250,Anti-social behaviour,2021-01,1",
    ];
    std::fs::write(
        dir.join("e.csv"),
        format!("x,y,Crime type,Month,w\n{}\n", rows.join("\n")),
    )
    .unwrap();
}

const BASE: [&str; 14] = [
    "count",
    "e.csv",
    "--x-col",
    "x",
    "--y-col",
    "y",
    "--crs",
    "EPSG:27700",
    "--weight-col",
    "w",
    "--cell-size",
    "100",
    "--extent",
    "420000,560000,420399,560299",
];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = BASE.to_vec();
    v.extend_from_slice(extra);
    v
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn counts_and_harm_per_cell() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    ok(d, &args(&["--out", "c.csv", "--out", "c.tif"]));
    let l = lines(&d.join("c.csv"));
    // 4 x 3 cells, row-major from the south-west; every cell of the extent is in the study area
    assert_eq!(l.len(), 13);
    assert_eq!(l[0], "x,y,n,harm");
    assert_eq!(l[1], "420050,560050,2,11");
    assert_eq!(l[2], "420150,560050,0,0");
    assert_eq!(l[6], "420150,560150,2,11");
    assert_eq!(l[12], "420350,560250,3,21");
    // raster: zero counts inside the study area are 0, not NoData; north row first
    let mut dec =
        tiff::decoder::Decoder::new(std::fs::File::open(d.join("c.tif")).unwrap()).unwrap();
    assert_eq!(dec.dimensions().unwrap(), (4, 3));
    let tiff::decoder::DecodingResult::F32(v) = dec.read_chunk(0).unwrap() else {
        panic!()
    };
    assert_eq!(
        &v[..12],
        &[0.0, 0.0, 0.0, 3.0, 0.0, 2.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        dec.get_tag_f64_vec(tiff::tags::Tag::ModelTiepointTag)
            .unwrap(),
        [0.0, 0.0, 0.0, 420_000.0, 560_300.0, 0.0]
    );
}

#[test]
fn by_type_and_by_month_columns() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    ok(d, &args(&["--by", "type", "--out", "t.csv"]));
    let l = lines(&d.join("t.csv"));
    assert_eq!(
        l[0],
        "x,y,n,harm,n_anti_social_behaviour,n_burglary,harm_anti_social_behaviour,harm_burglary"
    );
    assert_eq!(l[12], "420350,560250,3,21,1,2,1,20");
    ok(d, &args(&["--by", "month", "--out", "m.csv"]));
    let l = lines(&d.join("m.csv"));
    // February has no incident but keeps its columns
    assert_eq!(
        l[0],
        "x,y,n,harm,n_2021_01,n_2021_02,n_2021_03,harm_2021_01,harm_2021_02,harm_2021_03"
    );
    assert_eq!(l[1], "420050,560050,2,11,1,0,1,1,0,10");
    // without a month column, --by month is refused
    std::fs::write(d.join("nomonth.csv"), "x,y\n420050,560050\n").unwrap();
    let err = fails(
        d,
        &[
            "count",
            "nomonth.csv",
            "--x-col",
            "x",
            "--y-col",
            "y",
            "--crs",
            "EPSG:27700",
            "--by",
            "month",
            "--out",
            "x.csv",
        ],
    );
    assert!(err.contains("--by") && err.contains("month"), "{err}");
    assert!(!d.join("x.csv").exists());
}

#[test]
fn geojson_has_non_empty_cells_in_lon_lat() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    ok(d, &args(&["--out", "c.geojson"]));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("c.geojson")).unwrap()).unwrap();
    let features = v["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    let ns: Vec<f64> = features
        .iter()
        .map(|f| f["properties"]["n"].as_f64().unwrap())
        .collect();
    assert_eq!(ns, [2.0, 2.0, 3.0]);
    let p = &features[0]["geometry"]["coordinates"][0][0];
    let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
    assert!(
        (-1.75..-1.6).contains(&lon) && (54.9..55.0).contains(&lat),
        "{lon}, {lat}"
    );
    assert_eq!(v["harmspot"]["analysis"], "count");
    assert_eq!(v["harmspot"]["harm"], "weight column `w`");
    // --all-cells writes the zero cells of the study area too
    ok(d, &args(&["--out", "all.geojson", "--all-cells"]));
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("all.geojson")).unwrap()).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 12);
}

#[test]
fn hexagons_to_geojson_and_csv_but_not_rasters() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    // study area from the incidents (with --extent, hexagons whose centre falls outside the
    // extent would be left out)
    let hex = [
        "count",
        "e.csv",
        "--x-col",
        "x",
        "--y-col",
        "y",
        "--crs",
        "EPSG:27700",
        "--cell-size",
        "100",
        "--shape",
        "hex",
    ];
    ok(
        d,
        &[&hex[..], &["--out", "h.geojson", "--out", "h.csv"]].concat(),
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("h.geojson")).unwrap()).unwrap();
    let total: f64 = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["n"].as_f64().unwrap())
        .sum();
    assert_eq!(total, 7.0);
    let ring = v["features"][0]["geometry"]["coordinates"][0]
        .as_array()
        .unwrap();
    assert_eq!(ring.len(), 7);
    assert_eq!(ring[0], ring[6]);
    for out in ["h.tif", "h.asc"] {
        let err = fails(d, &args(&["--shape", "hex", "--out", out]));
        assert!(
            err.contains("hexagonal cells cannot be written as a raster"),
            "{err}"
        );
    }
}

#[test]
fn refuses_bad_grids_and_layers_too_big_for_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    let big = [
        "count",
        "e.csv",
        "--x-col",
        "x",
        "--y-col",
        "y",
        "--crs",
        "EPSG:27700",
        "--by",
        "month",
        "--extent",
        "400000,540000,440000,580000",
        "--cell-size",
        "5",
        "--out",
        "b.csv",
    ];
    // 8000 x 8000 cells x 8 columns x 8 bytes = 4.1 GB: refused before allocating
    let err = fails(d, &big);
    assert!(
        err.contains("4.1 GB of memory") && err.contains("8 columns"),
        "{err}"
    );
    let mut zero = big.to_vec();
    zero[13] = "0";
    let err = fails(d, &zero);
    assert!(
        err.contains("--cell-size: must be a positive length"),
        "{err}"
    );
    let err = fails(d, &args(&["--types", "Robbery", "--out", "z.csv"]));
    assert!(err.contains("no incidents left"), "{err}");
    let files: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["e.csv"]);
    assert!(temporaries(d).is_empty());
}

#[test]
fn warns_when_a_stray_point_blows_up_the_grid() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 150 incidents within 1 km, one 30 km away
    let mut csv = String::from("x,y\n");
    for i in 0..150 {
        csv.push_str(&format!(
            "{},{}\n",
            420_000 + (i % 15) * 60,
            560_000 + (i / 15) * 90
        ));
    }
    csv.push_str("450000,590000\n");
    std::fs::write(d.join("s.csv"), csv).unwrap();
    let o = crate::common::run(
        d,
        &[
            "count",
            "s.csv",
            "--x-col",
            "x",
            "--y-col",
            "y",
            "--crs",
            "EPSG:27700",
            "--cell-size",
            "500",
            "--out",
            "s.csv.geojson",
        ],
    );
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 stray incident(s)"), "{err}");
}

/// ESRI ASCII grids carry no CRS: each gets a `.prj` sidecar with the working CRS's WKT.
#[test]
fn ascii_grids_get_prj_sidecars() {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "generate",
            "--rows",
            "500",
            "--months",
            "2",
            "--out",
            "g-street.csv",
        ],
    );
    ok(
        d.path(),
        &[
            "count",
            "g-street.csv",
            "--cell-size",
            "500",
            "--out",
            "c.asc",
        ],
    );
    for name in ["c.prj", "c_harm.prj"] {
        let wkt = std::fs::read_to_string(d.path().join(name)).unwrap();
        assert!(
            wkt.starts_with("PROJCS[\"British_National_Grid\""),
            "{name}: {wkt}"
        );
    }
}
