//! Statistics over grids and series: Getis-Ord Gi* (METHODS §5), p-values and the false
//! discovery rate, the Mann-Kendall trend test (§8) and concentration (§7).

pub mod concentration;
pub mod gistar;
pub mod mannkendall;
pub mod pvalue;
