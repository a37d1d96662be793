//! Skip reports a reader can scan: the example locations of one skip reason (`file:line N`,
//! or `file:feature N` for GeoJSON) written once per file, by file name, with runs of
//! consecutive numbers as ranges — `2021-08-northumbria-street.csv lines 15813–15817, …`.

use std::path::Path;

/// `(file, unit, number)` of a location written by the reader, if it has that form.
fn parse(loc: &str) -> Option<(&str, &str, u64)> {
    let (file, rest) = loc.rsplit_once(':')?;
    let (unit, n) = rest.split_once(' ')?;
    Some((file, unit, n.parse().ok()?))
}

/// The example locations, compressed: per file (by its name; in order), its numbers as
/// ranges; `…` at the end when `more` rows were skipped than the examples show.
///
/// ```
/// let ex: Vec<String> = (15813..=15817).map(|n| format!("/data/2021-08/2021-08-x-street.csv:line {n}")).collect();
/// assert_eq!(harmspot::read::compress_locations(&ex, true), "2021-08-x-street.csv lines 15813–15817, …");
/// let ex = vec!["a.csv:line 2".to_string(), "a.csv:line 4".into(), "b.geojson:feature 1".into()];
/// assert_eq!(harmspot::read::compress_locations(&ex, false), "a.csv lines 2, 4; b.geojson feature 1");
/// ```
pub fn compress_locations(examples: &[String], more: bool) -> String {
    let mut groups: Vec<(String, String, Vec<u64>)> = Vec::new();
    let mut raw: Vec<String> = Vec::new();
    for e in examples {
        let Some((file, unit, n)) = parse(e) else {
            raw.push(e.clone());
            continue;
        };
        let name = Path::new(file)
            .file_name()
            .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
        match groups.last_mut() {
            Some((f, u, ns)) if *f == name && u == unit => ns.push(n),
            _ => groups.push((name, unit.to_string(), vec![n])),
        }
    }
    let mut parts: Vec<String> = groups
        .into_iter()
        .map(|(file, unit, ns)| {
            let plural = if ns.len() > 1 { "s" } else { "" };
            format!("{file} {unit}{plural} {}", ranges(&ns))
        })
        .collect();
    parts.extend(raw);
    let mut s = parts.join("; ");
    if more {
        s.push_str(", …");
    }
    s
}

/// `1, 3–5, 9` for `[1, 3, 4, 5, 9]`.
fn ranges(ns: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut k = 0;
    while k < ns.len() {
        let mut j = k;
        while j + 1 < ns.len() && ns[j + 1] == ns[j] + 1 {
            j += 1;
        }
        out.push(if j > k {
            format!("{}–{}", ns[k], ns[j])
        } else {
            ns[k].to_string()
        });
        k = j + 1;
    }
    out.join(", ")
}
