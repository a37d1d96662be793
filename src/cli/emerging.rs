//! `harmspot emerging`: emerging hot spots — monthly space-time Gi*, the Mann-Kendall trend of
//! each cell's z series, and the ArcGIS categories (METHODS §8).

use super::args::json_path;
use super::gistar::ValueArg;
use super::input::InputArgs;
use super::layer_out::{record_run, GridArgs, OutArgs};
use super::note;
use anyhow::{bail, Result};
use clap::Args;
use harmspot::emerging::{compute, EmergingParams, EmergingResult, EmergingUsed, Pattern};
use harmspot::grid::Grid;
use harmspot::kde::Weights;
use harmspot::publish::emerging::write_summary;
use harmspot::{Incidents, Layer};
use std::path::PathBuf;

/// Arguments of `harmspot emerging`.
#[derive(Args, Debug)]
#[command(
    after_help = "Columns: pattern (1 new, 2 consecutive, 3 intensifying, 4 persistent, \
5 diminishing, 6 sporadic, 7 oscillating, 8 historical hot spot; -1..-8 the cold mirrors; 0 no \
pattern; the legend is in the output's parameters), trend_z, trend_pvalue, trend_s (Mann-Kendall \
of the cell's monthly Gi* z), hot_months, cold_months (significant bins), gistar_last, \
pvalue_last; with --per-month gistar_YYYY_MM and bin_YYYY_MM (+1 hot, -1 cold, 0) for every \
analysed month.\n\n\
A bin (cell x month) is significant when its two-sided p < --alpha (0.10: 90%, ArcGIS's \
lowest confidence), or with --fdr when p is at or below the Benjamini-Hochberg critical p at \
--alpha among that month's cells (ArcGIS Pro applies an FDR correction). Neighbours of a bin: \
cells within --neighbour-distance in the same month and the previous --time-window months. \
The first --time-window months only serve as neighbours of later months.\n\n\
Disclosure control (--min-count K, --partner): a bin's z is built from the incidents of the \
study-area cells within --neighbour-distance in its month and the previous --time-window months. \
gistar_YYYY_MM, bin_YYYY_MM, gistar_last and pvalue_last are suppressed when that window holds \
1 to K-1 incidents; pattern, trend_*, hot_months and cold_months (built from every month) when \
the neighbourhood holds 1 to K-1 incidents over all months. cells_per_pattern then counts the \
published cells, the rest under \"suppressed\".\n\n\
Example:\n  harmspot emerging data/police-uk/ --cell-size 500 --time-window 1 --out emerging.geojson"
)]
pub struct EmergingArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub grid: GridArgs,
    /// Value per bin: `n` (incidents) or `harm` (sum of harm weights).
    #[arg(long, value_enum, default_value_t = ValueArg::Harm, help_heading = "Emerging")]
    pub value: ValueArg,
    /// Spatial neighbour distance in metres between cell centres [default: √2 × cell size].
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Emerging"
    )]
    pub neighbour_distance: Option<f64>,
    /// K: bins of the previous K months are neighbours too (ArcGIS "neighborhood time step").
    #[arg(long, value_name = "K", default_value_t = 1, help_heading = "Emerging")]
    pub time_window: u32,
    /// Significance level of a bin (two-sided).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.10,
        allow_negative_numbers = true,
        help_heading = "Emerging"
    )]
    pub alpha: f64,
    /// Significance level of the Mann-Kendall trend (two-sided).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.10,
        allow_negative_numbers = true,
        help_heading = "Emerging"
    )]
    pub trend_alpha: f64,
    /// Benjamini–Hochberg false discovery rate correction of the bins, month by month.
    #[arg(long, help_heading = "Emerging")]
    pub fdr: bool,
    /// Also write each analysed month's z-score and significant bin.
    #[arg(long, help_heading = "Output")]
    pub per_month: bool,
    #[command(flatten)]
    pub out: OutArgs,
    /// Also write the cells per pattern and the run's parameters as JSON here.
    #[arg(long, value_name = "FILE.json", help_heading = "Output")]
    pub summary: Option<PathBuf>,
}

/// Runs `harmspot emerging`: checks the flags, computes the monthly Gi* and trends, notes
/// what was found, applies disclosure control and writes the outputs.
pub fn run(a: EmergingArgs, quiet: bool) -> Result<()> {
    check_args(&a)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let built = a
        .grid
        .build(&loaded.incidents.xy, &loaded.projector, quiet)?;
    let params = EmergingParams::from(&a);
    let months = loaded.incidents.month_range().map_or(0, |r| r.len());
    harmspot::count::check_layer_bytes(
        4 * months + 10,
        built.grid.spec.len(),
        loaded.incidents.len(),
    )?;
    let r = compute(&loaded.incidents, &built.grid, &params)?;
    note_used(&r.used, built.grid.area_cells(), quiet);
    note_patterns(&r, quiet);
    let mut layer = r.to_layer(&built.grid, a.per_month);
    record_run(&mut layer, &built, &loaded, &a.input)?;
    if a.out.disclosure.rules()?.active() {
        protect(&a, &mut layer, &loaded.incidents, &built.grid, quiet)?;
    }
    if let Some(p) = &a.summary {
        write_summary(p, &layer)?;
        note(quiet, format!("wrote the summary to {}", p.display()));
    }
    a.out.write(&layer, &loaded.projector, false, quiet)
}

/// Checks the flags before any work: grid, outputs, summary path, neighbour distance and
/// significance levels.
fn check_args(a: &EmergingArgs) -> Result<()> {
    a.grid.validate()?;
    a.out.check(a.grid.shape.into(), &a.input)?;
    if let Some(p) = &a.summary {
        json_path("--summary", p)?;
    }
    if let Some(d) = a.neighbour_distance {
        if !(d.is_finite() && d > 0.0) {
            bail!("--neighbour-distance: must be a positive length in metres, got {d}");
        }
    }
    for (flag, v) in [("--alpha", a.alpha), ("--trend-alpha", a.trend_alpha)] {
        if !(v > 0.0 && v < 1.0) {
            bail!("{flag}: must be a probability between 0 and 1, got {v}");
        }
    }
    Ok(())
}

impl From<&EmergingArgs> for EmergingParams {
    fn from(a: &EmergingArgs) -> Self {
        EmergingParams {
            neighbour_distance: a.neighbour_distance,
            time_window: a.time_window,
            alpha: a.alpha,
            trend_alpha: a.trend_alpha,
            fdr: a.fdr,
            weights: match a.value {
                ValueArg::N => Weights::Unweighted,
                ValueArg::Harm => Weights::Harm,
            },
        }
    }
}

/// Notes what was used: an automatic neighbour distance, the months analysed (warning when
/// fewer than 10) over `area_cells` study-area cells, and months without any incident.
fn note_used(used: &EmergingUsed, area_cells: usize, quiet: bool) {
    if used.neighbour_distance_auto {
        note(
            quiet,
            format!(
                "neighbour distance set to {:.1} m automatically (√2 × cell size)",
                used.neighbour_distance
            ),
        );
    }
    let first = used
        .months
        .first()
        .map(|m| m.to_string())
        .unwrap_or_default();
    let last = used
        .months
        .last()
        .map(|m| m.to_string())
        .unwrap_or_default();
    note(
        quiet,
        format!(
            "{} months analysed ({first}..{last}; the first {} only as neighbours), {} study-area cells{}",
            used.months.len(),
            used.time_window,
            area_cells,
            if used.months.len() < 10 { " — fewer than the 10 time steps ArcGIS asks for: trends are weak evidence" } else { "" }
        ),
    );
    if !used.empty_months.is_empty() {
        let m: Vec<String> = used.empty_months.iter().map(|m| m.to_string()).collect();
        note(
            quiet,
            format!(
                "warning: no incidents at all in {} (a month missing from the data reads as a fall to zero)",
                m.join(", ")
            ),
        );
    }
}

/// Notes the cells per pattern found (or that there is none).
fn note_patterns(r: &EmergingResult, quiet: bool) {
    let found: Vec<String> = r
        .summary
        .iter()
        .filter(|(p, c)| *c > 0 && *p != Pattern::NoPattern)
        .map(|(p, c)| format!("{c} {}", p.label()))
        .collect();
    note(
        quiet,
        if found.is_empty() {
            "no emerging pattern in any cell".to_string()
        } else {
            found.join(", ")
        },
    );
}

/// Applies disclosure control to the emerging layer (each column against the neighbourhood
/// and months its Gi* values saw) and recounts `cells_per_pattern` over the published cells.
fn protect(
    a: &EmergingArgs,
    layer: &mut Layer,
    incidents: &Incidents,
    grid: &Grid,
    quiet: bool,
) -> Result<()> {
    a.out.disclosure.protect(layer, incidents, quiet)?;
    let pattern = layer.get("pattern").expect("pattern column");
    let published: Vec<f64> = pattern
        .iter()
        .zip(&grid.in_area)
        .filter(|(_, &inside)| inside)
        .map(|(&p, _)| p)
        .collect();
    let per: Vec<(Pattern, usize)> = Pattern::ALL
        .iter()
        .map(|&p| {
            let code = p.code() as f64;
            (p, published.iter().filter(|&&v| v == code).count())
        })
        .collect();
    let suppressed = published.iter().filter(|v| v.is_nan()).count();
    if let harmspot::used::Used::Emerging(e) = &mut layer.used {
        e.published = Some((per, suppressed));
    }
    Ok(())
}
