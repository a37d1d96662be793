//! `harmspot map`: a map of a result folder, as one self-contained HTML page (opens offline,
//! pan/zoom, layer toggles, legend, popups) or a static PNG (reports, slides).

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use harmspot::map::{self, html::HtmlOptions, png::PngOptions, Breaks, CellsView, MapParams};
use harmspot::Error;
use std::path::{Path, PathBuf};

/// Class breaks of the density colour scale.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BreaksArg {
    /// Jenks natural breaks (Fisher's exact algorithm; on 1,024 order statistics above that).
    Jenks,
    /// Equal-count classes.
    Quantile,
}

/// Which picture of the cells comes first.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum CellsArg {
    /// Density when the cells have `density` (or no Gi* `class`), Gi* classes otherwise.
    Auto,
    /// Colour by density (else harm, else n).
    Density,
    /// Colour by Gi* class.
    Gistar,
}

/// Arguments of `harmspot map`.
#[derive(Args, Debug)]
#[command(
    after_help = "Layers: hotspots.geojson (outlined, labelled by rank), cells.geojson (density classes; Gi* \
classes when they carry `class`), areas.geojson (by role: treatment, buffer, control) and any other *.geojson in \
RESULT_DIR. GeoJSON must be WGS84 lon/lat (RFC 7946). `null` values are drawn as suppressed (hatched), never as 0.

Examples:
  harmspot map results/ --out map.html
  harmspot map results/ --out map.png --width 1600 --height 1200 --title \"Northumbria, March 2021\"
  harmspot map results/ --out map.html --basemap-url 'https://tile.example/{z}/{x}/{y}.png' \\
      --basemap-attribution '© tile provider'"
)]
pub struct MapArgs {
    /// Folder holding the GeoJSON layers a harmspot run wrote.
    #[arg(value_name = "RESULT_DIR")]
    pub dir: PathBuf,
    /// Output file: `.html` (interactive page) or `.png` (static picture). Repeat for both.
    #[arg(long, short, required = true, value_name = "FILE")]
    pub out: Vec<PathBuf>,
    /// Title [default: the analysis, force and period from the folder's manifest.json, e.g.
    /// "Harm hotspots, Northumbria, 2021-01..2021-12"; else "harmspot map: " and the folder name].
    #[arg(long)]
    pub title: Option<String>,
    /// Class breaks of the density colour scale.
    #[arg(long, value_enum, default_value = "jenks")]
    pub breaks: BreaksArg,
    /// Number of density classes (2 to 9).
    #[arg(long, default_value_t = 5)]
    pub classes: usize,
    /// Picture of the cells shown first (HTML) or drawn (PNG).
    #[arg(long, value_enum, default_value = "auto")]
    pub cells: CellsArg,
    /// HTML only: XYZ tile URL template drawn under the layers, e.g.
    /// 'https://tile.example/{z}/{x}/{y}.png' ({s} for a/b/c). Off by default: the page then
    /// makes no network request.
    #[arg(long, value_name = "URL")]
    pub basemap_url: Option<String>,
    /// HTML only: attribution text of the basemap, shown in the footer.
    #[arg(long, requires = "basemap_url", value_name = "TEXT")]
    pub basemap_attribution: Option<String>,
    /// A context layer drawn as labelled outlines (WGS84 GeoJSON, e.g. LSOAs or wards);
    /// features are labelled by their `name` property (or one ending in `name` or `NM`,
    /// such as `LSOA11NM`).
    #[arg(long, value_name = "FILE.geojson")]
    pub context: Option<PathBuf>,
    /// PNG only: width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// PNG only: height in pixels.
    #[arg(long, default_value_t = 1200)]
    pub height: u32,
}

/// An output format, from the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Html,
    Png,
}

fn format_of(p: &Path) -> Result<Format, Error> {
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("html") | Some("htm") => Ok(Format::Html),
        Some("png") => Ok(Format::Png),
        _ => Err(Error::param(
            harmspot::Param::Out,
            format!(
                "`{}`: unknown extension; use .html (interactive page) or .png (picture)",
                p.display()
            ),
        )),
    }
}

pub fn run(a: MapArgs, quiet: bool) -> Result<()> {
    // Check every flag before reading anything.
    let formats: Vec<Format> = a
        .out
        .iter()
        .map(|p| format_of(p))
        .collect::<Result<_, _>>()?;
    if let Some(u) = &a.basemap_url {
        map::html::basemap_source(u)?;
        if !formats.contains(&Format::Html) {
            super::note(
                quiet,
                "--basemap-url applies to .html outputs only; the PNG has no basemap",
            );
        }
    }
    let png_opts = PngOptions {
        width: a.width,
        height: a.height,
    };
    if formats.contains(&Format::Png) {
        for (name, v) in [
            (harmspot::Param::Width, a.width),
            (harmspot::Param::Height, a.height),
        ] {
            if !(200..=10_000).contains(&v) {
                return Err(Error::param(name, format!("{v} pixels: give 200 to 10000")).into());
            }
        }
    }
    let mut params = MapParams::default()
        .breaks(match a.breaks {
            BreaksArg::Jenks => Breaks::Jenks,
            BreaksArg::Quantile => Breaks::Quantile,
        })
        .classes(a.classes)
        .cells(match a.cells {
            CellsArg::Auto => CellsView::Auto,
            CellsArg::Density => CellsView::Density,
            CellsArg::Gistar => CellsView::Gistar,
        });
    if let Some(t) = &a.title {
        params = params.title(t.clone());
    }
    if let Some(c) = &a.context {
        params = params.context(c.clone());
    }
    let m = map::load(&a.dir, &params)?;

    for l in &m.layers {
        let skipped = if l.skipped > 0 {
            format!(", {} without geometry left out", l.skipped)
        } else {
            String::new()
        };
        let hidden = if l.shown {
            ""
        } else {
            " (a generic layer this large starts hidden in the HTML and is left out of the PNG)"
        };
        super::note(
            quiet,
            format!(
                "map: {} — {} features{skipped}{hidden}",
                l.file,
                l.features.len()
            ),
        );
    }
    if let Some(s) = &m.scale {
        super::note(
            quiet,
            format!(
                "map: cells coloured by `{}` in {} classes ({}, {} values)",
                s.property,
                s.breaks.len(),
                s.method.name(),
                s.values
            ),
        );
    }
    let html_opts = HtmlOptions {
        basemap_url: a.basemap_url.clone(),
        basemap_attribution: a.basemap_attribution.clone(),
    };
    for (path, format) in a.out.iter().zip(formats) {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            harmspot::write::ensure_dir(parent)?;
        }
        match format {
            Format::Html => map::html::write(path, &m, &html_opts),
            Format::Png => map::png::write(path, &m, &png_opts),
        }
        .with_context(|| format!("writing {}", path.display()))?;
        super::note(quiet, format!("map: wrote {}", path.display()));
    }
    Ok(())
}
