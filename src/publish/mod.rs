//! The publishing layer: turns typed results into product folders and files; output
//! safety and disclosure rules applied here.

pub mod compare;
