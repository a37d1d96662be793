//! Unit tests of [`super`].
use super::*;
use crate::model::grid::{GridSpec, Shape};
use crate::Rng;

fn brute(xy: &[[f64; 2]], w: &[f64], spec: &GridSpec, k: Kernel, h: f64) -> Vec<f64> {
    (0..spec.len())
        .map(|id| {
            let c = spec.centre(id);
            xy.iter()
                .zip(w)
                .map(|(p, w)| w * k.shape((c[0] - p[0]).hypot(c[1] - p[1]) / h))
                .sum()
        })
        .collect()
}

#[test]
fn matches_brute_force_on_square_and_hex_grids() {
    let mut rng = Rng::new(3);
    let xy: Vec<[f64; 2]> = (0..300)
        .map(|_| {
            [
                1000.0 + 2000.0 * rng.uniform(),
                -500.0 + 1500.0 * rng.uniform(),
            ]
        })
        .collect();
    let w: Vec<f64> = (0..300).map(|_| 0.5 + rng.uniform()).collect();
    for shape in [Shape::Square, Shape::Hex] {
        // the block covers only part of the points: points outside still reach in
        let spec = GridSpec::covering(shape, 50.0, [1200.0, -300.0, 2600.0, 700.0]).unwrap();
        for k in Kernel::ALL {
            let h = if k == Kernel::Gaussian { 60.0 } else { 230.0 };
            let fast = raw_sums(&xy, Some(&w), &spec, k, h);
            let slow = brute(&xy, &w, &spec, k, h);
            for (a, b) in fast.iter().zip(&slow) {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{shape:?} {k:?}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn bit_identical_at_one_and_two_threads() {
    let mut rng = Rng::new(9);
    let xy: Vec<[f64; 2]> = (0..20_000)
        .map(|_| [5000.0 * rng.uniform(), 5000.0 * rng.uniform()])
        .collect();
    let spec = GridSpec::covering(Shape::Square, 50.0, [0.0, 0.0, 5000.0, 5000.0]).unwrap();
    let run = |t: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
            .install(|| raw_sums(&xy, None, &spec, Kernel::Quartic, 300.0))
    };
    let (a, b) = (run(1), run(2));
    assert!(a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits()));
}

#[test]
fn kernel_names_round_trip() {
    for k in Kernel::ALL {
        assert_eq!(Kernel::parse(k.name()), Some(k));
    }
    assert_eq!(Kernel::parse("Biweight"), None);
}
