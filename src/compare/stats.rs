//! Before/after statistics for one treatment area, its buffer and a control area
//! (METHODS §6).
//!
//! Notation: A = treatment area, B = buffer (displacement) ring, C = control area; `_b` the
//! before period, `_a` the after period.
//!
//! | statistic | formula | reads |
//! |---|---|---|
//! | percent change | `100 (X_a − X_b) / X_b` | negative = fall |
//! | gross effect | `GE = A_b − A_a` | positive = fall |
//! | WDQ (Bowers & Johnson 2003) | `SM = A_a/C_a − A_b/C_b`, `BDM = B_a/C_a − B_b/C_b`, `WDQ = BDM/SM` | meaningful only when `SM < 0` |
//! | Total Net Effect | `[A_b C_a/C_b − A_a] + [B_b C_a/C_b − B_a]` | positive = incidents prevented, net of displacement |
//! | WDD (Wheeler & Ratcliffe 2018) | `(A_a − A_b) − (Ct_a − Ct_b) + (B_a − B_b) − (Cd_a − Cd_b)` | negative = fall; `z = WDD/√Var` (variance below) |
//! | difference-in-differences | `(A_a − A_b) − (C_a − C_b)` | the WDD local term; `Var = A_b + A_a + C_b + C_a` |
//! | RES (Welsh & Farrington) | `(A_b C_a)/(A_a C_b)`, `V(ln RES) = Σ 1/n`, 95% CI `exp(ln RES ± 1.96 √V)` | > 1 = relative fall; 0.5 added to every count when one is zero |
//!
//! Harm: every formula is applied to harm totals `Σ w`; a Poisson count of weight-`w`
//! incidents has variance `Σ w²`, so the WDD variance is `Σ_cells Σ_i w_i²`, which equals
//! METHODS' `Σ_k w_k² Var_k` over crime types k when weights are per type. The harm RES uses
//! the delta method, `V(ln H) = Σ w² / (Σ w)²` (= `1/n` when every weight is 1), and is not
//! defined when a harm total is zero (the 0.5 correction is a count correction).
//!
//! WDD controls and variance (METHODS §6): with a control Ct for the treatment area and a
//! separate control Cd for the buffer (`Table::cd`), `Var = A_a + A_b + B_a + B_b + Ct_a +
//! Ct_b + Cd_a + Cd_b`. When one control C serves both, `WDD = ΔA + ΔB − 2ΔC`, so C's
//! variance enters four times: `Var = A_a + A_b + B_a + B_b + 4(C_a + C_b)`. The test assumes
//! controls comparable to their areas: when a control's before value exceeds 10× its area's,
//! [`Wdd::warning`] says that the WDD is dominated by the control's own change and points to
//! the RES. WDQ and TNE use the treatment control C (Bowers & Johnson's single control).
//!
//! Unequal periods: when the before and after periods differ in length, every value is
//! divided by its period's months (variance by months²) before the statistics, which are
//! then per month. RES and WDQ are ratios and do not change; percent change, GE, TNE, WDD and
//! DiD are per month. p-values are two-sided normal ([`crate::stats::pvalue::two_sided`]).

use crate::stats::pvalue::two_sided;
use serde::Serialize;

/// The 97.5% point of the standard normal distribution, for 95% intervals.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// A count or harm total with its Poisson variance (`n` for a count, `Σ w²` for harm).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct Cell {
    /// The count, or the harm total `Σ w`.
    pub value: f64,
    /// Its variance under a Poisson model: the count itself, or `Σ w²`.
    pub var: f64,
}

impl Cell {
    /// A count `n` (variance `n`).
    pub fn count(n: f64) -> Cell {
        Cell { value: n, var: n }
    }

    /// A harm total `Σ w` with `Σ w²`.
    pub fn harm(sum: f64, sum_sq: f64) -> Cell {
        Cell {
            value: sum,
            var: sum_sq,
        }
    }

    fn scaled(self, months: f64) -> Cell {
        Cell {
            value: self.value / months,
            var: self.var / (months * months),
        }
    }

    fn add(self, o: Cell) -> Cell {
        Cell {
            value: self.value + o.value,
            var: self.var + o.var,
        }
    }
}

/// The six cells of a before/after design: treatment, buffer and control × before, after.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Treatment area `[before, after]`.
    pub a: [Cell; 2],
    /// Buffer `[before, after]`; `None` when no buffer was drawn.
    pub b: Option<[Cell; 2]>,
    /// Control area `[before, after]` (Ct: the treatment area's control; the buffer's too
    /// when `cd` is `None`).
    pub c: [Cell; 2],
    /// The buffer's own control `[before, after]` (Cd), when given.
    pub cd: Option<[Cell; 2]>,
    /// Months in the before and after periods.
    pub months: [u32; 2],
    /// Whether the cells are counts (`true`) or harm totals (`false`): the RES zero
    /// correction is defined for counts only.
    pub counts: bool,
}

impl Table {
    /// A table of counts `A_b, A_a, B_b, B_a, C_b, C_a` over periods of equal length.
    ///
    /// ```
    /// use harmspot::compare::stats::{effects, Table};
    /// let t = Table::counts([20.0, 10.0], [15.0, 12.0], [100.0, 90.0]);
    /// assert_eq!(effects(&t).gross_effect, 10.0);
    /// ```
    pub fn counts(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> Table {
        Table {
            a: a.map(Cell::count),
            b: Some(b.map(Cell::count)),
            c: c.map(Cell::count),
            cd: None,
            months: [1, 1],
            counts: true,
        }
    }

    /// The same table with a separate control for the buffer, counts `[before, after]`.
    ///
    /// ```
    /// use harmspot::compare::stats::{effects, Table};
    /// // A 20 → 10, B 15 → 12, Ct 30 → 25, Cd 40 → 44:
    /// // local = −10 + 5 = −5, disp = −3 − 4 = −7, WDD = −12,
    /// // Var = 20 + 10 + 15 + 12 + 30 + 25 + 40 + 44 = 196, z = −12/14
    /// let e = effects(&Table::counts([20.0, 10.0], [15.0, 12.0], [30.0, 25.0]).buffer_control([40.0, 44.0]));
    /// assert_eq!((e.wdd.wdd, e.wdd.variance), (-12.0, 196.0));
    /// assert!((e.wdd.z.unwrap() + 12.0 / 14.0).abs() < 1e-12);
    /// ```
    pub fn buffer_control(mut self, cd: [f64; 2]) -> Table {
        self.cd = Some(cd.map(Cell::count));
        self
    }

    /// The same table without a buffer (no displacement measures).
    pub fn without_buffer(mut self) -> Table {
        self.b = None;
        self
    }

    /// The same table with the months of the before and after periods (default 1 and 1).
    pub fn months(mut self, before: u32, after: u32) -> Table {
        self.months = [before, after];
        self
    }

    /// Whether the periods differ in length, so values are normalised per month.
    pub fn normalised(&self) -> bool {
        self.months[0] != self.months[1]
    }

    /// Cell-wise sum of two tables (a stacked design); months and kind are taken from `self`.
    pub fn stack(&self, o: &Table) -> Table {
        let add2 = |x: [Cell; 2], y: [Cell; 2]| [x[0].add(y[0]), x[1].add(y[1])];
        Table {
            a: add2(self.a, o.a),
            b: match (self.b, o.b) {
                (Some(x), Some(y)) => Some(add2(x, y)),
                _ => None,
            },
            c: add2(self.c, o.c),
            cd: match (self.cd, o.cd) {
                (Some(x), Some(y)) => Some(add2(x, y)),
                _ => None,
            },
            months: self.months,
            counts: self.counts,
        }
    }
}

/// Before and after values of one place, and the percent change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// Before value (per month when normalised).
    pub before: f64,
    /// After value (per month when normalised).
    pub after: f64,
    /// `100 (after − before) / before`; `None` when before is 0.
    pub pct_change: Option<f64>,
}

/// A difference with its Poisson variance, z-score and two-sided p-value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Test {
    /// The estimate (negative = a fall in the treatment area relative to the control).
    pub estimate: f64,
    /// Its variance (sum of the counts involved, or of `Σ w²` for harm).
    pub variance: f64,
    /// `estimate / √variance`; `None` when the variance is 0 (no incidents at all).
    pub z: Option<f64>,
    /// Two-sided normal p-value of `z`.
    pub p: Option<f64>,
}

/// Weighted Displacement Difference (Wheeler & Ratcliffe 2018).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Wdd {
    /// Local term `(A_a − A_b) − (Ct_a − Ct_b)`.
    pub local: f64,
    /// Displacement term `(B_a − B_b) − (Cd_a − Cd_b)` (Cd = Ct without a buffer control);
    /// `None` without a buffer.
    pub displacement: Option<f64>,
    /// `local + displacement` (just `local` without a buffer).
    pub wdd: f64,
    /// Poisson variance: `A_a + A_b + B_a + B_b + Ct_a + Ct_b + Cd_a + Cd_b` with a buffer
    /// control, `A_a + A_b + B_a + B_b + 4(C_a + C_b)` when one control serves both,
    /// `A_a + A_b + C_a + C_b` without a buffer.
    pub variance: f64,
    /// `one control` (serving the treatment area and the buffer), `separate controls`, or
    /// `no buffer`.
    pub controls: &'static str,
    /// `wdd / √variance`; negative = a fall. `None` when the variance is 0.
    pub z: Option<f64>,
    /// Two-sided normal p-value.
    pub p: Option<f64>,
    /// Set when a control's before value is over 10× its area's: the WDD is then dominated
    /// by the control's own change (read the RES instead).
    pub warning: Option<String>,
}

/// A control's before value above this multiple of its area's dominates the WDD (METHODS §6).
pub const CONTROL_DOMINANCE: f64 = 10.0;

/// The WDD warning for a control whose before value exceeds [`CONTROL_DOMINANCE`] times its
/// area's, naming the pairs (`what` = "control/treatment area", ...).
fn dominance_warning(pairs: &[(&str, f64, f64)]) -> Option<String> {
    let over: Vec<String> = pairs
        .iter()
        .filter(|(_, area, control)| *control > CONTROL_DOMINANCE * area)
        .map(|(what, area, control)| {
            if *area > 0.0 {
                format!("{what} {:.0}× before", control / area)
            } else {
                format!("{what}: its area had none before")
            }
        })
        .collect();
    (!over.is_empty()).then(|| {
        format!(
            "the control's before value is over {CONTROL_DOMINANCE}× its area's ({}): the WDD is dominated by the control's own change; read the RES",
            over.join("; ")
        )
    })
}

/// Weighted Displacement Quotient (Bowers & Johnson 2003).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Wdq {
    /// Success measure `A_a/C_a − A_b/C_b` (negative = the treatment area improved relative
    /// to the control); `None` when a control count is 0.
    pub sm: Option<f64>,
    /// Buffer displacement measure `B_a/C_a − B_b/C_b`.
    pub bdm: Option<f64>,
    /// `BDM / SM`, only when it is meaningful.
    pub wdq: Option<f64>,
    /// Whether the WDQ can be read (a buffer, a control with incidents in both periods, and
    /// `SM < 0`).
    pub meaningful: bool,
    /// What the value means, or why there is none, in plain words.
    pub interpretation: String,
}

/// Relative Effect Size (Welsh & Farrington) with its 95% confidence interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Res {
    /// `(A_b C_a) / (A_a C_b)`: above 1 the treatment area fell relative to the control.
    pub res: Option<f64>,
    /// `V(ln RES)`.
    pub var_log: Option<f64>,
    /// Lower end of the 95% CI.
    pub ci_low: Option<f64>,
    /// Upper end of the 95% CI.
    pub ci_high: Option<f64>,
    /// `ln RES / √V` (positive = a relative fall).
    pub z: Option<f64>,
    /// Two-sided normal p-value of `z`.
    pub p: Option<f64>,
    /// Whether 0.5 was added to every count because one was zero.
    pub zero_corrected: bool,
    /// Why there is no value, or that the zero correction was used.
    pub note: Option<String>,
}

/// Every statistic of METHODS §6 for one table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effects {
    /// Whether values were normalised per month (periods of unequal length).
    pub normalised: bool,
    /// Unit of the values and differences: `total` or `per month`.
    pub unit: &'static str,
    /// Treatment area.
    pub treatment: Change,
    /// Buffer, when drawn.
    pub buffer: Option<Change>,
    /// Control area.
    pub control: Change,
    /// Gross effect `A_b − A_a` (positive = fall).
    pub gross_effect: f64,
    /// Weighted Displacement Quotient.
    pub wdq: Wdq,
    /// Total Net Effect (positive = incidents prevented); `None` when `C_b` is 0.
    pub tne: Option<f64>,
    /// Weighted Displacement Difference.
    pub wdd: Wdd,
    /// Difference-in-differences on counts (the WDD local term).
    pub did: Test,
    /// Relative Effect Size.
    pub res: Res,
}

/// `100 (after − before) / before`, `None` when `before` is 0.
///
/// ```
/// use harmspot::compare::stats::percent_change;
/// assert_eq!(percent_change(40.0, 30.0), Some(-25.0));
/// assert_eq!(percent_change(0.0, 3.0), None);
/// ```
pub fn percent_change(before: f64, after: f64) -> Option<f64> {
    (before != 0.0).then(|| 100.0 * (after - before) / before)
}

fn test(estimate: f64, variance: f64) -> (Option<f64>, Option<f64>) {
    if variance > 0.0 {
        let z = estimate / variance.sqrt();
        (Some(z), Some(two_sided(z)))
    } else {
        (None, None)
    }
}

/// The WDQ, its parts and its reading (Bowers & Johnson 2003, Table 1; the bands of
/// Ratcliffe's WDQ guide). `a`, `b`, `c` are `[before, after]`.
///
/// ```
/// use harmspot::compare::stats::wdq;
/// // SM = 10/90 − 20/100 = −0.0889, BDM = 12/90 − 15/100 = −0.0167, WDQ = 0.1875
/// let w = wdq([20.0, 10.0], Some([15.0, 12.0]), [100.0, 90.0]);
/// assert!((w.wdq.unwrap() - 0.1875).abs() < 1e-12);
/// assert!(w.interpretation.starts_with("diffusion of benefits"));
/// ```
pub fn wdq(a: [f64; 2], b: Option<[f64; 2]>, c: [f64; 2]) -> Wdq {
    let none = |sm, bdm, why: &str| Wdq {
        sm,
        bdm,
        wdq: None,
        meaningful: false,
        interpretation: why.to_string(),
    };
    if c[0] == 0.0 || c[1] == 0.0 {
        return none(
            None,
            None,
            "not meaningful: the control area has no incidents in one period, so the ratios to it are undefined",
        );
    }
    let sm = a[1] / c[1] - a[0] / c[0];
    let Some(b) = b else {
        return none(Some(sm), None, "not computed: no buffer was drawn");
    };
    let bdm = b[1] / c[1] - b[0] / c[0];
    if sm >= 0.0 {
        return Wdq {
            sm: Some(sm),
            bdm: Some(bdm),
            wdq: None,
            meaningful: false,
            interpretation: format!(
                "not meaningful: the treatment area did not improve relative to the control (SM = {sm:.4} ≥ 0), so there is no success to weigh displacement against"
            ),
        };
    }
    let q = bdm / sm;
    let reading = if q > 1.0 {
        "diffusion of benefits greater than the direct effect: the buffer improved even more than the treatment area"
    } else if q > 0.0 {
        "diffusion of benefits: the buffer also improved relative to the control"
    } else if q == 0.0 {
        "no displacement and no diffusion of benefits"
    } else if q >= -1.0 {
        "some displacement into the buffer, smaller than the direct effect: a net benefit"
    } else {
        "displacement into the buffer larger than the direct effect: the scheme was counter-productive"
    };
    Wdq {
        sm: Some(sm),
        bdm: Some(bdm),
        wdq: Some(q),
        meaningful: true,
        interpretation: reading.to_string(),
    }
}

/// Relative Effect Size with its 95% CI (Welsh & Farrington 2009). For counts, 0.5 is added
/// to all four counts when any is zero; for harm totals (`counts = false`) the variance is
/// the delta method's `Σ var/value²` and a zero total gives no value.
///
/// ```
/// use harmspot::compare::stats::{res, Cell};
/// // RES = (20·90)/(10·100) = 1.8; V = 1/20 + 1/10 + 1/100 + 1/90 = 0.171111
/// let r = res([20.0, 10.0].map(Cell::count), [100.0, 90.0].map(Cell::count), true);
/// assert!((r.res.unwrap() - 1.8).abs() < 1e-12);
/// assert!((r.var_log.unwrap() - 0.171_111_111).abs() < 1e-8);
/// ```
pub fn res(a: [Cell; 2], c: [Cell; 2], counts: bool) -> Res {
    let cells = [a[0], a[1], c[0], c[1]];
    let any_zero = cells.iter().any(|x| x.value == 0.0);
    let undefined = |note: String| Res {
        res: None,
        var_log: None,
        ci_low: None,
        ci_high: None,
        z: None,
        p: None,
        zero_corrected: false,
        note: Some(note),
    };
    let (v, var_log, corrected) = if any_zero {
        if !counts {
            return undefined(
                "not defined: a harm total is zero (the 0.5 zero correction applies to counts; see the crime and ASB rows)".into(),
            );
        }
        let v = cells.map(|x| x.value + 0.5);
        (v, v.iter().map(|n| 1.0 / n).sum::<f64>(), true)
    } else {
        let v = cells.map(|x| x.value);
        (
            v,
            cells
                .iter()
                .map(|x| x.var / (x.value * x.value))
                .sum::<f64>(),
            false,
        )
    };
    let r = (v[0] * v[3]) / (v[1] * v[2]);
    let se = var_log.sqrt();
    let z = r.ln() / se;
    Res {
        res: Some(r),
        var_log: Some(var_log),
        ci_low: Some((r.ln() - Z_975 * se).exp()),
        ci_high: Some((r.ln() + Z_975 * se).exp()),
        z: Some(z),
        p: Some(two_sided(z)),
        zero_corrected: corrected,
        note: corrected.then(|| "0.5 added to every count because one of them is zero (Welsh & Farrington's correction)".to_string()),
    }
}

/// Every statistic of METHODS §6 for one before/after table.
///
/// Citation: METHODS §6 (Bowers & Johnson 2003; Wheeler & Ratcliffe 2018; Welsh &
/// Farrington 2009).
///
/// Parameters: `t`, the treatment/buffer/control cells, the months of each period and
/// whether the cells are counts or harm totals.
///
/// Returns: percent changes, gross effect, WDQ with its reading, Total Net Effect, WDD with
/// Poisson variance and z, difference-in-differences and RES with its 95% CI.
///
/// Algorithm: when the periods differ in length every cell is first divided by its period's
/// months (variance by months²); then the formulas of the module table, applied as written.
///
/// Notes: RES comes from the unnormalised cells (it is a ratio, so normalising does not
/// change it, and the zero correction adds 0.5 to counts). p-values are two-sided.
///
/// # Examples
/// ```
/// use harmspot::compare::stats::{effects, Table};
/// // A: 20 → 10, B: 15 → 12, C: 100 → 90.
/// // WDD = (10 − 20) − (90 − 100) + (12 − 15) − (90 − 100) = 0 + 7 = 7,
/// // one control for both: Var = 20 + 10 + 15 + 12 + 4 × (100 + 90) = 817, z = 7/√817 = 0.24490
/// let e = effects(&Table::counts([20.0, 10.0], [15.0, 12.0], [100.0, 90.0]));
/// assert_eq!((e.wdd.wdd, e.wdd.variance), (7.0, 817.0));
/// assert!((e.wdd.z.unwrap() - 0.244_899).abs() < 1e-6);
/// ```
pub fn effects(t: &Table) -> Effects {
    let normalised = t.normalised();
    let norm = |x: [Cell; 2]| -> [Cell; 2] {
        if normalised {
            [
                x[0].scaled(t.months[0] as f64),
                x[1].scaled(t.months[1] as f64),
            ]
        } else {
            x
        }
    };
    let (a, c) = (norm(t.a), norm(t.c));
    let b = t.b.map(norm);
    let v = |x: [Cell; 2]| [x[0].value, x[1].value];
    let change = |x: [Cell; 2]| Change {
        before: x[0].value,
        after: x[1].value,
        pct_change: percent_change(x[0].value, x[1].value),
    };
    let (av, cv) = (v(a), v(c));
    let bv = b.map(v);

    let control_change = cv[1] - cv[0];
    let local = (av[1] - av[0]) - control_change;
    let local_var = a[0].var + a[1].var + c[0].var + c[1].var;
    let (did_z, did_p) = test(local, local_var);
    let cd = t.cd.map(norm);
    let (displacement, wdd_var, controls) = match (b, cd) {
        (Some(b), Some(d)) => (
            Some((b[1].value - b[0].value) - (d[1].value - d[0].value)),
            local_var + b[0].var + b[1].var + d[0].var + d[1].var,
            "separate controls",
        ),
        // one control in both terms: WDD = ΔA + ΔB − 2ΔC, Var(2ΔC) = 4 Var(ΔC)
        (Some(b), None) => (
            Some((b[1].value - b[0].value) - control_change),
            a[0].var + a[1].var + b[0].var + b[1].var + 4.0 * (c[0].var + c[1].var),
            "one control",
        ),
        (None, _) => (None, local_var, "no buffer"),
    };
    let mut pairs = vec![("control/treatment area", av[0], cv[0])];
    match (b, cd) {
        (Some(b), Some(d)) => pairs.push(("buffer control/buffer", b[0].value, d[0].value)),
        (Some(b), None) => pairs.push(("control/buffer", b[0].value, cv[0])),
        (None, _) => {}
    }
    let warning = dominance_warning(&pairs);
    let wdd = local + displacement.unwrap_or(0.0);
    let (wdd_z, wdd_p) = test(wdd, wdd_var);

    let tne = (cv[0] != 0.0).then(|| {
        let expected = |x: [f64; 2]| x[0] * cv[1] / cv[0] - x[1];
        expected(av) + bv.map_or(0.0, expected)
    });

    Effects {
        normalised,
        unit: if normalised { "per month" } else { "total" },
        treatment: change(a),
        buffer: b.map(change),
        control: change(c),
        gross_effect: av[0] - av[1],
        wdq: wdq(av, bv, cv),
        tne,
        wdd: Wdd {
            local,
            displacement,
            wdd,
            variance: wdd_var,
            controls,
            z: wdd_z,
            p: wdd_p,
            warning,
        },
        did: Test {
            estimate: local,
            variance: local_var,
            z: did_z,
            p: did_p,
        },
        res: res(t.a, t.c, t.counts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_adds_cells() {
        let t = Table::counts([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]);
        let s = t.stack(&t);
        assert_eq!(s.a[1], Cell::count(4.0));
        assert_eq!(s.b.unwrap()[0], Cell::count(6.0));
        assert!(t.clone().without_buffer().stack(&t).b.is_none());
    }
}
