//! Keeping every police.uk field of the kept rows (METHODS §1's twelve columns) for
//! `harmspot convert`: where the extra fields are in each format, and the kept rows of
//! all batches put together in input order, after the same repeated-id decisions the merge
//! makes.

use super::batch::Batch;
use super::ReadOptions;
use crate::model::records::{Records, MORE_COLUMNS, MORE_NAMES};

/// Whether a column or property name is the police.uk field `k` (either spelling).
pub(super) fn is_more(name: &str, k: usize) -> bool {
    name.eq_ignore_ascii_case(MORE_COLUMNS[k]) || name.eq_ignore_ascii_case(MORE_NAMES[k])
}

/// The header positions of the other police.uk columns (first match), or none when the
/// read does not keep records.
pub(super) fn more_columns(header: &[String], opts: &ReadOptions) -> [Option<usize>; 5] {
    std::array::from_fn(|k| {
        opts.keep_records
            .then(|| header.iter().position(|h| is_more(h.trim(), k)))
            .flatten()
    })
}

/// The other police.uk fields of a GeoJSON feature's properties.
pub(super) fn more_properties(
    props: Option<&geojson::JsonObject>,
    opts: &ReadOptions,
) -> [Option<String>; 5] {
    std::array::from_fn(|k| {
        let props = props.filter(|_| opts.keep_records)?;
        props
            .iter()
            .find(|(name, _)| is_more(name, k))
            .and_then(|(_, v)| match v {
                geojson::JsonValue::String(s) => Some(s.clone()),
                geojson::JsonValue::Number(n) => Some(n.to_string()),
                _ => None,
            })
    })
}

/// Takes the kept records out of `batches` (in input order) and drops the rows the merge
/// will skip as repeated ids, so the records line up with the merged incidents.
pub(super) fn collect(batches: &mut [Batch], unique_ids: bool) -> Records {
    let (skips, _) = super::merge::repeated_ids(batches, unique_ids);
    let mut all = Records::default();
    for (b, skips) in batches.iter_mut().zip(skips) {
        let mut kept = std::mem::take(&mut b.kept);
        if !skips.is_empty() {
            let mut keep = vec![true; kept.len()];
            for (i, _) in skips {
                keep[i as usize] = false;
            }
            kept.retain(&keep);
        }
        all.append(&kept);
    }
    all
}
