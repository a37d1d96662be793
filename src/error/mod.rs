//! The library's error type.
//!
//! Row-level problems in large extracts are not errors: they are skipped and counted in a
//! [`crate::ReadSummary`]. An [`Error`] is something the analyst must fix before a run can
//! give a trustworthy answer, and its message says where (file, line, field) and what to do.

mod limit;
mod output;
mod param;
mod work;

pub use limit::LimitError;
pub use output::OutputError;
pub use param::Param;
use std::path::PathBuf;
pub(crate) use work::grouped;
pub use work::{Step, WorkError};

/// Everything that can stop a harmspot run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read, written or renamed. Check the path and permissions.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not what it claims to be (not CSV, not GeoJSON, a required column missing).
    /// The reason names what is missing; fix the file or the column options.
    #[error("{path}: {reason}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// One field of a small control file (a harm table, an areas file, a run config) is wrong.
    /// Such files are read whole, so a bad field stops the run instead of being skipped.
    #[error("{path}:{line}: field `{field}`: {reason}")]
    Field {
        /// The file concerned.
        path: PathBuf,
        /// 1-based line (or feature number for GeoJSON).
        line: u64,
        /// The column or property name.
        field: String,
        /// What is wrong with the value.
        reason: String,
    },
    /// A coordinate reference system is unknown to PROJ, geographic where a projected one is
    /// needed, or a transformation failed. Use an EPSG code of a projected CRS in metres.
    #[error("coordinate reference system: {0}")]
    Crs(String),
    /// A parameter is out of range or inconsistent with others. The message names the
    /// parameter ([`Param`]); other parameters it mentions are written `` `name` `` too.
    #[error("{param}: {reason}")]
    Param {
        /// The parameter.
        param: Param,
        /// What is wrong and what would be accepted.
        reason: String,
    },
    /// Nothing to analyse: no incidents (or months, or study-area cells) left for the step
    /// the message names, or incidents without the month a space-time method needs.
    #[error("{0}")]
    NoData(String),
    /// The data give the method no answer: no variance for Gi*, every incident at one place
    /// for a bandwidth rule, too few months for a trend, no hot spot to evaluate. The message
    /// says which parameter or filter to change.
    #[error("{0}")]
    Degenerate(String),
    /// The job would need more memory, cells or distinct values than harmspot allows; the
    /// message gives the size and the parameter to change.
    #[error("{0}")]
    TooLarge(String),
    /// Inputs that do not fit together: a column of the wrong length or missing, a value
    /// that is not finite, an index built over other incidents. From the CLI this is a bug;
    /// from the library, a caller's mistake.
    #[error("{0}")]
    Mismatch(String),
    /// A job or control file larger than harmspot will take on; the message gives the
    /// estimate, the limit and the parameter to change.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A comparison whose estimated work (polygon checks, overlaps, buffer rings or
    /// point-in-polygon tests) exceeds its limit; the message gives the estimate, the limit
    /// and what to change: generalise the polygons, split the areas file, leave out buffers.
    #[error(transparent)]
    Work(#[from] WorkError),
    /// An output that would destroy or replace a file the run did not make (an input, a
    /// foreign file, a link, a device) or could not be written completely.
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl Error {
    /// Shorthand for an [`Error::Param`].
    pub fn param(param: Param, reason: impl Into<String>) -> Self {
        Error::Param {
            param,
            reason: reason.into(),
        }
    }

    /// Shorthand for an [`Error::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Shorthand for an [`Error::Format`].
    pub fn format(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// Result with the library's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
