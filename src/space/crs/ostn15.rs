//! OSTN15, the Ordnance Survey's definitive transformation between ETRS89 and the British
//! National Grid (OSGB36 / EPSG:27700), in pure Rust.
//!
//! Method (Ordnance Survey, "Transformations and OSGM15 User Guide", 2016, §4–§6): project
//! the ETRS89 latitude and longitude with the National Grid's Transverse Mercator on the
//! GRS80 ellipsoid, then add the easting and northing shifts interpolated bilinearly from the
//! OSTN15 grid of 701 × 1251 nodes at 1 km spacing. The inverse subtracts shifts found by
//! iteration (to 0.1 mm) and projects back. OS states the transformation reproduces the
//! National Grid to about 0.1 m (RMS); the OS's own test points agree to the millimetre
//! (tests below, on `tests/data/ostn15/`).
//!
//! The grid is the OS's `OSTN15_OSGM15_DataFile.txt` (BSD licence, `data/OSTN15-LICENCE.txt`),
//! packed by `tools/ostn15_pack.py` into `ostn15.bin` and compiled into the binary.
//! GPS and police.uk coordinates are WGS84, which is taken as ETRS89 (they differ by well
//! under a metre in Great Britain, as in EPSG's "OSGB36 to WGS 84 (9)").
//!
//! Coverage: OSTN15 carries a datum flag per node; flag 16 marks nodes outside Great
//! Britain's model (Ireland, Northern Ireland and the far ocean). A point is inside the
//! British National Grid when it lies in the grid and none of its four surrounding nodes is
//! flagged 16; points offshore around Great Britain (flag 15), the Isle of Man and the
//! Scillies are inside.

use super::tm::NATIONAL_GRID_GRS80;

static DATA: &[u8] = include_bytes!("ostn15.bin");

const COLS: usize = 701;
const ROWS: usize = 1251;
const NODES: usize = COLS * ROWS;
const E_BASE_MM: f64 = 96_000.0;
const N_BASE_MM: f64 = -64_000.0;
const OUTSIDE_FLAG: u8 = 16;
const HEADER: usize = 8;

/// Stated accuracy of OSTN15 (RMS, metres), as the OS gives it.
pub(crate) const ACCURACY_M: f64 = 0.1;

#[inline]
fn e_shift_mm(node: usize) -> f64 {
    let o = HEADER + 2 * node;
    f64::from(i16::from_le_bytes([DATA[o], DATA[o + 1]])) + E_BASE_MM
}

#[inline]
fn n_shift_mm(node: usize) -> f64 {
    let o = HEADER + 2 * NODES + 2 * node;
    f64::from(i16::from_le_bytes([DATA[o], DATA[o + 1]])) + N_BASE_MM
}

#[inline]
fn flag(node: usize) -> u8 {
    DATA[HEADER + 4 * NODES + node]
}

/// The (easting, northing) shifts in metres at ETRS89 grid coordinates (x, y), or `None`
/// outside the grid or outside Great Britain's coverage.
#[inline]
fn shifts(x: f64, y: f64) -> Option<(f64, f64)> {
    if !(x >= 0.0 && y >= 0.0) {
        return None;
    }
    let (ei, ni) = ((x / 1000.0).floor(), (y / 1000.0).floor());
    if ei >= (COLS - 1) as f64 || ni >= (ROWS - 1) as f64 {
        return None;
    }
    let (ei, ni) = (ei as usize, ni as usize);
    let s0 = ei + ni * COLS;
    let nodes = [s0, s0 + 1, s0 + 1 + COLS, s0 + COLS];
    if nodes.iter().any(|&k| flag(k) == OUTSIDE_FLAG) {
        return None;
    }
    let t = (x - ei as f64 * 1000.0) / 1000.0;
    let u = (y - ni as f64 * 1000.0) / 1000.0;
    let w = [(1.0 - t) * (1.0 - u), t * (1.0 - u), t * u, (1.0 - t) * u];
    let mut se = 0.0;
    let mut sn = 0.0;
    for (k, wk) in nodes.iter().zip(w) {
        se += wk * e_shift_mm(*k);
        sn += wk * n_shift_mm(*k);
    }
    Some((se / 1000.0, sn / 1000.0))
}

/// ETRS89 (≈ WGS84) longitude/latitude in degrees to British National Grid easting and
/// northing in metres; `None` outside OSTN15's coverage of Great Britain.
pub(crate) fn to_bng(lon: f64, lat: f64) -> Option<[f64; 2]> {
    if !((-15.0..=5.0).contains(&lon) && (45.0..=63.0).contains(&lat)) {
        return None;
    }
    let [x, y] = NATIONAL_GRID_GRS80.forward(lon, lat);
    let (se, sn) = shifts(x, y)?;
    Some([x + se, y + sn])
}

/// British National Grid easting and northing in metres to ETRS89 longitude/latitude in
/// degrees, by the OS's iteration; `None` outside OSTN15's coverage.
pub(crate) fn from_bng(east: f64, north: f64) -> Option<[f64; 2]> {
    if !(east.is_finite() && north.is_finite()) {
        return None;
    }
    let (mut se, mut sn) = shifts(east, north)?;
    let (mut x, mut y) = (east - se, north - sn);
    for _ in 0..20 {
        (se, sn) = shifts(x, y)?;
        let (nx, ny) = (east - se, north - sn);
        let done = (nx - x).abs() < 1e-4 && (ny - y).abs() < 1e-4;
        (x, y) = (nx, ny);
        if done {
            break;
        }
    }
    Some(NATIONAL_GRID_GRS80.inverse(x, y))
}

/// Whether a British National Grid point (metres) lies inside OSTN15's coverage of Great
/// Britain. The shifts (about 100 m) are ignored: at 1 km node spacing the node test is the
/// same to within one node's edge.
pub(crate) fn bng_in_coverage(east: f64, north: f64) -> bool {
    east.is_finite() && north.is_finite() && shifts(east, north).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_grid_is_whole() {
        assert_eq!(&DATA[..6], b"OSTN15");
        assert_eq!(DATA.len(), HEADER + 5 * NODES);
        // first record of the OS file: 0,0 → 90.750, -82.020, flag 15
        assert_eq!(e_shift_mm(0), 90_750.0);
        assert_eq!(n_shift_mm(0), -82_020.0);
        assert_eq!(flag(0), 15);
    }

    /// The OS's test points (OSTN15_OSGM15_TestInput/Output_ETRStoOSGB.csv): ETRS89
    /// latitude/longitude → OSGB36 easting/northing, published to the millimetre. Points the
    /// OS marks as outside (no output row) must be refused.
    #[test]
    fn os_test_vectors_both_ways_to_2mm() {
        let input =
            include_str!("../../../tests/data/ostn15/OSTN15_OSGM15_TestInput_ETRStoOSGB.csv");
        let output =
            include_str!("../../../tests/data/ostn15/OSTN15_OSGM15_TestOutput_ETRStoOSGB.csv");
        // the inverse's inputs, as the OS gives them (rounded to the mm; some differ from
        // the forward outputs by a millimetre or two)
        let inverse: std::collections::HashMap<&str, (f64, f64)> =
            include_str!("../../../tests/data/ostn15/OSTN15_OSGM15_TestInput_OSGBtoETRS.csv")
                .lines()
                .skip(1)
                .map(|l| {
                    let f: Vec<&str> = l.trim().split(',').collect();
                    (f[0], (f[1].parse().unwrap(), f[2].parse().unwrap()))
                })
                .collect();
        let expected: std::collections::HashMap<&str, (f64, f64)> = output
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[0], (f[1].parse().unwrap(), f[2].parse().unwrap()))
            })
            .collect();
        let mut checked = 0;
        for l in input.lines().skip(1) {
            let f: Vec<&str> = l.trim().split(',').collect();
            let (lat, lon): (f64, f64) = (f[1].parse().unwrap(), f[2].parse().unwrap());
            match expected.get(f[0]) {
                Some(&(e, n)) => {
                    let [x, y] = to_bng(lon, lat).unwrap_or_else(|| panic!("{} refused", f[0]));
                    assert!(
                        (x - e).abs() <= 0.002 && (y - n).abs() <= 0.002,
                        "{}: {x} {y} vs {e} {n}",
                        f[0]
                    );
                    let (ie, inn) = inverse[f[0]];
                    let [lo, la] = from_bng(ie, inn).unwrap();
                    // 2 mm is about 2e-8 degrees of latitude (and 3.5e-8 of longitude at 55°N)
                    let de = (lo - lon).to_radians() * 6_378_137.0 * lat.to_radians().cos();
                    let dn = (la - lat).to_radians() * 6_378_137.0;
                    assert!(
                        de.abs() <= 0.002 && dn.abs() <= 0.002,
                        "{}: back off by {de} {dn} m",
                        f[0]
                    );
                    checked += 1;
                }
                None => assert!(to_bng(lon, lat).is_none(), "{} should be outside", f[0]),
            }
        }
        assert!(checked >= 39, "{checked}");
    }

    #[test]
    fn ireland_is_outside_great_britain_inside() {
        assert!(to_bng(-5.9301, 54.5973).is_none(), "Belfast");
        assert!(to_bng(-6.2603, 53.3498).is_none(), "Dublin");
        assert!(to_bng(-8.4756, 51.8985).is_none(), "Cork");
        assert!(to_bng(-2.0336, 55.7704).is_some(), "Berwick-upon-Tweed");
        assert!(
            to_bng(-6.3150, 49.9140).is_some(),
            "St Mary's, Isles of Scilly"
        );
        assert!(to_bng(-4.4821, 54.1523).is_some(), "Douglas, Isle of Man");
        assert!(to_bng(54.9783, -1.6178).is_none(), "swapped");
    }
}
