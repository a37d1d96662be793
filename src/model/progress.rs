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

/// Size and SHA-256 of everything read through a [`CountingReader`].
#[derive(Default)]
pub struct Digest(std::sync::Mutex<(sha2::Sha256, u64)>);

impl Digest {
    /// (bytes, lower-case hex SHA-256) of what was read.
    pub fn finish(self) -> (u64, String) {
        use sha2::Digest as _;
        let (h, n) = self.0.into_inner().unwrap_or_else(|e| e.into_inner());
        (n, h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A reader that reports the bytes read through it and hashes them, so that a run's
/// manifest gets each input's SHA-256 from the same single pass that reads it.
pub struct CountingReader<'a, R> {
    inner: R,
    progress: &'a dyn Progress,
    digest: &'a Digest,
}

impl<'a, R> CountingReader<'a, R> {
    /// Wraps `inner`.
    pub fn new(inner: R, progress: &'a dyn Progress, digest: &'a Digest) -> Self {
        CountingReader {
            inner,
            progress,
            digest,
        }
    }
}

impl<R: std::io::Read> std::io::Read for CountingReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use sha2::Digest as _;
        let n = self.inner.read(buf)?;
        if let Ok(mut d) = self.digest.0.lock() {
            d.0.update(&buf[..n]);
            d.1 += n as u64;
        }
        self.progress.advance(n as u64);
        Ok(n)
    }
}
