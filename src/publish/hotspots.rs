//! The `harmspot hotspots` result folder: `harmspots.geojson`, `hotspots.geojson`,
//! `cells.geojson` (the informative cells), `density.tif`, `summary.json`, `summary.md`,
//! the study-area `boundary.geojson` and, only when asked, `points.geojson`, written from
//! a [`HotspotJob`] and the typed records it carries. Values built from fewer than K
//! incidents are withheld ([`crate::publish::disclosure`]); the folder is written beside the old one
//! and swapped in whole ([`crate::publish::write::safe::ResultDir`]).

use crate::error::{Error, Result};
use crate::hotspots::area::{Hotspot, TypeCount};
use crate::hotspots::{informative_cells, HotspotJob};
use crate::model::grid::Shape;
use crate::model::manifest::Manifest;
use crate::publish::disclosure::{Disclosure, DisclosureReport};
use crate::publish::summary::{summary_markdown, RunContext};
use crate::publish::write::geojson::json_num as num;
use crate::publish::write::geojson::{FeatureWriter, Geom};
use crate::publish::write::safe::ResultDir;
use crate::publish::write::{cells, raster, write_atomic, write_json};
use crate::publish::{harm_spots, metadata};
use crate::{Incidents, Layer, Projector};
use serde_json::{json, Map, Value};
use std::io::Write as _;
use std::path::Path;

/// Every file the folder can hold.
pub const OUTPUTS: [&str; 8] = [
    "hotspots.geojson",
    "harmspots.geojson",
    "cells.geojson",
    "density.tif",
    "summary.json",
    "summary.md",
    "points.geojson",
    "boundary.geojson",
];

/// What goes into a hotspots folder besides the job.
pub struct Folder<'a> {
    /// The incidents (for `points.geojson`).
    pub incidents: &'a Incidents,
    /// Working CRS to WGS84.
    pub projector: &'a Projector,
    /// What the run read, for the summaries.
    pub context: &'a RunContext,
    /// The disclosure rules.
    pub rules: &'a Disclosure,
    /// What disclosure control did to the cells.
    pub protected: &'a DisclosureReport,
    /// The run's manifest.
    pub manifest: &'a Manifest,
    /// The study-area boundary file, copied beside the results for `harmspot map`.
    pub boundary: Option<&'a Path>,
    /// Rows of summary.md's tables.
    pub table: usize,
    /// cells.geojson holds every study-area cell, not only the informative ones.
    pub all_cells: bool,
    /// Also write the incidents as points.
    pub include_points: bool,
    /// When the run started (for the manifest).
    pub started: std::time::SystemTime,
}

/// Writes the folder's files into `dir` (not yet committed) and returns their names and
/// the number of cells in cells.geojson.
pub fn write(dir: &ResultDir, job: &HotspotJob, f: &Folder) -> Result<(Vec<&'static str>, u64)> {
    let out = |name: &str| dir.path(name);
    let params = metadata(&job.cells);
    let rules = f.rules;
    let mut written = vec![
        "hotspots.geojson",
        "cells.geojson",
        "summary.json",
        "summary.md",
    ];
    write_hotspots(
        &out("hotspots.geojson"),
        &job.hotspots,
        &params,
        f.projector,
        rules,
    )?;
    if f.include_points {
        write_points(
            &out("points.geojson"),
            f.incidents,
            f.projector,
            rules.precision,
        )?;
        written.push("points.geojson");
    }
    harm_spots::write(
        &out("harmspots.geojson"),
        &job.spots,
        &params,
        f.projector,
        rules,
    )?;
    written.push("harmspots.geojson");
    // the study-area boundary beside the results, so that `harmspot map` draws it
    if let Some(b) = f.boundary {
        let bytes = std::fs::read(b).map_err(|e| Error::io(b, e))?;
        write_atomic(&out("boundary.geojson"), |w| w.write_all(&bytes))?;
        written.push("boundary.geojson");
    }
    let informative = informative_cells(&job.cells);
    let all_cells = f.all_cells;
    let n = cells::write_geojson_where(
        &out("cells.geojson"),
        &job.cells,
        &f.projector.inverse,
        |id| all_cells || informative[id],
    )?;
    if job.cells.grid.spec.shape == Shape::Square {
        let mut density = Layer::new(job.cells.grid.clone());
        density.set(
            "density",
            job.cells.get("density").expect("kde column").to_vec(),
            job.cells.support("density").expect("kde column").clone(),
        );
        density.used = job.cells.used.clone();
        density.run = job.cells.run.clone();
        density.disclosure = job.cells.disclosure.clone();
        raster::write_geotiff(
            &out("density.tif"),
            &density,
            f.projector.working.code(),
            true,
        )?;
        written.push("density.tif");
    }
    let hotspot_rows: Vec<Value> = job
        .hotspots
        .iter()
        .map(|h| Value::Object(hotspot_properties(h, rules)))
        .collect();
    let summary = json!({
        "parameters": Value::Object(params),
        "context": f.context,
        "disclosure": f.protected,
        "hotspots": hotspot_rows,
        "harm_spots": harm_spots::rows(&job.spots, rules),
        "concentration": { "incidents": job.incidents, "harm": job.harm },
    });
    write_json(&out("summary.json"), &summary)?;
    let md = summary_markdown(job, f.context, f.table, rules);
    write_atomic(&out("summary.md"), |w| w.write_all(md.as_bytes()))?;
    super::write_folder_manifest(&out(""), f.manifest, &written, f.started)?;
    Ok((written, n))
}

/// Incidents as points, lon/lat at `decimals` places, with month and crime type.
fn write_points(
    dest: &Path,
    inc: &crate::Incidents,
    projector: &crate::Projector,
    decimals: usize,
) -> Result<()> {
    let mut ll = inc.xy.clone();
    projector.inverse.apply(&mut ll);
    write_atomic(dest, |w| {
        let mut fw = FeatureWriter::begin(w, &Map::new())?.with_decimals(decimals);
        for (i, p) in ll.iter().enumerate() {
            let mut props = Map::new();
            props.insert("month".into(), inc.month[i].to_string().into());
            props.insert(
                "crime_type".into(),
                inc.types[inc.kind[i] as usize].clone().into(),
            );
            fw.feature(&Geom::Point(*p), &props)?;
        }
        fw.finish()?;
        Ok(())
    })
}

/// Hotspot polygons in WGS84, one feature each, properties from
/// [`crate::hotspots::area::Hotspot::properties`].
fn write_hotspots(
    dest: &Path,
    hotspots: &[crate::hotspots::area::Hotspot],
    params: &Map<String, Value>,
    projector: &crate::Projector,
    rules: &Disclosure,
) -> Result<()> {
    let mut members = Map::new();
    members.insert("harmspot".into(), Value::Object(params.clone()));
    write_atomic(dest, |w| {
        let mut fw = FeatureWriter::begin(w, &members)?.with_decimals(rules.precision);
        for h in hotspots {
            let mut rings = vec![h.polygon.exterior.clone()];
            rings.extend(h.polygon.holes.iter().cloned());
            for r in &mut rings {
                projector.inverse.apply(r);
            }
            fw.feature(
                &Geom::Polygon(rings).oriented(),
                &hotspot_properties(h, rules),
            )?;
        }
        fw.finish()?;
        Ok(())
    })
}

/// Flat GeoJSON properties: `id, rank, cells, area_km2, incidents, harm,
/// incident_share, harm_share, type_1, type_1_n, type_2, type_2_n, type_3, type_3_n,
/// peak_density, mean_gistar, location, location_n, lsoa_name, lsoa_n` (missing types,
/// names and values are null), withheld under disclosure control as
/// [`Disclosure::place`] says.
pub fn hotspot_properties(h: &Hotspot, rules: &Disclosure) -> Map<String, Value> {
    let shown = rules.place(h.incidents, &h.top_types, &h.names);
    let or_null = |v: Option<f64>| v.filter(|_| shown.values).map_or(Value::Null, num);
    let mut m = Map::new();
    m.insert("id".into(), h.id.into());
    m.insert("rank".into(), h.rank.into());
    m.insert("cells".into(), h.cells.into());
    m.insert("area_km2".into(), num(h.area_km2));
    m.insert("incidents".into(), or_null(Some(h.incidents)));
    m.insert("harm".into(), or_null(Some(h.harm)));
    m.insert("incident_share".into(), or_null(Some(h.incident_share)));
    m.insert("harm_share".into(), or_null(Some(h.harm_share)));
    type_properties(&mut m, &shown.types);
    m.insert("peak_density".into(), or_null(h.peak_density));
    m.insert("mean_gistar".into(), or_null(h.mean_gistar));
    name_properties(&mut m, &shown.names);
    m
}

/// Adds `type_1, type_1_n, …, type_3_n`: the top crime types as shown (null when withheld
/// or absent).
pub fn type_properties(m: &mut Map<String, Value>, types: &[Option<&TypeCount>]) {
    for k in 0..3 {
        let t = types.get(k).copied().flatten();
        m.insert(
            format!("type_{}", k + 1),
            t.map_or(Value::Null, |t| t.crime_type.clone().into()),
        );
        m.insert(
            format!("type_{}_n", k + 1),
            t.map_or(Value::Null, |t| t.incidents.into()),
        );
    }
}

/// Adds `location`, `location_n`, `lsoa_name`, `lsoa_n`: the most frequent street and LSOA
/// name and their incident counts (null without names).
pub fn name_properties(m: &mut Map<String, Value>, names: &crate::model::places::PlaceNames) {
    for (key, list) in [("location", &names.locations), ("lsoa", &names.lsoas)] {
        let first = list.first();
        let name_key = if key == "lsoa" { "lsoa_name" } else { key };
        m.insert(
            name_key.into(),
            first.map_or(Value::Null, |n| n.name.clone().into()),
        );
        m.insert(
            format!("{key}_n"),
            first.map_or(Value::Null, |n| n.incidents.into()),
        );
    }
}
