//! Rendering a [`CompareResult`]: `report.json` (everything), `report.csv` (one row per
//! area × measure), `series.csv` (monthly series), `report.md` (a partner-readable summary:
//! a table and a plain sentence per hub) and `areas.geojson` (treatment, buffer and control
//! polygons in WGS84 with their counts and effects).
//!
//! These functions write to any [`std::io::Write`]; the command line wraps them in atomic
//! files. The column names of `report.csv` and `series.csv` ([`CSV_COLUMNS`],
//! [`SERIES_COLUMNS`]) and the GeoJSON property names are part of the public interface.

use super::stats::Effects;
use super::{AreaResult, AreaSet, CompareResult};
use crate::crs::Transform;
use crate::error::{Error, Result};
use crate::write::geojson::{json_num, FeatureWriter, Geom};
use geo::{CoordsIter, MultiPolygon};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
use std::io::Write;

/// Columns of `report.csv`, in order.
pub const CSV_COLUMNS: [&str; 40] = [
    "area",
    "measure",
    "unit",
    "before",
    "after",
    "months_before",
    "months_after",
    "normalised",
    "treatment_before",
    "treatment_after",
    "treatment_pct_change",
    "buffer_before",
    "buffer_after",
    "buffer_pct_change",
    "control_before",
    "control_after",
    "control_pct_change",
    "gross_effect",
    "sm",
    "bdm",
    "wdq",
    "wdq_meaningful",
    "wdq_interpretation",
    "tne",
    "wdd_local",
    "wdd_displacement",
    "wdd",
    "wdd_variance",
    "wdd_z",
    "wdd_p",
    "did",
    "did_variance",
    "did_z",
    "did_p",
    "res",
    "res_ci_low",
    "res_ci_high",
    "res_z",
    "res_p",
    "res_zero_corrected",
];

/// Columns of `series.csv`, in order.
pub const SERIES_COLUMNS: [&str; 7] = ["area", "place", "month", "period", "crime", "asb", "harm"];

fn opt(v: Option<f64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

fn rows(r: &CompareResult) -> impl Iterator<Item = &AreaResult> {
    r.areas.iter().chain(std::iter::once(&r.pooled))
}

fn period_text(a: &AreaResult) -> (String, String, String, String) {
    match &a.periods {
        Some(p) => (
            p.before.to_string(),
            p.after.to_string(),
            p.months_before.to_string(),
            p.months_after.to_string(),
        ),
        None => (
            "per area".into(),
            "per area".into(),
            String::new(),
            String::new(),
        ),
    }
}

/// Writes `report.csv`: one row per area × measure (and the pooled `All areas` rows), the
/// columns of [`CSV_COLUMNS`]; empty fields where a statistic is not defined.
pub fn write_csv<W: Write>(w: W, r: &CompareResult) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(CSV_COLUMNS)?;
    for a in rows(r) {
        let (before, after, mb, ma) = period_text(a);
        for m in &a.measures {
            let e = &m.effects;
            let change = |c: Option<&super::stats::Change>| -> [String; 3] {
                match c {
                    Some(c) => [c.before.to_string(), c.after.to_string(), opt(c.pct_change)],
                    None => Default::default(),
                }
            };
            let mut rec: Vec<String> = vec![
                a.name.clone(),
                m.measure.clone(),
                e.unit.to_string(),
                before.clone(),
                after.clone(),
                mb.clone(),
                ma.clone(),
                e.normalised.to_string(),
            ];
            rec.extend(change(Some(&e.treatment)));
            rec.extend(change(e.buffer.as_ref()));
            rec.extend(change(Some(&e.control)));
            rec.extend([
                e.gross_effect.to_string(),
                opt(e.wdq.sm),
                opt(e.wdq.bdm),
                opt(e.wdq.wdq),
                e.wdq.meaningful.to_string(),
                e.wdq.interpretation.clone(),
                opt(e.tne),
                e.wdd.local.to_string(),
                opt(e.wdd.displacement),
                e.wdd.wdd.to_string(),
                e.wdd.variance.to_string(),
                opt(e.wdd.z),
                opt(e.wdd.p),
                e.did.estimate.to_string(),
                e.did.variance.to_string(),
                opt(e.did.z),
                opt(e.did.p),
                opt(e.res.res),
                opt(e.res.ci_low),
                opt(e.res.ci_high),
                opt(e.res.z),
                opt(e.res.p),
                e.res.zero_corrected.to_string(),
            ]);
            debug_assert_eq!(rec.len(), CSV_COLUMNS.len());
            c.write_record(&rec)?;
        }
    }
    c.flush()
}

/// Writes `series.csv`: one row per area × place × month with crime, ASB and harm, and the
/// period each month falls in (`before`, `after`, `start` or empty).
pub fn write_series_csv<W: Write>(w: W, r: &CompareResult) -> std::io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record(SERIES_COLUMNS)?;
    for a in rows(r) {
        let s = &a.series;
        let places = [
            ("treatment", Some(&s.treatment)),
            ("buffer", s.buffer.as_ref()),
            ("control", Some(&s.control)),
        ];
        for (place, v) in places {
            let Some(v) = v else { continue };
            for (k, m) in s.months.iter().enumerate() {
                c.write_record([
                    a.name.as_str(),
                    place,
                    &m.to_string(),
                    s.period[k],
                    &v.crime[k].to_string(),
                    &v.asb[k].to_string(),
                    &v.harm[k].to_string(),
                ])?;
            }
        }
    }
    c.flush()
}

/// `report.json`: the parameters given, the read summary and the whole result, each area
/// (and the pooled row) with its plain-language `summary`.
pub fn json(r: &CompareResult, parameters: Value, read: Value) -> Value {
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    let sentences: Vec<String> = r.areas.iter().map(|a| sentence(a, r)).collect();
    if let Some(list) = v.get_mut("areas").and_then(Value::as_array_mut) {
        for (a, s) in list.iter_mut().zip(sentences) {
            a["summary"] = Value::String(s);
        }
    }
    v["pooled"]["summary"] = Value::String(sentence(&r.pooled, r));
    json!({
        "harmspot": {"command": "compare", "version": env!("CARGO_PKG_VERSION")},
        "parameters": parameters,
        "read": read,
        "result": v,
    })
}

fn signed_pct(p: f64) -> String {
    format!(
        "{}{:.0}%",
        if p > 0.0 {
            "+"
        } else if p < 0.0 {
            "−"
        } else {
            ""
        },
        p.abs()
    )
}

fn num(v: f64, harm: bool, normalised: bool) -> String {
    if harm || normalised {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

fn certainty(p: f64) -> String {
    let pt = p_text(p);
    if p < 0.01 {
        format!("a difference this large would very rarely arise by chance ({pt}), so we can be confident it is real")
    } else if p < 0.05 {
        format!("this is unlikely to be chance ({pt}), so we can be fairly confident it is real")
    } else if p < 0.10 {
        format!("the evidence is weak ({pt}): it could be chance")
    } else {
        format!("this could easily be chance ({pt}), so there is no clear evidence of an effect")
    }
}

/// Whether the control holds so many more incidents than the hub and its buffer that the
/// control's change dominates the WDD (more than 5 times as many before).
pub fn control_dominates(e: &Effects) -> bool {
    let local = e.treatment.before + e.buffer.as_ref().map_or(0.0, |b| b.before);
    e.control.before > 5.0 * local
}

fn certainty_short(p: f64) -> &'static str {
    if p < 0.01 {
        "very unlikely to be chance"
    } else if p < 0.05 {
        "unlikely to be chance"
    } else if p < 0.10 {
        "weak evidence"
    } else {
        "could be chance"
    }
}

fn moved(p: f64) -> &'static str {
    if p > 0.0 {
        "rose"
    } else if p < 0.0 {
        "fell"
    } else {
        "did not change"
    }
}

fn relative(e: &Effects) -> Option<String> {
    let r = e.res.res?;
    let (lo, hi) = (e.res.ci_low?, e.res.ci_high?);
    let rel = if r >= 1.0 {
        format!(
            "{:.0}% fewer than the control's trend predicts",
            100.0 * (1.0 - 1.0 / r)
        )
    } else {
        format!(
            "{:.0}% more than the control's trend predicts",
            100.0 * (1.0 / r - 1.0)
        )
    };
    Some(format!("{rel} (RES {r:.2}, 95% CI {lo:.2}–{hi:.2})"))
}

/// A plain sentence or three on what the numbers show for one area and how sure we can be:
/// crime in the area against the control (percent changes, RES and its p-value), the buffer
/// (displacement or diffusion, from the WDQ when meaningful) and ASB.
pub fn sentence(a: &AreaResult, r: &CompareResult) -> String {
    let mut s = String::new();
    let per = |e: &Effects| if e.normalised { " a month" } else { "" };
    let name = if a.feature.is_none() {
        "all areas together".to_string()
    } else {
        a.name.clone()
    };
    for (label, key) in [("Crime", "crime"), ("ASB", "asb")] {
        let Some(e) = a.measure(key) else { continue };
        let t = &e.treatment;
        let small = t.before + t.after < 20.0 && !e.normalised;
        match t.pct_change {
            None if t.after == 0.0 => {
                let _ = write!(s, "{label}: none recorded in {name} in either period, so there is nothing to evaluate. ");
                continue;
            }
            None => {
                let _ = write!(
                    s,
                    "{label} in {name} went from none to {}{}",
                    num(t.after, false, e.normalised),
                    per(e)
                );
            }
            Some(p) => {
                let _ = write!(
                    s,
                    "{label} in {name} {} {}({} → {}{})",
                    moved(p),
                    if p == 0.0 {
                        String::new()
                    } else {
                        format!("by {:.0}% ", p.abs())
                    },
                    num(t.before, false, e.normalised),
                    num(t.after, false, e.normalised),
                    per(e)
                );
            }
        }
        match e.control.pct_change {
            Some(p) => {
                let _ = write!(
                    s,
                    ", while in the control area it {} {}",
                    moved(p),
                    if p == 0.0 {
                        String::new()
                    } else {
                        format!("by {:.0}%", p.abs())
                    }
                );
            }
            None => s.push_str(", with no incidents in the control area before"),
        }
        s.push_str(". ");
        if let (Some(rel), Some(p)) = (relative(e), e.res.p) {
            if key == "crime" {
                let _ = write!(
                    s,
                    "Relative to the control that is {rel}; {}.",
                    certainty(p)
                );
            } else {
                let _ = write!(
                    s,
                    "Relative to the control that is {rel}: {}.",
                    certainty_short(p)
                );
            }
            if e.res.zero_corrected {
                s.push_str(" (A count was zero, so 0.5 was added to each: the estimate is rough.)");
            }
            if small {
                s.push_str(" The counts are small, so treat this with caution.");
            }
            s.push(' ');
        }
        if key == "crime" {
            if let (Some(b), Some(d)) = (&e.buffer, r.buffer_m) {
                match b.pct_change {
                    Some(p) => {
                        let _ = write!(
                            s,
                            "In the {d} m buffer around it crime {} {}",
                            moved(p),
                            if p == 0.0 {
                                String::new()
                            } else {
                                format!("by {:.0}%", p.abs())
                            }
                        );
                    }
                    None => {
                        let _ =
                            write!(s, "In the {d} m buffer around it there was no crime before");
                    }
                }
                if let Some(q) = e.wdq.wdq {
                    let _ = write!(s, " (WDQ {q:.2}: {}). ", e.wdq.interpretation);
                } else {
                    s.push_str(". ");
                }
            }
        }
    }
    s.trim_end().to_string()
}

fn cell(e: &Effects, c: Option<&super::stats::Change>, harm: bool) -> String {
    match c {
        None => "–".into(),
        Some(c) => format!(
            "{} → {}{}",
            num(c.before, harm, e.normalised),
            num(c.after, harm, e.normalised),
            c.pct_change
                .map_or_else(String::new, |p| format!(" ({})", signed_pct(p)))
        ),
    }
}

fn table(out: &mut String, a: &AreaResult) {
    out.push_str(
        "| Measure | Hub: before → after | Buffer | Control | RES (95% CI) | WDD (z) | WDQ |\n",
    );
    out.push_str("|---|---|---|---|---|---|---|\n");
    for (label, key) in [("Crime", "crime"), ("ASB", "asb"), ("Harm", "harm")] {
        let Some(e) = a.measure(key) else { continue };
        let harm = key == "harm";
        let res = match (e.res.res, e.res.ci_low, e.res.ci_high) {
            (Some(r), Some(l), Some(h)) => format!(
                "{r:.2} ({l:.2}–{h:.2}){}",
                if e.res.zero_corrected { "*" } else { "" }
            ),
            _ => "–".into(),
        };
        let wdd = match e.wdd.z {
            Some(z) => format!(
                "{} ({z:.2}){}",
                num(e.wdd.wdd, harm, e.normalised),
                if control_dominates(e) { "†" } else { "" }
            ),
            None => "–".into(),
        };
        let wdq = e
            .wdq
            .wdq
            .map_or_else(|| "n/m".to_string(), |q| format!("{q:.2}"));
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {res} | {wdd} | {wdq} |",
            cell(e, Some(&e.treatment), harm),
            cell(e, e.buffer.as_ref(), harm),
            cell(e, Some(&e.control), harm),
        );
    }
    if a.measure("crime").is_some_and(control_dominates) {
        out.push_str("\n† The control holds more than five times the incidents of the hub and its buffer, so its change dominates the WDD: read RES.\n");
    }
    out.push('\n');
}

/// `report.md`: what was compared and how, then per hub a table (crime, ASB, harm: hub,
/// buffer and control before → after, RES with its 95% CI, WDD with z, WDQ) and a plain
/// sentence saying what the numbers show and how sure we can be; then the pooled areas.
/// `parameters` are `(label, value)` lines for the header.
pub fn markdown(r: &CompareResult, parameters: &[(String, String)]) -> String {
    let mut o = String::new();
    o.push_str("# Before/after evaluation around hubs and intervention areas\n\n");
    let _ = writeln!(o, "**Periods:** {}.\n", r.period_rule);
    let _ = writeln!(
        o,
        "**Control area:** {} ({:.2} km²).\n",
        r.control.definition,
        r.control.area_m2 / 1e6
    );
    for (k, v) in parameters {
        let _ = writeln!(o, "- {k}: {v}");
    }
    if !parameters.is_empty() {
        o.push('\n');
    }
    if !r.notes.is_empty() {
        o.push_str("**Notes**\n\n");
        for n in &r.notes {
            let _ = writeln!(o, "- {n}");
        }
        o.push('\n');
    }
    o.push_str("## How to read the tables\n\n");
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
    o.push_str("- *WDQ* (weighted displacement quotient): only meaningful when the hub improved against the control (n/m otherwise). Above 0 = the benefits spread into the buffer (diffusion); between 0 and −1 = some crime moved into the buffer but less than was prevented; below −1 = more moved than was prevented.\n\n");
    for a in &r.areas {
        let _ = writeln!(o, "## {}\n", a.name);
        if let Some(p) = &a.periods {
            let _ = writeln!(o, "Periods: {}.\n", p.describe());
        }
        if let Some(why) = &a.repaired {
            let _ = writeln!(
                o,
                "The area's polygon was invalid ({why}) and was repaired.\n"
            );
        }
        table(&mut o, a);
        let _ = writeln!(o, "{}\n", sentence(a, r));
    }
    let _ = writeln!(o, "## All areas together\n");
    if r.pooling == "stacked" {
        o.push_str(
            "Areas have different periods: each area's counts in its own periods are summed.\n\n",
        );
    } else {
        o.push_str("Each incident counts once, however many areas it lies in.\n\n");
    }
    table(&mut o, &r.pooled);
    let _ = writeln!(o, "{}\n", sentence(&r.pooled, r));
    if !r.overlaps.is_empty() {
        o.push_str(
            "## Overlaps\n\n| Kind | First | Second | Shared area (m²) |\n|---|---|---|---|\n",
        );
        for ov in &r.overlaps {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:.0} |",
                ov.kind, ov.first, ov.second, ov.area_m2
            );
        }
        o.push('\n');
    }
    o
}

/// Projects a working-CRS (multi)polygon to a lon/lat [`Geom`] (one batch through
/// `inverse`), exteriors counter-clockwise.
pub fn to_lonlat(mp: &MultiPolygon<f64>, inverse: &Transform) -> Result<Geom> {
    let mut pts: Vec<[f64; 2]> = mp.coords_iter().map(|c| [c.x, c.y]).collect();
    inverse.apply(&mut pts);
    if pts.iter().any(|p| p[0].is_nan()) {
        return Err(Error::Crs(
            "an area could not be projected back to WGS84".into(),
        ));
    }
    let mut it = pts.into_iter();
    let mut polys = Vec::with_capacity(mp.0.len());
    for p in &mp.0 {
        let mut rings = Vec::with_capacity(1 + p.interiors().len());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            rings.push(it.by_ref().take(ring.0.len()).collect::<Vec<_>>());
        }
        polys.push(rings);
    }
    Ok(Geom::MultiPolygon(polys).oriented())
}

fn effect_props(props: &mut Map<String, Value>, e: Option<&Effects>, prefix: &str, place: &str) {
    let change = e.and_then(|e| match place {
        "treatment" => Some(&e.treatment),
        "buffer" => e.buffer.as_ref(),
        _ => Some(&e.control),
    });
    let n = |v: Option<f64>| v.map_or(Value::Null, json_num);
    props.insert(format!("{prefix}_before"), n(change.map(|c| c.before)));
    props.insert(format!("{prefix}_after"), n(change.map(|c| c.after)));
    props.insert(
        format!("{prefix}_pct_change"),
        n(change.and_then(|c| c.pct_change)),
    );
    if place == "treatment" {
        props.insert(
            format!("{prefix}_gross_effect"),
            n(e.map(|e| e.gross_effect)),
        );
        props.insert(format!("{prefix}_res"), n(e.and_then(|e| e.res.res)));
        props.insert(
            format!("{prefix}_res_ci_low"),
            n(e.and_then(|e| e.res.ci_low)),
        );
        props.insert(
            format!("{prefix}_res_ci_high"),
            n(e.and_then(|e| e.res.ci_high)),
        );
        props.insert(format!("{prefix}_res_p"), n(e.and_then(|e| e.res.p)));
        props.insert(format!("{prefix}_wdd"), n(e.map(|e| e.wdd.wdd)));
        props.insert(format!("{prefix}_wdd_z"), n(e.and_then(|e| e.wdd.z)));
        props.insert(format!("{prefix}_tne"), n(e.and_then(|e| e.tne)));
    }
    if place == "buffer" {
        props.insert(format!("{prefix}_wdq"), n(e.and_then(|e| e.wdq.wdq)));
        props.insert(
            format!("{prefix}_wdd_displacement"),
            n(e.and_then(|e| e.wdd.displacement)),
        );
    }
}

fn props_for(a: Option<&AreaResult>, name: &str, place: &str) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("name".into(), name.into());
    p.insert("place".into(), place.into());
    p.insert(
        "feature".into(),
        a.and_then(|a| a.feature).map_or(Value::Null, Value::from),
    );
    let periods = a.and_then(|a| a.periods.as_ref());
    p.insert(
        "before".into(),
        periods.map_or(Value::Null, |p| p.before.to_string().into()),
    );
    p.insert(
        "after".into(),
        periods.map_or(Value::Null, |p| p.after.to_string().into()),
    );
    let unit = a
        .and_then(|a| a.measure("crime"))
        .map_or(Value::Null, |e| Value::from(e.unit));
    p.insert("unit".into(), unit);
    for key in ["crime", "asb", "harm"] {
        effect_props(&mut p, a.and_then(|a| a.measure(key)), key, place);
    }
    p
}

/// Writes `areas.geojson`: per area a `treatment` and (with a buffer) a `buffer` feature,
/// then one `control` feature, all in WGS84 with counts and effects as properties
/// (`name, place, feature, before, after, unit`, then for `crime`, `asb` and `harm`:
/// `_before, _after, _pct_change`; on treatment features also `_gross_effect, _res,
/// _res_ci_low, _res_ci_high, _res_p, _wdd, _wdd_z, _tne`; on buffer features `_wdq,
/// _wdd_displacement`). The control feature carries the pooled row's control values when
/// every area shares its periods, and nulls otherwise. `members` go in as foreign
/// top-level members (the run's parameters).
pub fn write_geojson<W: Write>(
    w: W,
    r: &CompareResult,
    set: &AreaSet,
    inverse: &Transform,
    members: &Map<String, Value>,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io("areas.geojson", e);
    let mut fw = FeatureWriter::begin(w, members).map_err(io)?;
    for (a, res) in set.areas.iter().zip(&r.areas) {
        fw.feature(
            &to_lonlat(&a.treatment, inverse)?,
            &props_for(Some(res), &a.name, "treatment"),
        )
        .map_err(io)?;
        if let Some(ring) = &a.ring {
            fw.feature(
                &to_lonlat(ring, inverse)?,
                &props_for(Some(res), &a.name, "buffer"),
            )
            .map_err(io)?;
        }
    }
    if !r.control_geometry.0.is_empty() {
        let pooled = (r.pooling == "union").then_some(&r.pooled);
        fw.feature(
            &to_lonlat(&r.control_geometry, inverse)?,
            &props_for(pooled, "control", "control"),
        )
        .map_err(io)?;
    }
    fw.finish().map_err(io)?;
    Ok(())
}
