//! Output safety: the rules every writer goes through, so a run never loses a file.
//!
//! - An output that is, or resolves to, one of the run's inputs is refused before any work
//!   ([`check_not_input`]: canonical paths and, for hard links, device + inode).
//! - An existing output must be a writable regular file: links, folders, FIFOs, devices and
//!   read-only files are refused ([`check_replaceable`]).
//! - Files are written under an unpredictable temporary name created with `O_EXCL` in the
//!   destination folder (the `tempfile` crate) and renamed into place when complete
//!   ([`super::AtomicFile`]).
//! - A result folder is written as a new hidden sibling and swapped into place only when
//!   complete ([`ResultDir`]); an existing folder holding files harmspot did not write is
//!   refused, naming them, unless the caller forces (the foreign files are then carried
//!   over into the new folder, never deleted).

pub use crate::error::OutputError;
use crate::error::{Error, Result};
use std::fs::Metadata;
use std::path::{Path, PathBuf};

fn kind(m: &Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    if t.is_dir() {
        return Some("a folder");
    }
    if t.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Refuses an existing `path` that is not a regular file (a symbolic link, folder, FIFO,
/// device or socket) or is read-only. A missing path is fine.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("a.csv");
/// assert!(harmspot::write::safe::check_replaceable(&p).is_ok());
/// assert!(harmspot::write::safe::check_replaceable(dir.path()).is_err());
/// ```
pub fn check_replaceable(path: &Path) -> Result<()> {
    let m = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(path, e)),
    };
    if let Some(kind) = kind(&m) {
        return Err(OutputError::NotRegular {
            path: path.to_path_buf(),
            kind,
        }
        .into());
    }
    if m.permissions().readonly() {
        return Err(OutputError::ReadOnly {
            path: path.to_path_buf(),
        }
        .into());
    }
    Ok(())
}

/// The identity of an existing file: device and inode on Unix, else its canonical path.
fn identity(path: &Path) -> Option<(u64, u64, PathBuf)> {
    let canon = std::fs::canonicalize(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some((m.dev(), m.ino(), canon))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0, canon))
    }
}

/// Refuses an output that is, or resolves to, one of `inputs` (same canonical path, a
/// symbolic link to it, or a hard link: same device and inode). `-` (standard streams) is
/// never an input file.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let a = dir.path().join("a.csv");
/// std::fs::write(&a, "x").unwrap();
/// let same = dir.path().join(".").join("a.csv");
/// assert!(harmspot::write::safe::check_not_input(&same, &[a.clone()]).is_err());
/// assert!(harmspot::write::safe::check_not_input(&dir.path().join("b.csv"), &[a]).is_ok());
/// ```
pub fn check_not_input(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    if output == Path::new("-") {
        return Ok(());
    }
    let Some(out) = identity(output) else {
        return Ok(()); // does not exist yet: cannot be an input
    };
    for input in inputs {
        if input == Path::new("-") {
            continue;
        }
        if let Some(i) = identity(input) {
            let same = if cfg!(unix) {
                (i.0, i.1) == (out.0, out.1)
            } else {
                i.2 == out.2
            };
            if same {
                return Err(OutputError::IsInput {
                    output: output.to_path_buf(),
                    input: input.clone(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// The checks for one output file, before any work: not an input, replaceable, and its
/// destination usable ([`check_destination`]).
pub fn check_output_file(output: &Path, inputs: &[PathBuf]) -> Result<()> {
    check_not_input(output, inputs)?;
    check_replaceable(output)?;
    check_destination(output)
}

/// The folder an output is written in (`.` for a bare name).
fn parent_of(dest: &Path) -> PathBuf {
    match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Checks, before any work, that `dest` can be put in place at the end: it is not a mount
/// point (a finished copy could not be renamed over it), and its folder, when it exists,
/// can be written (a probe file is created there and removed: permissions, a read-only file
/// system and a full inode table all show). A missing folder is created later.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// assert!(harmspot::write::safe::check_destination(&dir.path().join("a.csv")).is_ok());
/// assert!(harmspot::write::safe::check_destination(std::path::Path::new("/")).is_err());
/// ```
pub fn check_destination(dest: &Path) -> Result<()> {
    if dest == Path::new("-") {
        return Ok(());
    }
    let parent = parent_of(dest);
    if is_mount_point(dest, &parent) {
        return Err(OutputError::MountPoint {
            path: dest.to_path_buf(),
        }
        .into());
    }
    if !parent.is_dir() {
        return Ok(());
    }
    tempfile::Builder::new()
        .prefix(".harmspot-probe-")
        .tempfile_in(&parent)
        .map(drop)
        .map_err(|e| {
            OutputError::FolderNotWritable {
                folder: parent.clone(),
                output: dest.to_path_buf(),
                reason: e.to_string(),
            }
            .into()
        })
}

/// Whether `dest` exists on another device than its folder, or is the root of a file
/// system (`/`, a drive).
fn is_mount_point(dest: &Path, parent: &Path) -> bool {
    if dest.parent().is_none() && dest.has_root() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(d), Ok(p)) = (std::fs::symlink_metadata(dest), std::fs::metadata(parent)) {
            return d.dev() != p.dev();
        }
    }
    false
}

/// Whether the user may change the existing folder `dir`: it has a write bit, and (on
/// Linux) the system grants write access.
fn folder_writable(dir: &Path, m: &Metadata) -> bool {
    if m.permissions().readonly() {
        return false;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{access, Access};
        if access(dir, Access::WRITE_OK).is_err() {
            return false;
        }
    }
    let _ = dir;
    true
}

/// A companion file written beside `output` (a `.prj`, a per-column grid, a
/// `.manifest.json`) may replace an existing file only if harmspot wrote it there for the
/// same output — recorded in `output.manifest.json`'s `outputs` list — or if `force`.
pub fn check_companion(companion: &Path, output: &Path, force: bool) -> Result<()> {
    check_replaceable(companion)?;
    if force || companion == output || std::fs::symlink_metadata(companion).is_err() {
        return Ok(());
    }
    let mut name = output.as_os_str().to_owned();
    name.push(".manifest.json");
    let manifest = Path::new(&name);
    // the manifest is harmspot's when it is a harmspot manifest; the rest when it lists them
    let ours = match recorded_outputs(manifest) {
        Some(_) if companion == manifest => true,
        Some(names) => names.iter().any(|n| Path::new(n) == companion),
        None => false,
    };
    if ours {
        return Ok(());
    }
    Err(OutputError::ForeignCompanion {
        path: companion.to_path_buf(),
        output: output.to_path_buf(),
    }
    .into())
}

/// The `outputs` a harmspot manifest lists, if `path` is one.
fn recorded_outputs(path: &Path) -> Option<Vec<String>> {
    let bytes = crate::model::limits::read_capped(path, 16 << 20, "manifest").ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("harmspot_version")?;
    Some(
        v.get("outputs")?
            .as_array()?
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect(),
    )
}

/// A result folder being written: a hidden sibling of the destination that replaces it in
/// one step on [`ResultDir::commit`], and is removed if dropped uncommitted.
pub struct ResultDir {
    dest: PathBuf,
    tmp: Option<tempfile::TempDir>,
    known: Vec<String>,
    force: bool,
}

/// Names a verb may have written in an existing folder: `known` if the folder holds a
/// harmspot `manifest.json` (its `outputs` list when present); nothing otherwise.
fn ours(dir: &Path, known: &[String]) -> Vec<String> {
    match recorded_outputs(&dir.join("manifest.json")) {
        Some(listed) if !listed.is_empty() => listed
            .into_iter()
            .chain(["manifest.json".to_string(), "run.toml".to_string()])
            .collect(),
        _ if dir.join("manifest.json").is_file() => known.to_vec(),
        _ => Vec::new(),
    }
}

fn foreign(dir: &Path, known: &[String]) -> Result<Vec<String>> {
    let ours = ours(dir, known);
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !ours.contains(&name) {
            out.push(name);
        }
    }
    out.sort();
    Ok(out)
}

impl ResultDir {
    /// Checks the destination folder before any work and starts a hidden sibling to write
    /// into. `known` lists every file name the verb writes; `inputs` are the run's inputs
    /// (none may lie inside `dest`); `force` carries foreign files over instead of refusing.
    pub fn prepare(dest: &Path, known: &[&str], inputs: &[PathBuf], force: bool) -> Result<Self> {
        let known: Vec<String> = known.iter().map(|s| s.to_string()).collect();
        let parent = parent_of(dest);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        check_destination(dest)?;
        if let Ok(m) = std::fs::symlink_metadata(dest) {
            if !m.file_type().is_dir() {
                return Err(OutputError::NotRegular {
                    path: dest.to_path_buf(),
                    kind: kind(&m).unwrap_or("a file"),
                }
                .into());
            }
            if !folder_writable(dest, &m) {
                return Err(OutputError::ReadOnlyFolder {
                    path: dest.to_path_buf(),
                }
                .into());
            }
            let canon = std::fs::canonicalize(dest).map_err(|e| Error::io(dest, e))?;
            for input in inputs {
                if let Ok(i) = std::fs::canonicalize(input) {
                    if i.starts_with(&canon) {
                        return Err(OutputError::InputInFolder {
                            input: input.clone(),
                            folder: dest.to_path_buf(),
                        }
                        .into());
                    }
                }
            }
            let f = foreign(dest, &known)?;
            if !f.is_empty() && !force {
                return Err(OutputError::ForeignFiles {
                    folder: dest.to_path_buf(),
                    files: f,
                }
                .into());
            }
        }
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(dest.file_name().unwrap_or_default());
        prefix.push(".harmspot-");
        let tmp = super::with_umask(tempfile::Builder::new().prefix(&prefix), 0o777)
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        super::cleanup::register(tmp.path());
        Ok(ResultDir {
            dest: dest.to_path_buf(),
            tmp: Some(tmp),
            known,
            force,
        })
    }

    /// Where to write `name` now (inside the hidden sibling).
    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp
            .as_ref()
            .map_or_else(|| self.dest.join(name), |t| t.path().join(name))
    }

    /// The folder's final path.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Puts the complete folder in place. An existing folder is swapped out in one step
    /// where the system allows (Linux `RENAME_EXCHANGE`), else renamed aside first; foreign
    /// files (allowed by force) are moved into the new folder; the old folder is removed.
    pub fn commit(mut self) -> Result<()> {
        let tmp = self.tmp.take().expect("present until commit").keep();
        let _forget = super::Forget(tmp.clone());
        let undo = |e: Error| {
            let _ = std::fs::remove_dir_all(&tmp);
            e
        };
        if std::fs::symlink_metadata(&self.dest).is_err() {
            return std::fs::rename(&tmp, &self.dest).map_err(|e| undo(Error::io(&self.dest, e)));
        }
        let f = foreign(&self.dest, &self.known).map_err(undo)?;
        if !f.is_empty() && !self.force {
            return Err(undo(
                OutputError::ForeignFiles {
                    folder: self.dest.clone(),
                    files: f,
                }
                .into(),
            ));
        }
        for name in &f {
            std::fs::rename(self.dest.join(name), tmp.join(name))
                .map_err(|e| undo(Error::io(self.dest.join(name), e)))?;
        }
        // `tmp` now holds the old folder after the exchange
        if let Err(e) = exchange(&tmp, &self.dest) {
            // the foreign files go back where they were before the copy is removed
            for name in &f {
                let _ = std::fs::rename(tmp.join(name), self.dest.join(name));
            }
            return Err(undo(Error::io(&self.dest, e)));
        }
        let _ = std::fs::remove_dir_all(&tmp);
        Ok(())
    }
}

impl Drop for ResultDir {
    fn drop(&mut self) {
        if let Some(t) = &self.tmp {
            super::cleanup::forget(t.path());
        }
    }
}

/// Swaps two folders: atomically on Linux, else by renaming `b` aside, `a` to `b`, and the
/// old `b` to `a`.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{renameat_with, RenameFlags, CWD};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let aside = tempfile::Builder::new()
        .prefix(".harmspot-old-")
        .tempdir_in(
            b.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
        )?
        .keep();
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}
