//! Colours of the map: the density ramp (ColorBrewer YlOrRd, Harrower & Brewer 2003), the
//! Gi* classes (the ArcGIS Hot Spot Analysis convention), the roles of before/after areas,
//! generic layers (ColorBrewer Dark2) and the fills of suppressed and missing values.
//!
//! Both painters ([`super::html`], [`super::png`]) take every colour from here, so the two
//! pictures of one map agree.

use serde_json::Value;

pub use crate::publish::draw::Rgb;

/// ColorBrewer YlOrRd, 9 classes, light to dark.
pub(crate) const YLORRD: [Rgb; 9] = [
    [255, 255, 204],
    [255, 237, 160],
    [254, 217, 118],
    [254, 178, 76],
    [253, 141, 60],
    [252, 78, 42],
    [227, 26, 28],
    [189, 0, 38],
    [128, 0, 38],
];

/// Fill of a suppressed (null) value, under its hatching.
pub(crate) const SUPPRESSED_FILL: Rgb = [200, 200, 200];
/// Hatching lines of a suppressed value.
pub(crate) const SUPPRESSED_HATCH: Rgb = [105, 105, 105];
/// Fill of a cell without a value.
pub(crate) const NO_VALUE_FILL: Rgb = [228, 228, 228];
/// Hotspot outline.
pub(crate) const HOTSPOT_OUTLINE: Rgb = [17, 17, 17];
/// Outline of context layers (boundary, LSOAs, wards).
pub(crate) const CONTEXT_OUTLINE: Rgb = [80, 80, 80];
/// Harm spot fill (ColorBrewer Blues, dark: stands out from the YlOrRd density).
pub(crate) const HARM_SPOT_FILL: Rgb = [8, 81, 156];
/// Colours of generic layers, in turn (ColorBrewer Dark2).
pub(crate) const GENERIC: [Rgb; 7] = [
    [27, 158, 119],
    [117, 112, 179],
    [231, 41, 138],
    [102, 166, 30],
    [230, 171, 2],
    [166, 118, 29],
    [102, 102, 102],
];

/// The colour of a Gi* class −3..3 (ArcGIS Hot Spot Analysis convention: reds hot, blues
/// cold, 99/95/90% confidence from dark to light; 0, not significant, very light grey).
///
/// ```
/// assert_eq!(harmspot::map::gi_colour(3), [215, 48, 39]);
/// assert_eq!(harmspot::map::gi_colour(-3), [69, 117, 180]);
/// ```
pub fn gi_colour(class: i8) -> Rgb {
    match class {
        3.. => [215, 48, 39],
        2 => [240, 120, 80],
        1 => [250, 185, 132],
        0 => [240, 240, 236],
        -1 => [171, 217, 233],
        -2 => [116, 173, 209],
        _ => [69, 117, 180],
    }
}

/// The legend label of a Gi* class −3..3.
pub fn gi_label(class: i8) -> &'static str {
    match class {
        3.. => "Hot spot, 99% confidence",
        2 => "Hot spot, 95% confidence",
        1 => "Hot spot, 90% confidence",
        0 => "Not significant",
        -1 => "Cold spot, 90% confidence",
        -2 => "Cold spot, 95% confidence",
        _ => "Cold spot, 99% confidence",
    }
}

/// The role of a before/after area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Where the intervention happened.
    Treatment,
    /// The ring around it, watched for displacement.
    Buffer,
    /// A comparison area.
    Control,
    /// An area of a monitoring table (`harmspot monitor`).
    Monitored,
    /// A role harmspot does not know (or none).
    Other,
}

impl Role {
    /// Reads a `role` property (case-insensitive).
    pub fn parse(v: Option<&Value>) -> Role {
        match v
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("treatment") => Role::Treatment,
            Some("buffer") => Role::Buffer,
            Some("control") => Role::Control,
            Some("monitored") => Role::Monitored,
            _ => Role::Other,
        }
    }

    /// Legend label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Treatment => "Treatment area",
            Role::Buffer => "Buffer",
            Role::Control => "Control area",
            Role::Monitored => "Monitored area",
            Role::Other => "Other area",
        }
    }

    /// Outline (and, lightly, fill) colour: ColorBrewer Paired purple, orange and blue, so
    /// treatment, buffer and control differ by hue as well as by line (a buffer is dashed).
    pub fn colour(self) -> Rgb {
        match self {
            Role::Treatment => [106, 61, 154],
            Role::Buffer => [255, 127, 0],
            Role::Control => [31, 120, 180],
            Role::Monitored => [27, 158, 119],
            Role::Other => [90, 90, 90],
        }
    }

    /// Drawing order within the areas, bottom first: controls (often large, holding the
    /// sites), other areas, buffers, treatment areas, so no site's outline is covered.
    pub fn z(self) -> u8 {
        match self {
            Role::Control => 0,
            Role::Other => 1,
            Role::Buffer => 2,
            Role::Treatment => 3,
            Role::Monitored => 3,
        }
    }

    /// Whether the outline is dashed.
    pub fn dashed(self) -> bool {
        matches!(self, Role::Buffer | Role::Other)
    }

    /// A short name (`treatment`, `buffer`, `control`, `other`), used as a CSS class.
    pub fn name(self) -> &'static str {
        match self {
            Role::Treatment => "treatment",
            Role::Buffer => "buffer",
            Role::Control => "control",
            Role::Monitored => "monitored",
            Role::Other => "other",
        }
    }

    pub(crate) const ALL: [Role; 5] = [
        Role::Treatment,
        Role::Buffer,
        Role::Control,
        Role::Monitored,
        Role::Other,
    ];
}

/// The colours of `k` classes: evenly spread over [`YLORRD`], light to dark.
pub(crate) fn ramp(k: usize) -> Vec<Rgb> {
    match k {
        0 => Vec::new(),
        1 => vec![YLORRD[6]],
        _ => (0..k)
            .map(|i| YLORRD[(i * 8 + (k - 1) / 2) / (k - 1)])
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_spreads_over_yl_or_rd() {
        assert_eq!(ramp(0), Vec::<Rgb>::new());
        assert_eq!(ramp(1), vec![YLORRD[6]]);
        assert_eq!(ramp(9), YLORRD.to_vec());
        assert_eq!(ramp(2), vec![YLORRD[0], YLORRD[8]]);
        assert_eq!(ramp(3), vec![YLORRD[0], YLORRD[4], YLORRD[8]]);
        let c = ramp(5);
        assert_eq!((c[0], c[4]), ([255, 255, 204], [128, 0, 38]));
    }

    #[test]
    fn roles_have_distinct_colours() {
        for (i, a) in Role::ALL.iter().enumerate() {
            for b in &Role::ALL[i + 1..] {
                assert_ne!(a.colour(), b.colour(), "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn sites_are_drawn_over_controls() {
        let z: Vec<u8> = [Role::Control, Role::Other, Role::Buffer, Role::Treatment]
            .map(Role::z)
            .to_vec();
        assert!(z.windows(2).all(|w| w[0] < w[1]), "{z:?}");
    }

    #[test]
    fn roles_parse_case_insensitively() {
        assert_eq!(
            Role::parse(Some(&Value::from("Treatment"))),
            Role::Treatment
        );
        assert_eq!(Role::parse(Some(&Value::from("CONTROL"))), Role::Control);
        assert_eq!(Role::parse(Some(&Value::from(3))), Role::Other);
        assert_eq!(Role::parse(None), Role::Other);
    }
}
