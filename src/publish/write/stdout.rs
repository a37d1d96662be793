//! Standard output, written and flushed with every error checked: a full disk (`ENOSPC`) or
//! a closed pipe (`EPIPE`) is an error naming standard output, never a silent exit 0.

use crate::error::{Error, Result};
use std::io::{BufWriter, StdoutLock, Write};

/// The name errors give standard output.
pub const STDOUT: &str = "<standard output>";

/// Runs `f` on a buffered standard output, then flushes it; any write or flush error is an
/// [`Error::Io`] on [`STDOUT`].
///
/// ```
/// use std::io::Write;
/// harmspot::write::stdout::with_stdout(|w| {
///     w.write_all(b"").map_err(|e| harmspot::Error::io(harmspot::write::stdout::STDOUT, e))
/// })
/// .unwrap();
/// ```
pub fn with_stdout<T>(
    f: impl FnOnce(&mut BufWriter<StdoutLock<'static>>) -> Result<T>,
) -> Result<T> {
    let mut w = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let v = f(&mut w)?;
    w.flush().map_err(|e| Error::io(STDOUT, e))?;
    Ok(v)
}
