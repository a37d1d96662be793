//! # harmspot
//!
//! Crime *harm-hotspot* analysis for police.uk street-level data and force extracts.
//!
//! | step | module | entry point |
//! |---|---|---|
//! | read police.uk CSV, named-column CSV, GeoJSON points | [`read`] | [`read_incidents`] |
//! | coordinate reference systems (PROJ) | [`crs`] | [`Projector`] |
//! | harm weights per crime type (METHODS §9) | [`harm`] | [`HarmTable`] |
//! | R-tree over incidents | [`index`] | [`IncidentIndex`] |
//! | extract summary (`harmspot info`) | [`info`] | [`info::summarise`] |
//! | synthetic police.uk extracts | [`generate`] | [`generate::generate`] |
//! | grid counts: incidents and harm per cell, per type or month (METHODS §4) | [`count`] | [`count::aggregate`] |
//! | kernel density, six kernels, exact and parallel (METHODS §2) | [`kde`] | [`kde::estimate`] |
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
#![deny(missing_docs)]

pub mod bandwidth;
pub mod change;
pub mod compare;
pub mod concentration;
pub mod count;
pub mod crs;
pub mod disclosure;
pub mod dissolve;
pub mod emerging;
pub mod error;
pub mod evaluate;
pub mod generate;
pub mod gistar;
pub mod grid;
pub mod harm;
pub mod hotspot;
pub mod incident;
pub mod index;
pub mod info;
pub mod kde;
pub mod knox;
pub mod layer;
pub mod limits;
pub mod manifest;
pub mod mannkendall;
pub mod map;
pub mod month;
pub mod param;
pub mod pipeline;
pub mod places;
pub mod progress;
pub mod publish;
pub mod pvalue;
pub mod read;
pub mod rng;
pub mod spot;
pub mod study_area;
pub mod summary;
pub mod write;

pub use count::{By, CountParams};
pub use crs::{Crs, Projector, Transform};
pub use error::{Error, Result};
pub use gistar::{GistarParams, GistarResult};
pub use grid::{Grid, GridSpec, Shape};
pub use harm::HarmTable;
pub use incident::{Incidents, ReadSummary, Selection, SkipReason};
pub use index::IncidentIndex;
pub use kde::{KdeParams, Kernel};
pub use layer::Layer;
pub use month::{Month, MonthRange};
pub use param::Param;
pub use read::{
    read_incidents, read_incidents_with, Columns, CoordColumns, ReadOptions, TypeFilter,
};
pub use rng::Rng;
