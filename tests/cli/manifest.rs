//! Run manifests (issue 7): every file-writing run records its command, inputs (sizes and
//! SHA-256), row counts, CRS and time, and `harmspot run` replays it byte for byte.

use crate::common::load;
use crate::common::*;

#[test]
fn grid_verbs_write_a_sidecar_manifest_and_replay_from_it() {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "generate",
            "--rows",
            "2000",
            "--months",
            "3",
            "--out",
            "g-street.csv",
        ],
    );
    std::fs::write(
        d.path().join("harm.csv"),
        "crime_type,weight,source,version\n*,1,test,1\n",
    )
    .unwrap();
    ok(
        d.path(),
        &[
            "kde",
            "g-street.csv",
            "--cell-size",
            "250",
            "--harm",
            "harm.csv",
            "--out",
            "k.tif",
            "--out",
            "k.geojson",
        ],
    );
    let m = load(&d.path().join("k.tif.manifest.json"));
    assert_eq!(
        m["command"],
        serde_json::json!([
            "kde",
            "g-street.csv",
            "--cell-size",
            "250",
            "--harm",
            "harm.csv",
            "--out",
            "k.tif",
            "--out",
            "k.geojson"
        ])
    );
    assert_eq!(m["inputs"][1]["path"], "harm.csv"); // the harm table is an input too
    assert_eq!(m["inputs"][0]["path"], "g-street.csv");
    assert_eq!(m["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(m["rows"]["read"], 2000);
    assert_eq!(m["working_crs"], "EPSG:27700");
    assert!(m["started_utc"].as_str().unwrap().ends_with('Z'));
    assert_eq!(m["outputs"], serde_json::json!(["k.tif", "k.geojson"]));
    // the GeoJSON embeds the same manifest, without the time
    let g = load(&d.path().join("k.geojson"));
    assert_eq!(g["harmspot"]["manifest"]["inputs"], m["inputs"]);
    assert!(g["harmspot"]["manifest"].get("started_utc").is_none());
    let before = (
        std::fs::read(d.path().join("k.tif")).unwrap(),
        std::fs::read(d.path().join("k.geojson")).unwrap(),
    );
    ok(d.path(), &["run", "k.tif.manifest.json"]);
    let after = (
        std::fs::read(d.path().join("k.tif")).unwrap(),
        std::fs::read(d.path().join("k.geojson")).unwrap(),
    );
    assert!(before == after, "replay changed the outputs");
}

#[test]
fn compare_writes_manifest_and_run_file() {
    let d = tempfile::tempdir().unwrap();
    ok(
        d.path(),
        &[
            "generate",
            "--rows",
            "3000",
            "--months",
            "12",
            "--seed",
            "1",
            "--out",
            "g-street.csv",
        ],
    );
    let hubs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hubs-example.geojson");
    ok(
        d.path(),
        &[
            "compare",
            "g-street.csv",
            "--areas",
            hubs.to_str().unwrap(),
            "--radius",
            "600",
            "--start",
            "2021-07",
            "--out",
            "cmp",
            "-q",
        ],
    );
    let m = load(&d.path().join("cmp/manifest.json"));
    assert_eq!(m["command"][0], "compare");
    assert_eq!(m["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    // the areas file is an input too
    assert!(m["inputs"][1]["path"]
        .as_str()
        .unwrap()
        .ends_with("hubs-example.geojson"));
    assert_eq!(m["inputs"][1]["sha256"].as_str().unwrap().len(), 64);
    let report = load(&d.path().join("cmp/report.json"));
    assert_eq!(report["manifest"]["inputs"], m["inputs"]);
    let before = std::fs::read(d.path().join("cmp/report.json")).unwrap();
    ok(d.path(), &["run", "cmp/run.toml"]);
    assert!(std::fs::read(d.path().join("cmp/report.json")).unwrap() == before);
}

/// Issue 14: a replay verifies its inputs, runs only analysis verbs, refuses unknown keys
/// and cannot recurse.
#[test]
fn replays_verify_inputs_and_refuse_what_a_run_file_may_not_say() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(sample(), d.path().join("x-street.csv")).unwrap();
    ok(
        d.path(),
        &[
            "hotspots",
            "x-street.csv",
            "--cell-size",
            "500",
            "--out",
            "R",
            "-q",
        ],
    );
    let toml = std::fs::read_to_string(d.path().join("R/run.toml")).unwrap();
    assert!(
        toml.contains("[[inputs]]") && toml.contains("sha256 = "),
        "{toml}"
    );
    ok(d.path(), &["run", "R/run.toml", "-q"]);
    // the input changes: refused, then allowed on request
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(d.path().join("x-street.csv"))
        .unwrap();
    std::io::Write::write_all(&mut f, b"\n").unwrap();
    for file in ["R/run.toml", "R/manifest.json"] {
        let e = fails(d.path(), &["run", file]);
        assert!(
            e.contains("x-street.csv") && e.contains("--allow-changed-inputs"),
            "{e}"
        );
    }
    ok(
        d.path(),
        &["run", "R/run.toml", "--allow-changed-inputs", "-q"],
    );

    let cases = [
        (
            "command = \"--quiet\"\nargs = [\"run\", \"self.toml\"]\n",
            "must be one of",
        ),
        (
            "command = \"run\"\nargs = [\"self.toml\"]\n",
            "must be one of",
        ),
        (
            "command = \"generate\"\nargs = [\"--out\", \"/tmp/anywhere.csv\"]\n",
            "must be one of",
        ),
        (
            "command = \"count\"\nargs = [\"x-street.csv\", \"--out\", \"c.csv\"]\nextra = 1\n",
            "unknown field `extra`",
        ),
        (
            "command = \"count\"\nargs = [\"x-street.csv\", \"--out\", \"c.csv\", \"--force\"]\n",
            "may not contain `--force`",
        ),
        (
            "command = \"count\"\nargs = [\"--help\"]\n",
            "may not contain `--help`",
        ),
        (
            "command = \"count\"\nargs = [\"x-street.csv\", \"--no-such-flag\"]\n",
            "do not parse",
        ),
    ];
    for (text, expect) in cases {
        std::fs::write(d.path().join("self.toml"), text).unwrap();
        let e = fails(d.path(), &["run", "self.toml"]);
        assert!(e.contains(expect), "{text}: {e}");
    }
    std::fs::write(
        d.path().join("m.json"),
        r#"{"harmspot_version":"0.1.0","command":["count","x-street.csv","--out","c.csv"],"sneaky":1}"#,
    )
    .unwrap();
    let e = fails(d.path(), &["run", "m.json"]);
    assert!(e.contains("unknown key `sneaky`"), "{e}");
}

#[cfg(unix)]
#[test]
fn run_files_are_read_with_a_size_cap() {
    let d = tempfile::tempdir().unwrap();
    let e = fails(d.path(), &["run", "/dev/zero"]);
    assert!(e.contains("too large for a run file"), "{e}");
    // a sparse 1 GB file is refused without reading it into memory
    let f = std::fs::File::create(d.path().join("big.toml")).unwrap();
    f.set_len(1 << 30).unwrap();
    let e = fails(d.path(), &["run", "big.toml"]);
    assert!(e.contains("too large for a run file"), "{e}");
}
