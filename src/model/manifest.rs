//! Run manifests: what made an output, so a monthly product can be checked and regenerated.
//!
//! A [`Manifest`] records harmspot's version, the full command, the resolved parameters,
//! every input file with its size and SHA-256, the row counts and the working CRS. Outputs
//! embed it without the time (so a replayed run writes byte-identical files); the
//! `manifest.json` written beside them adds the time the run started.

use crate::error::{Error, Result};
use crate::model::incident::ReadSummary;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// One input file.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct InputFile {
    /// Path as given on the command line (or found in a folder).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the contents, lower-case hex.
    pub sha256: String,
}

/// Row counts of the run's reading step.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rows {
    /// Rows read.
    pub read: u64,
    /// Rows kept.
    pub kept: u64,
    /// Rows skipped (unusable).
    pub skipped: u64,
    /// Rows left out by filters.
    pub filtered: u64,
}

/// Everything needed to know what produced an output and to replay it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Manifest {
    /// harmspot's version.
    pub harmspot_version: String,
    /// The command as run: verb and arguments (replayable with `harmspot run`).
    pub command: Vec<String>,
    /// Resolved parameters, automatic choices included.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Input files with sizes and hashes.
    pub inputs: Vec<InputFile>,
    /// Row counts.
    pub rows: Option<Rows>,
    /// Working CRS, e.g. `EPSG:27700`.
    pub working_crs: String,
}

/// SHA-256 of a file, streamed.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let p = dir.path().join("abc.txt");
/// std::fs::write(&p, "abc").unwrap();
/// assert_eq!(
///     harmspot::manifest::sha256_file(&p).unwrap().1,
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((n, hex))
}

impl Manifest {
    /// A manifest for `command` whose inputs, sizes and hashes come from the read step
    /// itself (hashed while read: one pass over each file), with its row counts.
    pub fn from_read(command: Vec<String>, s: &ReadSummary, working_crs: String) -> Manifest {
        Manifest {
            harmspot_version: env!("CARGO_PKG_VERSION").into(),
            command,
            parameters: serde_json::Map::new(),
            inputs: s
                .files
                .iter()
                .map(|f| InputFile {
                    path: f.path.clone(),
                    bytes: f.bytes,
                    sha256: f.sha256.clone(),
                })
                .collect(),
            rows: None,
            working_crs,
        }
        .with_rows(s)
    }

    /// Adds a control file the run read besides the extracts (harm table, boundary, areas),
    /// with its size and SHA-256.
    pub fn add_file(&mut self, path: &Path) -> Result<()> {
        let (bytes, sha256) = sha256_file(path)?;
        self.inputs.push(InputFile {
            path: path.display().to_string(),
            bytes,
            sha256,
        });
        Ok(())
    }

    /// Records the read step's counts.
    pub fn with_rows(mut self, s: &ReadSummary) -> Manifest {
        self.rows = Some(Rows {
            read: s.rows,
            kept: s.kept,
            skipped: s.skipped_total(),
            filtered: s.filtered.values().sum(),
        });
        self
    }

    /// As JSON, for embedding in outputs (no time, so replays are byte-identical).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a manifest serialises")
    }

    /// As JSON with the run's start time (UTC, RFC 3339), for `manifest.json`.
    pub fn to_json_with_time(&self, started: std::time::SystemTime) -> serde_json::Value {
        let mut v = self.to_json();
        v["started_utc"] = rfc3339(started).into();
        v
    }

    /// A `harmspot run` file that replays this run.
    pub fn to_run_toml(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).expect("strings serialise");
        let (verb, args) = self
            .command
            .split_first()
            .map_or(("", &[][..]), |(v, a)| (v.as_str(), a));
        let mut s = format!(
            "# Replay with: harmspot run {{this file}}\n# Written by harmspot {}\ncommand = {}\nargs = [{}]\n",
            self.harmspot_version,
            quote(verb),
            args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(", ")
        );
        for i in &self.inputs {
            s.push_str(&format!(
                "\n[[inputs]]\npath = {}\nbytes = {}\nsha256 = {}\n",
                quote(&i.path),
                i.bytes,
                quote(&i.sha256)
            ));
        }
        s
    }
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), without a date library
/// (days-from-civil inverse, Hinnant 2013).
///
/// ```
/// let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
/// assert_eq!(harmspot::manifest::rfc3339(t), "2023-11-14T22:13:20Z");
/// ```
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The verbs a run file may replay: the analysis verbs that write a manifest. `run` itself
/// (recursion), `generate` and `map` are not replayable.
pub const REPLAYABLE_VERBS: [&str; 10] = [
    "hotspots", "count", "kde", "gistar", "compare", "change", "evaluate", "emerging", "knox",
    "monitor",
];

/// A replay file: `command = "verb"`, `args = [...]` and, for verification, the `inputs`
/// with their SHA-256 (`[[inputs]]` tables; a run's `manifest.json` carries them too).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// The verb, e.g. `hotspots`: one of [`REPLAYABLE_VERBS`].
    pub command: String,
    /// Its arguments, as on the command line.
    #[serde(default)]
    pub args: Vec<String>,
    /// The files the run read, with their sizes and SHA-256.
    #[serde(default)]
    pub inputs: Vec<RecordedInput>,
}

/// One input recorded in a run file or manifest.
#[derive(Clone, Debug, serde::Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecordedInput {
    /// Path as the run gave or found it.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// The keys a `manifest.json` may hold.
const MANIFEST_KEYS: [&str; 9] = [
    "harmspot_version",
    "command",
    "parameters",
    "inputs",
    "rows",
    "working_crs",
    "started_utc",
    "outputs",
    "disclosure",
];

/// An input whose contents differ from what a run file recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct ChangedInput {
    /// The input's path.
    pub path: String,
    /// What differs (`missing`, or the recorded and the current SHA-256).
    pub reason: String,
}

impl RunFile {
    /// Reads a run file (TOML `command` + `args` + `[[inputs]]`) or a run's `manifest.json`,
    /// at most [`crate::model::limits::RUN_FILE_MAX_BYTES`]. Relative paths in the arguments are
    /// taken from the folder harmspot runs in (as when the run was first made).
    pub fn read(path: &Path) -> Result<RunFile> {
        let bytes = crate::model::limits::read_capped(
            path,
            crate::model::limits::RUN_FILE_MAX_BYTES,
            "run file",
        )?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::format(path, "not a harmspot run file: not UTF-8 text"))?;
        RunFile::parse(&text, path)
    }

    /// Parses a run file's text; `path` is used in messages only. Refuses unknown keys,
    /// and verbs outside [`REPLAYABLE_VERBS`]; the arguments are the front end's to check.
    ///
    /// ```
    /// use harmspot::manifest::RunFile;
    /// let p = std::path::Path::new("run.toml");
    /// let rf = RunFile::parse("command = \"count\"\nargs = [\"a.csv\", \"c.csv\"]\n", p).unwrap();
    /// assert_eq!(rf.args.len(), 2);
    /// assert!(RunFile::parse("command = \"run\"\nargs = [\"run.toml\"]\n", p).is_err());
    /// assert!(RunFile::parse("command = \"-q\"\nargs = [\"run\", \"run.toml\"]\n", p).is_err());
    /// assert!(RunFile::parse("command = \"count\"\nargz = []\n", p).is_err());
    /// ```
    pub fn parse(text: &str, path: &Path) -> Result<RunFile> {
        let rf: RunFile = if text.trim_start().starts_with('{') {
            // a manifest: its `command` is the verb and the arguments
            let v: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| Error::format(path, format!("not a harmspot manifest: {e}")))?;
            let obj = v
                .as_object()
                .ok_or_else(|| Error::format(path, "not a harmspot manifest"))?;
            if let Some(k) = obj.keys().find(|k| !MANIFEST_KEYS.contains(&k.as_str())) {
                return Err(Error::format(
                    path,
                    format!("unknown key `{k}` in a harmspot manifest"),
                ));
            }
            let words: Vec<String> = match obj.get("command") {
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .map(|w| w.as_str().map(String::from))
                    .collect::<Option<_>>()
                    .ok_or_else(|| Error::format(path, "`command` must be a list of strings"))?,
                _ => return Err(Error::format(path, "manifest has no `command` list")),
            };
            let (command, args) = words
                .split_first()
                .ok_or_else(|| Error::format(path, "manifest has an empty `command`"))?;
            let inputs = match obj.get("inputs") {
                None => Vec::new(),
                Some(i) => serde_json::from_value(i.clone())
                    .map_err(|e| Error::format(path, format!("manifest `inputs`: {e}")))?,
            };
            RunFile {
                command: command.clone(),
                args: args.to_vec(),
                inputs,
            }
        } else {
            toml::from_str(text)
                .map_err(|e| Error::format(path, format!("not a harmspot run file: {e}")))?
        };
        if !REPLAYABLE_VERBS.contains(&rf.command.as_str()) {
            return Err(Error::format(
                path,
                format!(
                    "`command` must be one of {} (got `{}`)",
                    REPLAYABLE_VERBS.join(", "),
                    rf.command
                ),
            ));
        }
        Ok(rf)
    }

    /// The recorded inputs whose current contents differ (size or SHA-256) or are missing.
    pub fn changed_inputs(&self) -> Vec<ChangedInput> {
        let mut out = Vec::new();
        for i in &self.inputs {
            match sha256_file(Path::new(&i.path)) {
                Ok((bytes, sha)) if bytes == i.bytes && sha == i.sha256 => {}
                Ok((_, sha)) => out.push(ChangedInput {
                    path: i.path.clone(),
                    reason: format!("SHA-256 {} recorded, {sha} now", i.sha256),
                }),
                Err(e) => out.push(ChangedInput {
                    path: i.path.clone(),
                    reason: format!("cannot be read ({e})"),
                }),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_toml_round_trips() {
        let m = Manifest {
            harmspot_version: "0.1.0".into(),
            command: vec![
                "hotspots".into(),
                "data/x y.csv".into(),
                "out=a,b".into(),
                "r\"q".into(),
            ],
            parameters: Default::default(),
            inputs: vec![],
            rows: None,
            working_crs: "EPSG:27700".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("run.toml");
        std::fs::write(&p, m.to_run_toml()).unwrap();
        let rf = RunFile::read(&p).unwrap();
        assert_eq!(rf.command, "hotspots");
        assert_eq!(rf.args, ["data/x y.csv", "out=a,b", "r\"q"]);
    }

    #[test]
    fn hashes_change_with_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        let manifest = |content: &str| {
            std::fs::write(&p, content).unwrap();
            let mut m = Manifest::from_read(vec![], &ReadSummary::default(), "EPSG:27700".into());
            m.add_file(&p).unwrap();
            m
        };
        let (a, b) = (manifest("x"), manifest("y"));
        assert_ne!(a.inputs[0].sha256, b.inputs[0].sha256);
        assert_eq!(a.inputs[0].bytes, 1);
    }
}
