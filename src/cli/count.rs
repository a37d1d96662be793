//! `harmspot count`: incidents and harm per grid cell (METHODS §4).

use super::input::InputArgs;
use super::layer_out::{record_run, GridArgs, OutArgs};
use anyhow::Result;
use clap::{Args, ValueEnum};
use harmspot::count::{aggregate, column_count, By, CountParams};

/// Extra columns per group.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// `n_<type>` and `harm_<type>` per crime type present (lower-case slug of the name).
    Type,
    /// `n_<yyyy_mm>` and `harm_<yyyy_mm>` per month, first to last, empty months included.
    Month,
}

/// Arguments of `harmspot count`.
#[derive(Args, Debug)]
#[command(
    after_help = "Columns: n (incidents), harm (sum of harm weights), and with --by \
n_<key>... then harm_<key>..., key = the crime type or month in lower case with other \
characters as _ (n_anti_social_behaviour, n_2021_03).\n\n\
Example:\n  harmspot count data/police-uk/ --cell-size 250 --by type --out counts.geojson --out counts.tif"
)]
pub struct CountArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    /// Also count per crime type or per month.
    #[arg(long, value_enum, help_heading = "Count")]
    pub by: Option<ByArg>,
    #[command(flatten)]
    pub out: OutArgs,
}

pub fn run(a: CountArgs, quiet: bool) -> Result<()> {
    a.grid.validate()?;
    a.out.check(a.grid.shape.into(), &a.input)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let params = CountParams {
        by: a.by.map(|b| match b {
            ByArg::Type => By::Type,
            ByArg::Month => By::Month,
        }),
    };
    let columns = column_count(&loaded.incidents, &params)?;
    let built =
        a.grid
            .build_for_columns(&loaded.incidents.xy, &loaded.projector, columns, quiet)?;
    let mut layer = aggregate(&loaded.incidents, &built.grid, &params)?;
    record_run(&mut layer, &built, &loaded, &a.input)?;
    a.out
        .disclosure
        .protect(&mut layer, &loaded.incidents, quiet)?;
    a.out.write(&layer, &loaded.projector, false, quiet)
}
