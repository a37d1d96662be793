//! The harm table parser on arbitrary bytes, and look-ups in whatever it accepts.
#![no_main]
use harmspot::HarmTable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = HarmTable::parse(data, std::path::Path::new("harm.csv")) {
        let _ = t.weight("Burglary");
        let _ = t.weight("");
    }
});
