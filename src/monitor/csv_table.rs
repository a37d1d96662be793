//! Opening the small partner CSVs monitor reads (activities, area-coded counts): the
//! reader, its header, and a named column found whatever its case, surrounding spaces or a
//! byte-order mark — with an error naming the file, what that kind of file needs and the
//! columns found.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::Path;

/// A CSV file opened with its header read.
pub(super) struct CsvTable {
    /// The rows after the header (rows may have differing lengths).
    pub reader: csv::Reader<File>,
    /// The header.
    pub headers: csv::StringRecord,
}

impl CsvTable {
    /// Opens `path`. Errors: the file cannot be read, or its header is not CSV.
    pub fn open(path: &Path) -> Result<CsvTable> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(file);
        let headers = reader
            .headers()
            .map_err(|e| Error::format(path, format!("not a CSV file: {e}")))?
            .clone();
        Ok(CsvTable { reader, headers })
    }

    /// The index of column `name`; else an error saying `needs` (what a file of this kind
    /// holds) and the columns found.
    pub fn column(&self, path: &Path, name: &str, needs: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|h| {
                h.trim()
                    .trim_start_matches('\u{feff}')
                    .eq_ignore_ascii_case(name)
            })
            .ok_or_else(|| {
                Error::format(
                    path,
                    format!(
                        "no `{name}` column: {needs} (found: {})",
                        self.headers.iter().collect::<Vec<_>>().join(", ")
                    ),
                )
            })
    }
}
