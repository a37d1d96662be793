//! Parameters, scores and the "what was used" record of hotspot accuracy
//! ([`crate::spacetime::evaluate::compute`], METHODS §7).

use crate::model::month::MonthRange;
use crate::model::params::gistar::GistarParams;
use crate::model::params::kde::{KdeParams, Weights};
use serde::Serialize;

/// The training surface that ranks cells for [`Hotspots::Top`].
#[derive(Clone, Debug, PartialEq)]
pub enum Surface {
    /// Kernel density (per km²) of the training incidents.
    Kde(KdeParams),
    /// Incidents (`Unweighted`) or harm (`Harm`) per cell in the training period.
    Cells(Weights),
}

/// How hotspots are chosen from the training period.
#[derive(Clone, Debug, PartialEq)]
pub enum Hotspots {
    /// The top `percent`% of study-area cells by `surface` (ties with the last cell
    /// included, zero cells never: [`Select::Top`](crate::hotspots::area::Select::Top)).
    Top {
        /// Percent of study-area cells, in (0, 100].
        percent: f64,
        /// The ranking surface.
        surface: Surface,
    },
    /// Gi* hot cells of class ≥ `min_class` (2 = hot at 95%) on the training `value`s.
    Hot {
        /// Lowest class, 1..=3.
        min_class: i8,
        /// Gi* settings (neighbour distance, FDR).
        gistar: GistarParams,
        /// Incidents (`Unweighted`) or harm (`Harm`) per cell.
        value: Weights,
    },
}

/// Parameters of [`compute`](crate::spacetime::evaluate::compute).
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluateParams {
    /// Training period (hotspots are made from it).
    pub train: MonthRange,
    /// Test period (hotspots are scored on it); must not overlap the training period.
    pub test: MonthRange,
    /// How hotspots are chosen.
    pub hotspots: Hotspots,
}

impl EvaluateParams {
    /// The top 5% of cells by training kernel density (default KDE settings).
    pub fn new(train: MonthRange, test: MonthRange) -> EvaluateParams {
        EvaluateParams {
            train,
            test,
            hotspots: Hotspots::Top {
                percent: 5.0,
                surface: Surface::Kde(KdeParams::default()),
            },
        }
    }

    /// How hotspots are chosen (default: top 5% by kernel density).
    pub fn hotspots(mut self, h: Hotspots) -> Self {
        self.hotspots = h;
        self
    }
}

/// What [`compute`](crate::spacetime::evaluate::compute) used, recorded in every output of its layer (see [`crate::model::used`]).
#[derive(Clone, Debug, PartialEq)]
pub struct EvaluateUsed {
    /// Training period.
    pub train: MonthRange,
    /// Test period.
    pub test: MonthRange,
    /// How the hotspot cells were chosen.
    pub how: HowUsed,
    /// The scores, as computed.
    pub scores: Scores,
    /// The incidents each score is built from, for disclosure control.
    pub supports: ScoreSupports,
}

/// The incidents the scores of an evaluation are built from (their supports), computed
/// with the scores so that disclosure control can withhold what 1 to K − 1 incidents make.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScoreSupports {
    /// Test incidents in the best cells by test count, as many as the hotspot cells (PAI*).
    pub best_test: f64,
    /// Test incidents in the best cells by test harm, as many as the hotspot cells.
    pub best_test_by_harm: f64,
    /// Test incidents in the top `c` cells of the training ranking, `c` = 0 ..= study-area
    /// cells (behind each PAI curve point).
    pub cumulative_test: Vec<f64>,
}

/// How [`compute`](crate::spacetime::evaluate::compute) chose the hotspot cells.
#[derive(Clone, Debug, PartialEq)]
pub enum HowUsed {
    /// The top `percent`% of cells by the training kernel density.
    TopKde {
        /// Percent of study-area cells.
        percent: f64,
        /// The kernel.
        kernel: crate::model::params::kde::Kernel,
        /// Bandwidth in metres.
        bandwidth: f64,
        /// Where the bandwidth came from.
        bandwidth_source: String,
    },
    /// The top `percent`% of cells by training incidents or harm.
    TopCells {
        /// Percent of study-area cells.
        percent: f64,
        /// Incidents (`Unweighted`) or harm.
        surface: Weights,
    },
    /// Gi* hot cells of the training values.
    Hot {
        /// Least Gi* class.
        min_class: i8,
        /// Incidents (`Unweighted`) or harm.
        value: Weights,
        /// Neighbour distance in metres.
        neighbour_distance: Option<f64>,
        /// Whether the classes are FDR-corrected.
        fdr: bool,
    },
}

/// Accuracy scores of the hotspots on the test period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Hotspot cells (k).
    pub hotspot_cells: usize,
    /// Study-area cells.
    pub study_area_cells: usize,
    /// a/A = k / study-area cells.
    pub area_share: f64,
    /// Hotspot area, km².
    pub hotspot_km2: f64,
    /// Test incidents in the study area (N).
    pub test_incidents: f64,
    /// Test incidents in the hotspots (n).
    pub test_incidents_in_hotspots: f64,
    /// Training incidents in the study area (N₁).
    pub train_incidents: f64,
    /// Training incidents in the hotspots (n₁).
    pub train_incidents_in_hotspots: f64,
    /// n/N.
    pub hit_rate: f64,
    /// (n/N)/(a/A).
    pub pai: f64,
    /// The best PAI for k cells in the test period, (n*/N)/(a/A).
    pub pai_max: f64,
    /// PAI / PAI* = n/n*; `None` when n* = 0.
    pub pei: Option<f64>,
    /// Levine's Recapture Rate Index (n₂/n₁)/(N₂/N₁); `None` when n₁ = 0.
    pub rri: Option<f64>,
    /// Share of test harm in the hotspots.
    pub harm_hit_rate: Option<f64>,
    /// Harm PAI.
    pub harm_pai: Option<f64>,
    /// Harm PEI.
    pub harm_pei: Option<f64>,
    /// Harm RRI.
    pub harm_rri: Option<f64>,
}

/// One point of the PAI curve.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CurvePoint {
    /// Top cells of the training ranking.
    pub cells: usize,
    /// Their share of the study area.
    pub area_share: f64,
    /// Share of test incidents in them.
    pub hit_rate: f64,
    /// hit_rate / area_share.
    pub pai: f64,
    /// Share of test harm in them (0 when there is no harm).
    pub harm_hit_rate: f64,
}
