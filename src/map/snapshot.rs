//! Reading a result folder as one run wrote it, while another run may be replacing it.
//!
//! A folder-writing verb replaces its result folder in one step (the new folder is renamed
//! over the old one), so a reader that lists the folder and then opens its files one by one
//! can meet the old run's files and the new run's. [`read_consistent`] records the folder's
//! identity — its file-system identity (device and inode on Unix) and the bytes of its
//! `manifest.json` — before reading and checks it after: if it changed, or a file vanished
//! in between, the folder was replaced while being read and the read starts again, a few
//! times, before giving up with a message saying another run is writing it.

use crate::error::{Error, Result};
use std::path::Path;

/// Attempts before [`read_consistent`] gives up.
pub(crate) const ATTEMPTS: usize = 5;

/// What identifies one run's folder: (device, inode) where known and the manifest's bytes.
#[derive(PartialEq, Eq, Debug)]
struct Identity {
    node: Option<(u64, u64)>,
    manifest: Option<Vec<u8>>,
}

fn identity(dir: &Path) -> Identity {
    #[cfg(unix)]
    let node = {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    };
    #[cfg(not(unix))]
    let node = None;
    Identity {
        node,
        manifest: std::fs::read(dir.join("manifest.json")).ok(),
    }
}

/// Runs `read` on `dir` until the folder is the same before and after it (at most
/// [`ATTEMPTS`] times). An error from `read` is returned as is when the folder did not
/// change; when it did, the read is retried.
pub(crate) fn read_consistent<T>(dir: &Path, mut read: impl FnMut() -> Result<T>) -> Result<T> {
    for _ in 0..ATTEMPTS {
        let before = identity(dir);
        let got = read();
        if identity(dir) == before {
            return got;
        }
    }
    Err(Error::format(
        dir,
        format!("the folder was replaced {ATTEMPTS} times while being read (another harmspot run is writing it): map it once that run has finished"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn run_folder(dir: &Path, tag: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("manifest.json"), format!("{{\"run\":\"{tag}\"}}")).unwrap();
        std::fs::write(dir.join("a.txt"), tag).unwrap();
        std::fs::write(dir.join("b.txt"), tag).unwrap();
    }

    /// The race of issue 23 item 1, made deterministic: the folder is replaced by another
    /// run's between reading its first and its second file.
    #[test]
    fn a_folder_replaced_mid_read_is_read_again_whole() {
        let t = tempfile::tempdir().unwrap();
        let res = t.path().join("res");
        let next = t.path().join("next");
        run_folder(&res, "one");
        run_folder(&next, "two");
        let swapped = Cell::new(false);
        let got = read_consistent(&res, || {
            let a = std::fs::read_to_string(res.join("a.txt")).map_err(|e| Error::io(&res, e))?;
            if !swapped.replace(true) {
                std::fs::rename(&res, t.path().join("old")).unwrap();
                std::fs::rename(&next, &res).unwrap();
            }
            let b = std::fs::read_to_string(res.join("b.txt")).map_err(|e| Error::io(&res, e))?;
            Ok((a, b))
        })
        .unwrap();
        assert_eq!(got, ("two".to_string(), "two".to_string()));
    }

    #[test]
    fn a_folder_that_keeps_changing_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let res = t.path().join("res");
        run_folder(&res, "0");
        let n = Cell::new(0);
        let e = read_consistent(&res, || {
            n.set(n.get() + 1);
            std::fs::write(res.join("manifest.json"), n.get().to_string()).unwrap();
            Ok(())
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("another harmspot run is writing it"), "{e}");
        assert_eq!(n.get(), ATTEMPTS);
    }
}
