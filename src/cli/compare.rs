//! `harmspot compare`: before/after evaluation around community hubs and intervention areas
//! (METHODS §6). This file turns flags into parameters and reads the areas; the analysis is
//! [`harmspot::compare`] and the product folder is written by [`harmspot::publish::compare`].

use super::input::InputArgs;
use super::layer_out::DisclosureArgs;
use super::note;
use anyhow::{bail, Context, Result};
use clap::{ArgGroup, Args, ValueEnum};
use harmspot::compare::used::{ControlSource, Given, HarmSource};
use harmspot::compare::{
    self, AreasParams, CompareParams, CompareResult, CountMethod, Counterfactual, Inference,
    InferenceParams, PeriodSpec,
};
use harmspot::publish::compare::{publish, Product, OUTPUTS};
use harmspot::read::areas::{read_areas_in, read_boundary, CrsSource};
use harmspot::write::safe::ResultDir;
use harmspot::{Crs, Month, MonthRange};
use std::path::PathBuf;

/// How incidents are assigned to areas (both give the same counts).
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    /// One parallel pass over the incidents with a bucket grid of area envelopes.
    OnePass,
    /// Build an incident R-tree and query it with each area's polygon.
    Index,
}

/// How verdicts' p-values are computed.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum InferenceArg {
    /// Placebo areas of each hub's shape (calibrated).
    Placebo,
    /// RES z-test with quasi-Poisson variances.
    Analytic,
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
    /// The counterfactual: `synthetic` (the default: a synthetic control per hub, built from
    /// donor areas of the hub's shape where incidents occur), or a FILE of GeoJSON polygons,
    /// a control area whose change stands for every hub's (for the analytic statistics the
    /// default control is the rest of the study area, minus every treatment area and
    /// buffer).
    #[arg(long, value_name = "synthetic|FILE", help_heading = "Areas")]
    pub control: Option<PathBuf>,
    /// A separate control area for the buffers (Wheeler & Ratcliffe's WDD with separate
    /// treatment and displacement controls): GeoJSON polygons [default: the control serves
    /// both].
    #[arg(long, value_name = "FILE", help_heading = "Areas", requires = "buffer")]
    pub buffer_control: Option<PathBuf>,
    /// Study-area boundary for the default control: GeoJSON polygons [default: the convex
    /// hull of the incidents].
    #[arg(long, value_name = "FILE", help_heading = "Areas")]
    pub boundary: Option<PathBuf>,

    /// How the p-values behind the verdicts are computed: `placebo` (placebo areas of each
    /// hub's shape where incidents occur, outside every hub and buffer; calibrated) or
    /// `analytic` (the RES z-test with quasi-Poisson variances; not calibrated at micro
    /// places).
    #[arg(long, value_enum, default_value_t = InferenceArg::Placebo, help_heading = "Verdicts")]
    pub inference: InferenceArg,
    /// Placebo areas per hub (the smallest p-value possible is 1/(N + 1)).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 999,
        help_heading = "Verdicts"
    )]
    pub placebos: usize,
    /// Seed of the placebo and donor draws: the same seed gives the same p-values on any
    /// machine and at any thread count.
    #[arg(long, value_name = "S", default_value_t = 1, help_heading = "Verdicts")]
    pub seed: u64,
    /// Significance level of the verdicts (`fall`, `rise`, `no clear change`).
    #[arg(
        long,
        value_name = "A",
        default_value_t = 0.05,
        help_heading = "Verdicts"
    )]
    pub alpha: f64,

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
    /// The control FILE, when one is given (`--control synthetic` gives none).
    fn control_file(&self) -> Option<&PathBuf> {
        self.control
            .as_ref()
            .filter(|c| c.as_os_str() != "synthetic")
    }

    /// The verdicts' parameters, checked before any data is read.
    fn inference(&self) -> Result<InferenceParams> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            bail!(
                "--alpha: {} is not a level between 0 and 1 (e.g. 0.05)",
                self.alpha
            );
        }
        if self.placebos == 0 || self.placebos > 99_999 {
            bail!(
                "--placebos: {} is not between 1 and 99999 (999 gives p-values down to 0.001)",
                self.placebos
            );
        }
        if self.control_file().is_some() && self.boundary.is_some() {
            bail!("--boundary cannot be used with --control FILE (the control is the file's polygons; --boundary bounds the default control)");
        }
        Ok(InferenceParams {
            inference: match self.inference {
                InferenceArg::Placebo => Inference::Placebo,
                InferenceArg::Analytic => Inference::Analytic,
            },
            placebos: self.placebos,
            seed: self.seed,
            alpha: self.alpha,
            counterfactual: if self.control_file().is_some() {
                Counterfactual::Control
            } else {
                Counterfactual::Synthetic
            },
            ..InferenceParams::default()
        })
    }

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

    /// The inputs and options as given, for the record of what the run used.
    fn given(&self, loaded: &super::input::Loaded) -> Given {
        Given {
            inputs: self.input.inputs.clone(),
            areas: self.areas.clone(),
            areas_crs: self.areas_crs.clone(),
            name_field: self.name_field.clone(),
            control: self
                .control_file()
                .cloned()
                .map_or(ControlSource::RestOfStudyArea, ControlSource::File),
            buffer_control: self.buffer_control.clone(),
            boundary: self.boundary.clone(),
            start_field: self.start_field.clone(),
            start: self.start.clone(),
            months: self.months,
            include_start_month: self.include_start_month,
            before: self.before.clone(),
            after: self.after.clone(),
            working_crs: loaded.projector.working.to_string(),
            harm: match &self.input.weight_col {
                Some(c) => HarmSource::WeightColumn(c.clone()),
                None => HarmSource::Table {
                    origin: loaded.harm.origin.clone(),
                    version: loaded.harm.version.clone(),
                },
            },
            types: self.input.types.clone(),
            exclude_types: self.input.exclude_types.clone(),
            from: self.input.from.clone(),
            to: self.input.to.clone(),
        }
    }

    /// Reads the areas file and the control, boundary and buffer control into parameters,
    /// and builds the places.
    fn area_set(&self, loaded: &super::input::Loaded, quiet: bool) -> Result<compare::AreaSet> {
        let areas_crs = self
            .areas_crs
            .as_deref()
            .map(Crs::parse)
            .transpose()
            .context("--areas-crs")?;
        let (features, source) =
            read_areas_in(&self.areas, &loaded.projector, areas_crs.as_ref()).context("--areas")?;
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
        let mut params = AreasParams::default().name_field(self.name_field.clone());
        params.radius = self.radius;
        params.buffer = self.buffer;
        params.start_field = self.start_field.clone();
        let read =
            |p: &PathBuf, flag: &str| read_boundary(p, &loaded.projector).context(flag.to_string());
        params.control = self
            .control_file()
            .map(|c| read(c, "--control"))
            .transpose()?;
        params.boundary = self
            .boundary
            .as_ref()
            .map(|b| read(b, "--boundary"))
            .transpose()?;
        params.buffer_control = self
            .buffer_control
            .as_ref()
            .map(|d| read(d, "--buffer-control"))
            .transpose()?;
        Ok(compare::build_areas(&features, &self.areas, &params)?)
    }
}

/// Tells the analyst what was decided: periods, notes, the controls and WDD warnings.
fn tell(quiet: bool, r: &CompareResult) {
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
    note(quiet, format!("verdicts: {}", r.verdicts.inference));
    for n in &r.verdicts.notes {
        note(quiet, format!("note: {n}"));
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
}

pub fn run(a: CompareArgs, quiet: bool) -> Result<()> {
    // everything that needs no data is checked before reading
    let spec = a.periods()?;
    let inference = a.inference()?;
    let rules = a.disclosure.rules()?;
    let mut reads = a.input.safety_inputs();
    reads.push(a.areas.clone());
    let others: Vec<PathBuf> = a
        .control_file()
        .into_iter()
        .chain(&a.buffer_control)
        .chain(&a.boundary)
        .cloned()
        .collect();
    reads.extend(others.iter().cloned());
    let known: Vec<&str> = OUTPUTS
        .iter()
        .chain(&super::FOLDER_EXTRAS)
        .copied()
        .collect();
    let dir = ResultDir::prepare(&a.out, &known, &reads, a.force.force)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let set = a.area_set(&loaded, quiet)?;
    let cp = CompareParams::new(spec)
        .method(a.count_method.into())
        .inference(inference);
    let r = compare::evaluate(&loaded.incidents, &set, &cp)?;
    tell(quiet, &r);

    let mut files: Vec<&std::path::Path> = vec![a.areas.as_path()];
    files.extend(
        a.control_file()
            .into_iter()
            .chain(&a.boundary)
            .chain(&a.buffer_control)
            .map(PathBuf::as_path),
    );
    let product = Product {
        result: &r,
        used: r.used(a.given(&loaded)),
        areas: &set,
        read: &loaded.summary,
        unique_ids: a.input.unique_ids,
        inverse: &loaded.projector.inverse,
        rules: &rules,
        manifest: super::manifest(&loaded, &serde_json::Map::new(), &files)?,
        started: super::started(),
        spell: &super::flags::render,
    };
    let published = publish(&dir, product)?;
    if let Some(d) = &published.disclosure {
        note(quiet, format!("disclosure control: {}", d.note));
    }
    dir.commit()?;
    note(
        quiet,
        format!(
            "wrote report.json, report.csv, series.csv, report.md, areas.geojson, chart-*.png, manifest.json and run.toml in {}",
            a.out.display()
        ),
    );
    Ok(())
}
