//! The data every analysis shares, below all of them: the incident store, months, the
//! harm table, the grid, layers, and the typed records of what a result was made with.
//! Imports nothing of the crate but [`crate::error`].

pub mod grid;
pub mod harm;
pub mod harm_round;
pub mod incident;
pub(crate) mod layer;
pub mod limits;
pub mod manifest;
pub(crate) mod month;
pub mod params;
pub mod places;
pub mod progress;
pub mod records;
pub(crate) mod rng;
pub mod used;
