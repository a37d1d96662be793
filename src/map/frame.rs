//! Where the map looks and how it projects: Web Mercator (EPSG:3857, the projection of XYZ
//! basemap tiles; north up everywhere, lengths stretched by 1/cos φ), the frame ([`bounds`]:
//! what a partner acts on: the top harm spots and the hotspot areas holding them, issue 11;
//! else what was analysed, leaving out context outlines and control areas, which can span a
//! whole force)
//! and the round lengths of scale bars.

use super::overlay::role_of;
use super::{Geometry, LayerKind, MapFeature, MapLayer, Role, HARM_SPOT_LABELS};
use serde_json::Value;

/// Web Mercator (EPSG:3857) metres of a lon/lat position; latitudes are clamped to
/// ±85.05113°, the edge of the square XYZ tile world.
pub(crate) fn mercator(p: [f64; 2]) -> [f64; 2] {
    const R: f64 = 6_378_137.0;
    let lat = p[1]
        .clamp(-85.051_128_779_806_6, 85.051_128_779_806_6)
        .to_radians();
    [
        R * p[0].to_radians(),
        R * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln(),
    ]
}

/// The latitude (degrees) of a Web Mercator northing (metres).
pub(crate) fn mercator_lat(y: f64) -> f64 {
    (y / 6_378_137.0).sinh().atan().to_degrees()
}

/// The longest "round" length (1, 2 or 5 × 10ⁿ metres) not above `max_m`, for scale bars.
pub(crate) fn nice_length(max_m: f64) -> f64 {
    if max_m.is_nan() || max_m <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&l| l <= max_m * (1.0 + 1e-12))
        .unwrap_or(p)
}

/// A length label: metres below 1 km, kilometres above (`"500 m"`, `"2 km"`, `"1.5 km"`).
pub(crate) fn fmt_length(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        if km.fract() == 0.0 {
            format!("{km:.0} km")
        } else {
            format!("{km} km")
        }
    } else {
        format!("{} m", m.round())
    }
}

/// The frame, lon/lat `[west, south, east, north]`: the extent of [`framed_features`], or
/// `None` when they have no position.
pub(crate) fn bounds(layers: &[MapLayer]) -> Option<[f64; 4]> {
    let mut bounds = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    let mut grow = |p: &[f64; 2]| {
        bounds[0] = bounds[0].min(p[0]);
        bounds[1] = bounds[1].min(p[1]);
        bounds[2] = bounds[2].max(p[0]);
        bounds[3] = bounds[3].max(p[1]);
    };
    for f in framed_features(layers) {
        for g in &f.parts {
            match g {
                Geometry::Polygon(rs) => rs.iter().flatten().for_each(&mut grow),
                Geometry::Line(ps) => ps.iter().for_each(&mut grow),
                Geometry::Point(p) => grow(p),
            }
        }
    }
    bounds[0].is_finite().then_some(bounds)
}

/// The features the map frames, what a partner acts on (issue 11): the labelled harm spots
/// (rank ≤ [`HARM_SPOT_LABELS`]) with the hotspot areas holding them (`area_id`); else every
/// feature but context outlines and control areas; else every feature.
pub(crate) fn framed_features(layers: &[MapLayer]) -> Vec<&MapFeature> {
    let rank = |f: &MapFeature| f.prop("rank").and_then(Value::as_u64);
    let of = |k: LayerKind| {
        layers
            .iter()
            .filter(move |l| l.kind == k)
            .flat_map(|l| &l.features)
    };
    let spots: Vec<&MapFeature> = of(LayerKind::HarmSpots)
        .filter(|f| rank(f).is_some_and(|r| r <= HARM_SPOT_LABELS))
        .collect();
    if !spots.is_empty() {
        let areas: Vec<u64> = spots
            .iter()
            .filter_map(|f| f.prop("area_id").and_then(Value::as_u64))
            .collect();
        let mut out = spots;
        out.extend(of(LayerKind::Hotspots).filter(|f| {
            f.prop("id")
                .and_then(Value::as_u64)
                .is_some_and(|id| areas.contains(&id))
        }));
        return out;
    }
    // else what was analysed, without what only gives context: context outlines (a force,
    // its LSOAs) and control areas can span a whole force and would shrink the rest to dots
    let focus: Vec<&MapFeature> = layers
        .iter()
        .filter(|l| l.kind != LayerKind::Context)
        .flat_map(|l| {
            l.features
                .iter()
                .filter(move |f| l.kind != LayerKind::Areas || role_of(f) != Role::Control)
        })
        .collect();
    if !focus.is_empty() {
        return focus;
    }
    layers.iter().flat_map(|l| &l.features).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_of_the_antimeridian_and_back() {
        let [x, y] = mercator([180.0, 0.0]);
        assert!((x - 20_037_508.342789244).abs() < 1e-6 && y.abs() < 1e-9);
        let [_, y] = mercator([0.0, 55.0]);
        assert!((mercator_lat(y) - 55.0).abs() < 1e-12);
        // clamped at the edge of the tile world
        assert_eq!(mercator([0.0, 90.0]), mercator([0.0, 85.051_128_779_806_6]));
    }

    #[test]
    fn scale_bar_lengths() {
        assert_eq!(nice_length(740.0), 500.0);
        assert_eq!(nice_length(2600.0), 2000.0);
        assert_eq!(nice_length(1.0), 1.0);
        assert_eq!(nice_length(99.0), 50.0);
        assert_eq!(nice_length(100.0), 100.0);
        assert_eq!(nice_length(f64::NAN), 1.0);
        assert_eq!(fmt_length(500.0), "500 m");
        assert_eq!(fmt_length(2000.0), "2 km");
        assert_eq!(fmt_length(1500.0), "1.5 km");
    }
}
