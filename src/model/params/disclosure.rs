//! What disclosure control a run asks for ([`Disclosure`]) and what it did ([`Applied`],
//! [`DisclosureReport`]): records that layers and results carry; the publishing layer
//! ([`crate::disclosure`]) applies the rules.

use serde::Serialize;

/// The disclosure rules of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Disclosure {
    /// Minimum support K; 0 or 1 turns suppression off.
    pub min_count: u64,
    /// Round small counts to this base instead of suppressing them.
    pub round: Option<u64>,
    /// Write raw incident points (never by default in a partner run).
    pub include_points: bool,
    /// Decimal places of lon/lat in GeoJSON (6 ≈ 0.1 m; partner runs use 4 ≈ 10 m).
    pub precision: usize,
}

/// Disclosure control as applied to a layer: what suppression did and the coordinate
/// decimals its GeoJSON is written with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Applied {
    /// What suppression did.
    pub report: DisclosureReport,
    /// Decimal places of lon/lat in GeoJSON.
    pub coordinate_decimals: usize,
}

/// What suppression did, reported in every output.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DisclosureReport {
    /// K.
    pub min_count: u64,
    /// Rounding base, if rounding.
    pub round: Option<u64>,
    /// Values suppressed.
    pub suppressed_values: u64,
    /// Values rounded.
    pub rounded_values: u64,
    /// Cells (or areas) with at least one value suppressed or rounded.
    pub cells_affected: u64,
    /// A sentence for reports.
    pub note: String,
}
