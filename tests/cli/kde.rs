//! `harmspot kde` end to end: every output format read back, automatic choices, thread
//! independence, bad input.

use crate::common::{fails, ok, run, temporaries};
use harmspot::generate::{generate, GenerateParams};
use std::collections::HashMap;
use std::path::Path;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::tags::Tag;

/// A synthetic police.uk extract of 3000 rows over two months around Newcastle.
fn extract(dir: &Path) {
    let f = std::fs::File::create(dir.join("street.csv")).unwrap();
    generate(
        &GenerateParams::default().rows(3000).months(2).seed(5),
        std::io::BufWriter::new(f),
    )
    .unwrap();
}

/// Value columns per cell centre `(x, y)`, metres.
type Cells = HashMap<(i64, i64), Vec<f64>>;

/// The CSV output: header and the value columns per cell centre.
fn read_csv(p: &Path) -> (Vec<String>, Cells) {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| {
            let v: Vec<f64> = l.split(',').map(|t| t.parse().unwrap()).collect();
            ((v[0].round() as i64, v[1].round() as i64), v[2..].to_vec())
        })
        .collect();
    (header, rows)
}

struct Tif {
    nx: usize,
    ny: usize,
    scale: Vec<f64>,
    tiepoint: Vec<f64>,
    geokeys: Vec<u16>,
    nodata: String,
    metadata: String,
    /// band-sequential, north row first
    values: Vec<f32>,
}

fn read_tif(p: &Path) -> Tif {
    let mut d = Decoder::new(std::fs::File::open(p).unwrap()).unwrap();
    let (nx, ny) = d.dimensions().unwrap();
    let scale = d.get_tag_f64_vec(Tag::ModelPixelScaleTag).unwrap();
    let tiepoint = d.get_tag_f64_vec(Tag::ModelTiepointTag).unwrap();
    let geokeys = d.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap();
    let nodata = d.get_tag_ascii_string(Tag::GdalNodata).unwrap();
    let metadata = d.get_tag_ascii_string(Tag::Unknown(42112)).unwrap();
    let mut values = Vec::new();
    for k in 0..d.strip_count().unwrap() {
        match d.read_chunk(k).unwrap() {
            DecodingResult::F32(v) => values.extend(v),
            _ => panic!("not Float32"),
        }
    }
    Tif {
        nx: nx as usize,
        ny: ny as usize,
        scale,
        tiepoint,
        geokeys,
        nodata,
        metadata,
        values,
    }
}

#[test]
fn every_format_is_written_and_they_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    let args = [
        "kde",
        "street.csv",
        "--cell-size",
        "200",
        "--bandwidth",
        "600",
        "--out",
        "k.tif",
        "--out",
        "k.geojson",
        "--out",
        "k.csv",
        "--out",
        "k.asc",
    ];
    ok(d, &args);

    // CSV: every study-area cell, x,y first
    let (header, csv) = read_csv(&d.join("k.csv"));
    assert_eq!(header, ["x", "y", "density", "n", "harm"]);
    let total_n: f64 = csv.values().map(|v| v[1]).sum();
    assert!(total_n > 2900.0 && total_n <= 3000.0, "{total_n}"); // rows with coordinates

    // GeoTIFF: CRS, transform, NoData, band names, values
    let t = read_tif(&d.join("k.tif"));
    assert_eq!(t.scale, [200.0, 200.0, 0.0]);
    assert_eq!(&t.tiepoint[..3], &[0.0, 0.0, 0.0]);
    let (xmin, ymax) = (t.tiepoint[3], t.tiepoint[4]);
    assert_eq!((xmin % 200.0, ymax % 200.0), (0.0, 0.0), "snapped origin");
    // version 1.1.0 with 3 keys: projected model, pixel is area, EPSG:27700
    assert_eq!(
        t.geokeys,
        [1, 1, 0, 3, 1024, 0, 1, 1, 1025, 0, 1, 1, 3072, 0, 1, 27700]
    );
    assert_eq!(t.nodata, "-9999");
    for (band, name) in ["density", "n", "harm"].iter().enumerate() {
        assert!(
            t.metadata
                .contains(&format!("sample=\"{band}\" role=\"description\">{name}<")),
            "{}",
            t.metadata
        );
    }
    assert!(t.metadata.contains("<Item name=\"kernel\">quartic</Item>"));
    assert_eq!(t.values.len(), 3 * t.nx * t.ny);
    let mut nodata = 0;
    for r in 0..t.ny {
        for c in 0..t.nx {
            let x = (xmin + (c as f64 + 0.5) * 200.0).round() as i64;
            let y = (ymax - (r as f64 + 0.5) * 200.0).round() as i64;
            let v = t.values[r * t.nx + c];
            match csv.get(&(x, y)) {
                Some(row) if row.iter().any(|v| *v != 0.0) => {
                    assert_eq!(v, row[0] as f32, "density at {x},{y}");
                    assert_eq!(
                        t.values[t.nx * t.ny + r * t.nx + c],
                        row[1] as f32,
                        "n at {x},{y}"
                    );
                }
                _ => {
                    // outside the study area, or no kernel reaches the cell
                    assert_eq!(v, -9999.0, "{x},{y}");
                    nodata += 1;
                }
            }
        }
    }
    assert!(nodata > 0);

    // GeoJSON: RFC 7946 lon/lat, closed counter-clockwise rings, the run's parameters
    let gj: geojson::GeoJson = std::fs::read_to_string(d.join("k.geojson"))
        .unwrap()
        .parse()
        .unwrap();
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("not a FeatureCollection")
    };
    let nonempty = csv.values().filter(|v| v.iter().any(|x| *x != 0.0)).count();
    assert_eq!(fc.features.len(), nonempty);
    for f in &fc.features {
        let Some(geojson::GeometryValue::Polygon { coordinates: rings }) =
            f.geometry.as_ref().map(|g| &g.value)
        else {
            panic!("not a Polygon")
        };
        assert_eq!(rings.len(), 1);
        let ring = &rings[0];
        assert_eq!(ring.len(), 5);
        assert_eq!(ring.first(), ring.last(), "closed");
        for p in ring {
            assert!(
                (-1.9..-1.3).contains(&p[0]) && (54.7..55.2).contains(&p[1]),
                "lon, lat order: {p:?}"
            );
        }
        let area2: f64 = ring
            .windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum();
        assert!(area2 > 0.0, "counter-clockwise");
        let mut keys: Vec<&String> = f.properties.as_ref().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["density", "harm", "n"]);
    }
    let meta = &fc.foreign_members.as_ref().unwrap()["harmspot"];
    assert_eq!(meta["kernel"], "quartic");
    assert_eq!(meta["bandwidth"], 600.0);
    assert_eq!(meta["bandwidth_source"], "given");
    assert_eq!(meta["cell_size"], 200.0);
    assert_eq!(meta["working_crs"], "EPSG:27700");
    assert_eq!(meta["harmspot_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(meta["input"]["rows"], 3000);
    assert_eq!(meta["grid"]["nx"], t.nx);

    // ESRI ASCII grids: the main value, then one file per other column
    let asc = std::fs::read_to_string(d.join("k.asc")).unwrap();
    let head: Vec<&str> = asc.lines().take(6).collect();
    assert_eq!(head[0], format!("ncols {}", t.nx));
    assert_eq!(head[1], format!("nrows {}", t.ny));
    assert_eq!(head[2], format!("xllcorner {xmin}"));
    assert_eq!(head[4], "cellsize 200");
    assert_eq!(head[5], "NODATA_value -9999");
    let first: Vec<f32> = asc
        .lines()
        .nth(6)
        .unwrap()
        .split(' ')
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(first, t.values[..t.nx]);
    assert!(d.join("k_n.asc").exists() && d.join("k_harm.asc").exists());
    assert!(temporaries(d).is_empty());
}

#[test]
fn automatic_choices_are_printed_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    let o = run(d, &["kde", "street.csv", "--out", "k.geojson"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cell size set to 100 m automatically (shorter side / 250, rounded)"),
        "{err}"
    );
    let line = err
        .lines()
        .find(|l| l.starts_with("bandwidth "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(line.ends_with(" m (ArcGIS rule)"), "{line}");
    let gj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("k.geojson")).unwrap()).unwrap();
    let h = gj["harmspot"]["bandwidth"].as_f64().unwrap();
    assert_eq!(line, format!("bandwidth {h:.0} m (ArcGIS rule)"));
    assert_eq!(gj["harmspot"]["bandwidth_source"], "ArcGIS rule");
    assert!(gj["harmspot"]["cell_size_source"]
        .as_str()
        .unwrap()
        .starts_with("automatic"));
    // --quiet: nothing on stderr
    let o = run(
        d,
        &[
            "kde",
            "street.csv",
            "--quiet",
            "--bandwidth-rule",
            "sfhotspot",
            "--out",
            "q.csv",
        ],
    );
    assert!(
        o.status.success() && o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn weights_none_and_weight_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // two incidents 100 m apart in BNG metres, weights 2 and 3, 50 m cells
    std::fs::write(
        d.join("w.csv"),
        "x,y,sev\n420025,560025,2\n420125,560025,3\n",
    )
    .unwrap();
    let base = [
        "kde",
        "w.csv",
        "--x-col",
        "x",
        "--y-col",
        "y",
        "--crs",
        "EPSG:27700",
        "--cell-size",
        "50",
        "--bandwidth",
        "200",
        "--values",
        "raw",
    ];
    let cell = |file: &str| -> Vec<f64> {
        let (_, rows) = read_csv(&d.join(file));
        rows[&(420025, 560025)].clone()
    };
    ok(
        d,
        &[&base[..], &["--weights", "sev", "--out", "a.csv"]].concat(),
    );
    // raw at the first point: 2·1 + 3·(1 − 0.25)² = 3.6875; n = 1; harm = 2
    assert_eq!(cell("a.csv"), [3.6875, 1.0, 2.0]);
    ok(
        d,
        &[&base[..], &["--weights", "none", "--out", "b.csv"]].concat(),
    );
    // unweighted: 1 + 0.5625 = 1.5625 (harm falls back to the default table: 1 per row without types)
    assert_eq!(cell("b.csv")[0], 1.5625);
    let err = fails(
        d,
        &[
            &base[..],
            &[
                "--weights",
                "sev",
                "--weight-col",
                "other",
                "--out",
                "c.csv",
            ],
        ]
        .concat(),
    );
    assert!(
        err.contains("--weights") && err.contains("--weight-col"),
        "{err}"
    );
}

#[test]
fn byte_identical_outputs_at_one_and_two_threads() {
    // the same command in two folders (outputs embed the command, so it must not differ)
    let dir = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        let d = dir.path().join(t);
        std::fs::create_dir(&d).unwrap();
        extract(&d);
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
            .args(["kde", "street.csv", "--cell-size", "200", "--quiet"])
            .args(["--out", "t.tif", "--out", "t.geojson", "--out", "t.csv"])
            .env("RAYON_NUM_THREADS", t)
            .current_dir(&d)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    for ext in ["tif", "geojson", "csv"] {
        let a = std::fs::read(dir.path().join(format!("1/t.{ext}"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("2/t.{ext}"))).unwrap();
        assert!(a == b, "{ext} differs between 1 and 2 threads");
    }
}

#[test]
fn bad_input_fails_with_a_clear_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    extract(d);
    let cases: &[(&[&str], &str)] = &[
        (
            &["--cell-size", "0"],
            "--cell-size: must be a positive length",
        ),
        (
            &["--cell-size", "-50"],
            "--cell-size: must be a positive length",
        ),
        (
            &["--bandwidth", "0"],
            "--bandwidth: must be a positive length",
        ),
        (
            &["--bandwidth", "-400"],
            "--bandwidth: must be a positive length",
        ),
        (&["--bandwidth-adjust", "0"], "--bandwidth-adjust"),
        (
            &["--cell-size", "100", "--bandwidth", "60"],
            "smaller than the 100 m cell size",
        ),
        (&["--cell-size", "0.01"], "from 0.1 to 100000"),
        // 16 000 x 16 000 cells: more than the grid allows
        (
            &[
                "--extent",
                "400000,540000,440000,580000",
                "--cell-size",
                "2.5",
            ],
            "more than the 200000000",
        ),
        // 13 334 x 13 334 cells x 3 columns x 8 bytes: refused before allocating
        (
            &[
                "--extent",
                "400000,540000,440000,580000",
                "--cell-size",
                "3",
            ],
            "4.3 GB of memory",
        ),
        (&["--from", "2030-01"], "no incidents left"),
        (
            &["--shape", "hex", "--out", "h.geojson"],
            "hexagonal cells cannot be written as a raster",
        ),
        (&["--extent", "1,2,3"], "--extent"),
    ];
    for (extra, message) in cases {
        let mut args = vec!["kde", "street.csv", "--out", "k.tif", "--out", "k.csv"];
        args.extend_from_slice(extra);
        let err = fails(d, &args);
        assert!(err.contains(message), "{extra:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        let files: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["street.csv"], "{extra:?} left files behind");
    }
    let err = fails(d, &["kde", "street.csv", "--out", "k.png"]);
    assert!(err.contains("--out") && err.contains(".geojson"), "{err}");
    let err = fails(d, &["kde", "street.csv", "--out", "missing/k.tif"]);
    assert!(err.contains("does not exist"), "{err}");
    std::fs::create_dir(d.join("k.csv")).unwrap();
    let err = fails(
        d,
        &["kde", "street.csv", "--out", "k.geojson", "--out", "k.csv"],
    );
    assert!(err.contains("is a folder"), "{err}");
    assert!(!d.join("k.geojson").exists() && temporaries(d).is_empty());
}
