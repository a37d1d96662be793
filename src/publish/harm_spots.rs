//! `harmspots.geojson` and the `harm_spots` rows of `summary.json`: the harm spots of
//! [`crate::hotspots::harm_spot`] as partners receive them, values built from fewer than K incidents
//! withheld ([`crate::publish::disclosure`]).

use crate::error::Result;
use crate::hotspots::harm_spot::{HarmSpot, SpotResult};
use crate::publish::disclosure::Disclosure;
use crate::publish::write::geojson::{json_num as num, FeatureWriter, Geom};
use crate::publish::write::write_atomic;
use serde_json::{Map, Value};
use std::path::Path;

/// Flat properties of a harm spot: `rank, area_id, area_rank, cells, area_km2, incidents,
/// harm, harm_share, cumulative_share, type_1, type_1_n, type_2, type_2_n, type_3,
/// type_3_n, location, location_n, lsoa_name, lsoa_n` (the most frequent street and LSOA).
/// Values built from fewer than K incidents are null under disclosure control (rank, area
/// and cells come from the grid and stay).
pub fn properties(s: &HarmSpot, rules: &Disclosure) -> Map<String, Value> {
    let shown = rules.place(s.incidents, &s.top_types, &s.names);
    let or_null = |v: f64| if shown.values { num(v) } else { Value::Null };
    let mut m = Map::new();
    m.insert("rank".into(), s.rank.into());
    m.insert("area_id".into(), s.area_id.into());
    m.insert("area_rank".into(), s.area_rank.into());
    m.insert("cells".into(), s.cells.into());
    m.insert("area_km2".into(), num(s.area_km2));
    m.insert("incidents".into(), or_null(s.incidents));
    m.insert("harm".into(), or_null(s.harm));
    m.insert("harm_share".into(), or_null(s.harm_share));
    m.insert("cumulative_share".into(), num(s.cumulative_share));
    super::hotspots::type_properties(&mut m, &shown.types);
    super::hotspots::name_properties(&mut m, &shown.names);
    m
}

/// The spots as JSON rows (for summary.json).
pub fn rows(r: &SpotResult, rules: &Disclosure) -> Value {
    Value::Array(
        r.spots
            .iter()
            .map(|s| Value::Object(properties(s, rules)))
            .collect(),
    )
}

/// Writes the harm spots as WGS84 polygons, one feature each, by rank.
pub fn write(
    dest: &Path,
    r: &SpotResult,
    params: &Map<String, Value>,
    projector: &crate::Projector,
    rules: &Disclosure,
) -> Result<()> {
    let mut members = Map::new();
    members.insert("harmspot".into(), Value::Object(params.clone()));
    write_atomic(dest, |w| {
        let mut fw = FeatureWriter::begin(w, &members)?.with_decimals(rules.precision);
        for s in &r.spots {
            let mut rings = vec![s.polygon.exterior.clone()];
            rings.extend(s.polygon.holes.iter().cloned());
            for ring in &mut rings {
                projector.inverse.apply(ring);
            }
            fw.feature(&Geom::Polygon(rings).oriented(), &properties(s, rules))?;
        }
        fw.finish()?;
        Ok(())
    })
}
