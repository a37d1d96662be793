//! Square and hexagonal grids in the working CRS (METHODS §4).
//!
//! Cells snap to a fixed origin — multiples of the cell size from the CRS origin — so grids
//! made from different periods or runs share cells. A [`Grid`] is a rectangular block of
//! cells plus the study area: the cells whose values enter statistics, zero counts
//! included. Without a boundary the study area is the convex hull of the incidents buffered
//! by one cell (ArcGIS's convention without a boundary).
//!
//! Square cells have side `cell_size`. Hexagons are flat-topped with flat-to-flat height
//! `cell_size`; columns are `√3/2 · cell_size` apart and odd columns are shifted up by half a
//! cell, so each hexagon's six neighbours are exactly `cell_size` away.

use crate::error::{Error, Result};
use geo::{ConvexHull, Distance, Euclidean, MultiPoint, MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use serde::Serialize;

/// Cell shape.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// Square cells (default).
    #[default]
    Square,
    /// Flat-topped hexagons, size = flat-to-flat height.
    Hex,
}

/// The geometry of a block of cells: shape, size (metres) and the global index of its first
/// column and row. Cell ids are row-major: `id = row * nx + col`.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct GridSpec {
    /// Cell shape.
    pub shape: Shape,
    /// Side (square) or flat-to-flat height (hex), metres.
    pub cell_size: f64,
    /// Global column index of column 0.
    pub col0: i64,
    /// Global row index of row 0.
    pub row0: i64,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
}

const SQRT3_2: f64 = 0.866_025_403_784_438_6;

/// Largest grid harmspot will allocate, in cells (≈ 1.6 GB per f64 layer).
pub const MAX_CELLS: usize = 200_000_000;

impl GridSpec {
    /// The smallest snapped block covering `extent = [xmin, ymin, xmax, ymax]`.
    ///
    /// ```
    /// use harmspot::grid::{GridSpec, Shape};
    /// let g = GridSpec::covering(Shape::Square, 100.0, [420_050.0, 560_010.0, 420_390.0, 560_200.0]).unwrap();
    /// assert_eq!((g.col0, g.row0, g.nx, g.ny), (4200, 5600, 4, 3));
    /// assert_eq!(g.centre(0), [420_050.0, 560_050.0]);
    /// ```
    pub fn covering(shape: Shape, cell_size: f64, extent: [f64; 4]) -> Result<GridSpec> {
        use crate::model::limits::{MAX_CELL_SIZE, MIN_CELL_SIZE};
        if !(cell_size.is_finite() && (MIN_CELL_SIZE..=MAX_CELL_SIZE).contains(&cell_size)) {
            return Err(Error::param(crate::Param::CellSize,
                format!("must be a positive length in metres, from {MIN_CELL_SIZE} to {MAX_CELL_SIZE}, got {cell_size:?}"),
            ));
        }
        if !extent.iter().all(|v| v.is_finite()) || extent[0] > extent[2] || extent[1] > extent[3] {
            return Err(Error::param(
                crate::Param::Extent,
                "must be xmin,ymin,xmax,ymax with min ≤ max",
            ));
        }
        let (c0, c1, r0, r1) = match shape {
            Shape::Square => (
                (extent[0] / cell_size).floor(),
                (extent[2] / cell_size).floor(),
                (extent[1] / cell_size).floor(),
                (extent[3] / cell_size).floor(),
            ),
            Shape::Hex => {
                let dx = SQRT3_2 * cell_size;
                (
                    (extent[0] / dx).round() - 1.0,
                    (extent[2] / dx).round() + 1.0,
                    (extent[1] / cell_size).floor() - 1.0,
                    (extent[3] / cell_size).ceil() + 1.0,
                )
            }
        };
        let (nx, ny) = (c1 - c0 + 1.0, r1 - r0 + 1.0);
        if nx * ny > MAX_CELLS as f64 {
            return Err(Error::TooLarge(format!(
                "the grid would have {nx:.0} x {ny:.0} = {:.0} cells at {cell_size} m ({:.1} GB per layer), more than the {MAX_CELLS} harmspot allows: use a larger ‹cell_size›, or limit the area with ‹extent› or ‹boundary› (a stray point far away can blow up the extent: run `harmspot info`)",
                nx * ny,
                nx * ny * 8.0 / 1e9
            )));
        }
        Ok(GridSpec {
            shape,
            cell_size,
            col0: c0 as i64,
            row0: r0 as i64,
            nx: nx as usize,
            ny: ny as usize,
        })
    }

    /// Number of cells in the block.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// Whether the block has no cells.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Area of one cell in m².
    pub fn cell_area(&self) -> f64 {
        match self.shape {
            Shape::Square => self.cell_size * self.cell_size,
            Shape::Hex => SQRT3_2 * self.cell_size * self.cell_size,
        }
    }

    /// (column, row) of cell `id`.
    pub fn col_row(&self, id: usize) -> (usize, usize) {
        (id % self.nx, id / self.nx)
    }

    /// Centre of the cell at global column/row.
    fn global_centre(&self, gc: i64, gr: i64) -> [f64; 2] {
        let s = self.cell_size;
        match self.shape {
            Shape::Square => [(gc as f64 + 0.5) * s, (gr as f64 + 0.5) * s],
            Shape::Hex => {
                let shift = if gc.rem_euclid(2) == 1 { 0.5 * s } else { 0.0 };
                [gc as f64 * SQRT3_2 * s, gr as f64 * s + shift]
            }
        }
    }

    /// Centre of cell `id`, working-CRS metres.
    pub fn centre(&self, id: usize) -> [f64; 2] {
        let (c, r) = self.col_row(id);
        self.global_centre(self.col0 + c as i64, self.row0 + r as i64)
    }

    /// The cell containing `p`, or `None` outside the block. Square cells own their lower
    /// and left edges; a point equidistant from two hexagon centres goes to the lower column,
    /// then the lower row.
    #[inline]
    pub fn locate(&self, p: [f64; 2]) -> Option<usize> {
        let s = self.cell_size;
        let (gc, gr) = match self.shape {
            Shape::Square => ((p[0] / s).floor() as i64, (p[1] / s).floor() as i64),
            Shape::Hex => {
                let c = (p[0] / (SQRT3_2 * s)).round() as i64;
                let mut best = (f64::INFINITY, 0, 0);
                for gc in c - 1..=c + 1 {
                    let shift = if gc.rem_euclid(2) == 1 { 0.5 * s } else { 0.0 };
                    let gr = ((p[1] - shift) / s).round() as i64;
                    let q = self.global_centre(gc, gr);
                    let d = (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2);
                    if d < best.0 {
                        best = (d, gc, gr);
                    }
                }
                (best.1, best.2)
            }
        };
        let (c, r) = (gc - self.col0, gr - self.row0);
        (c >= 0 && r >= 0 && (c as usize) < self.nx && (r as usize) < self.ny)
            .then(|| r as usize * self.nx + c as usize)
    }

    /// The cell's outline: a closed ring, counter-clockwise, first point repeated last.
    pub fn ring(&self, id: usize) -> Vec<[f64; 2]> {
        let [cx, cy] = self.centre(id);
        let h = self.cell_size / 2.0;
        match self.shape {
            Shape::Square => vec![
                [cx - h, cy - h],
                [cx + h, cy - h],
                [cx + h, cy + h],
                [cx - h, cy + h],
                [cx - h, cy - h],
            ],
            Shape::Hex => {
                let r = self.cell_size / (2.0 * SQRT3_2); // circumradius
                let mut v: Vec<[f64; 2]> = (0..6)
                    .map(|k| {
                        let a = std::f64::consts::PI / 3.0 * k as f64;
                        [cx + r * a.cos(), cy + r * a.sin()]
                    })
                    .collect();
                v.push(v[0]);
                v
            }
        }
    }

    /// `[xmin, ymin, xmax, ymax]` of the block's cells.
    pub fn bounds(&self) -> [f64; 4] {
        let a = self.ring(0);
        let b = self.ring(self.len() - 1);
        let (xs, ys) = (
            a.iter().chain(&b).map(|p| p[0]),
            a.iter().chain(&b).map(|p| p[1]),
        );
        [
            xs.clone().fold(f64::INFINITY, f64::min),
            ys.clone().fold(f64::INFINITY, f64::min),
            xs.fold(f64::NEG_INFINITY, f64::max),
            ys.fold(f64::NEG_INFINITY, f64::max),
        ]
    }

    /// Refuses a neighbour distance whose neighbourhood (the cells
    /// [`GridSpec::neighbour_offsets`] enumerates) exceeds
    /// [`crate::model::limits::MAX_NEIGHBOURHOOD_CELLS`], or that is not a finite length.
    ///
    /// ```
    /// use harmspot::grid::{GridSpec, Shape};
    /// let g = GridSpec::covering(Shape::Square, 100.0, [0.0, 0.0, 1000.0, 1000.0]).unwrap();
    /// assert!(g.check_neighbourhood(150.0).is_ok());
    /// assert!(g.check_neighbourhood(1e7).is_err());
    /// assert!(g.check_neighbourhood(1e308).is_err());
    /// ```
    pub fn check_neighbourhood(&self, distance: f64) -> Result<()> {
        let reach = (distance / (SQRT3_2 * self.cell_size)).ceil() + 2.0;
        let cells = (2.0 * reach + 1.0).powi(2);
        crate::model::limits::check(
            "cells in one neighbourhood",
            if cells.is_finite() && cells >= 0.0 {
                cells as u64
            } else {
                u64::MAX
            },
            crate::model::limits::MAX_NEIGHBOURHOOD_CELLS,
            "‹neighbour_distance› (or use a larger ‹cell_size›)",
        )
    }

    /// Offsets `(dcol, drow)` of the cells whose centres are within `distance` metres of a
    /// cell's centre (itself included), for a cell in an even (`odd = false`) or odd global
    /// column. Square grids ignore `odd`. Sorted, so sums over them have a fixed order.
    pub fn neighbour_offsets(&self, distance: f64, odd: bool) -> Vec<(i64, i64)> {
        let s = self.cell_size;
        let reach = (distance / (SQRT3_2 * s)).ceil() as i64 + 1;
        let gc = if odd { 1 } else { 0 };
        let o = self.global_centre(gc, 0);
        let mut v = Vec::new();
        for dc in -reach..=reach {
            for dr in -reach..=reach {
                let q = self.global_centre(gc + dc, dr);
                let d = ((q[0] - o[0]).powi(2) + (q[1] - o[1]).powi(2)).sqrt();
                if d <= distance * (1.0 + 1e-9) {
                    v.push((dc, dr));
                }
            }
        }
        v
    }

    /// Whether cell `id` lies in an odd global column (matters for hexagon neighbours).
    pub fn odd_column(&self, id: usize) -> bool {
        (self.col0 + (id % self.nx) as i64).rem_euclid(2) == 1
    }

    /// The id of the cell `(dcol, drow)` away from `id`, if inside the block.
    #[inline]
    pub fn offset(&self, id: usize, dc: i64, dr: i64) -> Option<usize> {
        let (c, r) = self.col_row(id);
        let (c, r) = (c as i64 + dc, r as i64 + dr);
        (c >= 0 && r >= 0 && (c as usize) < self.nx && (r as usize) < self.ny)
            .then(|| r as usize * self.nx + c as usize)
    }
}

/// Automatic cell size: the shorter side of the extent / 250 (ArcGIS Kernel Density's
/// rule, METHODS §3), rounded to a round number (1, 2, 2.5 or 5 × 10ᵏ m) and never below
/// 50 m, since police.uk locations are snapped to map points and finer cells are spurious
/// precision.
///
/// ```
/// // a 30 km x 20 km area: 20 000 / 250 = 80 m, rounded to 100 m
/// assert_eq!(harmspot::grid::auto_cell_size([0.0, 0.0, 30_000.0, 20_000.0]), 100.0);
/// assert_eq!(harmspot::grid::auto_cell_size([0.0, 0.0, 500.0, 500.0]), 50.0);
/// ```
pub fn auto_cell_size(extent: [f64; 4]) -> f64 {
    let short = (extent[2] - extent[0]).min(extent[3] - extent[1]);
    nice(short / 250.0).max(50.0)
}

/// Rounds to the nearest of 1, 2, 2.5, 5 × 10ᵏ (on a log scale).
pub fn nice(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 0.0;
    }
    let k = v.log10().floor();
    let base = 10f64.powf(k);
    let m = v / base;
    let choices: [f64; 5] = [1.0, 2.0, 2.5, 5.0, 10.0];
    let best = choices
        .iter()
        .min_by(|a, b| (m.ln() - a.ln()).abs().total_cmp(&(m.ln() - b.ln()).abs()))
        .unwrap_or(&1.0);
    best * base
}

/// A block of cells plus the study area: the cells whose values enter statistics.
#[derive(Clone, Debug)]
pub struct Grid {
    /// The cells.
    pub spec: GridSpec,
    /// Whether each cell is in the study area.
    pub in_area: Vec<bool>,
    /// How the study area was defined, for reports.
    pub area_note: String,
}

impl Grid {
    /// Every cell of the block covering `extent` is in the study area (`--extent`).
    pub fn from_extent(shape: Shape, cell_size: f64, extent: [f64; 4]) -> Result<Grid> {
        let spec = GridSpec::covering(shape, cell_size, extent)?;
        let in_area: Vec<bool> = (0..spec.len())
            .map(|i| {
                let c = spec.centre(i);
                c[0] >= extent[0] && c[0] <= extent[2] && c[1] >= extent[1] && c[1] <= extent[3]
            })
            .collect();
        Ok(Grid {
            spec,
            in_area,
            area_note: format!(
                "cells whose centre lies in the extent {:.0},{:.0},{:.0},{:.0}",
                extent[0], extent[1], extent[2], extent[3]
            ),
        })
    }

    /// The study area is the convex hull of `xy` buffered by one cell: cells whose centre is
    /// within `cell_size` of the hull.
    pub fn from_points(shape: Shape, cell_size: f64, xy: &[[f64; 2]]) -> Result<Grid> {
        if xy.is_empty() {
            return Err(Error::NoData("no incidents to build a grid on".into()));
        }
        let mp: MultiPoint<f64> = xy.iter().map(|p| Point::new(p[0], p[1])).collect();
        let hull: Polygon<f64> = mp.convex_hull();
        let b = crate::model::incident::bbox(xy).expect("non-empty");
        let pad = cell_size;
        let spec = GridSpec::covering(
            shape,
            cell_size,
            [b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad],
        )?;
        let in_area: Vec<bool> = (0..spec.len())
            .into_par_iter()
            .map(|i| {
                let c = spec.centre(i);
                Euclidean.distance(&Point::new(c[0], c[1]), &hull) <= cell_size
            })
            .collect();
        Ok(Grid {
            spec,
            in_area,
            area_note:
                "cells whose centre lies within one cell of the convex hull of the incidents".into(),
        })
    }

    /// The study area is the cells whose centre lies inside `boundary` (working CRS).
    pub fn from_boundary(
        shape: Shape,
        cell_size: f64,
        boundary: &MultiPolygon<f64>,
    ) -> Result<Grid> {
        use geo::{BoundingRect, Contains};
        let r = boundary
            .bounding_rect()
            .ok_or_else(|| Error::param(crate::Param::Boundary, "boundary has no area"))?;
        let spec = GridSpec::covering(
            shape,
            cell_size,
            [r.min().x, r.min().y, r.max().x, r.max().y],
        )?;
        let in_area: Vec<bool> = (0..spec.len())
            .into_par_iter()
            .map(|i| {
                let c = spec.centre(i);
                boundary.contains(&Point::new(c[0], c[1]))
            })
            .collect();
        if !in_area.iter().any(|b| *b) {
            return Err(Error::param(
                crate::Param::Boundary,
                format!("no cell centre of {cell_size} m cells falls inside the boundary"),
            ));
        }
        Ok(Grid {
            spec,
            in_area,
            area_note: "cells whose centre lies inside the boundary".into(),
        })
    }

    /// Number of cells in the study area.
    pub fn area_cells(&self) -> usize {
        self.in_area.iter().filter(|b| **b).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_locate_owns_lower_left_edges() {
        let g = GridSpec::covering(Shape::Square, 10.0, [0.0, 0.0, 29.0, 19.0]).unwrap();
        assert_eq!((g.nx, g.ny), (3, 2));
        assert_eq!(g.locate([0.0, 0.0]), Some(0));
        assert_eq!(g.locate([10.0, 0.0]), Some(1));
        assert_eq!(g.locate([9.999, 10.0]), Some(3));
        assert_eq!(g.locate([30.0, 0.0]), None);
        assert_eq!(g.locate([-0.1, 0.0]), None);
    }

    #[test]
    fn snapping_makes_grids_share_cells() {
        let a = GridSpec::covering(Shape::Square, 250.0, [1000.0, 1000.0, 5000.0, 5000.0]).unwrap();
        let b = GridSpec::covering(Shape::Square, 250.0, [1100.0, 900.0, 6000.0, 4000.0]).unwrap();
        let p = [2345.0, 3456.0];
        assert_eq!(
            a.centre(a.locate(p).unwrap()),
            b.centre(b.locate(p).unwrap())
        );
    }

    #[test]
    fn hexagons_tile_the_plane_and_have_six_neighbours_at_cell_size() {
        let g = GridSpec::covering(Shape::Hex, 100.0, [0.0, 0.0, 1000.0, 1000.0]).unwrap();
        // every point goes to its nearest centre
        let mut r = crate::Rng::new(5);
        for _ in 0..2000 {
            let p = [100.0 + 800.0 * r.uniform(), 100.0 + 800.0 * r.uniform()];
            let id = g.locate(p).unwrap();
            let c = g.centre(id);
            let d = (c[0] - p[0]).hypot(c[1] - p[1]);
            let best = (0..g.len())
                .map(|j| {
                    let q = g.centre(j);
                    (q[0] - p[0]).hypot(q[1] - p[1])
                })
                .fold(f64::INFINITY, f64::min);
            assert!((d - best).abs() < 1e-9);
        }
        for odd in [false, true] {
            let n = g.neighbour_offsets(100.0 * 2f64.sqrt(), odd);
            assert_eq!(n.len(), 7, "{n:?}"); // self + 6
        }
        assert!((g.cell_area() - 8660.254).abs() < 0.01);
    }

    #[test]
    fn square_queen_neighbours() {
        let g = GridSpec::covering(Shape::Square, 50.0, [0.0, 0.0, 500.0, 500.0]).unwrap();
        assert_eq!(g.neighbour_offsets(50.0 * 2f64.sqrt(), false).len(), 9);
        assert_eq!(g.neighbour_offsets(50.0, false).len(), 5);
    }

    #[test]
    fn rings_are_closed_and_counter_clockwise() {
        for shape in [Shape::Square, Shape::Hex] {
            let g = GridSpec::covering(shape, 100.0, [0.0, 0.0, 300.0, 300.0]).unwrap();
            let r = g.ring(4);
            assert_eq!(r.first(), r.last());
            let area2: f64 = r
                .windows(2)
                .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
                .sum();
            assert!((area2 / 2.0 - g.cell_area()).abs() < 1e-6, "{shape:?}");
        }
    }

    #[test]
    fn refuses_bad_and_huge_grids() {
        assert!(GridSpec::covering(Shape::Square, 0.0, [0.0, 0.0, 1.0, 1.0]).is_err());
        assert!(GridSpec::covering(Shape::Square, -5.0, [0.0, 0.0, 1.0, 1.0]).is_err());
        let e = GridSpec::covering(Shape::Square, 1.0, [0.0, 0.0, 1e6, 1e6]).unwrap_err();
        assert!(
            e.to_string().contains(&crate::Param::CellSize.to_string()),
            "{e}"
        );
    }

    #[test]
    fn hull_study_area_includes_one_cell_buffer() {
        let pts = [[0.0, 0.0], [1000.0, 0.0], [0.0, 1000.0]];
        let g = Grid::from_points(Shape::Square, 100.0, &pts).unwrap();
        let inside = |p: [f64; 2]| g.in_area[g.spec.locate(p).unwrap()];
        assert!(inside([50.0, 50.0]));
        assert!(inside([-50.0, 50.0])); // within one cell outside the hull
        assert!(!inside([950.0, 950.0])); // far outside the hypotenuse
    }

    #[test]
    fn nice_numbers() {
        assert_eq!(nice(80.0), 100.0);
        assert_eq!(nice(230.0), 250.0);
        assert_eq!(nice(140.0), 100.0);
        assert_eq!(nice(160.0), 200.0);
    }
}
