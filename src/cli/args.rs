//! Argument checks shared by several verbs: periods and JSON output paths.

use anyhow::{bail, Context, Result};
use harmspot::{Incidents, MonthRange};
use std::path::Path;

/// A `YYYY-MM..YYYY-MM` period flag.
pub fn period(flag: &str, s: &str) -> Result<MonthRange> {
    MonthRange::parse(s).with_context(|| {
        format!("{flag}: `{s}` is not a month range YYYY-MM..YYYY-MM (or one month YYYY-MM) with the first month not after the last")
    })
}

/// Checks, before any work, that a JSON output path has a `.json` extension and an existing
/// folder.
pub fn json_path(flag: &str, p: &Path) -> Result<()> {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if ext.as_deref() != Some("json") {
        bail!("{flag}: `{}` must end in .json", p.display());
    }
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("{flag}: folder `{}` does not exist", dir.display());
    }
    Ok(())
}

/// The positions of the incidents of both periods, which a two-period grid covers (and
/// nothing else); an error naming the data's months when there are none.
pub fn both_periods_xy(
    inc: &Incidents,
    before: MonthRange,
    after: MonthRange,
) -> Result<Vec<[f64; 2]>> {
    let xy: Vec<[f64; 2]> = (0..inc.len())
        .filter(|&i| before.contains(inc.month[i]) || after.contains(inc.month[i]))
        .map(|i| inc.xy[i])
        .collect();
    if xy.is_empty() {
        let have = inc.month_range().map_or("none".into(), |r| r.to_string());
        bail!("no incidents in {before} or {after} (the data cover {have})");
    }
    Ok(xy)
}
