//! Issue 14: the CI-sized run of the fuzz targets (`fuzz/`): every reader over the saved
//! seed corpus (`fuzz/seeds/<target>/`, small files from the real data) and over any crash
//! reproducer kept in `fuzz/regressions/<target>/`. A panic fails the test; the valid seeds
//! must also read.

use harmspot::manifest::RunFile;
use harmspot::read::areas::{read_areas, read_boundary};
use harmspot::{read_incidents, HarmTable, Projector, ReadOptions};
use std::path::{Path, PathBuf};

fn files(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut v = Vec::new();
    for dir in ["seeds", "regressions"] {
        if let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) {
            v.extend(rd.filter_map(|e| e.ok()).map(|e| e.path()));
        }
    }
    v.sort();
    v
}

fn seeds(target: &str) -> Vec<PathBuf> {
    let v = files(target);
    assert!(!v.is_empty(), "no seeds for {target}");
    v
}

#[test]
fn police_csv_seeds() {
    let proj = Projector::new("EPSG:27700").unwrap();
    let d = tempfile::tempdir().unwrap();
    let mut kept = 0;
    for f in seeds("police_csv") {
        let p = d.path().join("2021-03-fuzz-street.csv");
        std::fs::copy(&f, &p).unwrap();
        if let Ok((inc, _)) = read_incidents(&[p], &ReadOptions::default(), &proj) {
            kept += inc.len();
        }
    }
    assert!(kept >= 19, "the real rows among the seeds read: {kept}");
}

#[test]
fn geojson_points_seeds() {
    let proj = Projector::new("EPSG:27700").unwrap();
    let d = tempfile::tempdir().unwrap();
    let mut kept = 0;
    for f in seeds("geojson_points") {
        let p = d.path().join("points.geojson");
        std::fs::copy(&f, &p).unwrap();
        if let Ok((inc, _)) = read_incidents(&[p], &ReadOptions::default(), &proj) {
            kept += inc.len();
        }
    }
    assert!(kept > 0);
}

#[test]
fn areas_seeds() {
    let proj = Projector::new("EPSG:27700").unwrap();
    let d = tempfile::tempdir().unwrap();
    let mut read = 0;
    for f in seeds("areas") {
        let p = d.path().join("areas.geojson");
        std::fs::copy(&f, &p).unwrap();
        read += read_areas(&p, &proj).map_or(0, |a| a.len());
        let _ = read_boundary(&p, &proj);
    }
    assert!(read >= 3);
}

#[test]
fn harm_table_seeds() {
    let mut ok = 0;
    for f in seeds("harm_table") {
        let bytes = std::fs::read(&f).unwrap();
        if let Ok(t) = HarmTable::parse(&bytes, &f) {
            ok += 1;
            let _ = t.weight("Burglary");
        }
    }
    assert!(ok >= 1);
}

#[test]
fn run_file_seeds() {
    let mut ok = 0;
    for f in seeds("run_file") {
        let bytes = std::fs::read(&f).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes) {
            ok += usize::from(RunFile::parse(text, &f).is_ok());
        }
    }
    assert!(ok >= 2);
}
