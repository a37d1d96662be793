//! `harmspot gistar`: Getis-Ord Gi* hot and cold spots on a grid (METHODS §5).

use super::input::InputArgs;
use super::layer_out::{record_run, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use harmspot::count::{aggregate, CountParams};
use harmspot::gistar::{compute_with, GistarParams, MAX_PERMUTATIONS};
use harmspot::hotspots::GistarValue;

/// The per-cell value Gi* tests.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValueArg {
    /// Incidents per cell.
    N,
    /// Sum of harm weights per cell.
    Harm,
}

impl From<ValueArg> for GistarValue {
    fn from(v: ValueArg) -> GistarValue {
        match v {
            ValueArg::N => GistarValue::N,
            ValueArg::Harm => GistarValue::Harm,
        }
    }
}

/// Gi* flags shared by `gistar` and `hotspots` (the FDR switch differs: off by default in
/// `gistar`, on in `hotspots`).
#[derive(Args, Debug, Clone)]
pub struct GiOpts {
    /// Value tested per cell: `n` (incidents) or `harm` (sum of harm weights).
    #[arg(long, value_enum, default_value_t = ValueArg::Harm, help_heading = "Gi*")]
    pub value: ValueArg,
    /// Neighbour (distance band) radius in metres between cell centres [default: √2 ×
    /// cell size: the 8 surrounding squares, or the 6 adjacent hexagons].
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Gi*"
    )]
    pub neighbour_distance: Option<f64>,
    /// Conditional permutations for pseudo p-values (e.g. 999); 0 = normal p-values.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Gi*")]
    pub permutations: u32,
    /// Seed for --permutations: the same seed gives the same p-values on any machine.
    #[arg(long, value_name = "S", default_value_t = 1, help_heading = "Gi*")]
    pub seed: u64,
}

impl GiOpts {
    /// Checks the flags (before any data is read) and builds the library parameters.
    pub fn params(&self, fdr: bool) -> Result<GistarParams> {
        if let Some(d) = self.neighbour_distance {
            let max = harmspot::limits::MAX_DISTANCE;
            if !(d.is_finite() && d > 0.0 && d <= max) {
                bail!("--neighbour-distance: must be a positive length in metres, at most {max}, got {d:?}");
            }
        }
        if self.permutations > MAX_PERMUTATIONS {
            bail!(
                "--permutations: at most {MAX_PERMUTATIONS}, got {}",
                self.permutations
            );
        }
        Ok(GistarParams {
            neighbour_distance: self.neighbour_distance,
            fdr,
            permutations: self.permutations,
            seed: self.seed,
        })
    }
}

/// Arguments of `harmspot gistar`.
#[derive(Args, Debug)]
#[command(
    after_help = "Columns: n, harm, gistar (the G* z-score), pvalue (two-sided), class \
(-3..3: hot/cold at 99, 95, 90%), neighbours (cells in the band, the cell itself included). \
Every cell of the study area is in the population, empty cells included; the outputs record \
how the study area was defined.\n\n\
Example:\n  harmspot gistar data/police-uk/ --cell-size 200 --value harm --fdr --out gistar.geojson"
)]
pub struct GistarArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    #[command(flatten)]
    pub gi: GiOpts,
    /// Benjamini–Hochberg false discovery rate correction of the classes, at each level
    /// separately (as ArcGIS).
    #[arg(long, help_heading = "Gi*")]
    pub fdr: bool,
    #[command(flatten)]
    pub out: OutArgs,
}

pub fn run(a: GistarArgs, quiet: bool) -> Result<()> {
    // everything that needs no data is checked before reading
    a.grid.validate()?;
    a.out.check(a.grid.shape.into(), &a.input)?;
    let params = a.gi.params(a.fdr)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let built = a
        .grid
        .build(&loaded.incidents.xy, &loaded.projector, quiet)?;
    let mut layer = aggregate(&loaded.incidents, &built.grid, &CountParams::default())?;
    harmspot::count::check_layer_bytes(6, built.grid.spec.len(), 0)?;
    let values = layer
        .get(GistarValue::from(a.gi.value).column())
        .expect("count gives n and harm")
        .to_vec();
    let bar = super::progress::Bar::new(quiet);
    let r = compute_with(&values, &built.grid, &params, &bar)?;
    let used = &r.used;
    let d = used.neighbour_distance.unwrap_or(f64::NAN);
    if used.neighbour_distance_auto {
        note(
            quiet,
            format!(
                "neighbour distance set to {d:.1} m automatically (√2 × cell size: {} neighbours per cell, itself included)",
                built.grid.spec.neighbour_offsets(d, false).len()
            ),
        );
    }
    r.add_to(&mut layer);
    record_run(&mut layer, &built, &loaded, &a.input)?;
    if let harmspot::used::Used::Count(cells) = &layer.used {
        layer.used = harmspot::used::Used::Gistar {
            cells: cells.clone(),
            value: a.gi.value.into(),
            gistar: used.clone(),
        };
    }
    let count = |f: &dyn Fn(i8) -> bool| r.class.iter().filter(|&&c| f(c)).count();
    note(
        quiet,
        format!(
            "Gi* on `{}` over {} study-area cells: {} hot and {} cold at 95%{} ({} hot at 99%)",
            GistarValue::from(a.gi.value).column(),
            used.population,
            count(&|c| c >= 2),
            count(&|c| c <= -2),
            if used.fdr { " with FDR" } else { "" },
            count(&|c| c == 3),
        ),
    );
    a.out
        .disclosure
        .protect(&mut layer, &loaded.incidents, quiet)?;
    a.out.write(&layer, &loaded.projector, false, quiet)
}
