//! The police.uk / named-column CSV reader on arbitrary bytes: any result but a panic,
//! hang or unbounded allocation is fine.
#![no_main]
use harmspot::{read_incidents, Projector, ReadOptions};
use libfuzzer_sys::fuzz_target;

thread_local! {
    static DIR: tempfile::TempDir = tempfile::tempdir().expect("temp dir");
    static PROJ: Projector = Projector::new("EPSG:27700").expect("BNG");
}

fuzz_target!(|data: &[u8]| {
    DIR.with(|d| {
        let p = d.path().join("2021-03-fuzz-street.csv");
        std::fs::write(&p, data).expect("write input");
        PROJ.with(|proj| {
            let _ = read_incidents(&[p], &ReadOptions::default(), proj);
        });
    });
});
