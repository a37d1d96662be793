//! Getting incidents in: readers of police.uk CSV, named-column CSV and GeoJSON points (with
//! a skip report by reason), the extract summary behind `harmspot info`, and synthetic
//! police.uk extracts for tests and benchmarks.

pub mod generate;
pub mod info;
pub mod read;
