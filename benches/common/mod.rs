//! Seeded synthetic incidents shared by the benches.
#![allow(dead_code)]

use harmspot::{Incidents, Month, Rng};

/// Side of the square study area, metres.
pub const SIDE: f64 = 30_000.0;

/// `n` seeded points over the square `[x0, x0 + SIDE) × [y0, y0 + SIDE)`: 30% uniform, 70%
/// in 20 Gaussian clusters of standard deviation 200–1500 m, clipped to the square; harm
/// weights 1–10, one crime type.
pub fn clustered(n: usize, seed: u64, origin: [f64; 2]) -> Incidents {
    let mut rng = Rng::new(seed);
    let clusters: Vec<([f64; 2], f64)> = (0..20)
        .map(|_| {
            let c = [
                3_000.0 + 24_000.0 * rng.uniform(),
                3_000.0 + 24_000.0 * rng.uniform(),
            ];
            (c, 200.0 + 1_300.0 * rng.uniform())
        })
        .collect();
    let xy: Vec<[f64; 2]> = (0..n)
        .map(|_| {
            let p = if rng.uniform() < 0.3 {
                [SIDE * rng.uniform(), SIDE * rng.uniform()]
            } else {
                let (c, s) = clusters[rng.below(20) as usize];
                [c[0] + s * rng.normal(), c[1] + s * rng.normal()]
            };
            [
                origin[0] + p[0].clamp(0.0, SIDE - 1.0),
                origin[1] + p[1].clamp(0.0, SIDE - 1.0),
            ]
        })
        .collect();
    let harm: Vec<f64> = (0..n).map(|_| 1.0 + rng.below(10) as f64).collect();
    Incidents {
        xy,
        month: vec![Month::UNKNOWN; n],
        kind: vec![0; n],
        harm,
        types: vec!["Synthetic".into()],
        ..Default::default()
    }
}
