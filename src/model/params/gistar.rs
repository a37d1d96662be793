//! Parameters and the "what was used" record of Getis-Ord Gi* ([`crate::stats::gistar::compute`],
//! METHODS §5).

use serde::Serialize;

/// Parameters of [`compute`](crate::stats::gistar::compute).
#[derive(Clone, Debug, PartialEq)]
pub struct GistarParams {
    /// Neighbour (distance band) radius in metres between cell centres; `None` = √2 × cell
    /// size (queen neighbours on a square grid, the 6 adjacent hexagons on a hex grid).
    pub neighbour_distance: Option<f64>,
    /// Benjamini–Hochberg FDR correction of the classes, per level (default off).
    pub fdr: bool,
    /// Conditional permutations for pseudo p-values; 0 = normal p-values (default).
    pub permutations: u32,
    /// Seed of the permutations (default 1).
    pub seed: u64,
}

impl Default for GistarParams {
    fn default() -> Self {
        GistarParams {
            neighbour_distance: None,
            fdr: false,
            permutations: 0,
            seed: 1,
        }
    }
}

impl GistarParams {
    /// Neighbour distance in metres (default: √2 × cell size).
    pub fn neighbour_distance(mut self, metres: f64) -> Self {
        self.neighbour_distance = Some(metres);
        self
    }

    /// Apply the FDR correction to the classes (default: false).
    pub fn fdr(mut self, on: bool) -> Self {
        self.fdr = on;
        self
    }

    /// Conditional permutations for pseudo p-values (default: 0, normal p-values).
    pub fn permutations(mut self, n: u32) -> Self {
        self.permutations = n;
        self
    }

    /// Seed of the permutations (default: 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// What a Gi* run actually used, for reports and output metadata.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GistarUsed {
    /// Neighbour distance in metres (`None` for explicit neighbour lists).
    pub neighbour_distance: Option<f64>,
    /// Whether the neighbour distance was chosen automatically (√2 × cell size).
    pub neighbour_distance_auto: bool,
    /// Whether the classes are FDR-corrected.
    pub fdr: bool,
    /// Conditional permutations (0 = normal p-values).
    pub permutations: u32,
    /// Seed of the permutations, when there were any.
    pub seed: Option<u64>,
    /// How `pvalue` was computed.
    pub pvalue: String,
    /// Cells in the population (the study area).
    pub population: usize,
    /// Mean value over the population, X̄.
    pub mean: f64,
    /// Population standard deviation S.
    pub sd: f64,
    /// How the study area was defined.
    pub study_area: String,
}
