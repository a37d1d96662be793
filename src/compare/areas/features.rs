//! Reading the treatment areas of an areas file (METHODS §6, A): each feature's name,
//! start month and shape — a Polygon or MultiPolygon as drawn (validated, repaired with
//! geo's `MakeValid` after Ledoux et al. 2014 when invalid), or a Point hub with a radius,
//! counted as the exact circle and drawn as a 72-gon.

use super::geometry::{area_m2, circle, make_valid};
use super::{Area, AreaShape, AreasParams};
use crate::error::{Error, Result};
use crate::ingest::read::areas::AreaFeature;
use crate::model::month::Month;
use geo::{Geometry, MultiPolygon};
use std::path::Path;

fn field_error(path: &Path, number: usize, field: &str, reason: String) -> Error {
    Error::Field {
        path: path.to_path_buf(),
        line: number as u64,
        field: field.to_string(),
        reason,
    }
}

fn properties_list(f: &AreaFeature) -> String {
    if f.properties.is_empty() {
        "the feature has no properties".into()
    } else {
        let keys: Vec<&str> = f.properties.keys().map(String::as_str).collect();
        format!("the feature's properties are: {}", keys.join(", "))
    }
}

fn text_property(f: &AreaFeature, field: &str) -> Option<String> {
    match f.properties.get(field)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The treatment areas of `features`, in file order, with notes on repairs and on a
/// radius given for polygons.
pub(super) fn treatment_areas(
    features: &[AreaFeature],
    path: &Path,
    params: &AreasParams,
    notes: &mut Vec<String>,
) -> Result<Vec<Area>> {
    let mut areas: Vec<Area> = Vec::with_capacity(features.len());
    let mut polygons_given = 0;
    for f in features {
        let name = name_of(f, path, params, &areas)?;
        let start = start_of(f, path, params, &name)?;
        if !matches!(f.geometry, Geometry::Point(_)) {
            polygons_given += 1;
        }
        let (shape, treatment, repaired) = shape_of(f, path, params, &name, notes)?;
        let treatment_m2 = match shape {
            AreaShape::Point { radius_m, .. } => std::f64::consts::PI * radius_m * radius_m,
            AreaShape::Polygon => area_m2(&treatment),
        };
        areas.push(Area {
            name,
            feature: f.number,
            shape,
            start,
            treatment_m2,
            treatment,
            outer: None,
            ring: None,
            ring_m2: None,
            repaired,
        });
    }
    if params.radius.is_some() && polygons_given > 0 {
        notes.push(format!(
            "‹radius› applies to Point features only; {polygons_given} polygon area(s) are used as drawn"
        ));
    }
    Ok(areas)
}

/// A feature's name: present and unique.
fn name_of(f: &AreaFeature, path: &Path, params: &AreasParams, seen: &[Area]) -> Result<String> {
    let field = &params.name_field;
    let name = text_property(f, field).ok_or_else(|| {
        field_error(
            path,
            f.number,
            field,
            format!(
                "no name: {} (choose the name property with ‹name_field›)",
                properties_list(f)
            ),
        )
    })?;
    if let Some(other) = seen.iter().find(|a| a.name == name) {
        return Err(field_error(
            path,
            f.number,
            field,
            format!(
                "name `{name}` is already used by feature {}: names must be unique",
                other.feature
            ),
        ));
    }
    Ok(name)
}

/// A feature's start month, when a start field is given.
fn start_of(
    f: &AreaFeature,
    path: &Path,
    params: &AreasParams,
    name: &str,
) -> Result<Option<Month>> {
    Ok(match &params.start_field {
        None => None,
        Some(sf) => {
            let Some(v) = f.properties.get(sf).filter(|v| !v.is_null()) else {
                return Err(field_error(
                    path,
                    f.number,
                    sf,
                    format!(
                        "area `{name}` has no start month: {} (‹start_field›)",
                        properties_list(f)
                    ),
                ));
            };
            let s = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            Some(Month::parse(&s).ok_or_else(|| {
                field_error(
                    path,
                    f.number,
                    sf,
                    format!("area `{name}`: `{s}` is not a month YYYY-MM"),
                )
            })?)
        }
    })
}

/// A feature's shape, its treatment polygon and what was repaired.
fn shape_of(
    f: &AreaFeature,
    path: &Path,
    params: &AreasParams,
    name: &str,
    notes: &mut Vec<String>,
) -> Result<(AreaShape, MultiPolygon<f64>, Option<String>)> {
    Ok(match &f.geometry {
        Geometry::Point(p) => {
            let Some(r) = params.radius else {
                return Err(Error::param(crate::Param::Radius,
                        format!(
                            "{}: feature {} (`{name}`) is a Point: give ‹radius› M, the distance around each hub in metres",
                            path.display(),
                            f.number
                        ),
                    ));
            };
            let c = [p.x(), p.y()];
            (
                AreaShape::Point {
                    centre: c,
                    radius_m: r,
                },
                MultiPolygon(vec![circle(c, r)]),
                None,
            )
        }
        g => {
            let mp = match g {
                Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                Geometry::MultiPolygon(mp) => mp.clone(),
                _ => {
                    return Err(field_error(
                        path,
                        f.number,
                        "geometry",
                        format!("area `{name}` is not a Polygon, MultiPolygon or Point"),
                    ))
                }
            };
            let (mp, problem) = make_valid(mp).map_err(|why| {
                field_error(
                    path,
                    f.number,
                    "geometry",
                    format!("area `{name}` is not a valid polygon: {why}"),
                )
            })?;
            if let Some(p) = &problem {
                notes.push(format!(
                        "area `{name}` (feature {}) was not a valid polygon ({p}); it was repaired with geo's MakeValid — check the repaired shape in areas.geojson",
                        f.number
                    ));
            }
            (AreaShape::Polygon, mp, problem)
        }
    })
}
