//! Writing outputs. Every file is written to a temporary name beside its destination and
//! renamed into place only when complete, so a failed run never leaves a half-written file;
//! the rules that keep a run from destroying files are in [`safe`], standard output is
//! written through [`stdout`], and cell text through [`escape`].

pub mod cells;
pub mod escape;
pub mod geojson;
pub mod number;
pub mod parquet;
pub mod parquet_grid;
pub mod raster;
pub mod safe;
pub mod stdout;

use crate::error::{Error, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written: a temporary sibling with an unpredictable name, created with
/// `O_EXCL` (the `tempfile` crate, so a planted link is never followed), that becomes
/// `dest` on [`AtomicFile::commit`] and is removed if dropped uncommitted.
///
/// An existing `dest` must be a writable regular file ([`safe::check_replaceable`]): links,
/// FIFOs, devices and read-only files are refused before anything is written.
pub struct AtomicFile {
    dest: PathBuf,
    w: Option<BufWriter<tempfile::NamedTempFile>>,
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let name = dest.file_name().ok_or_else(|| {
            Error::param(
                crate::Param::Out,
                format!("`{}` is not a file name", dest.display()),
            )
        })?;
        safe::check_replaceable(dest)?;
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io(dest, e))?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            w: Some(BufWriter::with_capacity(1 << 20, tmp)),
        })
    }

    /// The buffered writer.
    pub fn writer(&mut self) -> &mut BufWriter<tempfile::NamedTempFile> {
        self.w.as_mut().expect("writer present until commit")
    }

    /// Flushes, syncs and renames into place (the destination is checked again just
    /// before); on failure the temporary file is removed.
    pub fn commit(mut self) -> Result<()> {
        let w = self.w.take().expect("writer present until commit");
        let tmp = w
            .into_inner()
            .map_err(|e| Error::io(&self.dest, e.into_error()))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io(&self.dest, e))?;
        safe::check_replaceable(&self.dest)?;
        tmp.persist(&self.dest)
            .map_err(|e| Error::io(&self.dest, e.error))?;
        Ok(())
    }
}

/// Writes `dest` atomically with `f`; maps I/O errors to the destination path.
///
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("out.txt");
/// harmspot::write::write_atomic(&p, |w| Ok(w.write_all(b"hello")?)).unwrap();
/// assert_eq!(std::fs::read_to_string(&p).unwrap(), "hello");
/// let failed = harmspot::write::write_atomic(&dir.path().join("bad.txt"), |_| Err(std::io::Error::other("boom")));
/// assert!(failed.is_err() && !dir.path().join("bad.txt").exists());
/// assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1); // no temporary left
/// ```
pub fn write_atomic(
    dest: &Path,
    f: impl FnOnce(&mut BufWriter<tempfile::NamedTempFile>) -> std::io::Result<()>,
) -> Result<()> {
    let mut a = AtomicFile::create(dest)?;
    f(a.writer()).map_err(|e| Error::io(dest, e))?;
    a.commit()
}

/// Writes a value as pretty JSON, atomically.
pub fn write_json<T: serde::Serialize>(dest: &Path, value: &T) -> Result<()> {
    write_atomic(dest, |w| {
        serde_json::to_writer_pretty(&mut *w, value)?;
        w.write_all(b"\n")
    })
}

/// Creates an output folder (and parents) if missing.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}
