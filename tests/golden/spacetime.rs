//! Golden tests for issue 6: Mann-Kendall against worked examples, every emerging hot spot
//! category on hand-built series, hotspot accuracy (hit rate, PAI, PEI, RRI, Gini) by hand,
//! and the Knox test on data with planted near repeats.

use harmspot::emerging::{classify, Pattern};
use harmspot::evaluate::{compute as evaluate, EvaluateParams, Hotspots, Surface};
use harmspot::grid::{Grid, Shape};
use harmspot::kde::Weights;
use harmspot::knox::{test as knox, KnoxParams, KnoxResult};
use harmspot::mannkendall::{self, MannKendall};
use harmspot::{IncidentIndex, Incidents, Month, MonthRange, Rng};

// ---------------------------------------------------------------- Mann-Kendall

/// J. Little, "A Mann-Kendall example (by hand)", College of the Holy Cross,
/// <https://mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt>: 91 pairs, 72
/// increases, 18 decreases, 1 tie (12.9 twice): S = 54; V = (14)(13)(33)/18 − (2)(1)(9)/18;
/// Z = (S − 1)/√V = 2.9058. (Little's "p = .0018" is the one-sided tail; two-sided it is
/// 0.00366.)
#[test]
fn mann_kendall_worked_example_with_a_tie() {
    let x = [
        12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7,
    ];
    let mk = mannkendall::test(&x).unwrap();
    assert_eq!(mk.n, 14);
    assert_eq!(mk.s, 54);
    let v = 14.0 * 13.0 * 33.0 / 18.0 - 2.0 * 1.0 * 9.0 / 18.0;
    assert!((mk.var_s - v).abs() < 1e-12);
    assert!((v - 332.666_666_666_666_7).abs() < 1e-9);
    assert!((mk.z - 53.0 / v.sqrt()).abs() < 1e-12);
    assert!((mk.z - 2.9058).abs() < 5e-5);
    // two-sided: 2 · (1 − Φ(2.9058)) = 2 · 0.001832 = 0.003663
    assert!((mk.pvalue - 0.003_663).abs() < 2e-6, "{}", mk.pvalue);
    assert!((mk.tau - 54.0 / 91.0).abs() < 1e-15);
}

/// By hand: x = 5, 3, 3, 1, 4.
/// pairs from 5: 3 −, 3 −, 1 −, 4 − (−4); from the first 3: 3 0, 1 −, 4 + (0);
/// from the second 3: 1 −, 4 + (0); from 1: 4 + (+1). S = −3.
/// One tie group of size 2: Var = [5·4·15 − 2·1·9]/18 = (300 − 18)/18 = 15.6667.
/// Z = (S + 1)/√Var = −2/3.95811 = −0.505291.
#[test]
fn mann_kendall_by_hand_negative_with_tie() {
    let mk = mannkendall::test(&[5.0, 3.0, 3.0, 1.0, 4.0]).unwrap();
    assert_eq!(mk.s, -3);
    assert!((mk.var_s - 282.0 / 18.0).abs() < 1e-12);
    assert!((mk.z - (-2.0 / (282.0f64 / 18.0).sqrt())).abs() < 1e-12);
    assert!((mk.z + 0.505_291).abs() < 1e-6);
    // many ties: 1,1,2,2,2 → S = 6 (each 1 below each 2), Var = [5·4·15 − 2·1·9 − 3·2·11]/18
    let mk = mannkendall::test(&[1.0, 1.0, 2.0, 2.0, 2.0]).unwrap();
    assert_eq!(mk.s, 6);
    assert!((mk.var_s - (300.0 - 18.0 - 66.0) / 18.0).abs() < 1e-12);
}

// ------------------------------------------------------- emerging categories

fn trend(z: &[f64]) -> MannKendall {
    mannkendall::test(z).unwrap()
}

fn up(t: usize, base: f64) -> Vec<f64> {
    (0..t).map(|i| base + i as f64).collect()
}

fn flat(t: usize, base: f64) -> Vec<f64> {
    // alternating base, base + 0.5: no monotonic trend
    (0..t).map(|i| base + 0.5 * (i % 2) as f64).collect()
}

fn rev(v: Vec<f64>) -> Vec<f64> {
    v.into_iter().rev().collect()
}

fn neg(v: Vec<f64>) -> Vec<f64> {
    v.into_iter().map(|x| -x).collect()
}

/// bins from a pattern string: `+` hot, `-` cold, `.` not significant.
fn bins(s: &str) -> Vec<i8> {
    s.chars()
        .map(|c| match c {
            '+' => 1,
            '-' => -1,
            _ => 0,
        })
        .collect()
}

#[test]
fn every_category_on_hand_built_series() {
    let a = 0.10;
    let t = 10;
    let noise = vec![0.5, 1.2, 0.3, 1.0, 0.4, 1.1, 0.2, 0.9, 0.6, 0.8];
    let flat_trend = trend(&flat(t, 3.0));
    assert!(flat_trend.pvalue >= a, "{flat_trend:?}");
    let up_trend = trend(&up(t, 2.0));
    assert!(up_trend.pvalue < a && up_trend.z > 0.0);
    let down_trend = trend(&rev(up(t, 2.0)));
    assert!(down_trend.pvalue < a && down_trend.z < 0.0);
    let cases: Vec<(&str, MannKendall, Pattern)> = vec![
        // hot side
        (".........+", trend(&noise), Pattern::NewHot),
        (".......+++", trend(&noise), Pattern::ConsecutiveHot),
        ("++++++++++", up_trend, Pattern::IntensifyingHot),
        ("++++++++++", flat_trend, Pattern::PersistentHot),
        ("++++++++++", down_trend, Pattern::DiminishingHot),
        ("+..+.....+", trend(&noise), Pattern::SporadicHot),
        (".+.+++...+", trend(&noise), Pattern::SporadicHot),
        ("-........+", trend(&noise), Pattern::OscillatingHot),
        ("+++++++++.", flat_trend, Pattern::HistoricalHot),
        // cold mirrors: the trend's sign flips (intensifying cold = z falling)
        (".........-", trend(&noise), Pattern::NewCold),
        (".......---", trend(&noise), Pattern::ConsecutiveCold),
        (
            "----------",
            trend(&neg(up(t, 2.0))),
            Pattern::IntensifyingCold,
        ),
        (
            "----------",
            trend(&neg(flat(t, 3.0))),
            Pattern::PersistentCold,
        ),
        (
            "----------",
            trend(&rev(neg(up(t, 2.0)))),
            Pattern::DiminishingCold,
        ),
        ("-..-.....-", trend(&noise), Pattern::SporadicCold),
        ("+........-", trend(&noise), Pattern::OscillatingCold),
        ("---------.", flat_trend, Pattern::HistoricalCold),
        // no pattern
        ("..........", trend(&noise), Pattern::NoPattern),
        ("+.......+.", trend(&noise), Pattern::NoPattern),
        ("-+-+-+-+-.", trend(&noise), Pattern::NoPattern),
    ];
    for (s, mk, want) in cases {
        assert_eq!(classify(&bins(s), &mk, a), want, "{s}");
    }
    // every one of the 17 categories was produced above
    assert_eq!(Pattern::ALL.len(), 17);
}

#[test]
fn category_boundaries_and_resolved_overlaps() {
    let a = 0.10;
    let flat20 = trend(&flat(20, 3.0));
    // 90% is h ≥ 0.9·T: 18 of 20 hot, final hot → persistent; 17 → sporadic
    assert_eq!(
        classify(&bins("++++++++..++++++++++"), &flat20, a),
        Pattern::PersistentHot
    );
    assert_eq!(
        classify(&bins("+++++++...++++++++++"), &flat20, a),
        Pattern::SporadicHot
    );
    // ≥ 90% hot with one cold bin earlier: the 90% rule comes first
    assert_eq!(
        classify(&bins("+-++++++++++++++++++"), &flat20, a),
        Pattern::PersistentHot
    );
    // (1) hot only at the end but cold before: Oscillating, not New
    assert_eq!(
        classify(&bins("..-......+"), &flat20, a),
        Pattern::OscillatingHot
    );
    // ... and a final run after a cold bin: Oscillating, not Consecutive
    assert_eq!(
        classify(&bins("-......+++"), &flat20, a),
        Pattern::OscillatingHot
    );
    // (2) ≥ 90% hot but not hot at the end: Historical, even without a trend
    assert_eq!(
        classify(&bins("+++++++++."), &flat20, a),
        Pattern::HistoricalHot
    );
    // (3) ≥ 90% hot then a final cold bin: Oscillating Cold (the final state)
    assert_eq!(
        classify(&bins("+++++++++-"), &flat20, a),
        Pattern::OscillatingCold
    );
    // a consecutive run needs two bins: a single final hot bin after an earlier one is sporadic
    assert_eq!(
        classify(&bins("+........+"), &flat20, a),
        Pattern::SporadicHot
    );
    // a significant trend needs p < trend_alpha: S = 45, Var = 125, Z = 44/√125 = 3.935,
    // p = 8.3e-5, so at 1e-5 the upward trend is not enough
    let up10 = trend(&up(10, 2.0));
    assert!((up10.z - 44.0 / 125f64.sqrt()).abs() < 1e-12);
    assert!(up10.pvalue > 1e-5 && up10.pvalue < 1e-4, "{}", up10.pvalue);
    assert_eq!(
        classify(&bins("++++++++++"), &up10, 1e-5),
        Pattern::PersistentHot
    );
    assert_eq!(classify(&[], &up10, a), Pattern::NoPattern);
}

// ------------------------------------------------------------------ evaluate

fn push(inc: &mut Incidents, x: f64, m: Month, k: usize, harm: f64) {
    for _ in 0..k {
        inc.xy.push([x, 50.0]);
        inc.month.push(m);
        inc.kind.push(0);
        inc.harm.push(harm);
    }
}

/// Ten 100 m cells in a row.
/// training counts  9 7 5 3 1 0 0 0 0 0   (N₁ = 25)
/// test counts      4 1 6 2 0 0 3 0 0 0   (N = 16); cell 6's test incidents weigh 5 each
/// Top 20% = 2 cells (0, 1): n = 5, a/A = 0.2.
///   hit rate = 5/16 = 0.3125; PAI = 0.3125/0.2 = 1.5625
///   best 2 cells in the test period: 6 + 4 = 10 → PAI* = (10/16)/0.2 = 3.125, PEI = 5/10 = 0.5
///   RRI (Levine) = (n₂/n₁)/(N₂/N₁) = (5/16)/(16/25) = 0.48828125
///   harm: test harm 4 1 6 2 0 0 15 0 0 0 = 28; in hotspots 5 → 5/28; best 2: 15 + 6 = 21 → PEI 5/21
/// Curve at 3 cells (0, 1, 2): (4 + 1 + 6)/16 = 11/16, PAI = (11/16)/0.3.
#[test]
fn hit_rate_pai_pei_rri_by_hand() {
    let tr = Month::parse("2021-01").unwrap();
    let te = tr.add(1);
    let mut inc = Incidents {
        types: vec!["Burglary".into()],
        ..Default::default()
    };
    for (c, &k) in [9, 7, 5, 3, 1].iter().enumerate() {
        push(&mut inc, 50.0 + 100.0 * c as f64, tr, k, 1.0);
    }
    for (c, &k) in [4, 1, 6, 2, 0, 0, 3].iter().enumerate() {
        let harm = if c == 6 { 5.0 } else { 1.0 };
        push(&mut inc, 50.0 + 100.0 * c as f64, te, k, harm);
    }
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 999.0, 99.0]).unwrap();
    assert_eq!(grid.area_cells(), 10);
    let p = EvaluateParams::new(
        MonthRange::new(tr, tr).unwrap(),
        MonthRange::new(te, te).unwrap(),
    )
    .hotspots(Hotspots::Top {
        percent: 20.0,
        surface: Surface::Cells(Weights::Unweighted),
    });
    let r = evaluate(&inc, &grid, &p).unwrap();
    let s = &r.scores;
    assert_eq!((s.hotspot_cells, s.study_area_cells), (2, 10));
    assert_eq!(
        (s.test_incidents, s.test_incidents_in_hotspots),
        (16.0, 5.0)
    );
    assert_eq!(s.hit_rate, 0.3125);
    assert!((s.pai - 1.5625).abs() < 1e-12);
    assert!((s.pai_max - 3.125).abs() < 1e-12);
    assert_eq!(s.pei, Some(0.5));
    assert!((s.rri.unwrap() - 0.488_281_25).abs() < 1e-12);
    assert!((s.harm_hit_rate.unwrap() - 5.0 / 28.0).abs() < 1e-15);
    assert!((s.harm_pei.unwrap() - 5.0 / 21.0).abs() < 1e-15);
    assert!((s.hotspot_km2 - 0.02).abs() < 1e-15);
    let c3 = &r.curve[2];
    assert_eq!(c3.cells, 3);
    assert!((c3.hit_rate - 11.0 / 16.0).abs() < 1e-15);
    assert!((c3.pai - 11.0 / 16.0 / 0.3).abs() < 1e-12);
    assert_eq!(r.curve.len(), 10); // every cell for a small study area
    assert_eq!(r.curve[9].hit_rate, 1.0);
    // layer: the two hotspot cells and the ranks
    assert_eq!(r.layer.get("hotspot").unwrap()[..3], [1.0, 1.0, 0.0]);
    assert_eq!(r.layer.get("rank").unwrap()[..3], [1.0, 2.0, 3.0]);

    // Gini of the test counts against the definition ΣΣ|xi − xj| / (2 n² x̄)
    let x = [4.0, 1.0, 6.0, 2.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0];
    let mut num = 0.0;
    for a in x {
        for b in x {
            num += f64::abs(a - b);
        }
    }
    let g = num / (2.0 * 100.0 * 1.6);
    assert!(
        (r.concentration.gini - g).abs() < 1e-12,
        "{} vs {g}",
        r.concentration.gini
    );
    // by hand: sorted 0 0 0 0 0 1 2 3 4 6, n = 10, Σx = 16:
    // Σ_i (2i − n − 1) x(i) = (2·6−11)·1 + (2·7−11)·2 + (2·8−11)·3 + (2·9−11)·4 + (2·10−11)·6
    //                       = 1 + 6 + 15 + 28 + 54 = 104 → G = 104/(10·16) = 0.65
    assert!((g - 0.65).abs() < 1e-12);
    // 10 cells, 16 incidents: n/N < 1, so the generalised Gini equals G
    assert!((r.concentration.gini_generalised - 0.65).abs() < 1e-12);
}

#[test]
fn gistar_hot_cells_as_hotspots() {
    // a 5 x 5 grid: the centre 3 x 3 busy in training; test incidents in the centre cell
    let tr = Month::parse("2021-01").unwrap();
    let te = tr.add(1);
    let mut inc = Incidents {
        types: vec!["Burglary".into()],
        ..Default::default()
    };
    let mut add = |x: f64, y: f64, m: Month, k: usize| {
        for _ in 0..k {
            inc.xy.push([x, y]);
            inc.month.push(m);
            inc.kind.push(0);
            inc.harm.push(1.0);
        }
    };
    for cx in 1..4 {
        for cy in 1..4 {
            add(50.0 + 100.0 * cx as f64, 50.0 + 100.0 * cy as f64, tr, 8);
        }
    }
    add(50.0, 50.0, tr, 1);
    add(250.0, 250.0, te, 6);
    add(50.0, 450.0, te, 2);
    let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 499.0, 499.0]).unwrap();
    let p = EvaluateParams::new(
        MonthRange::new(tr, tr).unwrap(),
        MonthRange::new(te, te).unwrap(),
    )
    .hotspots(Hotspots::Hot {
        min_class: 1,
        gistar: Default::default(),
        value: Weights::Unweighted,
    });
    let r = evaluate(&inc, &grid, &p).unwrap();
    let s = &r.scores;
    let centre = grid.spec.locate([250.0, 250.0]).unwrap();
    assert_eq!(r.layer.get("hotspot").unwrap()[centre], 1.0);
    assert_eq!(r.layer.get("rank").unwrap()[centre], 1.0); // highest z
                                                           // hit rate = 6/8 whatever the other hot cells (the corner cell is never hot)
    assert_eq!(s.hit_rate, 0.75);
    assert!((s.pai - 0.75 / (s.hotspot_cells as f64 / 25.0)).abs() < 1e-12);
}

// ---------------------------------------------------------------------- Knox

/// 2000 background incidents uniform over 10 x 10 km in 24 months, plus 300 planted
/// repeats: a second incident within 30 m of a background incident, in the same month.
fn planted(seed: u64) -> Incidents {
    let mut r = Rng::new(seed);
    let m0 = Month::parse("2020-01").unwrap();
    let mut inc = Incidents {
        types: vec!["Burglary".into()],
        ..Default::default()
    };
    for _ in 0..2000 {
        inc.xy
            .push([r.uniform() * 10_000.0, r.uniform() * 10_000.0]);
        inc.month.push(m0.add(r.below(24) as i32));
    }
    for k in 0..300 {
        let [x, y] = inc.xy[k];
        let a = r.uniform() * std::f64::consts::TAU;
        let d = r.uniform() * 30.0;
        inc.xy.push([x + d * a.cos(), y + d * a.sin()]);
        inc.month.push(inc.month[k]);
    }
    let n = inc.xy.len();
    inc.kind = vec![0; n];
    inc.harm = vec![1.0; n];
    inc
}

fn run_knox(inc: &Incidents, threads: usize) -> KnoxResult {
    let idx = IncidentIndex::build(inc);
    let p = KnoxParams::default()
        .distance_bands(vec![100.0, 500.0, 1000.0])
        .month_bands(vec![0, 1, 3])
        .permutations(199)
        .seed(42);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| knox(inc, &idx, &p).unwrap())
}

#[test]
fn knox_finds_planted_near_repeats_and_not_shuffled_ones() {
    let inc = planted(7);
    let r = run_knox(&inc, 2);
    let close = r.cell(0, 0); // ≤ 100 m, same month
    assert!(close.observed >= 300, "{close:?}");
    let ratio = close.ratio.unwrap();
    assert!(ratio > 5.0, "closest band ratio {ratio}");
    assert!(close.pvalue <= 1.0 / 200.0 + 1e-12, "{}", close.pvalue);
    // far pairs are not affected by the planting
    let far = r.cell(2, 2).ratio.unwrap();
    assert!((far - 1.0).abs() < 0.1, "{far}");
    assert!(r.time_resolution.contains("police.uk"));

    // the same data with the months shuffled across incidents: no near repeats left
    let mut shuffled = inc.clone();
    Rng::new(99).shuffle(&mut shuffled.month);
    let s = run_knox(&shuffled, 2);
    let ratio = s.cell(0, 0).ratio.unwrap();
    assert!((ratio - 1.0).abs() < 0.3, "shuffled ratio {ratio}");
    assert!(s.cell(0, 0).pvalue > 0.01, "{}", s.cell(0, 0).pvalue);
}

#[test]
fn knox_identical_for_the_same_seed_at_1_and_2_threads() {
    let inc = planted(3);
    let a = run_knox(&inc, 1);
    let b = run_knox(&inc, 2);
    assert_eq!(a.cells.len(), b.cells.len());
    for (x, y) in a.cells.iter().zip(&b.cells) {
        assert_eq!(x.observed, y.observed);
        assert_eq!(x.expected.to_bits(), y.expected.to_bits());
        assert_eq!(x.pvalue.to_bits(), y.pvalue.to_bits());
    }
}
