//! `harmspot kde`: kernel density of incidents or harm on a grid (METHODS §2–3).

use super::input::InputArgs;
use super::layer_out::{record_run, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::{Args, ValueEnum};
use harmspot::kde::{estimate_with, BandwidthRule, KdeParams, Kernel, Values, Weights};

/// Kernels on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum KernelArg {
    /// 3/(pi h^2) (1 - u^2)^2, as ArcGIS and sfhotspot.
    Quartic,
    /// 2/(pi h^2) (1 - u^2).
    Epanechnikov,
    /// 4/(pi h^2) (1 - u^2)^3.
    Triweight,
    /// 1/(pi h^2) within h.
    Uniform,
    /// 3/(pi h^2) (1 - u).
    Triangular,
    /// Normal with standard deviation h, truncated at 4h and renormalised.
    Gaussian,
}

impl From<KernelArg> for Kernel {
    fn from(k: KernelArg) -> Kernel {
        match k {
            KernelArg::Quartic => Kernel::Quartic,
            KernelArg::Epanechnikov => Kernel::Epanechnikov,
            KernelArg::Triweight => Kernel::Triweight,
            KernelArg::Uniform => Kernel::Uniform,
            KernelArg::Triangular => Kernel::Triangular,
            KernelArg::Gaussian => Kernel::Gaussian,
        }
    }
}

/// Automatic bandwidth rules.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleArg {
    /// ArcGIS: 0.9 min(SD, sqrt(1/ln 2) D_m) n^-0.2 (weighted when --weights is).
    Arcgis,
    /// R sfhotspot: MASS bandwidth.nrd of the x coordinates.
    Sfhotspot,
}

/// Output values.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ValuesArg {
    /// Incidents (or harm) per km², column `density`.
    Density,
    /// Density x cell area: incidents (or harm) expected in the cell, column `expected`.
    Expected,
    /// Sum of w (1 - u^2)^2 (the kernel without its constant; sfhotspot's), column `kde`.
    Raw,
}

/// Kernel and bandwidth flags shared by every verb that estimates a density.
#[derive(Args, Debug, Clone)]
pub struct BandwidthOpts {
    /// Kernel function.
    #[arg(long, value_enum, default_value_t = KernelArg::Quartic, help_heading = "Density")]
    pub kernel: KernelArg,
    /// Bandwidth (kernel radius; the Gaussian's standard deviation) in metres
    /// [default: chosen by --bandwidth-rule and printed].
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Density"
    )]
    pub bandwidth: Option<f64>,
    /// Rule for the automatic bandwidth.
    #[arg(long, value_enum, default_value_t = RuleArg::Arcgis, help_heading = "Density")]
    pub bandwidth_rule: RuleArg,
    /// Multiply the bandwidth (given or automatic) by this factor.
    #[arg(
        long,
        value_name = "F",
        default_value_t = 1.0,
        allow_negative_numbers = true,
        help_heading = "Density"
    )]
    pub bandwidth_adjust: f64,
    /// Accept a bandwidth smaller than the cell size (refused by default: incidents farther
    /// than the bandwidth from every cell centre would vanish from the surface).
    #[arg(long, help_heading = "Density")]
    pub allow_small_bandwidth: bool,
}

impl BandwidthOpts {
    /// Checks the flags and builds the library parameters with `weights` and `values`.
    pub fn params(&self, weights: Weights, values: Values) -> Result<KdeParams> {
        if let Some(h) = self.bandwidth {
            let max = harmspot::limits::MAX_DISTANCE;
            if !(h.is_finite() && h > 0.0 && h <= max) {
                bail!("--bandwidth: must be a positive length in metres, at most {max}, got {h:?}");
            }
        }
        if !(self.bandwidth_adjust.is_finite() && self.bandwidth_adjust > 0.0) {
            bail!(
                "--bandwidth-adjust: must be a positive number, got {}",
                self.bandwidth_adjust
            );
        }
        Ok(KdeParams {
            kernel: self.kernel.into(),
            bandwidth: self.bandwidth,
            bandwidth_rule: match self.bandwidth_rule {
                RuleArg::Arcgis => BandwidthRule::Arcgis,
                RuleArg::Sfhotspot => BandwidthRule::Sfhotspot,
            },
            bandwidth_adjust: self.bandwidth_adjust,
            weights,
            values,
            allow_small_bandwidth: self.allow_small_bandwidth,
        })
    }

    /// Prints the automatic bandwidth (`bandwidth 412 m (ArcGIS rule)`) unless one was given.
    pub fn note_bandwidth(&self, layer: &harmspot::Layer, quiet: bool) {
        if self.bandwidth.is_some() {
            return;
        }
        let h = layer.kde_used().map_or(f64::NAN, |k| k.bandwidth);
        let rule = match self.bandwidth_rule {
            RuleArg::Arcgis => BandwidthRule::Arcgis,
            RuleArg::Sfhotspot => BandwidthRule::Sfhotspot,
        }
        .describe();
        if self.bandwidth_adjust == 1.0 {
            note(quiet, format!("bandwidth {} m ({rule})", metres(h)));
        } else {
            note(
                quiet,
                format!(
                    "bandwidth {} m ({rule} {} m x {})",
                    metres(h),
                    metres(h / self.bandwidth_adjust),
                    self.bandwidth_adjust
                ),
            );
        }
    }
}

/// What each incident weighs in a kernel density.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeightsArg {
    /// The harm table's weight (or --weight-col's value).
    Harm,
    /// 1 each: a plain incident density.
    None,
}

impl From<WeightsArg> for Weights {
    fn from(w: WeightsArg) -> Weights {
        match w {
            WeightsArg::Harm => Weights::Harm,
            WeightsArg::None => Weights::Unweighted,
        }
    }
}

/// Density settings shared by `change`, `evaluate` and `hotspots`: kernel, bandwidth and
/// weights (harm or none); values are densities per km².
#[derive(Args, Debug, Clone)]
pub struct KdeOpts {
    #[command(flatten)]
    pub bandwidth: BandwidthOpts,
    /// What each incident weighs in the density.
    #[arg(long, value_enum, default_value_t = WeightsArg::Harm, help_heading = "Density")]
    pub weights: WeightsArg,
}

impl KdeOpts {
    /// Checks the flags and builds the library parameters (density per km²).
    pub fn params(&self) -> Result<KdeParams> {
        self.bandwidth.params(self.weights.into(), Values::Density)
    }
}

/// Arguments of `harmspot kde`.
#[derive(Args, Debug)]
#[command(
    after_help = "Columns: density (per km2) | expected | kde (by --values), then n \
(incidents in the cell) and harm (their summed weights). In .tif outputs cells no kernel \
reaches are NoData (-9999), as in ArcGIS.\n\n\
Example:\n  harmspot kde data/police-uk/ --cell-size 50 --out kde.tif --out kde.geojson\n  \
harmspot kde extract.csv --lon-col lon --lat-col lat --weights severity --bandwidth 400 --out kde.tif"
)]
pub struct KdeArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    #[command(flatten)]
    pub density: BandwidthOpts,
    /// What each incident weighs: `harm` (the harm table's weight, or --weight-col's value),
    /// `none` (1 each, a plain incident density), or the name of a CSV column holding a
    /// weight per row (the same as --weight-col COLUMN --weights harm).
    #[arg(
        long,
        value_name = "harm|none|COLUMN",
        default_value = "harm",
        help_heading = "Density"
    )]
    pub weights: String,
    /// Value of the main column.
    #[arg(long, value_enum, default_value_t = ValuesArg::Density, help_heading = "Density")]
    pub values: ValuesArg,
    #[command(flatten)]
    pub out: OutArgs,
}

fn metres(h: f64) -> String {
    if h >= 100.0 {
        format!("{h:.0}")
    } else {
        format!("{h:.1}")
    }
}

pub fn run(mut a: KdeArgs, quiet: bool) -> Result<()> {
    a.grid.validate()?;
    a.out.check(a.grid.shape.into(), &a.input)?;
    let weights = match a.weights.as_str() {
        "harm" => Weights::Harm,
        "none" => Weights::Unweighted,
        column => {
            match &a.input.weight_col {
                Some(c) if c != column => {
                    bail!("--weights: `{column}` names a weight column, but --weight-col names `{c}`: give one")
                }
                _ => a.input.weight_col = Some(column.to_string()),
            }
            Weights::Harm
        }
    };
    let loaded = a.input.load_nonempty(quiet)?;
    let built = a
        .grid
        .build(&loaded.incidents.xy, &loaded.projector, quiet)?;
    let values = match a.values {
        ValuesArg::Density => Values::Density,
        ValuesArg::Expected => Values::Expected,
        ValuesArg::Raw => Values::Raw,
    };
    let params = a.density.params(weights, values)?;
    // a kernel surface is non-zero over most of the study area: refuse a file too large
    // to write before computing it (after the memory check the estimate makes itself)
    harmspot::count::check_layer_bytes(3, built.grid.spec.len(), loaded.incidents.len())?;
    let study = built.grid.in_area.iter().filter(|&&c| c).count();
    a.out.outputs(a.grid.shape.into())?.check_size(study, 1)?;
    let bar = super::progress::Bar::new(quiet);
    let mut layer = estimate_with(&loaded.incidents, &built.grid, &params, &bar)?;
    a.density.note_bandwidth(&layer, quiet);
    if a.weights != "harm" && a.weights != "none" {
        if let harmspot::used::Used::Kde(k) = &mut layer.used {
            k.weights = harmspot::kde::WeightsUsed::Column(a.weights.clone());
        }
    }
    record_run(&mut layer, &built, &loaded, &a.input)?;
    a.out
        .disclosure
        .protect(&mut layer, &loaded.incidents, quiet)?;
    a.out.write(&layer, &loaded.projector, true, quiet)
}
