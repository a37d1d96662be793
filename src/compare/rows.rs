//! The rows of a comparison (METHODS §6): per treatment area, its counts per place and
//! period, the statistics of every measure and its monthly series; and the pooled row —
//! the union of the areas when they share their periods, else a stacked design summing
//! each area's own counts in its own periods (the control counted once per area).

use super::areas::{Area, AreaSet};
use super::period::Periods;
use super::reader::Reader;
use super::result::{AreaResult, MeasureEffects, MeasureKind, PeriodCounts, PlaceCounts, Series};
use super::stats::{self, Table};
use super::tally::{Layout, Measure};
use crate::model::month::MonthRange;

/// Tally positions of a row's places: treatment, buffer, control, buffer control.
type Places = [Option<usize>; 4];

/// What every row is built from.
pub(super) struct RowMaker<'a> {
    pub(super) reader: Reader<'a>,
    pub(super) lay: Layout,
    pub(super) measures: Vec<(MeasureKind, Measure)>,
    pub(super) span: MonthRange,
    pub(super) has_buffer: bool,
    pub(super) has_buffer_control: bool,
}

impl RowMaker<'_> {
    fn places(&self, treatment: usize, buffer: usize) -> Places {
        [
            Some(treatment),
            self.has_buffer.then_some(buffer),
            Some(self.lay.control()),
            self.has_buffer_control.then(|| self.lay.buffer_control()),
        ]
    }

    fn series(&self, places: Places, p: Option<&Periods>) -> Series {
        let r = &self.reader;
        Series {
            months: self.span.iter().collect(),
            period: self
                .span
                .iter()
                .map(|m| p.map_or("", |p| p.classify(m)))
                .collect(),
            treatment: r.series(places[0].expect("treatment")),
            buffer: places[1].map(|b| r.series(b)),
            control: r.series(places[2].expect("control")),
            buffer_control: places[3].map(|d| r.series(d)),
        }
    }

    fn counts(&self, places: Places, p: &Periods) -> PlaceCounts {
        let r = &self.reader;
        PlaceCounts {
            treatment: r.period_counts(places[0].expect("treatment"), p),
            buffer: places[1].map(|b| r.period_counts(b, p)),
            control: r.period_counts(places[2].expect("control"), p),
            buffer_control: places[3].map(|d| r.period_counts(d, p)),
        }
    }

    fn effects(&self, tables: &[Table]) -> Vec<MeasureEffects> {
        self.measures
            .iter()
            .zip(tables)
            .map(|((kind, _), t)| MeasureEffects {
                measure: kind.clone(),
                effects: stats::effects(t),
            })
            .collect()
    }

    /// Area `k`'s row, and the tables its statistics were computed on (for stacking).
    pub(super) fn area(&self, k: usize, a: &Area, p: &Periods) -> (AreaResult, Vec<Table>) {
        let places = self.places(self.lay.treatment(k), self.lay.buffer(k));
        let tables: Vec<Table> = self
            .measures
            .iter()
            .map(|(_, m)| self.reader.table(places, p, *m))
            .collect();
        let row = AreaResult {
            name: a.name.clone(),
            feature: Some(a.feature),
            shape: Some(a.shape.clone()),
            periods: Some(p.clone()),
            treatment_m2: a.treatment_m2,
            buffer_m2: a.ring_m2,
            repaired: a.repaired.clone(),
            counts: self.counts(places, p),
            measures: self.effects(&tables),
            series: self.series(places, Some(p)),
        };
        (row, tables)
    }

    fn pooled_places(&self) -> Places {
        self.places(self.lay.pooled_treatment(), self.lay.pooled_buffer())
    }

    /// The pooled row when every area shares the periods `p`: each incident once.
    pub(super) fn pooled_union(&self, p: &Periods, m2: (f64, Option<f64>)) -> AreaResult {
        let places = self.pooled_places();
        let tables: Vec<Table> = self
            .measures
            .iter()
            .map(|(_, m)| self.reader.table(places, p, *m))
            .collect();
        AreaResult {
            name: "All areas".into(),
            feature: None,
            shape: None,
            periods: Some(p.clone()),
            treatment_m2: m2.0,
            buffer_m2: m2.1,
            repaired: None,
            counts: self.counts(places, p),
            measures: self.effects(&tables),
            series: self.series(places, Some(p)),
        }
    }

    /// The stacked pooled row: each area's counts and tables in its own periods, summed.
    pub(super) fn pooled_stacked(
        &self,
        rows: &[AreaResult],
        tables: &[Vec<Table>],
        m2: (f64, Option<f64>),
    ) -> AreaResult {
        let mut counts = PlaceCounts {
            treatment: PeriodCounts::default(),
            buffer: self.has_buffer.then(PeriodCounts::default),
            control: PeriodCounts::default(),
            buffer_control: self.has_buffer_control.then(PeriodCounts::default),
        };
        for r in rows {
            counts.treatment.add(&r.counts.treatment);
            if let (Some(s), Some(o)) = (counts.buffer.as_mut(), r.counts.buffer.as_ref()) {
                s.add(o);
            }
            counts.control.add(&r.counts.control);
            if let (Some(s), Some(o)) = (
                counts.buffer_control.as_mut(),
                r.counts.buffer_control.as_ref(),
            ) {
                s.add(o);
            }
        }
        let stacked: Vec<Table> = (0..self.measures.len())
            .map(|j| {
                let mut t = tables[0][j].clone();
                for ts in &tables[1..] {
                    t = t.stack(&ts[j]);
                }
                t
            })
            .collect();
        AreaResult {
            name: "All areas".into(),
            feature: None,
            shape: None,
            periods: None,
            treatment_m2: m2.0,
            buffer_m2: m2.1,
            repaired: None,
            counts,
            measures: self.effects(&stacked),
            series: self.series(self.pooled_places(), None),
        }
    }
}

/// The pooled treatment area and buffer ring, m²: the exact areas summed, less the
/// overlaps (measured on the polygons).
pub(super) fn pooled_m2(areas: &AreaSet) -> (f64, Option<f64>) {
    use geo::Area as _;
    let drawn_t: f64 = areas
        .areas
        .iter()
        .map(|a| a.treatment.unsigned_area())
        .sum();
    let union_t = geo::unary_union(areas.areas.iter().map(|a| &a.treatment)).unsigned_area();
    let exact_t: f64 = areas.areas.iter().map(|a| a.treatment_m2).sum();
    let t = exact_t - (drawn_t - union_t).max(0.0);
    let b = areas.buffer_m.is_some().then(|| {
        let drawn_b: f64 = areas
            .areas
            .iter()
            .filter_map(|a| a.ring.as_ref())
            .map(|r| r.unsigned_area())
            .sum();
        let union_b = areas.covered.unsigned_area() - union_t;
        let exact_b: f64 = areas.areas.iter().filter_map(|a| a.ring_m2).sum();
        (exact_b - (drawn_b - union_b).max(0.0)).max(0.0)
    });
    (t, b)
}
