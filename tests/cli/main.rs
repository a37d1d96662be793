//! harmspot's integration tests, linked into one binary (each module used to be a test
//! crate of its own that linked the library and its dependencies again): the `harmspot`
//! binary run per verb as an analyst runs it, the regressions of each issue, hostile input,
//! output safety, and the offline map in a real browser. The golden tests of the library
//! against values computed by independent tools are the other test binary, `tests/golden`.

// shared set-up: the binary in a temp dir, the real data, JSON helpers, the browser
mod common;

// issue 22: imports run one way between the layers of src/, at most ten root files
mod architecture;
// issue 14: out-of-range parameters, endless side files, detailed areas: refused, never stuck
mod bounded_work;
// the map page in headless Chromium: every layer drawn, no script error
mod browser_map;
// `compare` on generated data: counts, periods, buffers, controls, outputs
mod compare;
// issue 14: compare refuses work it cannot finish (10⁶ vertices, 5,000 areas) up front
mod compare_work_limit;
// `count`: grid counts per cell, per type and month
mod count;
// issue 14: names in CSV and Markdown cannot become formulas or HTML
mod escaping;
// every reader over the fuzz seed corpus and saved crash reproducers
mod fuzz_corpus;
// issue 21: `convert` to GeoParquet, `.parquet` inputs read like CSV
mod geoparquet;
// `gistar` from the command line: columns, FDR, permutations
mod gistar;
// malformed CSV and GeoJSON: skips counted by reason, clear errors, no panic
mod hostile_input;
// the main job: harm spots, hotspot areas, summary, outputs
mod hotspots;
// `info`: rows, types, months, skips, as text and JSON
mod info;
// issue 11: hotspots an analyst can act on, on generated and real data
mod issue11;
// issue 12: exact hub circles, areas in any CRS, a recount of the real libraries
mod issue12;
// issue 23: edge inputs, outputs, interrupted runs, messages, slow refusals
mod issue23;
// `kde` from the command line: bandwidths, kernels, formats
mod kde;
// manifest.json and run.toml: hashes, replays with `run`
mod manifest;
// `map`: HTML and PNG of each result folder kind
mod map;
// the maps of real hotspots and compare runs in Chromium, screenshot checked
mod map_real_browser;
// issue 20: `monitor`: quarterly measures per area against a baseline, recounted by hand
mod monitor;
// outputs never destroy inputs or foreign files; a failed run leaves the old result
mod output_safety;
// partner outputs: suppression, rounding, no points, coarse coordinates
mod partner;
// disclosure control on compare outputs
mod partner_compare;
// disclosure control on change, evaluate and emerging outputs
mod partner_spacetime;
// `change`, `evaluate`, `emerging`, `knox` from the command line
mod spacetime;
mod verdicts;
