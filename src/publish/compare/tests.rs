//! Unit tests of a comparison's rendering: a sentence per case (a rise, a fall, no data,
//! suppressed counts in the hub, the control and the buffer), the report.md table, the
//! CSV columns and report.json's summaries, all on a hub with hand-placed incidents.

use super::*;
use crate::compare::{build_areas, evaluate, AreasParams, CompareParams, PeriodSpec};
use crate::ingest::read::areas::AreaFeature;
use crate::{Incidents, Month, MonthRange};
use geo::{Geometry, Point};

fn months() -> (Month, Month) {
    (
        Month::parse("2022-01").unwrap(),
        Month::parse("2022-02").unwrap(),
    )
}

/// A hub at the origin (radius 100 m, and a 100 m buffer when `buffer`) with burglaries:
/// `hub` and `ring` (at 150 m) and `control` (5 km away) counts before and after.
fn compare(hub: [usize; 2], ring: [usize; 2], control: [usize; 2], buffer: bool) -> CompareResult {
    let (jan, feb) = months();
    let mut inc = Incidents {
        types: vec!["Burglary".into()],
        ..Default::default()
    };
    for (x, counts) in [(0.0, hub), (150.0, ring), (5000.0, control)] {
        for (m, n) in [(jan, counts[0]), (feb, counts[1])] {
            for _ in 0..n {
                inc.xy.push([x, 0.0]);
                inc.month.push(m);
                inc.kind.push(0);
                inc.harm.push(1.0);
            }
        }
    }
    let mut props = serde_json::Map::new();
    props.insert("name".into(), "Hub".into());
    let f = AreaFeature {
        number: 1,
        properties: props,
        geometry: Geometry::Point(Point::new(0.0, 0.0)),
    };
    let mut params = AreasParams::default().radius(100.0);
    if buffer {
        params = params.buffer(100.0);
    }
    let set = build_areas(&[f], "hubs.geojson".as_ref(), &params).unwrap();
    let spec = PeriodSpec::Explicit {
        before: MonthRange::new(jan, jan).unwrap(),
        after: MonthRange::new(feb, feb).unwrap(),
    };
    evaluate(&inc, &set, &CompareParams::new(spec)).unwrap()
}

const ASB_NONE: &str =
    "ASB: none recorded in Hub in either period, so there is nothing to evaluate.";

#[test]
fn a_fall_against_a_smaller_fall_in_the_control() {
    let r = compare([40, 10], [0, 0], [100, 80], false);
    let s = sentence(&r.areas[0], &r);
    // RES = (40 · 80)/(10 · 100) = 3.2: 1 − 1/3.2 = 69% fewer; V = 1/40 + 1/10 + 1/100 + 1/80
    // = 0.1475, CI exp(ln 3.2 ± 1.96 √V) = 1.51–6.79 (analytic p = 0.002, no longer a
    // verdict). The verdict: the one donor (the control point) scaled to the hub's 40 before
    // gives 0.4 · 80 = 32 after, 10/32 − 1 = −69%; the one placebo (the control point, whose
    // only donor is itself and so left out) has E = ln(80.5/0.5), more extreme: p = 2/2 = 1.
    assert_eq!(
        s,
        format!(
            "Crime in Hub fell by 75% (40 → 10), while in the control area it fell by 20%. \
             Relative to the control area's trend that is 69% fewer than the control's trend \
             predicts (RES 3.20, 95% CI 1.51–6.79). Against its counterfactual, crime was 69% \
             lower than expected (p = 1.00 from 1 placebo area): no clear change: a \
             difference this size is common where nothing was done. {ASB_NONE}"
        )
    );
    assert!(!s.contains("confident"), "{s}");
}

#[test]
fn a_rise_against_a_smaller_rise_in_the_control() {
    let r = compare([10, 40], [0, 0], [100, 125], false);
    let s = sentence(&r.areas[0], &r);
    // RES = (10 · 125)/(40 · 100) = 0.3125: 1/0.3125 − 1 = 220% more
    assert!(
        s.starts_with(
            "Crime in Hub rose by 300% (10 → 40), while in the control area it rose by 25%. \
             Relative to the control area's trend that is 220% more than the control's trend predicts (RES 0.31, 95% CI "
        ),
        "{s}"
    );
    // the analytic RES p is 0.0003, but the placebo p-value (1 placebo) decides: not confident
    assert!(
        !s.contains("confident") && s.contains("no clear change"),
        "{s}"
    );
    // the pooled row of one hub holds the same incidents, named as all areas together
    let pooled = sentence(&r.pooled, &r);
    assert!(
        pooled.starts_with("Crime in all areas together rose by 300% (10 → 40)"),
        "{pooled}"
    );
}

#[test]
fn no_data_and_none_before() {
    let r = compare([0, 0], [0, 0], [50, 60], false);
    assert_eq!(
        sentence(&r.areas[0], &r),
        format!(
            "Crime: none recorded in Hub in either period, so there is nothing to evaluate. {ASB_NONE}"
        )
    );
    let r = compare([0, 6], [0, 0], [50, 60], false);
    let s = sentence(&r.areas[0], &r);
    assert!(
        s.starts_with(
            "Crime in Hub went from none to 6, while in the control area it rose by 20%. "
        ),
        "{s}"
    );
}

#[test]
fn suppressed_counts_withhold_the_figures() {
    let partner = Disclosure::partner(None);
    // the hub's counts are 1 to 4: its figures are withheld
    let r = compare([4, 1], [0, 0], [100, 80], false);
    assert_eq!(
        sentence_with(&r.areas[0], &r, &partner),
        format!(
            "Crime: the figures for Hub are withheld because its counts are too small to publish (1 to 4 incidents in a period). {ASB_NONE}"
        )
    );
    // unprotected, the same result is told in full
    assert!(sentence(&r.areas[0], &r).starts_with("Crime in Hub fell by 75% (4 → 1)"));
    // the control's counts are small: the statistics against it are withheld
    let r = compare([40, 10], [0, 0], [3, 2], false);
    let s = sentence_with(&r.areas[0], &r, &partner);
    assert!(
        s.starts_with("Crime: the figures for Hub are withheld because the control area's counts are too small to publish"),
        "{s}"
    );
}

#[test]
fn the_buffer_is_told_or_withheld() {
    let r = compare([40, 10], [20, 30], [100, 80], true);
    let s = sentence(&r.areas[0], &r);
    assert!(
        s.contains("In the 100 m buffer around it crime rose by 50%"),
        "{s}"
    );
    let partner = Disclosure::partner(None);
    let r = compare([40, 10], [2, 3], [100, 80], true);
    let s = sentence_with(&r.areas[0], &r, &partner);
    assert!(
        s.contains(
            "The figures for the 100 m buffer around it are withheld because its counts are too small to publish."
        ),
        "{s}"
    );
    assert!(s.starts_with("Crime in Hub fell by 75% (40 → 10)"), "{s}");
}

#[test]
fn markdown_tables_show_values_and_suppression() {
    let r = compare([40, 10], [0, 0], [100, 80], false);
    let off = Disclosure::off();
    let md = markdown(&r, &[], &r.notes, &off, &disclosure(&r, &off));
    assert!(
        md.contains("| Crime | 40 → 10 (−75%) | – | 100 → 80 (−20%) | 3.20 (1.51–6.79) |"),
        "{md}"
    );
    assert!(md.contains("## All areas together"));
    assert!(!md.contains("**Disclosure control:**"));
    let partner = Disclosure::partner(None);
    let r = compare([4, 1], [0, 0], [100, 80], false);
    let d = disclosure(&r, &partner);
    let md = markdown(&r, &[("Harm".into(), "h".into())], &r.notes, &partner, &d);
    assert!(md.contains("- Harm: h\n"), "{md}");
    assert!(
        md.contains(
            "| Crime | <5 → <5 | – | 100 → 80 (−20%) | suppressed | suppressed | suppressed |"
        ),
        "{md}"
    );
    assert!(md.contains(&format!("**Disclosure control:** {}", d.note)));
}

#[test]
fn csv_columns_and_json_summaries() {
    let r = compare([40, 10], [0, 0], [100, 80], false);
    let off = Disclosure::off();
    let mut csv = Vec::new();
    write_csv(&mut csv, &r, &off).unwrap();
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), CSV_COLUMNS.join(","));
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&first[..4], ["Hub", "crime", "total", "2022-01..2022-01"]);
    // crime, asb, harm, type:Burglary for the hub and the pooled row
    assert_eq!(text.lines().count(), 1 + 2 * 4);
    assert!(text.contains("\nHub,type:Burglary,"));
    let used = r.used(crate::compare::used::Given {
        inputs: vec!["x.csv".into()],
        areas: "hubs.geojson".into(),
        areas_crs: None,
        name_field: "name".into(),
        control: crate::compare::used::ControlSource::RestOfStudyArea,
        buffer_control: None,
        boundary: None,
        start_field: None,
        start: None,
        months: None,
        include_start_month: false,
        before: Some("2022-01..2022-01".into()),
        after: Some("2022-02..2022-02".into()),
        working_crs: "EPSG:27700".into(),
        harm: crate::compare::used::HarmSource::WeightColumn("w".into()),
        types: None,
        exclude_types: None,
        from: None,
        to: None,
    });
    let read = ReadSummary::default();
    let (report, d) = json::report(&r, &used, &read, serde_json::Value::Null, &off);
    assert_eq!(d.suppressed_values, 0);
    let v = serde_json::to_value(&report).unwrap();
    assert_eq!(
        v["result"]["areas"][0]["summary"],
        serde_json::Value::from(sentence(&r.areas[0], &r))
    );
    assert_eq!(v["parameters"]["harm"], "weight column `w`");
    assert_eq!(v["parameters"]["control"], "rest of the study area");
    assert!(v.get("disclosure").is_none());
}

#[test]
fn notes_are_escaped_markdown() {
    let r = compare([40, 10], [0, 0], [100, 80], false);
    let off = Disclosure::off();
    let notes =
        vec!["area `<img src=x onerror=alert(1)>` limits it; use a smaller buffer".to_string()];
    let md = markdown(&r, &[], &notes, &off, &disclosure(&r, &off));
    let line = md.lines().find(|l| l.contains("limits it")).unwrap();
    assert!(!line.contains("<img"), "{line}");
    assert!(line.contains("smaller buffer"), "{line}");
}

#[test]
fn an_unchanged_control_reads_as_a_sentence() {
    let r = compare([40, 10], [0, 0], [100, 100], false);
    let s = sentence(&r.areas[0], &r);
    assert!(s.contains("in the control area it did not change. "), "{s}");
}
