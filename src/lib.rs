//! # harmspot
//!
//! Crime *harm-hotspot* analysis for police.uk street-level data and force extracts.
//!
//! The source is in folders by layer, imports pointing only down this list: `error` (a
//! leaf), `model` (incidents, months, grid, layers, each analysis's params and used
//! records), `space`, `ingest`, `density`, `stats`, `hotspots`, `spacetime`, `compare`,
//! `publish`, `map`. The public modules keep flat names:
//!
//! | step | module | entry point |
//! |---|---|---|
//! | read police.uk CSV, named-column CSV, GeoJSON points | [`read`] | [`read_incidents`] |
//! | coordinate reference systems (PROJ) | [`crs`] | [`Projector`] |
//! | harm weights per crime type (METHODS §9) | [`harm`] | [`HarmTable`] |
//! | R-tree over incidents | | [`IncidentIndex`] |
//! | extract summary (`harmspot info`) | [`info`] | [`info::summarise`] |
//! | synthetic police.uk extracts | [`generate`] | [`generate::generate`] |
//! | grid counts: incidents and harm per cell, per type or month (METHODS §4) | [`count`] | [`count::aggregate`] |
//! | kernel density, six kernels, exact and parallel (METHODS §2) | [`kde`] | [`kde::estimate`] |
//! | Getis-Ord Gi* with FDR or permutations (METHODS §5) | [`gistar`] | [`gistar::compute`] |
//! | the hotspots job: harm density, Gi* hotspot areas, harm spots, concentration | [`hotspots`] | [`hotspots::run`] |
//! | hotspot areas: selected cells merged into ranked polygons | [`hotspots::area`] | [`hotspots::area::polygons`] |
//! | harm spots: micro-places inside hotspot areas, by harm | [`hotspots::harm_spot`] | [`hotspots::harm_spot::find`] |
//! | disclosure control: suppression, rounding, coarsened coordinates | [`disclosure`] | [`disclosure::Disclosure`] |
//! | what a result was made with, as typed records | [`used`] | [`used::Used`] |
//! | outputs: metadata, grid files, result folders | [`publish`] | [`publish::metadata()`] |
//! | default bandwidths: ArcGIS, sfhotspot (METHODS §3) | [`bandwidth`] | [`bandwidth::arcgis`] |
//! | before/after around hubs: WDQ, WDD, RES (METHODS §6) | [`compare`] | [`compare::evaluate`] |
//! | maps of a result folder: offline HTML page, static PNG | [`map`] | [`map::load`] |
//! | cell-by-cell change between two periods: counts, harm, Poisson z, dual KDE (METHODS §4, §6) | [`change`] | [`change::compute`] |
//! | hotspot accuracy: hit rate, PAI, PEI, Levine's RRI, PAI curve, test-period Gini (METHODS §7) | [`evaluate`] | [`evaluate::compute`] |
//! | Mann-Kendall trend test, tie-corrected (METHODS §8) | [`mannkendall`] | [`mannkendall::test`](fn@mannkendall::test) |
//! | emerging hot spots: space-time Gi*, trends, ArcGIS categories (METHODS §8) | [`emerging`] | [`emerging::compute`] |
//! | Knox near-repeat test, seeded permutations (METHODS §8) | [`knox`] | [`knox::test`](fn@knox::test) |
//!
//! Lengths are metres in a projected working CRS (default EPSG:27700, British National
//! Grid). GeoJSON output is WGS84 lon/lat (RFC 7946). Method definitions live in
//! `METHODS.md` of the project's shared material and are cited in each module.
//!
//! The main job, as `harmspot hotspots` runs it, on incidents already read (here 60 in one
//! street and one in each of 99 other places):
//!
//! ```
//! use harmspot::{grid::{Grid, Shape}, hotspots::{run, HotspotJobParams}, Incidents, Month};
//! let (mut xy, mut kind) = (vec![], vec![]);
//! for i in 0..60 { xy.push([550.0 + (i % 5) as f64, 550.0]); kind.push(0) }
//! for c in 0..100 {
//!     if c != 55 { xy.push([50.0 + 100.0 * (c % 10) as f64, 50.0 + 100.0 * (c / 10) as f64]); kind.push(0) }
//! }
//! let n = xy.len();
//! let incidents = Incidents { xy, kind, harm: vec![1.0; n], month: vec![Month::UNKNOWN; n],
//!     types: vec!["Robbery".into()], ..Default::default() };
//! let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 999.0, 999.0]).unwrap();
//! let mut params = HotspotJobParams::default();
//! params.kde = params.kde.bandwidth(150.0);
//! let job = run(&incidents, &grid, &params).unwrap();
//! assert_eq!(job.hotspots.len(), 1);                 // one hotspot area ...
//! assert!(job.spots.spots[0].harm >= 60.0);          // ... whose top harm spot holds the street
//! let meta = harmspot::publish::metadata(&job.cells); // what every output records
//! assert_eq!(meta["analysis"], "hotspots");
//! assert_eq!(meta["bandwidth"], 150.0);
//! ```
#![deny(missing_docs)]

pub mod compare;
mod density;
pub mod error;
pub mod hotspots;
mod ingest;
pub mod map;
mod model;
pub mod monitor;
pub mod publish;
mod space;
mod spacetime;
mod stats;

pub use density::{bandwidth, count, kde};
pub use ingest::{generate, info, read};
pub use model::{
    grid, harm, harm_round, incident, limits, manifest, places, progress, records, used,
};
pub use publish::{disclosure, write};
pub use space::{crs, dissolve, study_area};
pub use spacetime::{change, emerging, evaluate, knox};
pub use stats::{concentration, gistar, mannkendall, pvalue};

pub use count::{By, CountParams};
pub use crs::{Crs, Projector, Transform};
pub use error::Param;
pub use error::{Error, Result};
pub use gistar::{GistarParams, GistarResult};
pub use grid::{Grid, GridSpec, Shape};
pub use harm::HarmTable;
pub use incident::{Incidents, ReadSummary, Selection, SkipReason};
pub use kde::{KdeParams, Kernel};
pub use model::layer::Layer;
pub use model::month::{Month, MonthRange};
pub use model::rng::Rng;
pub use read::{
    read_incidents, read_incidents_with, Columns, CoordColumns, ReadOptions, TypeFilter,
};
pub use space::index::IncidentIndex;

#[cfg(test)]
mod tests {
    //! The error type is a leaf; its kinds are checked here, where the analyses that raise
    //! them are in scope.
    use crate::model::grid::{Grid, Shape};
    use crate::Error;

    #[test]
    fn a_caller_can_tell_the_reasons_apart() {
        let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 299.0, 99.0]).unwrap();
        let empty = crate::Incidents::default();
        let e = crate::density::count::aggregate(&empty, &grid, &Default::default()).unwrap_err();
        assert!(matches!(e, Error::NoData(_)), "{e:?}");
        let e = crate::stats::gistar::compute(&[2.0; 3], &grid, &Default::default()).unwrap_err();
        assert!(matches!(e, Error::Degenerate(_)), "{e:?}");
        let e = Grid::from_extent(Shape::Square, 1.0, [0.0, 0.0, 1e7, 1e7]).unwrap_err();
        assert!(matches!(e, Error::TooLarge(_)), "{e:?}");
        let e = crate::stats::gistar::compute(&[2.0; 2], &grid, &Default::default()).unwrap_err();
        assert!(matches!(e, Error::Mismatch(_)), "{e:?}");
    }
}
