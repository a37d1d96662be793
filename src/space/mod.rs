//! Where incidents are: coordinate reference systems (OSTN15 built in, PROJ as a feature),
//! the R-tree over incidents, the study area and cell polygons dissolved into areas.

pub mod crs;
pub mod dissolve;
pub(crate) mod index;
pub mod study_area;
