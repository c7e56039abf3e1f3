//! Train and test loss against step, on a linear or log scale.

use super::{area, draw_legend, tick, Area, DrawResult, Key, BLUE, INK, ORANGE};
use crate::experiment::HistoryPoint;
use crate::ui::i18n::t;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// Most points drawn per curve.
const MAX_POINTS: usize = 1500;

/// Draws the loss curves of `history` (log10 of the loss on the y axis when `log`).
pub fn draw(canvas: &HtmlCanvasElement, history: &[HistoryPoint], log: bool) {
    if let Some(root) = area(canvas) {
        let _ = draw_on(&root, history, log);
    }
}

fn draw_on(root: &Area, history: &[HistoryPoint], log: bool) -> DrawResult {
    root.fill(&WHITE)?;
    let y = |v: f64| if log { v.max(1e-12).log10() } else { v };
    // At most about MAX_POINTS points per curve (every k-th, and always the last).
    let k = history.len().div_ceil(MAX_POINTS).max(1);
    let last = history.len().saturating_sub(1);
    let history: Vec<&HistoryPoint> = history
        .iter()
        .enumerate()
        .filter(|(i, _)| i % k == 0 || *i == last)
        .map(|(_, p)| p)
        .collect();
    let train: Vec<(u64, f64)> = history.iter().map(|p| (p.step, y(p.train_loss))).collect();
    let test: Vec<(u64, f64)> = history.iter().map(|p| (p.step, y(p.test_loss))).collect();
    let (lo, hi) = train
        .iter()
        .chain(&test)
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    let (lo, hi) = if lo.is_finite() {
        let pad = ((hi - lo) * 0.08).max(1e-6);
        (if log { lo - pad } else { (lo - pad).max(0.0) }, hi + pad)
    } else {
        (0.0, 1.0)
    };
    // Steps are whole numbers: an integer axis puts its ticks on distinct integers
    // (a float axis over 0..1 labelled `0 0 0 1 1 1`).
    let x_max = history.last().map_or(1, |p| p.step).max(1);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(56)
        .build_cartesian_2d(0u64..x_max, lo..hi)?;
    let y_fmt = |v: &f64| {
        if log {
            format!("{:.0e}", 10f64.powf(*v))
        } else {
            tick(*v)
        }
    };
    chart
        .configure_mesh()
        .x_desc(t("step"))
        .y_desc(t(if log { "loss (log)" } else { "loss" }))
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| v.to_string())
        .y_label_formatter(&y_fmt)
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    chart.draw_series(LineSeries::new(train, BLUE.stroke_width(2)))?;
    chart.draw_series(LineSeries::new(test, ORANGE.stroke_width(2)))?;
    let keys = [
        (t("train"), Key::line(BLUE)),
        (t("test"), Key::line(ORANGE)),
    ];
    draw_legend(&chart, SeriesLabelPosition::UpperRight, &keys)?;
    root.present()?;
    Ok(())
}
