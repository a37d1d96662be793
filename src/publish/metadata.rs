//! A layer's metadata: the `"harmspot"` member of its GeoJSON, the GDAL metadata of its
//! GeoTIFF, the `parameters` of its reports and manifest. Rendered here, and only here,
//! from the typed records a layer carries ([`crate::model::used::Used`], [`RunRecord`],
//! [`crate::publish::disclosure::Applied`]), so every key and sentence states what was actually run.

use crate::density::count::{By, CountUsed};
use crate::density::kde::{KdeUsed, Kernel, Weights, WeightsUsed};
use crate::hotspots::area::Select;
use crate::hotspots::{GistarValue, HotspotsUsed};
use crate::model::grid::{Grid, GridSpec};
use crate::model::layer::Layer;
use crate::model::used::{EmergingLayerUsed, RunRecord, Used};
use crate::publish::disclosure::Disclosure;
use crate::spacetime::change::ChangeUsed;
use crate::spacetime::emerging::Pattern;
use crate::spacetime::evaluate::{EvaluateUsed, HowUsed};
use crate::stats::gistar::GistarUsed;
use serde_json::{json, Map, Value};

/// The metadata every output of `layer` records: what the analysis used, what the run read
/// and decided, and the disclosure control applied. Keys are sorted (a JSON object).
///
/// ```
/// use harmspot::{count::{aggregate, CountParams}, grid::{Grid, Shape}, Incidents, Month};
/// let inc = Incidents { xy: vec![[50.0, 50.0]], kind: vec![0], harm: vec![2.0],
///     month: vec![Month::UNKNOWN], types: vec!["Robbery".into()], ..Default::default() };
/// let grid = Grid::from_extent(Shape::Square, 100.0, [0.0, 0.0, 199.0, 99.0]).unwrap();
/// let layer = aggregate(&inc, &grid, &CountParams::default()).unwrap();
/// let m = harmspot::publish::metadata(&layer);
/// assert_eq!(m["analysis"], "count");
/// assert_eq!(m["cell_size"], 100.0);
/// assert_eq!(m["incidents"], 1);
/// ```
pub fn metadata(layer: &Layer) -> Map<String, Value> {
    let mut m = Map::new();
    let spec = &layer.grid.spec;
    // the products of change and evaluate are published as the layer was protected
    let rules = layer
        .disclosure
        .as_ref()
        .map_or_else(Disclosure::off, |a| a.rules());
    match &layer.used {
        Used::Nothing => {}
        Used::Count(c) => count(c, spec, &mut m),
        Used::Kde(k) => kde(k, spec, &mut m),
        Used::Gistar {
            cells,
            value,
            gistar,
        } => {
            count(cells, spec, &mut m);
            m.insert("analysis".into(), "gistar".into());
            m.insert("gistar".into(), gistar_verb(*value, gistar));
        }
        Used::Hotspots(h) => hotspots(h, spec, &mut m),
        Used::Change(c) => change(c, spec, &rules, &mut m),
        Used::Evaluate(e) => evaluate(e, spec, &rules, &mut m),
        Used::Emerging(e) => emerging(e, spec, &mut m),
    }
    if let Some(r) = &layer.run {
        run(r, &layer.grid, &mut m);
    }
    if let Some(d) = &layer.disclosure {
        m.insert(
            "disclosure".into(),
            serde_json::to_value(&d.report).unwrap_or_default(),
        );
        m.insert("coordinate_decimals".into(), d.coordinate_decimals.into());
    }
    m
}

/// Cell size and shape, which every layer states.
fn cells(spec: &GridSpec, m: &mut Map<String, Value>) {
    m.insert("cell_size".into(), json!(spec.cell_size));
    m.insert("shape".into(), json!(spec.shape));
}

fn count(c: &CountUsed, spec: &GridSpec, m: &mut Map<String, Value>) {
    m.insert("analysis".into(), "count".into());
    let by = match c.by {
        None => Value::Null,
        Some(By::Type) => "type".into(),
        Some(By::Month) => "month".into(),
    };
    m.insert("by".into(), by);
    if !c.groups.is_empty() {
        let groups: Map<String, Value> = c
            .groups
            .iter()
            .map(|(k, name)| (k.clone(), Value::String(name.clone())))
            .collect();
        m.insert("groups".into(), groups.into());
    }
    cells(spec, m);
    m.insert("incidents".into(), c.incidents.into());
    m.insert("incidents_outside_grid".into(), c.outside_grid.into());
}

fn kde(k: &KdeUsed, spec: &GridSpec, m: &mut Map<String, Value>) {
    m.insert("analysis".into(), "kde".into());
    m.insert("kernel".into(), k.kernel.name().into());
    m.insert("bandwidth".into(), json!(k.bandwidth));
    m.insert("bandwidth_source".into(), k.source.clone().into());
    if k.adjust != 1.0 {
        m.insert("bandwidth_adjust".into(), json!(k.adjust));
        m.insert("bandwidth_unadjusted".into(), json!(k.unadjusted));
    }
    m.insert("support_radius".into(), json!(k.support_radius));
    if k.kernel == Kernel::Gaussian {
        m.insert(
            "gaussian_truncation".into(),
            "4 standard deviations, renormalised to integrate to 1".into(),
        );
    }
    m.insert("weights".into(), k.weights.describe().into());
    m.insert("values".into(), k.values.describe().into());
    cells(spec, m);
    m.insert("incidents".into(), k.incidents.into());
    m.insert("incidents_outside_grid".into(), k.outside_grid.into());
}

/// The members of a `gistar` object that the `gistar` and `hotspots` outputs share.
fn gistar_common(value: GistarValue, u: &GistarUsed) -> Map<String, Value> {
    let v = json!({
        "value": value.column(),
        "neighbour_distance_m": u.neighbour_distance,
        "fdr": u.fdr,
        "permutations": u.permutations,
        "seed": u.seed,
        "pvalue": u.pvalue,
        "pvalue_sides": "two-sided",
        "population_cells": u.population,
        "study_area": u.study_area,
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!("json! of an object"),
    }
}

/// The `gistar` member of the `gistar` verb's outputs: the shared members, how the
/// neighbours were chosen and weighted, the classes and the population moments.
fn gistar_verb(value: GistarValue, u: &GistarUsed) -> Value {
    let mut m = gistar_common(value, u);
    let source = if u.neighbour_distance_auto {
        "automatic: sqrt(2) x cell size"
    } else {
        "given"
    };
    m.insert("neighbour_distance_source".into(), source.into());
    m.insert(
        "weights".into(),
        "binary distance band between cell centres, the cell itself included (Gi*)".into(),
    );
    m.insert(
        "classes".into(),
        "+-3: p < 0.01, +-2: p < 0.05, +-1: p < 0.10 (hot positive)".into(),
    );
    m.insert("mean".into(), json!(u.mean));
    m.insert("sd".into(), json!(u.sd));
    Value::Object(m)
}

fn hotspots(h: &HotspotsUsed, spec: &GridSpec, m: &mut Map<String, Value>) {
    kde(&h.kde, spec, m);
    let u = &h.gistar;
    m.insert("analysis".into(), "hotspots".into());
    m.insert("gistar".into(), gistar_common(h.value, u).into());
    let how = match h.select {
        Select::Hot { min_class } => format!("edge-contiguous cells with Gi* class >= {min_class}"),
        Select::Top { percent } => {
            format!("edge-contiguous cells among the top {percent}% by density")
        }
    };
    m.insert("hotspots".into(), how.into());
    m.insert(
        "harm_spots".into(),
        json!({
            "cell_size_m": h.spot_cell_size,
            "max_cells": h.spot_params.max_cells,
            "join_share": h.spot_params.join_share,
            "power_share": h.spot_params.power_share,
            "spots": h.spots,
            "candidates": h.spot_candidates,
        }),
    );
}

/// The per-cell column a weighting counts: `harm`, or `n` when unweighted.
fn column_of(w: Weights) -> &'static str {
    match w {
        Weights::Harm => "harm",
        Weights::Unweighted => "n",
    }
}

fn change(c: &ChangeUsed, spec: &GridSpec, rules: &Disclosure, m: &mut Map<String, Value>) {
    let s = &c.summary;
    m.insert("analysis".into(), "change".into());
    m.insert("before".into(), s.before.to_string().into());
    m.insert("after".into(), s.after.to_string().into());
    m.insert("period_ratio".into(), json!(s.period_ratio));
    m.insert(
        "formulas".into(),
        json!({
            "change": "n_after - k * n_before, k = months after / months before",
            "pct_change": "100 * change / (k * n_before); null when n_before = 0",
            "z": "change / sqrt(n_after + k^2 * n_before) (Poisson); null when both are 0",
            "z_harm": "change_harm / sqrt(sum of squared harm weights after + k^2 * before)",
        }),
    );
    m.insert("totals".into(), super::change::totals(s, rules).0);
    if let Some(k) = &c.kde {
        m.insert(
            "kde".into(),
            json!({
                "method": k.method.name(),
                "kernel": k.kernel.name(),
                "bandwidth": k.bandwidth,
                "bandwidth_source": k.bandwidth_source,
                "weights": WeightsUsed::from(k.weights).describe(),
                "units": "density per km2; kde_before is scaled by the period ratio k",
                "floor": k.floor,
                "floor_source": if k.floor_given { "given" } else { "peak density of one incident of weight 1, K_h(0)" },
            }),
        );
    }
    cells(spec, m);
}

fn evaluate(e: &EvaluateUsed, spec: &GridSpec, rules: &Disclosure, m: &mut Map<String, Value>) {
    m.insert("analysis".into(), "evaluate".into());
    m.insert("train".into(), e.train.to_string().into());
    m.insert("test".into(), e.test.to_string().into());
    let how = match &e.how {
        HowUsed::TopKde {
            percent,
            kernel,
            bandwidth,
            bandwidth_source,
        } => {
            json!({"select": "top", "percent": percent, "surface": "kde density per km2", "kernel": kernel.name(), "bandwidth": bandwidth, "bandwidth_source": bandwidth_source})
        }
        HowUsed::TopCells { percent, surface } => {
            json!({"select": "top", "percent": percent, "surface": column_of(*surface)})
        }
        HowUsed::Hot {
            min_class,
            value,
            neighbour_distance,
            fdr,
        } => {
            json!({"select": "hot", "min_class": min_class, "value": column_of(*value), "neighbour_distance": neighbour_distance, "fdr": fdr})
        }
    };
    m.insert("hotspots".into(), how);
    m.insert(
        "scores".into(),
        super::evaluate::scores(&e.scores, &e.supports, rules).0,
    );
    m.insert(
        "definitions".into(),
        json!({
            "hit_rate": "n/N: share of test-period incidents in the hotspot cells",
            "pai": "Predictive Accuracy Index (Chainey, Tompson & Uhlig 2008): (n/N)/(a/A)",
            "pei": "Predictive Efficiency Index (Hunt 2016): PAI / PAI*, PAI* the best PAI of the same number of cells in the test period = n/n*",
            "rri": "Recapture Rate Index (Levine 2008): (n_test/n_train)/(N_test/N_train) for the hotspot cells",
        }),
    );
    cells(spec, m);
}

fn emerging(e: &EmergingLayerUsed, spec: &GridSpec, m: &mut Map<String, Value>) {
    m.insert("analysis".into(), "emerging".into());
    if let Value::Object(u) = serde_json::to_value(&e.used).expect("serialisable") {
        m.extend(u);
    }
    let legend: Map<String, Value> = Pattern::ALL
        .iter()
        .map(|p| (p.code().to_string(), Value::String(p.label().into())))
        .collect();
    m.insert("pattern_legend".into(), legend.into());
    m.insert("cells_per_pattern".into(), cells_per_pattern(e).into());
    cells(spec, m);
}

/// Cells per pattern by label; as published (with `suppressed`) after disclosure control.
pub fn cells_per_pattern(e: &EmergingLayerUsed) -> Map<String, Value> {
    let (per, suppressed) = match &e.published {
        None => (&e.cells_per_pattern, None),
        Some((per, suppressed)) => (per, Some(*suppressed)),
    };
    let mut m: Map<String, Value> = per
        .iter()
        .map(|(p, c)| (p.label().to_string(), json!(c)))
        .collect();
    if let Some(s) = suppressed {
        m.insert("suppressed".into(), json!(s));
    }
    m
}

fn run(r: &RunRecord, grid: &Grid, m: &mut Map<String, Value>) {
    let spec = &grid.spec;
    if let Some(s) = r.grid.strays_left_out {
        m.insert("strays_left_out".into(), json!(s));
    }
    m.insert("cell_size_source".into(), r.grid.cell_size_source().into());
    cells(spec, m);
    m.insert("study_area".into(), grid.area_note.clone().into());
    m.insert(
        "grid".into(),
        json!({
            "nx": spec.nx,
            "ny": spec.ny,
            "bounds": spec.bounds(),
            "cells": spec.len(),
            "study_area_cells": grid.area_cells(),
        }),
    );
    m.insert("harmspot_version".into(), env!("CARGO_PKG_VERSION").into());
    m.insert("working_crs".into(), r.working_crs.clone().into());
    let i = &r.input;
    m.insert(
        "input".into(),
        json!({
            "files": i.files,
            "rows": i.rows,
            "kept": i.kept,
            "skipped": i.skipped,
            "filtered": i.filtered,
            "months": i.months,
            "types": i.types,
            "exclude_types": i.exclude_types,
        }),
    );
    m.insert("harm".into(), r.harm.clone().into());
    if let Some(man) = &r.manifest {
        m.insert("manifest".into(), man.to_json());
    }
}
