//! GeoJSON FeatureCollections of Points (or a single Feature, or several collections one
//! after another), streamed feature by feature. Properties map to
//! month, crime type, weight and id as CSV columns do.

use super::batch::{hash_bytes, Batch, Caches, Row, HASH0};
use super::{CoordColumns, ReadOptions};
use crate::error::{Error, Result};
use crate::model::incident::{FileSummary, SkipReason};
use geojson::{GeometryValue, JsonValue};
use std::io::{BufReader, Read};
use std::path::Path;

fn prop_text(v: &JsonValue) -> Option<String> {
    match v {
        JsonValue::String(s) => Some(s.clone()),
        JsonValue::Number(n) => Some(n.to_string()),
        JsonValue::Null => Some(String::new()),
        _ => None,
    }
}

fn lookup(
    props: Option<&geojson::JsonObject>,
    given: &Option<String>,
    defaults: &[&str],
) -> Option<String> {
    let props = props?;
    let names: Vec<&str> = match given {
        Some(g) => vec![g.as_str()],
        None => defaults.to_vec(),
    };
    names.iter().find_map(|n| {
        props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .and_then(|(_, v)| prop_text(v))
    })
}

pub(super) fn read<'a>(
    reader: Box<dyn Read + Send + 'a>,
    path: &Path,
    label: String,
    opts: &ReadOptions,
) -> Result<Batch> {
    if let Some(CoordColumns::Projected { .. }) = opts.columns.coords {
        return Err(Error::format(
            path,
            "GeoJSON coordinates are WGS84 lon/lat (RFC 7946): ‹x_col›/‹y_col› do not apply",
        ));
    }
    let mut batch = Batch {
        label,
        unit: "feature",
        ..Default::default()
    };
    let mut caches = Caches::default();
    let c = &opts.columns;
    let mut not_points = std::collections::BTreeSet::new();
    super::geojson_stream::for_each_feature(BufReader::new(reader), path, |n, feature| {
        let coords = match feature.geometry.as_ref().map(|g| &g.value) {
            Some(GeometryValue::Point { coordinates }) => {
                let s = coordinates.as_slice();
                (s.len() >= 2).then(|| (s[0].to_string(), s[1].to_string()))
            }
            Some(other) => {
                not_points.insert(other.type_name().to_string());
                batch.summary.rows += 1;
                batch.skip(SkipReason::NotAPoint, n);
                return Ok(());
            }
            None => None,
        };
        let props = feature.properties.as_ref();
        let month = lookup(props, &c.month, &["Month"]);
        let crime_type = lookup(props, &c.crime_type, &["Crime type", "crime_type", "type"]);
        let weight = c
            .weight
            .as_ref()
            .map(|_| lookup(props, &c.weight, &[]).unwrap_or_default());
        let id = lookup(props, &c.id, &["Crime ID", "crime_id", "id"]);
        let location = lookup(props, &c.location, &["Location"]);
        let lsoa = lookup(props, &c.lsoa, &["LSOA name"]);
        let more = super::keep::more_properties(props, opts);
        // identical features hash equal: properties in file order, then the geometry
        let row_hash = hash_bytes(
            hash_bytes(
                HASH0,
                &serde_json::to_vec(&feature.properties).unwrap_or_default(),
            ),
            &serde_json::to_vec(&feature.geometry).unwrap_or_default(),
        );
        let (x, y) = coords.unwrap_or_default();
        let row = Row {
            line: n,
            x: Some(x.as_bytes()),
            y: Some(y.as_bytes()),
            month: if c.month.is_some() || month.is_some() {
                Some(month.as_deref().unwrap_or("").as_bytes())
            } else {
                None
            },
            crime_type: crime_type.as_deref().map(str::as_bytes),
            weight: weight.as_deref().map(str::as_bytes),
            id: id.as_deref().map(str::as_bytes),
            location: location.as_deref().map(str::as_bytes),
            lsoa: lsoa.as_deref().map(str::as_bytes),
            more: std::array::from_fn(|k| more[k].as_deref().map(str::as_bytes)),
            row_hash,
        };
        batch.push_row(row, true, &mut caches, opts);
        Ok(())
    })?;
    if batch.summary.rows > 0
        && batch.summary.rows
            == batch
                .summary
                .skipped
                .get(&SkipReason::NotAPoint)
                .map_or(0, |s| s.count)
    {
        return Err(Error::format(
            path,
            format!(
                "holds no Point features (found {}): incidents must be Points",
                not_points.into_iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    batch.summary.files.push(FileSummary {
        path: path.display().to_string(),
        format: "geojson".into(),
        rows: batch.summary.rows,
        kept: 0,
        bytes: 0,
        sha256: String::new(),
    });
    Ok(batch)
}
