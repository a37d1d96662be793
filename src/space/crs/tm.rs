//! Transverse Mercator on an ellipsoid, by the series of the Ordnance Survey's "A guide to
//! coordinate systems in Great Britain" (v3.6, Annex C; Redfearn's formulae), accurate to
//! about a millimetre within a few degrees of the central meridian.

/// An ellipsoid and Transverse Mercator projection parameters.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TransverseMercator {
    /// Semi-major axis, metres.
    pub a: f64,
    /// Semi-minor axis, metres.
    pub b: f64,
    /// Scale factor on the central meridian.
    pub f0: f64,
    /// True origin latitude and longitude, radians.
    pub lat0: f64,
    pub lon0: f64,
    /// False easting and northing of the true origin, metres.
    pub e0: f64,
    pub n0: f64,
}

/// The National Grid projection on the GRS80 ellipsoid (ETRS89), as OSTN15 uses it.
pub(crate) const NATIONAL_GRID_GRS80: TransverseMercator = TransverseMercator {
    a: 6_378_137.0,
    b: 6_356_752.314_140,
    ..NATIONAL_GRID_AIRY
};

/// The National Grid projection on the Airy 1830 ellipsoid (OSGB36).
pub(crate) const NATIONAL_GRID_AIRY: TransverseMercator = TransverseMercator {
    a: 6_377_563.396,
    b: 6_356_256.909,
    f0: 0.999_601_271_7,
    lat0: 49.0 * std::f64::consts::PI / 180.0,
    lon0: -2.0 * std::f64::consts::PI / 180.0,
    e0: 400_000.0,
    n0: -100_000.0,
};

impl TransverseMercator {
    fn e2(&self) -> f64 {
        (self.a * self.a - self.b * self.b) / (self.a * self.a)
    }

    /// Meridional arc from the true origin's latitude to `lat` (OS guide C.3 "M").
    fn meridional_arc(&self, lat: f64) -> f64 {
        let n = (self.a - self.b) / (self.a + self.b);
        let (n2, n3) = (n * n, n * n * n);
        let (dl, sl) = (lat - self.lat0, lat + self.lat0);
        self.b
            * self.f0
            * ((1.0 + n + 1.25 * n2 + 1.25 * n3) * dl
                - (3.0 * n + 3.0 * n2 + 2.625 * n3) * dl.sin() * sl.cos()
                + (1.875 * n2 + 1.875 * n3) * (2.0 * dl).sin() * (2.0 * sl).cos()
                - (35.0 / 24.0) * n3 * (3.0 * dl).sin() * (3.0 * sl).cos())
    }

    /// (ν, ρ, η²) at latitude `lat`.
    fn radii(&self, lat: f64) -> (f64, f64, f64) {
        let e2 = self.e2();
        let s2 = 1.0 - e2 * lat.sin().powi(2);
        let nu = self.a * self.f0 / s2.sqrt();
        let rho = self.a * self.f0 * (1.0 - e2) / s2.powf(1.5);
        (nu, rho, nu / rho - 1.0)
    }

    /// Longitude and latitude in degrees to (easting, northing) in metres.
    pub fn forward(&self, lon_deg: f64, lat_deg: f64) -> [f64; 2] {
        let (lat, lon) = (lat_deg.to_radians(), lon_deg.to_radians());
        let (nu, rho, eta2) = self.radii(lat);
        let (s, c) = lat.sin_cos();
        let t2 = (s / c).powi(2);
        let t4 = t2 * t2;
        let c3 = c * c * c;
        let c5 = c3 * c * c;
        let i = self.meridional_arc(lat) + self.n0;
        let ii = nu / 2.0 * s * c;
        let iii = nu / 24.0 * s * c3 * (5.0 - t2 + 9.0 * eta2);
        let iiia = nu / 720.0 * s * c5 * (61.0 - 58.0 * t2 + t4);
        let iv = nu * c;
        let v = nu / 6.0 * c3 * (nu / rho - t2);
        let vi = nu / 120.0 * c5 * (5.0 - 18.0 * t2 + t4 + 14.0 * eta2 - 58.0 * t2 * eta2);
        let p = lon - self.lon0;
        let p2 = p * p;
        let north = i + p2 * (ii + p2 * (iii + p2 * iiia));
        let east = self.e0 + p * (iv + p2 * (v + p2 * vi));
        [east, north]
    }

    /// (easting, northing) in metres to longitude and latitude in degrees.
    pub fn inverse(&self, east: f64, north: f64) -> [f64; 2] {
        let af0 = self.a * self.f0;
        let mut lat = (north - self.n0) / af0 + self.lat0;
        let mut m = self.meridional_arc(lat);
        // OS guide C.6: iterate until the arc matches to 0.01 mm.
        for _ in 0..32 {
            let resid = north - self.n0 - m;
            if resid.abs() < 1e-5 {
                break;
            }
            lat += resid / af0;
            m = self.meridional_arc(lat);
        }
        let (nu, rho, eta2) = self.radii(lat);
        let t = lat.tan();
        let (t2, t4, t6) = (t * t, t.powi(4), t.powi(6));
        let sec = 1.0 / lat.cos();
        let vii = t / (2.0 * rho * nu);
        let viii = t / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * t2 + eta2 - 9.0 * t2 * eta2);
        let ix = t / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * t2 + 45.0 * t4);
        let x = sec / nu;
        let xi = sec / (6.0 * nu.powi(3)) * (nu / rho + 2.0 * t2);
        let xii = sec / (120.0 * nu.powi(5)) * (5.0 + 28.0 * t2 + 24.0 * t4);
        let xiia = sec / (5040.0 * nu.powi(7)) * (61.0 + 662.0 * t2 + 1320.0 * t4 + 720.0 * t6);
        let d = east - self.e0;
        let d2 = d * d;
        let lat = lat - d2 * (vii - d2 * (viii - d2 * ix));
        let lon = self.lon0 + d * (x - d2 * (xi - d2 * (xii - d2 * xiia)));
        [lon.to_degrees(), lat.to_degrees()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OS guide Annex C worked example (Caister water tower): OSGB36 φ = 52°39′27.2531″N,
    /// λ = 1°43′4.5177″E gives E 651 409.903 m, N 313 177.270 m, and back.
    #[test]
    fn os_annex_c_worked_example() {
        let lat = 52.0 + 39.0 / 60.0 + 27.2531 / 3600.0;
        let lon = 1.0 + 43.0 / 60.0 + 4.5177 / 3600.0;
        let [e, n] = NATIONAL_GRID_AIRY.forward(lon, lat);
        assert!((e - 651_409.903).abs() < 0.001, "{e}");
        assert!((n - 313_177.270).abs() < 0.001, "{n}");
        let [lon2, lat2] = NATIONAL_GRID_AIRY.inverse(651_409.903, 313_177.270);
        // 1e-8 degrees is about a millimetre
        assert!(
            (lon2 - lon).abs() < 2e-8 && (lat2 - lat).abs() < 2e-8,
            "{lon2} {lat2}"
        );
    }

    #[test]
    fn round_trip_across_great_britain() {
        for (lon, lat) in [(-6.3, 49.9), (-1.6178, 54.9783), (1.75, 52.5), (-3.0, 58.6)] {
            let [e, n] = NATIONAL_GRID_GRS80.forward(lon, lat);
            let [lo, la] = NATIONAL_GRID_GRS80.inverse(e, n);
            // 1e-8 degrees is about a millimetre
            assert!(
                (lo - lon).abs() < 1e-8 && (la - lat).abs() < 1e-8,
                "{lo} {la}"
            );
        }
    }
}
