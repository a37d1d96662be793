//! The publishing layer: turns typed results and the typed records of what made them
//! ([`crate::used`]) into the metadata, files and folders an analyst hands on. Output
//! safety ([`crate::write::safe`]) and disclosure control ([`crate::disclosure`]) are
//! applied on the way out; nothing upstream spells an output key.

pub mod grid;
pub mod metadata;

pub use metadata::metadata;
