//! A grid layer: named value columns over the cells of a [`Grid`], plus typed records of
//! what made them ([`crate::model::used`]). Analyses return layers; the publishing layer
//! ([`crate::publish`]) turns them into GeoJSON, GeoTIFF, CSV or ESRI ASCII grids.

use crate::model::grid::Grid;
use crate::model::params::disclosure::{Applied, Support};
use crate::model::params::kde::KdeUsed;
use crate::model::used::{RunRecord, Used};

/// Named per-cell values over a grid. Every column has one value per cell of
/// `grid.spec` (row-major ids); cells outside the study area hold whatever the analysis
/// defines (usually 0 for counts, NaN for statistics).
#[derive(Clone, Debug)]
pub struct Layer {
    /// The cells and the study area.
    pub grid: Grid,
    /// Columns in output order: (name, one value per cell).
    pub columns: Vec<(String, Vec<f64>)>,
    /// Each column's support, as the analysis that made it declared (same order as
    /// `columns`).
    pub supports: Vec<Support>,
    /// What the analysis used (bandwidth, cell size, sources, ...).
    pub used: Used,
    /// What the run read and decided (input, CRS, grid choices, manifest), when a command
    /// made the layer.
    pub run: Option<RunRecord>,
    /// The disclosure control applied to the columns, if any.
    pub disclosure: Option<Applied>,
}

impl Layer {
    /// An empty layer over `grid`.
    pub fn new(grid: Grid) -> Layer {
        Layer {
            grid,
            columns: Vec::new(),
            supports: Vec::new(),
            used: Used::Nothing,
            run: None,
            disclosure: None,
        }
    }

    /// Adds (or replaces) a column, with its support: the incidents each value is built
    /// from ([`Support`]). Panics if its length is not the number of cells, which is a
    /// programming error, not an input problem.
    pub fn set(&mut self, name: &str, values: Vec<f64>, support: Support) {
        assert_eq!(
            values.len(),
            self.grid.spec.len(),
            "column {name} has the wrong length"
        );
        match self.columns.iter().position(|(n, _)| n == name) {
            Some(i) => {
                self.columns[i].1 = values;
                self.supports[i] = support;
            }
            None => {
                self.columns.push((name.to_string(), values));
                self.supports.push(support);
            }
        }
    }

    /// A column's declared support.
    pub fn support(&self, name: &str) -> Option<&Support> {
        let i = self.columns.iter().position(|(n, _)| n == name)?;
        self.supports.get(i)
    }

    /// A column by name.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// The kernel density behind the layer, if it has one (`kde`, `hotspots`).
    pub fn kde_used(&self) -> Option<&KdeUsed> {
        match &self.used {
            Used::Kde(k) => Some(k),
            Used::Hotspots(h) => Some(&h.kde),
            _ => None,
        }
    }
}
