//! Issue 14, output safety: a run never destroys or replaces a file it did not make, never
//! leaves a mix of old and new results, and fails (exit 2, the OS error) when an output
//! cannot be written completely.

use crate::common::*;
use std::path::Path;

fn extract(dir: &Path, name: &str) -> String {
    let lines: Vec<String> = (0..40)
        .map(|i| {
            row(
                &format!("id{i}"),
                "2021-03",
                &format!("-1.61{:02}", i % 7),
                &format!("54.97{:02}", i % 5),
                if i % 3 == 0 {
                    "Burglary"
                } else {
                    "Anti-social behaviour"
                },
            )
        })
        .collect();
    let mut all = vec![HEADER.to_string()];
    all.extend(lines);
    write(dir, name, &all);
    name.to_string()
}

#[test]
fn output_that_is_the_input_is_refused_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "victim-street.csv");
    let before = std::fs::read(d.path().join(&f)).unwrap();
    for out in ["victim-street.csv", "./victim-street.csv"] {
        let e = fails(d.path(), &["count", &f, "--cell-size", "200", "--out", out]);
        assert!(e.contains("is the input"), "{e}");
    }
    // a hard link to the input
    std::fs::hard_link(d.path().join(&f), d.path().join("link.csv")).unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "link.csv"],
    );
    assert!(e.contains("is the input"), "{e}");
    // an input found inside a folder
    let e = fails(
        d.path(),
        &[
            "count",
            ".",
            "--cell-size",
            "200",
            "--out",
            "victim-street.csv",
        ],
    );
    assert!(e.contains("is the input"), "{e}");
    assert_eq!(std::fs::read(d.path().join(&f)).unwrap(), before);
}

#[test]
fn geojson_input_is_not_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    ok(
        d.path(),
        &[
            "count",
            &f,
            "--cell-size",
            "200",
            "--out",
            "cells.geojson",
            "-q",
        ],
    );
    let before = std::fs::read(d.path().join("cells.geojson")).unwrap();
    // cells.geojson is not an incidents file, but points.geojson is: use the hubs sample
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hubs-example.geojson"),
        d.path().join("pts.geojson"),
    )
    .unwrap();
    let e = fails(
        d.path(),
        &[
            "count",
            "pts.geojson",
            "--cell-size",
            "200",
            "--out",
            "pts.geojson",
        ],
    );
    assert!(e.contains("is the input"), "{e}");
    assert_eq!(
        std::fs::read(d.path().join("cells.geojson")).unwrap(),
        before
    );
}

#[cfg(unix)]
#[test]
fn links_fifos_devices_and_read_only_outputs_are_refused() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::write(d.path().join("target.csv"), "precious").unwrap();
    std::os::unix::fs::symlink(d.path().join("target.csv"), d.path().join("link.csv")).unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "link.csv"],
    );
    assert!(e.contains("symbolic link"), "{e}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("target.csv")).unwrap(),
        "precious"
    );

    let fifo = d.path().join("pipe.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "pipe.csv"],
    );
    assert!(e.contains("FIFO"), "{e}");

    let e = fails(
        d.path(),
        &["generate", "--rows", "10", "--out", "/dev/null"],
    );
    assert!(e.contains("device"), "{e}");
    assert!(!Path::new("/dev/null").metadata().unwrap().is_file());

    let ro = d.path().join("ro.csv");
    std::fs::write(&ro, "keep").unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "ro.csv"],
    );
    assert!(e.contains("read-only"), "{e}");
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), "keep");
}

#[test]
fn full_disk_is_an_error_with_the_os_message() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    for args in [
        vec!["generate", "--rows", "100", "--out", "-"],
        vec!["info", "--json", f.as_str()],
        vec!["info", f.as_str()],
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
            .args(&args)
            .current_dir(d.path())
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("No space left on device"), "{args:?}: {e}");
    }
}

#[test]
fn closed_pipe_is_an_error() {
    use std::io::Read;
    let d = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
        .args(["generate", "--rows", "200000", "--out", "-"])
        .current_dir(d.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 100];
    out.read_exact(&mut buf).unwrap();
    drop(out);
    let o = child.wait_with_output().unwrap();
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("Broken pipe"), "{e}");
}

#[test]
fn result_folder_with_foreign_files_is_refused_unless_forced() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::create_dir(d.path().join("R")).unwrap();
    std::fs::write(d.path().join("R/points.geojson"), "mine").unwrap();
    let args = [
        "hotspots",
        &f,
        "--cell-size",
        "200",
        "--bandwidth",
        "400",
        "--out",
        "R",
        "-q",
    ];
    let e = fails(d.path(), &args);
    assert!(
        e.contains("points.geojson") && e.contains("did not write"),
        "{e}"
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("R/points.geojson")).unwrap(),
        "mine"
    );
    // forced: the foreign file is kept in the new folder
    let mut forced = args.to_vec();
    forced.push("--force");
    ok(d.path(), &forced);
    assert_eq!(
        std::fs::read_to_string(d.path().join("R/points.geojson")).unwrap(),
        "mine"
    );
    assert!(d.path().join("R/hotspots.geojson").is_file());
    // the kept file stays foreign: the next run refuses again; once the user moves it, a
    // run into harmspot's own folder needs no force
    assert!(fails(d.path(), &args).contains("points.geojson"));
    std::fs::remove_file(d.path().join("R/points.geojson")).unwrap();
    ok(d.path(), &args);
    // no hidden temporaries or old folders are left beside or inside it
    assert!(
        temporaries(d.path()).is_empty(),
        "{:?}",
        temporaries(d.path())
    );
    let hidden: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn result_folder_is_replaced_whole_stale_outputs_go() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    let args = [
        "hotspots",
        &f,
        "--cell-size",
        "200",
        "--bandwidth",
        "400",
        "--out",
        "R",
        "-q",
    ];
    let mut with_points = args.to_vec();
    with_points.push("--include-points");
    ok(d.path(), &with_points);
    assert!(d.path().join("R/points.geojson").is_file());
    ok(d.path(), &args);
    // the new folder is the new run only: no points layer from the earlier run
    assert!(!d.path().join("R/points.geojson").exists());
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("R/manifest.json")).unwrap())
            .unwrap();
    assert!(m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o == "hotspots.geojson"));
}

#[test]
fn input_inside_the_result_folder_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    ok(
        d.path(),
        &[
            "hotspots",
            &f,
            "--cell-size",
            "200",
            "--bandwidth",
            "400",
            "--out",
            "R",
            "-q",
        ],
    );
    std::fs::copy(d.path().join(&f), d.path().join("R/cells.geojson.csv")).unwrap();
    let e = fails(
        d.path(),
        &[
            "hotspots",
            "R/cells.geojson.csv",
            "--cell-size",
            "200",
            "--bandwidth",
            "400",
            "--out",
            "R",
            "-q",
        ],
    );
    assert!(e.contains("inside the output folder"), "{e}");
}

#[test]
fn hexagons_leave_a_users_density_tif_alone() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::create_dir(d.path().join("R")).unwrap();
    std::fs::write(d.path().join("R/density.tif"), "user's raster").unwrap();
    let e = fails(
        d.path(),
        &[
            "hotspots",
            &f,
            "--cell-size",
            "200",
            "--bandwidth",
            "400",
            "--shape",
            "hex",
            "--out",
            "R",
            "-q",
        ],
    );
    assert!(e.contains("density.tif"), "{e}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("R/density.tif")).unwrap(),
        "user's raster"
    );
}

#[test]
fn compare_folder_is_checked_too() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::create_dir(d.path().join("C")).unwrap();
    std::fs::write(d.path().join("C/notes.txt"), "mine").unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hubs-example.geojson"),
        d.path().join("hubs.geojson"),
    )
    .unwrap();
    let e = fails(
        d.path(),
        &[
            "compare",
            &f,
            "--areas",
            "hubs.geojson",
            "--radius",
            "300",
            "--start",
            "2021-03",
            "--out",
            "C",
        ],
    );
    assert!(e.contains("notes.txt"), "{e}");
}

#[test]
fn companions_not_written_by_harmspot_are_kept() {
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::write(d.path().join("a_harm.asc"), "user's grid").unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "a.asc"],
    );
    assert!(e.contains("a_harm.asc"), "{e}");
    assert_eq!(
        std::fs::read_to_string(d.path().join("a_harm.asc")).unwrap(),
        "user's grid"
    );
    std::fs::write(d.path().join("m.csv.manifest.json"), "{\"mine\": 1}").unwrap();
    let e = fails(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "m.csv"],
    );
    assert!(e.contains("m.csv.manifest.json"), "{e}");
    // harmspot's own companions are replaced on a re-run; --force replaces foreign ones
    std::fs::remove_file(d.path().join("a_harm.asc")).unwrap();
    ok(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "a.asc", "-q"],
    );
    ok(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "a.asc", "-q"],
    );
    ok(
        d.path(),
        &[
            "count",
            &f,
            "--cell-size",
            "200",
            "--out",
            "m.csv",
            "--force",
            "-q",
        ],
    );
}

#[test]
fn temporaries_have_unpredictable_names() {
    // a planted `.NAME.PID.tmp` link is never followed: the temporary is a new file
    let d = tempfile::tempdir().unwrap();
    let f = extract(d.path(), "x-street.csv");
    std::fs::write(d.path().join("victim"), "root's file").unwrap();
    #[cfg(unix)]
    for pid in 1..2000u32 {
        let _ = std::os::unix::fs::symlink(
            d.path().join("victim"),
            d.path().join(format!(".c.csv.{pid}.tmp")),
        );
    }
    ok(
        d.path(),
        &["count", &f, "--cell-size", "200", "--out", "c.csv", "-q"],
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("victim")).unwrap(),
        "root's file"
    );
}

#[cfg(unix)]
#[test]
fn killed_run_leaves_the_old_folder_whole() {
    let d = tempfile::tempdir().unwrap();
    std::fs::copy(sample(), d.path().join("x-street.csv")).unwrap();
    let args = [
        "hotspots",
        "x-street.csv",
        "--cell-size",
        "150",
        "--out",
        "R",
        "-q",
    ];
    ok(d.path(), &args);
    let snapshot = |dir: &Path| -> Vec<(String, Vec<u8>)> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let old = snapshot(&d.path().join("R"));
    for delay_ms in [50u64, 300, 800] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_harmspot"))
            .args(args)
            .current_dir(d.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let now = snapshot(&d.path().join("R"));
        if status.success() {
            // finished before the kill: a whole new folder (same bytes bar the start time)
            assert_eq!(now.len(), old.len());
        } else {
            assert_eq!(
                now, old,
                "killed after {delay_ms} ms: the old folder must be untouched"
            );
        }
        assert!(temporaries(&d.path().join("R")).is_empty());
    }
}
