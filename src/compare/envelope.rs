//! A uniform grid of buckets over the treatment and outer (treatment + buffer) envelopes
//! of every area, for the one-pass count ([`super::CountMethod::OnePass`]): a point's
//! candidate areas are the envelopes listed in its bucket that contain it; exact
//! membership is then decided by [`super::Region::contains`] (METHODS §6).
//!
//! Why a second spatial structure beside [`crate::space::index::IncidentIndex`] (the crate's
//! R-tree over incidents): the jobs differ. The grid answers "which of a few hundred area
//! envelopes hold this point" once per incident, with no index over the incidents at all;
//! the R-tree answers "which incidents lie in this region" and must first be bulk-loaded
//! over every incident. Measured with `benches/compare.rs` (`compare::evaluate`, 100 point
//! hubs, 300 m radius and 300 m buffers, 24 months, release build, 2 cores shared with
//! other builds, load average 7–9, so absolute times are inflated):
//!
//! | incidents | one pass (this grid) | R-tree ([`super::CountMethod::Index`]) |
//! |---|---|---|
//! | 10⁶ | 0.85 s (0.78–0.93) | 5.2 s (4.6–5.8) |
//! | 10⁷ | 5.4 s (5.0–5.7) | ≈ 41 s (criterion's estimate from its warm-up; 2.4 GB) |
//!
//! End to end (`harmspot compare`, reading the CSV included, same load) the one pass took
//! 1.5–1.8 s on 10⁶ rows with 100 hubs or 100 polygons against 1.8–2.1 s by the R-tree,
//! and 1.5 GB against 2.4 GB of memory on 10⁷ rows. So the grid stays, for this one job;
//! every query over incidents goes through the R-tree. An R-tree of the envelopes instead
//! (rstar's `locate_all_at_point`) took 0.64 s for 10⁷ points and 200 envelopes, where a
//! bucket lookup is one division and one slice.

use super::areas::AreaSet;
use geo::Rect;

/// Every treatment and outer (treatment + buffer) envelope in a uniform grid of buckets:
/// a point's candidates are the envelopes listed in its cell that contain it. Ids are `2k`
/// for area k's treatment area and `2k + 1` for its outer polygon.
pub(super) struct EnvelopeGrid {
    origin: [f64; 2],
    cell: f64,
    nx: usize,
    ny: usize,
    /// Start of each cell's list in `ids` (CSR layout), `nx · ny + 1` entries.
    start: Vec<u32>,
    ids: Vec<u32>,
    rects: Vec<Option<Rect<f64>>>,
}

/// At most this many buckets (the cell grows when the envelopes' extent would need more).
const MAX_BUCKETS: f64 = 4.0e6;

impl EnvelopeGrid {
    pub(super) fn new(set: &AreaSet) -> EnvelopeGrid {
        let rect = |r: Option<super::Region>| {
            r.and_then(|r| r.envelope())
                .map(|e| Rect::new((e[0], e[1]), (e[2], e[3])))
        };
        let rects: Vec<Option<Rect<f64>>> = (0..set.areas.len())
            .flat_map(|k| {
                [
                    rect(Some(set.treatment_region(k))),
                    rect(set.outer_region(k)),
                ]
            })
            .collect();
        let present: Vec<Rect<f64>> = rects.iter().flatten().copied().collect();
        let Some(first) = present.first() else {
            return EnvelopeGrid {
                origin: [0.0; 2],
                cell: 1.0,
                nx: 0,
                ny: 0,
                start: vec![0],
                ids: vec![],
                rects,
            };
        };
        let (mut x0, mut y0, mut x1, mut y1) =
            (first.min().x, first.min().y, first.max().x, first.max().y);
        for r in &present {
            x0 = x0.min(r.min().x);
            y0 = y0.min(r.min().y);
            x1 = x1.max(r.max().x);
            y1 = y1.max(r.max().y);
        }
        // half the median envelope side, so an envelope covers a few cells
        let mut sides: Vec<f64> = present.iter().map(|r| r.width().max(r.height())).collect();
        sides.sort_by(f64::total_cmp);
        let (w, h) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
        let mut cell = (sides[sides.len() / 2] / 2.0).max(1e-6);
        if (w / cell) * (h / cell) > MAX_BUCKETS {
            cell = (w * h / MAX_BUCKETS).sqrt();
        }
        let nx = ((w / cell).floor() as usize + 1).max(1);
        let ny = ((h / cell).floor() as usize + 1).max(1);
        let span = |lo: f64, hi: f64, o: f64, n: usize| {
            (((lo - o) / cell).floor().max(0.0) as usize).min(n - 1)
                ..=(((hi - o) / cell).floor().max(0.0) as usize).min(n - 1)
        };
        let mut count = vec![0u32; nx * ny + 1];
        for r in &present {
            for j in span(r.min().y, r.max().y, y0, ny) {
                for i in span(r.min().x, r.max().x, x0, nx) {
                    count[j * nx + i + 1] += 1;
                }
            }
        }
        for k in 1..count.len() {
            count[k] += count[k - 1];
        }
        let mut fill = count.clone();
        let mut ids = vec![0u32; *count.last().unwrap_or(&0) as usize];
        for (id, r) in rects.iter().enumerate() {
            let Some(r) = r else { continue };
            for j in span(r.min().y, r.max().y, y0, ny) {
                for i in span(r.min().x, r.max().x, x0, nx) {
                    let c = j * nx + i;
                    ids[fill[c] as usize] = id as u32;
                    fill[c] += 1;
                }
            }
        }
        EnvelopeGrid {
            origin: [x0, y0],
            cell,
            nx,
            ny,
            start: count,
            ids,
            rects,
        }
    }

    /// Ids of the envelopes containing `p` (edges included), in id order.
    #[inline]
    pub(super) fn candidates(&self, p: [f64; 2], out: &mut Vec<u32>) {
        out.clear();
        let (fx, fy) = (
            (p[0] - self.origin[0]) / self.cell,
            (p[1] - self.origin[1]) / self.cell,
        );
        if !(fx >= 0.0 && fy >= 0.0) {
            return;
        }
        let (i, j) = (fx as usize, fy as usize);
        if i >= self.nx || j >= self.ny {
            return;
        }
        let c = j * self.nx + i;
        for &id in &self.ids[self.start[c] as usize..self.start[c + 1] as usize] {
            if self.rects[id as usize]
                .as_ref()
                .is_some_and(|r| in_rect(r, p))
            {
                out.push(id);
            }
        }
    }
}

#[inline]
pub(super) fn in_rect(r: &Rect<f64>, p: [f64; 2]) -> bool {
    p[0] >= r.min().x && p[0] <= r.max().x && p[1] >= r.min().y && p[1] <= r.max().y
}
