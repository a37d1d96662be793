//! Shared helpers for the CLI tests: run the real binary in a temporary folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The police.uk header.
pub const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context";

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
