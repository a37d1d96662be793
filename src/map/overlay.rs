//! The layers drawn above the cells: their labels and legend blocks. Harm spots (the top
//! [`HARM_SPOT_LABELS`] labelled `S1 street`, issue 11), hotspots (labelled by rank), areas
//! (styled by role, labelled by name above their north edge), context outlines (labelled by
//! a name property such as `LSOA11NM`) and generic layers (a swatch after their commonest
//! geometry). Labels inside a polygon sit at an interior point (geo's `InteriorPoint`).

use super::legend::{LegendEntry, LegendSection, Swatch};
use super::style::{Role, CONTEXT_OUTLINE, HARM_SPOT_FILL, HOTSPOT_OUTLINE};
use super::{Geometry, Label, LayerKind, MapFeature, MapLayer, GENERIC_MAX_SHOWN};
use geo::InteriorPoint;
use serde_json::Value;

/// Harm spots labelled on the map (by rank).
pub const HARM_SPOT_LABELS: u64 = 10;

/// Labels the features of a layer above the cells and returns its legend block (`None` for
/// the cells, which [`super::cells`] styles).
pub(crate) fn style(l: &mut MapLayer) -> Option<LegendSection> {
    match l.kind {
        LayerKind::Hotspots => Some(hotspots(l)),
        LayerKind::Context => Some(context(l)),
        LayerKind::HarmSpots => Some(harm_spots(l)),
        LayerKind::Areas => Some(areas(l)),
        LayerKind::Other => Some(other(l)),
        LayerKind::Cells => None,
    }
}

/// A label centred at an interior point of the feature's polygons, if it has any.
fn inside(parts: &[Geometry], text: Option<String>) -> Option<Label> {
    text.and_then(|text| {
        label_point(parts).map(|at| Label {
            text,
            at,
            above: false,
        })
    })
}

fn hotspots(l: &mut MapLayer) -> LegendSection {
    for f in &mut l.features {
        let text = f.prop("rank").or_else(|| f.prop("id")).and_then(label_text);
        f.label = inside(&f.parts, text);
    }
    LegendSection {
        group: l.id.clone(),
        title: "Hotspots".into(),
        note: None,
        entries: vec![LegendEntry {
            label: format!("Hotspot, labelled by rank ({})", l.features.len()),
            swatch: Swatch::Outline {
                colour: HOTSPOT_OUTLINE,
                dashed: false,
            },
        }],
    }
}

fn context(l: &mut MapLayer) -> LegendSection {
    for f in &mut l.features {
        let text = f
            .properties
            .iter()
            .find(|(k, _)| {
                let k = k.to_ascii_lowercase();
                k == "name" || k.ends_with("nm") || k.ends_with("name")
            })
            .and_then(|(_, v)| label_text(v));
        f.label = inside(&f.parts, text);
    }
    LegendSection {
        group: l.id.clone(),
        title: l.title.clone(),
        note: None,
        entries: vec![LegendEntry {
            label: format!("{} ({} features)", l.file, l.features.len()),
            swatch: Swatch::Outline {
                colour: CONTEXT_OUTLINE,
                dashed: false,
            },
        }],
    }
}

fn harm_spots(l: &mut MapLayer) -> LegendSection {
    for f in &mut l.features {
        let rank = f.prop("rank").and_then(Value::as_u64);
        let street = f
            .prop("location")
            .and_then(Value::as_str)
            .map(crate::model::places::short_street);
        let text = rank
            .filter(|r| *r <= HARM_SPOT_LABELS)
            .map(|r| match &street {
                Some(st) => format!("S{r} {st}"),
                None => format!("S{r}"),
            });
        f.label = inside(&f.parts, text);
    }
    LegendSection {
        group: l.id.clone(),
        title: "Harm spots".into(),
        note: Some(format!(
            "the top {HARM_SPOT_LABELS} labelled S1, S2, ... by harm"
        )),
        entries: vec![LegendEntry {
            label: format!("Harm spot ({})", l.features.len()),
            swatch: Swatch::Fill(HARM_SPOT_FILL),
        }],
    }
}

fn areas(l: &mut MapLayer) -> LegendSection {
    let mut present = [false; Role::ALL.len()];
    for f in &mut l.features {
        let role = role_of(f);
        present[role as usize] = true;
        f.role = Some(role);
        if role != Role::Buffer {
            let text = f.prop("name").and_then(label_text);
            f.label = text.map(|text| Label {
                text,
                at: top_centre(&f.parts),
                above: true,
            });
        }
    }
    LegendSection {
        group: l.id.clone(),
        title: "Areas".into(),
        note: None,
        entries: Role::ALL
            .into_iter()
            .filter(|r| present[*r as usize])
            .map(|r| LegendEntry {
                label: r.label().into(),
                swatch: Swatch::Outline {
                    colour: r.colour(),
                    dashed: r.dashed(),
                },
            })
            .collect(),
    }
}

fn other(l: &mut MapLayer) -> LegendSection {
    let (mut pts, mut lines, mut polys) = (0, 0, 0);
    for g in l.features.iter().flat_map(|f| &f.parts) {
        match g {
            Geometry::Point(_) => pts += 1,
            Geometry::Line(_) => lines += 1,
            Geometry::Polygon(_) => polys += 1,
        }
    }
    let swatch = if polys >= pts.max(lines) {
        Swatch::Outline {
            colour: l.colour,
            dashed: false,
        }
    } else if lines >= pts {
        Swatch::Line(l.colour)
    } else {
        Swatch::Point(l.colour)
    };
    LegendSection {
        group: l.id.clone(),
        title: l.title.clone(),
        note: (!l.shown)
            .then(|| format!("hidden at first: more than {GENERIC_MAX_SHOWN} features")),
        entries: vec![LegendEntry {
            label: format!("{} ({} features)", l.file, l.features.len()),
            swatch,
        }],
    }
}

/// The role of an area: its `role` property, else `place` (as `compare` writes it).
pub(crate) fn role_of(f: &MapFeature) -> Role {
    Role::parse(f.prop("role").or_else(|| f.prop("place")))
}

/// A label point inside the polygons of a feature (lon/lat).
fn label_point(parts: &[Geometry]) -> Option<[f64; 2]> {
    let polys: Vec<geo::Polygon> = parts
        .iter()
        .filter_map(|g| match g {
            Geometry::Polygon(rs) => {
                let ring = |r: &Vec<[f64; 2]>| {
                    geo::LineString::from(r.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>())
                };
                Some(geo::Polygon::new(
                    ring(&rs[0]),
                    rs[1..].iter().map(ring).collect(),
                ))
            }
            _ => None,
        })
        .collect();
    if polys.is_empty() {
        return None;
    }
    geo::MultiPolygon(polys)
        .interior_point()
        .map(|p| [p.x(), p.y()])
}

/// The middle of the north edge of the parts' bounding box (lon/lat).
fn top_centre(parts: &[Geometry]) -> [f64; 2] {
    let (mut w, mut e, mut n) = (f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut see = |p: &[f64; 2]| {
        w = w.min(p[0]);
        e = e.max(p[0]);
        n = n.max(p[1]);
    };
    for g in parts {
        match g {
            Geometry::Polygon(rs) => rs.iter().flatten().for_each(&mut see),
            Geometry::Line(ps) => ps.iter().for_each(&mut see),
            Geometry::Point(p) => see(p),
        }
    }
    [(w + e) / 2.0, n]
}

/// A property as label text: a non-blank string (trimmed) or a number.
fn label_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
