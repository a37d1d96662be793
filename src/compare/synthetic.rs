//! Synthetic control weights (METHODS §6b; micro-synthetic control of Robbins, Saunders &
//! Kilmer 2017, JASA 112:109; R `microsynth`).
//!
//! For a unit with before-period monthly series `a_t` and donors with series `D_i,t`, the
//! weights `w ≥ 0` reproduce the unit's before total exactly, `Σ_i w_i D_i,b = A_b`, and
//! minimise `Σ_t (a_t − Σ_i w_i D_i,t)²` over the before months. The weights need not sum
//! to 1 (a hub may be busier than any donor).
//!
//! Method: non-negative least squares (Lawson & Hanson 1974, *Solving Least Squares
//! Problems*, ch. 23, algorithm NNLS) on the system augmented with the equality row scaled
//! by a large factor λ (the weighting method for equality constraints, Lawson & Hanson
//! ch. 22), then an exact rescale `w ← w · A_b / Σ_i w_i D_i,b` so the before total holds
//! to rounding. Least-squares subproblems are solved by Householder QR.

/// Weight of the equality row against the (rescaled) monthly rows.
const LAMBDA: f64 = 1e3;

/// Synthetic-control weights of `donors` (each a before-period series as long as `a`) for
/// the unit whose before series is `a`: `w ≥ 0`, `Σ w_i Σ_t D_i,t = Σ_t a_t` exactly (when
/// any donor has a before count), least squares over months otherwise.
///
/// When no donor has a before count, or the unit's before total is 0, every weight is 0.
///
/// ```
/// use harmspot::compare::synthetic::weights;
/// // two donors that each match one month: w = (1, 2)
/// let w = weights(&[&[1.0, 0.0], &[0.0, 1.0]], &[1.0, 2.0]);
/// assert!((w[0] - 1.0).abs() < 1e-9 && (w[1] - 2.0).abs() < 1e-9);
/// ```
pub fn weights(donors: &[&[f64]], a: &[f64]) -> Vec<f64> {
    weights_in(donors, a, 0..a.len())
}

/// [`weights`] fitted over every month of `a`, holding the total of the months `eq` (the
/// before period, within a longer pre-intervention series) exactly.
///
/// ```
/// use harmspot::compare::synthetic::weights_in;
/// // months 0..3 fitted, the total of months 1..3 held: one donor, w = (2 + 4)/(1 + 2) = 2
/// let w = weights_in(&[&[5.0, 1.0, 2.0]], &[9.0, 2.0, 4.0], 1..3);
/// assert!((w[0] - 2.0).abs() < 1e-12);
/// ```
pub fn weights_in(donors: &[&[f64]], a: &[f64], eq: std::ops::Range<usize>) -> Vec<f64> {
    let n = donors.len();
    let t = a.len();
    let total: f64 = a[eq.clone()].iter().sum();
    let sums: Vec<f64> = donors.iter().map(|d| d[eq.clone()].iter().sum()).collect();
    if n == 0 || total <= 0.0 || sums.iter().all(|&s| s <= 0.0) {
        return vec![0.0; n];
    }
    let scale = a.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
    let m = t + 1;
    let mut mat = vec![0.0; m * n];
    for (i, d) in donors.iter().enumerate() {
        for (k, v) in d.iter().enumerate() {
            mat[i * m + k] = v / scale;
        }
        mat[i * m + t] = LAMBDA * sums[i] / scale;
    }
    let mut b: Vec<f64> = a.iter().map(|v| v / scale).collect();
    b.push(LAMBDA * total / scale);
    let mut w = nnls(&mat, m, n, &b);
    let got: f64 = w.iter().zip(&sums).map(|(w, s)| w * s).sum();
    if got > 0.0 {
        let f = total / got;
        w.iter_mut().for_each(|x| *x *= f);
    } else {
        // no fit at all: spread the total over the donors in proportion (never expected
        // with a donor holding a count, kept so the total always holds)
        let all: f64 = sums.iter().sum();
        w = sums
            .iter()
            .map(|&s| if s > 0.0 { total / all } else { 0.0 })
            .collect();
    }
    w
}

/// Non-negative least squares, Lawson & Hanson's NNLS: `min ‖A x − b‖` subject to `x ≥ 0`,
/// with `A` column-major, `m` rows and `n` columns.
///
/// ```
/// use harmspot::compare::synthetic::nnls;
/// // min (x1 + x2 − 1)² + (x1 − 3)²: the unconstrained solution (3, −2) is infeasible;
/// // NNLS gives x2 = 0 and x1 = (1 + 3)/2 = 2.
/// let x = nnls(&[1.0, 1.0, 1.0, 0.0], 2, 2, &[1.0, 3.0]);
/// assert!((x[0] - 2.0).abs() < 1e-12 && x[1] == 0.0);
/// ```
pub fn nnls(a: &[f64], m: usize, n: usize, b: &[f64]) -> Vec<f64> {
    let mut x = vec![0.0; n];
    let mut passive = vec![false; n];
    let mut banned = vec![false; n];
    let col = |j: usize| &a[j * m..(j + 1) * m];
    let grad0: f64 = (0..n).map(|j| dot(col(j), b).abs()).fold(0.0, f64::max);
    let tol = 1e-11 * grad0.max(f64::MIN_POSITIVE);
    for _ in 0..(3 * n).max(30) {
        let r = residual(a, m, n, b, &x);
        let pick = (0..n)
            .filter(|&j| !passive[j] && !banned[j])
            .map(|j| (j, dot(col(j), &r)))
            .filter(|&(_, g)| g > tol)
            .max_by(|p, q| p.1.total_cmp(&q.1).then(q.0.cmp(&p.0)));
        let Some((j, _)) = pick else { break };
        passive[j] = true;
        for inner in 0..(3 * n).max(30) {
            let set: Vec<usize> = (0..n).filter(|&i| passive[i]).collect();
            let z = lstsq(a, m, &set, b);
            if set.iter().zip(&z).all(|(_, &v)| v > 0.0) {
                for (&i, &v) in set.iter().zip(&z) {
                    x[i] = v;
                }
                break;
            }
            if inner == 0 && z[set.iter().position(|&i| i == j).unwrap_or(0)] <= 0.0 {
                // rounding: the column just added cannot enter; never try it again
                passive[j] = false;
                banned[j] = true;
                break;
            }
            let alpha = set
                .iter()
                .zip(&z)
                .filter(|(_, &v)| v <= 0.0)
                .map(|(&i, &v)| x[i] / (x[i] - v))
                .fold(f64::INFINITY, f64::min);
            for (&i, &v) in set.iter().zip(&z) {
                x[i] += alpha * (v - x[i]);
                if x[i] <= 1e-15 {
                    x[i] = 0.0;
                    passive[i] = false;
                }
            }
        }
    }
    x
}

fn dot(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

fn residual(a: &[f64], m: usize, n: usize, b: &[f64], x: &[f64]) -> Vec<f64> {
    let mut r = b.to_vec();
    for j in 0..n {
        if x[j] != 0.0 {
            for (ri, aij) in r.iter_mut().zip(&a[j * m..(j + 1) * m]) {
                *ri -= aij * x[j];
            }
        }
    }
    r
}

/// Least squares on the columns `set` of `a` (Householder QR); a column dependent on the
/// earlier ones gets 0.
fn lstsq(a: &[f64], m: usize, set: &[usize], b: &[f64]) -> Vec<f64> {
    let p = set.len();
    let mut q: Vec<f64> = set
        .iter()
        .flat_map(|&j| a[j * m..(j + 1) * m].iter().copied())
        .collect();
    let mut y = b.to_vec();
    let k = p.min(m);
    let mut rank_ok = vec![true; p];
    for c in 0..k {
        let norm = q[c * m + c..(c + 1) * m]
            .iter()
            .map(|v| v * v)
            .sum::<f64>()
            .sqrt();
        if norm < 1e-13 {
            rank_ok[c] = false;
            continue;
        }
        let alpha = if q[c * m + c] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = q[c * m + c..(c + 1) * m].to_vec();
        v[0] -= alpha;
        let vv = dot(&v, &v);
        if vv == 0.0 {
            continue;
        }
        for cc in c..p {
            let s = dot(&v, &q[cc * m + c..(cc + 1) * m]) * 2.0 / vv;
            for (qi, vi) in q[cc * m + c..(cc + 1) * m].iter_mut().zip(&v) {
                *qi -= s * vi;
            }
        }
        let s = dot(&v, &y[c..]) * 2.0 / vv;
        for (yi, vi) in y[c..].iter_mut().zip(&v) {
            *yi -= s * vi;
        }
    }
    let mut z = vec![0.0; p];
    for c in (0..k).rev() {
        if !rank_ok[c] || q[c * m + c].abs() < 1e-13 {
            continue;
        }
        let s: f64 = ((c + 1)..k).map(|cc| q[cc * m + c] * z[cc]).sum();
        z[c] = (y[c] - s) / q[c * m + c];
    }
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-9, "{a:?} != {b:?}");
        }
    }

    #[test]
    fn nnls_matches_hand_solutions() {
        // unconstrained optimum feasible: A = I, b = (2, 3)
        close(&nnls(&[1.0, 0.0, 0.0, 1.0], 2, 2, &[2.0, 3.0]), &[2.0, 3.0]);
        // a negative target: that coordinate stays 0
        close(
            &nnls(&[1.0, 0.0, 0.0, 1.0], 2, 2, &[2.0, -3.0]),
            &[2.0, 0.0],
        );
        // overdetermined: one column (1, 1, 1), b = (1, 2, 6): x = mean = 3
        close(&nnls(&[1.0, 1.0, 1.0], 3, 1, &[1.0, 2.0, 6.0]), &[3.0]);
        // A rows (1, 2), (1, 0); b = (1, 3): unconstrained (3, −1); NNLS x2 = 0, x1 = 2
        close(&nnls(&[1.0, 1.0, 2.0, 0.0], 2, 2, &[1.0, 3.0]), &[2.0, 0.0]);
    }

    #[test]
    fn weights_hold_the_total_and_stay_non_negative() {
        // hand case: a = (1, 3); donors d1 = (1, 1), d2 = (2, 0); the total 4 forces
        // w1 + w2 = 2 and then (1 + w2)² · 2 is least at w2 = 0: w = (2, 0)
        close(
            &weights(&[&[1.0, 1.0], &[2.0, 0.0]], &[1.0, 3.0]),
            &[2.0, 0.0],
        );
        // one donor: the total alone decides, w = 8/4 = 2 although the months differ
        close(&weights(&[&[1.0, 3.0]], &[6.0, 2.0]), &[2.0]);
        // a = (3, 1), d1 = (1, 0), d2 = (1, 1): exact fit w = (2, 1) holds the total 4
        close(
            &weights(&[&[1.0, 0.0], &[1.0, 1.0]], &[3.0, 1.0]),
            &[2.0, 1.0],
        );
        // zero before total, or donors with nothing: all zero
        close(&weights(&[&[1.0, 0.0]], &[0.0, 0.0]), &[0.0]);
        close(&weights(&[&[0.0, 0.0]], &[1.0, 0.0]), &[0.0]);
    }

    #[test]
    fn weights_fit_a_busier_hub_with_many_donors() {
        // a hub twice donor 1 plus donor 3, among noise donors: recovered exactly
        let d1 = [5.0, 7.0, 6.0, 9.0, 4.0, 8.0];
        let d2 = [1.0, 0.0, 3.0, 0.0, 2.0, 0.0];
        let d3 = [0.0, 2.0, 1.0, 1.0, 0.0, 3.0];
        let d4 = [9.0, 1.0, 1.0, 9.0, 1.0, 1.0];
        let a: Vec<f64> = (0..6).map(|t| 2.0 * d1[t] + d3[t]).collect();
        let w = weights(&[&d1, &d2, &d3, &d4], &a);
        close(&w, &[2.0, 0.0, 1.0, 0.0]);
    }
}
