//! How much happens where: grid counts (METHODS §4), kernel density (§2) and default
//! bandwidths (§3).

pub mod bandwidth;
pub mod count;
pub mod kde;
