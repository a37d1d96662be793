//! Bounded work: size caps for the small control files harmspot reads whole (harm table,
//! run file, areas), and the checks that refuse a job whose size is known to exceed what a
//! run can hold before the work starts.
//!
//! Every refusal is a typed [`LimitError`] naming the estimate, the limit and the parameter
//! to change, so a caller can match it and the command line can map the parameter to its flag.

pub use crate::error::LimitError;
use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Largest harm table read (bytes). A table has one line per crime type.
pub const HARM_TABLE_MAX_BYTES: u64 = 4 << 20;
/// Largest run file or manifest replayed (bytes).
pub const RUN_FILE_MAX_BYTES: u64 = 1 << 20;
/// Largest areas, hubs, boundary or control GeoJSON read (bytes).
pub const AREAS_MAX_BYTES: u64 = 512 << 20;
/// Smallest cell size accepted (metres): finer than any recorded location.
pub const MIN_CELL_SIZE: f64 = 0.1;
/// Largest cell size accepted (metres).
pub const MAX_CELL_SIZE: f64 = 100_000.0;
/// Largest distance accepted (metres) for neighbour distances, bandwidths, radii and
/// buffers: more than the length of Great Britain.
pub const MAX_DISTANCE: f64 = 1_000_000.0;
/// Largest harm weight accepted, from a harm table or a weight column: far above any
/// published index (the Cambridge Crime Harm Index's largest, homicide, is 5,475 days),
/// and small enough that sums over millions of incidents stay exact to the weights'
/// decimals.
pub const MAX_HARM_WEIGHT: f64 = 1e7;
/// Largest output file a grid verb writes (bytes, estimated before the work): a GeoJSON of
/// more is more than GIS tools open comfortably, and takes minutes to write.
pub const MAX_OUTPUT_BYTES: u64 = 2_000_000_000;
/// Most monthly layers a space-time job builds (100 years of months).
pub const MAX_MONTHS: u64 = 1200;
/// Most cell values (cells × layers) a job holds in memory: 2^31 values is 16 GiB of f64.
pub const MAX_CELL_VALUES: u64 = 1 << 31;
/// Most cells in one Gi* neighbourhood (a disc of the neighbour distance).
pub const MAX_NEIGHBOURHOOD_CELLS: u64 = 1 << 22;
/// Most features in an areas file.
pub const MAX_AREAS: u64 = 10_000;
/// Most vertices in one area polygon (a generalised force boundary has a few thousand).
pub const MAX_AREA_VERTICES: u64 = 250_000;
/// Most vertices in all areas, control and boundary together.
pub const MAX_TOTAL_VERTICES: u64 = 2_000_000;

/// Reads a whole control file of at most `limit` bytes; a longer file (or an endless one
/// such as `/dev/zero`) is refused after reading `limit + 1` bytes, so memory stays bounded.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("t.csv");
/// std::fs::write(&p, "12345").unwrap();
/// assert_eq!(harmspot::limits::read_capped(&p, 5, "harm table").unwrap(), b"12345");
/// assert!(harmspot::limits::read_capped(&p, 4, "harm table").is_err());
/// ```
pub fn read_capped(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut buf = Vec::new();
    f.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(path, e))?;
    if buf.len() as u64 > limit {
        return Err(LimitError::FileTooLarge {
            path: path.to_path_buf(),
            what,
            limit,
        }
        .into());
    }
    Ok(buf)
}

/// A reader that fails with an error naming the cap once more than `limit` bytes have been
/// read, so a streamed control file (an areas GeoJSON) cannot grow without bound.
///
/// ```
/// use std::io::Read;
/// let mut r = harmspot::limits::Capped::new(&b"abcdef"[..], 4, "areas file");
/// let mut s = String::new();
/// assert!(r.read_to_string(&mut s).is_err());
/// ```
pub struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: &'static str,
}

impl<R> Capped<R> {
    /// Wraps `inner`, allowing `limit` bytes of a `what`.
    pub fn new(inner: R, limit: u64, what: &'static str) -> Self {
        Capped {
            inner,
            left: limit,
            limit,
            what,
        }
    }
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // one more byte means the file is over the cap
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(std::io::Error::other(format!(
                    "larger than {} bytes, too large for a {}",
                    self.limit, self.what
                ))),
            };
        }
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let k = self.inner.read(&mut buf[..n])?;
        self.left -= k as u64;
        Ok(k)
    }
}

/// Refuses `estimate > limit` with a [`LimitError::TooLarge`].
///
/// ```
/// use harmspot::limits::check;
/// assert!(check("cells", 10, 10, "‹cell_size›").is_ok());
/// let e = check("cells", 11, 10, "‹cell_size›").unwrap_err().to_string();
/// assert!(e.contains("11") && e.contains("cell_size"), "{e}");
/// ```
pub fn check(what: &str, estimate: u64, limit: u64, parameter: &'static str) -> Result<()> {
    if estimate > limit {
        return Err(LimitError::TooLarge {
            what: what.to_string(),
            estimate,
            limit,
            parameter,
        }
        .into());
    }
    Ok(())
}

/// Refuses a length (metres) that is not finite and positive, or outside `min..=max`.
///
/// ```
/// use harmspot::limits::check_length;
/// assert!(check_length(harmspot::Param::CellSize, 250.0, 0.01, 1e6).is_ok());
/// assert!(check_length(harmspot::Param::CellSize, 1e-320, 0.01, 1e6).is_err());
/// assert!(check_length(harmspot::Param::CellSize, f64::NAN, 0.01, 1e6).is_err());
/// assert!(check_length(harmspot::Param::NeighbourDistance, 1e308, 0.01, 1e6).is_err());
/// ```
pub fn check_length(parameter: crate::Param, value: f64, min: f64, max: f64) -> Result<()> {
    if !value.is_finite() || value < min || value > max {
        return Err(Error::param(
            parameter,
            format!("{value:?} m is outside the accepted range {min} m to {max} m"),
        ));
    }
    Ok(())
}
