//! Incidents in the working CRS, held as flat columns, and the summary of how they were read.

use crate::model::month::{Month, MonthRange};
use serde::Serialize;
use std::collections::BTreeMap;

/// The incidents kept from one or more extracts, one entry per incident in each column.
///
/// Coordinates are metres in the working CRS. `kind` indexes `types`, which is sorted, so
/// the same input gives the same ids whatever the order files were read in.
#[derive(Clone, Debug, Default)]
pub struct Incidents {
    /// Location, working CRS metres `[x, y]`.
    pub xy: Vec<[f64; 2]>,
    /// Month of the incident ([`Month::UNKNOWN`] when the input has no month column).
    pub month: Vec<Month>,
    /// Crime type, an index into `types`.
    pub kind: Vec<u16>,
    /// Harm weight (1 when unweighted).
    pub harm: Vec<f64>,
    /// Crime type names, sorted.
    pub types: Vec<String>,
    /// Place names from the extract (police.uk `Location` and `LSOA name`), when it has them.
    pub places: Places,
}

/// Per-incident place names, as ids into name tables; empty when the input has no such
/// columns. An id of `u32::MAX` means the row had no name.
#[derive(Clone, Debug, Default)]
pub struct Places {
    /// Per incident: index into `location_names`.
    pub location: Vec<u32>,
    /// Per incident: index into `lsoa_names`.
    pub lsoa: Vec<u32>,
    /// Distinct locations (e.g. "On or near Northumberland Street"), in order of first appearance.
    pub location_names: Vec<String>,
    /// Distinct LSOA names (e.g. "Newcastle upon Tyne 025C"), in order of first appearance.
    pub lsoa_names: Vec<String>,
}

/// The police.uk name of anti-social behaviour incidents.
pub const ASB: &str = "Anti-social behaviour";

/// The 14 police.uk street-level categories (METHODS §1), as spelt in the data.
pub const POLICE_UK_TYPES: [&str; 14] = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
];

impl Incidents {
    /// Number of incidents.
    pub fn len(&self) -> usize {
        self.xy.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.xy.is_empty()
    }

    /// The id of a crime type by name (case-insensitive).
    pub fn type_id(&self, name: &str) -> Option<u16> {
        self.types
            .iter()
            .position(|t| t.eq_ignore_ascii_case(name.trim()))
            .map(|i| i as u16)
    }

    /// Whether type `id` is anti-social behaviour.
    pub fn is_asb(&self, id: u16) -> bool {
        self.types[id as usize].eq_ignore_ascii_case(ASB)
    }

    /// First and last month with an incident, ignoring unknown months.
    pub fn month_range(&self) -> Option<MonthRange> {
        let known = self.month.iter().filter(|m| **m != Month::UNKNOWN);
        let min = known.clone().min()?;
        let max = known.max()?;
        MonthRange::new(*min, *max)
    }

    /// The location name of incident `i` (police.uk `Location`), when the input has one.
    pub fn location_name(&self, i: usize) -> Option<&str> {
        let k = *self.places.location.get(i)?;
        self.places
            .location_names
            .get(k as usize)
            .map(String::as_str)
    }

    /// The LSOA name of incident `i` (police.uk `LSOA name`), when the input has one.
    pub fn lsoa_name(&self, i: usize) -> Option<&str> {
        let k = *self.places.lsoa.get(i)?;
        self.places.lsoa_names.get(k as usize).map(String::as_str)
    }

    /// Sum of harm weights.
    pub fn total_harm(&self) -> f64 {
        self.harm.iter().sum()
    }

    /// Bounding box `[xmin, ymin, xmax, ymax]` of the incidents, `None` when empty.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        bbox(&self.xy)
    }

    /// The incidents for which `sel` holds, as a new set sharing the same type table.
    pub fn subset(&self, sel: &Selection) -> Incidents {
        let keep: Vec<usize> = (0..self.len()).filter(|&i| sel.accepts(self, i)).collect();
        Incidents {
            xy: keep.iter().map(|&i| self.xy[i]).collect(),
            month: keep.iter().map(|&i| self.month[i]).collect(),
            kind: keep.iter().map(|&i| self.kind[i]).collect(),
            harm: keep.iter().map(|&i| self.harm[i]).collect(),
            types: self.types.clone(),
            places: self.places.subset(&keep),
        }
    }
}

impl Incidents {
    /// The incidents of two periods, for analyses that compare periods (`change`,
    /// `evaluate`). `analysis` and the flags name things in error messages.
    ///
    /// Errors when an incident has no month (an input without a month column) or a period
    /// holds no incident (naming the months the data cover).
    pub fn periods(
        &self,
        analysis: &str,
        a: (crate::Param, MonthRange),
        b: (crate::Param, MonthRange),
    ) -> crate::Result<(Incidents, Incidents)> {
        if self.month.contains(&Month::UNKNOWN) {
            return Err(crate::Error::NoData(format!(
                "{analysis} needs the month of every incident: the input has incidents without a month (give ‹month_col›)"
            )));
        }
        let (sa, sb) = (
            self.subset(&Selection::months(a.1)),
            self.subset(&Selection::months(b.1)),
        );
        for ((flag, r), sub) in [(a, &sa), (b, &sb)] {
            if sub.is_empty() {
                let have = self
                    .month_range()
                    .map_or("none".to_string(), |m| m.to_string());
                return Err(crate::Error::param(
                    flag,
                    format!("no incidents in {r} (the data cover {have})"),
                ));
            }
        }
        Ok((sa, sb))
    }
}

impl Places {
    /// The names of the incidents at `keep`, sharing the same name tables.
    fn subset(&self, keep: &[usize]) -> Places {
        let pick = |v: &Vec<u32>| {
            if v.is_empty() {
                Vec::new()
            } else {
                keep.iter().map(|&i| v[i]).collect()
            }
        };
        Places {
            location: pick(&self.location),
            lsoa: pick(&self.lsoa),
            location_names: self.location_names.clone(),
            lsoa_names: self.lsoa_names.clone(),
        }
    }
}

/// Bounding box `[xmin, ymin, xmax, ymax]` of points, `None` when there are none.
pub fn bbox(pts: &[[f64; 2]]) -> Option<[f64; 4]> {
    let first = pts.first()?;
    Some(
        pts.iter()
            .fold([first[0], first[1], first[0], first[1]], |b, p| {
                [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ]
            }),
    )
}

/// Which incidents an analysis uses: a month range and a subset of crime types.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Months to keep; `None` keeps all.
    pub months: Option<MonthRange>,
    /// Types to keep, indexed by type id; `None` keeps all.
    pub types: Option<Vec<bool>>,
}

impl Selection {
    /// Keep everything.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// Keep incidents in `months`.
    pub fn months(months: MonthRange) -> Selection {
        Selection {
            months: Some(months),
            types: None,
        }
    }

    /// Also keep only types for which `pred` holds.
    pub fn with_types(mut self, incidents: &Incidents, pred: impl Fn(&str) -> bool) -> Selection {
        self.types = Some(incidents.types.iter().map(|t| pred(t)).collect());
        self
    }

    /// Whether incident `i` is selected.
    #[inline]
    pub fn accepts(&self, inc: &Incidents, i: usize) -> bool {
        self.months.is_none_or(|r| r.contains(inc.month[i]))
            && self.types.as_ref().is_none_or(|t| t[inc.kind[i] as usize])
    }
}

/// Why a row was skipped. Each reason is counted, with the first few row locations kept.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The row has a different number of fields from the header (often an unquoted comma).
    MalformedRow,
    /// A field opens a quote that no later line closes into a whole record (a stray `"`).
    UnbalancedQuote,
    /// The row is longer than 1 MiB: not an incident record.
    OversizedRow,
    /// The header line appears again inside the file (files concatenated with their headers).
    RepeatedHeader,
    /// Longitude/latitude (or x/y) empty.
    MissingCoordinates,
    /// Coordinates that are not finite numbers.
    UnparsableCoordinates,
    /// Both coordinates exactly zero ("Null Island"), a placeholder for unknown location.
    NullIsland,
    /// Latitude outside ±90° or longitude outside ±180°.
    OutOfRange,
    /// Valid lon/lat outside the working CRS's area of use (e.g. latitude and longitude
    /// swapped), or a point the transformation could not handle.
    OutsideCrsArea,
    /// Outside OSTN15's coverage of Great Britain (e.g. Northern Ireland, the Republic of
    /// Ireland, or latitude and longitude swapped).
    OutsideBng,
    /// Month empty or not `YYYY-MM`.
    BadMonth,
    /// Crime type empty.
    MissingType,
    /// A crime type the (strict) harm table does not name.
    UnknownType,
    /// A weight column value that is not a finite number from 0 to [`crate::model::limits::MAX_HARM_WEIGHT`].
    BadWeight,
    /// A GeoJSON feature whose geometry is not a Point.
    NotAPoint,
    /// The same non-empty incident id seen before (only with `unique_ids`).
    DuplicateId,
    /// The same non-empty incident id as an earlier row, and every other field the same too.
    DuplicateRow,
}

impl SkipReason {
    /// A short phrase for reports.
    pub fn describe(self) -> &'static str {
        use SkipReason::*;
        match self {
            MalformedRow => "wrong number of fields",
            OversizedRow => "row longer than 1 MiB",
            RepeatedHeader => "header line repeated inside the file",
            MissingCoordinates => "empty coordinates",
            UnparsableCoordinates => "coordinates not finite numbers",
            NullIsland => "coordinates (0, 0)",
            OutOfRange => "latitude/longitude out of range",
            UnbalancedQuote => "unbalanced quote",
            OutsideCrsArea => "outside the working CRS's area of use (lat/lon swapped?)",
            OutsideBng => "outside the British National Grid (OSTN15)",
            BadMonth => "month empty or not YYYY-MM",
            MissingType => "crime type empty",
            UnknownType => "crime type not in the harm table",
            BadWeight => "weight not a number from 0 to 1e7",
            NotAPoint => "geometry is not a Point",
            DuplicateId => "repeated incident id (unique ids)",
            DuplicateRow => "identical row with the same incident id",
        }
    }
}

/// Why a valid row was left out on purpose.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterReason {
    /// Crime type not selected by `--types` / `--exclude-types`.
    Type,
    /// Month outside `--from` / `--to`.
    Month,
}

/// Count and first locations of one skip reason.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SkipCount {
    /// Rows skipped for this reason.
    pub count: u64,
    /// The first few, as `file:line` (or `file:feature N` for GeoJSON).
    pub examples: Vec<String>,
}

/// How many example locations are kept per skip reason.
pub const EXAMPLES: usize = 5;

/// One input file's contribution.
#[derive(Clone, Debug, Serialize)]
pub struct FileSummary {
    /// Path as given (or `-` for standard input).
    pub path: String,
    /// `police.uk`, `csv` or `geojson`.
    pub format: String,
    /// Data rows (or features) read.
    pub rows: u64,
    /// Rows kept.
    pub kept: u64,
    /// Bytes read.
    pub bytes: u64,
    /// SHA-256 of the bytes read, lower-case hex.
    pub sha256: String,
}

/// What happened to every row read: kept, left out by a filter, or skipped with a reason.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReadSummary {
    /// Per input file.
    pub files: Vec<FileSummary>,
    /// Data rows read in all.
    pub rows: u64,
    /// Rows kept.
    pub kept: u64,
    /// Valid rows left out by a filter.
    pub filtered: BTreeMap<FilterReason, u64>,
    /// Rows that could not be used, by reason.
    pub skipped: BTreeMap<SkipReason, SkipCount>,
    /// Rows kept although their incident id repeats an earlier row's (other fields differ).
    pub repeated_ids_kept: u64,
    /// Things the analyst should know (e.g. a `--types` name that matched nothing).
    pub warnings: Vec<String>,
}

impl ReadSummary {
    /// Records a skipped row at `location`.
    pub fn skip(&mut self, reason: SkipReason, location: impl FnOnce() -> String) {
        let s = self.skipped.entry(reason).or_default();
        s.count += 1;
        if s.examples.len() < EXAMPLES {
            s.examples.push(location());
        }
    }

    /// Total rows skipped.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().map(|s| s.count).sum()
    }

    /// Adds another summary's counts after this one's (examples stay in order).
    pub fn absorb(&mut self, other: ReadSummary) {
        self.files.extend(other.files);
        self.rows += other.rows;
        self.kept += other.kept;
        self.repeated_ids_kept += other.repeated_ids_kept;
        for (r, n) in other.filtered {
            *self.filtered.entry(r).or_default() += n;
        }
        for (r, s) in other.skipped {
            let e = self.skipped.entry(r).or_default();
            e.count += s.count;
            let room = EXAMPLES.saturating_sub(e.examples.len());
            e.examples.extend(s.examples.into_iter().take(room));
        }
        self.warnings.extend(other.warnings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_follow_a_subset() {
        let m = Month::parse("2021-03").unwrap();
        let inc = Incidents {
            xy: vec![[0.0, 0.0]; 3],
            month: vec![m; 3],
            kind: vec![0, 1, 0],
            harm: vec![1.0; 3],
            types: vec!["Burglary".into(), "Drugs".into()],
            places: Places {
                location: vec![0, 1, u32::MAX],
                lsoa: vec![0, 0, 0],
                location_names: vec!["On or near A".into(), "On or near B".into()],
                lsoa_names: vec!["Newcastle upon Tyne 025C".into()],
            },
        };
        let sub = inc.subset(&Selection::all().with_types(&inc, |t| t == "Burglary"));
        assert_eq!(sub.len(), 2);
        assert_eq!(sub.location_name(0), Some("On or near A"));
        assert_eq!(sub.location_name(1), None);
        assert_eq!(sub.lsoa_name(1), Some("Newcastle upon Tyne 025C"));
        assert_eq!(Incidents::default().location_name(0), None);
    }
}
