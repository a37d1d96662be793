//! A grid layer: named value columns over the cells of a [`Grid`], plus the run parameters
//! that every output records. Analyses return layers; writers turn them into GeoJSON,
//! GeoTIFF, CSV or ESRI ASCII grids.

use crate::grid::Grid;
use serde_json::{Map, Value};

/// Named per-cell values over a grid. Every column has one value per cell of
/// `grid.spec` (row-major ids); cells outside the study area hold whatever the analysis
/// defines (usually 0 for counts, NaN for statistics).
#[derive(Clone, Debug)]
pub struct Layer {
    /// The cells and the study area.
    pub grid: Grid,
    /// Columns in output order: (name, one value per cell).
    pub columns: Vec<(String, Vec<f64>)>,
    /// Run parameters recorded in every output (cell size, bandwidth, kernel, CRS, ...).
    pub params: Map<String, Value>,
}

impl Layer {
    /// An empty layer over `grid`.
    pub fn new(grid: Grid) -> Layer {
        Layer {
            grid,
            columns: Vec::new(),
            params: Map::new(),
        }
    }

    /// Adds (or replaces) a column. Panics if its length is not the number of cells, which
    /// is a programming error, not an input problem.
    pub fn set(&mut self, name: &str, values: Vec<f64>) {
        assert_eq!(
            values.len(),
            self.grid.spec.len(),
            "column {name} has the wrong length"
        );
        match self.columns.iter_mut().find(|(n, _)| n == name) {
            Some(c) => c.1 = values,
            None => self.columns.push((name.to_string(), values)),
        }
    }

    /// A column by name.
    pub fn get(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Records a run parameter.
    pub fn param(&mut self, key: &str, value: impl Into<Value>) {
        self.params.insert(key.to_string(), value.into());
    }
}
