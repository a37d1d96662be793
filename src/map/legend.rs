//! The legend's parts ([`LegendSection`], [`LegendEntry`], [`Swatch`]) and the number format
//! of legends, popups and the footer ([`fmt_value`]). [`super::cells`] and
//! [`super::overlay`] fill the sections; both painters draw them.

use super::Rgb;

/// What a legend swatch shows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Swatch {
    /// A filled square.
    Fill(Rgb),
    /// The suppressed hatching.
    Hatch,
    /// An outline.
    Outline {
        /// Line colour.
        colour: Rgb,
        /// Dashed line.
        dashed: bool,
    },
    /// A point.
    Point(Rgb),
    /// A line.
    Line(Rgb),
}

/// One legend line.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendEntry {
    /// Text.
    pub label: String,
    /// Symbol.
    pub swatch: Swatch,
}

/// A legend block, belonging to one drawn group (a layer, or the Gi* view of the cells,
/// whose group id is the layer id followed by `-gistar`).
#[derive(Clone, Debug, PartialEq)]
pub struct LegendSection {
    /// The group it describes.
    pub group: String,
    /// Heading.
    pub title: String,
    /// A note under the heading (how classes were made), if any.
    pub note: Option<String>,
    /// Lines.
    pub entries: Vec<LegendEntry>,
}

/// Formats a legend or popup number: whole numbers as they are, others with about three
/// significant digits, never in scientific notation.
pub(crate) fn fmt_value(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            v.to_string()
        };
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let d = (2 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let s = format!("{v:.d$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fmt_value_keeps_three_significant_digits() {
        assert_eq!(fmt_value(0.0), "0");
        assert_eq!(fmt_value(1234.4), "1234");
        assert_eq!(fmt_value(5.0), "5");
        assert_eq!(fmt_value(12.345), "12.3");
        assert_eq!(fmt_value(0.012345), "0.0123");
        assert_eq!(fmt_value(-0.0001), "-0.000100");
        assert_eq!(fmt_value(5.5), "5.50");
        assert_eq!(fmt_value(150.0), "150");
        assert_eq!(fmt_value(f64::INFINITY), "inf");
    }
}
