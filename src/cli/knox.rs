//! `harmspot knox`: the Knox test for near repeats (METHODS §8).

use super::input::{InputArgs, Loaded};
use super::note;
use anyhow::{bail, Context, Result};
use clap::Args;
use harmspot::knox::{test, KnoxParams, KnoxResult, MAX_PERMUTATIONS, TIME_NOTE};
use harmspot::write::{cells::push_fixed, number::push_csv_float, write_atomic, write_json};
use harmspot::IncidentIndex;
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `harmspot knox`.
#[derive(Args, Debug)]
#[command(
    after_help = "Every pair of incidents falls in one distance band x one month band \
(the last of each, `beyond`, holds the rest). observed = pairs in the cell; expected = mean \
over --permutations random permutations of the months across the incidents (locations \
fixed); ratio = observed/expected (the Knox ratio); p = (permutations with at least the \
observed count + 1)/(permutations + 1), one-sided. Same seed, same result, at any number of \
threads.\n\n\
police.uk gives months, not dates: two incidents in the same month are 0 months apart, so \
near repeats show only at the scale of months.\n\n\
Outputs by extension: .json (the table and the run's parameters), .csv (one row per cell: \
distance_from,distance_to,months_from,months_to,observed,expected,ratio,pvalue). Without \
--out the table is printed.\n\n\
Example:\n  harmspot knox data/police-uk/ --types Burglary --distance-bands 100,200,400 \
--month-bands 0,1,2 --permutations 999 --out knox.json"
)]
pub struct KnoxArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Upper edges of the distance bands in metres, ascending (inclusive): 100,200 gives
    /// 0-100, 100-200 and beyond 200.
    #[arg(
        long,
        value_name = "M,M,...",
        default_value = "100,200,400,800",
        help_heading = "Knox"
    )]
    pub distance_bands: String,
    /// Upper edges of the month bands, ascending (inclusive): 0,1,3 gives the same month,
    /// 1 month apart, 2-3 months apart and beyond 3.
    #[arg(
        long,
        value_name = "K,K,...",
        default_value = "0,1,2,3",
        help_heading = "Knox"
    )]
    pub month_bands: String,
    /// Random permutations of the months.
    #[arg(long, value_name = "R", default_value_t = 999, help_heading = "Knox")]
    pub permutations: u32,
    /// Seed of the permutations.
    #[arg(long, value_name = "S", default_value_t = 1, help_heading = "Knox")]
    pub seed: u64,
    /// Output file(s): .json or .csv (repeatable).
    #[arg(long, short, value_name = "FILE", help_heading = "Output")]
    pub out: Vec<PathBuf>,
}

fn list<T: std::str::FromStr>(flag: &str, s: &str) -> Result<Vec<T>> {
    s.split(',')
        .map(|t| t.trim().parse::<T>().ok())
        .collect::<Option<Vec<T>>>()
        .with_context(|| format!("{flag}: `{s}` is not a comma-separated list of numbers"))
}

#[derive(Copy, Clone, PartialEq)]
enum Kind {
    Json,
    Csv,
}

fn kind(p: &Path) -> Result<Kind> {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let k = match ext.as_deref() {
        Some("json") => Kind::Json,
        Some("csv") => Kind::Csv,
        _ => bail!("--out: `{}` must end in .json or .csv", p.display()),
    };
    let dir = p
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        bail!("--out: folder `{}` does not exist", dir.display());
    }
    Ok(k)
}

/// What a report records about the input (as the grid verbs' `record_run`).
pub fn input_meta(loaded: &Loaded, input: &InputArgs) -> Value {
    let s = &loaded.summary;
    json!({
        "harmspot_version": env!("CARGO_PKG_VERSION"),
        "working_crs": loaded.projector.working.to_string(),
        "input": {
            "files": s.files.iter().map(|f| f.path.clone()).collect::<Vec<_>>(),
            "rows": s.rows,
            "kept": s.kept,
            "skipped": s.skipped_total(),
            "filtered": s.filtered.values().sum::<u64>(),
            "months": loaded.incidents.month_range().map(|r| r.to_string()),
            "types": input.types,
            "exclude_types": input.exclude_types,
        },
    })
}

fn band(from: f64, to: Option<f64>, unit: &str) -> String {
    match to {
        Some(t) => format!("{from}-{t} {unit}"),
        None => format!(">{from} {unit}"),
    }
}

fn months(from: u32, to: Option<u32>) -> String {
    match to {
        Some(t) if t == from => format!("{t} mo"),
        Some(t) => format!("{from}-{t} mo"),
        None => format!(">={from} mo"),
    }
}

/// The table as text: one line per distance band, `ratio (p)` per month band.
fn table(r: &KnoxResult) -> String {
    let w = r.month_bands.len() + 1;
    let mut s = format!(
        "Knox ratio observed/expected (p), {} incidents, {} permutations, seed {}\n{:<16}",
        r.incidents, r.permutations, r.seed, ""
    );
    for c in &r.cells[..w] {
        s.push_str(&format!("{:>20}", months(c.months_from, c.months_to)));
    }
    s.push('\n');
    for row in r.cells.chunks(w) {
        s.push_str(&format!(
            "{:<16}",
            band(row[0].distance_from, row[0].distance_to, "m")
        ));
        for c in row {
            let v = c.ratio.map_or("n/a".to_string(), |x| format!("{x:.2}"));
            s.push_str(&format!("{:>20}", format!("{v} ({:.3})", c.pvalue)));
        }
        s.push('\n');
    }
    s.push_str(&format!("note: {TIME_NOTE}\n"));
    s
}

pub fn run(a: KnoxArgs, quiet: bool) -> Result<()> {
    let kinds: Vec<Kind> = a.out.iter().map(|p| kind(p)).collect::<Result<_>>()?;
    let reads = a.input.safety_inputs();
    for p in &a.out {
        harmspot::write::safe::check_output_file(p, &reads)?;
    }
    let params = KnoxParams {
        distance_bands: list("--distance-bands", &a.distance_bands)?,
        month_bands: list("--month-bands", &a.month_bands)?,
        permutations: a.permutations,
        seed: a.seed,
    };
    if a.permutations == 0 || a.permutations > MAX_PERMUTATIONS {
        bail!(
            "--permutations: must be 1 to {MAX_PERMUTATIONS}, got {}",
            a.permutations
        );
    }
    let loaded = a.input.load_nonempty(quiet)?;
    let index = IncidentIndex::build(&loaded.incidents);
    let r = test(&loaded.incidents, &index, &params)?;
    note(
        quiet,
        format!(
            "{} incidents, {} pairs, {} within {} m; months {}..{}",
            r.incidents,
            r.pairs,
            r.close_pairs,
            r.distance_bands.last().copied().unwrap_or_default(),
            r.months[0],
            r.months[1]
        ),
    );
    if a.out.is_empty() {
        let t = table(&r);
        harmspot::write::stdout::with_stdout(|w| {
            w.write_all(t.as_bytes())
                .map_err(|e| harmspot::Error::io(harmspot::write::stdout::STDOUT, e))
        })?;
        return Ok(());
    }
    note(quiet, table(&r).trim_end());
    for (p, k) in a.out.iter().zip(kinds) {
        match k {
            Kind::Json => {
                let mut v = serde_json::to_value(&r)?;
                v["parameters"] = input_meta(&loaded, &a.input);
                v["parameters"]["analysis"] = "knox".into();
                write_json(p, &v)?;
            }
            Kind::Csv => write_atomic(p, |w| {
                w.write_all(b"distance_from,distance_to,months_from,months_to,observed,expected,ratio,pvalue\n")?;
                let mut line = String::new();
                for c in &r.cells {
                    line.clear();
                    push_fixed(&mut line, c.distance_from, 3);
                    line.push(',');
                    if let Some(d) = c.distance_to {
                        push_fixed(&mut line, d, 3);
                    }
                    line.push_str(&format!(",{},", c.months_from));
                    if let Some(m) = c.months_to {
                        line.push_str(&m.to_string());
                    }
                    line.push_str(&format!(",{},", c.observed));
                    push_csv_float(&mut line, c.expected);
                    line.push(',');
                    if let Some(x) = c.ratio {
                        push_csv_float(&mut line, x);
                    }
                    line.push(',');
                    push_csv_float(&mut line, c.pvalue);
                    line.push('\n');
                    w.write_all(line.as_bytes())?;
                }
                Ok(())
            })?,
        }
        note(quiet, format!("wrote {}", p.display()));
    }
    Ok(())
}
