//! `areas.geojson` of a comparison: treatment, buffer and control polygons in WGS84
//! (RFC 7946) with their counts and effects (METHODS §6) as properties, rendered from the
//! typed, disclosure-shielded records of [`super::shield`]. Property names are part of the
//! public interface.

use super::shield::{find, shield_row, Shielded};
use crate::compare::stats::Effects;
use crate::compare::{AreaResult, AreaSet, CompareResult, MeasureKind, Pooling};
use crate::error::{Error, Result};
use crate::publish::disclosure::Disclosure;
use crate::publish::write::geojson::{json_num, FeatureWriter, Geom};
use crate::space::crs::Transform;
use geo::{CoordsIter, MultiPolygon};
use serde_json::{Map, Value};
use std::io::Write;

/// The place a feature draws (its `place` property).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Place {
    Treatment,
    Buffer,
    Control,
    BufferControl,
}

impl Place {
    fn as_str(self) -> &'static str {
        match self {
            Place::Treatment => "treatment",
            Place::Buffer => "buffer",
            Place::Control => "control",
            Place::BufferControl => "buffer_control",
        }
    }
}

/// Projects a working-CRS (multi)polygon to a lon/lat [`Geom`] (one batch through
/// `inverse`), exteriors counter-clockwise.
pub fn to_lonlat(mp: &MultiPolygon<f64>, inverse: &Transform) -> Result<Geom> {
    let mut pts: Vec<[f64; 2]> = mp.coords_iter().map(|c| [c.x, c.y]).collect();
    inverse.apply(&mut pts);
    if pts.iter().any(|p| p[0].is_nan()) {
        return Err(Error::Crs(
            "an area could not be projected back to WGS84".into(),
        ));
    }
    let mut it = pts.into_iter();
    let mut polys = Vec::with_capacity(mp.0.len());
    for p in &mp.0 {
        let mut rings = Vec::with_capacity(1 + p.interiors().len());
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            rings.push(it.by_ref().take(ring.0.len()).collect::<Vec<_>>());
        }
        polys.push(rings);
    }
    Ok(Geom::MultiPolygon(polys).oriented())
}

fn effect_props(props: &mut Map<String, Value>, e: Option<&Effects>, prefix: &str, place: Place) {
    let change = e.and_then(|e| match place {
        Place::Treatment => Some(&e.treatment),
        Place::Buffer => e.buffer.as_ref(),
        Place::Control | Place::BufferControl => Some(&e.control),
    });
    let n = |v: Option<f64>| v.map_or(Value::Null, json_num);
    props.insert(format!("{prefix}_before"), n(change.map(|c| c.before)));
    props.insert(format!("{prefix}_after"), n(change.map(|c| c.after)));
    props.insert(
        format!("{prefix}_pct_change"),
        n(change.and_then(|c| c.pct_change)),
    );
    if place == Place::Treatment {
        props.insert(
            format!("{prefix}_gross_effect"),
            n(e.map(|e| e.gross_effect)),
        );
        props.insert(format!("{prefix}_res"), n(e.and_then(|e| e.res.res)));
        props.insert(
            format!("{prefix}_res_ci_low"),
            n(e.and_then(|e| e.res.ci_low)),
        );
        props.insert(
            format!("{prefix}_res_ci_high"),
            n(e.and_then(|e| e.res.ci_high)),
        );
        props.insert(format!("{prefix}_res_p"), n(e.and_then(|e| e.res.p)));
        props.insert(format!("{prefix}_wdd"), n(e.map(|e| e.wdd.wdd)));
        props.insert(format!("{prefix}_wdd_z"), n(e.and_then(|e| e.wdd.z)));
        props.insert(format!("{prefix}_tne"), n(e.and_then(|e| e.tne)));
    }
    if place == Place::Buffer {
        props.insert(format!("{prefix}_wdq"), n(e.and_then(|e| e.wdq.wdq)));
        props.insert(
            format!("{prefix}_wdd_displacement"),
            n(e.and_then(|e| e.wdd.displacement)),
        );
    }
}

fn props_for(
    a: Option<(&AreaResult, &[Shielded])>,
    name: &str,
    place: Place,
) -> Map<String, Value> {
    let (a, sh) = (a.map(|x| x.0), a.map(|x| x.1));
    let measure = |key: &MeasureKind| sh.and_then(|sh| find(sh, key)).map(|x| &x.e);
    let mut p = Map::new();
    p.insert("name".into(), name.into());
    p.insert("place".into(), place.as_str().into());
    p.insert(
        "feature".into(),
        a.and_then(|a| a.feature).map_or(Value::Null, Value::from),
    );
    let periods = a.and_then(|a| a.periods.as_ref());
    p.insert(
        "before".into(),
        periods.map_or(Value::Null, |p| p.before.to_string().into()),
    );
    p.insert(
        "after".into(),
        periods.map_or(Value::Null, |p| p.after.to_string().into()),
    );
    let unit = measure(&MeasureKind::Crime).map_or(Value::Null, |e| Value::from(e.unit));
    p.insert("unit".into(), unit);
    for key in [MeasureKind::Crime, MeasureKind::Asb, MeasureKind::Harm] {
        effect_props(&mut p, measure(&key), &key.to_string(), place);
    }
    p
}

/// Writes `areas.geojson`: per area a `treatment` and (with a buffer) a `buffer` feature,
/// then one `control` feature, all in WGS84 with counts and effects as properties
/// (`name, place, feature, before, after, unit`, then for `crime`, `asb` and `harm`:
/// `_before, _after, _pct_change`; on treatment features also `_gross_effect, _res,
/// _res_ci_low, _res_ci_high, _res_p, _wdd, _wdd_z, _tne`; on buffer features `_wdq,
/// _wdd_displacement`). The control feature carries the pooled row's control values when
/// every area shares its periods, and nulls otherwise; a buffer control, when given, is
/// drawn as a last feature (`place` `buffer_control`, values null: its counts are in
/// report.json). Point hubs are drawn as 72-gons, but counted by exact distance. `members` go in as foreign
/// top-level members (the run's parameters). Under `rules`, values withheld are null,
/// small counts rounded with `--round`, and coordinates have `rules.precision` decimals
/// (point hubs are always written as their circles, never as points).
pub fn write_geojson<W: Write>(
    w: W,
    r: &CompareResult,
    set: &AreaSet,
    inverse: &Transform,
    members: &Map<String, Value>,
    rules: &Disclosure,
) -> Result<()> {
    let io = |e: std::io::Error| Error::io("areas.geojson", e);
    let mut fw = FeatureWriter::begin(w, members)
        .map_err(io)?
        .with_decimals(rules.precision);
    for (a, res) in set.areas.iter().zip(&r.areas) {
        let sh = shield_row(res, r, rules);
        fw.feature(
            &to_lonlat(&a.treatment, inverse)?,
            &props_for(Some((res, &sh)), &a.name, Place::Treatment),
        )
        .map_err(io)?;
        if let Some(ring) = &a.ring {
            fw.feature(
                &to_lonlat(ring, inverse)?,
                &props_for(Some((res, &sh)), &a.name, Place::Buffer),
            )
            .map_err(io)?;
        }
    }
    if !r.control_geometry.0.is_empty() {
        let pooled = (r.pooling == Pooling::Union).then_some(&r.pooled);
        let sh = pooled.map(|p| shield_row(p, r, rules));
        fw.feature(
            &to_lonlat(&r.control_geometry, inverse)?,
            &props_for(pooled.zip(sh.as_deref()), "control", Place::Control),
        )
        .map_err(io)?;
    }
    if let Some(g) = r
        .buffer_control_geometry
        .as_ref()
        .filter(|g| !g.0.is_empty())
    {
        // its counts are in report.json (`counts.buffer_control`); the feature draws it
        fw.feature(
            &to_lonlat(g, inverse)?,
            &props_for(None, "buffer control", Place::BufferControl),
        )
        .map_err(io)?;
    }
    fw.finish().map_err(io)?;
    Ok(())
}
