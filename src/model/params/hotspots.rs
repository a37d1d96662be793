//! Parameters and the "what was used" record of the hotspots job ([`crate::hotspots::run`]):
//! the Gi* value, hotspot-area selection and harm-spot parameters.

use crate::model::params::gistar::{GistarParams, GistarUsed};
use crate::model::params::kde::{KdeParams, KdeUsed};
use serde::Serialize;

/// Which per-cell value Gi* tests.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GistarValue {
    /// Incidents per cell.
    N,
    /// Harm per cell (default: harm hotspots).
    #[default]
    Harm,
}

impl GistarValue {
    /// The layer column tested.
    pub fn column(self) -> &'static str {
        match self {
            GistarValue::N => "n",
            GistarValue::Harm => "harm",
        }
    }
}

/// Parameters of [`run`](crate::hotspots::run).
#[derive(Clone, Debug)]
pub struct HotspotJobParams {
    /// Density: kernel, bandwidth (automatic by default), weights (harm by default).
    pub kde: KdeParams,
    /// Gi*: neighbour distance, FDR (on by default here), permutations.
    pub gistar: GistarParams,
    /// The value Gi* tests (harm by default).
    pub value: GistarValue,
    /// Which cells become hotspots (Gi* hot at 95% by default).
    pub select: Select,
    /// Harm spots inside the hotspot areas ([`crate::hotspots::harm_spot`]).
    pub spots: SpotParams,
}

impl Default for HotspotJobParams {
    fn default() -> Self {
        HotspotJobParams {
            kde: KdeParams::default(),
            gistar: GistarParams::default().fdr(true),
            value: GistarValue::Harm,
            select: Select::default(),
            spots: SpotParams::default(),
        }
    }
}

/// What the hotspots job used, recorded in every output of its cells layer (see
/// [`crate::model::used`]).
#[derive(Clone, Debug)]
pub struct HotspotsUsed {
    /// The density.
    pub kde: KdeUsed,
    /// The value Gi* tested.
    pub value: GistarValue,
    /// What Gi* used.
    pub gistar: GistarUsed,
    /// How hotspot cells were selected.
    pub select: Select,
    /// Cell size of the harm spots, metres.
    pub spot_cell_size: f64,
    /// The harm spot rules.
    pub spot_params: SpotParams,
    /// Harm spots found.
    pub spots: usize,
    /// Candidate places considered.
    pub spot_candidates: usize,
}

/// Which cells become hotspots.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Select {
    /// Gi* hot spots: cells with class ≥ `min_class` (2 = hot at 95%, 3 = at 99%).
    Hot {
        /// Lowest class selected, 1..=3.
        min_class: i8,
    },
    /// The top `percent`% of study-area cells by density: k = ⌈percent/100 · n⌉ cells, plus
    /// any cell tied with the k-th; cells with zero density never.
    Top {
        /// Percent of study-area cells, in (0, 100].
        percent: f64,
    },
}

impl Default for Select {
    /// Hot at 95% (class ≥ 2).
    fn default() -> Self {
        Select::Hot { min_class: 2 }
    }
}

/// Parameters of [`find`](crate::hotspots::harm_spot::find).
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct SpotParams {
    /// Largest micro-cell side, metres (default 150).
    pub max_cell_size: f64,
    /// Most micro-cells in one spot (default 4).
    pub max_cells: usize,
    /// A neighbour joins when it holds at least this share of the seed's harm (default 0.5).
    pub join_share: f64,
    /// The reported spots hold this share of the harm in hotspot areas (default 0.5).
    pub power_share: f64,
}

impl Default for SpotParams {
    fn default() -> Self {
        SpotParams {
            max_cell_size: 150.0,
            max_cells: 4,
            join_share: 0.5,
            power_share: 0.5,
        }
    }
}
