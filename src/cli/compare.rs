//! `harmspot compare`: before/after evaluation around community hubs and intervention areas
//! (METHODS §6). The work is in [`harmspot::compare`]; this file turns flags into
//! parameters, reads the areas, and writes the five outputs atomically.

use super::input::InputArgs;
use super::layer_out::DisclosureArgs;
use super::note;
use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args, ValueEnum};
use harmspot::compare::{self, report, AreasParams, CompareParams, CountMethod, PeriodSpec};
use harmspot::read::areas::{read_areas_in, read_boundary, CrsSource};
use harmspot::write::safe::ResultDir;
use harmspot::write::{write_atomic, write_json, AtomicFile};
use harmspot::{Crs, Month, MonthRange};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;

/// How incidents are assigned to areas (both give the same counts).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// One parallel pass over the incidents with a bucket grid of area envelopes.
    OnePass,
    /// Build an incident R-tree and query it with each area's polygon.
    Index,
}

impl From<MethodArg> for CountMethod {
    fn from(m: MethodArg) -> Self {
        match m {
            MethodArg::OnePass => CountMethod::OnePass,
            MethodArg::Index => CountMethod::Index,
        }
    }
}

/// Arguments of `harmspot compare`.
#[derive(Args, Debug)]
#[command(
    group(ArgGroup::new("periods").required(true).args(["start_field", "start", "before"])),
    after_help = "Periods: --before A..B --after C..D, or --start YYYY-MM [--months K] (K months either \
side of the start; the start month itself is left out unless --include-start-month), or \
--start-field FIELD [--months K] for a start month per area. Without --months, K is the most \
the data allow. Unequal periods are normalised per month.\n\n\
Outputs in --out: report.json (everything), report.csv (one row per area x measure), \
series.csv (monthly counts per area and place), report.md (a table and a plain sentence per \
hub) and areas.geojson (treatment, buffer and control polygons with counts and effects).\n\n\
Disclosure control (--min-count K, --round BASE, --partner) applies to every output: counts \
of 1 to K-1 incidents (per area, place, period and measure, and per month) are suppressed \
(or rounded), with the harm built from them and every statistic computed from them; \
report.json and report.md say how many values were withheld.\n\n\
Example:\n  harmspot compare data/police-uk/ --areas hubs.geojson --radius 300 --buffer 300 \\\n    \
--start 2022-01 --months 12 --out hubs-eval/"
)]
pub struct CompareArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Treatment areas: GeoJSON with Polygons/MultiPolygons, or Points (hubs) with --radius;
    /// WGS84 lon/lat unless the file has a legacy `crs` member or --areas-crs is given.
    #[arg(long, value_name = "FILE", help_heading = "Areas")]
    pub areas: PathBuf,
    /// CRS of the --areas file, EPSG:NNNN (e.g. EPSG:27700 for areas drawn in British
    /// National Grid); overrides the file's `crs` member [default: the `crs` member, else
    /// WGS84].
    #[arg(long, value_name = "EPSG:NNNN", help_heading = "Areas")]
    pub areas_crs: Option<String>,
    /// Property holding each area's name.
    #[arg(
        long,
        value_name = "FIELD",
        default_value = "name",
        help_heading = "Areas"
    )]
    pub name_field: String,
    /// Distance around Point hubs, metres (the treatment area is the circle).
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Areas"
    )]
    pub radius: Option<f64>,
    /// Width of the buffer (displacement) ring around each treatment area, metres. Without
    /// it there are no displacement measures (WDQ, the WDD displacement term).
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Areas"
    )]
    pub buffer: Option<f64>,
    /// Control area: GeoJSON polygons [default: the rest of the study area, minus every
    /// treatment area and buffer].
    #[arg(long, value_name = "FILE", help_heading = "Areas")]
    pub control: Option<PathBuf>,
    /// A separate control area for the buffers (Wheeler & Ratcliffe's WDD with separate
    /// treatment and displacement controls): GeoJSON polygons [default: the control serves
    /// both].
    #[arg(long, value_name = "FILE", help_heading = "Areas", requires = "buffer")]
    pub buffer_control: Option<PathBuf>,
    /// Study-area boundary for the default control: GeoJSON polygons [default: the convex
    /// hull of the incidents].
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Areas",
        conflicts_with = "control"
    )]
    pub boundary: Option<PathBuf>,

    /// Property holding each area's own start month (YYYY-MM).
    #[arg(long, value_name = "FIELD", help_heading = "Periods")]
    pub start_field: Option<String>,
    /// Start month for every area, YYYY-MM.
    #[arg(long, value_name = "YYYY-MM", help_heading = "Periods")]
    pub start: Option<String>,
    /// Months before and after the start [default: the most the data allow].
    #[arg(long, value_name = "K", help_heading = "Periods", conflicts_with_all = ["before", "after"])]
    pub months: Option<u32>,
    /// Count the start month in the after period (by default it is left out of both).
    #[arg(long, help_heading = "Periods", conflicts_with_all = ["before", "after"])]
    pub include_start_month: bool,
    /// Before period, YYYY-MM..YYYY-MM (with --after).
    #[arg(
        long,
        value_name = "A..B",
        help_heading = "Periods",
        requires = "after"
    )]
    pub before: Option<String>,
    /// After period, YYYY-MM..YYYY-MM (with --before).
    #[arg(
        long,
        value_name = "C..D",
        help_heading = "Periods",
        requires = "before"
    )]
    pub after: Option<String>,

    /// How incidents are assigned to areas; both give the same counts.
    #[arg(long, value_enum, default_value_t = MethodArg::OnePass, help_heading = "Output")]
    pub count_method: MethodArg,
    /// Output folder (created if missing; written beside it and swapped into place when
    /// complete).
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: PathBuf,
    #[command(flatten)]
    pub force: super::ForceArg,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

/// The files `compare` writes in its folder.
pub const OUTPUTS: [&str; 5] = [
    "report.json",
    "report.csv",
    "series.csv",
    "report.md",
    "areas.geojson",
];

fn month(flag: &str, s: &str) -> Result<Month> {
    Month::parse(s).with_context(|| format!("{flag}: `{s}` is not a month YYYY-MM"))
}

fn range(flag: &str, s: &str) -> Result<MonthRange> {
    MonthRange::parse(s).with_context(|| {
        format!(
            "{flag}: `{s}` is not a month range YYYY-MM..YYYY-MM (first month not after the last)"
        )
    })
}

impl CompareArgs {
    fn periods(&self) -> Result<PeriodSpec> {
        if let (Some(b), Some(a)) = (&self.before, &self.after) {
            return Ok(PeriodSpec::Explicit {
                before: range("--before", b)?,
                after: range("--after", a)?,
            });
        }
        if let Some(s) = &self.start {
            return Ok(PeriodSpec::Start {
                start: month("--start", s)?,
                months: self.months,
                include_start: self.include_start_month,
            });
        }
        if self.start_field.is_some() {
            return Ok(PeriodSpec::PerArea {
                months: self.months,
                include_start: self.include_start_month,
            });
        }
        bail!(
            "give the periods: --before A..B --after C..D, --start YYYY-MM, or --start-field FIELD"
        )
    }

    fn parameters(&self, rule: &str, loaded: &super::input::Loaded) -> Value {
        json!({
            "inputs": self.input.inputs,
            "areas": self.areas,
            "name_field": self.name_field,
            "radius_m": self.radius,
            "buffer_m": self.buffer,
            "control": self.control.as_ref().map_or_else(|| json!("rest of the study area"), |c| json!(c)),
            "buffer_control": self.buffer_control,
            "areas_crs": self.areas_crs,
            "boundary": self.boundary,
            "start_field": self.start_field,
            "start": self.start,
            "months": self.months,
            "include_start_month": self.include_start_month,
            "before": self.before,
            "after": self.after,
            "period_rule": rule,
            "count_method": CountMethod::from(self.count_method),
            "working_crs": loaded.projector.working.to_string(),
            "harm": match &self.input.weight_col {
                Some(c) => format!("weight column `{c}`"),
                None => format!("harm table `{}` (version {})", loaded.harm.origin, loaded.harm.version),
            },
            "types": self.input.types,
            "exclude_types": self.input.exclude_types,
            "from": self.input.from,
            "to": self.input.to,
            "definitions": {
                "crime": "every crime type but Anti-social behaviour (independent of --types)",
                "asb": "Anti-social behaviour",
                "harm": "sum of harm weights of every incident kept",
                "wdd_variance": if self.buffer_control.is_some() {
                    "A_a + A_b + B_a + B_b + Ct_a + Ct_b + Cd_a + Cd_b (separate controls for the treatment areas and the buffers)"
                } else {
                    "A_a + A_b + B_a + B_b + 4(C_a + C_b) (one control serves the treatment area and the buffer: WDD = dA + dB - 2 dC)"
                },
                "hub_membership": "a point hub's treatment area is every incident at most --radius metres from it, its buffer every incident more than --radius and at most --radius + --buffer metres from it (exact distance, working CRS)",
                "res": "(A_b C_a)/(A_a C_b); > 1 = relative fall; 0.5 added to every count when one is zero",
                "pvalues": "two-sided normal",
            },
        })
    }
}

/// The read summary in one line for report.md: rows, kept, skipped, and the repeated Crime
/// IDs kept (police.uk counts every row) or dropped (`--unique-ids`).
fn read_line(s: &harmspot::ReadSummary, unique_ids: bool) -> String {
    let mut line = format!(
        "{} rows, {} kept, {} skipped",
        s.rows,
        s.kept,
        s.skipped_total()
    );
    if s.repeated_ids_kept > 0 {
        line.push_str(&format!(
            "; repeated Crime ID, kept: {}",
            s.repeated_ids_kept
        ));
    }
    if unique_ids {
        line.push_str(" (--unique-ids: only the first row of each Crime ID)");
    }
    line
}

pub fn run(a: CompareArgs, quiet: bool) -> Result<()> {
    // everything that needs no data is checked before reading
    let spec = a.periods()?;
    let rules = a.disclosure.rules()?;
    let mut reads = a.input.safety_inputs();
    reads.push(a.areas.clone());
    reads.extend(
        a.control
            .iter()
            .chain(&a.buffer_control)
            .chain(&a.boundary)
            .cloned(),
    );
    let known: Vec<&str> = OUTPUTS
        .iter()
        .chain(&super::FOLDER_EXTRAS)
        .copied()
        .collect();
    let dir = ResultDir::prepare(&a.out, &known, &reads, a.force.force)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let areas_crs = a
        .areas_crs
        .as_deref()
        .map(Crs::parse)
        .transpose()
        .context("--areas-crs")?;
    let (features, source) = read_areas_in(&a.areas, &loaded.projector, areas_crs.as_ref())
        .with_context(|| {
            format!(
                "--areas {} (give the file's CRS with --areas-crs EPSG:NNNN when it is not WGS84)",
                a.areas.display()
            )
        })?;
    if source.from != CrsSource::Default {
        note(
            quiet,
            format!(
                "areas read in {} ({})",
                source.crs,
                match source.from {
                    CrsSource::Given => "--areas-crs",
                    _ => "the file's crs member",
                }
            ),
        );
    }
    let mut params = AreasParams::default().name_field(a.name_field.clone());
    params.radius = a.radius;
    params.buffer = a.buffer;
    params.start_field = a.start_field.clone();
    if let Some(c) = &a.control {
        params.control = Some(read_boundary(c, &loaded.projector).context("--control")?);
    }
    if let Some(b) = &a.boundary {
        params.boundary = Some(read_boundary(b, &loaded.projector).context("--boundary")?);
    }
    if let Some(d) = &a.buffer_control {
        params.buffer_control =
            Some(read_boundary(d, &loaded.projector).context("--buffer-control")?);
    }
    let set = compare::build_areas(&features, &a.areas, &params)?;
    let cp = CompareParams::new(spec).method(a.count_method.into());
    let r = compare::evaluate(&loaded.incidents, &set, &cp)?;

    note(quiet, format!("periods: {}", r.period_rule));
    for n in &r.notes {
        note(quiet, format!("note: {n}"));
    }
    note(
        quiet,
        format!(
            "control: {} ({:.2} km²)",
            r.control.definition,
            r.control.area_m2 / 1e6
        ),
    );
    if let Some(bc) = &r.buffer_control {
        note(
            quiet,
            format!(
                "buffer control: {} ({:.2} km²); WDD uses separate controls",
                bc.definition,
                bc.area_m2 / 1e6
            ),
        );
    }
    let dominated = r.wdd_dominated();
    if !dominated.is_empty() {
        note(
            quiet,
            format!(
                "warning: the crime WDD of {} of {} rows ({}) is dominated by the control's own change (a control's before count is over 10× its area's): read the RES, or give a comparable --control (and --buffer-control)",
                dominated.len(),
                r.areas.len() + 1,
                if dominated.len() > 4 {
                    format!("{}, …", dominated[..3].join(", "))
                } else {
                    dominated.join(", ")
                }
            ),
        );
    }

    // Render everything before writing anything.
    let parameters = a.parameters(&r.period_rule, &loaded);
    let read = serde_json::to_value(&loaded.summary)?;
    let mut report_json = report::json(&r, parameters.clone(), read, &rules);
    let mut others: Vec<&std::path::Path> = vec![a.areas.as_path()];
    others.extend(
        a.control
            .iter()
            .chain(&a.boundary)
            .chain(&a.buffer_control)
            .map(PathBuf::as_path),
    );
    let mut manifest = super::manifest(&loaded, &serde_json::Map::new(), &others)?;
    if let Value::Object(p) = &parameters {
        manifest.parameters = p.clone();
    }
    report_json["manifest"] = manifest.to_json();
    let mut md_params: Vec<(String, String)> = vec![
        (
            "Inputs".into(),
            a.input
                .inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Rows read".into(),
            read_line(&loaded.summary, a.input.unique_ids),
        ),
        (
            "Areas".into(),
            format!("{} ({} areas)", a.areas.display(), r.areas.len()),
        ),
    ];
    if let Some(rad) = a.radius {
        md_params.push(("Radius around hubs".into(), format!("{rad} m")));
    }
    md_params.push((
        "Buffer".into(),
        a.buffer.map_or_else(
            || "none (no displacement measures)".to_string(),
            |b| format!("{b} m ring around each area"),
        ),
    ));
    md_params.push((
        "Harm".into(),
        parameters["harm"].as_str().unwrap_or_default().to_string(),
    ));
    md_params.push(("Working CRS".into(), loaded.projector.working.to_string()));
    let md = report::markdown(&r, &md_params, &rules);
    let mut members = Map::new();
    members.insert("harmspot".into(), json!({"command": "compare", "version": env!("CARGO_PKG_VERSION"), "parameters": parameters}));
    if let Some(d) = report_json.get("disclosure") {
        note(
            quiet,
            format!(
                "disclosure control: {}",
                d["note"].as_str().unwrap_or_default()
            ),
        );
        members.insert("disclosure".into(), d.clone());
    }

    write_json(&dir.path("report.json"), &report_json)?;
    write_atomic(&dir.path("report.csv"), |w| {
        report::write_csv(&mut *w, &r, &rules)
    })?;
    write_atomic(&dir.path("series.csv"), |w| {
        report::write_series_csv(&mut *w, &r, &rules)
    })?;
    write_atomic(&dir.path("report.md"), |w| w.write_all(md.as_bytes()))?;
    let gj = dir.path("areas.geojson");
    let mut f = AtomicFile::create(&gj)?;
    report::write_geojson(
        f.writer(),
        &r,
        &set,
        &loaded.projector.inverse,
        &members,
        &rules,
    )?;
    f.commit()?;
    super::write_manifest(&dir.path(""), &manifest, &OUTPUTS)?;
    dir.commit()?;
    note(
        quiet,
        format!(
            "wrote report.json, report.csv, series.csv, report.md, areas.geojson, manifest.json and run.toml in {}",
            a.out.display()
        ),
    );
    Ok(())
}
