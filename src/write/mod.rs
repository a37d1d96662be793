//! Writing outputs. Every file is written to a temporary name beside its destination and
//! renamed into place only when complete, so a failed run never leaves a half-written file.

pub mod cells;
pub mod geojson;
pub mod number;
pub mod raster;

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written: a temporary sibling that becomes `dest` on [`AtomicFile::commit`]
/// and is removed if dropped uncommitted.
pub struct AtomicFile {
    tmp: PathBuf,
    dest: PathBuf,
    w: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing `dest` (its folder must exist).
    pub fn create(dest: &Path) -> Result<AtomicFile> {
        let name = dest.file_name().ok_or_else(|| {
            Error::param("--out", format!("`{}` is not a file name", dest.display()))
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".{}.tmp", std::process::id()));
        let tmp = dest.with_file_name(tmp_name);
        let f = File::create(&tmp).map_err(|e| Error::io(dest, e))?;
        Ok(AtomicFile {
            tmp,
            dest: dest.to_path_buf(),
            w: Some(BufWriter::with_capacity(1 << 20, f)),
        })
    }

    /// The buffered writer.
    pub fn writer(&mut self) -> &mut BufWriter<File> {
        self.w.as_mut().expect("writer present until commit")
    }

    /// Flushes, syncs and renames into place; on failure the temporary file is removed.
    pub fn commit(mut self) -> Result<()> {
        let w = self.w.take().expect("writer present until commit");
        let done = w
            .into_inner()
            .map_err(|e| Error::io(&self.dest, e.into_error()))
            .and_then(|f| f.sync_all().map_err(|e| Error::io(&self.dest, e)))
            .and_then(|()| {
                std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))
            });
        if done.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        done
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.w.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
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
    f: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
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
