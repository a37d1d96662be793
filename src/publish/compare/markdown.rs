//! `report.md` of a comparison: a partner-readable summary of METHODS §6 — what was
//! compared and how, then per hub a table (crime, ASB, harm: hub, buffer and control
//! before → after, RES with its 95% CI, WDD with z, WDQ) and a plain sentence
//! ([`super::sentence`]); then the pooled areas and the overlaps. Rendered from the typed,
//! disclosure-shielded records of [`super::shield`].

use super::sentence::{control_dominates, num, sentence_named, sentence_with, signed_pct};
use super::shield::{find, shield_row};
use crate::compare::stats::{Change, Effects};
use crate::compare::{AreaResult, CompareResult, MeasureKind, Pooling};
use crate::publish::disclosure::{Disclosure, DisclosureReport};
use crate::publish::write::escape::markdown as md;
use std::fmt::Write as _;

/// Before → after (change) of one place; a suppressed count reads `<K` (`suppressed` for
/// harm and per-month values).
fn cell(e: &Effects, c: Option<&Change>, harm: bool, k: u64) -> String {
    let val = |v: f64| {
        if !v.is_nan() {
            num(v, harm, e.normalised)
        } else if harm || e.normalised {
            "suppressed".into()
        } else {
            format!("<{k}")
        }
    };
    match c {
        None => "–".into(),
        Some(c) => format!(
            "{} → {}{}",
            val(c.before),
            val(c.after),
            c.pct_change
                .map_or_else(String::new, |p| format!(" ({})", signed_pct(p)))
        ),
    }
}

fn table(out: &mut String, a: &AreaResult, r: &CompareResult, rules: &Disclosure) {
    out.push_str(
        "| Measure | Hub: before → after | Buffer | Control | RES (95% CI) | WDD (z) | WDQ |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    let sh = shield_row(a, r, rules);
    let k = rules.min_count;
    let withheld = "suppressed".to_string();
    for (label, key) in [
        ("Crime", MeasureKind::Crime),
        ("ASB", MeasureKind::Asb),
        ("Harm", MeasureKind::Harm),
    ] {
        let Some(x) = find(&sh, &key) else { continue };
        let e = &x.e;
        let harm = key.is_harm();
        let res = match (e.res.res, e.res.ci_low, e.res.ci_high) {
            _ if x.small.ac() => withheld.clone(),
            (Some(r), Some(l), Some(h)) => format!(
                "{r:.2} ({l:.2}–{h:.2}){}",
                if e.res.zero_corrected { "*" } else { "" }
            ),
            _ => "–".into(),
        };
        let wdd = match e.wdd.z {
            _ if x.small.any() => withheld.clone(),
            Some(z) => format!(
                "{} ({z:.2}){}",
                num(e.wdd.wdd, harm, e.normalised),
                if control_dominates(e) { "†" } else { "" }
            ),
            None => "–".into(),
        };
        let wdq = match e.wdq.wdq {
            _ if x.small.any() => withheld.clone(),
            Some(q) => format!("{q:.2}"),
            None => "n/m".to_string(),
        };
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {res} | {wdd} | {wdq} |",
            cell(e, Some(&e.treatment), harm, k),
            cell(e, e.buffer.as_ref(), harm, k),
            cell(e, Some(&e.control), harm, k),
        );
    }
    let flagged: Vec<&str> = [
        ("crime", MeasureKind::Crime),
        ("ASB", MeasureKind::Asb),
        ("harm", MeasureKind::Harm),
    ]
    .into_iter()
    .filter(|(_, key)| find(&sh, key).is_some_and(|x| x.e.wdd.warning.is_some()))
    .map(|(label, _)| label)
    .collect();
    if !flagged.is_empty() {
        let _ = writeln!(
            out,
            "\n† WDD ({}): a control's before value is over 10× its area's, so the WDD is dominated by the control's own change: read the RES (report.json gives the ratios).",
            flagged.join(", ")
        );
    }
    out.push('\n');
}

/// `report.md`: what was compared and how, then per hub a table (crime, ASB, harm: hub,
/// buffer and control before → after, RES with its 95% CI, WDD with z, WDQ) and a plain
/// sentence saying what the numbers show and how sure we can be; then the pooled areas.
/// `parameters` are `(label, value)` lines for the header. Under active `rules`, a line
/// says what disclosure control withheld (`disclosure`), suppressed counts read `<K` and withheld
/// statistics `suppressed`. `notes` are the result's notes as the reader should see them
/// (parameters spelled by the front end); they are escaped here.
pub fn markdown(
    r: &CompareResult,
    parameters: &[(String, String)],
    notes: &[String],
    rules: &Disclosure,
    disclosure: &DisclosureReport,
) -> String {
    let mut o = String::new();
    preamble(&mut o, r, parameters, notes, rules, disclosure);
    how_to_read(&mut o, r, rules);
    for a in &r.areas {
        let _ = writeln!(o, "## {}\n", md(&a.name));
        if let Some(p) = &a.periods {
            let _ = writeln!(o, "Periods: {}.\n", p.describe());
        }
        if let Some(why) = &a.repaired {
            let _ = writeln!(
                o,
                "The area's polygon was invalid ({}) and was repaired.\n",
                md(why)
            );
        }
        table(&mut o, a, r, rules);
        let _ = writeln!(o, "{}\n", sentence_named(a, r, rules, md(&a.name)));
    }
    let _ = writeln!(o, "## All areas together\n");
    if r.pooling == Pooling::Stacked {
        o.push_str(
            "Areas have different periods: each area's counts in its own periods are summed.\n\n",
        );
    } else {
        o.push_str("Each incident counts once, however many areas it lies in.\n\n");
    }
    table(&mut o, &r.pooled, r, rules);
    let _ = writeln!(o, "{}\n", sentence_with(&r.pooled, r, rules));
    if !r.overlaps.is_empty() {
        o.push_str(
            "## Overlaps\n\n| Kind | First | Second | Shared area (m²) |\n|---|---|---|---|\n",
        );
        for ov in &r.overlaps {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.0} |",
                ov.kind,
                md(&ov.first),
                md(&ov.second),
                ov.area_m2
            );
        }
        o.push('\n');
    }
    o
}

/// The title, periods, control, parameters, disclosure line and notes.
fn preamble(
    o: &mut String,
    r: &CompareResult,
    parameters: &[(String, String)],
    notes: &[String],
    rules: &Disclosure,
    disclosure: &DisclosureReport,
) {
    o.push_str("# Before/after evaluation around hubs and intervention areas\n\n");
    super::scorecard::scorecard(o, r, rules);
    let _ = writeln!(o, "**Periods:** {}.\n", md(&r.period_rule));
    let _ = writeln!(
        o,
        "**Control area:** {} ({:.2} km²).\n",
        md(&r.control.definition),
        r.control.area_m2 / 1e6
    );
    for (k, v) in parameters {
        // the harm line quotes the table's name as code (`default`)
        let v = if k == "Harm" {
            crate::publish::write::escape::markdown_code(v)
        } else {
            md(v)
        };
        let _ = writeln!(o, "- {k}: {v}");
    }
    if !parameters.is_empty() {
        o.push('\n');
    }
    if rules.active() {
        let _ = writeln!(
            o,
            "**Disclosure control:** {}; area coordinates to {} decimals.\n",
            disclosure.note, rules.precision
        );
    }
    if !notes.is_empty() {
        o.push_str("**Notes**\n\n");
        for n in notes {
            let _ = writeln!(o, "- {}", md(n));
        }
        o.push('\n');
    }
}

/// How to read the tables: the values, RES, WDD, suppression and WDQ in words.
fn how_to_read(o: &mut String, r: &CompareResult, rules: &Disclosure) {
    o.push_str("## How to read the tables\n\n");
    o.push_str("- *Effect* (scorecard): the hub's after-period count against its counterfactual, what it would have been had the hub's place followed the trend of comparable places (a synthetic control: a weighted sum of donor areas matching the hub's months before). −30% = 30% fewer than expected.\n");
    o.push_str("- *p* (scorecard): the share of placebo areas — areas of the hub's shape where incidents occur, away from every hub, where nothing was done — whose effect was at least as large either way. Small p = rarely seen by chance. The verdict is *fall* or *rise* when p is below α, else *no clear change*; only the verdict says whether a change is beyond chance.\n");
    o.push_str("- *before → after (change)*: incidents (harm: summed harm weights) in each period");
    if r.areas
        .iter()
        .any(|a| a.periods.as_ref().is_some_and(|p| p.normalised))
    {
        o.push_str(", per month because the periods differ in length");
    }
    o.push_str(".\n");
    o.push_str("- *RES* (relative effect size): the hub's change against the control's. Above 1, the hub did better than the control's trend predicts (1.25 = 20% fewer incidents than expected); below 1, worse. If the 95% interval excludes 1, the difference is unlikely to be chance. `*` = a count was zero and 0.5 was added to each.\n");
    o.push_str("- *WDD* (weighted displacement difference): the change in the hub and the buffer minus the change in the control, in incidents. Negative = a fall net of displacement; z below −1.96 = unlikely to be chance. WDD compares raw counts, so it suits a control area with counts similar to the hub's; with a much larger control (the default, the rest of the study area) read RES.\n");
    if rules.active() {
        let _ = writeln!(
            o,
            "- *<{k}* / *suppressed*: built from 1 to {} incidents, so not published; a statistic computed from such a count is suppressed too.",
            rules.min_count - 1,
            k = rules.min_count
        );
    }
    o.push_str("- *WDQ* (weighted displacement quotient): only meaningful when the hub improved against the control (n/m otherwise). Above 0 = the benefits spread into the buffer (diffusion); between 0 and −1 = some crime moved into the buffer but less than was prevented; below −1 = more moved than was prevented.\n\n");
}
