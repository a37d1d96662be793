//! The scorecard that opens `report.md` (issue 19; METHODS §6b): hubs × the VRU's measures
//! (effect against the counterfactual, placebo p-value, verdict), then one sentence per
//! measure: "Crime fell beyond chance in K of N hubs (about E would by chance alone)".
//! Under no effect at all, a fall is called at a hub with probability α/2 (two-sided test,
//! one direction), so `E = N · α/2`. Rendered from the typed [`Verdicts`] under the run's
//! disclosure rules (a hub whose counts are withheld reads `withheld`).

use super::shield::{find, shield_row};
use crate::compare::verdict::{Verdict, Verdicts, Word};
use crate::compare::{CompareResult, MeasureKind};
use crate::publish::disclosure::Disclosure;
use crate::publish::write::escape::markdown as md;
use std::fmt::Write as _;

/// The VRU's measures as the scorecard names them.
const LABELS: [(&str, &str, MeasureKind); 5] = [
    ("Crime", "crime", MeasureKind::Crime),
    ("ASB", "anti-social behaviour", MeasureKind::Asb),
    (
        "Violence",
        "violence and sexual offences",
        MeasureKind::Violence,
    ),
    ("Weapons", "possession of weapons", MeasureKind::Weapons),
    ("Harm", "harm", MeasureKind::Harm),
];

/// `−23% (p 0.04) fall`: the effect, p and verdict of one cell.
pub(super) fn cell(v: &Verdict) -> String {
    let eff = v
        .effect_pct
        .map_or_else(|| "–".to_string(), super::sentence::signed_pct);
    let p = v.p_value.map_or_else(|| "–".to_string(), p_short);
    let word = match v.verdict {
        Word::Fall => "**fall**".to_string(),
        Word::Rise => "**rise**".to_string(),
        Word::NoClearChange => "no clear change".to_string(),
    };
    format!("{eff} (p {p}) {word}")
}

/// A p-value for a table: `0.004`, `0.04`, `0.62`.
pub(super) fn p_short(p: f64) -> String {
    if p < 0.01 {
        format!("{p:.3}")
    } else {
        format!("{p:.2}")
    }
}

/// The measures present in the data (violence and weapons only when it holds those types).
fn present(r: &CompareResult) -> Vec<&'static (&'static str, &'static str, MeasureKind)> {
    LABELS
        .iter()
        .filter(|(_, _, m)| r.pooled.measure(m).is_some())
        .collect()
}

/// Writes the scorecard section.
pub(super) fn scorecard(o: &mut String, r: &CompareResult, rules: &Disclosure) {
    let v: &Verdicts = &r.verdicts;
    let measures = present(r);
    let _ = writeln!(
        o,
        "## Scorecard\n\nEach hub's after-period count against what it would have been without the hub (its counterfactual), the chance of a difference this large where nothing was done (p), and the verdict at α = {} ({}).\n",
        v.params.alpha, v.inference
    );
    o.push_str("| Hub |");
    for (label, _, _) in &measures {
        let _ = write!(o, " {label} |");
    }
    o.push_str("\n|---|");
    o.push_str(&"---|".repeat(measures.len()));
    o.push('\n');
    for (k, a) in r.areas.iter().enumerate() {
        row(o, &md(&a.name), a, r, rules, Some(k), &measures);
    }
    row(o, "**All hubs**", &r.pooled, r, rules, None, &measures);
    o.push('\n');
    let n = r.areas.len();
    let by_chance = n as f64 * v.params.alpha / 2.0;
    for (label, _, m) in &measures {
        let count = |w: Word| {
            (0..n)
                .filter(|&k| v.get(Some(k), m).is_some_and(|x| x.verdict == w))
                .count()
        };
        let (falls, rises) = (count(Word::Fall), count(Word::Rise));
        let _ = write!(
            o,
            "- {label} fell beyond chance in {falls} of {n} hubs (about {} would by chance alone)",
            chance(by_chance)
        );
        if rises > 0 {
            let _ = write!(o, "; it rose beyond chance in {rises}");
        }
        o.push_str(".\n");
    }
    if measures.iter().any(|(_, _, m)| *m == MeasureKind::Weapons) {
        o.push_str("\n*Weapons* is police.uk's \"Possession of weapons\", its nearest proxy for knife crime (police.uk publishes no knife-crime flag).\n");
    }
    for note in &v.notes {
        let _ = writeln!(o, "\n{}", md(note));
    }
    o.push('\n');
}

fn chance(e: f64) -> String {
    if e >= 10.0 {
        format!("{e:.0}")
    } else {
        format!("{e:.1}")
    }
}

fn row(
    o: &mut String,
    name: &str,
    a: &crate::compare::AreaResult,
    r: &CompareResult,
    rules: &Disclosure,
    k: Option<usize>,
    measures: &[&(&str, &str, MeasureKind)],
) {
    let sh = shield_row(a, r, rules);
    let _ = write!(o, "| {name} |");
    for (_, _, m) in measures {
        let withheld = find(&sh, m).is_some_and(|x| x.small.a);
        let text = match r.verdicts.get(k, m) {
            _ if withheld => "withheld".to_string(),
            Some(v) => cell(v),
            None => "–".to_string(),
        };
        let _ = write!(o, " {text} |");
    }
    o.push('\n');
}

/// The verdict of one measure in words, for the sentences (`None` without a p-value).
pub(super) fn verdict_clause(v: &Verdict, label: &str, placebos_word: &str) -> Option<String> {
    let p = v.p_value?;
    let eff = v.effect_pct?;
    let dir = if eff <= 0.0 { "lower" } else { "higher" };
    let what = match v.verdict {
        Word::Fall => format!("{label} fell beyond chance"),
        Word::Rise => format!("{label} rose beyond chance"),
        Word::NoClearChange => {
            "no clear change: a difference this size is common where nothing was done".to_string()
        }
    };
    Some(format!(
        "Against its counterfactual, {label} was {:.0}% {dir} than expected (p = {} from {placebos_word}): {what}.",
        eff.abs(),
        p_short(p),
    ))
}
