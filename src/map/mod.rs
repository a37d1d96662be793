//! Maps of a result folder: the GeoJSON layers other verbs wrote, read into a typed
//! [`MapData`] that [`html`] turns into one self-contained interactive page and [`png`] into
//! a static picture. Issue 7, "partner-ready outputs".
//!
//! **Layers.** Every `*.geojson` file at the top of the folder is a layer, by name:
//! `cells.geojson` (grid cells, coloured by a density scale and, when they have a `class`
//! property, by Gi* class), `areas.geojson` (before/after areas, styled by their `role`:
//! `treatment`, `buffer`, `control`), `hotspots.geojson` (outlined, labelled by `rank`) and
//! any other file (a generic layer in its own colour). They are drawn in that order from the
//! bottom: cells, generic layers, areas, hotspots. Coordinates must be WGS84 lon/lat
//! (RFC 7946); a file outside ±180/±90 is refused, since it was most likely written in a
//! projected CRS. Features without geometry are counted and left out.
//!
//! **Density scale.** The cells are coloured by the first of `density`, `harm`, `n` that
//! they carry, in classes over its non-null values:
//! - [`Breaks::Jenks`] (default): Jenks natural breaks (Jenks 1967), computed exactly by
//!   Fisher's (1958) dynamic programme, which minimises the total within-class sum of squared
//!   deviations. Above [`JENKS_SAMPLE`] values it runs on that many evenly spaced order
//!   statistics of the sorted values ("Jenks-like": the breaks of a 1,024-point summary of the
//!   distribution), so its cost stays O(k · 1024²).
//! - [`Breaks::Quantile`]: class upper bounds at the i/k quantiles (type 7, linear
//!   interpolation between order statistics, as R's default), so classes hold about equal
//!   numbers of cells.
//!
//! Class i holds the values in (break\[i−1\], break\[i\]] (the first class also holds the
//! minimum).
//! Equal breaks are merged, so a layer with few distinct values gets fewer classes. Colours
//! are spread over ColorBrewer's 9-class YlOrRd ramp (Harrower & Brewer 2003).
//!
//! **Suppressed values.** A `null` value (disclosure control, issue 7) is never a zero: such a
//! cell is drawn hatched grey and listed as "suppressed" in the legend and popups. A cell
//! without the property at all (or with a non-number) is "no value", plain light grey.
//!
//! **Projection.** Both outputs draw in Web Mercator (EPSG:3857, [`mercator`]), the projection
//! of XYZ basemap tiles; north is up everywhere and scale bars use the ground scale at the
//! map's centre latitude (Mercator's scale factor is 1/cos φ).

pub mod html;
pub mod png;

use crate::error::{Error, Result};
use geo::InteriorPoint;
use geojson::{FeatureCollection, GeoJson, Geometry, GeometryValue};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// The most values Jenks breaks are computed on; above it, a summary of that many evenly
/// spaced order statistics is used.
pub const JENKS_SAMPLE: usize = 1024;

/// The attribution every map carries (police.uk data are published under the OGL).
pub const ATTRIBUTION: &str =
    "Contains public sector information licensed under the Open Government Licence v3.0.";

/// ColorBrewer YlOrRd, 9 classes, light to dark.
pub const YLORRD: [Rgb; 9] = [
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
pub const SUPPRESSED_FILL: Rgb = [200, 200, 200];
/// Hatching lines of a suppressed value.
pub const SUPPRESSED_HATCH: Rgb = [105, 105, 105];
/// Fill of a cell without a value.
pub const NO_VALUE_FILL: Rgb = [228, 228, 228];
/// Hotspot outline.
pub const HOTSPOT_OUTLINE: Rgb = [17, 17, 17];
/// Outline of context layers (boundary, LSOAs, wards).
pub const CONTEXT_OUTLINE: Rgb = [80, 80, 80];
/// Harm spot fill (ColorBrewer Blues, dark: stands out from the YlOrRd density).
pub const HARM_SPOT_FILL: Rgb = [8, 81, 156];
/// Harm spots labelled on the map (by rank).
pub const HARM_SPOT_LABELS: u64 = 10;
/// Colours of generic layers, in turn (ColorBrewer Dark2).
pub const GENERIC: [Rgb; 7] = [
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

/// What a layer is, from its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    /// `cells.geojson`: grid cells.
    Cells,
    /// `boundary.geojson` or the `--context` file: outlines for orientation (a force
    /// boundary, LSOAs, wards), labelled by their name property.
    Context,
    /// Any other `*.geojson`: drawn plainly in its own colour.
    Other,
    /// `areas.geojson`: before/after areas with a `role`.
    Areas,
    /// `hotspots.geojson`: hotspot polygons.
    Hotspots,
    /// `harmspots.geojson`: harm spots (micro-places), filled, the top ten labelled.
    HarmSpots,
}

/// One drawable part of a feature, in WGS84 lon/lat.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// A polygon: exterior ring first, then holes.
    Polygon(Vec<Vec<[f64; 2]>>),
    /// A line.
    Line(Vec<[f64; 2]>),
    /// A point.
    Point([f64; 2]),
}

/// How a cell is filled on the density view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellFill {
    /// A class of [`MapData::scale`] (0 = lowest).
    Class(usize),
    /// The value is `null`: suppressed for disclosure control.
    Suppressed,
    /// The property is missing or not a number.
    NoValue,
}

/// How a cell is filled on the Gi* view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GiFill {
    /// A class −3..3 ([`gi_colour`]).
    Class(i8),
    /// `class` is `null`: suppressed.
    Suppressed,
    /// `class` is missing or not a number.
    NoValue,
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
            _ => Role::Other,
        }
    }

    /// Legend label.
    pub fn label(self) -> &'static str {
        match self {
            Role::Treatment => "Treatment area",
            Role::Buffer => "Buffer",
            Role::Control => "Control area",
            Role::Other => "Other area",
        }
    }

    /// Outline (and, lightly, fill) colour.
    pub fn colour(self) -> Rgb {
        match self {
            Role::Treatment => [106, 61, 154],
            Role::Buffer => [106, 61, 154],
            Role::Control => [31, 120, 180],
            Role::Other => [90, 90, 90],
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
            Role::Other => "other",
        }
    }

    const ALL: [Role; 4] = [Role::Treatment, Role::Buffer, Role::Control, Role::Other];
}

/// One feature of a layer.
#[derive(Clone, Debug)]
pub struct MapFeature {
    /// Its parts, lon/lat.
    pub shapes: Vec<Shape>,
    /// Its properties, in display order: `id`, `rank`, `name`, `role` first, then the rest
    /// alphabetically. `null` means suppressed.
    pub properties: Vec<(String, Value)>,
    /// Density-view fill (cells only).
    pub fill: Option<CellFill>,
    /// Gi*-view fill (cells with a `class` property only).
    pub gi: Option<GiFill>,
    /// Role (areas only).
    pub role: Option<Role>,
    /// A label: hotspot rank (or id) inside the hotspot, area name above the area.
    pub label: Option<Label>,
}

/// A text drawn on the map.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The text.
    pub text: String,
    /// Where, lon/lat: the centre of the text, or the middle of its baseline when `above`.
    pub at: [f64; 2],
    /// A caption above the point (area names, placed at the middle of the area's north edge)
    /// rather than centred on it (hotspot ranks, at a point inside the hotspot).
    pub above: bool,
}

/// One layer: one GeoJSON file.
#[derive(Clone, Debug)]
pub struct MapLayer {
    /// A short unique id (the file stem, slugged): `cells`, `hotspots`, ...
    pub id: String,
    /// The file name.
    pub file: String,
    /// What it is.
    pub kind: LayerKind,
    /// Title for layer lists.
    pub title: String,
    /// Colour of a generic layer.
    pub colour: Rgb,
    /// Features with geometry, in file order.
    pub features: Vec<MapFeature>,
    /// Features left out because they had no geometry.
    pub skipped: usize,
    /// The collection's `"harmspot"` member (run parameters), if any.
    pub params: Map<String, Value>,
    /// Drawn at first: false for a generic layer of more than [`GENERIC_MAX_SHOWN`] features,
    /// which would bury the cells. The HTML lists it unticked; the PNG leaves it out.
    pub shown: bool,
}

/// Generic layers with more features than this start hidden (see [`MapLayer::shown`]).
pub const GENERIC_MAX_SHOWN: usize = 5000;

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

/// Which picture of the cells is shown first (HTML) or drawn (PNG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CellsView {
    /// Density if the cells have a `density` property or no `class`; Gi* classes otherwise.
    #[default]
    Auto,
    /// The density scale.
    Density,
    /// Gi* classes.
    Gistar,
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

/// Parameters of [`build`] / [`load`]. Start from [`MapParams::default`].
#[derive(Clone, Debug, PartialEq)]
pub struct MapParams {
    /// Class breaks (default: [`Breaks::Jenks`]).
    pub breaks: Breaks,
    /// Number of density classes, 2 to 9 (default: 5).
    pub classes: usize,
    /// Title (default: "harmspot map: " and the folder name).
    pub title: Option<String>,
    /// First cells view (default: [`CellsView::Auto`]).
    pub cells: CellsView,
    /// A context layer (WGS84 GeoJSON: LSOAs, wards) drawn as labelled outlines.
    pub context: Option<PathBuf>,
}

impl Default for MapParams {
    fn default() -> Self {
        MapParams {
            breaks: Breaks::Jenks,
            classes: 5,
            title: None,
            cells: CellsView::Auto,
            context: None,
        }
    }
}

impl MapParams {
    /// Class breaks (default: Jenks).
    pub fn breaks(mut self, b: Breaks) -> Self {
        self.breaks = b;
        self
    }
    /// Number of density classes, 2 to 9 (default: 5).
    pub fn classes(mut self, k: usize) -> Self {
        self.classes = k;
        self
    }
    /// Title (default: "harmspot map: " and the folder name).
    pub fn title(mut self, t: impl Into<String>) -> Self {
        self.title = Some(t.into());
        self
    }
    /// First cells view (default: auto).
    pub fn cells(mut self, v: CellsView) -> Self {
        self.cells = v;
        self
    }
    /// A context layer file (default: none).
    pub fn context(mut self, path: impl Into<PathBuf>) -> Self {
        self.context = Some(path.into());
        self
    }
}

/// Everything a map shows.
#[derive(Clone, Debug)]
pub struct MapData {
    /// Title.
    pub title: String,
    /// Layers, bottom first.
    pub layers: Vec<MapLayer>,
    /// The frame, lon/lat `[west, south, east, north]`: the extent of the top harm spots
    /// and their hotspot areas, else of every feature.
    pub bounds: [f64; 4],
    /// The density scale of the cells, if they carry `density`, `harm` or `n` values.
    pub scale: Option<ColourScale>,
    /// The cells view shown first / drawn on the PNG ([`CellsView::Density`] or
    /// [`CellsView::Gistar`]).
    pub cells_view: CellsView,
    /// Legend blocks, in layer order (top layer first).
    pub legend: Vec<LegendSection>,
    /// A few run parameters for the footer (name, value with unit).
    pub params: Vec<(String, String)>,
}

impl MapData {
    /// Number of features over all layers.
    pub fn feature_count(&self) -> usize {
        self.layers.iter().map(|l| l.features.len()).sum()
    }

    /// The layer of a kind, if present.
    pub fn layer(&self, kind: LayerKind) -> Option<&MapLayer> {
        self.layers.iter().find(|l| l.kind == kind)
    }

    /// Ids of the groups drawn on a static map: every [shown](MapLayer::shown) layer, the
    /// cells as their [`MapData::cells_view`] (`<id>` for density, `<id>-gistar` for Gi*).
    pub fn static_groups(&self) -> Vec<String> {
        self.layers
            .iter()
            .filter(|l| l.shown)
            .map(|l| {
                if l.kind == LayerKind::Cells && self.cells_view == CellsView::Gistar {
                    format!("{}-gistar", l.id)
                } else {
                    l.id.clone()
                }
            })
            .collect()
    }
}

/// Formats a legend or popup number: whole numbers as they are, others with about three
/// significant digits, never in scientific notation.
///
/// ```
/// use harmspot::map::fmt_value;
/// assert_eq!(fmt_value(0.0), "0");
/// assert_eq!(fmt_value(1234.4), "1234");
/// assert_eq!(fmt_value(5.0), "5");
/// assert_eq!(fmt_value(12.345), "12.3");
/// assert_eq!(fmt_value(0.012345), "0.0123");
/// ```
pub fn fmt_value(v: f64) -> String {
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

/// Web Mercator (EPSG:3857) metres of a lon/lat position; latitudes are clamped to
/// ±85.05113°, the edge of the square XYZ tile world.
///
/// ```
/// let [x, y] = harmspot::map::mercator([180.0, 0.0]);
/// assert!((x - 20_037_508.342789244).abs() < 1e-6 && y.abs() < 1e-9);
/// ```
pub fn mercator(p: [f64; 2]) -> [f64; 2] {
    const R: f64 = 6_378_137.0;
    let lat = p[1]
        .clamp(-85.051_128_779_806_6, 85.051_128_779_806_6)
        .to_radians();
    [
        R * p[0].to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    ]
}

/// The latitude (degrees) of a Web Mercator northing (metres).
pub fn mercator_lat(y: f64) -> f64 {
    (y / 6_378_137.0).sinh().atan().to_degrees()
}

/// The longest "round" length (1, 2 or 5 × 10ⁿ metres) not above `max_m`, for scale bars.
///
/// ```
/// use harmspot::map::nice_length;
/// assert_eq!(nice_length(740.0), 500.0);
/// assert_eq!(nice_length(2600.0), 2000.0);
/// assert_eq!(nice_length(1.0), 1.0);
/// ```
pub fn nice_length(max_m: f64) -> f64 {
    if max_m.is_nan() || max_m <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= max_m * (1.0 + 1e-12))
        .unwrap_or(p)
}

/// A length label: metres below 1 km, kilometres above (`"500 m"`, `"2 km"`, `"1.5 km"`).
///
/// ```
/// assert_eq!(harmspot::map::fmt_length(500.0), "500 m");
/// assert_eq!(harmspot::map::fmt_length(2000.0), "2 km");
/// ```
pub fn fmt_length(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        if km.fract() == 0.0 {
            format!("{km:.0} km")
        } else {
            format!("{km} km")
        }
    } else {
        format!("{} m", m.round())
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

/// The colours of `k` classes: evenly spread over [`YLORRD`], light to dark.
///
/// ```
/// let c = harmspot::map::ramp(5);
/// assert_eq!((c[0], c[4]), ([255, 255, 204], [128, 0, 38]));
/// ```
pub fn ramp(k: usize) -> Vec<Rgb> {
    match k {
        0 => Vec::new(),
        1 => vec![YLORRD[6]],
        _ => (0..k)
            .map(|i| YLORRD[(i * 8 + (k - 1) / 2) / (k - 1)])
            .collect(),
    }
}

/// Lists the `*.geojson` files at the top of `dir`, sorted by name (hidden files skipped).
pub fn geojson_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let md = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !md.is_dir() {
        return Err(Error::param(
            crate::Param::ResultDir,
            format!(
                "`{}` is not a folder: give the folder a harmspot verb wrote its GeoJSON layers to",
                dir.display()
            ),
        ));
    }
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.starts_with('.') && name.to_ascii_lowercase().ends_with(".geojson") && p.is_file()
        {
            files.push(p);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::param(
            crate::Param::ResultDir,
            format!(
                "`{}` holds no *.geojson file: expected hotspots.geojson, cells.geojson, areas.geojson or other GeoJSON layers written by a harmspot verb",
                dir.display()
            ),
        ));
    }
    Ok(files)
}

/// Reads a GeoJSON file as a FeatureCollection (a lone Feature or Geometry becomes a
/// collection of one).
pub fn read_collection(path: &Path) -> Result<FeatureCollection> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let gj = GeoJson::from_reader(std::io::BufReader::new(f))
        .map_err(|e| Error::format(path, format!("not valid GeoJSON: {e}")))?;
    Ok(match gj {
        GeoJson::FeatureCollection(fc) => fc,
        GeoJson::Feature(f) => FeatureCollection {
            bbox: None,
            features: vec![f],
            foreign_members: None,
        },
        GeoJson::Geometry(g) => FeatureCollection {
            bbox: None,
            features: vec![geojson::Feature {
                geometry: Some(g),
                ..Default::default()
            }],
            foreign_members: None,
        },
    })
}

/// Reads every layer of a result folder and builds the map ([`geojson_files`],
/// [`read_collection`], [`build`]).
///
/// Errors: the folder is missing or holds no `*.geojson`; a file is not GeoJSON; a
/// coordinate is not lon/lat; no layer has a feature.
pub fn load(dir: &Path, params: &MapParams) -> Result<MapData> {
    let files = geojson_files(dir)?;
    let mut inputs = Vec::with_capacity(files.len());
    for p in files {
        let fc = read_collection(&p)?;
        inputs.push((p, fc));
    }
    if let Some(c) = &params.context {
        inputs.push((c.clone(), read_collection(c)?));
    }
    let mut params = params.clone();
    if params.title.is_none() {
        let name = std::fs::canonicalize(dir)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| dir.display().to_string());
        params.title = Some(format!("harmspot map: {name}"));
    }
    build(inputs, &params)
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-').to_string();
    if t.is_empty() {
        "layer".into()
    } else {
        t
    }
}

fn field_err(path: &Path, feature: usize, field: &str, reason: impl Into<String>) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line: feature as u64 + 1,
        field: field.into(),
        reason: reason.into(),
    }
}

/// Converts a GeoJSON geometry to shapes, checking every position is lon/lat.
fn shapes_of(g: &Geometry, out: &mut Vec<Shape>, path: &Path, feature: usize) -> Result<()> {
    let pos = |p: &geojson::Position| -> Result<[f64; 2]> {
        let s = p.as_slice();
        if s.len() < 2 {
            return Err(field_err(
                path,
                feature,
                "geometry",
                "a position has fewer than 2 numbers",
            ));
        }
        let (x, y) = (s[0], s[1]);
        if !(x.is_finite()
            && y.is_finite()
            && (-180.0..=180.0).contains(&x)
            && (-90.0..=90.0).contains(&y))
        {
            return Err(field_err(
                path,
                feature,
                "geometry",
                format!("position [{x}, {y}] is not WGS84 lon/lat: GeoJSON must be in EPSG:4326 (RFC 7946), not a projected CRS"),
            ));
        }
        Ok([x, y])
    };
    let line = |ps: &[geojson::Position]| ps.iter().map(pos).collect::<Result<Vec<_>>>();
    let polygon = |rings: &[Vec<geojson::Position>]| -> Result<Option<Shape>> {
        let rs: Vec<Vec<[f64; 2]>> = rings.iter().map(|r| line(r)).collect::<Result<_>>()?;
        let rs: Vec<_> = rs.into_iter().filter(|r| r.len() >= 3).collect();
        Ok((!rs.is_empty()).then_some(Shape::Polygon(rs)))
    };
    match &g.value {
        GeometryValue::Point { coordinates } => out.push(Shape::Point(pos(coordinates)?)),
        GeometryValue::MultiPoint { coordinates } => {
            for p in coordinates {
                out.push(Shape::Point(pos(p)?));
            }
        }
        GeometryValue::LineString { coordinates } => out.push(Shape::Line(line(coordinates)?)),
        GeometryValue::MultiLineString { coordinates } => {
            for l in coordinates {
                out.push(Shape::Line(line(l)?));
            }
        }
        GeometryValue::Polygon { coordinates } => out.extend(polygon(coordinates)?),
        GeometryValue::MultiPolygon { coordinates } => {
            for p in coordinates {
                out.extend(polygon(p)?);
            }
        }
        GeometryValue::GeometryCollection { geometries } => {
            for g in geometries {
                shapes_of(g, out, path, feature)?;
            }
        }
    }
    Ok(())
}

/// Properties in display order: `id`, `rank`, `name`, `role` first, then alphabetical.
fn ordered(
    props: Option<&Map<String, Value>>,
    id: Option<&geojson::feature::Id>,
) -> Vec<(String, Value)> {
    const FIRST: [&str; 4] = ["id", "rank", "name", "role"];
    let mut out: Vec<(String, Value)> = Vec::new();
    let empty = Map::new();
    let props = props.unwrap_or(&empty);
    if !props.contains_key("id") {
        if let Some(id) = id {
            let v = match id {
                geojson::feature::Id::String(s) => Value::String(s.clone()),
                geojson::feature::Id::Number(n) => Value::Number(n.clone()),
            };
            out.push(("id".into(), v));
        }
    }
    for k in FIRST {
        if let Some(v) = props.get(k) {
            out.push((k.to_string(), v.clone()));
        }
    }
    let mut rest: Vec<_> = props
        .iter()
        .filter(|(k, _)| !FIRST.contains(&k.as_str()))
        .collect();
    rest.sort_by(|a, b| a.0.cmp(b.0));
    out.extend(rest.into_iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

fn prop<'a>(f: &'a MapFeature, key: &str) -> Option<&'a Value> {
    f.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A label point inside the polygons of a feature (lon/lat).
fn label_point(shapes: &[Shape]) -> Option<[f64; 2]> {
    let polys: Vec<geo::Polygon> = shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Polygon(rs) => {
                let ring = |r: &Vec<[f64; 2]>| {
                    geo::LineString::from(r.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>())
                };
                Some(geo::Polygon::new(
                    ring(&rs[0]),
                    rs[1..].iter().map(ring).collect(),
                ))
            }
            _ => None,
        })
        .collect();
    if polys.is_empty() {
        return None;
    }
    geo::MultiPolygon(polys)
        .interior_point()
        .map(|p| [p.x(), p.y()])
}

/// The middle of the north edge of the shapes' bounding box (lon/lat).
fn top_centre(shapes: &[Shape]) -> [f64; 2] {
    let (mut w, mut e, mut n) = (f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut see = |p: &[f64; 2]| {
        w = w.min(p[0]);
        e = e.max(p[0]);
        n = n.max(p[1]);
    };
    for s in shapes {
        match s {
            Shape::Polygon(rs) => rs.iter().flatten().for_each(&mut see),
            Shape::Line(ps) => ps.iter().for_each(&mut see),
            Shape::Point(p) => see(p),
        }
    }
    [(w + e) / 2.0, n]
}

fn kind_of(stem: &str) -> LayerKind {
    match stem.to_ascii_lowercase().as_str() {
        "cells" => LayerKind::Cells,
        "hotspots" => LayerKind::Hotspots,
        "harmspots" => LayerKind::HarmSpots,
        "boundary" => LayerKind::Context,
        "areas" => LayerKind::Areas,
        _ => LayerKind::Other,
    }
}

fn label_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Builds the map from parsed layers: `(path, collection)` pairs, the path naming the layer
/// (its file stem decides the kind) and appearing in errors.
///
/// Returns the layers in drawing order with their features' fills, roles and labels, the
/// extent, the density scale ([`jenks_breaks`] or [`quantile_breaks`] on the first of
/// `density`, `harm`, `n` the cells carry), the legend and the footer parameters.
///
/// Errors: `--classes` outside 2..9; `--cells gistar` without a `class` property; a position
/// outside lon/lat; no feature in any layer.
///
/// ```
/// use harmspot::map::{build, CellFill, MapParams};
/// let cell = |x: f64, n: serde_json::Value| serde_json::json!({"type": "Feature",
///     "geometry": {"type": "Polygon", "coordinates": [[[x, 55.0], [x + 0.01, 55.0], [x + 0.01, 55.01], [x, 55.01], [x, 55.0]]]},
///     "properties": {"n": n}});
/// let fc: geojson::FeatureCollection = serde_json::from_value(serde_json::json!({"type": "FeatureCollection",
///     "features": [cell(-1.6, 1.into()), cell(-1.59, 2.into()), cell(-1.58, 9.into()), cell(-1.57, serde_json::Value::Null)]})).unwrap();
/// let map = build(vec![("cells.geojson".into(), fc)], &MapParams::default().classes(2)).unwrap();
/// let scale = map.scale.as_ref().unwrap();
/// assert_eq!(scale.breaks, vec![2.0, 9.0]); // Jenks: {1, 2} and {9}
/// let fills: Vec<_> = map.layers[0].features.iter().map(|f| f.fill.unwrap()).collect();
/// assert_eq!(fills, vec![CellFill::Class(0), CellFill::Class(0), CellFill::Class(1), CellFill::Suppressed]);
/// assert!((map.bounds[0] + 1.6).abs() < 1e-12 && (map.bounds[2] + 1.56).abs() < 1e-12);
/// ```
pub fn build(inputs: Vec<(PathBuf, FeatureCollection)>, params: &MapParams) -> Result<MapData> {
    if !(2..=9).contains(&params.classes) {
        return Err(Error::param(
            crate::Param::Classes,
            format!("{} density classes asked for: give 2 to 9", params.classes),
        ));
    }
    let mut layers = Vec::with_capacity(inputs.len());
    let mut generic = 0;
    for (path, fc) in inputs {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = file
            .rsplit_once('.')
            .map(|(s, _)| s.to_string())
            .unwrap_or(file.clone());
        let kind = if params.context.as_deref() == Some(path.as_path()) {
            LayerKind::Context
        } else {
            kind_of(&stem)
        };
        let mut id = slug(&stem);
        while layers
            .iter()
            .any(|l: &MapLayer| l.id == id || format!("{}-gistar", l.id) == id)
        {
            id.push_str("-2");
        }
        let colour = if kind == LayerKind::Other {
            generic += 1;
            GENERIC[(generic - 1) % GENERIC.len()]
        } else {
            [0; 3]
        };
        let title = match kind {
            LayerKind::Cells => "Grid cells".to_string(),
            LayerKind::Hotspots => "Hotspots".to_string(),
            LayerKind::HarmSpots => "Harm spots".to_string(),
            LayerKind::Context => stem.clone(),
            LayerKind::Areas => "Areas".to_string(),
            LayerKind::Other => stem.clone(),
        };
        let mut features = Vec::with_capacity(fc.features.len());
        let mut skipped = 0;
        for (i, f) in fc.features.iter().enumerate() {
            let mut shapes = Vec::new();
            if let Some(g) = &f.geometry {
                shapes_of(g, &mut shapes, &path, i)?;
            }
            if shapes.is_empty() {
                skipped += 1;
                continue;
            }
            let properties = ordered(f.properties.as_ref(), f.id.as_ref());
            features.push(MapFeature {
                shapes,
                properties,
                fill: None,
                gi: None,
                role: None,
                label: None,
            });
        }
        let params = fc
            .foreign_members
            .as_ref()
            .and_then(|m| m.get("harmspot"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        layers.push(MapLayer {
            id,
            file,
            kind,
            title,
            colour,
            shown: kind != LayerKind::Other || features.len() <= GENERIC_MAX_SHOWN,
            features,
            skipped,
            params,
        });
    }
    // Drawing order: cells, generic layers, areas, hotspots (stable within a kind: file name).
    layers.sort_by_key(|l| l.kind as u8);

    let mut bounds = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut grow = |p: &[f64; 2]| {
        bounds[0] = bounds[0].min(p[0]);
        bounds[1] = bounds[1].min(p[1]);
        bounds[2] = bounds[2].max(p[0]);
        bounds[3] = bounds[3].max(p[1]);
    };
    for f in framed_features(&layers) {
        for s in &f.shapes {
            match s {
                Shape::Polygon(rs) => rs.iter().flatten().for_each(&mut grow),
                Shape::Line(ps) => ps.iter().for_each(&mut grow),
                Shape::Point(p) => grow(p),
            }
        }
    }
    if !bounds[0].is_finite() {
        let files: Vec<_> = layers.iter().map(|l| l.file.as_str()).collect();
        return Err(Error::Analysis(format!(
            "nothing to draw: {} hold no feature with a geometry",
            files.join(", ")
        )));
    }

    let min_count = layers
        .iter()
        .find_map(|l| l.params.get("min_count").and_then(Value::as_f64));
    let suppressed_label = match min_count {
        Some(k) => format!("Suppressed (fewer than {} incidents)", fmt_value(k)),
        None => "Suppressed (disclosure control)".to_string(),
    };

    // Cells: density scale and Gi* classes.
    let mut scale = None;
    let mut cells_view = CellsView::Density;
    let mut legend_cells: Vec<LegendSection> = Vec::new();
    if let Some(cells) = layers.iter_mut().find(|l| l.kind == LayerKind::Cells) {
        let has = |key: &str| cells.features.iter().any(|f| prop(f, key).is_some());
        let property = ["density", "harm", "n"].into_iter().find(|k| has(k));
        let has_class = has("class");
        cells_view = match params.cells {
            CellsView::Auto if has_class && property != Some("density") => CellsView::Gistar,
            CellsView::Auto => CellsView::Density,
            CellsView::Gistar if !has_class => {
                return Err(Error::param(crate::Param::Cells,
                    format!("gistar asked for, but {} has no `class` property (write it with `harmspot gistar`)", cells.file),
                ))
            }
            v => v,
        };
        if let Some(property) = property {
            let values: Vec<f64> = cells
                .features
                .iter()
                .filter_map(|f| prop(f, property).and_then(Value::as_f64))
                .filter(|v| v.is_finite())
                .collect();
            let breaks = match params.breaks {
                Breaks::Jenks => jenks_breaks(&values, params.classes),
                Breaks::Quantile => quantile_breaks(&values, params.classes),
            };
            let s = (!breaks.is_empty()).then(|| ColourScale {
                property: property.to_string(),
                method: params.breaks,
                min: values.iter().copied().fold(f64::INFINITY, f64::min),
                colours: ramp(breaks.len()),
                breaks,
                values: values.len(),
            });
            let (mut n_sup, mut n_none) = (0, 0);
            for f in &mut cells.features {
                let fill = match prop(f, property) {
                    Some(Value::Null) => CellFill::Suppressed,
                    Some(v) => match (v.as_f64(), &s) {
                        (Some(x), Some(s)) if x.is_finite() => CellFill::Class(s.class_of(x)),
                        _ => CellFill::NoValue,
                    },
                    None => CellFill::NoValue,
                };
                n_sup += usize::from(fill == CellFill::Suppressed);
                n_none += usize::from(fill == CellFill::NoValue);
                f.fill = Some(fill);
            }
            let mut entries = Vec::new();
            if let Some(s) = &s {
                for i in (0..s.breaks.len()).rev() {
                    entries.push(LegendEntry {
                        label: s.label(i),
                        swatch: Swatch::Fill(s.colours[i]),
                    });
                }
            }
            if n_sup > 0 {
                entries.push(LegendEntry {
                    label: suppressed_label.clone(),
                    swatch: Swatch::Hatch,
                });
            }
            if n_none > 0 {
                entries.push(LegendEntry {
                    label: "No value".into(),
                    swatch: Swatch::Fill(NO_VALUE_FILL),
                });
            }
            let title = match property {
                "density" => match cells.params.get("weights").and_then(Value::as_str) {
                    Some("harm") => "Density, harm per km²",
                    Some("none") => "Density, incidents per km²",
                    _ => "Density per km²",
                },
                "harm" => "Harm per cell",
                _ => "Incidents per cell",
            };
            legend_cells.push(LegendSection {
                group: cells.id.clone(),
                title: title.into(),
                note: s
                    .as_ref()
                    .map(|s| format!("{} classes, {}", s.breaks.len(), s.method.name())),
                entries,
            });
            scale = s;
        }
        if has_class {
            let mut present = [false; 7];
            let (mut n_sup, mut n_none) = (0, 0);
            for f in &mut cells.features {
                let gi = match prop(f, "class") {
                    Some(Value::Null) => GiFill::Suppressed,
                    Some(v) => match v.as_f64() {
                        Some(c) if c.is_finite() => GiFill::Class(c.round().clamp(-3.0, 3.0) as i8),
                        _ => GiFill::NoValue,
                    },
                    None => GiFill::NoValue,
                };
                match gi {
                    GiFill::Class(c) => present[(c + 3) as usize] = true,
                    GiFill::Suppressed => n_sup += 1,
                    GiFill::NoValue => n_none += 1,
                }
                f.gi = Some(gi);
            }
            let mut entries: Vec<LegendEntry> = (-3..=3i8)
                .rev()
                .filter(|&c| present[(c + 3) as usize] || c == 0)
                .map(|c| LegendEntry {
                    label: gi_label(c).into(),
                    swatch: Swatch::Fill(gi_colour(c)),
                })
                .collect();
            if n_sup > 0 {
                entries.push(LegendEntry {
                    label: suppressed_label.clone(),
                    swatch: Swatch::Hatch,
                });
            }
            if n_none > 0 {
                entries.push(LegendEntry {
                    label: "No value".into(),
                    swatch: Swatch::Fill(NO_VALUE_FILL),
                });
            }
            legend_cells.push(LegendSection {
                group: format!("{}-gistar", cells.id),
                title: "Gi* hot and cold spots".into(),
                note: Some("two-sided p, z = Gi*".into()),
                entries,
            });
        }
        if property.is_none() && !has_class {
            // Cells without any value: drawn as "no value".
            for f in &mut cells.features {
                f.fill = Some(CellFill::NoValue);
            }
            legend_cells.push(LegendSection {
                group: cells.id.clone(),
                title: "Grid cells".into(),
                note: None,
                entries: vec![LegendEntry {
                    label: "No value".into(),
                    swatch: Swatch::Fill(NO_VALUE_FILL),
                }],
            });
        }
    }

    // Areas, hotspots: roles and labels.
    let mut legend_top: Vec<LegendSection> = Vec::new();
    for l in layers.iter_mut().rev() {
        match l.kind {
            LayerKind::Hotspots => {
                for f in &mut l.features {
                    let text = prop(f, "rank")
                        .or_else(|| prop(f, "id"))
                        .and_then(label_text);
                    f.label = text.and_then(|text| {
                        label_point(&f.shapes).map(|at| Label {
                            text,
                            at,
                            above: false,
                        })
                    });
                }
                legend_top.push(LegendSection {
                    group: l.id.clone(),
                    title: "Hotspots".into(),
                    note: None,
                    entries: vec![LegendEntry {
                        label: format!("Hotspot, labelled by rank ({})", l.features.len()),
                        swatch: Swatch::Outline {
                            colour: HOTSPOT_OUTLINE,
                            dashed: false,
                        },
                    }],
                });
            }
            LayerKind::Context => {
                for f in &mut l.features {
                    let text = f
                        .properties
                        .iter()
                        .find(|(k, _)| {
                            let k = k.to_ascii_lowercase();
                            k == "name" || k.ends_with("nm") || k.ends_with("name")
                        })
                        .and_then(|(_, v)| label_text(v));
                    f.label = text.and_then(|text| {
                        label_point(&f.shapes).map(|at| Label {
                            text,
                            at,
                            above: false,
                        })
                    });
                }
                legend_top.push(LegendSection {
                    group: l.id.clone(),
                    title: l.title.clone(),
                    note: None,
                    entries: vec![LegendEntry {
                        label: format!("{} ({} features)", l.file, l.features.len()),
                        swatch: Swatch::Outline {
                            colour: CONTEXT_OUTLINE,
                            dashed: false,
                        },
                    }],
                });
            }
            LayerKind::HarmSpots => {
                for f in &mut l.features {
                    let rank = prop(f, "rank").and_then(Value::as_u64);
                    let street = prop(f, "location")
                        .and_then(Value::as_str)
                        .map(crate::places::short_street);
                    f.label = rank.filter(|r| *r <= HARM_SPOT_LABELS).and_then(|r| {
                        label_point(&f.shapes).map(|at| Label {
                            text: match &street {
                                Some(st) => format!("S{r} {st}"),
                                None => format!("S{r}"),
                            },
                            at,
                            above: false,
                        })
                    });
                }
                legend_top.push(LegendSection {
                    group: l.id.clone(),
                    title: "Harm spots".into(),
                    note: Some(format!(
                        "the top {HARM_SPOT_LABELS} labelled S1, S2, ... by harm"
                    )),
                    entries: vec![LegendEntry {
                        label: format!("Harm spot ({})", l.features.len()),
                        swatch: Swatch::Fill(HARM_SPOT_FILL),
                    }],
                });
            }
            LayerKind::Areas => {
                let mut present = [false; 4];
                for f in &mut l.features {
                    // `compare` writes the role as `place`
                    let role = Role::parse(prop(f, "role").or_else(|| prop(f, "place")));
                    present[role as usize] = true;
                    f.role = Some(role);
                    if role != Role::Buffer {
                        let text = prop(f, "name").and_then(label_text);
                        f.label = text.map(|text| Label {
                            text,
                            at: top_centre(&f.shapes),
                            above: true,
                        });
                    }
                }
                legend_top.push(LegendSection {
                    group: l.id.clone(),
                    title: "Areas".into(),
                    note: None,
                    entries: Role::ALL
                        .into_iter()
                        .filter(|r| present[*r as usize])
                        .map(|r| LegendEntry {
                            label: r.label().into(),
                            swatch: Swatch::Outline {
                                colour: r.colour(),
                                dashed: r.dashed(),
                            },
                        })
                        .collect(),
                });
            }
            LayerKind::Other => {
                let (mut pts, mut lines, mut polys) = (0, 0, 0);
                for s in l.features.iter().flat_map(|f| &f.shapes) {
                    match s {
                        Shape::Point(_) => pts += 1,
                        Shape::Line(_) => lines += 1,
                        Shape::Polygon(_) => polys += 1,
                    }
                }
                let swatch = if polys >= pts.max(lines) {
                    Swatch::Outline {
                        colour: l.colour,
                        dashed: false,
                    }
                } else if lines >= pts {
                    Swatch::Line(l.colour)
                } else {
                    Swatch::Point(l.colour)
                };
                legend_top.push(LegendSection {
                    group: l.id.clone(),
                    title: l.title.clone(),
                    note: (!l.shown).then(|| {
                        format!("hidden at first: more than {GENERIC_MAX_SHOWN} features")
                    }),
                    entries: vec![LegendEntry {
                        label: format!("{} ({} features)", l.file, l.features.len()),
                        swatch,
                    }],
                });
            }
            LayerKind::Cells => {}
        }
    }
    let mut legend = legend_top;
    legend.extend(legend_cells);

    let title = params
        .title
        .clone()
        .unwrap_or_else(|| "harmspot map".into());
    Ok(MapData {
        title,
        params: footer_params(&layers),
        layers,
        bounds,
        scale,
        cells_view,
        legend,
    })
}

/// The features the map frames, what a partner acts on (issue 11): the labelled harm spots
/// (rank ≤ [`HARM_SPOT_LABELS`]) with the hotspot areas holding them (`area_id`); without
/// harm spots, every feature.
fn framed_features(layers: &[MapLayer]) -> Vec<&MapFeature> {
    let rank = |f: &MapFeature| prop(f, "rank").and_then(Value::as_u64);
    let of = |k: LayerKind| {
        layers
            .iter()
            .filter(move |l| l.kind == k)
            .flat_map(|l| &l.features)
    };
    let spots: Vec<&MapFeature> = of(LayerKind::HarmSpots)
        .filter(|f| rank(f).is_some_and(|r| r <= HARM_SPOT_LABELS))
        .collect();
    if !spots.is_empty() {
        let areas: Vec<u64> = spots
            .iter()
            .filter_map(|f| prop(f, "area_id").and_then(Value::as_u64))
            .collect();
        let mut out = spots;
        out.extend(of(LayerKind::Hotspots).filter(|f| {
            prop(f, "id")
                .and_then(Value::as_u64)
                .is_some_and(|id| areas.contains(&id))
        }));
        return out;
    }
    layers.iter().flat_map(|l| &l.features).collect()
}

/// A few run parameters from the layers' `"harmspot"` members (cells first, then hotspots,
/// areas, others; the first layer holding a key wins): analysis, cell size, bandwidth,
/// kernel, working CRS, minimum count.
fn footer_params(layers: &[MapLayer]) -> Vec<(String, String)> {
    let order = [
        LayerKind::Cells,
        LayerKind::Hotspots,
        LayerKind::Areas,
        LayerKind::Other,
    ];
    let get = |keys: &[&str]| -> Option<&Value> {
        order
            .iter()
            .flat_map(|k| layers.iter().filter(move |l| l.kind == *k))
            .find_map(|l| keys.iter().find_map(|k| l.params.get(*k)))
            .filter(|v| !v.is_null())
    };
    let text = |v: &Value, unit: &str| match v {
        Value::Number(n) => match n.as_f64() {
            Some(x) if unit.is_empty() => fmt_value(x),
            Some(x) => format!("{} {unit}", fmt_value(x)),
            None => n.to_string(),
        },
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    let items: [(&str, &[&str], &str); 6] = [
        ("analysis", &["analysis"], ""),
        ("cell size", &["cell_size"], "m"),
        ("bandwidth", &["bandwidth"], "m"),
        ("kernel", &["kernel"], ""),
        ("working CRS", &["working_crs", "crs"], ""),
        ("min count", &["min_count"], ""),
    ];
    for (name, keys, unit) in items {
        if let Some(v) = get(keys) {
            out.push((name.to_string(), text(v, unit)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fc(v: Value) -> FeatureCollection {
        serde_json::from_value(v).unwrap()
    }

    fn square(x: f64, y: f64, d: f64) -> Value {
        json!({"type": "Polygon", "coordinates": [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]})
    }

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
    fn ramp_spreads_over_yl_or_rd() {
        assert_eq!(ramp(9), YLORRD.to_vec());
        assert_eq!(ramp(2), vec![YLORRD[0], YLORRD[8]]);
        assert_eq!(ramp(3), vec![YLORRD[0], YLORRD[4], YLORRD[8]]);
    }

    #[test]
    fn fmt_value_and_lengths() {
        assert_eq!(fmt_value(-0.0001), "-0.000100");
        assert_eq!(fmt_value(5.5), "5.50");
        assert_eq!(fmt_value(150.0), "150");
        assert_eq!(fmt_length(1500.0), "1.5 km");
        assert_eq!(nice_length(99.0), 50.0);
        assert_eq!(nice_length(100.0), 100.0);
    }

    #[test]
    fn suppressed_never_zero_and_orders_layers() {
        let cells = fc(
            json!({"type": "FeatureCollection", "harmspot": {"cell_size": 100, "bandwidth": 250.4, "working_crs": "EPSG:27700", "min_count": 5},
            "features": [
                {"type": "Feature", "geometry": square(-1.6, 55.0, 0.01), "properties": {"density": 0.0, "class": 0}},
                {"type": "Feature", "geometry": square(-1.59, 55.0, 0.01), "properties": {"density": null, "class": null}},
                {"type": "Feature", "geometry": square(-1.58, 55.0, 0.01), "properties": {"density": 8.0, "class": 3}},
                {"type": "Feature", "geometry": square(-1.57, 55.0, 0.01), "properties": {"class": -2}},
                {"type": "Feature", "geometry": null, "properties": {"density": 1.0}}
            ]}),
        );
        let hot = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": square(-1.58, 55.0, 0.01), "properties": {"rank": 1, "harm": null}}]}));
        let areas = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": square(-1.6, 55.0, 0.03), "properties": {"role": "Treatment", "name": "Hub <A>"}},
            {"type": "Feature", "geometry": square(-1.61, 54.99, 0.05), "properties": {"role": "buffer", "name": "ring"}}]}));
        let other = fc(
            json!({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-1.55, 55.02]}, "properties": {}}]}),
        );
        let map = build(
            vec![
                ("r/hotspots.geojson".into(), hot),
                ("r/points.geojson".into(), other),
                ("r/areas.geojson".into(), areas),
                ("r/cells.geojson".into(), cells),
            ],
            &MapParams::default().classes(3),
        )
        .unwrap();
        let kinds: Vec<_> = map.layers.iter().map(|l| l.kind).collect();
        assert_eq!(
            kinds,
            vec![
                LayerKind::Cells,
                LayerKind::Other,
                LayerKind::Areas,
                LayerKind::Hotspots
            ]
        );
        let cells = &map.layers[0];
        assert_eq!(cells.skipped, 1);
        let fills: Vec<_> = cells.features.iter().map(|f| f.fill.unwrap()).collect();
        // Values {0, 8}: two distinct values, so two classes; null is suppressed, missing is no value.
        assert_eq!(map.scale.as_ref().unwrap().breaks, vec![0.0, 8.0]);
        assert_eq!(
            fills,
            vec![
                CellFill::Class(0),
                CellFill::Suppressed,
                CellFill::Class(1),
                CellFill::NoValue
            ]
        );
        let gi: Vec<_> = cells.features.iter().map(|f| f.gi.unwrap()).collect();
        assert_eq!(
            gi,
            vec![
                GiFill::Class(0),
                GiFill::Suppressed,
                GiFill::Class(3),
                GiFill::Class(-2)
            ]
        );
        assert_eq!(map.cells_view, CellsView::Density);
        assert_eq!(
            map.static_groups(),
            vec!["cells", "points", "areas", "hotspots"]
        );
        let sec = map.legend.iter().find(|s| s.group == "cells").unwrap();
        assert!(
            sec.entries
                .iter()
                .any(|e| e.swatch == Swatch::Hatch
                    && e.label == "Suppressed (fewer than 5 incidents)")
        );
        assert!(map.legend.iter().any(|s| s.group == "cells-gistar"));
        assert_eq!(map.legend[0].group, "hotspots");
        let areas = &map.layers[2];
        assert_eq!(areas.features[0].role, Some(Role::Treatment));
        let lab = areas.features[0].label.clone().unwrap();
        assert_eq!(lab.text, "Hub <A>");
        assert!(
            lab.above && (lab.at[0] + 1.585).abs() < 1e-12 && (lab.at[1] - 55.03).abs() < 1e-12
        );
        assert!(areas.features[1].label.is_none());
        let hot = &map.layers[3];
        let Label { text, at: p, above } = hot.features[0].label.clone().unwrap();
        assert_eq!(text, "1");
        assert!(!above);
        assert!(p[0] > -1.58 && p[0] < -1.57 && p[1] > 55.0 && p[1] < 55.01);
        assert_eq!(prop(&hot.features[0], "harm"), Some(&Value::Null));
        assert_eq!(
            map.params,
            vec![
                ("cell size".to_string(), "100 m".to_string()),
                ("bandwidth".to_string(), "250 m".to_string()),
                ("working CRS".to_string(), "EPSG:27700".to_string()),
                ("min count".to_string(), "5".to_string()),
            ]
        );
        assert_eq!(map.bounds, [-1.61, 54.99, -1.55, 55.04]);
    }

    #[test]
    fn gistar_view_chosen_without_density() {
        let cells = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": square(0.0, 50.0, 0.01), "properties": {"n": 3, "gistar": 2.5, "class": 2}}]}));
        let map = build(
            vec![("cells.geojson".into(), cells.clone())],
            &MapParams::default(),
        )
        .unwrap();
        assert_eq!(map.cells_view, CellsView::Gistar);
        assert_eq!(map.static_groups(), vec!["cells-gistar"]);
        let map = build(
            vec![("cells.geojson".into(), cells)],
            &MapParams::default().cells(CellsView::Density),
        )
        .unwrap();
        assert_eq!(map.cells_view, CellsView::Density);
        let plain = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": square(0.0, 50.0, 0.01), "properties": {"n": 3}}]}));
        let e = build(
            vec![("cells.geojson".into(), plain)],
            &MapParams::default().cells(CellsView::Gistar),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("‹cells›: gistar asked for"),
            "{e}"
        );
    }

    #[test]
    fn refuses_projected_coordinates_and_empty_input() {
        let bng = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [424000.0, 564000.0]}, "properties": {}}]}));
        let e = build(
            vec![("x/hotspots.geojson".into(), bng)],
            &MapParams::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "x/hotspots.geojson:1: field `geometry`: position [424000, 564000] is not WGS84"
            ),
            "{e}"
        );
        let empty = fc(json!({"type": "FeatureCollection", "features": []}));
        let e = build(
            vec![("hotspots.geojson".into(), empty)],
            &MapParams::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("nothing to draw"), "{e}");
        let one = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}, "properties": {}}]}));
        let e = build(
            vec![("a.geojson".into(), one)],
            &MapParams::default().classes(12),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&crate::Param::Classes.to_string()),
            "{e}"
        );
    }

    #[test]
    fn large_generic_layers_start_hidden() {
        let pts: Vec<Value> = (0..=GENERIC_MAX_SHOWN)
            .map(|i| json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [i as f64 * 1e-5, 50.0]}, "properties": {}}))
            .collect();
        let big = fc(json!({"type": "FeatureCollection", "features": pts}));
        let small = fc(json!({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 50.0]}, "properties": {}}]}));
        let map = build(
            vec![("big.geojson".into(), big), ("small.geojson".into(), small)],
            &MapParams::default(),
        )
        .unwrap();
        assert_eq!(
            map.layers.iter().map(|l| l.shown).collect::<Vec<_>>(),
            vec![false, true]
        );
        assert_eq!(map.static_groups(), vec!["small"]);
        let big = map.legend.iter().find(|s| s.group == "big").unwrap();
        assert_eq!(
            big.note.as_deref(),
            Some("hidden at first: more than 5000 features")
        );
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

    #[test]
    fn slugs_are_unique_ids() {
        assert_eq!(slug("My Layer (2)"), "my-layer-2");
        assert_eq!(slug("***"), "layer");
        let p = |n: &str| -> (PathBuf, FeatureCollection) {
            (
                n.into(),
                fc(
                    json!({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.0, 0.0]}, "properties": {}}]}),
                ),
            )
        };
        let map = build(
            vec![p("a b.geojson"), p("a-b.geojson")],
            &MapParams::default(),
        )
        .unwrap();
        let ids: Vec<_> = map.layers.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, vec!["a-b", "a-b-2"]);
    }
}
