//! What disclosure control a run asks for ([`Disclosure`]) and what it did ([`Applied`],
//! [`DisclosureReport`]): records that layers and results carry; the publishing layer
//! ([`crate::publish::disclosure`]) applies the rules.

use crate::model::month::MonthRange;
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

impl Applied {
    /// The rules that were applied (no points, the coordinate decimals written).
    pub fn rules(&self) -> Disclosure {
        Disclosure {
            min_count: self.report.min_count,
            round: self.report.round,
            include_points: false,
            precision: self.coordinate_decimals,
        }
    }
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

/// The support of a layer column — the incidents each of its values is built from, which
/// disclosure control compares with K — declared by the analysis that makes the column
/// ([`crate::Layer::set`]), so that no one guesses it from the column's name later.
#[derive(Clone, Debug, PartialEq)]
pub enum Support {
    /// A count of incidents: its own support (rounded, not suppressed, when the rules round).
    Count,
    /// Built from the incidents another column counts (`harm` from `n`).
    CountIn(String),
    /// Built from the incidents within `radius` metres of the cell centre (a kernel
    /// density's support radius), of the months given or all.
    Within {
        /// Radius, metres.
        radius: f64,
        /// Only the incidents of these months, when given.
        months: Option<MonthRange>,
    },
    /// Built from the incidents of the cell's Gi* neighbourhood: the study-area cells whose
    /// centres lie within `distance` metres, itself included (METHODS §5), of the months
    /// given or all.
    Neighbourhood {
        /// Neighbour distance, metres.
        distance: f64,
        /// Only the incidents of these months, when given.
        months: Option<MonthRange>,
    },
    /// Built from two supports (a change between periods): the smaller of them where both
    /// are positive, else the positive one.
    Smaller(Box<Support>, Box<Support>),
    /// Not built from incidents (a cell's number of neighbours): never withheld.
    Exempt,
}

impl Support {
    /// The support of a column built from the incidents counted in `column`.
    pub fn count_in(column: &str) -> Support {
        Support::CountIn(column.to_string())
    }

    /// The smaller positive of two supports.
    pub fn smaller(a: Support, b: Support) -> Support {
        Support::Smaller(Box::new(a), Box::new(b))
    }
}
