//! Knox test on 10⁵ incidents over 24 months with 999 permutations. The incidents are
//! seeded: 60% around 40 clusters in a 30 × 30 km area, 40% uniform, snapped to a 25 m
//! lattice of "map points" as police.uk locations are, with 5% planted repeats (within 50 m,
//! the same or the next month). Bands 100, 200, 300, 400 m × 0, 1, 2, 3 months.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use harmspot::knox::{test, KnoxParams};
use harmspot::{IncidentIndex, Incidents, Month, Rng};

fn incidents(n: usize, seed: u64) -> Incidents {
    let mut rng = Rng::new(seed);
    let side = 30_000.0;
    let clusters: Vec<([f64; 2], f64)> = (0..40)
        .map(|_| {
            (
                [side * rng.uniform(), side * rng.uniform()],
                200.0 + 800.0 * rng.uniform(),
            )
        })
        .collect();
    let m0 = Month::parse("2020-01").unwrap();
    let mut inc = Incidents {
        types: vec!["Burglary".into()],
        ..Default::default()
    };
    let snap = |v: f64| (v / 25.0).round() * 25.0;
    let planted = n / 20;
    for _ in 0..n - planted {
        let p = if rng.uniform() < 0.6 {
            let (c, sd) = clusters[rng.below(clusters.len() as u64) as usize];
            [c[0] + sd * rng.normal(), c[1] + sd * rng.normal()]
        } else {
            [side * rng.uniform(), side * rng.uniform()]
        };
        inc.xy.push([snap(p[0]), snap(p[1])]);
        inc.month.push(m0.add(rng.below(24) as i32));
    }
    for _ in 0..planted {
        let k = rng.below(inc.xy.len() as u64) as usize;
        let a = rng.uniform() * std::f64::consts::TAU;
        let d = 50.0 * rng.uniform();
        let p = [inc.xy[k][0] + d * a.cos(), inc.xy[k][1] + d * a.sin()];
        inc.xy.push([snap(p[0]), snap(p[1])]);
        let m = inc.month[k].add(rng.below(2) as i32);
        inc.month.push(m);
    }
    inc.kind = vec![0; n];
    inc.harm = vec![1.0; n];
    inc
}

fn bench(c: &mut Criterion) {
    let inc = incidents(100_000, 1);
    let idx = IncidentIndex::build(&inc);
    let p = KnoxParams::default()
        .distance_bands(vec![100.0, 200.0, 300.0, 400.0])
        .month_bands(vec![0, 1, 2, 3])
        .permutations(999);
    let r = test(&inc, &idx, &p).unwrap();
    eprintln!(
        "knox bench: {} incidents, {} pairs within 400 m; closest-band ratio {:.2} (p {:.3})",
        r.incidents,
        r.close_pairs,
        r.cell(0, 0).ratio.unwrap_or(f64::NAN),
        r.cell(0, 0).pvalue
    );
    let mut g = c.benchmark_group("knox_1e5");
    g.sample_size(10);
    g.throughput(Throughput::Elements(r.close_pairs * 999));
    g.bench_function("999_permutations_400m", |b| {
        b.iter(|| test(&inc, &idx, &p).unwrap())
    });
    let p99 = p.clone().permutations(99);
    g.bench_function("99_permutations_400m", |b| {
        b.iter(|| test(&inc, &idx, &p99).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
