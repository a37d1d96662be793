//! Refusals of a job or control file too large to take on ([`crate::model::limits`]): plain data
//! the error type wraps; the modules that check limits raise it.

use std::path::PathBuf;

/// A job or file larger than harmspot will take on.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// A control file exceeds its size cap (or never ends, like `/dev/zero`).
    #[error("{path}: larger than {limit} bytes, too large for a {what}: give the right file")]
    FileTooLarge {
        /// The file.
        path: PathBuf,
        /// What the file was meant to be (`harm table`, `run file`, `areas file`).
        what: &'static str,
        /// The cap, bytes.
        limit: u64,
    },
    /// A job's size, estimated before the work, exceeds a limit.
    #[error("{what}: {estimate} exceeds the limit of {limit}; change {parameter}")]
    TooLarge {
        /// What was estimated (e.g. `cells x monthly layers`).
        what: String,
        /// The estimate.
        estimate: u64,
        /// The limit.
        limit: u64,
        /// What to change, parameters written as mentions (`‹cell_size›`, see
        /// [`crate::Param`]) so a front end spells them its own way.
        parameter: &'static str,
    },
}
