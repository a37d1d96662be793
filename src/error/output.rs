//! Why an output was refused or failed (the rules of [`crate::publish::write::safe`]): plain data
//! the error type wraps.

use std::path::PathBuf;

/// Why an output was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output is one of the inputs (same path, a link to it, or a hard link).
    #[error("output `{output}` is the input `{input}`: write the result to another file")]
    IsInput {
        /// The output path.
        output: PathBuf,
        /// The input it resolves to.
        input: PathBuf,
    },
    /// An input lies inside a result folder that the run replaces.
    #[error("input `{input}` lies inside the output folder `{folder}`, which the run replaces: choose another output folder")]
    InputInFolder {
        /// The input.
        input: PathBuf,
        /// The output folder.
        folder: PathBuf,
    },
    /// The output exists and is not a regular file harmspot may replace.
    #[error("output `{path}` is {kind}: harmspot only replaces regular files it may write; choose another output")]
    NotRegular {
        /// The output path.
        path: PathBuf,
        /// What it is (`a symbolic link`, `a FIFO`, `a device`, `a folder`, ...).
        kind: &'static str,
    },
    /// The output exists and is read-only.
    #[error("output `{path}` is read-only: harmspot does not replace it")]
    ReadOnly {
        /// The output path.
        path: PathBuf,
    },
    /// The output is a mount point: it cannot be replaced by renaming a finished copy over it.
    #[error("output `{path}` is a mount point (another file system is mounted there), which harmspot cannot replace in one step: write to a folder inside it, e.g. `{}`", .path.join("result").display())]
    MountPoint {
        /// The output path.
        path: PathBuf,
    },
    /// The output's folder cannot be written (permissions, a read-only file system).
    #[error("cannot write in `{folder}` (where `{output}` goes): {reason}; choose an output in a folder you can write")]
    FolderNotWritable {
        /// The folder.
        folder: PathBuf,
        /// The output.
        output: PathBuf,
        /// The system's reason.
        reason: String,
    },
    /// An existing result folder the user may not change.
    #[error("output folder `{path}` is read-only, or not yours to change: harmspot does not replace it; choose another folder")]
    ReadOnlyFolder {
        /// The folder.
        path: PathBuf,
    },
    /// A result folder holds files this verb does not write.
    #[error("output folder `{folder}` holds files harmspot did not write there: {}; move them, choose another folder, or force (they are then kept in the new folder)", .files.join(", "))]
    ForeignFiles {
        /// The folder.
        folder: PathBuf,
        /// The foreign entries' names.
        files: Vec<String>,
    },
    /// A companion file (a sidecar written beside an output) exists and was not written by
    /// harmspot for this output.
    #[error("`{path}` exists and was not written by harmspot beside `{output}`; move it or force")]
    ForeignCompanion {
        /// The companion.
        path: PathBuf,
        /// The output it accompanies.
        output: PathBuf,
    },
}
