//! The publishing layer: turns typed results and the typed records of what made them
//! ([`crate::model::used`]) into the metadata, files and folders an analyst hands on. Output
//! safety ([`crate::publish::write::safe`]) and disclosure control ([`crate::publish::disclosure`]) are
//! applied on the way out; nothing upstream spells an output key.

pub mod change;
pub mod compare;
pub mod disclosure;
pub mod draw;
pub mod emerging;
pub mod evaluate;
pub mod grid;
pub mod harm_spots;
pub mod hotspots;
pub mod metadata;
pub mod monitor;
pub mod summary;
pub mod write;

pub use metadata::metadata;

/// Writes `manifest.json` (the run's manifest stamped with its start time and the folder's
/// `outputs`) and `run.toml` (the same run as a file `harmspot run` replays) into a result
/// folder.
pub fn write_folder_manifest(
    dir: &std::path::Path,
    m: &crate::model::manifest::Manifest,
    outputs: &[&str],
    started: std::time::SystemTime,
) -> crate::Result<()> {
    let mut v = m.to_json_with_time(started);
    v["outputs"] = outputs.into();
    crate::publish::write::write_json(&dir.join("manifest.json"), &v)?;
    let toml = m.to_run_toml();
    crate::publish::write::write_atomic(&dir.join("run.toml"), |w| {
        std::io::Write::write_all(w, toml.as_bytes())
    })
}
