//! Parameters and the "what was used" record of grid counts ([`crate::density::count::aggregate`],
//! METHODS §4).

/// Extra columns per group of incidents.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum By {
    /// One `n_`/`harm_` pair per crime type present.
    Type,
    /// One `n_`/`harm_` pair per month from the first to the last present.
    Month,
}

/// What [`aggregate`](crate::density::count::aggregate) used, recorded in every output of its layer (see [`crate::model::used`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CountUsed {
    /// The extra columns per group, if any.
    pub by: Option<By>,
    /// Each group's column key (`n_KEY`, `harm_KEY`) and its name (crime type or month).
    pub groups: Vec<(String, String)>,
    /// Incidents given.
    pub incidents: u64,
    /// Incidents outside the grid (not counted).
    pub outside_grid: u64,
}

/// Parameters of [`aggregate`](crate::density::count::aggregate).
///
/// ```
/// use harmspot::count::{By, CountParams};
/// assert_eq!(CountParams::default().by, None);
/// assert_eq!(CountParams::default().by(By::Month).by, Some(By::Month));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CountParams {
    /// Extra columns per crime type or month; `None` (default) gives `n` and `harm` only.
    pub by: Option<By>,
}

impl CountParams {
    /// Adds per-type or per-month columns (default none).
    pub fn by(mut self, by: By) -> Self {
        self.by = Some(by);
        self
    }
}
