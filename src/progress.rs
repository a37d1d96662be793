//! Progress reporting for long steps (reading, KDE, permutations).
//!
//! The library never prints: long-running functions take a `&dyn Progress` and report
//! units of work done. The binary shows an indicatif bar on a terminal and nothing
//! otherwise; [`Silent`] ignores everything.

/// Receives progress of a long step. Implementations must be cheap and thread-safe:
/// `advance` is called from rayon workers.
pub trait Progress: Sync {
    /// A step starts; `total` units of work (0 when unknown).
    fn begin(&self, _label: &str, _total: u64) {}
    /// `n` more units are done.
    fn advance(&self, _n: u64) {}
    /// The step is finished.
    fn end(&self) {}
}

/// Reports nothing.
#[derive(Copy, Clone, Debug, Default)]
pub struct Silent;

impl Progress for Silent {}

/// A reader that reports the bytes read through it.
pub struct CountingReader<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
}

impl<'a, R> CountingReader<'a, R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: &'a dyn Progress) -> Self {
        CountingReader { inner, progress }
    }
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}
