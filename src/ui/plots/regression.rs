//! A 1-D regression: the train and test points and the model's fitted curve.

use super::{area, dot_stride, draw_legend, tick, Area, DrawResult, Key, BLUE, INK, ORANGE};
use crate::experiment::Curve1d;
use crate::ui::i18n::t;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// Draws the scatter of `c`'s points with its fitted curve.
pub fn draw(canvas: &HtmlCanvasElement, c: &Curve1d) {
    if let Some(root) = area(canvas) {
        let _ = draw_on(&root, c);
    }
}

fn bounds(v: impl Iterator<Item = f32>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v as f64), b.max(v as f64))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.06).max(1e-3);
    (lo - pad, hi + pad)
}

fn draw_on(root: &Area, c: &Curve1d) -> DrawResult {
    root.fill(&WHITE)?;
    let all = || c.train.iter().chain(&c.test);
    let (x0, x1) = bounds(all().map(|p| p.0));
    // The y range covers the data; a wild fit is clipped rather than squashing the data.
    let (y0, y1) = bounds(all().map(|p| p.1));
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(32)
        .y_label_area_size(48)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("y")
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
        .light_line_style(RGBColor(238, 238, 238))
        .draw()?;
    let pt = |&(x, y): &(f32, f32)| (x as f64, y as f64);
    chart.draw_series(
        c.train
            .iter()
            .step_by(dot_stride(c.train.len()))
            .map(|p| Circle::new(pt(p), 3, BLUE.mix(0.75).filled())),
    )?;
    chart.draw_series(
        c.test
            .iter()
            .step_by(dot_stride(c.test.len()))
            .map(|p| Circle::new(pt(p), 3, ORANGE.filled())),
    )?;
    let fit: Vec<(f64, f64)> = c
        .fit
        .iter()
        .map(pt)
        .map(|(x, y)| (x, y.clamp(y0 - (y1 - y0), y1 + (y1 - y0))))
        .collect();
    chart.draw_series(LineSeries::new(fit, INK.stroke_width(2)))?;
    let keys = [
        (t("train"), Key::Dot(BLUE)),
        (t("test"), Key::Dot(ORANGE)),
        (t("model"), Key::line(INK)),
    ];
    draw_legend(&chart, SeriesLabelPosition::UpperLeft, &keys)?;
    root.present()?;
    Ok(())
}
