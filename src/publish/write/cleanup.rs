//! Temporaries to remove if the run is interrupted.
//!
//! Every output is written under a hidden temporary name ([`super::AtomicFile`],
//! [`super::safe::ResultDir`]) that its destructor removes when the run fails — but a run
//! stopped by a signal (Ctrl-C, `kill`) runs no destructor. Each temporary is therefore
//! registered here while it exists, and a front end that catches the signal calls
//! [`remove_all`] before the process ends (the `harmspot` binary does, for SIGINT, SIGTERM
//! and SIGHUP). The library itself installs no signal handler.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records a temporary file or folder that is not (yet) a result.
pub fn register(path: &Path) {
    pending().push(path.to_path_buf());
}

/// Forgets a temporary: it became a result, or its owner removed it.
pub fn forget(path: &Path) {
    let mut p = pending();
    if let Some(k) = p.iter().rposition(|q| q == path) {
        p.swap_remove(k);
    }
}

/// The temporaries registered now.
pub fn registered() -> Vec<PathBuf> {
    pending().clone()
}

/// Removes every registered temporary (files, and folders with their contents) and
/// forgets them. For a front end stopping on a signal; the lock is held throughout, so a
/// temporary being registered meanwhile waits and is not half-removed.
pub fn remove_all() {
    let mut p = pending();
    for path in p.drain(..) {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => {
                let _ = std::fs::remove_dir_all(&path);
            }
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
            }
            Err(_) => {}
        }
    }
    // keep the lock until the process ends: nothing new may be registered and left behind
    std::mem::forget(p);
}
