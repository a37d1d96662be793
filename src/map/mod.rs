//! Maps of a result folder: the GeoJSON layers other verbs wrote, read into a typed
//! [`MapData`] that [`html`] turns into one self-contained interactive page and [`png`] into
//! a static picture. Issue 7, "partner-ready outputs".
//!
//! **Layers.** Every `*.geojson` file at the top of the folder is a layer, by name
//! ([`LayerKind`]): `cells.geojson` (grid cells, coloured by a density scale and, when they
//! have a `class` property, by Gi* class), `areas.geojson` (before/after areas, styled by
//! their `role`: `treatment`, `buffer`, `control`), `hotspots.geojson` (outlined, labelled by
//! `rank`), `harmspots.geojson` (filled, the top ten labelled), `boundary.geojson` and the
//! context file (labelled outlines) and any other file (a generic layer in its own colour).
//! Coordinates must be WGS84 lon/lat (RFC 7946); a file outside ±180/±90 is refused, since it
//! was most likely written in a projected CRS. Features without geometry are counted and left
//! out.
//!
//! **Density scale.** The cells are coloured by the first of `density`, `harm`, `n` that
//! they carry, in classes over its non-null values: Jenks natural breaks (Jenks 1967, by
//! Fisher's 1958 exact programme) or quantiles ([`Breaks`], [`jenks_breaks`],
//! [`quantile_breaks`]), coloured over ColorBrewer's 9-class YlOrRd ramp (Harrower & Brewer
//! 2003).
//!
//! **Suppressed values.** A `null` value (disclosure control, issue 7) is never a zero: such a
//! cell is drawn hatched grey and listed as "suppressed" in the legend and popups. A cell
//! without the property at all (or with a non-number) is "no value", plain light grey.
//!
//! **Projection.** Both outputs draw in Web Mercator (EPSG:3857), the projection of XYZ
//! basemap tiles; north is up everywhere and scale bars use the ground scale at the map's
//! centre latitude (Mercator's scale factor is 1/cos φ).
//!
//! **Rooms.** [`load`](load()) reads a folder (module `load`: files, geometry, layer kinds);
//! [`build`] styles it: `cells` (density and Gi* fills), `overlay` (labels and legends of the
//! layers above the cells), `frame` (projection, extent, scale-bar lengths), `classify`
//! (breaks), `style` (colours), `legend` (legend types, number format). [`html`] and [`png`]
//! draw the result.

mod build;
mod cells;
mod classify;
mod frame;
pub mod html;
mod layer;
mod legend;
mod load;
mod overlay;
pub mod png;
mod run;
mod snapshot;
mod style;
#[cfg(test)]
mod tests;
mod title;

pub use build::build;
pub use classify::{jenks_breaks, quantile_breaks, Breaks, ColourScale, JENKS_SAMPLE};
pub use legend::{LegendEntry, LegendSection, Swatch};
pub use load::{geojson_files, load, read_collection};
pub use overlay::HARM_SPOT_LABELS;
pub use run::LayerRun;
pub use style::{gi_colour, gi_label, Rgb, Role};

use serde_json::Value;
use std::path::PathBuf;

/// The attribution every map carries (police.uk data are published under the OGL).
pub const ATTRIBUTION: &str =
    "Contains public sector information licensed under the Open Government Licence v3.0.";

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
pub enum Geometry {
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

/// One feature of a layer.
#[derive(Clone, Debug)]
pub struct MapFeature {
    /// Its parts, lon/lat.
    pub parts: Vec<Geometry>,
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

impl MapFeature {
    /// The value of property `key`, if the feature has it (`null` included).
    pub(crate) fn prop(&self, key: &str) -> Option<&Value> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
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
    /// What the collection's `"harmspot"` member says of the run that made it.
    pub run: LayerRun,
    /// Drawn at first: false for a generic layer of more than [`GENERIC_MAX_SHOWN`] features,
    /// which would bury the cells. The HTML lists it unticked; the PNG leaves it out.
    pub shown: bool,
}

/// Generic layers with more features than this start hidden (see [`MapLayer::shown`]).
pub const GENERIC_MAX_SHOWN: usize = 5000;

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

/// Parameters of [`build`] / [`load`]. Start from [`MapParams::default`].
#[derive(Clone, Debug, PartialEq)]
pub struct MapParams {
    /// Class breaks (default: [`Breaks::Jenks`]).
    pub breaks: Breaks,
    /// Number of density classes, 2 to 9 (default: 5).
    pub classes: usize,
    /// Title (default: the analysis, force and period the folder's manifest.json records, else
    /// "harmspot map: " and the folder name).
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
