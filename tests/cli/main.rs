//! harmspot's integration tests, linked into one binary (each module used to be a test
//! crate of its own that linked the library and its dependencies again): the `harmspot`
//! binary run per verb as an analyst runs it, golden tests against values computed by
//! independent tools, the regressions of each issue, hostile input, output safety, and
//! the offline map in a real browser.

mod common;

mod bounded_work;
mod browser_map;
mod compare;
mod compare_work_limit;
mod count;
mod escaping;
mod fuzz_corpus;
mod gistar;
mod golden_compare;
mod golden_gistar;
mod golden_kde;
mod golden_spacetime;
mod hostile_input;
mod hotspots;
mod info;
mod issue11;
mod issue12;
// issue 23: edge inputs, outputs, interrupted runs, messages, slow refusals
mod issue23;
mod kde;
mod manifest;
mod map;
mod map_real_browser;
mod output_safety;
mod partner;
mod partner_compare;
mod partner_spacetime;
mod spacetime;
