//! The police.uk fields of kept incidents that no analysis uses (crime id, reporting force,
//! LSOA code, outcome, context) and the coordinates as read, kept only when asked for
//! (`harmspot convert` writes them to GeoParquet; police.uk's column list is in METHODS §1).

/// The police.uk columns beyond those [`crate::model::incident::Incidents`] holds, in file order.
pub const MORE_COLUMNS: [&str; 5] = [
    "Reported by",
    "Falls within",
    "LSOA code",
    "Last outcome category",
    "Context",
];

/// The same columns as GeoParquet (snake case) names them.
pub const MORE_NAMES: [&str; 5] = [
    "reported_by",
    "falls_within",
    "lsoa_code",
    "last_outcome_category",
    "context",
];

/// Text values, one per incident, in one buffer (no heap string per row). An empty value
/// means the field was empty or absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Texts {
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Texts {
    /// Appends a value (`None` is empty).
    pub fn push(&mut self, v: Option<&[u8]>) {
        self.data
            .extend_from_slice(v.unwrap_or_default().trim_ascii());
        self.ends.push(self.data.len());
    }

    /// Value `i` (empty when the field was empty or absent).
    pub fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.data[start..self.ends[i]]
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends every value of `other`.
    pub fn append(&mut self, other: &Texts) {
        let base = self.data.len();
        self.data.extend_from_slice(&other.data);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    /// Keeps the values where `keep` is true.
    pub fn retain(&mut self, keep: &[bool]) {
        let mut out = Texts::default();
        for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            out.push(Some(self.get(i)));
        }
        *self = out;
    }
}

/// Per kept incident, in the order of [`crate::model::incident::Incidents`]: what a police.uk
/// row holds beyond the analysed columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Records {
    /// The coordinates as read: longitude and latitude in degrees (WGS84) for lon/lat
    /// sources, the source CRS's x/y in metres for projected ones.
    pub source_xy: Vec<[f64; 2]>,
    /// Whether the row had a crime type column (rows without one are typed `Unspecified`).
    pub typed: Vec<bool>,
    /// The incident id (`Crime ID`), empty when none.
    pub crime_id: Texts,
    /// The [`MORE_COLUMNS`], in that order.
    pub more: [Texts; 5],
}

impl Records {
    /// Number of incidents.
    pub fn len(&self) -> usize {
        self.source_xy.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.source_xy.is_empty()
    }

    /// Appends one row.
    pub fn push(
        &mut self,
        xy: [f64; 2],
        typed: bool,
        crime_id: Option<&[u8]>,
        more: [Option<&[u8]>; 5],
    ) {
        self.source_xy.push(xy);
        self.typed.push(typed);
        self.crime_id.push(crime_id);
        for (t, v) in self.more.iter_mut().zip(more) {
            t.push(v);
        }
    }

    /// Keeps the rows where `keep` is true.
    pub fn retain(&mut self, keep: &[bool]) {
        let mut i = 0;
        self.source_xy.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let mut i = 0;
        self.typed.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        self.crime_id.retain(keep);
        for t in &mut self.more {
            t.retain(keep);
        }
    }

    /// Appends every row of `other`.
    pub fn append(&mut self, other: &Records) {
        self.source_xy.extend_from_slice(&other.source_xy);
        self.typed.extend_from_slice(&other.typed);
        self.crime_id.append(&other.crime_id);
        for (t, o) in self.more.iter_mut().zip(&other.more) {
            t.append(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_keep_values_apart_and_filter() {
        let mut t = Texts::default();
        t.push(Some(b" ab "));
        t.push(None);
        t.push(Some(b"c"));
        assert_eq!(
            (t.get(0), t.get(1), t.get(2)),
            (&b"ab"[..], &b""[..], &b"c"[..])
        );
        t.retain(&[false, true, true]);
        assert_eq!((t.len(), t.get(0), t.get(1)), (2, &b""[..], &b"c"[..]));
        let mut u = Texts::default();
        u.push(Some(b"z"));
        u.append(&t);
        assert_eq!((u.get(0), u.get(2)), (&b"z"[..], &b"c"[..]));
    }

    #[test]
    fn records_retain_every_column_together() {
        let mut r = Records::default();
        r.push(
            [1.0, 2.0],
            true,
            Some(b"a"),
            [Some(b"P"), None, None, None, None],
        );
        r.push([3.0, 4.0], false, None, [None; 5]);
        r.retain(&[false, true]);
        assert_eq!(r.source_xy, vec![[3.0, 4.0]]);
        assert_eq!(
            (r.typed[0], r.crime_id.get(0), r.more[0].get(0)),
            (false, &b""[..], &b""[..])
        );
    }
}
