//! Expanding the inputs a user names into the files to read.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Expands the inputs: a folder becomes every `*-street.csv` below it (sorted), `-` is
/// standard input, anything else is a file. A police.uk download unpacks to one folder per
/// month; pass the top folder.
///
/// Folders are walked following symbolic links (a month folder linked in from elsewhere is
/// read like the others); a folder reached twice — a link loop, or two links to one folder —
/// is walked once, and a link that leads nowhere (but a hidden one) is an error naming it. Only regular files
/// are taken from folders. A file named twice — directly and inside a folder, or through
/// another path — is read once, where it first appears.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let f = dir.path().join("2021-03-x-street.csv");
/// std::fs::write(&f, "x").unwrap();
/// let files = harmspot::read::expand_inputs(&[dir.path().to_path_buf(), f.clone()]).unwrap();
/// assert_eq!(files, vec![f]);
/// ```
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |p: PathBuf, out: &mut Vec<PathBuf>| {
        if p == Path::new("-") || seen.insert(identity(&p)) {
            out.push(p);
        }
    };
    for p in inputs {
        if p == Path::new("-") {
            add(p.clone(), &mut out);
        } else if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, 0, &mut std::collections::HashSet::new())?;
            if found.is_empty() {
                return Err(Error::format(
                    p,
                    "folder holds no police.uk `*-street.csv` file",
                ));
            }
            found.sort();
            for f in found {
                add(f, &mut out);
            }
        } else if p.exists() {
            if !std::fs::metadata(p).is_ok_and(|m| m.is_file()) {
                return Err(Error::format(
                    p,
                    "is not a regular file (a device, FIFO or socket cannot be an extract)",
                ));
            }
            add(p.clone(), &mut out);
        } else {
            return Err(Error::io(
                p,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            ));
        }
    }
    if out.is_empty() {
        return Err(Error::param(
            crate::Param::Input,
            "give at least one file, folder or `-`",
        ));
    }
    Ok(out)
}

/// What makes two paths the same file: device and inode on Unix, the canonical path
/// elsewhere.
fn identity(p: &Path) -> (u64, u64, PathBuf) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(p) {
            return (m.dev(), m.ino(), PathBuf::new());
        }
    }
    (
        0,
        0,
        std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()),
    )
}

/// Folder depth beyond which a walk stops (police.uk downloads are two deep).
const MAX_DEPTH: usize = 32;

fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    depth: usize,
    walked: &mut std::collections::HashSet<(u64, u64, PathBuf)>,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::format(
            dir,
            format!("folders nested more than {MAX_DEPTH} deep"),
        ));
    }
    if !walked.insert(identity(dir)) {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let mut kind = entry.file_type().map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if kind.is_symlink() {
            kind = match std::fs::metadata(&path) {
                Ok(m) => m.file_type(),
                // an editor's lock link (`.#name`) and other hidden entries are not months
                Err(_) if entry.file_name().to_string_lossy().starts_with('.') => continue,
                Err(e) => {
                    return Err(Error::format(
                        &path,
                        format!("is a symbolic link that cannot be followed ({e}): a month folder or file linked here would be left out"),
                    ));
                }
            };
        }
        if kind.is_dir() {
            walk(&path, out, depth + 1, walked)?;
        } else if kind.is_file() && is_extract_name(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A police.uk monthly file name, `*-street.csv` (any case).
fn is_extract_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_ascii_lowercase().ends_with("-street.csv"))
}
