//! Shared helpers for the CLI tests: run the real binary in a temporary folder.

pub mod browser;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The police.uk header.
pub const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

/// The shared real data: the Northumbria force-years, their boundary and LSOAs, and the 13
/// community sites — `../shared/data` beside the checkout, or the folder named by
/// `HARMSPOT_REAL_DATA` when the tests are built.
pub const DATA: &str = match option_env!("HARMSPOT_REAL_DATA") {
    Some(p) => p,
    None => concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"),
};

/// Whether [`DATA`] is here (tests on it print that they were skipped when it is not).
pub fn has_data() -> bool {
    let d = Path::new(DATA);
    d.join("police-uk/northumbria-2021").is_dir()
        && d.join("boundaries/northumbria-force-area.geojson")
            .is_file()
        && d.join("boundaries/northumbria-lsoa2011.geojson").is_file()
        && d.join("hubs/newcastle-libraries.geojson").is_file()
}

/// True (after printing `SKIPPED` and the reason) when the real data is absent: a test on
/// it starts `if skip_without_data("name") { return; }`.
pub fn skip_without_data(test: &str) -> bool {
    if has_data() {
        return false;
    }
    eprintln!(
        "SKIPPED {test}: the shared real data is not at {DATA} (put shared/ beside the checkout, or set HARMSPOT_REAL_DATA when building the tests)"
    );
    true
}

/// A JSON file, parsed.
pub fn load(p: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// Whether a JSON value holds a Point or MultiPoint geometry anywhere (a partner output
/// must not).
pub fn has_point(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Object(m) => {
            m.get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| t == "Point" || t == "MultiPoint")
                || m.values().any(has_point)
        }
        Value::Array(a) => a.iter().any(has_point),
        _ => false,
    }
}

/// The real `hotspots` run on the force-year with the force boundary, into `dir/res`.
pub fn real_hotspots(dir: &Path) {
    let input = format!("{DATA}/police-uk/northumbria-2021/");
    let boundary = format!("{DATA}/boundaries/northumbria-force-area.geojson");
    ok(
        dir,
        &[
            "hotspots",
            &input,
            "--boundary",
            &boundary,
            "--out",
            "res",
            "-q",
        ],
    );
}

/// The real `compare` run of the 13 libraries over the force-year (300 m circles and
/// buffers, first half-year against the second), into `dir/cmp`.
pub fn real_compare(dir: &Path) {
    let input = format!("{DATA}/police-uk/northumbria-2021/");
    let hubs = format!("{DATA}/hubs/newcastle-libraries.geojson");
    ok(
        dir,
        &[
            "compare",
            &input,
            "--areas",
            &hubs,
            "--radius",
            "300",
            "--buffer",
            "300",
            "--before",
            "2021-01..2021-06",
            "--after",
            "2021-07..2021-12",
            "--out",
            "cmp",
            "-q",
        ],
    );
}

/// The sample extract shipped in data/.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/police-uk/2021-03-northumbria-street.csv")
}

/// Runs `harmspot args...` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the harmspot binary runs")
}

/// Runs and asserts success, returning stdout.
pub fn ok(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert!(
        o.status.success(),
        "harmspot {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("utf-8 stdout")
}

/// Runs and asserts failure with exit code 2, returning stderr.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let o = run(dir, args);
    assert_eq!(
        o.status.code(),
        Some(2),
        "harmspot {args:?} should fail with 2; stdout {} stderr {}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A police.uk row.
pub fn row(id: &str, month: &str, lon: &str, lat: &str, crime_type: &str) -> String {
    format!("{id},{month},Test Police,Test Police,{lon},{lat},On or near Test Street,E01000001,Test 001A,{crime_type},,")
}

/// Writes `lines` (header first) to `dir/name`.
pub fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

/// Files left in `dir` whose name marks them temporary (a failed write must leave none).
pub fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// Writes a small result folder for `harmspot map` tests into `dir/name` and returns it:
/// `cells.geojson` (20 × 15 cells near Newcastle with `n`, `harm`, `density`, `gistar`,
/// `pvalue`, `class`; every 17th cell suppressed with `null`s; run parameters in the
/// `"harmspot"` member), `hotspots.geojson` (2 features, one a MultiPolygon, one with a
/// suppressed `harm`), `areas.geojson` (treatment with a hostile name, buffer ring with a
/// hole, control) and `stations.geojson` (3 points, a generic layer).
pub fn map_results(dir: &Path, name: &str) -> PathBuf {
    use serde_json::{json, Value};
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    let (x0, y0, dx, dy) = (-1.64, 54.96, 0.002, 0.0012);
    let rect = |x: f64, y: f64, w: f64, h: f64| -> Value {
        json!([[[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]])
    };
    let mut cells = Vec::new();
    for j in 0..15 {
        for i in 0..20 {
            let (cx, cy) = (i as f64 + 0.5, j as f64 + 0.5);
            let bump = |bx: f64, by: f64, s: f64| {
                (-((cx - bx).powi(2) + (cy - by).powi(2)) / (2.0 * s * s)).exp()
            };
            let density = 40.0 * bump(6.0, 5.0, 2.0) + 25.0 * bump(15.0, 10.0, 1.5) + 0.5;
            let z = (density - 6.0) / 4.0;
            let class = if z > 2.58 {
                3
            } else if z > 1.96 {
                2
            } else if z > 1.65 {
                1
            } else if z < -1.2 {
                -1
            } else {
                0
            };
            let n = (density / 3.0).round();
            let props = if (i + j * 20) % 17 == 0 {
                json!({"n": null, "harm": null, "density": null, "gistar": null, "pvalue": null, "class": null})
            } else {
                json!({"n": n, "harm": n * 12.5, "density": (density * 100.0).round() / 100.0, "gistar": (z * 1000.0).round() / 1000.0, "pvalue": 0.05, "class": class})
            };
            cells.push(json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rect(x0 + i as f64 * dx, y0 + j as f64 * dy, dx, dy)}, "properties": props}));
        }
    }
    let fc = |features: Vec<Value>, extra: Value| -> String {
        let mut v = json!({"type": "FeatureCollection", "features": features});
        if let Value::Object(m) = extra {
            for (k, x) in m {
                v[k] = x;
            }
        }
        serde_json::to_string_pretty(&v).unwrap()
    };
    std::fs::write(
        out.join("cells.geojson"),
        fc(cells, json!({"harmspot": {"analysis": "kde", "cell_size": 100, "bandwidth": 250, "kernel": "quartic", "working_crs": "EPSG:27700"}})),
    )
    .unwrap();
    let hotspots = vec![
        json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rect(x0 + 3.0 * dx, y0 + 2.0 * dy, 6.0 * dx, 6.0 * dy)},
            "properties": {"id": 1, "rank": 1, "harm": 1520.5, "incidents": 88, "area_km2": 0.48, "share_harm": 0.31,
                "top_types": ["Violence and sexual offences", "Burglary"], "mean_z": 3.2}}),
        json!({"type": "Feature", "geometry": {"type": "MultiPolygon", "coordinates": [rect(x0 + 13.0 * dx, y0 + 8.0 * dy, 4.0 * dx, 4.0 * dy), rect(x0 + 17.0 * dx, y0 + 12.0 * dy, 1.0 * dx, 1.0 * dy)]},
            "properties": {"id": 2, "rank": 2, "harm": null, "incidents": 41, "area_km2": 0.2, "share_harm": null,
                "top_types": ["Robbery"], "mean_z": 2.7}}),
    ];
    std::fs::write(out.join("hotspots.geojson"), fc(hotspots, json!({}))).unwrap();
    let ring = |x: f64, y: f64, w: f64, h: f64| -> Value { rect(x, y, w, h)[0].clone() };
    let areas = vec![
        json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rect(x0 + 4.0 * dx, y0 + 3.0 * dy, 4.0 * dx, 4.0 * dy)},
            "properties": {"role": "treatment", "name": "<img src=x onerror=alert(1)>Hub A", "n_before": 30, "n_after": 21}}),
        json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring(x0 + 2.0 * dx, y0 + 1.0 * dy, 8.0 * dx, 8.0 * dy), ring(x0 + 4.0 * dx, y0 + 3.0 * dy, 4.0 * dx, 4.0 * dy)]},
            "properties": {"role": "buffer", "name": "Hub A buffer", "n_before": 12, "n_after": null}}),
        json!({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": rect(x0 + 12.0 * dx, y0 + 1.0 * dy, 5.0 * dx, 4.0 * dy)},
            "properties": {"role": "control", "name": "Control B", "n_before": 25, "n_after": 24}}),
    ];
    std::fs::write(out.join("areas.geojson"), fc(areas, json!({}))).unwrap();
    let stations = (0..3)
        .map(|k| json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [x0 + (5.0 + 5.0 * k as f64) * dx, y0 + 12.5 * dy]}, "properties": {"name": format!("Station {k}")}}))
        .collect();
    std::fs::write(out.join("stations.geojson"), fc(stations, json!({}))).unwrap();
    out
}

/// Decodes a PNG file into (width, height, RGBA pixels), any 8-bit colour type.
pub fn decode_png(path: &Path) -> (u32, u32, Vec<[u8; 4]>) {
    let f = std::io::BufReader::new(
        std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    );
    let mut dec = png::Decoder::new(f);
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().expect("a PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let info = reader.next_frame(&mut buf).expect("PNG pixels");
    let bytes = &buf[..info.buffer_size()];
    let px: Vec<[u8; 4]> = match info.color_type {
        png::ColorType::Rgba => bytes
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]])
            .collect(),
        png::ColorType::Rgb => bytes
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        png::ColorType::GrayscaleAlpha => bytes
            .chunks_exact(2)
            .map(|c| [c[0], c[0], c[0], c[1]])
            .collect(),
        png::ColorType::Grayscale => bytes.iter().map(|&g| [g, g, g, 255]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, px)
}

/// The JSON data block of a `harmspot map` HTML page.
pub fn map_page_data(page: &str) -> serde_json::Value {
    let start = r#"<script type="application/json" id="map-data">"#;
    let i = page.find(start).expect("the page has a data block") + start.len();
    let j = i + page[i..].find("</script>").expect("the data block ends");
    serde_json::from_str(&page[i..j]).expect("the data block is JSON")
}
