//! `harmspot convert`: write extracts as GeoParquet 1.1 (WKB points in lon/lat, every
//! police.uk column typed, a row group per month) for DuckDB, geopandas, QGIS/GDAL and
//! Sedona, and for faster reads by harmspot itself.
//!
//! The inputs are read as by every verb (same columns, filters and skip report); only the
//! kept rows are written. Coordinates read as lon/lat are written as read (bit for bit);
//! projected x/y inputs are transformed back to WGS84.

use super::input::{print_summary, InputArgs};
use anyhow::{bail, Result};
use clap::Args;
use harmspot::{CoordColumns, Projector};
use std::path::PathBuf;

/// Arguments of `harmspot convert`.
#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  harmspot convert data/police-uk/ --out northumbria.parquet\n  harmspot info northumbria.parquet"
)]
pub struct ConvertArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output GeoParquet file (`.parquet`); written whole or not at all.
    #[arg(long, help_heading = "Output")]
    pub out: PathBuf,
}

pub fn run(a: ConvertArgs, quiet: bool) -> Result<()> {
    let ext = a.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !ext.eq_ignore_ascii_case("parquet") {
        bail!(
            "--out: `{}` must end in .parquet (convert writes GeoParquet)",
            a.out.display()
        );
    }
    harmspot::write::safe::check_output_file(&a.out, &a.input.safety_inputs())?;
    let opts = a.input.options()?;
    let projector = Projector::new(&a.input.working_crs)?;
    let bar = super::progress::Bar::new(quiet);
    let (inc, summary, rec) =
        harmspot::read::read_records(&a.input.inputs, &opts, &projector, &bar)?;
    print_summary(&summary, quiet);
    if inc.is_empty() {
        bail!(
            "no incidents left to convert ({} rows read, {} skipped, {} left out by --types/--exclude-types/--from/--to)",
            summary.rows,
            summary.skipped_total(),
            summary.filtered.values().sum::<u64>()
        );
    }
    let lonlat = match opts.columns.coords {
        Some(CoordColumns::Projected { .. }) => {
            let mut p = inc.xy.clone();
            projector.inverse.apply(&mut p);
            std::borrow::Cow::Owned(p)
        }
        _ => std::borrow::Cow::Borrowed(&rec.source_xy),
    };
    let written = harmspot::write::parquet::write_geoparquet(
        &a.out,
        &inc,
        &rec,
        &lonlat,
        opts.columns.weight.as_deref(),
    )?;
    super::note(
        quiet,
        format!(
            "wrote {} incidents in {} row groups (one per month) to {} (GeoParquet 1.1, WKB points, OGC:CRS84)",
            written.rows,
            written.row_groups,
            a.out.display()
        ),
    );
    Ok(())
}
