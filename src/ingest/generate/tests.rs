//! Unit tests of [`super`].
use super::*;
use std::collections::{HashMap, HashSet};

fn run(p: &GenerateParams) -> (String, GenerateSummary) {
    let mut buf = Vec::new();
    let s = generate(p, &mut buf).unwrap();
    (String::from_utf8(buf).unwrap(), s)
}

fn fields(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

#[test]
fn one_row() {
    let (text, s) = run(&GenerateParams::default().rows(1));
    assert_eq!(text.lines().count(), 2);
    assert_eq!(s.rows, 1);
    assert_eq!(fields(text.lines().nth(1).unwrap()).len(), 12);
}

#[test]
fn row_count_header_and_columns() {
    let (text, s) = run(&GenerateParams::default().rows(1000));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1001);
    assert_eq!(lines[0], HEADER);
    assert_eq!(s.rows, 1000);
    for l in &lines[1..] {
        let f = fields(l);
        assert_eq!(f.len(), 12, "{l}");
        assert!(Month::parse(f[1]).is_some(), "{l}");
        assert_eq!(f[2], "Synthetic Police");
        assert_eq!(f[3], "Synthetic Police");
        assert_eq!(f[11], "");
        if !f[4].is_empty() {
            assert_eq!(f[4].split('.').nth(1).unwrap().len(), 6, "{l}");
            let lon: f64 = f[4].parse().unwrap();
            let lat: f64 = f[5].parse().unwrap();
            assert!(
                (lon + 1.6178).abs() < 0.3 && (lat - 54.9783).abs() < 0.2,
                "{l}"
            );
            assert!(f[6].starts_with("On or near "), "{l}");
            assert!(f[7].starts_with("E019") && f[7].len() == 9, "{l}");
            assert!(f[8].starts_with("Synthetic ") && f[8].len() == 14, "{l}");
        }
    }
}

#[test]
fn months_in_order_and_in_range() {
    let p = GenerateParams::default().rows(5000).months(6);
    let (text, _) = run(&p);
    let months: Vec<Month> = text
        .lines()
        .skip(1)
        .map(|l| Month::parse(fields(l)[1]).unwrap())
        .collect();
    assert!(months.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(months[0], p.start);
    assert_eq!(*months.last().unwrap(), p.start.add(5));
}

#[test]
fn deterministic_by_seed() {
    let p = GenerateParams::default().rows(3000).seed(11);
    let (a, sa) = run(&p);
    let (b, sb) = run(&p);
    assert_eq!(a, b);
    assert_eq!(sa, sb);
    let (c, _) = run(&p.clone().seed(12));
    assert_ne!(a, c);
}

#[test]
fn all_fourteen_types_at_1000_rows() {
    let (text, _) = run(&GenerateParams::default().rows(1000).seed(5));
    let seen: HashSet<&str> = text.lines().skip(1).map(|l| fields(l)[9]).collect();
    assert_eq!(seen.len(), 14);
    for (t, _) in TYPES {
        assert!(seen.contains(t), "{t}");
    }
}

#[test]
fn type_shares_are_realistic() {
    let (text, _) = run(&GenerateParams::default().rows(100_000));
    let mut n: HashMap<&str, u64> = HashMap::new();
    for l in text.lines().skip(1) {
        *n.entry(fields(l)[9]).or_default() += 1;
    }
    for (t, share) in TYPES {
        let got = n[t] as f64 / 100_000.0;
        assert!((got - share).abs() < 0.01, "{t}: {got} vs {share}");
    }
}

#[test]
fn asb_without_id_and_crime_ids_unique() {
    let (text, _) = run(&GenerateParams::default().rows(50_000));
    let mut ids = HashSet::new();
    let mut crimes = 0;
    for l in text.lines().skip(1) {
        let f = fields(l);
        if f[9] == "Anti-social behaviour" {
            assert_eq!(f[0], "", "{l}");
            assert_eq!(f[10], "", "{l}");
        } else {
            crimes += 1;
            assert_eq!(f[0].len(), 64, "{l}");
            assert!(f[0].bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(!f[10].is_empty(), "{l}");
            ids.insert(f[0].to_string());
        }
    }
    assert_eq!(ids.len(), crimes);
}

#[test]
fn about_one_percent_without_coordinates() {
    let (text, s) = run(&GenerateParams::default().rows(100_000));
    let mut empty = 0;
    for l in text.lines().skip(1) {
        let f = fields(l);
        if f[4].is_empty() {
            empty += 1;
            assert_eq!(f[5], "");
            assert_eq!(f[6], "No Location");
            assert_eq!((f[7], f[8]), ("", ""));
        }
    }
    assert_eq!(empty, s.missing_coordinates);
    // 1000 expected, sd ≈ 31.5.
    assert!((empty as i64 - 1000).abs() < 150, "{empty}");
    let (_, none) = run(&GenerateParams::default().rows(10_000).missing_share(0.0));
    assert_eq!(none.missing_coordinates, 0);
}

#[test]
fn shared_coordinates_are_common() {
    let (text, _) = run(&GenerateParams::default().rows(100_000));
    let mut located = 0;
    let mut points: HashMap<(&str, &str), (u64, HashSet<String>)> = HashMap::new();
    for l in text.lines().skip(1) {
        let f = fields(l);
        if !f[4].is_empty() {
            located += 1;
            let e = points.entry((f[4], f[5])).or_default();
            e.0 += 1;
            e.1.insert(format!("{}|{}|{}", f[6], f[7], f[8]));
        }
    }
    // About 30,000 map points for 99,000 located rows (see MAP_POINT_SPACING_M).
    assert!(
        points.len() * 2 < located,
        "{} points for {located} rows",
        points.len()
    );
    let busiest = points.values().map(|e| e.0).max().unwrap();
    assert!(busiest >= 50, "{busiest}");
    // Equal coordinates always carry equal Location and LSOA.
    assert!(points.values().all(|e| e.1.len() == 1));
}

/// Rows before and after the step within 2σ of a cluster's centre.
fn before_after(text: &str, c: &Cluster, step: Month) -> (f64, f64) {
    let m_lon = M_PER_DEG * c.lat.to_radians().cos();
    let (mut b, mut a) = (0.0, 0.0);
    for l in text.lines().skip(1) {
        let f = fields(l);
        if f[4].is_empty() {
            continue;
        }
        let dx = (f[4].parse::<f64>().unwrap() - c.lon) * m_lon;
        let dy = (f[5].parse::<f64>().unwrap() - c.lat) * M_PER_DEG;
        if dx.hypot(dy) <= 2.0 * c.sigma_m {
            if Month::parse(f[1]).unwrap() < step {
                b += 1.0;
            } else {
                a += 1.0;
            }
        }
    }
    (b, a)
}

#[test]
fn step_clusters_fall_and_others_do_not() {
    let p = GenerateParams::default().rows(20_000).months(24).seed(3);
    let (text, s) = run(&p);
    let step = p.resolved_step_month();
    assert_eq!(step, p.start.add(12));
    for c in &s.clusters[..3] {
        assert!(c.step);
        let (b, a) = before_after(&text, c, step);
        let ratio = a / b;
        assert!((ratio - 0.5).abs() < 0.12, "step cluster {c:?}: {b} → {a}");
    }
    for c in &s.clusters[3..5] {
        assert!(!c.step);
        let (b, a) = before_after(&text, c, step);
        let ratio = a / b;
        assert!((ratio - 1.0).abs() < 0.25, "other cluster {c:?}: {b} → {a}");
    }
    // A rise works the same way.
    let (text, s) = run(&p.clone().step_factor(2.0));
    let (b, a) = before_after(&text, &s.clusters[0], step);
    assert!((a / b - 2.0).abs() < 0.3, "{b} → {a}");
}

#[test]
fn clusters_lie_inside_the_disc() {
    let p = GenerateParams::default();
    let (_, s) = run(&p.clone().rows(10));
    assert_eq!(s.clusters.len(), 12);
    let total: f64 = s.clusters.iter().map(|c| c.share).sum();
    assert!((total - 0.6).abs() < 1e-12);
    assert!(s.clusters.windows(2).all(|w| w[0].share > w[1].share));
    for c in &s.clusters {
        assert!((150.0..=600.0).contains(&c.sigma_m));
        let dx = (c.lon - p.centre[0]) * M_PER_DEG * p.centre[1].to_radians().cos();
        let dy = (c.lat - p.centre[1]) * M_PER_DEG;
        assert!(dx.hypot(dy) + 2.0 * c.sigma_m <= 12_000.0 + 1e-6);
    }
}

#[test]
fn no_clusters_is_a_uniform_background() {
    let (text, s) = run(&GenerateParams::default()
        .rows(2000)
        .clusters(0)
        .step_clusters(0));
    assert!(s.clusters.is_empty());
    assert_eq!(text.lines().count(), 2001);
}

#[test]
fn force_with_a_comma_is_quoted() {
    let (text, _) = run(&GenerateParams::default().rows(3).force("Avon, Somerset"));
    assert!(text
        .lines()
        .nth(1)
        .unwrap()
        .contains(",\"Avon, Somerset\",\"Avon, Somerset\","));
}

#[test]
fn bad_parameters_name_their_flag() {
    let flag = |p: GenerateParams| match generate(&p, std::io::sink()) {
        Err(Error::Param { param, .. }) => param,
        other => panic!("{other:?}"),
    };
    let d = GenerateParams::default();
    assert_eq!(flag(d.clone().rows(0)), crate::Param::Rows);
    assert_eq!(flag(d.clone().months(0)), crate::Param::Months);
    assert_eq!(flag(d.clone().start(Month::UNKNOWN)), crate::Param::Start);
    assert_eq!(
        flag(d.clone().step_month(d.start.add(24))),
        crate::Param::StepMonth
    );
    assert_eq!(
        flag(d.clone().step_month(d.start.add(-1))),
        crate::Param::StepMonth
    );
    assert_eq!(flag(d.clone().clusters(2)), crate::Param::StepClusters);
    assert_eq!(flag(d.clone().step_factor(-0.5)), crate::Param::StepFactor);
    assert_eq!(
        flag(d.clone().step_factor(f64::NAN)),
        crate::Param::StepFactor
    );
    assert_eq!(
        flag(d.clone().missing_share(1.0)),
        crate::Param::MissingShare
    );
    assert_eq!(
        flag(d.clone().missing_share(-0.1)),
        crate::Param::MissingShare
    );
    assert_eq!(flag(d.clone().radius_km(0.0)), crate::Param::RadiusKm);
    assert_eq!(flag(d.clone().centre([200.0, 0.0])), crate::Param::Centre);
    assert_eq!(flag(d.clone().force(" ")), crate::Param::Force);
    // A one-month extract with the default step month is valid.
    assert!(generate(&d.clone().rows(10).months(1), std::io::sink()).is_ok());
}

#[test]
fn write_errors_name_the_output() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "closed",
            ))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    match generate(&GenerateParams::default().rows(10), Broken) {
        Err(Error::Io { path, .. }) => assert_eq!(path, std::path::Path::new("<output>")),
        other => panic!("{other:?}"),
    }
}

/// `cargo test --release --lib generate::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    let p = GenerateParams::default().rows(1_000_000);
    let t = std::time::Instant::now();
    generate(&p, std::io::sink()).unwrap();
    let s = t.elapsed().as_secs_f64();
    println!("generate: {:.2} M rows/s ({s:.3} s for 10^6 rows)", 1.0 / s);
}
