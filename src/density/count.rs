//! Grid aggregation: incidents and harm per cell (METHODS §4).
//!
//! Each incident goes to the one cell that contains it ([`GridSpec::locate`]: square cells
//! own their lower and left edges; a point on a hexagon edge goes to the lower column, then
//! the lower row). Per cell: `n`, the number of incidents, and `harm`, the sum of their harm
//! weights; optionally the same per crime type or per month.
//!
//! Column names are part of the output schema: `n`, `harm`, then with [`By::Type`] or
//! [`By::Month`] `n_<key>` for every group followed by `harm_<key>` for every group, where
//! `<key>` is the group's [`slug`]: the crime type or month in lower case with every run of
//! characters other than `a-z`/`0-9` replaced by one `_` (`Anti-social behaviour` →
//! `n_anti_social_behaviour`, `2021-03` → `n_2021_03`). Types with no incident get no column;
//! months run from the first to the last month present, empty months included.

use crate::error::{Error, Result};
use crate::model::grid::{Grid, GridSpec};
use crate::model::incident::Incidents;
use crate::model::layer::Layer;
use crate::model::month::Month;
pub use crate::model::params::count::{By, CountParams, CountUsed};
use crate::model::params::disclosure::Support;
use rayon::prelude::*;

/// The most memory a layer (its f64 columns plus per-incident working arrays) may take:
/// 4 GB. Larger runs are refused before anything is allocated.
pub const MAX_LAYER_BYTES: f64 = 4e9;

/// Refuses a layer of `columns` f64 columns over `cells` cells, with `points` incidents to
/// sort (about 32 bytes each), when it would need more than [`MAX_LAYER_BYTES`]; the message
/// gives the size.
///
/// ```
/// assert!(harmspot::count::check_layer_bytes(3, 360_000, 10_000_000).is_ok());
/// let e = harmspot::count::check_layer_bytes(40, 100_000_000, 0).unwrap_err();
/// assert!(e.to_string().contains("32.0 GB"));
/// ```
pub fn check_layer_bytes(columns: usize, cells: usize, points: usize) -> Result<()> {
    let bytes = columns as f64 * cells as f64 * 8.0 + points as f64 * 32.0;
    if bytes > MAX_LAYER_BYTES {
        return Err(Error::TooLarge(format!(
            "the output would need about {:.1} GB of memory ({columns} columns x {cells} cells x 8 bytes{}), more than the {:.0} GB harmspot allows: use a larger ‹cell_size›, limit the area with ‹extent› or ‹boundary›, or fewer columns (‹by›)",
            bytes / 1e9,
            if points > 0 { format!(" + {points} incidents") } else { String::new() },
            MAX_LAYER_BYTES / 1e9
        )));
    }
    Ok(())
}

/// A column-name-safe form of `s`: lower case ASCII letters and digits, every other run of
/// characters one `_`, no `_` at either end (`"Anti-social behaviour"` → `anti_social_behaviour`).
///
/// ```
/// assert_eq!(harmspot::count::slug("Criminal damage and arson"), "criminal_damage_and_arson");
/// assert_eq!(harmspot::count::slug("2021-03"), "2021_03");
/// ```
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Per-cell `n` and `harm` over the block of `spec`, and the number of incidents outside
/// it. Sequential sums in input order, so the result does not depend on the thread count.
pub fn cell_sums(incidents: &Incidents, spec: &GridSpec) -> (Vec<f64>, Vec<f64>, u64) {
    let ids = locate_all(incidents, spec);
    let mut n = vec![0.0; spec.len()];
    let mut harm = vec![0.0; spec.len()];
    let mut outside = 0;
    for (i, &id) in ids.iter().enumerate() {
        if id == OUTSIDE {
            outside += 1;
        } else {
            n[id as usize] += 1.0;
            harm[id as usize] += incidents.harm[i];
        }
    }
    (n, harm, outside)
}

/// Marks an incident outside the block in [`locate_all`]'s result.
const OUTSIDE: u32 = u32::MAX;

/// The cell of every incident, [`OUTSIDE`] when outside the block (grids have fewer than
/// `u32::MAX` cells: [`crate::model::grid::MAX_CELLS`]).
fn locate_all(incidents: &Incidents, spec: &GridSpec) -> Vec<u32> {
    incidents
        .xy
        .par_iter()
        .map(|p| spec.locate(*p).map_or(OUTSIDE, |id| id as u32))
        .collect()
}

/// Group of each incident and the groups' names, in output order (empty without `by`).
fn groups(incidents: &Incidents, by: Option<By>) -> Result<(Vec<usize>, Vec<String>)> {
    Ok(match by {
        None => (Vec::new(), Vec::new()),
        Some(By::Type) => {
            let mut present = vec![false; incidents.types.len()];
            for &k in &incidents.kind {
                present[k as usize] = true;
            }
            let mut index = vec![usize::MAX; incidents.types.len()];
            let mut names = Vec::new();
            for (k, name) in incidents.types.iter().enumerate() {
                if present[k] {
                    index[k] = names.len();
                    names.push(name.clone());
                }
            }
            (
                incidents.kind.iter().map(|&k| index[k as usize]).collect(),
                names,
            )
        }
        Some(By::Month) => {
            let Some(range) = incidents.month_range() else {
                return Err(Error::param(crate::Param::By,
                    "`month` needs incidents with months: the input has no month column (give ‹month_col›)",
                ));
            };
            // one layer per month from the first to the last: refuse a span no analysis needs
            crate::model::limits::check(
                &format!("months from {} to {}", range.from, range.to),
                range.len() as u64,
                crate::model::limits::MAX_MONTHS,
                "the month range (‹from›, ‹to›)",
            )?;
            let unknown = incidents.month.contains(&Month::UNKNOWN);
            let mut names: Vec<String> = range.iter().map(|m| m.to_string()).collect();
            if unknown {
                names.push("unknown".into());
            }
            let last = names.len() - 1;
            let group = incidents
                .month
                .iter()
                .map(|&m| {
                    if m == Month::UNKNOWN {
                        last
                    } else {
                        m.since(range.from) as usize
                    }
                })
                .collect();
            (group, names)
        }
    })
}

/// The number of columns [`aggregate`] will return for these incidents: 2, plus 2 per type
/// present or per month, so that the memory can be checked before building a grid.
pub fn column_count(incidents: &Incidents, params: &CountParams) -> Result<usize> {
    Ok(2 + 2 * groups(incidents, params.by)?.1.len())
}

/// Counts incidents and sums harm per cell of `grid` (METHODS §4).
///
/// Parameters: the incidents (working-CRS metres), the grid, [`CountParams`].
///
/// Returns: a [`Layer`] with columns `n`, `harm` and, with `by`, `n_<key>`… then
/// `harm_<key>`… (see the module documentation). Values cover the whole block; incidents
/// outside it are counted in `params.incidents_outside_grid`. `params.groups` maps each
/// column key to its crime type or month.
///
/// Errors: no incidents; `By::Month` on incidents without months; a layer too large for
/// memory ([`check_layer_bytes`]).
///
/// ```
/// use harmspot::{count::{aggregate, CountParams}, grid::{Grid, Shape}, Incidents, Month};
/// let inc = Incidents { xy: vec![[5.0, 5.0], [6.0, 9.0], [15.0, 5.0]], harm: vec![2.0, 3.0, 1.0],
///     kind: vec![0; 3], month: vec![Month::UNKNOWN; 3], types: vec!["Burglary".into()], ..Default::default() };
/// let grid = Grid::from_extent(Shape::Square, 10.0, [0.0, 0.0, 19.0, 9.0]).unwrap();
/// let layer = aggregate(&inc, &grid, &CountParams::default()).unwrap();
/// assert_eq!(layer.get("n").unwrap(), &[2.0, 1.0]);
/// assert_eq!(layer.get("harm").unwrap(), &[5.0, 1.0]);
/// ```
pub fn aggregate(incidents: &Incidents, grid: &Grid, params: &CountParams) -> Result<Layer> {
    if incidents.is_empty() {
        return Err(Error::NoData("no incidents to count".into()));
    }
    let spec = &grid.spec;
    let (group, names) = groups(incidents, params.by)?;
    let g = names.len();
    check_layer_bytes(2 + 2 * g, spec.len(), 0)?;

    let ids = locate_all(incidents, spec);
    let cells = spec.len();
    let mut n = vec![0.0; cells];
    let mut harm = vec![0.0; cells];
    let mut gn = vec![0.0; cells * g];
    let mut gh = vec![0.0; cells * g];
    let mut outside = 0u64;
    for (i, &id) in ids.iter().enumerate() {
        if id == OUTSIDE {
            outside += 1;
            continue;
        }
        let id = id as usize;
        n[id] += 1.0;
        harm[id] += incidents.harm[i];
        if g > 0 {
            let k = group[i] * cells + id;
            gn[k] += 1.0;
            gh[k] += incidents.harm[i];
        }
    }

    // sums as precise as the weights: no float noise in the harm columns
    let decimals = crate::model::harm_round::weight_decimals(&incidents.harm);
    crate::model::harm_round::round_sums(&mut harm, decimals);
    crate::model::harm_round::round_sums(&mut gh, decimals);
    let mut layer = Layer::new(grid.clone());
    layer.set("n", n, Support::Count);
    layer.set("harm", harm, Support::count_in("n"));
    let keys = unique_slugs(&names);
    for (k, key) in keys.iter().enumerate() {
        layer.set(
            &format!("n_{key}"),
            gn[k * cells..(k + 1) * cells].to_vec(),
            Support::Count,
        );
    }
    drop(gn);
    for (k, key) in keys.iter().enumerate() {
        layer.set(
            &format!("harm_{key}"),
            gh[k * cells..(k + 1) * cells].to_vec(),
            Support::count_in(&format!("n_{key}")),
        );
    }
    layer.used = crate::model::used::Used::Count(CountUsed {
        by: params.by,
        groups: keys.into_iter().zip(names).collect(),
        incidents: incidents.len() as u64,
        outside_grid: outside,
    });
    Ok(layer)
}

/// Slugs of `names`, made unique by appending `_2`, `_3`, ... to repeats.
fn unique_slugs(names: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .iter()
        .map(|n| {
            let base = slug(n);
            let mut key = base.clone();
            let mut k = 2;
            while !seen.insert(key.clone()) {
                key = format!("{base}_{k}");
                k += 1;
            }
            key
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::grid::Shape;

    fn incidents() -> Incidents {
        let m = |s: &str| Month::parse(s).unwrap();
        Incidents {
            // cells of 10 m from (0, 0): (5,5) → 0, (15,5) → 1, (10,0) → 1 (lower-left edge
            // belongs to the cell), (5,15) → 2 (2 x 2 cells)
            xy: vec![
                [5.0, 5.0],
                [15.0, 5.0],
                [10.0, 0.0],
                [5.0, 15.0],
                [99.0, 99.0],
            ],
            harm: vec![1.0, 2.0, 4.0, 8.0, 16.0],
            kind: vec![0, 2, 2, 0, 0],
            month: vec![
                m("2021-01"),
                m("2021-03"),
                m("2021-01"),
                m("2021-03"),
                m("2021-01"),
            ],
            types: vec![
                "Anti-social behaviour".into(),
                "Bicycle theft".into(),
                "Burglary".into(),
            ],
            ..Default::default()
        }
    }

    fn grid() -> Grid {
        Grid::from_extent(Shape::Square, 10.0, [0.0, 0.0, 19.0, 19.0]).unwrap()
    }

    #[test]
    fn counts_and_harm_per_cell() {
        let l = aggregate(&incidents(), &grid(), &CountParams::default()).unwrap();
        assert_eq!(l.get("n").unwrap(), &[1.0, 2.0, 1.0, 0.0]);
        assert_eq!(l.get("harm").unwrap(), &[1.0, 6.0, 8.0, 0.0]);
        match &l.used {
            crate::model::used::Used::Count(u) => assert_eq!(u.outside_grid, 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn by_type_skips_absent_types_and_names_columns_by_slug() {
        let l = aggregate(&incidents(), &grid(), &CountParams::default().by(By::Type)).unwrap();
        let names: Vec<&str> = l.columns.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "n",
                "harm",
                "n_anti_social_behaviour",
                "n_burglary",
                "harm_anti_social_behaviour",
                "harm_burglary"
            ]
        );
        assert_eq!(l.get("n_burglary").unwrap(), &[0.0, 2.0, 0.0, 0.0]);
        assert_eq!(
            l.get("harm_anti_social_behaviour").unwrap(),
            &[1.0, 0.0, 8.0, 0.0]
        );
    }

    #[test]
    fn by_month_includes_empty_months() {
        let l = aggregate(&incidents(), &grid(), &CountParams::default().by(By::Month)).unwrap();
        assert_eq!(l.get("n_2021_01").unwrap(), &[1.0, 1.0, 0.0, 0.0]);
        assert_eq!(l.get("n_2021_02").unwrap(), &[0.0; 4]);
        assert_eq!(l.get("harm_2021_03").unwrap(), &[0.0, 2.0, 8.0, 0.0]);
        let mut no_months = incidents();
        no_months.month = vec![Month::UNKNOWN; 5];
        let e = aggregate(&no_months, &grid(), &CountParams::default().by(By::Month)).unwrap_err();
        assert!(e.to_string().contains(&crate::Param::By.to_string()), "{e}");
    }

    #[test]
    fn empty_input_is_an_error() {
        assert!(aggregate(&Incidents::default(), &grid(), &CountParams::default()).is_err());
    }

    #[test]
    fn slugs_are_unique() {
        assert_eq!(
            unique_slugs(&["A b".into(), "a-b".into(), "a_b".into()]),
            ["a_b", "a_b_2", "a_b_3"]
        );
        assert_eq!(slug("  --  "), "_");
    }
}
