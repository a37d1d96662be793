//! The command line's spelling of each library [`Param`]: the one place flag names meet
//! library errors. Messages from the library mention parameters as `‹cell_size›`;
//! [`render`] turns each mention into the flag an analyst types.

use harmspot::Param;

/// The flag for a parameter (positional arguments by their usage name, `INPUT`).
pub fn flag(p: Param) -> &'static str {
    match p {
        Param::Input => "INPUT",
        Param::ResultDir => "RESULT_DIR",
        Param::After => "--after",
        Param::AllCells => "--all-cells",
        Param::AllowChangedInputs => "--allow-changed-inputs",
        Param::AllowSmallBandwidth => "--allow-small-bandwidth",
        Param::Alpha => "--alpha",
        Param::Areas => "--areas",
        Param::AreasCrs => "--areas-crs",
        Param::Bandwidth => "--bandwidth",
        Param::BandwidthAdjust => "--bandwidth-adjust",
        Param::BandwidthRule => "--bandwidth-rule",
        Param::BasemapAttribution => "--basemap-attribution",
        Param::BasemapUrl => "--basemap-url",
        Param::Before => "--before",
        Param::Boundary => "--boundary",
        Param::Buffer => "--buffer",
        Param::BufferControl => "--buffer-control",
        Param::By => "--by",
        Param::CellSize => "--cell-size",
        Param::Cells => "--cells",
        Param::Centre => "--centre",
        Param::Classes => "--classes",
        Param::Clusters => "--clusters",
        Param::Confidence => "--confidence",
        Param::Context => "--context",
        Param::Control => "--control",
        Param::Crs => "--crs",
        Param::Curve => "--curve",
        Param::Delimiter => "--delimiter",
        Param::DistanceBands => "--distance-bands",
        Param::ExcludeTypes => "--exclude-types",
        Param::Extent => "--extent",
        Param::Fdr => "--fdr",
        Param::Floor => "--floor",
        Param::Force => "--force",
        Param::From => "--from",
        Param::Harm => "--harm",
        Param::Height => "--height",
        Param::Hot => "--hot",
        Param::IdCol => "--id-col",
        Param::IncludeStartMonth => "--include-start-month",
        Param::Kernel => "--kernel",
        Param::LatCol => "--lat-col",
        Param::LocationCol => "--location-col",
        Param::LonCol => "--lon-col",
        Param::LsoaCol => "--lsoa-col",
        Param::Method => "--method",
        Param::MinCount => "--min-count",
        Param::MissingShare => "--missing-share",
        Param::MonthBands => "--month-bands",
        Param::MonthCol => "--month-col",
        Param::Months => "--months",
        Param::NameField => "--name-field",
        Param::NeighbourDistance => "--neighbour-distance",
        Param::Out => "--out",
        Param::PerMonth => "--per-month",
        Param::Permutations => "--permutations",
        Param::Radius => "--radius",
        Param::RadiusKm => "--radius-km",
        Param::RankBy => "--rank-by",
        Param::Report => "--report",
        Param::Round => "--round",
        Param::Rows => "--rows",
        Param::Seed => "--seed",
        Param::Shape => "--shape",
        Param::Start => "--start",
        Param::StartField => "--start-field",
        Param::StepClusters => "--step-clusters",
        Param::StepFactor => "--step-factor",
        Param::StepMonth => "--step-month",
        Param::Summary => "--summary",
        Param::Test => "--test",
        Param::TimeWindow => "--time-window",
        Param::Title => "--title",
        Param::To => "--to",
        Param::Top => "--top",
        Param::Train => "--train",
        Param::TrendAlpha => "--trend-alpha",
        Param::Truth => "--truth",
        Param::TypeCol => "--type-col",
        Param::Types => "--types",
        Param::UniqueIds => "--unique-ids",
        Param::Value => "--value",
        Param::WeightCol => "--weight-col",
        Param::Weights => "--weights",
        Param::Width => "--width",
        Param::WorkingCrs => "--working-crs",
        Param::XCol => "--x-col",
        Param::YCol => "--y-col",
        Param::Activities => "--activities",
        Param::AreaCounts => "--area-counts",
        Param::Baseline => "--baseline",
        Param::CodeField => "--code-field",
        Param::YearStart => "--year-start",
    }
}

/// A library message with every parameter mention (`‹cell_size›`) spelt as its flag
/// (`--cell-size`).
pub fn render(msg: &str) -> String {
    if !msg.contains('‹') {
        return msg.to_string();
    }
    let mut out = msg.to_string();
    for &p in Param::ALL {
        let mention = p.to_string();
        if out.contains(&mention) {
            out = out.replace(&mention, flag(p));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_has_a_flag_of_its_own() {
        let mut seen = std::collections::HashSet::new();
        for &p in Param::ALL {
            let f = flag(p);
            assert!(
                f.starts_with("--") || f.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{p:?} has no flag"
            );
            assert!(seen.insert(f), "{f} given to two parameters");
        }
    }

    #[test]
    fn mentions_become_flags_and_other_backticks_stay() {
        let m = format!(
            "{}: use {} or `title`, not ‹title›",
            Param::CellSize,
            Param::Boundary
        );
        assert_eq!(
            render(&m),
            "--cell-size: use --boundary or `title`, not --title"
        );
    }
}
