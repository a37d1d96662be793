//! Synthetic police.uk street-level extracts, seeded and streamed (`harmspot generate`).
//!
//! [`generate`] writes a CSV in the police.uk street-level layout (METHODS §1): the twelve
//! columns, all 14 categories with realistic shares, anti-social behaviour without a
//! `Crime ID`, 64-hex-digit ids for crimes, `YYYY-MM` months, a share of "No Location" rows
//! with empty coordinates, and coordinates snapped to a lattice of anonymous map points so
//! that many incidents share exact coordinates, as they do in real extracts.
//!
//! Why: benchmarks need extracts of 10³ to 10⁸ rows that anyone can rebuild from a seed
//! (real extracts cannot be shipped at that size), and the before/after evaluation (METHODS
//! §6) needs data whose true answer is known. The points come from a uniform background over
//! a disc plus Gaussian hot spots; the largest `step_clusters` hot spots change their rate by
//! `step_factor` from `step_month` on, and the [`GenerateSummary`] says where they are.
//!
//! The same [`GenerateParams`] give byte-identical output. Nothing is held in memory per row:
//! memory is O(months + clusters) whatever the row count.

use crate::error::{Error, Result};
use crate::model::month::Month;
use crate::model::rng::Rng;
use serde::Serialize;
use std::f64::consts::{PI, TAU};
use std::io::{BufWriter, Write};

/// The header line written first (police.uk street-level layout, METHODS §1).
pub const HEADER: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,\
LSOA code,LSOA name,Crime type,Last outcome category,Context";

/// Spacing of the map points that every location is snapped to, in metres.
///
/// police.uk snaps incidents to about 750,000 anonymous map points (METHODS §1), about 21
/// per LSOA, which in a town is one per 100–150 m. Here every 100 m lattice cell holds one
/// map point, moved from the cell centre by up to ±40 m (a fixed function of the cell and
/// seed) so that the points do not form a regular grid that small cells would alias with.
/// With the defaults, 10⁵ rows fall on about 30,000 distinct points and 10⁶ rows on about
/// 46,000; a 20 m lattice would give 73,000 and 420,000, far less sharing than real data.
pub const MAP_POINT_SPACING_M: f64 = 100.0;

/// Largest displacement of a map point from its lattice cell's centre, as a share of
/// [`MAP_POINT_SPACING_M`] along each axis.
const MAP_POINT_JITTER: f64 = 0.4;

/// Metres per degree of latitude on a sphere of the mean Earth radius (6 371 008.8 m).
const M_PER_DEG: f64 = 6_371_008.8 * PI / 180.0;

/// Share of rows from the uniform background when there are hot spots.
const BACKGROUND_SHARE: f64 = 0.4;

/// Side of a synthetic LSOA square, metres.
const LSOA_SIDE_M: f64 = 500.0;

/// Place of the output in error messages.
const OUTPUT: &str = "<output>";

/// Most hot-spot clusters a synthetic extract holds (each is a mixture component).
pub const MAX_CLUSTERS: u32 = 10_000;

/// Index of anti-social behaviour in [`TYPES`].
const ASB: usize = 0;

/// The 14 police.uk categories (METHODS §1) with their shares of all rows, roughly those of
/// England and Wales street-level data. They sum to 1.
const TYPES: [(&str, f64); 14] = [
    ("Anti-social behaviour", 0.300),
    ("Bicycle theft", 0.009),
    ("Burglary", 0.035),
    ("Criminal damage and arson", 0.070),
    ("Drugs", 0.025),
    ("Other crime", 0.012),
    ("Other theft", 0.050),
    ("Possession of weapons", 0.006),
    ("Public order", 0.070),
    ("Robbery", 0.008),
    ("Shoplifting", 0.060),
    ("Theft from the person", 0.010),
    ("Vehicle crime", 0.045),
    ("Violence and sexual offences", 0.300),
];

/// police.uk `Last outcome category` values for crimes, with shares summing to 1.
const OUTCOMES: [(&str, f64); 11] = [
    ("Investigation complete; no suspect identified", 0.36),
    ("Unable to prosecute suspect", 0.30),
    ("Under investigation", 0.10),
    ("Status update unavailable", 0.05),
    ("Awaiting court outcome", 0.04),
    ("Court result unavailable", 0.04),
    ("Local resolution", 0.04),
    ("Further investigation is not in the public interest", 0.02),
    ("Offender given a caution", 0.02),
    ("Action to be taken by another organisation", 0.02),
    ("Formal action is not in the public interest", 0.01),
];

/// Named places used as `Location` for one map point in ten (police.uk place names).
const PLACES: [&str; 8] = [
    "On or near Supermarket",
    "On or near Parking Area",
    "On or near Shopping Area",
    "On or near Petrol Station",
    "On or near Sports/Recreation Area",
    "On or near Nightclub",
    "On or near Hospital",
    "On or near Further/Higher Educational Building",
];

/// Street kinds for the other map points: `On or near Synthetic Street 123`.
const STREETS: [&str; 6] = ["Street", "Road", "Lane", "Avenue", "Close", "Way"];

/// Parameters of [`generate`]. Start from [`GenerateParams::default`] and change fields or use
/// the builder setters, each of which states its default.
///
/// ```
/// use harmspot::generate::GenerateParams;
/// let p = GenerateParams::default().rows(5_000).months(12).seed(7);
/// assert_eq!(p.rows, 5_000);
/// assert_eq!(p.clusters, 12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateParams {
    /// Number of data rows (the header is extra). At least 1. `--rows`.
    pub rows: u64,
    /// Number of consecutive months, starting at `start`. At least 1. `--months`.
    pub months: u32,
    /// First month. `--start`.
    pub start: Month,
    /// Seed of the generator; the same parameters give byte-identical output. `--seed`.
    pub seed: u64,
    /// Centre of the study disc, `[longitude, latitude]` in degrees (WGS84). `--centre`.
    pub centre: [f64; 2],
    /// Radius of the study disc in kilometres. `--radius-km`.
    pub radius_km: f64,
    /// Number of Gaussian hot spots; 0 gives a uniform background only. `--clusters`.
    pub clusters: u32,
    /// Month from which the step clusters change (included); `None` means
    /// `start + months / 2`. Must lie in the generated range. `--step-month`.
    pub step_month: Option<Month>,
    /// How many clusters (the largest ones) change at the step; at most `clusters`.
    /// `--step-clusters`.
    pub step_clusters: u32,
    /// Multiplier of the step clusters' rate from the step month on (0.5 = a 50% fall,
    /// 2 = a doubling). `--step-factor`.
    pub step_factor: f64,
    /// Share of rows with no location (empty coordinates, `No Location`), in [0, 1).
    /// `--missing-share`.
    pub missing_share: f64,
    /// Force name written in `Reported by` and `Falls within`. `--force`.
    pub force: String,
}

impl Default for GenerateParams {
    fn default() -> Self {
        GenerateParams {
            rows: 100_000,
            months: 24,
            start: Month::new(2021, 1).expect("a valid month"),
            seed: 1,
            centre: [-1.6178, 54.9783],
            radius_km: 12.0,
            clusters: 12,
            step_month: None,
            step_clusters: 3,
            step_factor: 0.5,
            missing_share: 0.01,
            force: "Synthetic Police".to_string(),
        }
    }
}

impl GenerateParams {
    /// Number of data rows (default 100 000).
    pub fn rows(mut self, rows: u64) -> Self {
        self.rows = rows;
        self
    }

    /// Number of months (default 24).
    pub fn months(mut self, months: u32) -> Self {
        self.months = months;
        self
    }

    /// First month (default 2021-01).
    pub fn start(mut self, start: Month) -> Self {
        self.start = start;
        self
    }

    /// Seed (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Centre `[lon, lat]` in degrees (default Newcastle upon Tyne, `[-1.6178, 54.9783]`).
    pub fn centre(mut self, centre: [f64; 2]) -> Self {
        self.centre = centre;
        self
    }

    /// Radius of the study disc in kilometres (default 12).
    pub fn radius_km(mut self, radius_km: f64) -> Self {
        self.radius_km = radius_km;
        self
    }

    /// Number of hot spots (default 12).
    pub fn clusters(mut self, clusters: u32) -> Self {
        self.clusters = clusters;
        self
    }

    /// Step month (default `start + months / 2`).
    pub fn step_month(mut self, step_month: Month) -> Self {
        self.step_month = Some(step_month);
        self
    }

    /// Number of clusters that change at the step (default 3).
    pub fn step_clusters(mut self, step_clusters: u32) -> Self {
        self.step_clusters = step_clusters;
        self
    }

    /// Rate multiplier after the step (default 0.5).
    pub fn step_factor(mut self, step_factor: f64) -> Self {
        self.step_factor = step_factor;
        self
    }

    /// Share of rows without a location (default 0.01).
    pub fn missing_share(mut self, missing_share: f64) -> Self {
        self.missing_share = missing_share;
        self
    }

    /// Force name (default `Synthetic Police`).
    pub fn force(mut self, force: impl Into<String>) -> Self {
        self.force = force.into();
        self
    }

    /// The step month actually used: `step_month`, or `start + months / 2` when unset.
    pub fn resolved_step_month(&self) -> Month {
        self.step_month
            .unwrap_or_else(|| self.start.add((self.months / 2) as i32))
    }

    fn validate(&self) -> Result<()> {
        if self.rows < 1 {
            return Err(Error::param(crate::Param::Rows, "must be at least 1"));
        }
        if self.months < 1 {
            return Err(Error::param(crate::Param::Months, "must be at least 1"));
        }
        if self.start == Month::UNKNOWN {
            return Err(Error::param(
                crate::Param::Start,
                "must be a month, YYYY-MM",
            ));
        }
        if self.months > 1200 {
            return Err(Error::param(
                crate::Param::Months,
                "must be at most 1200 (100 years)",
            ));
        }
        let last = self.start.add(self.months as i32 - 1);
        if last.year() > 9999 {
            return Err(Error::param(
                crate::Param::Months,
                format!(
                    "the last month would be after 9999-12 (start {})",
                    self.start
                ),
            ));
        }
        let step = self.resolved_step_month();
        if step < self.start || step > last {
            return Err(Error::param(
                crate::Param::StepMonth,
                format!(
                    "{step} is outside the generated months {}..{last}",
                    self.start
                ),
            ));
        }
        let [lon, lat] = self.centre;
        if !(lon.is_finite() && (-180.0..=180.0).contains(&lon)) {
            return Err(Error::param(
                crate::Param::Centre,
                format!("longitude {lon} is not in [-180, 180]"),
            ));
        }
        if !(lat.is_finite() && (-85.0..=85.0).contains(&lat)) {
            return Err(Error::param(
                crate::Param::Centre,
                format!("latitude {lat} is not in [-85, 85]"),
            ));
        }
        if !(self.radius_km.is_finite() && self.radius_km > 0.0 && self.radius_km <= 1000.0) {
            return Err(Error::param(
                crate::Param::RadiusKm,
                format!("{} must be above 0 and at most 1000 km", self.radius_km),
            ));
        }
        if self.clusters > MAX_CLUSTERS {
            return Err(crate::model::limits::LimitError::TooLarge {
                what: "hot-spot clusters".into(),
                estimate: u64::from(self.clusters),
                limit: u64::from(MAX_CLUSTERS),
                parameter: "‹clusters›",
            }
            .into());
        }
        if self.step_clusters > self.clusters {
            return Err(Error::param(
                crate::Param::StepClusters,
                format!(
                    "{} is more than ‹clusters› ({})",
                    self.step_clusters, self.clusters
                ),
            ));
        }
        if !(self.step_factor.is_finite() && self.step_factor >= 0.0) {
            return Err(Error::param(
                crate::Param::StepFactor,
                format!("{} must be a finite number ≥ 0", self.step_factor),
            ));
        }
        if !(self.missing_share.is_finite() && (0.0..1.0).contains(&self.missing_share)) {
            return Err(Error::param(
                crate::Param::MissingShare,
                format!("{} must be in [0, 1)", self.missing_share),
            ));
        }
        if self.force.trim().is_empty() {
            return Err(Error::param(crate::Param::Force, "must not be empty"));
        }
        Ok(())
    }
}

/// One Gaussian hot spot of a synthetic extract.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cluster {
    /// Longitude of the centre, degrees.
    pub lon: f64,
    /// Latitude of the centre, degrees.
    pub lat: f64,
    /// Standard deviation of the Gaussian, metres (the same along both axes).
    pub sigma_m: f64,
    /// Expected share of the rows of a month before the step month that come from this
    /// cluster (the background takes 0.4, the clusters share the rest).
    pub share: f64,
    /// Whether this cluster's rate is multiplied by `step_factor` from the step month on.
    pub step: bool,
}

/// What [`generate`] wrote.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GenerateSummary {
    /// Data rows written (without the header).
    pub rows: u64,
    /// Rows written without coordinates (`No Location`).
    pub missing_coordinates: u64,
    /// The hot spots, largest first; the first `step_clusters` have `step: true`.
    pub clusters: Vec<Cluster>,
}

/// A location component: the background disc (`sigma == 0`) or a Gaussian hot spot; metres
/// east and north of the centre.
struct Component {
    x: f64,
    y: f64,
    sigma: f64,
}

/// Cumulative probabilities; the last entry is exactly 1.
fn cumulative(p: &[f64]) -> Vec<f64> {
    let total: f64 = p.iter().sum();
    let mut acc = 0.0;
    let mut c: Vec<f64> = p
        .iter()
        .map(|v| {
            acc += v / total;
            acc
        })
        .collect();
    if let Some(last) = c.last_mut() {
        *last = 1.0;
    }
    c
}

/// The first index whose cumulative probability exceeds `u`.
#[inline]
fn pick(cum: &[f64], u: f64) -> usize {
    cum.iter().position(|&c| u < c).unwrap_or(cum.len() - 1)
}

/// The SplitMix64 / MurmurHash3 finaliser: a bijection of u64.
#[inline]
fn fmix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Appends the decimal digits of `n`.
#[inline]
fn push_u64(buf: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&tmp[i..]);
}

/// Appends `micro / 10⁶` with exactly six decimals (`-1.617800`).
#[inline]
fn push_micro(buf: &mut Vec<u8>, micro: i64) {
    if micro < 0 {
        buf.push(b'-');
    }
    let a = micro.unsigned_abs();
    push_u64(buf, a / 1_000_000);
    let mut f = a % 1_000_000;
    let mut tmp = [b'0'; 7];
    tmp[0] = b'.';
    for slot in tmp[1..].iter_mut().rev() {
        *slot = b'0' + (f % 10) as u8;
        f /= 10;
    }
    buf.extend_from_slice(&tmp);
}

/// Appends the 64 lowercase hex digits of four words.
#[inline]
fn push_hex(buf: &mut Vec<u8>, words: [u64; 4]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut tmp = [0u8; 64];
    for (k, w) in words.iter().enumerate() {
        for j in 0..16 {
            tmp[k * 16 + j] = HEX[((w >> (60 - 4 * j)) & 0xF) as usize];
        }
    }
    buf.extend_from_slice(&tmp);
}

/// A field written as CSV: quoted, with doubled quotes, when it holds `,`, `"` or a newline.
fn csv_field(s: &str) -> Vec<u8> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into_bytes()
    } else {
        s.as_bytes().to_vec()
    }
}

/// Places the hot spots: centres uniform in the disc (shrunk by 2σ so each lies inside it),
/// kept at least 3 (σᵢ + σⱼ) apart where the disc allows (otherwise the best of 200 tries),
/// so that a circle of 2σ around one centre holds almost nothing of another.
fn place_clusters(rng: &mut Rng, n: u32, radius_m: f64) -> Vec<Component> {
    let mut out: Vec<Component> = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let sigma = 150.0 + 450.0 * rng.uniform();
        let rmax = (radius_m - 2.0 * sigma).max(0.0);
        let mut best = (f64::NEG_INFINITY, 0.0, 0.0);
        for _ in 0..200 {
            let r = rmax * rng.uniform().sqrt();
            let t = TAU * rng.uniform();
            let (x, y) = (r * t.cos(), r * t.sin());
            let clearance = out
                .iter()
                .map(|c| (c.x - x).hypot(c.y - y) / (c.sigma + sigma))
                .fold(f64::INFINITY, f64::min);
            if clearance > best.0 {
                best = (clearance, x, y);
            }
            if clearance >= 3.0 {
                break;
            }
        }
        out.push(Component {
            x: best.1,
            y: best.2,
            sigma,
        });
    }
    out
}

/// The map-point lattice of a generated extract: where each incident is snapped to, and the
/// Location and LSOA fields of its map point.
struct Lattice {
    lon0_u: f64,
    lat0_u: f64,
    dlon_u: f64,
    dlat_u: f64,
    lsoa_steps: f64,
    jitter: f64,
    key: u64,
}

impl Lattice {
    /// Appends `Longitude,Latitude,Location,LSOA code,LSOA name,` of the map point nearest
    /// to (`x`, `y`) metres from the centre.
    fn push_place(&self, line: &mut Vec<u8>, x: f64, y: f64) {
        // The map point of the lattice cell: its position and its Location are
        // functions of the cell (and seed) alone.
        let ix = (x / MAP_POINT_SPACING_M).round() as i64;
        let iy = (y / MAP_POINT_SPACING_M).round() as i64;
        let h = fmix(((ix as u64) << 32) ^ (iy as u64 & 0xFFFF_FFFF) ^ self.key);
        let jx = self.jitter * ((h & 0xFFFF) as f64 / 65536.0 - 0.5);
        let jy = self.jitter * ((h >> 16 & 0xFFFF) as f64 / 65536.0 - 0.5);
        push_micro(
            line,
            (self.lon0_u + (ix as f64 + jx) * self.dlon_u).round() as i64,
        );
        line.push(b',');
        push_micro(
            line,
            (self.lat0_u + (iy as f64 + jy) * self.dlat_u).round() as i64,
        );
        line.push(b',');
        let h = h >> 32;
        if h % 10 == 0 {
            line.extend_from_slice(PLACES[((h >> 8) % PLACES.len() as u64) as usize].as_bytes());
        } else {
            line.extend_from_slice(b"On or near Synthetic ");
            line.extend_from_slice(STREETS[((h >> 8) % STREETS.len() as u64) as usize].as_bytes());
            line.push(b' ');
            push_u64(line, (h >> 16) % 999 + 1);
        }
        line.push(b',');
        // LSOA: 500 m squares; MSOA: 2 × 2 LSOAs, lettered A-D.
        let cx = (ix as f64 * self.lsoa_steps).floor() as i64;
        let cy = (iy as f64 * self.lsoa_steps).floor() as i64;
        // 300 × 300 squares (150 km across) get distinct codes; farther ones repeat.
        let lsoa = (cy + 150).rem_euclid(300) * 300 + (cx + 150).rem_euclid(300);
        line.extend_from_slice(b"E019");
        let mut code = [b'0'; 5];
        let mut v = lsoa as u64;
        for slot in code.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            v /= 10;
        }
        line.extend_from_slice(&code);
        line.extend_from_slice(b",Synthetic ");
        let msoa = ((cy.div_euclid(2) + 16).rem_euclid(32) * 32
            + (cx.div_euclid(2) + 16).rem_euclid(32))
            % 999
            + 1;
        line.push(b'0' + (msoa / 100) as u8);
        line.push(b'0' + (msoa / 10 % 10) as u8);
        line.push(b'0' + (msoa % 10) as u8);
        line.push(b'A' + ((cy & 1) * 2 + (cx & 1)) as u8);
        line.push(b',');
    }
}

/// Writes a seeded synthetic police.uk street-level extract to `out` and says what it wrote.
///
/// Layout after police.uk street-level CSVs (<https://data.police.uk/about/>, METHODS §1).
///
/// # Parameters
/// - `params`: rows, months, seed, study disc, hot spots and the step; see [`GenerateParams`].
/// - `out`: any writer; it is wrapped in a [`BufWriter`], so pass the file or stdout itself.
///
/// # Returns
/// A [`GenerateSummary`]: rows written, rows without coordinates, and the hot spots (centre
/// in degrees, σ in metres, share, whether they step). Errors: [`Error::Param`] for a
/// parameter out of range (named by its command-line flag), [`Error::Io`] on `<output>` when
/// writing fails.
///
/// # Algorithm
/// 1. Components: a uniform background over the disc of `radius_km` around `centre` (share
///    0.4, or 1 without clusters) and `clusters` isotropic Gaussians with σ uniform in
///    150–600 m and shares ∝ 1/k (k = 1, 2, …), so the first, step clusters are the largest.
/// 2. From the step month on, the step clusters' rates are multiplied by `step_factor`; the
///    others keep theirs. A month's expected row count is proportional to its total rate, so
///    months are even before the step and even after it, and the count in a step cluster
///    changes by exactly `step_factor` per month in expectation while every other component
///    stays flat — the true effect of a before/after evaluation is known.
/// 3. A first pass draws each row's month (a multinomial count per month, O(months) memory);
///    the second writes the months in order. For each row: crime type (the first 14 rows
///    take each of the 14 types once, so every type is present; then by share), crime id,
///    then with probability `missing_share` no location, otherwise a component (by the
///    month's weights) and a point in it.
/// 4. Points in metres east/north of the centre are snapped to the map point of their
///    [`MAP_POINT_SPACING_M`] lattice cell (one per cell, displaced up to ±40 m from the
///    centre) and turned into degrees with a local equirectangular approximation (sphere of
///    radius 6 371 008.8 m), printed with six decimals. `Location` and the LSOA (500 m
///    squares, `E019xxxxx`, `Synthetic 001A`) are functions of the map point, so equal
///    coordinates always carry equal text.
/// 5. A crime's `Crime ID` is four 64-bit words from the seed and the row number; the first
///    word is a bijection of the row number, so ids are unique within a file.
///
/// # Notes
/// - Rows are written in month order through one reused line buffer: no per-row allocation,
///   nothing kept per row. Output is byte-identical for identical parameters.
/// - Anti-social behaviour rows have an empty `Crime ID` and `Last outcome category`;
///   `Context` is always empty; no-location rows have empty coordinates and LSOA fields and
///   `Location` = `No Location`, as in police.uk.
/// - With the defaults, months after the step hold about 18% fewer rows (the step clusters
///   hold 35% of the rows before it).
///
/// # Examples
/// ```
/// use harmspot::generate::{generate, GenerateParams, HEADER};
/// let params = GenerateParams::default().rows(1000).months(12).seed(7);
/// let mut buf = Vec::new();
/// let summary = generate(&params, &mut buf).unwrap();
/// let text = String::from_utf8(buf).unwrap();
/// assert_eq!(text.lines().count(), 1001);
/// assert_eq!(text.lines().next().unwrap(), HEADER);
/// assert_eq!(summary.rows, 1000);
/// assert_eq!(summary.clusters.len(), 12);
/// assert_eq!(summary.clusters.iter().filter(|c| c.step).count(), 3);
/// ```
pub fn generate<W: Write>(params: &GenerateParams, out: W) -> Result<GenerateSummary> {
    params.validate()?;
    let p = params;
    let io = |e| Error::io(OUTPUT, e);

    let radius_m = p.radius_km * 1000.0;
    let mix = rows::Mixture::new(p, radius_m);
    let m_per_deg_lon = M_PER_DEG * p.centre[1].to_radians().cos();
    let summary_clusters = mix.clusters(p, m_per_deg_lon);

    // Pass 1: rows per month.
    let months = p.months as usize;
    let n_before = p.resolved_step_month().since(p.start) as usize;
    let counts = rows::rows_per_month(p, n_before, mix.rate_after);
    let labels: Vec<String> = (0..months)
        .map(|k| p.start.add(k as i32).to_string())
        .collect();
    let writer = rows::RowWriter::new(p, &mix, radius_m, m_per_deg_lon);

    // Pass 2: rows.
    let mut w = BufWriter::with_capacity(1 << 20, out);
    w.write_all(HEADER.as_bytes()).map_err(io)?;
    w.write_all(b"\n").map_err(io)?;
    let mut rng = Rng::stream(p.seed, 2);
    let mut line: Vec<u8> = Vec::with_capacity(512);
    let mut row: u64 = 0;
    let mut missing: u64 = 0;
    for (mi, &n) in counts.iter().enumerate() {
        let label = labels[mi].as_bytes();
        for _ in 0..n {
            if writer.push_row(&mut line, row, label, mi >= n_before, &mut rng) {
                missing += 1;
            }
            w.write_all(&line).map_err(io)?;
            row += 1;
        }
    }
    w.flush().map_err(io)?;
    Ok(GenerateSummary {
        rows: row,
        missing_coordinates: missing,
        clusters: summary_clusters,
    })
}

mod rows;
#[cfg(test)]
mod tests;
