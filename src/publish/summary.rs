//! `summary.md` of the hotspot job: a Markdown page an analyst can paste into a briefing.
//!
//! Every sentence about the method is built from what the run used ([`JobUsed`],
//! [`crate::stats::gistar::GistarUsed`], [`crate::hotspots::harm_spot::SpotResult`], [`RunContext`]), never from
//! fixed strings (issue 11): the density's unit follows the weights (harm per km² when
//! weighted: summed over the cells times the cell area the density returns the total harm),
//! the tested value, the confidence or `top` selection and the FDR correction are stated as
//! used. Concentration is stated as analysts quote it: *x% of the harm in y% of the area
//! (z places)* (Sherman's "power few"; METHODS §7).

use crate::hotspots::{HotspotJob, JobUsed, SelectUsed};
use crate::model::used::RunRecord;
use crate::publish::disclosure::{Disclosure, ShownPlace};
use crate::publish::write::escape::markdown as md;
use serde::Serialize;
use std::fmt::Write as _;

/// What the summary says about the run besides the job's results.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RunContext {
    /// Input files, as given.
    pub files: Vec<String>,
    /// First and last month, `YYYY-MM..YYYY-MM`, if known.
    pub months: Option<String>,
    /// Rows read, kept, skipped.
    pub rows: [u64; 3],
    /// Share of incidents at a location shared with another (police.uk snapping).
    pub shared_location_share: f64,
    /// The harm table (origin and version) or weight column used.
    pub harm: String,
    /// The working CRS.
    pub working_crs: String,
    /// Crime-type filter as given, if any.
    pub types: Option<String>,
    /// How the cell size was chosen ("given", or the automatic rule).
    pub cell_size_source: String,
    /// Incidents left out of the automatic extent as strays, when the extent was automatic.
    pub strays_left_out: Option<usize>,
}

impl RunContext {
    /// The context of a run from what it read and decided (its [`RunRecord`]) and the share
    /// of incidents at a location shared with another.
    pub fn from_run(r: &RunRecord, shared_location_share: f64) -> RunContext {
        RunContext {
            files: r.input.files.clone(),
            months: r.input.months.clone(),
            rows: [r.input.rows, r.input.kept, r.input.skipped],
            shared_location_share,
            harm: r.harm.clone(),
            working_crs: r.working_crs.clone(),
            types: r.input.types.clone(),
            cell_size_source: r.grid.cell_size_source().to_string(),
            strays_left_out: r.grid.strays_left_out,
        }
    }
}

/// "Street, LSOA" of a place, names carried by fewer than K incidents left out.
/// The place's names as shown ([`Disclosure::place`]).
fn place_text(shown: &ShownPlace) -> String {
    md(&shown.names.label().unwrap_or_default())
}

fn pct(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// The crime types as shown ([`Disclosure::place`]), with their counts.
fn types_text(shown: &ShownPlace) -> String {
    let t: Vec<String> = shown
        .types
        .iter()
        .flatten()
        .map(|t| format!("{} ({})", md(&t.crime_type), t.incidents))
        .collect();
    t.join(", ")
}

/// What the density counts, in words.
fn density_words(u: &JobUsed) -> String {
    format!(
        "{}; values in {} (summed over the cells times the cell area they give the total {})",
        if u.weighted {
            "each incident weighted by its harm"
        } else {
            "each incident counted once (unweighted)"
        },
        u.density_unit(),
        if u.weighted { "harm" } else { "incidents" }
    )
}

/// The summary page (see the module documentation). `top` rows per table.
pub fn summary_markdown(
    job: &HotspotJob,
    ctx: &RunContext,
    top: usize,
    rules: &Disclosure,
) -> String {
    let mut s = String::new();
    let u = &job.used;
    let g = &job.gistar_used;
    let study_km2 = g.population as f64 * u.cell_area / 1e6;
    let _ = writeln!(s, "# Harm hotspots\n");
    let _ = writeln!(
        s,
        "{} incidents{} from {} file(s); {} rows read, {} skipped as unusable.{}\n",
        ctx.rows[1],
        ctx.months
            .as_ref()
            .map(|m| format!(" ({m})"))
            .unwrap_or_default(),
        ctx.files.len(),
        ctx.rows[0],
        ctx.rows[2],
        match ctx.strays_left_out {
            Some(k) if k > 0 => format!(" {k} stray incident(s) far from the rest were left out of the automatic extent and study area."),
            _ => String::new(),
        }
    );
    spots_section(&mut s, job, top, rules, study_km2);
    areas_section(&mut s, job, top, rules, study_km2);
    let _ = writeln!(s, "## Concentration\n");
    for (name, c) in [("incidents", &job.incidents), ("harm", &job.harm)] {
        let tops: Vec<String> = c
            .top
            .iter()
            .map(|t| format!("{} in the top {}% of cells", pct(t.share), t.percent))
            .collect();
        let _ = writeln!(
            s,
            "- {name}: {}; Gini {:.3}, generalised Gini {:.3}.",
            tops.join(", "),
            c.gini,
            c.gini_generalised
        );
    }
    parameters_section(&mut s, job, ctx, rules, study_km2);
    let _ = writeln!(s, "\n## Caveats\n");
    let _ = writeln!(
        s,
        "- police.uk locations are snapped to anonymous map points: {} of incidents share their exact location with another. A harm spot is a place of a few streets, not an address.",
        pct(ctx.shared_location_share)
    );
    let _ = writeln!(s, "- Gi* compares each cell with the mean of the whole study area ({}): the larger the area of empty cells around the incidents, the more cells are called hot. Harm spots are ranked by their own harm, but are sought only inside the hotspot areas, so they depend on it too.", md(&g.study_area));
    let small = job.hotspots.iter().filter(|h| h.incidents < 20.0).count();
    if small > 0 {
        let _ = writeln!(s, "- {small} hotspot area(s) rest on fewer than 20 incidents: a few incidents more or less would change them.");
    }
    let _ = writeln!(s, "- Harm weights are national averages per police.uk category (see data/HARM.md): one serious offence in a category that is mostly minor raises a cell as much as any other of that category.");
    let _ = writeln!(
        s,
        "- A hotspot shows where harm concentrated in this period, not why, nor that it will stay."
    );
    s
}

fn spots_section(s: &mut String, job: &HotspotJob, top: usize, rules: &Disclosure, study: f64) {
    let r = &job.spots;
    let _ = writeln!(s, "## Harm spots: where to act\n");
    if r.spots.is_empty() {
        let _ = writeln!(
            s,
            "No harm spot: there is no hotspot area to look inside.\n"
        );
        return;
    }
    let held: f64 = r.spots.iter().map(|p| p.harm).sum();
    let km2: f64 = r.spots.iter().map(|p| p.area_km2).sum();
    let _ = writeln!(
        s,
        "**{} of the harm in {} of the area ({} places)**: {} harm spots of at most {:.3} km² each ({:.0} m cells) hold {} of the harm of the hotspot areas and {} of all harm, on {:.2} km² of the {:.1} km² study area.\n",
        pct(held / r.harm_total),
        pct(km2 / study),
        r.spots.len(),
        r.spots.len(),
        r.params.max_cells as f64 * r.cell_size * r.cell_size / 1e6,
        r.cell_size,
        pct(held / r.harm_in_areas),
        pct(held / r.harm_total),
        km2,
        study
    );
    let _ = writeln!(
        s,
        "| rank | place | hotspot area (rank) | area km² | incidents | harm | share of harm | cumulative share | most common types |"
    );
    let _ = writeln!(s, "|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for p in r.spots.iter().take(top) {
        let shown = rules.place(p.incidents, &p.top_types, &p.names);
        if !shown.values {
            let _ = writeln!(
                s,
                "| {} | suppressed | {} | {:.3} | suppressed | suppressed | suppressed | {} | fewer than {} incidents |",
                p.rank, p.area_rank, p.area_km2, pct(p.cumulative_share), rules.min_count
            );
            continue;
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.3} | {:.0} | {:.0} | {} | {} | {} |",
            p.rank,
            place_text(&shown),
            p.area_rank,
            p.area_km2,
            p.incidents,
            p.harm,
            pct(p.harm_share),
            pct(p.cumulative_share),
            types_text(&shown)
        );
    }
    if r.spots.len() > top {
        let _ = writeln!(
            s,
            "\n({} more in `harmspots.geojson`.)",
            r.spots.len() - top
        );
    }
    s.push('\n');
}

fn areas_section(s: &mut String, job: &HotspotJob, top: usize, rules: &Disclosure, study: f64) {
    let hs = &job.hotspots;
    let _ = writeln!(s, "## Hotspot areas\n");
    if hs.is_empty() {
        let why = match job.used.select {
            SelectUsed::Gistar { confidence } => format!(
                "no cell is a statistically significant hot spot at {confidence}%{}",
                if job.gistar_used.fdr {
                    " after the false discovery rate correction"
                } else {
                    ""
                }
            ),
            SelectUsed::Top { percent } => {
                format!("no cell among the top {percent}% by density holds an incident")
            }
        };
        let _ = writeln!(s, "**No hotspot area**: {why}.\n");
        return;
    }
    let h_share: f64 = hs.iter().map(|h| h.harm_share).sum();
    let n_share: f64 = hs.iter().map(|h| h.incident_share).sum();
    let area: f64 = hs.iter().map(|h| h.area_km2).sum();
    let _ = writeln!(
        s,
        "**{} hotspot areas** cover {:.2} km² ({} of the {:.1} km² study area) and hold {} of the harm and {} of the incidents.\n",
        hs.len(),
        area,
        pct(area / study),
        study,
        pct(h_share),
        pct(n_share)
    );
    let _ = writeln!(
        s,
        "| rank | id | place | area km² | incidents | harm | share of harm | most common types |"
    );
    let _ = writeln!(s, "|---:|---:|---|---:|---:|---:|---:|---|");
    for h in hs.iter().take(top) {
        let shown = rules.place(h.incidents, &h.top_types, &h.names);
        if !shown.values {
            let _ = writeln!(
                s,
                "| {} | {} | suppressed | {:.2} | suppressed | suppressed | suppressed | fewer than {} incidents |",
                h.rank, h.id, h.area_km2, rules.min_count
            );
            continue;
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.0} | {:.0} | {} | {} |",
            h.rank,
            h.id,
            place_text(&shown),
            h.area_km2,
            h.incidents,
            h.harm,
            pct(h.harm_share),
            types_text(&shown)
        );
    }
    if hs.len() > top {
        let _ = writeln!(s, "\n({} more in `hotspots.geojson`.)", hs.len() - top);
    }
    s.push('\n');
}

/// Writes the summary's Parameters section: grid and study area, density, how the hotspot
/// areas and harm spots were chosen, harm weights, crime types and disclosure control.
fn parameters_section(
    s: &mut String,
    job: &HotspotJob,
    ctx: &RunContext,
    rules: &Disclosure,
    study_km2: f64,
) {
    let u = &job.used;
    let g = &job.gistar_used;
    let spec = &job.cells.grid.spec;
    let _ = writeln!(s, "\n## Parameters\n");
    let _ = writeln!(
        s,
        "- Grid: {} cells of {} m ({}), working CRS {}; study area: {} ({} cells, {:.1} km²){}.",
        match spec.shape {
            crate::model::grid::Shape::Square => "square",
            crate::model::grid::Shape::Hex => "hexagonal",
        },
        u.cell_size,
        ctx.cell_size_source,
        md(&ctx.working_crs),
        md(&g.study_area),
        g.population,
        study_km2,
        match ctx.strays_left_out {
            Some(k) if k > 0 => format!("; {k} stray incident(s) left out of the automatic extent"),
            _ => String::new(),
        }
    );
    let _ = writeln!(
        s,
        "- Density: {} kernel, bandwidth {:.0} m ({}), {}.",
        u.kernel,
        u.bandwidth,
        u.bandwidth_source,
        density_words(u)
    );
    let gi = gistar_words(job);
    match u.select {
        SelectUsed::Gistar { confidence } => {
            let _ = writeln!(s, "- Hotspot areas: {gi}; an area is edge-contiguous cells hot at {confidence}% or more, holding at least one incident.");
        }
        SelectUsed::Top { percent } => {
            let _ = writeln!(s, "- Hotspot areas: edge-contiguous cells among the top {percent}% of study-area cells by density, holding at least one incident ({gi} is in cells.geojson but chose no area).");
        }
    }
    let r = &job.spots;
    let _ = writeln!(
        s,
        "- Harm spots: {:.0} m cells inside the hotspot areas, grown from the most harmful cell by edge-neighbours holding at least {:.0}% of its harm, to at most {} cells; the {} spots ranked by harm that together hold {:.0}% of the harm in hotspot areas (of {} spots found).",
        r.cell_size,
        100.0 * r.params.join_share,
        r.params.max_cells,
        r.spots.len(),
        100.0 * r.params.power_share,
        r.candidates
    );
    let _ = writeln!(
        s,
        "- Harm weights: {}; total harm {:.0}{}.",
        crate::publish::write::escape::markdown_code(&ctx.harm),
        job.harm.total,
        if u.weighted {
            ""
        } else {
            " (harm ranks the hotspot areas and spots; the density is unweighted)"
        }
    );
    if let Some(t) = &ctx.types {
        let _ = writeln!(s, "- Crime types: {}.", md(t));
    }
    if rules.active() {
        write_disclosure_line(s, rules);
    }
}

/// The words describing the Gi* test of the job: value tested, neighbour distance, p-value
/// and false discovery rate correction.
fn gistar_words(job: &HotspotJob) -> String {
    let u = &job.used;
    let g = &job.gistar_used;
    let tested = match u.value {
        crate::hotspots::GistarValue::Harm => "harm",
        crate::hotspots::GistarValue::N => "incidents",
    };
    format!(
        "Getis-Ord Gi* on {tested} per cell, neighbours within {:.0} m (the cell included), two-sided p{}{}",
        g.neighbour_distance.unwrap_or(f64::NAN),
        if g.permutations > 0 {
            format!(" from {} conditional permutations", g.permutations)
        } else {
            String::new()
        },
        if g.fdr {
            ", Benjamini–Hochberg false discovery rate correction at each level"
        } else {
            ", no false discovery rate correction"
        }
    )
}

/// Writes the Parameters line on disclosure control (active `rules`).
fn write_disclosure_line(s: &mut String, rules: &Disclosure) {
    let _ = writeln!(
        s,
        "- Disclosure control: values built from 1 to {} incidents are suppressed in every output{}; coordinates to {} decimals.",
        rules.min_count - 1,
        match rules.round {
            Some(b) => format!(" (small counts rounded to the nearest {b})"),
            None => String::new(),
        },
        rules.precision
    );
}
