//! How every CSV harmspot writes spells a number (issue 12).
//!
//! Rust's `Display` for `f64` is the shortest text that reads back to the same value, but it
//! never uses an exponent: a p-value of 1.38 × 10⁻³⁹ becomes a 41-character decimal
//! "0.000…000138" that spreadsheets truncate or misread. [`csv_float`] keeps the shortest
//! round-trip digits and switches to an exponent (`1.38e-39`, which Excel, LibreOffice,
//! pandas and R all read) outside `1e-4 ≤ |v| < 1e15`. No number it writes is longer than
//! 24 characters (sign, 17 significant digits, point, `e-308`).

/// Magnitudes from this one up to [`PLAIN_MAX`] are written without an exponent.
pub const PLAIN_MIN: f64 = 1e-4;
/// Magnitudes from this one up are written with an exponent.
pub const PLAIN_MAX: f64 = 1e15;

/// `v` as CSV text: the shortest digits that read back to `v`, with an exponent only for
/// tiny or huge magnitudes; empty for NaN; `inf`/`-inf` for infinities.
///
/// ```
/// use harmspot::write::number::csv_float;
/// assert_eq!(csv_float(1.38e-39), "1.38e-39");
/// assert_eq!(csv_float(0.0137), "0.0137");
/// assert_eq!(csv_float(-2.5), "-2.5");
/// assert_eq!(csv_float(42.0), "42");
/// assert_eq!(csv_float(0.0), "0");
/// assert_eq!(csv_float(3.2e20), "3.2e20");
/// assert_eq!(csv_float(f64::NAN), "");
/// ```
pub fn csv_float(v: f64) -> String {
    if v.is_nan() {
        return String::new();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if (PLAIN_MIN..PLAIN_MAX).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Appends [`csv_float`] of `v` to `out`.
pub fn push_csv_float(out: &mut String, v: f64) {
    out.push_str(&csv_float(v));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_stays_short() {
        let mut x = 1.0f64;
        let mut values = vec![
            f64::MIN_POSITIVE,
            f64::MAX,
            -f64::MAX,
            5e-324,
            0.1 + 0.2,
            1.0 / 3.0,
            PLAIN_MIN,
            PLAIN_MIN * (1.0 - f64::EPSILON),
            PLAIN_MAX,
            PLAIN_MAX * (1.0 - f64::EPSILON),
            -0.0,
        ];
        for _ in 0..2000 {
            x *= -1.371_234_567_891_234_5;
            values.push(x);
            values.push(1.0 / x);
        }
        for v in values {
            let s = csv_float(v);
            assert!(s.len() <= 24, "{v}: `{s}` has {} characters", s.len());
            assert_eq!(s.parse::<f64>().unwrap(), v, "{s}");
        }
    }
}
