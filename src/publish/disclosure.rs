//! Disclosure control for partner outputs: no published value may be built from fewer than
//! K incidents.
//!
//! Each published value has a *support*: the number of incidents it was computed from,
//! declared by the analysis that made its column ([`Support`]). Counts (`n`, `n_<type>`,
//! `n_before`, …) support themselves; a cell's `harm` has the support of its `n`; a kernel
//! density has the incidents within the kernel's support radius of the cell centre; a Gi*
//! value has the incidents in its neighbourhood; a change, the smaller of its periods'. A value
//! whose support is between 1 and K − 1 is **suppressed** (written as null, NoData or an
//! empty CSV field), or with rounding, a count is **rounded** to the nearest multiple of
//! the base while the other values of that cell are suppressed. Zeros are published: a
//! value built from no incident discloses nobody.
//!
//! What this does not protect against: differencing two outputs made with different
//! grids, filters or periods; and the geometry of a hotspot, which shows where incidents
//! concentrate (its values are suppressed when it holds fewer than K incidents).

use crate::density::kde::{raw_sums, Kernel};
use crate::hotspots::area::TypeCount;
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
pub use crate::model::params::disclosure::{Applied, Disclosure, DisclosureReport, Support};
use crate::model::places::PlaceNames;

/// Incidents in each cell's neighbourhood — the study-area cells whose centres lie within
/// `distance` of it, itself included: the support of a Gi* value. Cells outside the study
/// area are not Gi* neighbours, so their incidents do not count; cells outside it get 0.
pub fn neighbourhood_sums(grid: &crate::model::grid::Grid, n: &[f64], distance: f64) -> Vec<f64> {
    // exactly Gi*'s local sum of the counts (0 outside the study area, where nothing is
    // published)
    crate::stats::gistar::local_sums(n, grid, distance).0
}

impl Disclosure {
    /// Off: publish everything.
    pub fn off() -> Disclosure {
        Disclosure {
            precision: 6,
            ..Default::default()
        }
    }

    /// The partner defaults: K = 5 unless given, no points, coordinates to 4 decimals.
    pub fn partner(min_count: Option<u64>) -> Disclosure {
        Disclosure {
            min_count: min_count.unwrap_or(5),
            round: None,
            include_points: false,
            precision: 4,
        }
    }

    /// Whether any suppression applies.
    pub fn active(&self) -> bool {
        self.min_count > 1
    }

    /// Whether a value with this support must be protected.
    pub fn small(&self, support: f64) -> bool {
        self.active() && support > 0.0 && support < self.min_count as f64
    }

    /// Applies the rules to a layer's columns in place, each value against the support its
    /// column declares ([`Support`], resolved over `incidents` where it is a distance or a
    /// neighbourhood). Suppressed values become NaN (written as null, NoData or empty),
    /// rounded counts the nearest multiple of the base.
    ///
    /// ```
    /// use harmspot::{disclosure::{Disclosure, Support}, grid::{Grid, Shape}, Incidents, Layer};
    /// let mut l = Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 99.0]).unwrap());
    /// l.set("n", vec![0.0, 3.0, 12.0], Support::Count);
    /// l.set("harm", vec![0.0, 400.0, 50.0], Support::count_in("n"));
    /// let r = Disclosure::partner(None).apply_layer(&mut l, &Incidents::default());
    /// assert_eq!(l.get("n").unwrap()[0], 0.0);      // zero: published
    /// assert!(l.get("n").unwrap()[1].is_nan());     // 3 < 5: suppressed
    /// assert!(l.get("harm").unwrap()[1].is_nan());  // built from those 3
    /// assert_eq!(l.get("harm").unwrap()[2], 50.0);
    /// assert_eq!((r.suppressed_values, r.cells_affected), (2, 1));
    /// ```
    pub fn apply_layer(&self, layer: &mut Layer, incidents: &Incidents) -> DisclosureReport {
        let mut report = self.report();
        if !self.active() {
            return report;
        }
        let len = layer.grid.spec.len();
        // resolve every column's support against the layer as it was (before changes)
        let mut resolver = Resolver {
            layer,
            incidents,
            cache: Vec::new(),
        };
        let resolved: Vec<Option<Vec<f64>>> = layer
            .columns
            .iter()
            .zip(&layer.supports)
            .map(|((_, values), support)| resolver.resolve(support, values))
            .collect();
        let counts: Vec<bool> = layer
            .supports
            .iter()
            .map(|s| *s == Support::Count)
            .collect();
        let mut affected = vec![false; len];
        for (((_, values), support), own) in layer.columns.iter_mut().zip(resolved).zip(counts) {
            let Some(support) = support else { continue };
            for i in 0..len {
                if self.small(support[i]) {
                    affected[i] = true;
                    match (self.round, own) {
                        (Some(base), true) => {
                            let b = base as f64;
                            values[i] = (values[i] / b).round() * b;
                            report.rounded_values += 1;
                        }
                        _ => {
                            values[i] = f64::NAN;
                            report.suppressed_values += 1;
                        }
                    }
                }
            }
        }
        report.cells_affected = affected.iter().filter(|a| **a).count() as u64;
        report.note = self.sentence(&report, "cells");
        report
    }

    /// A count protected by the rules: `None` when suppressed.
    pub fn count(&self, n: f64) -> Option<f64> {
        if !self.small(n) {
            Some(n)
        } else {
            self.round.map(|b| (n / b as f64).round() * b as f64)
        }
    }

    fn report(&self) -> DisclosureReport {
        DisclosureReport {
            min_count: self.min_count,
            round: self.round,
            note: if self.active() {
                String::new()
            } else {
                "no disclosure control (values from any number of incidents are published)".into()
            },
            ..Default::default()
        }
    }

    /// The sentence reports carry.
    pub fn sentence(&self, r: &DisclosureReport, unit: &str) -> String {
        match self.round {
            Some(b) => format!(
                "values built from 1 to {} incidents: counts rounded to the nearest {b} ({} values), other values suppressed ({} values), in {} {unit}",
                self.min_count - 1,
                r.rounded_values,
                r.suppressed_values,
                r.cells_affected
            ),
            None => format!(
                "values built from 1 to {} incidents suppressed: {} values in {} {unit}",
                self.min_count - 1,
                r.suppressed_values,
                r.cells_affected
            ),
        }
    }
}

/// A hotspot area or harm spot as a partner sees it: the one rule for places, used by the
/// GeoJSON, the summary and the CLI's counts alike. A place holding 1 to K − 1 incidents
/// shows none of the values built from them (incidents, harm, shares, density, Gi*, types,
/// names: only its rank, id, cells and area, which come from the grid); a crime type or a
/// street or LSOA name carried by 1 to K − 1 incidents is withheld with its count.
#[derive(Clone, Debug, PartialEq)]
pub struct ShownPlace<'a> {
    /// Whether the values built from the place's incidents are shown.
    pub values: bool,
    /// The top crime types, slot by slot; a withheld one is `None`.
    pub types: Vec<Option<&'a TypeCount>>,
    /// The street and LSOA names shown, most frequent first.
    pub names: PlaceNames,
}

impl Disclosure {
    /// What of a place with `incidents`, top `types` and `names` may be shown (see
    /// [`ShownPlace`]).
    ///
    /// ```
    /// use harmspot::{disclosure::Disclosure, hotspots::area::TypeCount, places::PlaceNames};
    /// let types = [TypeCount { crime_type: "Robbery".into(), incidents: 9 },
    ///              TypeCount { crime_type: "Drugs".into(), incidents: 2 }];
    /// let p = Disclosure::partner(None).place(11.0, &types, &PlaceNames::default());
    /// assert!(p.values);
    /// assert_eq!(p.types, vec![Some(&types[0]), None]); // 2 drugs offences withheld
    /// assert!(!Disclosure::partner(None).place(4.0, &types, &PlaceNames::default()).values);
    /// ```
    pub fn place<'a>(
        &self,
        incidents: f64,
        types: &'a [TypeCount],
        names: &PlaceNames,
    ) -> ShownPlace<'a> {
        let values = !self.small(incidents);
        let types = types
            .iter()
            .map(|t| Some(t).filter(|t| values && !self.small(t.incidents as f64)))
            .collect();
        let mut names = if values {
            names.clone()
        } else {
            PlaceNames::default()
        };
        names.locations.retain(|c| !self.small(c.incidents as f64));
        names.lsoas.retain(|c| !self.small(c.incidents as f64));
        ShownPlace {
            values,
            types,
            names,
        }
    }
}

/// The support of a value built from two counts: the smaller of them when both are
/// positive, else the positive one (0 when both are 0). Either count small makes the value
/// small; a value built from nothing discloses nobody.
///
/// ```
/// use harmspot::disclosure::min_positive;
/// assert_eq!(min_positive(3.0, 40.0), 3.0); // a change from 3 incidents discloses them
/// assert_eq!(min_positive(0.0, 40.0), 40.0);
/// assert_eq!(min_positive(0.0, 0.0), 0.0);
/// ```
pub fn min_positive(a: f64, b: f64) -> f64 {
    if a > 0.0 && b > 0.0 {
        a.min(b)
    } else {
        a.max(b)
    }
}

/// Resolves declared supports to per-cell values, computing each distance or
/// neighbourhood support once.
struct Resolver<'a> {
    layer: &'a Layer,
    incidents: &'a Incidents,
    cache: Vec<(Support, Vec<f64>)>,
}

impl Resolver<'_> {
    /// The per-cell support of a column with values `own`; `None` when it is exempt.
    fn resolve(&mut self, support: &Support, own: &[f64]) -> Option<Vec<f64>> {
        match support {
            Support::Count => Some(own.to_vec()),
            // a missing support column means the layer has no counts: use the column
            // itself, the safe side
            Support::CountIn(c) => Some(self.layer.get(c).unwrap_or(own).to_vec()),
            Support::Within { .. } | Support::Neighbourhood { .. } => {
                if let Some((_, v)) = self.cache.iter().find(|(s, _)| s == support) {
                    return Some(v.clone());
                }
                let v = self.compute(support);
                self.cache.push((support.clone(), v.clone()));
                Some(v)
            }
            Support::Smaller(a, b) => {
                let (a, b) = (self.resolve(a, own)?, self.resolve(b, own)?);
                Some(
                    a.iter()
                        .zip(&b)
                        .map(|(&x, &y)| min_positive(x, y))
                        .collect(),
                )
            }
            Support::Exempt => None,
        }
    }

    fn compute(&self, support: &Support) -> Vec<f64> {
        let inc = self.incidents;
        let in_months =
            |i: usize, m: &Option<crate::MonthRange>| m.is_none_or(|r| r.contains(inc.month[i]));
        let grid = &self.layer.grid;
        match support {
            Support::Within { radius, months } => {
                // incidents strictly within `radius` of each cell centre (uniform kernel, raw)
                let xy: Vec<[f64; 2]> = (0..inc.len())
                    .filter(|&i| in_months(i, months))
                    .map(|i| inc.xy[i])
                    .collect();
                raw_sums(&xy, None, &grid.spec, Kernel::Uniform, *radius)
            }
            Support::Neighbourhood { distance, months } => {
                // incidents per study-area cell (Gi* sees no other), then Gi*'s local sums
                let mut n = vec![0.0; grid.spec.len()];
                for i in (0..inc.len()).filter(|&i| in_months(i, months)) {
                    if let Some(c) = grid.spec.locate(inc.xy[i]) {
                        if grid.in_area[c] {
                            n[c] += 1.0;
                        }
                    }
                }
                neighbourhood_sums(grid, &n, *distance)
            }
            _ => unreachable!("only distance and neighbourhood supports are computed"),
        }
    }
}

/// Applies the disclosure `rules` to the members of a JSON summary: each `(name, support,
/// is_count)` is nulled when its support is small (a count is rounded instead when the
/// rules round). Returns the number of members changed. Missing or null members are left.
///
/// ```
/// use harmspot::disclosure::{protect_members, Disclosure};
/// let mut m = serde_json::json!({"n_before": 3, "n_after": 40, "change": 37}).as_object().unwrap().clone();
/// let rules = Disclosure { min_count: 5, ..Disclosure::off() };
/// let changed = protect_members(&mut m, &rules, &[("n_before", 3.0, true), ("n_after", 40.0, true), ("change", 3.0, false)]);
/// assert_eq!(changed, 2);
/// assert!(m["n_before"].is_null() && m["change"].is_null());
/// assert_eq!(m["n_after"], 40);
/// ```
pub fn protect_members(
    m: &mut serde_json::Map<String, serde_json::Value>,
    rules: &Disclosure,
    fields: &[(&str, f64, bool)],
) -> usize {
    let mut changed = 0;
    for &(name, support, is_count) in fields {
        let Some(v) = m.get_mut(name) else { continue };
        if v.is_null() || !rules.small(support) {
            continue;
        }
        *v = match (is_count, v.as_f64()) {
            (true, Some(x)) => rules
                .count(x)
                .map_or(serde_json::Value::Null, serde_json::Value::from),
            _ => serde_json::Value::Null,
        };
        changed += 1;
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grid::{Grid, Shape};
    use crate::{Month, MonthRange};

    fn layer() -> Layer {
        let mut l =
            Layer::new(Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 399.0, 99.0]).unwrap());
        l.set("n", vec![0.0, 1.0, 4.0, 5.0], Support::Count);
        l.set("harm", vec![0.0, 365.0, 8.0, 9.0], Support::count_in("n"));
        l.set("n_Robbery", vec![0.0, 1.0, 0.0, 2.0], Support::Count);
        l.set(
            "harm_Robbery",
            vec![0.0, 365.0, 0.0, 730.0],
            Support::count_in("n_Robbery"),
        );
        let within = Support::Within {
            radius: 60.0,
            months: None,
        };
        l.set("density", vec![0.1, 2.0, 3.0, 4.0], within);
        l
    }

    /// 2 incidents of 2021-01 halfway between cells 0 and 1 and 7 of 2021-02 between cells
    /// 2 and 3: within 60 m, cells 0 and 1 see 2, cells 2 and 3 see 7.
    fn incidents() -> Incidents {
        let m = |s| Month::parse(s).unwrap();
        let mut xy = vec![[100.0, 50.0]; 2];
        xy.extend([[300.0, 50.0]; 7]);
        let mut month = vec![m("2021-01"); 2];
        month.extend([m("2021-02"); 7]);
        Incidents {
            harm: vec![1.0; 9],
            kind: vec![0; 9],
            xy,
            month,
            types: vec!["Robbery".into()],
            ..Default::default()
        }
    }

    #[test]
    fn suppression_follows_declared_supports() {
        let mut l = layer();
        let r = Disclosure::partner(None).apply_layer(&mut l, &incidents());
        let nan = |c: &str, i: usize| l.get(c).unwrap()[i].is_nan();
        assert!(!nan("n", 0) && nan("n", 1) && nan("n", 2) && !nan("n", 3));
        assert!(nan("harm", 1) && nan("harm", 2) && !nan("harm", 3));
        assert!(nan("n_Robbery", 3) && nan("harm_Robbery", 3));
        assert!(nan("density", 0) && nan("density", 1) && !nan("density", 2));
        // n: 2, harm: 2, n_Robbery: 2, harm_Robbery: 2, density: 2
        assert_eq!(r.suppressed_values, 10);
        assert_eq!(r.cells_affected, 4);
    }

    #[test]
    fn a_support_of_some_months_counts_only_their_incidents() {
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 399.0, 99.0]).unwrap();
        let mut l = Layer::new(grid);
        let feb = MonthRange::parse("2021-02..2021-02").unwrap();
        let jan = MonthRange::parse("2021-01..2021-01").unwrap();
        let within = |months| Support::Within {
            radius: 60.0,
            months: Some(months),
        };
        l.set("kde_after", vec![1.0; 4], within(feb));
        l.set(
            "kde_diff",
            vec![1.0; 4],
            Support::smaller(within(jan), within(feb)),
        );
        let rules = Disclosure::partner(Some(3));
        rules.apply_layer(&mut l, &incidents());
        let shown = |c: &str| {
            l.get(c)
                .unwrap()
                .iter()
                .map(|v| !v.is_nan())
                .collect::<Vec<_>>()
        };
        // February: 0 incidents near cells 0 and 1 (published), 7 near 2 and 3
        assert_eq!(shown("kde_after"), [true, true, true, true]);
        // the smaller positive of January's (2, 2, 0, 0) and February's (0, 0, 7, 7)
        assert_eq!(shown("kde_diff"), [false, false, true, true]);
    }

    #[test]
    fn rounding_rounds_counts_and_suppresses_the_rest() {
        let mut l = layer();
        let d = Disclosure {
            round: Some(5),
            ..Disclosure::partner(Some(5))
        };
        let r = d.apply_layer(&mut l, &incidents());
        assert_eq!(l.get("n").unwrap()[1], 0.0);
        assert_eq!(l.get("n").unwrap()[2], 5.0);
        assert!(l.get("harm").unwrap()[2].is_nan());
        assert_eq!(r.rounded_values, 4); // n ×2, n_Robbery ×2
        assert!(r.note.contains("rounded to the nearest 5"));
    }

    #[test]
    fn off_changes_nothing() {
        let mut l = layer();
        let before = l.columns.clone();
        Disclosure::off().apply_layer(&mut l, &incidents());
        assert_eq!(format!("{:?}", l.columns), format!("{before:?}"));
        assert_eq!(Disclosure::partner(Some(3)).count(2.0), None);
        assert_eq!(Disclosure::partner(Some(3)).count(3.0), Some(3.0));
    }
}
