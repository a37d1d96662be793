//! `harmspot monitor`: quarterly measures of success for hubs, intervention areas, LSOAs
//! and hotspots (METHODS §10; issue 20). This file turns flags into parameters and reads
//! the areas and partner files; the analysis is [`harmspot::monitor`] and the folder is
//! written by [`harmspot::publish::monitor`].

use super::input::InputArgs;
use super::layer_out::DisclosureArgs;
use super::note;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use harmspot::compare::{self, AreasParams};
use harmspot::monitor::used::{Given, HarmUsed};
use harmspot::monitor::{
    self, activities, area_counts, Calendar, MonitorParams, PartnerData, PeriodKind,
};
use harmspot::publish::monitor::{publish, Product, OUTPUTS};
use harmspot::read::areas::{read_areas_in, AreaFeature, CrsSource};
use harmspot::write::safe::ResultDir;
use harmspot::{Crs, MonthRange};
use std::path::PathBuf;

/// How months are grouped into periods.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// One period per month.
    Month,
    /// Quarters from the year start.
    Quarter,
    /// Years from the year start.
    Year,
}

impl From<ByArg> for PeriodKind {
    fn from(b: ByArg) -> Self {
        match b {
            ByArg::Month => PeriodKind::Month,
            ByArg::Quarter => PeriodKind::Quarter,
            ByArg::Year => PeriodKind::Year,
        }
    }
}

/// Arguments of `harmspot monitor`.
#[derive(Args, Debug)]
#[command(
    after_help = "Measures (the `measure` column): crime (every type but anti-social \
behaviour), asb, violence (Violence and sexual offences), weapons (Possession of weapons), harm, \
repeat_locations (incidents at a map point with another incident in the 12 months before), \
activities (with --activities) and every measure of --area-counts.\n\n\
Each period is compared with the baseline: the mean per month of the baseline months, scaled to \
the period, +/- 1.96 sqrt(phi x mean), phi >= 1 the overdispersion of the baseline months. A \
complete period outside the limits is flagged above or below; a period with months missing from \
the data is `incomplete` and never flagged.\n\n\
Outputs in --out: measures.csv (area, period, measure, count, months, baseline_mean, low, high, \
flag, last_year, change_pct), measures.md (a table per measure and a sentence per flagged \
period), chart.png (small multiples), areas.geojson (for harmspot map), manifest.json, run.toml.\n\n\
Example (UK financial quarters around community hubs):\n  harmspot monitor data/police-uk/ \
--areas hubs.geojson --radius 300 --year-start 04 --out hubs-monitor/"
)]
pub struct MonitorArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Areas: GeoJSON Polygons/MultiPolygons (LSOAs, wards, intervention areas), Points
    /// (hubs) with --radius, or a hotspots result's hotspots.geojson / harmspots.geojson.
    #[arg(long, value_name = "FILE", help_heading = "Areas")]
    pub areas: PathBuf,
    /// CRS of the --areas file (and of a GeoJSON --activities file), EPSG:NNNN [default:
    /// the file's `crs` member, else WGS84].
    #[arg(long, value_name = "EPSG:NNNN", help_heading = "Areas")]
    pub areas_crs: Option<String>,
    /// Property holding each area's name [default: `name`; hotspot files are named by their
    /// `rank`].
    #[arg(long, value_name = "FIELD", help_heading = "Areas")]
    pub name_field: Option<String>,
    /// Distance around Point areas, metres.
    #[arg(
        long,
        value_name = "M",
        allow_negative_numbers = true,
        help_heading = "Areas"
    )]
    pub radius: Option<f64>,

    /// Periods: month, quarter or year.
    #[arg(long, value_enum, default_value_t = ByArg::Quarter, help_heading = "Periods")]
    pub by: ByArg,
    /// First month of the year, MM: 01 for calendar quarters (`2021 Q1`), 04 for UK
    /// financial years (`2021/22 Q1` = April to June 2021).
    #[arg(
        long,
        value_name = "MM",
        default_value = "01",
        help_heading = "Periods"
    )]
    pub year_start: String,
    /// Baseline months, YYYY-MM..YYYY-MM [default: the first four complete quarters (twelve
    /// complete months, one complete year) of each measure].
    #[arg(long, value_name = "A..B", help_heading = "Periods")]
    pub baseline: Option<String>,

    /// Partner activity points to count per area and period: CSV with lon, lat, date
    /// (YYYY-MM-DD or YYYY-MM) columns, or GeoJSON Points with a `date` property.
    #[arg(long, value_name = "FILE", help_heading = "Partner data")]
    pub activities: Option<PathBuf>,
    /// Area-coded counts (e.g. A&E assault attendances by LSOA and month): CSV
    /// area_code,month,measure,count, summed onto the areas by --code-field.
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "Partner data",
        requires = "code_field"
    )]
    pub area_counts: Option<PathBuf>,
    /// Property of the areas holding the code --area-counts uses (e.g. LSOA11CD).
    #[arg(
        long,
        value_name = "PROP",
        help_heading = "Partner data",
        requires = "area_counts"
    )]
    pub code_field: Option<String>,

    /// Output folder (created if missing; written beside it and swapped into place when
    /// complete).
    #[arg(long, value_name = "DIR", help_heading = "Output")]
    pub out: PathBuf,
    #[command(flatten)]
    pub force: super::ForceArg,
    #[command(flatten)]
    pub disclosure: DisclosureArgs,
}

impl MonitorArgs {
    fn params(&self) -> Result<MonitorParams> {
        let ys: u32 = self
            .year_start
            .trim()
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .with_context(|| {
                format!(
                    "--year-start: `{}` is not a month 01-12 (04 = UK financial year)",
                    self.year_start
                )
            })?;
        let mut p = MonitorParams::default().calendar(Calendar::new(self.by.into(), ys)?);
        if let Some(b) = &self.baseline {
            p = p.baseline(MonthRange::parse(b).with_context(|| {
                format!("--baseline: `{b}` is not a month range YYYY-MM..YYYY-MM (first month not after the last)")
            })?);
        }
        Ok(p)
    }

    fn areas_crs(&self) -> Result<Option<Crs>> {
        self.areas_crs
            .as_deref()
            .map(Crs::parse)
            .transpose()
            .context("--areas-crs")
    }

    /// Reads the areas file; hotspot files without names are named by rank.
    fn features(
        &self,
        loaded: &super::input::Loaded,
        quiet: bool,
    ) -> Result<(Vec<AreaFeature>, String)> {
        let (mut features, source) =
            read_areas_in(&self.areas, &loaded.projector, self.areas_crs()?.as_ref())
                .with_context(|| {
                    format!(
                "--areas {} (give the file's CRS with --areas-crs EPSG:NNNN when it is not WGS84)",
                self.areas.display()
            )
                })?;
        if source.from != CrsSource::Default {
            note(quiet, format!("areas read in {}", source.crs));
        }
        let field = match &self.name_field {
            Some(f) => f.clone(),
            None if name_hotspots(&mut features, &self.areas) => {
                note(
                    quiet,
                    "areas named by their `rank` (a hotspots result's file)",
                );
                "name".into()
            }
            None => "name".into(),
        };
        Ok((features, field))
    }

    fn given(&self, loaded: &super::input::Loaded, name_field: &str) -> Given {
        Given {
            inputs: self.input.inputs.clone(),
            areas: self.areas.clone(),
            areas_crs: self.areas_crs.clone(),
            name_field: name_field.to_string(),
            radius_m: self.radius,
            activities: self.activities.clone(),
            area_counts: self.area_counts.clone(),
            code_field: self.code_field.clone(),
            working_crs: loaded.projector.working.to_string(),
            harm: match &self.input.weight_col {
                Some(c) => HarmUsed::WeightColumn(c.clone()),
                None => HarmUsed::Table {
                    origin: loaded.harm.origin.clone(),
                    version: loaded.harm.version.clone(),
                },
            },
        }
    }
}

/// Names the features of a hotspots result (`rank`, no `name`): `Hotspot 1`, or `Harm spot
/// S1` for harmspots.geojson. Returns whether it did.
fn name_hotspots(features: &mut [AreaFeature], path: &std::path::Path) -> bool {
    let has = |f: &AreaFeature, k: &str| f.properties.get(k).is_some_and(|v| !v.is_null());
    if features.iter().any(|f| has(f, "name")) || !features.iter().all(|f| has(f, "rank")) {
        return false;
    }
    let harm = path.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("harmspots")
    });
    for f in features.iter_mut() {
        let rank = f.properties["rank"].to_string();
        let name = if harm {
            format!("Harm spot S{rank}")
        } else {
            format!("Hotspot {rank}")
        };
        f.properties.insert("name".into(), name.into());
    }
    true
}

pub fn run(a: MonitorArgs, quiet: bool) -> Result<()> {
    let params = a.params()?;
    let rules = a.disclosure.rules()?;
    let mut reads = a.input.safety_inputs();
    reads.push(a.areas.clone());
    reads.extend(a.activities.iter().chain(&a.area_counts).cloned());
    let known: Vec<&str> = OUTPUTS
        .iter()
        .chain(&super::FOLDER_EXTRAS)
        .copied()
        .collect();
    let dir = ResultDir::prepare(&a.out, &known, &reads, a.force.force)?;
    let loaded = a.input.load_nonempty(quiet)?;
    let (features, name_field) = a.features(&loaded, quiet)?;
    let mut ap = AreasParams::default().name_field(name_field.clone());
    ap.radius = a.radius;
    let set = compare::build_areas(&features, &a.areas, &ap)?;
    for n in &set.notes {
        note(quiet, format!("note: {n}"));
    }
    let mut partner = PartnerData::default();
    if let Some(p) = &a.activities {
        let acts = activities::read(p, &loaded.projector, a.areas_crs()?.as_ref())
            .context("--activities")?;
        note(
            quiet,
            format!("read {} activities from {}", acts.points.len(), p.display()),
        );
        partner.activities = Some(acts);
    }
    if let (Some(p), Some(field)) = (&a.area_counts, &a.code_field) {
        let counts = area_counts::read(p).context("--area-counts")?;
        let codes = area_counts::codes(&features, &set, &a.areas, field).context("--code-field")?;
        note(
            quiet,
            format!(
                "read {} rows of {} from {}",
                counts.rows.len(),
                counts.measures.join(", "),
                p.display()
            ),
        );
        partner.area_counts = Some((counts, codes));
    }
    let r = monitor::evaluate(&loaded.incidents, &set, &partner, &params)?;
    for n in &r.notes {
        note(quiet, format!("note: {n}"));
    }
    if let Some(m) = r.measures.first() {
        if params.baseline.is_none() {
            note(
                quiet,
                format!(
                    "baseline set to {} automatically (the first year of complete periods)",
                    m.baseline_range.map_or("none".into(), |b| b.to_string())
                ),
            );
        }
    }
    let mut files: Vec<&std::path::Path> = vec![a.areas.as_path()];
    files.extend(
        a.activities
            .iter()
            .chain(&a.area_counts)
            .map(PathBuf::as_path),
    );
    let product = Product {
        result: &r,
        used: r.used(a.given(&loaded, &name_field), params.baseline),
        areas: &set,
        read: &loaded.summary,
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
            "wrote measures.csv, measures.md, chart.png, areas.geojson, manifest.json and run.toml in {} ({} areas x {} periods x {} measures)",
            a.out.display(),
            r.areas.len(),
            r.periods.len(),
            r.measures.len()
        ),
    );
    Ok(())
}
