//! Issue 19: calibrated verdicts on real police.uk data (METHODS §6b), calling the library
//! directly (the debug CLI would be too slow for 150 hubs).
//!
//! - Calibration: 150 placebo hubs (300 m circles, 300 m buffers) at random incident map
//!   points ≥ 1.3 km apart in the Northumbria force-year, where nothing was done,
//!   2021-01..06 against 2021-07..12, the force boundary as study area. The share with
//!   `p_value < 0.05` must be ≤ 8% over crime, ASB, violence and harm together and ≤ 10%
//!   for each (a calibrated test calls about 5%).
//! - Power: half the after-period crimes removed inside 20 busy hubs (≥ 50 crimes in the
//!   6 before months, i.e. ≥ 100 a year); the share called `fall` is printed and checked.
//! - Thread count: verdicts and report.csv identical in rayon pools of 1 and 2 threads.
//!
//! Skipped, with a printed reason, when `../shared/data` is absent.

use geo::{Geometry, Point};
use harmspot::compare::verdict::Word;
use harmspot::compare::{
    build_areas, evaluate, AreaSet, AreasParams, CompareParams, CompareResult, InferenceParams,
    MeasureKind, PeriodSpec,
};
use harmspot::crs::Projector;
use harmspot::read::areas::{read_boundary, AreaFeature};
use harmspot::read::{read_incidents, ReadOptions};
use harmspot::{Incidents, MonthRange, Rng};
use std::path::PathBuf;

fn data() -> Option<PathBuf> {
    let d = PathBuf::from(crate::common::DATA);
    if d.join("police-uk/northumbria-2021").is_dir()
        && d.join("boundaries/northumbria-force-area.geojson")
            .is_file()
    {
        Some(d)
    } else {
        println!("SKIPPED: {} is absent (the shared real data)", d.display());
        None
    }
}

fn load(d: &std::path::Path) -> (Incidents, geo::MultiPolygon<f64>) {
    let projector = Projector::new("EPSG:27700").unwrap();
    let (inc, _) = read_incidents(
        &[d.join("police-uk/northumbria-2021")],
        &ReadOptions::default(),
        &projector,
    )
    .unwrap();
    let boundary = read_boundary(
        &d.join("boundaries/northumbria-force-area.geojson"),
        &projector,
    )
    .unwrap();
    (inc, boundary)
}

/// `n` hubs at random incident locations inside `boundary`, at least 1.3 km apart.
fn placebo_hubs(inc: &Incidents, boundary: &geo::MultiPolygon<f64>, n: usize) -> Vec<[f64; 2]> {
    use geo::Contains;
    let mut rng = Rng::new(2021);
    let mut hubs: Vec<[f64; 2]> = Vec::new();
    for _ in 0..200_000 {
        let p = inc.xy[rng.below(inc.xy.len() as u64) as usize];
        if boundary.contains(&Point::new(p[0], p[1]))
            && hubs
                .iter()
                .all(|h| (h[0] - p[0]).hypot(h[1] - p[1]) >= 1300.0)
        {
            hubs.push(p);
            if hubs.len() == n {
                break;
            }
        }
    }
    hubs
}

fn areas(hubs: &[[f64; 2]], boundary: &geo::MultiPolygon<f64>) -> AreaSet {
    let fs: Vec<AreaFeature> = hubs
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let mut props = serde_json::Map::new();
            props.insert("name".into(), format!("P{}", k + 1).into());
            AreaFeature {
                number: k + 1,
                properties: props,
                geometry: Geometry::Point(Point::new(p[0], p[1])),
            }
        })
        .collect();
    let params = AreasParams::default()
        .radius(300.0)
        .buffer(300.0)
        .boundary(boundary.clone());
    build_areas(&fs, "placebo-hubs.geojson".as_ref(), &params).unwrap()
}

fn params(placebos: usize) -> CompareParams {
    CompareParams::new(PeriodSpec::Explicit {
        before: MonthRange::parse("2021-01..2021-06").unwrap(),
        after: MonthRange::parse("2021-07..2021-12").unwrap(),
    })
    .inference(InferenceParams {
        placebos,
        ..InferenceParams::default()
    })
}

fn share(r: &CompareResult, m: &MeasureKind) -> (usize, usize) {
    let n = r.areas.len();
    let called = (0..n)
        .filter(|&k| {
            r.verdicts
                .get(Some(k), m)
                .and_then(|v| v.p_value)
                .is_some_and(|p| p < 0.05)
        })
        .count();
    (called, n)
}

fn pick<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter().zip(keep).filter(|x| *x.1).map(|x| *x.0).collect()
}

#[test]
fn placebo_hubs_are_called_at_about_five_percent_and_a_planted_fall_is_found() {
    let Some(d) = data() else { return };
    let (inc, boundary) = load(&d);
    let hubs = placebo_hubs(&inc, &boundary, 150);
    assert_eq!(hubs.len(), 150);
    let set = areas(&hubs, &boundary);
    let r = evaluate(&inc, &set, &params(99)).unwrap();
    let mut all = (0, 0);
    for m in [
        MeasureKind::Crime,
        MeasureKind::Asb,
        MeasureKind::Violence,
        MeasureKind::Harm,
    ] {
        let (c, n) = share(&r, &m);
        println!(
            "{m}: p < 0.05 at {c} of {n} placebo hubs ({:.1}%)",
            100.0 * c as f64 / n as f64
        );
        assert!(c as f64 <= 0.10 * n as f64, "{m}: {c} of {n}");
        all = (all.0 + c, all.1 + n);
    }
    println!(
        "pooled: {} of {} ({:.1}%)",
        all.0,
        all.1,
        100.0 * all.0 as f64 / all.1 as f64
    );
    assert!(all.0 as f64 <= 0.08 * all.1 as f64, "{all:?}");

    // planted: half the after-period crimes removed inside 20 busy hubs
    let busy: Vec<usize> = (0..hubs.len())
        .filter(|&k| r.areas[k].counts.treatment.before.crime >= 50)
        .take(20)
        .collect();
    assert_eq!(busy.len(), 20, "busy hubs");
    let after = MonthRange::parse("2021-07..2021-12").unwrap();
    let mut keep = vec![true; inc.xy.len()];
    let mut alt = false;
    for (i, p) in inc.xy.iter().enumerate() {
        if after.contains(inc.month[i])
            && !inc.is_asb(inc.kind[i])
            && busy
                .iter()
                .any(|&k| (hubs[k][0] - p[0]).hypot(hubs[k][1] - p[1]) <= 300.0)
        {
            alt = !alt;
            keep[i] = !alt;
        }
    }
    let planted = Incidents {
        xy: pick(&inc.xy, &keep),
        month: pick(&inc.month, &keep),
        kind: pick(&inc.kind, &keep),
        harm: pick(&inc.harm, &keep),
        types: inc.types.clone(),
        ..Default::default()
    };
    let r2 = evaluate(&planted, &set, &params(99)).unwrap();
    let found = busy
        .iter()
        .filter(|&&k| {
            r2.verdicts
                .get(Some(k), &MeasureKind::Crime)
                .unwrap()
                .verdict
                == Word::Fall
        })
        .count();
    println!("planted 50% fall found (verdict = fall) at {found} of 20 busy hubs");
    // measured here 8 of 20 (99 placebos); 12 of 20 with 999 placebos on the CLI. Issue 19
    // asks for ≥ 16 of 20: NOT met yet; this guards against losing the power we have.
    assert!(found >= 6, "planted fall found at {found} of 20");
}

#[test]
fn verdicts_and_report_csv_are_identical_at_one_and_two_threads() {
    let Some(d) = data() else { return };
    let (inc, boundary) = load(&d);
    let hubs = placebo_hubs(&inc, &boundary, 13);
    let set = areas(&hubs, &boundary);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| evaluate(&inc, &set, &params(199)).unwrap())
    };
    let (a, b) = (run(1), run(2));
    assert_eq!(a.verdicts, b.verdicts);
    let csv = |r: &CompareResult| {
        let mut v = Vec::new();
        harmspot::publish::compare::write_csv(&mut v, r, &harmspot::disclosure::Disclosure::off())
            .unwrap();
        v
    };
    assert_eq!(csv(&a), csv(&b));
}
