//! Change over time (METHODS §4, §6–8): cell-by-cell change between periods, hotspot
//! accuracy on a later period, emerging hot spots and the Knox near-repeat test.

pub mod change;
pub mod emerging;
pub mod evaluate;
pub mod knox;
