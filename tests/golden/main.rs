//! Golden tests of the library: each statistic against values computed independently
//! (PySAL esda fixtures, hand computation, published worked examples), called as a Rust
//! user calls the library — no binary, no files. The command line is tested in `tests/cli`.

// Getis-Ord Gi* against PySAL esda's fixtures and hand values
mod gistar;
// kernel density against hand-computed values and ArcGIS conventions
mod kde;
// before/after: WDQ, WDD, RES and DiD against hand computation; identical at any thread count
mod compare;
// Mann-Kendall, emerging hot spot categories, hit rate/PAI/PEI/RRI and Knox by hand
mod spacetime;
