//! Place names for hotspot areas and harm spots, from the extract itself (issue 11).
//!
//! police.uk rows carry a `Location` ("On or near Northumberland Street", the anonymous map
//! point's street) and an `LSOA name` ("Newcastle upon Tyne 025C"). A place is named by the
//! most frequent of each among its incidents (ties: the name first in alphabetical order),
//! so a partner reads streets and neighbourhoods, not ids. Inputs without such columns give
//! no names.

use crate::model::incident::Incidents;
use serde::Serialize;
use std::collections::HashMap;

/// A name and how many of the place's incidents carry it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameCount {
    /// The name as in the extract.
    pub name: String,
    /// Incidents carrying it.
    pub incidents: u64,
}

/// The most frequent names of one place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlaceNames {
    /// Up to [`TOP_NAMES`] locations (streets), most frequent first.
    pub locations: Vec<NameCount>,
    /// Up to [`TOP_NAMES`] LSOA names, most frequent first.
    pub lsoas: Vec<NameCount>,
}

/// Names kept per place and kind.
pub const TOP_NAMES: usize = 2;

impl PlaceNames {
    /// A short label: the top street without police.uk's "On or near " prefix, and the
    /// top LSOA name: "Northumberland Street, Newcastle upon Tyne 025C".
    pub fn label(&self) -> Option<String> {
        let street = self.locations.first().map(|n| short_street(&n.name));
        let lsoa = self.lsoas.first().map(|n| n.name.clone());
        match (street, lsoa) {
            (Some(s), Some(l)) => Some(format!("{s}, {l}")),
            (Some(s), None) => Some(s),
            (None, Some(l)) => Some(l),
            (None, None) => None,
        }
    }
}

/// "On or near Northumberland Street" → "Northumberland Street". police.uk title-cases a
/// possessive ("Cookson'S Lane"): it is written "Cookson's Lane".
///
/// ```
/// assert_eq!(harmspot::places::short_street("On or near Grey Street"), "Grey Street");
/// assert_eq!(harmspot::places::short_street("Grey Street"), "Grey Street");
/// assert_eq!(harmspot::places::short_street("On or near Cookson'S Lane"), "Cookson's Lane");
/// assert_eq!(harmspot::places::short_street("St Mary'S"), "St Mary's");
/// ```
pub fn short_street(s: &str) -> String {
    let name = s.strip_prefix("On or near ").unwrap_or(s).trim();
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("'S") {
        let after = rest[i + 2..].chars().next();
        out.push_str(&rest[..i]);
        // a possessive ends its word; "'S" inside a word (an initial) stays
        out.push_str(if after.is_none_or(|c| !c.is_alphanumeric()) {
            "'s"
        } else {
            "'S"
        });
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a police.uk location names no street: empty, or "On or near" with nothing after.
///
/// ```
/// assert!(harmspot::places::blank_street("On or near "));
/// assert!(harmspot::places::blank_street("On or near"));
/// assert!(!harmspot::places::blank_street("On or near Grey Street"));
/// ```
pub fn blank_street(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("on or near")
}

/// The most frequent names per group (a location naming no street, [`blank_street`], is
/// not a name: the next named street, or the LSOA alone, names the place).
///
/// Parameters: the incidents; `group`, per incident the group it belongs to (`u32::MAX` for
/// none); `groups`, the number of groups.
///
/// Returns: one [`PlaceNames`] per group (empty when the input has no names).
///
/// ```
/// use harmspot::{incident::Places, places::top_names, Incidents};
/// let mut inc = Incidents::default();
/// inc.places = Places {
///     location: vec![0, 1, 1, 0, 0],
///     lsoa: vec![0, 0, 0, 0, u32::MAX],
///     location_names: vec!["On or near Grey Street".into(), "On or near Pilgrim Street".into()],
///     lsoa_names: vec!["Newcastle upon Tyne 025C".into()],
/// };
/// // incidents 0..3 in group 0, incident 4 in group 1
/// let names = top_names(&inc, &[0, 0, 0, 0, 1], 2);
/// assert_eq!(names[0].locations[0].name, "On or near Grey Street"); // 2 of 4, tie by name
/// assert_eq!(names[0].lsoas[0].incidents, 4);
/// assert_eq!(names[1].label().unwrap(), "Grey Street");
/// // a blank street is passed over: the LSOA names the place
/// inc.places.location_names[0] = "On or near ".into();
/// let names = top_names(&inc, &[1, 0, 0, 0, 0], 2);
/// assert_eq!(names[0].locations[0].name, "On or near Pilgrim Street");
/// assert_eq!(names[1].label().unwrap(), "Newcastle upon Tyne 025C");
/// ```
pub fn top_names(inc: &Incidents, group: &[u32], groups: usize) -> Vec<PlaceNames> {
    let mut out = vec![PlaceNames::default(); groups];
    let p = &inc.places;
    for (ids, table, which) in [
        (&p.location, &p.location_names, 0),
        (&p.lsoa, &p.lsoa_names, 1),
    ] {
        if ids.is_empty() {
            continue;
        }
        let mut counts: HashMap<(u32, u32), u64> = HashMap::new();
        for (g, id) in group.iter().zip(ids.iter()) {
            if *g != u32::MAX && *id != u32::MAX && (*g as usize) < groups {
                *counts.entry((*g, *id)).or_insert(0) += 1;
            }
        }
        let mut per: Vec<Vec<NameCount>> = vec![Vec::new(); groups];
        for ((g, id), n) in counts {
            // police.uk writes "On or near" with a blank street for some map points: no name
            let named = table
                .get(id as usize)
                .filter(|s| which == 1 || !blank_street(s));
            if let Some(name) = named {
                per[g as usize].push(NameCount {
                    name: name.clone(),
                    incidents: n,
                });
            }
        }
        for (g, mut v) in per.into_iter().enumerate() {
            v.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.name.cmp(&b.name)));
            v.truncate(TOP_NAMES);
            if which == 0 {
                out[g].locations = v;
            } else {
                out[g].lsoas = v;
            }
        }
    }
    out
}
