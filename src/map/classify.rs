//! Class breaks of the density scale and the scale itself ([`ColourScale`]).
//!
//! - [`Breaks::Jenks`] (default): Jenks natural breaks (Jenks 1967), computed exactly by
//!   Fisher's (1958) dynamic programme, which minimises the total within-class sum of squared
//!   deviations. Above [`JENKS_SAMPLE`] values it runs on that many evenly spaced order
//!   statistics of the sorted values ("Jenks-like": the breaks of a 1,024-point summary of the
//!   distribution), so its cost stays O(k · 1024²).
//! - [`Breaks::Quantile`]: class upper bounds at the i/k quantiles (type 7, linear
//!   interpolation between order statistics, as R's default; Hyndman & Fan 1996), so classes
//!   hold about equal numbers of cells.
//!
//! Class i holds the values in (break\[i−1\], break\[i\]] (the first class also holds the
//! minimum). Equal breaks are merged, so a layer with few distinct values gets fewer classes.

use super::Rgb;

/// The most values Jenks breaks are computed on; above it, a summary of that many evenly
/// spaced order statistics is used.
pub const JENKS_SAMPLE: usize = 1024;

/// How class breaks are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Breaks {
    /// Jenks natural breaks ([`jenks_breaks`]).
    #[default]
    Jenks,
    /// Equal-count classes ([`quantile_breaks`]).
    Quantile,
}

impl Breaks {
    /// Name for legends and notes.
    pub fn name(self) -> &'static str {
        match self {
            Breaks::Jenks => "Jenks natural breaks",
            Breaks::Quantile => "quantiles",
        }
    }
}

/// The density colour scale.
#[derive(Clone, Debug, PartialEq)]
pub struct ColourScale {
    /// The property coloured: `density`, `harm` or `n`.
    pub property: String,
    /// How the breaks were chosen.
    pub method: Breaks,
    /// The smallest value.
    pub min: f64,
    /// Class upper bounds, ascending; the last is the largest value.
    pub breaks: Vec<f64>,
    /// One colour per class.
    pub colours: Vec<Rgb>,
    /// Non-null values the breaks were computed on.
    pub values: usize,
}

impl ColourScale {
    /// The class of `v`: the first class whose upper bound is at least `v`.
    ///
    /// ```
    /// use harmspot::map::{Breaks, ColourScale};
    /// let s = ColourScale { property: "n".into(), method: Breaks::Jenks, min: 1.0,
    ///     breaks: vec![3.0, 12.0, 30.0], colours: vec![[0; 3]; 3], values: 7 };
    /// assert_eq!((s.class_of(1.0), s.class_of(3.0), s.class_of(3.5), s.class_of(99.0)), (0, 0, 1, 2));
    /// ```
    pub fn class_of(&self, v: f64) -> usize {
        self.breaks
            .partition_point(|&b| b < v)
            .min(self.breaks.len().saturating_sub(1))
    }

    /// Decimals of the legend labels: none when the minimum and every break are whole
    /// numbers, else three significant digits of the largest break, more (up to 8) while two
    /// breaks would print the same.
    pub fn decimals(&self) -> usize {
        if std::iter::once(self.min)
            .chain(self.breaks.iter().copied())
            .all(|x| x.fract() == 0.0)
        {
            return 0;
        }
        let top = self
            .breaks
            .iter()
            .fold(self.min.abs(), |m, b| m.max(b.abs()));
        let mut d = if top > 0.0 {
            (2 - top.log10().floor() as i32).clamp(0, 8) as usize
        } else {
            0
        };
        let distinct = |d: usize| {
            let mut v: Vec<String> = std::iter::once(self.min)
                .chain(self.breaks.iter().copied())
                .map(|x| format!("{x:.d$}"))
                .collect();
            let n = v.len();
            v.dedup();
            v.len() == n || (self.min == self.breaks[0] && v.len() == n - 1)
        };
        while d < 8 && !distinct(d) {
            d += 1;
        }
        d
    }

    /// The label of class `i`: `lo – hi`, with [`ColourScale::decimals`] decimals.
    ///
    /// ```
    /// use harmspot::map::{Breaks, ColourScale};
    /// let s = ColourScale { property: "density".into(), method: Breaks::Jenks, min: 0.0000047,
    ///     breaks: vec![1157.2, 23573.0], colours: vec![[0; 3]; 2], values: 9 };
    /// assert_eq!((s.label(0).as_str(), s.label(1).as_str()), ("0 – 1157", "1157 – 23573"));
    /// ```
    pub fn label(&self, i: usize) -> String {
        let d = self.decimals();
        let lo = if i == 0 { self.min } else { self.breaks[i - 1] };
        let hi = self.breaks[i];
        let f = |x: f64| {
            let t = format!("{x:.d$}");
            if t.starts_with('-') && t[1..].chars().all(|c| c == '0' || c == '.') {
                t[1..].to_string()
            } else {
                t
            }
        };
        if i == 0 && lo == hi {
            f(hi)
        } else {
            format!("{} – {}", f(lo), f(hi))
        }
    }
}

fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

fn dedup_breaks(mut b: Vec<f64>) -> Vec<f64> {
    b.dedup();
    b
}

/// Quantile class breaks: the upper bounds of `classes` classes holding about equal numbers
/// of values, at probabilities i/k, i = 1..k (type 7: linear interpolation between order
/// statistics). Non-finite values are ignored; equal breaks are merged.
///
/// Returns ascending upper bounds, the last being the largest value; empty without values.
///
/// ```
/// let v: Vec<f64> = (1..=10).map(f64::from).collect();
/// // median of 1..10 is 5.5
/// assert_eq!(harmspot::map::quantile_breaks(&v, 2), vec![5.5, 10.0]);
/// assert_eq!(harmspot::map::quantile_breaks(&[0.0, 0.0, 0.0, 7.0], 4), vec![0.0, 1.75, 7.0]);
/// ```
pub fn quantile_breaks(values: &[f64], classes: usize) -> Vec<f64> {
    let v = sorted_finite(values);
    if v.is_empty() || classes == 0 {
        return Vec::new();
    }
    let n = v.len();
    let q = |p: f64| {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(n - 1);
        v[lo] + (h - lo as f64) * (v[hi] - v[lo])
    };
    let mut b: Vec<f64> = (1..classes).map(|i| q(i as f64 / classes as f64)).collect();
    b.push(v[n - 1]);
    dedup_breaks(b)
}

/// Jenks natural breaks (Jenks 1967) by Fisher's (1958) exact dynamic programme: the
/// partition of the sorted values into `classes` contiguous classes with the least total
/// within-class sum of squared deviations. Above [`JENKS_SAMPLE`] values it runs on that
/// many evenly spaced order statistics (the first and last included). Non-finite values are
/// ignored; with fewer distinct values than classes, fewer classes are made.
///
/// Returns ascending class upper bounds, the last being the largest value; empty without values.
///
/// Algorithm: with prefix sums of x and x², the squared deviation of any run x\[i..=j\]
/// is O(1); `D[c][j] = min_i D[c−1][i−1] + SSD(i, j)`; O(k · m²) for m values.
///
/// ```
/// let v = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 30.0];
/// assert_eq!(harmspot::map::jenks_breaks(&v, 3), vec![3.0, 12.0, 30.0]);
/// assert_eq!(harmspot::map::jenks_breaks(&[4.0, 4.0], 5), vec![4.0]);
/// ```
pub fn jenks_breaks(values: &[f64], classes: usize) -> Vec<f64> {
    let v = sorted_finite(values);
    if v.is_empty() || classes == 0 {
        return Vec::new();
    }
    let x: Vec<f64> = if v.len() > JENKS_SAMPLE {
        (0..JENKS_SAMPLE)
            .map(|i| v[i * (v.len() - 1) / (JENKS_SAMPLE - 1)])
            .collect()
    } else {
        v
    };
    let m = x.len();
    let distinct = 1 + x.windows(2).filter(|w| w[0] != w[1]).count();
    let k = classes.min(distinct);
    if k == 1 {
        return vec![x[m - 1]];
    }
    // Centre the values so the prefix-sum variances keep their precision.
    let mean = x.iter().sum::<f64>() / m as f64;
    let mut s1 = vec![0.0; m + 1];
    let mut s2 = vec![0.0; m + 1];
    for (i, &xi) in x.iter().enumerate() {
        let d = xi - mean;
        s1[i + 1] = s1[i] + d;
        s2[i + 1] = s2[i] + d * d;
    }
    let ssd = |i: usize, j: usize| {
        let n = (j + 1 - i) as f64;
        let s = s1[j + 1] - s1[i];
        (s2[j + 1] - s2[i] - s * s / n).max(0.0)
    };
    // d[c][j]: least cost of x[0..=j] in c+1 classes; start[c][j]: first index of the last class.
    let mut d = vec![vec![f64::INFINITY; m]; k];
    let mut start = vec![vec![0usize; m]; k];
    for (j, d0) in d[0].iter_mut().enumerate() {
        *d0 = ssd(0, j);
    }
    for c in 1..k {
        for j in c..m {
            let (mut best, mut arg) = (f64::INFINITY, c);
            for i in c..=j {
                let cost = d[c - 1][i - 1] + ssd(i, j);
                if cost < best {
                    best = cost;
                    arg = i;
                }
            }
            d[c][j] = best;
            start[c][j] = arg;
        }
    }
    let mut b = vec![0.0; k];
    let mut j = m - 1;
    for c in (0..k).rev() {
        b[c] = x[j];
        if c > 0 {
            j = start[c][j] - 1;
        }
    }
    dedup_breaks(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaks_edge_cases() {
        assert!(jenks_breaks(&[], 5).is_empty());
        assert!(quantile_breaks(&[], 5).is_empty());
        assert_eq!(jenks_breaks(&[3.0], 5), vec![3.0]);
        assert_eq!(quantile_breaks(&[3.0], 5), vec![3.0]);
        assert_eq!(jenks_breaks(&[f64::NAN, 2.0, 2.0], 3), vec![2.0]);
        // Two obvious groups and k = 2.
        assert_eq!(jenks_breaks(&[0.0, 0.1, 0.2, 5.0, 5.1], 2), vec![0.2, 5.1]);
        // 0,1 | 10,11 | 100: SSD 0.5 + 0.5 + 0 beats any other 3-class split.
        assert_eq!(
            jenks_breaks(&[100.0, 0.0, 11.0, 1.0, 10.0], 3),
            vec![1.0, 11.0, 100.0]
        );
        // Quantiles of 0..=8 at 1/4, 2/4, 3/4 are 2, 4, 6 (type 7).
        let v: Vec<f64> = (0..=8).map(f64::from).collect();
        assert_eq!(quantile_breaks(&v, 4), vec![2.0, 4.0, 6.0, 8.0]);
    }

    #[test]
    fn jenks_sampled_on_many_values_keeps_extremes() {
        // 5000 values in two clusters: the summary still finds the gap and ends at the max.
        let v: Vec<f64> = (0..5000)
            .map(|i| {
                if i % 10 == 0 {
                    1000.0 + i as f64 * 1e-3
                } else {
                    (i % 7) as f64
                }
            })
            .collect();
        let b = jenks_breaks(&v, 2);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0], 6.0);
        assert_eq!(b[1], 1000.0 + 4990.0 * 1e-3);
    }

    #[test]
    fn legend_decimals_keep_breaks_apart() {
        let s = |min: f64, breaks: Vec<f64>| ColourScale {
            property: "harm".into(),
            method: Breaks::Quantile,
            min,
            colours: vec![[0; 3]; breaks.len()],
            breaks,
            values: 10,
        };
        assert_eq!(s(0.5, vec![1.25, 3.5]).decimals(), 2);
        assert_eq!(s(0.0, vec![100.2, 100.4]).decimals(), 1); // 100 and 100 would merge
        assert_eq!(s(3.0, vec![3.0, 7.0]).label(0), "3");
        assert_eq!(s(-0.0001, vec![10.0, 20.0]).label(0), "0.0 – 10.0");
    }
}
