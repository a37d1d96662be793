//! A comparison whose estimated work exceeds its limit (`harmspot compare`'s bounded
//! work, estimated in `compare::work` before the work starts): plain data the error type
//! wraps.

use super::Param;
use std::fmt;

/// A step of a comparison whose work grows faster than its input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Checking (and repairing) the polygons with geo's `Validation`.
    CheckPolygons,
    /// Measuring the overlaps between every pair of areas.
    Overlaps,
    /// Drawing the buffer rings.
    BufferRings,
    /// Counting incidents in the polygons (point-in-polygon).
    Counting,
}

/// A comparison whose estimated work exceeds a limit. Generalise the polygons, split the
/// areas file or leave out the buffers, as the message says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkError {
    /// The step that would take too long.
    pub step: Step,
    /// The estimate, in the step's unit.
    pub estimate: u64,
    /// The limit, in the same unit.
    pub limit: u64,
    /// The input that contributes most, in words (e.g. "area `star` (feature 1), 40,001
    /// vertices").
    pub largest: String,
    /// The parameter to change.
    pub parameter: Param,
}

impl fmt::Display for WorkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.parameter;
        let (what, unit, advice) = match self.step {
            Step::CheckPolygons => (
                "checking the polygons",
                "segment pairs to test",
                format!("generalise the polygons of {p} (e.g. mapshaper -simplify) to a few thousand vertices each"),
            ),
            Step::Overlaps => (
                "measuring the overlaps between areas",
                "vertex visits",
                format!("split {p} into files of fewer areas, or generalise their polygons"),
            ),
            Step::BufferRings => (
                "drawing the buffer rings",
                "vertex operations",
                format!("split {p} into files of fewer areas, generalise their polygons, or leave out \u{2039}buffer\u{203a}"),
            ),
            Step::Counting => (
                "counting incidents in the polygons",
                "point-in-polygon vertex tests",
                format!("generalise the polygons of {p}, or keep fewer incidents (\u{2039}from\u{203a}, \u{2039}to\u{203a}, \u{2039}types\u{203a})"),
            ),
        };
        write!(
            f,
            "{what} needs an estimated {} {unit} ({}), over the limit of {}: {advice}",
            grouped(self.estimate),
            self.largest,
            grouped(self.limit)
        )
    }
}

impl std::error::Error for WorkError {}

/// `1234567` as `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
