//! The map's default title, from what the folder's `manifest.json` says was run: the
//! analysis, the force and the period of the police.uk files read — "Harm hotspots,
//! Northumbria, 2021-01..2021-12" — instead of the folder's name.

use std::path::Path;

/// The analysis a verb performs, as a title.
fn analysis(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "hotspots" => "Harm hotspots",
        "gistar" => "Gi* hot and cold spots",
        "kde" => "Density",
        "count" => "Counts",
        "compare" => "Before/after evaluation",
        "change" => "Change between periods",
        "evaluate" => "Hotspot evaluation",
        "emerging" => "Emerging hot spots",
        "knox" => "Near repeats",
        _ => return None,
    })
}

/// (month, force) of a police.uk file name `YYYY-MM-force-name-street.csv`.
fn month_and_force(name: &str) -> Option<(String, String)> {
    let stem = name.strip_suffix("-street.csv")?;
    let (month, force) = (stem.get(..7)?, stem.get(8..)?);
    let ok = month.len() == 7
        && month.as_bytes()[4] == b'-'
        && month
            .chars()
            .enumerate()
            .all(|(i, c)| i == 4 || c.is_ascii_digit());
    if !ok || force.is_empty() {
        return None;
    }
    let force = force
        .split('-')
        .enumerate()
        .map(|(i, w)| {
            if i > 0 && matches!(w, "and" | "of" | "the") {
                return w.to_string();
            }
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some((month.to_string(), force))
}

/// "Analysis, Force, first..last" from `dir/manifest.json`; `None` when the folder has no
/// harmspot manifest naming a known verb.
///
/// ```ignore
/// // a hotspots run over northumbria-2021/ gives "Harm hotspots, Northumbria, 2021-01..2021-12"
/// ```
pub(crate) fn default_title(dir: &Path) -> Option<String> {
    let bytes =
        crate::model::limits::read_capped(&dir.join("manifest.json"), 16 << 20, "manifest").ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let verb = v.get("command")?.as_array()?.first()?.as_str()?;
    let mut parts = vec![analysis(verb)?.to_string()];
    let mut months: Vec<String> = Vec::new();
    let mut forces: Vec<String> = Vec::new();
    for i in v
        .get("inputs")
        .and_then(|i| i.as_array())
        .into_iter()
        .flatten()
    {
        let name = i.get("path").and_then(|p| p.as_str()).map(Path::new);
        let name = name.and_then(|p| p.file_name()).and_then(|n| n.to_str());
        if let Some((m, f)) = name.and_then(month_and_force) {
            months.push(m);
            if !forces.contains(&f) {
                forces.push(f);
            }
        }
    }
    if !forces.is_empty() {
        parts.push(forces.join(" and "));
    }
    months.sort();
    match (months.first(), months.last()) {
        (Some(a), Some(b)) if a == b => parts.push(a.clone()),
        (Some(a), Some(b)) => parts.push(format!("{a}..{b}")),
        _ => {}
    }
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_analysis_force_and_period() {
        let t = tempfile::tempdir().unwrap();
        let inputs: Vec<serde_json::Value> = ["2021-01", "2021-12", "2021-06"]
            .iter()
            .map(|m| serde_json::json!({"path": format!("data/{m}/{m}-northumbria-street.csv"), "bytes": 1, "sha256": "x"}))
            .collect();
        let m = serde_json::json!({"harmspot_version": "0.1.0", "command": ["hotspots", "data", "--out", "fy"], "inputs": inputs});
        std::fs::write(t.path().join("manifest.json"), m.to_string()).unwrap();
        assert_eq!(
            default_title(t.path()).unwrap(),
            "Harm hotspots, Northumbria, 2021-01..2021-12"
        );
        assert_eq!(
            month_and_force("2021-03-avon-and-somerset-street.csv")
                .unwrap()
                .1,
            "Avon and Somerset"
        );
        assert!(default_title(&t.path().join("none")).is_none());
    }
}
