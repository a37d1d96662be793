//! Names of the parameters a caller sets, for errors that must say which one is wrong.
//!
//! The library names a parameter ([`Param::CellSize`] is `cell_size`, as in
//! [`crate::GridSpec`] and the params structs); a front end maps each to its own spelling
//! (the command line's flags live only in the binary). In a message a parameter is
//! written through its [`Display`](std::fmt::Display), `‹cell_size›` (in single guillemets, which
//! names in the data do not use), so a front end can replace every mention by its own name
//! for it.

/// A parameter of an analysis, a reader or a writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// `input`: the extracts read (files or folders)
    Input,
    /// `result_dir`: a result folder read by the map
    ResultDir,
    /// `after`
    After,
    /// `all_cells`
    AllCells,
    /// `allow_changed_inputs`
    AllowChangedInputs,
    /// `allow_small_bandwidth`
    AllowSmallBandwidth,
    /// `alpha`
    Alpha,
    /// `areas`
    Areas,
    /// `areas_crs`
    AreasCrs,
    /// `bandwidth`
    Bandwidth,
    /// `bandwidth_adjust`
    BandwidthAdjust,
    /// `bandwidth_rule`
    BandwidthRule,
    /// `basemap_attribution`
    BasemapAttribution,
    /// `basemap_url`
    BasemapUrl,
    /// `before`
    Before,
    /// `boundary`
    Boundary,
    /// `buffer`
    Buffer,
    /// `buffer_control`
    BufferControl,
    /// `by`
    By,
    /// `cell_size`
    CellSize,
    /// `cells`
    Cells,
    /// `centre`
    Centre,
    /// `classes`
    Classes,
    /// `clusters`
    Clusters,
    /// `confidence`
    Confidence,
    /// `context`
    Context,
    /// `control`
    Control,
    /// `crs`
    Crs,
    /// `curve`
    Curve,
    /// `delimiter`
    Delimiter,
    /// `distance_bands`
    DistanceBands,
    /// `exclude_types`
    ExcludeTypes,
    /// `extent`
    Extent,
    /// `fdr`
    Fdr,
    /// `floor`
    Floor,
    /// `force`
    Force,
    /// `from`
    From,
    /// `harm`
    Harm,
    /// `height`
    Height,
    /// `hot`
    Hot,
    /// `id_col`
    IdCol,
    /// `include_start_month`
    IncludeStartMonth,
    /// `kernel`
    Kernel,
    /// `lat_col`
    LatCol,
    /// `location_col`
    LocationCol,
    /// `lon_col`
    LonCol,
    /// `lsoa_col`
    LsoaCol,
    /// `method`
    Method,
    /// `min_count`
    MinCount,
    /// `missing_share`
    MissingShare,
    /// `month_bands`
    MonthBands,
    /// `month_col`
    MonthCol,
    /// `months`
    Months,
    /// `name_field`
    NameField,
    /// `neighbour_distance`
    NeighbourDistance,
    /// `out`
    Out,
    /// `per_month`
    PerMonth,
    /// `permutations`
    Permutations,
    /// `radius`
    Radius,
    /// `radius_km`
    RadiusKm,
    /// `rank_by`
    RankBy,
    /// `report`
    Report,
    /// `round`
    Round,
    /// `rows`
    Rows,
    /// `seed`
    Seed,
    /// `shape`
    Shape,
    /// `start`
    Start,
    /// `start_field`
    StartField,
    /// `step_clusters`
    StepClusters,
    /// `step_factor`
    StepFactor,
    /// `step_month`
    StepMonth,
    /// `summary`
    Summary,
    /// `test`
    Test,
    /// `time_window`
    TimeWindow,
    /// `title`
    Title,
    /// `to`
    To,
    /// `top`
    Top,
    /// `train`
    Train,
    /// `trend_alpha`
    TrendAlpha,
    /// `truth`
    Truth,
    /// `type_col`
    TypeCol,
    /// `types`
    Types,
    /// `unique_ids`
    UniqueIds,
    /// `value`
    Value,
    /// `weight_col`
    WeightCol,
    /// `weights`
    Weights,
    /// `width`
    Width,
    /// `working_crs`
    WorkingCrs,
    /// `x_col`
    XCol,
    /// `y_col`
    YCol,
    /// `activities` (harmspot monitor).
    Activities,
    /// `area_counts` (harmspot monitor).
    AreaCounts,
    /// `baseline` (harmspot monitor).
    Baseline,
    /// `code_field` (harmspot monitor).
    CodeField,
    /// `year_start` (harmspot monitor).
    YearStart,
}

impl Param {
    /// Every parameter, in declaration order.
    pub const ALL: &'static [Param] = &[
        Param::Input,
        Param::ResultDir,
        Param::After,
        Param::AllCells,
        Param::AllowChangedInputs,
        Param::AllowSmallBandwidth,
        Param::Alpha,
        Param::Areas,
        Param::AreasCrs,
        Param::Bandwidth,
        Param::BandwidthAdjust,
        Param::BandwidthRule,
        Param::BasemapAttribution,
        Param::BasemapUrl,
        Param::Before,
        Param::Boundary,
        Param::Buffer,
        Param::BufferControl,
        Param::By,
        Param::CellSize,
        Param::Cells,
        Param::Centre,
        Param::Classes,
        Param::Clusters,
        Param::Confidence,
        Param::Context,
        Param::Control,
        Param::Crs,
        Param::Curve,
        Param::Delimiter,
        Param::DistanceBands,
        Param::ExcludeTypes,
        Param::Extent,
        Param::Fdr,
        Param::Floor,
        Param::Force,
        Param::From,
        Param::Harm,
        Param::Height,
        Param::Hot,
        Param::IdCol,
        Param::IncludeStartMonth,
        Param::Kernel,
        Param::LatCol,
        Param::LocationCol,
        Param::LonCol,
        Param::LsoaCol,
        Param::Method,
        Param::MinCount,
        Param::MissingShare,
        Param::MonthBands,
        Param::MonthCol,
        Param::Months,
        Param::NameField,
        Param::NeighbourDistance,
        Param::Out,
        Param::PerMonth,
        Param::Permutations,
        Param::Radius,
        Param::RadiusKm,
        Param::RankBy,
        Param::Report,
        Param::Round,
        Param::Rows,
        Param::Seed,
        Param::Shape,
        Param::Start,
        Param::StartField,
        Param::StepClusters,
        Param::StepFactor,
        Param::StepMonth,
        Param::Summary,
        Param::Test,
        Param::TimeWindow,
        Param::Title,
        Param::To,
        Param::Top,
        Param::Train,
        Param::TrendAlpha,
        Param::Truth,
        Param::TypeCol,
        Param::Types,
        Param::UniqueIds,
        Param::Value,
        Param::WeightCol,
        Param::Weights,
        Param::Width,
        Param::WorkingCrs,
        Param::XCol,
        Param::YCol,
        Param::Activities,
        Param::AreaCounts,
        Param::Baseline,
        Param::CodeField,
        Param::YearStart,
    ];

    /// The parameter's name in the library (snake case).
    ///
    /// ```
    /// assert_eq!(harmspot::Param::CellSize.name(), "cell_size");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Param::Input => "input",
            Param::ResultDir => "result_dir",
            Param::After => "after",
            Param::AllCells => "all_cells",
            Param::AllowChangedInputs => "allow_changed_inputs",
            Param::AllowSmallBandwidth => "allow_small_bandwidth",
            Param::Alpha => "alpha",
            Param::Areas => "areas",
            Param::AreasCrs => "areas_crs",
            Param::Bandwidth => "bandwidth",
            Param::BandwidthAdjust => "bandwidth_adjust",
            Param::BandwidthRule => "bandwidth_rule",
            Param::BasemapAttribution => "basemap_attribution",
            Param::BasemapUrl => "basemap_url",
            Param::Before => "before",
            Param::Boundary => "boundary",
            Param::Buffer => "buffer",
            Param::BufferControl => "buffer_control",
            Param::By => "by",
            Param::CellSize => "cell_size",
            Param::Cells => "cells",
            Param::Centre => "centre",
            Param::Classes => "classes",
            Param::Clusters => "clusters",
            Param::Confidence => "confidence",
            Param::Context => "context",
            Param::Control => "control",
            Param::Crs => "crs",
            Param::Curve => "curve",
            Param::Delimiter => "delimiter",
            Param::DistanceBands => "distance_bands",
            Param::ExcludeTypes => "exclude_types",
            Param::Extent => "extent",
            Param::Fdr => "fdr",
            Param::Floor => "floor",
            Param::Force => "force",
            Param::From => "from",
            Param::Harm => "harm",
            Param::Height => "height",
            Param::Hot => "hot",
            Param::IdCol => "id_col",
            Param::IncludeStartMonth => "include_start_month",
            Param::Kernel => "kernel",
            Param::LatCol => "lat_col",
            Param::LocationCol => "location_col",
            Param::LonCol => "lon_col",
            Param::LsoaCol => "lsoa_col",
            Param::Method => "method",
            Param::MinCount => "min_count",
            Param::MissingShare => "missing_share",
            Param::MonthBands => "month_bands",
            Param::MonthCol => "month_col",
            Param::Months => "months",
            Param::NameField => "name_field",
            Param::NeighbourDistance => "neighbour_distance",
            Param::Out => "out",
            Param::PerMonth => "per_month",
            Param::Permutations => "permutations",
            Param::Radius => "radius",
            Param::RadiusKm => "radius_km",
            Param::RankBy => "rank_by",
            Param::Report => "report",
            Param::Round => "round",
            Param::Rows => "rows",
            Param::Seed => "seed",
            Param::Shape => "shape",
            Param::Start => "start",
            Param::StartField => "start_field",
            Param::StepClusters => "step_clusters",
            Param::StepFactor => "step_factor",
            Param::StepMonth => "step_month",
            Param::Summary => "summary",
            Param::Test => "test",
            Param::TimeWindow => "time_window",
            Param::Title => "title",
            Param::To => "to",
            Param::Top => "top",
            Param::Train => "train",
            Param::TrendAlpha => "trend_alpha",
            Param::Truth => "truth",
            Param::TypeCol => "type_col",
            Param::Types => "types",
            Param::UniqueIds => "unique_ids",
            Param::Value => "value",
            Param::WeightCol => "weight_col",
            Param::Weights => "weights",
            Param::Width => "width",
            Param::WorkingCrs => "working_crs",
            Param::XCol => "x_col",
            Param::YCol => "y_col",
            Param::Activities => "activities",
            Param::AreaCounts => "area_counts",
            Param::Baseline => "baseline",
            Param::CodeField => "code_field",
            Param::YearStart => "year_start",
        }
    }
}

impl std::fmt::Display for Param {
    /// The name in single guillemets: `‹cell_size›`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "‹{}›", self.name())
    }
}
