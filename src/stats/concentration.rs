//! How concentrated crime (or harm) is across cells (METHODS §7): the share in the top 1,
//! 5 and 10% of cells, a concentration (Lorenz) curve, the Gini coefficient and the
//! generalised Gini for sparse data of Bernasco & Steenbeek (2017).
//!
//! * **Top x% share and the curve.** Cells are sorted from the highest value down; the
//!   curve gives, for a share q of cells, the share of the total they hold. When q·n is not a
//!   whole number of cells, the next cell counts in proportion (linear interpolation between
//!   the curve's corners), so the result does not depend on how ties are ordered or on
//!   rounding the number of cells: with n = 250 cells, the top 1% is 2.5 cells = the two
//!   highest plus half of the third. This is the classic Lorenz curve read from the top:
//!   `curve(q) = 1 − L(1 − q)`.
//! * **Gini** `G = ΣᵢΣⱼ|xᵢ − xⱼ| / (2n² x̄)`, computed in O(n log n) from the ascending sort as
//!   `G = Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σx)` (i = 1..n).
//! * **Generalised Gini** `G' = max(1, n/N) · (G − 1) + 1` with N the number of incidents:
//!   when there are fewer incidents than cells, even the most even spread (one incident per
//!   cell) leaves empty cells, and G' rescales so that spread scores 0.
//!
//! The population is whatever cells the caller passes: harmspot passes the cells of the
//! study area, zero counts included.

use crate::error::{Error, Result};
use serde::Serialize;

/// The top shares reported, in percent of cells.
pub const TOP_PERCENTS: [f64; 3] = [1.0, 5.0, 10.0];

/// Points on the concentration curve (q = 0, 1, …, 100% of cells).
pub const CURVE_POINTS: usize = 101;

/// The share of the total held by the top `percent`% of cells.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopShare {
    /// Percent of cells (1, 5, 10).
    pub percent: f64,
    /// That many cells, `percent/100 · n` (fractional: see the module notes).
    pub cells: f64,
    /// Share of the total they hold, 0..1.
    pub share: f64,
}

/// Concentration of a per-cell quantity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Concentration {
    /// Cells in the population (n).
    pub cells: usize,
    /// Cells with a value above zero.
    pub nonzero_cells: usize,
    /// Sum of the values.
    pub total: f64,
    /// Shares held by the top 1, 5 and 10% of cells.
    pub top: Vec<TopShare>,
    /// `[share of cells, share of total]` from the highest cell down, at 0, 1, …, 100%.
    pub curve: Vec<[f64; 2]>,
    /// Gini coefficient, 0 (even) .. 1 − 1/n (all in one cell).
    pub gini: f64,
    /// Number of incidents N used by the generalised Gini.
    pub incidents: f64,
    /// Generalised Gini `max(1, n/N)·(G − 1) + 1` (Bernasco & Steenbeek 2017).
    pub gini_generalised: f64,
}

impl Concentration {
    /// The same summary with the generalised Gini computed for `incidents` incidents (use
    /// this when the values are harm, not counts).
    pub fn with_incidents(mut self, incidents: f64) -> Concentration {
        self.incidents = incidents;
        self.gini_generalised = generalised_gini(self.gini, self.cells, incidents);
        self
    }
}

/// The generalised Gini of Bernasco & Steenbeek (2017): `max(1, n/N)·(G − 1) + 1` for n
/// cells and N incidents.
///
/// ```
/// // 2 incidents in 8 cells, one each: G = 0.75, but that is the most even spread possible
/// assert_eq!(harmspot::concentration::generalised_gini(0.75, 8, 2.0), 0.0);
/// ```
pub fn generalised_gini(gini: f64, cells: usize, incidents: f64) -> f64 {
    (cells as f64 / incidents).max(1.0) * (gini - 1.0) + 1.0
}

/// Gini coefficient of non-negative values, O(n log n); 0 for an empty or all-zero input.
///
/// ```
/// // [0, 0, 1, 3]: ΣΣ|xi − xj| = 2·(1 + 3 + 1 + 3 + 2) = 20; 2n²x̄ = 2·16·1 = 32 → 0.625
/// assert_eq!(harmspot::concentration::gini(&[3.0, 0.0, 1.0, 0.0]), 0.625);
/// ```
pub fn gini(values: &[f64]) -> f64 {
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    gini_sorted(&s)
}

fn gini_sorted(asc: &[f64]) -> f64 {
    let n = asc.len() as f64;
    let total: f64 = asc.iter().sum();
    if asc.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let num: f64 = asc
        .iter()
        .enumerate()
        .map(|(i, &x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum();
    num / (n * total)
}

/// Concentration of per-cell values (counts or harm) over the cells given.
///
/// Parameters: `values`, one per cell of the population (non-negative, finite).
///
/// Returns: a [`Concentration`]; the generalised Gini takes N = Σ values (right for counts;
/// for harm call [`Concentration::with_incidents`] with the number of incidents).
///
/// Errors: no cells; a negative or non-finite value; a zero total.
///
/// Examples: 4 cells with 0, 0, 1 and 3 incidents:
///
/// ```
/// let c = harmspot::concentration::summarise(&[0.0, 3.0, 0.0, 1.0]).unwrap();
/// assert_eq!(c.gini, 0.625);
/// // top 10% = 0.4 of a cell: 0.4 × 3 of 4 incidents
/// assert!((c.top[2].share - 0.3).abs() < 1e-15);
/// assert_eq!(c.curve[50], [0.5, 1.0]); // the top half holds everything
/// ```
pub fn summarise(values: &[f64]) -> Result<Concentration> {
    if values.is_empty() {
        return Err(Error::NoData(
            "concentration: no cells in the study area".into(),
        ));
    }
    if let Some((i, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
    {
        return Err(Error::Mismatch(format!(
            "concentration: cell {i} has value {v}; values must be finite and at least 0"
        )));
    }
    let mut asc = values.to_vec();
    asc.sort_by(f64::total_cmp);
    let total: f64 = asc.iter().rev().sum();
    if total <= 0.0 {
        return Err(Error::Degenerate(
            "concentration: every cell is zero, there is nothing to be concentrated".into(),
        ));
    }
    let n = asc.len();
    // prefix[j] = sum of the j highest values, summed from the top
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &x in asc.iter().rev() {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + x);
    }
    let desc = |j: usize| asc[n - 1 - j];
    // share held by the top t cells, t fractional
    let held = |percent: f64| -> (f64, f64) {
        let t = percent * n as f64 / 100.0;
        let f = (t.floor() as usize).min(n);
        let s = if f >= n {
            prefix[n]
        } else {
            prefix[f] + (t - f as f64) * desc(f)
        };
        (t, (s / total).min(1.0))
    };
    let top = TOP_PERCENTS
        .iter()
        .map(|&p| {
            let (t, share) = held(p);
            TopShare {
                percent: p,
                cells: t,
                share,
            }
        })
        .collect();
    let curve = (0..CURVE_POINTS)
        .map(|i| {
            let p = i as f64 * 100.0 / (CURVE_POINTS - 1) as f64;
            [p / 100.0, held(p).1]
        })
        .collect();
    let g = gini_sorted(&asc);
    Ok(Concentration {
        cells: n,
        nonzero_cells: asc.iter().filter(|&&x| x > 0.0).count(),
        total,
        top,
        curve,
        gini: g,
        incidents: total,
        gini_generalised: generalised_gini(g, n, total),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gini_by_definition(x: &[f64]) -> f64 {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let mut s = 0.0;
        for a in x {
            for b in x {
                s += (a - b).abs();
            }
        }
        s / (2.0 * n * n * mean)
    }

    #[test]
    fn edge_cases() {
        assert!(summarise(&[]).is_err());
        assert!(summarise(&[0.0, 0.0])
            .unwrap_err()
            .to_string()
            .contains("every cell is zero"));
        assert!(summarise(&[1.0, -1.0]).is_err());
        assert!(summarise(&[1.0, f64::NAN]).is_err());
        let one = summarise(&[5.0]).unwrap();
        assert_eq!(one.gini, 0.0);
        // 1% of the only cell is 0.01 of a cell: 1% of the total
        assert!((one.top[0].share - 0.01).abs() < 1e-15);
    }

    #[test]
    fn gini_matches_the_quadratic_definition() {
        let mut r = crate::Rng::new(4);
        for n in [1usize, 2, 3, 10, 257] {
            let x: Vec<f64> = (0..n).map(|_| r.poisson(0.7) as f64 * 1.5).collect();
            if x.iter().sum::<f64>() == 0.0 {
                continue;
            }
            assert!((gini(&x) - gini_by_definition(&x)).abs() < 1e-12, "n={n}");
        }
        // all in one of n cells: G = 1 − 1/n
        let mut x = vec![0.0; 10];
        x[3] = 7.0;
        assert!((gini(&x) - 0.9).abs() < 1e-15);
        // all equal: 0
        assert_eq!(gini(&[2.0; 6]), 0.0);
    }

    #[test]
    fn hand_example_shares_and_curve() {
        // 200 cells: one with 50, three with 10, the rest 0 → total 80
        let mut x = vec![0.0; 200];
        x[17] = 50.0;
        x[3] = 10.0;
        x[99] = 10.0;
        x[150] = 10.0;
        let c = summarise(&x).unwrap();
        assert_eq!(c.nonzero_cells, 4);
        // top 1% = 2 cells: 50 + 10 = 60 of 80
        assert_eq!(c.top[0].cells, 2.0);
        assert_eq!(c.top[0].share, 0.75);
        // top 5% = 10 cells hold everything
        assert_eq!(c.top[1].share, 1.0);
        assert_eq!(c.curve.len(), 101);
        assert_eq!(c.curve[0], [0.0, 0.0]);
        assert_eq!(c.curve[100], [1.0, 1.0]);
        assert!(c.curve.windows(2).all(|w| w[1][1] >= w[0][1]));
        // generalised: n = 200 > N = 80: G' = 2.5·(G − 1) + 1
        assert!((c.gini_generalised - (2.5 * (c.gini - 1.0) + 1.0)).abs() < 1e-15);
        let h = c.clone().with_incidents(400.0);
        assert_eq!(h.gini_generalised, c.gini);
    }

    #[test]
    fn fractional_cells_interpolate() {
        // 250 cells, values 250 down to 1: top 1% = 2.5 cells = 250 + 249 + 0.5·248
        let x: Vec<f64> = (1..=250).map(|v| v as f64).collect();
        let c = summarise(&x).unwrap();
        let total = 250.0 * 251.0 / 2.0;
        assert_eq!(c.top[0].cells, 2.5);
        assert!((c.top[0].share - (250.0 + 249.0 + 124.0) / total).abs() < 1e-15);
    }
}
