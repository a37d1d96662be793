//! The run file / manifest parser on arbitrary text.
#![no_main]
use harmspot::manifest::RunFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = RunFile::parse(text, std::path::Path::new("run.toml"));
    }
});
