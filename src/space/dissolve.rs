//! Merging grid cells into polygons, exactly (issue 4: hotspot polygons).
//!
//! Cells are grouped into contiguous sets and each set's outline is traced on the grid
//! lattice: an edge between a member cell and a non-member is a boundary edge, directed
//! with the member on its left, and boundary edges are chained into rings. Vertices are
//! integer lattice keys, so shared edges cancel exactly and there can be no slivers or gaps
//! between neighbouring cells; coordinates are made from the keys only at the end.
//!
//! * **Contiguity: rook (shared edge).** Two square cells that touch only at a corner are
//!   separate polygons. Gi* uses queen neighbours (√2 × cell), but a polygon joined at a
//!   single point is not a usable patrol area, is invalid as one OGC/GeoJSON polygon ring,
//!   and would merge two hotspots whose shared "border" has zero length. On hex grids every
//!   neighbour shares an edge, so rook and queen agree.
//! * **Rings.** Exterior counter-clockwise, holes clockwise (RFC 7946), first point repeated
//!   last, collinear points removed, each ring starting at its lowest-then-leftmost vertex.
//!   Where a polygon's own cells meet diagonally around a hole, the tracer turns right, so
//!   the hole becomes its own ring touching the exterior at one point (valid OGC) rather than
//!   a self-touching exterior.
//! * **Hexagons** (flat-topped, see [`crate::model::grid`]): vertex keys are `(X, Y)` with
//!   x = X · s/(2√3), y = Y · s/2 for cell size s; a centre in global column c, row r is
//!   `(3c, 2r + c mod 2)` and its six vertices are `(±2, 0)`, `(±1, ±1)` away.

use crate::model::grid::{GridSpec, Shape};
use std::collections::HashMap;

/// A polygon made of grid cells, in working-CRS metres.
#[derive(Clone, Debug, PartialEq)]
pub struct CellPolygon {
    /// Member cell ids (row-major ids of the grid block), ascending.
    pub cells: Vec<usize>,
    /// Exterior ring, counter-clockwise, closed (first point repeated last).
    pub exterior: Vec<[f64; 2]>,
    /// Holes, clockwise, closed.
    pub holes: Vec<Vec<[f64; 2]>>,
}

impl CellPolygon {
    /// Area in m²: exterior minus holes (equals cells × cell area).
    pub fn area(&self) -> f64 {
        ring_area(&self.exterior) + self.holes.iter().map(|h| ring_area(h)).sum::<f64>()
    }

    /// Exterior then holes, as GeoJSON polygon rings.
    pub fn rings(&self) -> Vec<Vec<[f64; 2]>> {
        std::iter::once(self.exterior.clone())
            .chain(self.holes.iter().cloned())
            .collect()
    }
}

fn ring_area(r: &[[f64; 2]]) -> f64 {
    r.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        / 2.0
}

type Key = (i64, i64);

/// Lattice geometry of one shape.
struct Lattice<'a> {
    g: &'a GridSpec,
}

const SQUARE_CORNERS: [Key; 4] = [(0, 0), (1, 0), (1, 1), (0, 1)];
const SQUARE_ACROSS: [Key; 4] = [(0, -1), (1, 0), (0, 1), (-1, 0)];
const HEX_VERTS: [Key; 6] = [(2, 0), (1, 1), (-1, 1), (-2, 0), (-1, -1), (1, -1)];

impl Lattice<'_> {
    fn global(&self, id: usize) -> (i64, i64) {
        let (c, r) = self.g.col_row(id);
        (self.g.col0 + c as i64, self.g.row0 + r as i64)
    }

    fn local(&self, gc: i64, gr: i64) -> Option<usize> {
        let (c, r) = (gc - self.g.col0, gr - self.g.row0);
        (c >= 0 && r >= 0 && (c as usize) < self.g.nx && (r as usize) < self.g.ny)
            .then(|| r as usize * self.g.nx + c as usize)
    }

    /// Boundary candidates of cell `id`: (edge start, edge end, neighbour across) counter-
    /// clockwise around the cell; the neighbour is `None` outside the block.
    fn edges(&self, id: usize) -> Vec<(Key, Key, Option<usize>)> {
        let (gc, gr) = self.global(id);
        match self.g.shape {
            Shape::Square => (0..4)
                .map(|k| {
                    let a = SQUARE_CORNERS[k];
                    let b = SQUARE_CORNERS[(k + 1) % 4];
                    let n = SQUARE_ACROSS[k];
                    (
                        (gc + a.0, gr + a.1),
                        (gc + b.0, gr + b.1),
                        self.local(gc + n.0, gr + n.1),
                    )
                })
                .collect(),
            Shape::Hex => {
                let (x, y) = (3 * gc, 2 * gr + gc.rem_euclid(2));
                (0..6)
                    .map(|k| {
                        let a = HEX_VERTS[k];
                        let b = HEX_VERTS[(k + 1) % 6];
                        let (nx, ny) = (x + a.0 + b.0, y + a.1 + b.1);
                        let ngc = nx.div_euclid(3);
                        let ngr = (ny - ngc.rem_euclid(2)).div_euclid(2);
                        ((x + a.0, y + a.1), (x + b.0, y + b.1), self.local(ngc, ngr))
                    })
                    .collect()
            }
        }
    }

    fn point(&self, k: Key) -> [f64; 2] {
        let s = self.g.cell_size;
        match self.g.shape {
            Shape::Square => [k.0 as f64 * s, k.1 as f64 * s],
            Shape::Hex => [k.0 as f64 * s / (2.0 * 3f64.sqrt()), k.1 as f64 * s / 2.0],
        }
    }
}

/// Groups cells into edge-connected (rook) sets. Each set is ascending; sets are ordered by
/// their smallest cell id. Ids outside the block and duplicates are ignored.
///
/// ```
/// use harmspot::grid::{GridSpec, Shape};
/// let g = GridSpec::covering(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
/// // cells 0 and 4 touch only at a corner; 4 and 5 share an edge
/// assert_eq!(harmspot::dissolve::components(&g, &[5, 0, 4]), vec![vec![0], vec![4, 5]]);
/// ```
pub fn components(grid: &GridSpec, cells: &[usize]) -> Vec<Vec<usize>> {
    let lat = Lattice { g: grid };
    let mut member = vec![false; grid.len()];
    let mut sorted: Vec<usize> = cells.iter().copied().filter(|&c| c < grid.len()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    for &c in &sorted {
        member[c] = true;
    }
    let mut seen = vec![false; grid.len()];
    let mut out = Vec::new();
    for &start in &sorted {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        let mut comp = vec![start];
        let mut i = 0;
        while i < comp.len() {
            for (_, _, n) in lat.edges(comp[i]) {
                if let Some(n) = n {
                    if member[n] && !seen[n] {
                        seen[n] = true;
                        comp.push(n);
                    }
                }
            }
            i += 1;
        }
        comp.sort_unstable();
        out.push(comp);
    }
    out
}

/// Merges cells into polygons with holes: one [`CellPolygon`] per rook-connected set of
/// cells, in the order of [`components`].
///
/// Parameters: `grid` (the block the ids refer to), `cells` (ids; duplicates and ids outside
/// the block are ignored).
///
/// Returns: polygons in working-CRS metres; the area of each is exactly its cell count ×
/// cell area.
///
/// Algorithm: boundary edges (member | non-member) on the integer lattice, directed with the
/// member on the left, chained into rings turning right at vertices where two edges leave;
/// collinear vertices dropped; the counter-clockwise ring is the exterior.
///
/// Examples: an L of four 100 m cells is one polygon with six corners:
///
/// ```
/// use harmspot::grid::{GridSpec, Shape};
/// use harmspot::dissolve::cells_to_polygons;
/// let g = GridSpec::covering(Shape::Square, 100.0, [0.0, 0.0, 299.0, 299.0]).unwrap();
/// let p = cells_to_polygons(&g, &[0, 1, 3, 6]); // (0,0) (1,0) (0,1) (0,2)
/// assert_eq!(p.len(), 1);
/// assert_eq!(p[0].exterior.len(), 7); // 6 corners + closing point
/// assert_eq!(p[0].exterior[0], [0.0, 0.0]);
/// assert!((p[0].area() - 40_000.0).abs() < 1e-6);
/// ```
pub fn cells_to_polygons(grid: &GridSpec, cells: &[usize]) -> Vec<CellPolygon> {
    let lat = Lattice { g: grid };
    let comps = components(grid, cells);
    let mut member = vec![false; grid.len()];
    for c in comps.iter().flatten() {
        member[*c] = true;
    }
    comps
        .into_iter()
        .map(|comp| trace(&lat, &member, comp))
        .collect()
}

fn trace(lat: &Lattice, member: &[bool], cells: Vec<usize>) -> CellPolygon {
    // boundary edges of this component (its neighbours across boundary edges are never
    // members of another component: rook-connected members are in the same component)
    let mut edges: Vec<(Key, Key)> = Vec::new();
    for &c in &cells {
        for (a, b, n) in lat.edges(c) {
            if !n.is_some_and(|n| member[n]) {
                edges.push((a, b));
            }
        }
    }
    // deterministic start order: by start vertex (y, x), then end vertex
    edges.sort_unstable_by_key(|&(a, b)| (a.1, a.0, b.1, b.0));
    let mut from: HashMap<Key, Vec<usize>> = HashMap::with_capacity(edges.len());
    for (i, &(a, _)) in edges.iter().enumerate() {
        from.entry(a).or_default().push(i);
    }
    let mut used = vec![false; edges.len()];
    let mut rings: Vec<Vec<Key>> = Vec::new();
    for s in 0..edges.len() {
        if used[s] {
            continue;
        }
        let mut ring = vec![edges[s].0];
        used[s] = true;
        let mut e = s;
        loop {
            let (a, b) = edges[e];
            let din = (b.0 - a.0, b.1 - a.1);
            let next = from[&b]
                .iter()
                .copied()
                .filter(|&j| !used[j] || j == s)
                .min_by(|&i, &j| turn(din, edges[i]).total_cmp(&turn(din, edges[j])))
                .expect("boundary edges form closed rings");
            if next == s {
                break;
            }
            ring.push(b);
            used[next] = true;
            e = next;
        }
        rings.push(simplify(ring));
    }
    let key_area = |r: &[Key]| -> i128 {
        (0..r.len())
            .map(|i| {
                let (p, q) = (r[i], r[(i + 1) % r.len()]);
                p.0 as i128 * q.1 as i128 - q.0 as i128 * p.1 as i128
            })
            .sum()
    };
    let (mut ext, mut holes): (Vec<Vec<Key>>, Vec<Vec<Key>>) =
        rings.into_iter().partition(|r| key_area(r) > 0);
    debug_assert_eq!(ext.len(), 1, "one exterior per connected set");
    holes.sort_by_key(|r| (r[0].1, r[0].0));
    let close = |r: &[Key]| -> Vec<[f64; 2]> {
        let mut v: Vec<[f64; 2]> = r.iter().map(|&k| lat.point(k)).collect();
        v.push(v[0]);
        v
    };
    CellPolygon {
        exterior: close(&ext.swap_remove(0)),
        holes: holes.iter().map(|h| close(h)).collect(),
        cells,
    }
}

/// Turning angle from direction `din` to edge `e` (negative = right turn).
fn turn(din: Key, e: (Key, Key)) -> f64 {
    let d = ((e.1).0 - (e.0).0, (e.1).1 - (e.0).1);
    let cross = (din.0 * d.1 - din.1 * d.0) as f64;
    let dot = (din.0 * d.0 + din.1 * d.1) as f64;
    cross.atan2(dot)
}

/// Drops vertices where the ring goes straight on, and starts at the lowest-then-leftmost
/// vertex.
fn simplify(ring: Vec<Key>) -> Vec<Key> {
    let n = ring.len();
    let dir = |a: Key, b: Key| -> Key {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let g = gcd(dx.abs(), dy.abs()).max(1);
        (dx / g, dy / g)
    };
    let kept: Vec<Key> = (0..n)
        .filter(|&i| {
            let (p, v, q) = (ring[(i + n - 1) % n], ring[i], ring[(i + 1) % n]);
            dir(p, v) != dir(v, q)
        })
        .map(|i| ring[i])
        .collect();
    let start = (0..kept.len())
        .min_by_key(|&i| (kept[i].1, kept[i].0))
        .unwrap_or(0);
    kept[start..]
        .iter()
        .chain(&kept[..start])
        .copied()
        .collect()
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(n: usize) -> GridSpec {
        GridSpec::covering(
            Shape::Square,
            100.0,
            [0.0, 0.0, n as f64 * 100.0 - 1.0, n as f64 * 100.0 - 1.0],
        )
        .unwrap()
    }

    fn id(g: &GridSpec, c: usize, r: usize) -> usize {
        r * g.nx + c
    }

    fn simple(r: &[[f64; 2]]) -> bool {
        let body = &r[..r.len() - 1];
        let mut keys: Vec<(i64, i64)> = body
            .iter()
            .map(|p| ((p[0] * 1e3).round() as i64, (p[1] * 1e3).round() as i64))
            .collect();
        keys.sort();
        keys.windows(2).all(|w| w[0] != w[1])
    }

    #[test]
    fn empty_and_single() {
        let g = square(3);
        assert!(cells_to_polygons(&g, &[]).is_empty());
        let p = cells_to_polygons(&g, &[4]);
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].exterior,
            vec![
                [100.0, 100.0],
                [200.0, 100.0],
                [200.0, 200.0],
                [100.0, 200.0],
                [100.0, 100.0]
            ]
        );
        assert!(p[0].holes.is_empty());
        assert_eq!(p[0].area(), 10_000.0);
    }

    #[test]
    fn l_shape_has_six_corners() {
        let g = square(3);
        let p = cells_to_polygons(
            &g,
            &[id(&g, 0, 0), id(&g, 1, 0), id(&g, 0, 1), id(&g, 0, 2)],
        );
        assert_eq!(p.len(), 1);
        assert_eq!(
            p[0].exterior,
            vec![
                [0.0, 0.0],
                [200.0, 0.0],
                [200.0, 100.0],
                [100.0, 100.0],
                [100.0, 300.0],
                [0.0, 300.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(p[0].area(), 4.0 * 10_000.0);
    }

    #[test]
    fn ring_of_eight_has_one_hole() {
        let g = square(3);
        let cells: Vec<usize> = (0..9).filter(|&i| i != 4).collect();
        let p = cells_to_polygons(&g, &cells);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].exterior.len(), 5);
        assert_eq!(p[0].holes.len(), 1);
        // hole clockwise: negative area
        assert_eq!(ring_area(&p[0].holes[0]), -10_000.0);
        assert_eq!(p[0].holes[0][0], [100.0, 100.0]);
        assert_eq!(p[0].area(), 8.0 * 10_000.0);
        assert_eq!(p[0].cells, cells);
    }

    #[test]
    fn diagonal_cells_are_separate() {
        let g = square(3);
        let p = cells_to_polygons(&g, &[id(&g, 0, 0), id(&g, 1, 1)]);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].cells, vec![0]);
        assert_eq!(p[1].cells, vec![4]);
        assert!(p
            .iter()
            .all(|p| p.area() == 10_000.0 && p.exterior.len() == 5));
    }

    #[test]
    fn hole_touching_the_outside_at_a_corner_stays_valid() {
        // 3×3 ring minus the top-right corner: the hole (centre) meets the outside at the
        // vertex (200, 200), where members (2,1) and (1,2) touch diagonally.
        let g = square(3);
        let cells: Vec<usize> = (0..9).filter(|&i| i != 4 && i != 8).collect();
        let p = cells_to_polygons(&g, &cells);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].holes.len(), 1);
        assert!(simple(&p[0].exterior) && simple(&p[0].holes[0]));
        assert_eq!(p[0].area(), 7.0 * 10_000.0);
        assert_eq!(p[0].holes[0].len(), 5);
    }

    #[test]
    fn grid_offsets_and_block_edges() {
        // a block away from the origin; a full block is one rectangle
        let g = GridSpec::covering(
            Shape::Square,
            250.0,
            [420_010.0, 560_020.0, 421_000.0, 560_700.0],
        )
        .unwrap();
        let all: Vec<usize> = (0..g.len()).collect();
        let p = cells_to_polygons(&g, &all);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].exterior.len(), 5);
        let b = g.bounds();
        assert_eq!(p[0].exterior[0], [b[0], b[1]]);
        assert!((p[0].area() - g.len() as f64 * g.cell_area()).abs() < 1e-3);
        // ids outside the block are ignored
        assert_eq!(cells_to_polygons(&g, &[g.len() + 3]).len(), 0);
    }

    #[test]
    fn hexagons_merge_exactly() {
        let g = GridSpec::covering(Shape::Hex, 100.0, [0.0, 0.0, 1000.0, 1000.0]).unwrap();
        let centre = g.locate([500.0, 500.0]).unwrap();
        let c = g.centre(centre);
        let ring: Vec<usize> = (0..g.len())
            .filter(|&i| {
                let q = g.centre(i);
                let d = (q[0] - c[0]).hypot(q[1] - c[1]);
                d > 1.0 && d < 101.0
            })
            .collect();
        assert_eq!(ring.len(), 6);
        // a flower of 7: one polygon, 18 corners
        let mut flower = ring.clone();
        flower.push(centre);
        let p = cells_to_polygons(&g, &flower);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].exterior.len(), 19);
        assert!((p[0].area() - 7.0 * g.cell_area()).abs() < 1e-6);
        // the ring alone: one hole, a hexagon equal to the cell's outline
        let p = cells_to_polygons(&g, &ring);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].holes.len(), 1);
        assert_eq!(p[0].holes[0].len(), 7);
        assert!((p[0].area() - 6.0 * g.cell_area()).abs() < 1e-6);
        let outline = g.ring(centre);
        for v in &p[0].holes[0] {
            assert!(
                outline
                    .iter()
                    .any(|o| (o[0] - v[0]).abs() < 1e-6 && (o[1] - v[1]).abs() < 1e-6),
                "{v:?}"
            );
        }
        // two cells in the same column two apart are separate
        let below = g.locate([c[0], c[1] - 200.0]).unwrap();
        assert_eq!(cells_to_polygons(&g, &[centre, below]).len(), 2);
    }

    #[test]
    fn hex_areas_on_random_sets() {
        for shape in [Shape::Square, Shape::Hex] {
            let g = GridSpec::covering(shape, 50.0, [0.0, 0.0, 1000.0, 800.0]).unwrap();
            let mut r = crate::Rng::new(11);
            let cells: Vec<usize> = (0..g.len()).filter(|_| r.uniform() < 0.45).collect();
            let p = cells_to_polygons(&g, &cells);
            let n: usize = p.iter().map(|p| p.cells.len()).sum();
            assert_eq!(n, cells.len());
            for poly in &p {
                assert!(
                    (poly.area() - poly.cells.len() as f64 * g.cell_area()).abs() < 1e-3,
                    "{shape:?}"
                );
                assert!(ring_area(&poly.exterior) > 0.0);
                assert!(poly.holes.iter().all(|h| ring_area(h) < 0.0));
                assert!(
                    simple(&poly.exterior) && poly.holes.iter().all(|h| simple(h)),
                    "{shape:?}"
                );
            }
        }
    }
}
