//! Charts of the calibrated verdicts (issue 19; METHODS §6b), as microsynth and
//! CausalImpact draw them: per measure one PNG of small multiples, one panel per hub (and
//! the hubs pooled), each the hub's monthly values against its counterfactual, with the
//! placebo band (the 2.5%–97.5% spread of placebo areas around their own counterfactuals,
//! month by month) and the before and after periods marked. Drawn with tiny-skia and the
//! map's bitmap font ([`crate::map::png`]).

use crate::compare::verdict::{Verdict, Word};
use crate::compare::{CompareResult, MeasureKind};
use crate::error::{Error, Result};
use crate::model::month::Month;
use crate::publish::draw::font::{draw_text, fit_text};
use crate::publish::draw::paint;
use tiny_skia::{FillRule, Path, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// The chart files, one per VRU measure.
pub const CHARTS: [(&str, MeasureKind); 5] = [
    ("chart-crime.png", MeasureKind::Crime),
    ("chart-asb.png", MeasureKind::Asb),
    ("chart-violence.png", MeasureKind::Violence),
    ("chart-weapons.png", MeasureKind::Weapons),
    ("chart-harm.png", MeasureKind::Harm),
];

const W: u32 = 480;
const H: u32 = 260;
const COLS: u32 = 3;
const HEAD: u32 = 70;
const INK: [u8; 3] = [34, 34, 34];
const OBS: [u8; 3] = [31, 78, 160];
const CF: [u8; 3] = [214, 96, 24];
const BAND: [u8; 3] = [150, 150, 150];

/// One panel: a name, the verdict, the series and where the periods are.
struct Panel<'a> {
    name: &'a str,
    v: &'a Verdict,
    before: Option<(usize, usize)>,
    after: Option<(usize, usize)>,
}

fn span_of(months: &[Month], r: crate::model::month::MonthRange) -> Option<(usize, usize)> {
    let a = months.iter().position(|m| *m == r.from)?;
    let b = months.iter().position(|m| *m == r.to)?;
    Some((a, b))
}

/// Renders the chart of `measure` as PNG bytes. Under active disclosure rules
/// (`withhold`) the monthly values are not drawn (a month's count may be 1 to K − 1).
pub fn render(
    r: &CompareResult,
    measure: &MeasureKind,
    label: &str,
    withhold: bool,
) -> Result<Vec<u8>> {
    let months = &r.verdicts.months;
    let mut panels = Vec::new();
    for (k, a) in r.areas.iter().enumerate() {
        if let Some(v) = r.verdicts.get(Some(k), measure) {
            let p = a.periods.as_ref();
            panels.push(Panel {
                name: &a.name,
                v,
                before: p.and_then(|p| span_of(months, p.before)),
                after: p.and_then(|p| span_of(months, p.after)),
            });
        }
    }
    if let Some(v) = r.verdicts.get(None, measure) {
        let p = r.pooled.periods.as_ref();
        panels.push(Panel {
            name: "All hubs",
            v,
            before: p.and_then(|p| span_of(months, p.before)),
            after: p.and_then(|p| span_of(months, p.after)),
        });
    }
    let rows = (panels.len() as u32).div_ceil(COLS).max(1);
    let mut pm = Pixmap::new(W * COLS, HEAD + H * rows)
        .ok_or_else(|| Error::Mismatch("chart size".into()))?;
    pm.fill(tiny_skia::Color::WHITE);
    draw_text(&mut pm, label, 12.0, 10.0, 3, INK);
    let key = format!(
        "blue: the hub; orange: its counterfactual ({}); grey band: 95% of placebo areas; shaded: before period; line: start of the after period",
        r.verdicts.inference
    );
    draw_text(
        &mut pm,
        &fit_text(&key, (W * COLS) as f32 - 24.0, 1),
        12.0,
        42.0,
        1,
        INK,
    );
    for (i, p) in panels.iter().enumerate() {
        let (cx, cy) = ((i as u32 % COLS) * W, HEAD + (i as u32 / COLS) * H);
        panel(&mut pm, p, cx as f32, cy as f32, months, withhold);
    }
    pm.encode_png()
        .map_err(|e| Error::Mismatch(format!("PNG encoding failed: {e}")))
}

fn line(points: &[(f32, f32)]) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for (i, &(x, y)) in points.iter().enumerate() {
        if i == 0 {
            pb.move_to(x, y);
        } else {
            pb.line_to(x, y);
        }
    }
    pb.finish()
}

fn panel(pm: &mut Pixmap, p: &Panel, x0: f32, y0: f32, months: &[Month], withhold: bool) {
    let s = &p.v.series;
    let n = s.observed.len();
    let verdict = match p.v.verdict {
        Word::Fall | Word::Rise => p.v.verdict.to_string().to_uppercase(),
        Word::NoClearChange => p.v.verdict.to_string(),
    };
    let stats = format!(
        "{} vs counterfactual, p {}: {verdict}",
        p.v.effect_pct
            .map_or_else(|| "–".to_string(), super::sentence::signed_pct),
        p.v.p_value
            .map_or_else(|| "–".to_string(), super::scorecard::p_short),
    );
    draw_text(
        pm,
        &fit_text(p.name, W as f32 - 24.0, 2),
        x0 + 12.0,
        y0 + 6.0,
        2,
        INK,
    );
    draw_text(
        pm,
        &fit_text(&stats, W as f32 - 24.0, 1),
        x0 + 12.0,
        y0 + 26.0,
        1,
        INK,
    );
    let (l, r, t, b) = (
        x0 + 44.0,
        x0 + W as f32 - 14.0,
        y0 + 42.0,
        y0 + H as f32 - 26.0,
    );
    if withhold {
        draw_text(
            pm,
            "monthly values withheld (disclosure control)",
            l,
            t + 40.0,
            1,
            INK,
        );
        return;
    }
    if n == 0 {
        draw_text(
            pm,
            "no series (areas with different periods)",
            l,
            t + 40.0,
            1,
            INK,
        );
        return;
    }
    let top = s
        .observed
        .iter()
        .chain(&s.counterfactual)
        .chain(&s.band_high)
        .fold(1.0_f64, |m, v| m.max(*v))
        * 1.08;
    let px = |k: usize| l + (r - l) * (k as f32 + 0.5) / n as f32;
    let py = |v: f64| b - (b - t) * (v / top) as f32;
    if let Some((a, z)) = p.before {
        if let Some(rect) = Rect::from_ltrb(px(a) - 3.0, t, px(z) + 3.0, b) {
            pm.fill_rect(
                rect,
                &paint([235, 235, 242], 1.0),
                Transform::identity(),
                None,
            );
        }
    }
    if s.band_low.len() == n {
        let mut pts: Vec<(f32, f32)> = (0..n).map(|k| (px(k), py(s.band_high[k]))).collect();
        pts.extend((0..n).rev().map(|k| (px(k), py(s.band_low[k]))));
        if let Some(path) = line(&pts) {
            pm.fill_path(
                &path,
                &paint(BAND, 0.35),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }
    let axis = line(&[(l, t), (l, b), (r, b)]);
    let thin = Stroke {
        width: 1.0,
        ..Stroke::default()
    };
    if let Some(path) = axis {
        pm.stroke_path(&path, &paint(INK, 1.0), &thin, Transform::identity(), None);
    }
    if let Some((a, _)) = p.after {
        let x = px(a) - (r - l) / n as f32 / 2.0;
        if let Some(path) = line(&[(x, t), (x, b)]) {
            pm.stroke_path(&path, &paint(INK, 0.8), &thin, Transform::identity(), None);
        }
    }
    let wide = Stroke {
        width: 2.0,
        ..Stroke::default()
    };
    for (vals, c) in [(&s.counterfactual, CF), (&s.observed, OBS)] {
        let pts: Vec<(f32, f32)> = (0..n).map(|k| (px(k), py(vals[k]))).collect();
        if let Some(path) = line(&pts) {
            pm.stroke_path(&path, &paint(c, 1.0), &wide, Transform::identity(), None);
        }
    }
    let ymax = format!("{:.0}", top / 1.08);
    draw_text(pm, &ymax, x0 + 4.0, py(top / 1.08) - 3.0, 1, INK);
    draw_text(pm, "0", x0 + 4.0, b - 6.0, 1, INK);
    for (k, m) in months.iter().enumerate() {
        if k == 0 || k + 1 == n || m.month() == 1 {
            let text = m.to_string();
            draw_text(pm, &text, px(k) - 20.0, b + 6.0, 1, INK);
        }
    }
}
