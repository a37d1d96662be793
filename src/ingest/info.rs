//! `harmspot info`: what an extract holds and what reading it did — rows read, kept and
//! skipped by reason, months covered, counts per crime type per month, the share of
//! incidents at shared (snapped) coordinates, and the extent.

use crate::model::incident::{bbox, Incidents, ReadSummary};
use crate::model::month::Month;
use crate::space::crs::Projector;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Everything `harmspot info` reports.
#[derive(Clone, Debug, Serialize)]
pub struct InfoReport {
    /// How reading went.
    pub read: ReadSummary,
    /// First and last month with incidents (`None` when empty or months unknown).
    pub months: Option<(Month, Month)>,
    /// Months holding at least one incident.
    pub months_with_data: u32,
    /// Months inside `months` holding no incident (a month missing from the extract).
    pub missing_months: Vec<Month>,
    /// Counts per crime type per month.
    pub counts: BTreeMap<String, BTreeMap<Month, u64>>,
    /// Totals per crime type.
    pub type_totals: BTreeMap<String, u64>,
    /// Harm (sum of weights) per crime type.
    pub type_harm: BTreeMap<String, f64>,
    /// Sum of harm weights.
    pub total_harm: f64,
    /// Share of incidents whose exact coordinates are shared with another incident.
    pub shared_location_share: f64,
    /// Number of distinct locations.
    pub distinct_locations: u64,
    /// `[west, south, east, north]` in degrees (WGS84).
    pub extent_lonlat: Option<[f64; 4]>,
    /// `[xmin, ymin, xmax, ymax]` in working-CRS metres.
    pub extent_working: Option<[f64; 4]>,
    /// The working CRS, e.g. `EPSG:27700`.
    pub working_crs: String,
    /// PROJ's description of the WGS84 → working transformation and its accuracy in metres.
    pub transformation: String,
}

/// Summarises incidents read with `read`.
///
/// Parameters: the kept incidents, the read summary, the projector used.
/// Returns: an [`InfoReport`]. Algorithm: one pass for counts; shared locations by sorting
/// coordinates; the lon/lat extent by projecting back the vertices of the distinct
/// locations' convex hull (the transformation is smooth and nearly affine over a force, so
/// the extremes lie there to well under a millimetre).
pub fn summarise(inc: &Incidents, read: ReadSummary, projector: &Projector) -> InfoReport {
    let mut counts: BTreeMap<String, BTreeMap<Month, u64>> = BTreeMap::new();
    let mut type_totals = BTreeMap::new();
    let mut type_harm = BTreeMap::new();
    let mut per_type_month: std::collections::HashMap<(u16, Month), u64> =
        std::collections::HashMap::new();
    let mut per_type_harm = vec![0.0; inc.types.len()];
    for i in 0..inc.len() {
        *per_type_month
            .entry((inc.kind[i], inc.month[i]))
            .or_default() += 1;
        per_type_harm[inc.kind[i] as usize] += inc.harm[i];
    }
    let present: std::collections::BTreeSet<Month> = per_type_month
        .keys()
        .map(|(_, m)| *m)
        .filter(|m| *m != Month::UNKNOWN)
        .collect();
    let range = inc.month_range();
    let missing_months: Vec<Month> = range
        .map(|r| r.iter().filter(|m| !present.contains(m)).collect())
        .unwrap_or_default();
    let mut per_type_month: Vec<((u16, Month), u64)> = per_type_month.into_iter().collect();
    per_type_month.sort_unstable();
    for ((k, m), n) in per_type_month {
        let name = inc.types[k as usize].clone();
        *type_totals.entry(name.clone()).or_insert(0) += n;
        counts.entry(name).or_default().insert(m, n);
    }
    for (k, h) in per_type_harm.iter().enumerate() {
        if type_totals.contains_key(&inc.types[k]) {
            type_harm.insert(inc.types[k].clone(), *h);
        }
    }
    let keys = sorted_locations(&inc.xy);
    let (shared, distinct) = count_shared(&keys);
    let mut lonlat = hull_vertices(&keys);
    projector.inverse.apply(&mut lonlat);
    lonlat.retain(|p| p[0].is_finite());
    InfoReport {
        months: range.map(|r| (r.from, r.to)),
        months_with_data: present.len() as u32,
        missing_months,
        counts,
        type_totals,
        type_harm,
        total_harm: inc.total_harm(),
        shared_location_share: if inc.is_empty() {
            0.0
        } else {
            shared as f64 / inc.len() as f64
        },
        distinct_locations: distinct,
        extent_lonlat: bbox(&lonlat),
        extent_working: inc.bbox(),
        working_crs: projector.working.to_string(),
        transformation: format!(
            "{} (accuracy {} m)",
            projector.forward.description(),
            projector.forward.accuracy_m()
        ),
        read,
    }
}

/// (incidents at a location shared with another incident, distinct locations).
///
/// ```
/// let (shared, distinct) = harmspot::info::shared_locations(&[[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]]);
/// assert_eq!((shared, distinct), (2, 2));
/// ```
pub fn shared_locations(xy: &[[f64; 2]]) -> (u64, u64) {
    count_shared(&sorted_locations(xy))
}

/// The points' coordinate bits, sorted.
fn sorted_locations(xy: &[[f64; 2]]) -> Vec<(u64, u64)> {
    let mut keys: Vec<(u64, u64)> = xy
        .iter()
        .map(|p| (p[0].to_bits(), p[1].to_bits()))
        .collect();
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut keys[..]);
    keys
}

fn count_shared(keys: &[(u64, u64)]) -> (u64, u64) {
    let (mut shared, mut distinct, mut i) = (0u64, 0u64, 0usize);
    while i < keys.len() {
        let mut j = i + 1;
        while j < keys.len() && keys[j] == keys[i] {
            j += 1;
        }
        distinct += 1;
        if j - i > 1 {
            shared += (j - i) as u64;
        }
        i = j;
    }
    (shared, distinct)
}

/// The vertices of the convex hull of sorted coordinate bits.
fn hull_vertices(keys: &[(u64, u64)]) -> Vec<[f64; 2]> {
    use geo::ConvexHull;
    let mut keys = keys.to_vec();
    keys.dedup();
    let pts: Vec<geo::Point<f64>> = keys
        .iter()
        .map(|&(x, y)| geo::Point::new(f64::from_bits(x), f64::from_bits(y)))
        .collect();
    geo::MultiPoint::new(pts)
        .convex_hull()
        .exterior()
        .points()
        .map(|p| [p.x(), p.y()])
        .collect()
}

impl InfoReport {
    /// A plain-text report for a terminal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_reading(&mut s);
        self.write_months(&mut s);
        self.write_places(&mut s);
        self.write_counts_table(&mut s);
        s
    }

    /// Writes what reading did: files, rows read and kept, rows left out by the filters,
    /// skipped rows by reason with examples, warnings.
    fn write_reading(&self, s: &mut String) {
        let r = &self.read;
        let _ = writeln!(s, "files            {}", r.files.len());
        for f in &r.files {
            let _ = writeln!(
                s,
                "  {} ({}): {} rows, {} kept",
                f.path, f.format, f.rows, f.kept
            );
        }
        let _ = writeln!(s, "rows read        {}", r.rows);
        let _ = writeln!(s, "kept             {}", r.kept);
        for (reason, n) in &r.filtered {
            let _ = writeln!(
                s,
                "left out by the {} filter  {n}",
                match reason {
                    crate::model::incident::FilterReason::Type => "crime-type",
                    crate::model::incident::FilterReason::Month => "month",
                }
            );
        }
        let _ = writeln!(s, "skipped          {}", r.skipped_total());
        for (reason, c) in &r.skipped {
            let _ = writeln!(
                s,
                "  {:<55} {:>9}   e.g. {}",
                reason.describe(),
                c.count,
                crate::ingest::read::compress_locations(
                    &c.examples,
                    c.count > c.examples.len() as u64
                )
            );
        }
        for w in &r.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
    }

    /// Writes the months covered (and the missing ones).
    fn write_months(&self, s: &mut String) {
        match self.months {
            Some((a, b)) => {
                let span = b.since(a) + 1;
                if self.missing_months.is_empty() {
                    let _ = writeln!(s, "months           {a} .. {b} ({span} months)");
                } else {
                    let _ = writeln!(
                        s,
                        "months           {a} .. {b} ({span} months in the range, {} with data; missing: {})",
                        self.months_with_data,
                        crate::model::month::describe_runs(&self.missing_months)
                    );
                }
            }
            None => {
                let _ = writeln!(s, "months           none known");
            }
        }
    }

    /// Writes the total harm, the share of incidents at shared locations, the extent and
    /// the transformation.
    fn write_places(&self, s: &mut String) {
        let _ = writeln!(s, "total harm       {:.1}", self.total_harm);
        let _ = writeln!(
            s,
            "shared locations {:.1}% of incidents sit on a location shared with another ({} distinct locations)",
            100.0 * self.shared_location_share,
            self.distinct_locations
        );
        if let (Some(ll), Some(w)) = (self.extent_lonlat, self.extent_working) {
            let _ = writeln!(
                s,
                "extent lon/lat   {:.5}, {:.5} .. {:.5}, {:.5}",
                ll[0], ll[1], ll[2], ll[3]
            );
            let _ = writeln!(
                s,
                "extent {}  {:.0}, {:.0} .. {:.0}, {:.0}  ({:.1} x {:.1} km)",
                self.working_crs,
                w[0],
                w[1],
                w[2],
                w[3],
                (w[2] - w[0]) / 1000.0,
                (w[3] - w[1]) / 1000.0
            );
        }
        let _ = writeln!(s, "transformation   {}", self.transformation);
    }

    /// Writes the table of counts per crime type per month (with totals and harm), when any
    /// month is known.
    fn write_counts_table(&self, s: &mut String) {
        let months: Vec<Month> = {
            let mut m: Vec<Month> = self
                .counts
                .values()
                .flat_map(|c| c.keys().copied())
                .collect();
            m.sort();
            m.dedup();
            m
        };
        if !months.is_empty() {
            let _ = writeln!(s, "\ncounts per crime type per month");
            let _ = write!(s, "{:<30}", "crime type");
            for m in &months {
                let _ = write!(s, " {:>8}", m.to_string());
            }
            let _ = writeln!(s, " {:>9} {:>12}", "total", "harm");
            for (t, per) in &self.counts {
                let _ = write!(s, "{:<30}", t);
                for m in &months {
                    let _ = write!(s, " {:>8}", per.get(m).copied().unwrap_or(0));
                }
                let _ = writeln!(
                    s,
                    " {:>9} {:>12.1}",
                    self.type_totals[t],
                    self.type_harm.get(t).copied().unwrap_or(0.0)
                );
            }
        }
    }
}
