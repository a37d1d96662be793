//! The areas / boundary GeoJSON reader on arbitrary bytes.
#![no_main]
use harmspot::read::areas::{read_areas, read_boundary};
use harmspot::Projector;
use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
    static PROJ: Projector = Projector::new("EPSG:27700").expect("BNG");
}

fuzz_target!(|data: &[u8]| {
    DIR.with(|d| {
        let p = d.path().join("areas.geojson");
        std::fs::write(&p, data).expect("write input");
        PROJ.with(|proj| {
            let _ = read_areas(&p, proj);
            let _ = read_boundary(&p, proj);
        });
    });
});
