//! Unit tests of [`super`].
use super::*;
use crate::model::rng::Rng;

fn incidents(xy: Vec<[f64; 2]>, months: Vec<i32>) -> Incidents {
    let m0 = Month::parse("2020-01").unwrap();
    let n = xy.len();
    Incidents {
        xy,
        month: months.into_iter().map(|k| m0.add(k)).collect(),
        kind: vec![0; n],
        harm: vec![1.0; n],
        types: vec!["Burglary".into()],
        ..Default::default()
    }
}

#[test]
fn counts_match_brute_force_and_beyond_band_is_exact() {
    // 12 months (u8 lanes) and 300 months (u16 lanes, with a band edge beyond 255)
    for (span, edges) in [(12u64, vec![0, 2]), (300, vec![0, 2, 260])] {
        brute_force_check(span, edges);
    }
}

fn brute_force_check(span: u64, month_edges: Vec<u32>) {
    let mut r = Rng::new(4);
    let n = 300;
    let xy: Vec<[f64; 2]> = (0..n)
        .map(|_| [r.uniform() * 2000.0, r.uniform() * 2000.0])
        .collect();
    let months: Vec<i32> = (0..n).map(|_| r.below(span) as i32).collect();
    let inc = incidents(xy.clone(), months.clone());
    let idx = IncidentIndex::build(&inc);
    let p = KnoxParams::default()
        .distance_bands(vec![100.0, 250.0])
        .month_bands(month_edges.clone())
        .permutations(20);
    let res = test(&inc, &idx, &p).unwrap();
    let w = month_edges.len() + 1;
    let table = |m: &[i32]| -> Vec<u64> {
        let mut c = vec![0u64; 3 * w];
        for i in 0..n {
            for j in i + 1..n {
                let d = (xy[i][0] - xy[j][0]).hypot(xy[i][1] - xy[j][1]);
                let db = if d <= 100.0 {
                    0
                } else if d <= 250.0 {
                    1
                } else {
                    2
                };
                let dt = (m[i] - m[j]).unsigned_abs();
                let tb = month_edges.partition_point(|&e| e < dt);
                c[db * w + tb] += 1;
            }
        }
        c
    };
    let brute = table(&months);
    for (k, &want) in brute.iter().enumerate() {
        assert_eq!(res.cells[k].observed, want, "cell {k}, span {span}");
    }
    // the expected counts: the same permutations, counted by brute force
    let mut sum = vec![0u64; 3 * w];
    // (months are shuffled in the spatial order of 250 m blocks, then put back)
    let order = spatial_order(&xy, 250.0);
    for r in 0..20u64 {
        let mut ms: Vec<i32> = order.iter().map(|&o| months[o as usize]).collect();
        Rng::stream(p.seed, r).shuffle(&mut ms);
        let mut m = vec![0; n];
        for (pos, &o) in order.iter().enumerate() {
            m[o as usize] = ms[pos];
        }
        for (s, c) in sum.iter_mut().zip(table(&m)) {
            *s += c;
        }
    }
    for (k, s) in sum.iter().enumerate() {
        assert_eq!(
            res.cells[k].expected,
            *s as f64 / 20.0,
            "cell {k}, span {span}"
        );
    }
    assert_eq!(res.pairs, (n * (n - 1) / 2) as u64);
    assert_eq!(res.cells.iter().map(|c| c.observed).sum::<u64>(), res.pairs);
    let c = res.cell(1, 1);
    assert_eq!(
        (c.distance_from, c.distance_to, c.months_from, c.months_to),
        (100.0, Some(250.0), 1, Some(2))
    );
    let last = res.cell(2, w - 1);
    assert_eq!((last.distance_to, last.months_to), (None, None));
}

#[test]
fn bad_parameters() {
    let inc = incidents(vec![[0.0, 0.0], [1.0, 1.0]], vec![0, 1]);
    let idx = IncidentIndex::build(&inc);
    let e = test(
        &inc,
        &idx,
        &KnoxParams::default().distance_bands(vec![200.0, 100.0]),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::DistanceBands.to_string()),
        "{e}"
    );
    let e = test(&inc, &idx, &KnoxParams::default().month_bands(vec![])).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::MonthBands.to_string()),
        "{e}"
    );
    let e = test(&inc, &idx, &KnoxParams::default().permutations(0)).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&crate::Param::Permutations.to_string()),
        "{e}"
    );
    let same = incidents(vec![[0.0, 0.0], [1.0, 1.0]], vec![0, 0]);
    let e = test(&same, &IncidentIndex::build(&same), &KnoxParams::default()).unwrap_err();
    assert!(e.to_string().contains("at least two months"), "{e}");
    let one = incidents(vec![[0.0, 0.0]], vec![0]);
    assert!(test(&one, &IncidentIndex::build(&one), &KnoxParams::default()).is_err());
    let mut unknown = inc.clone();
    unknown.month[0] = Month::UNKNOWN;
    let e = test(&unknown, &idx, &KnoxParams::default()).unwrap_err();
    assert!(e.to_string().contains("month"), "{e}");
}
