//! Writing outputs. Every file is written to a temporary name beside its destination and
//! renamed into place only when complete, so a failed run never leaves a half-written file;
//! the rules that keep a run from destroying files are in [`safe`], standard output is
//! written through [`stdout`], and cell text through [`escape`].

pub mod cells;
pub mod cleanup;
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
        let tmp = with_umask(
            tempfile::Builder::new().prefix(&prefix).suffix(".tmp"),
            0o666,
        )
        .tempfile_in(dir)
        .map_err(|e| Error::io(dest, e))?;
        cleanup::register(tmp.path());
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
        let tmp_path = w.get_ref().path().to_path_buf();
        let _forget = Forget(tmp_path);
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

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(w) = &self.w {
            cleanup::forget(w.get_ref().path());
        }
    }
}

/// Forgets a registered temporary when dropped (after the temporary itself is gone).
pub(crate) struct Forget(pub(crate) PathBuf);

impl Drop for Forget {
    fn drop(&mut self) {
        cleanup::forget(&self.0);
    }
}

/// Gives a temporary file or folder the mode an ordinary file or folder would get (on Unix
/// `mode` less the umask, as `open` and `mkdir` apply it: 0666 and 0777), not tempfile's
/// owner-only 0600/0700, so results in a shared folder are readable as the user's umask
/// says. Elsewhere the platform's defaults stand.
pub(crate) fn with_umask<'b, 'p, 's>(
    b: &'b mut tempfile::Builder<'p, 's>,
    mode: u32,
) -> &'b mut tempfile::Builder<'p, 's> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    b
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
