//! Each analysis's parameters and its "what was used" record, one small module per
//! analysis (as georust/gdal keeps one options type per algorithm), below the analyses so
//! that the records of [`crate::model::used`] and [`crate::Layer`] import no analysis. The
//! analyses re-export their own: `harmspot::kde::KdeParams` is
//! `model::params::kde::KdeParams`.

pub mod change;
pub mod count;
pub mod disclosure;
pub mod emerging;
pub mod evaluate;
pub mod gistar;
pub mod hotspots;
pub mod kde;
