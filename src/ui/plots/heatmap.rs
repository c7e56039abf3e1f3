//! A 2-D regression surface: the model's prediction over the plane as an orange-blue heat
//! map (TF Playground's colours: -1 orange, 0 neutral, +1 blue), with the train points
//! (white ring) and test points (dark ring) coloured by their own targets on the same
//! scale, so a point that matches the map behind it is predicted well.

use super::{area, diverging, dot_stride, tick, Area, DrawResult, INK};
use crate::experiment::{GridView, Points2d};
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// Draws `grid.value` (the prediction per cell) with the points.
pub fn draw(
    canvas: &HtmlCanvasElement,
    grid: &GridView,
    points: &(Points2d, Points2d),
    show_test: bool,
) {
    if let Some(root) = area(canvas) {
        let _ = draw_on(&root, grid, points, show_test);
    }
}

/// The colour scale's half-range: the largest |target| (TF's surfaces reach 1, the
/// plane's corners 1.2), at least 1, so the map and the points share one scale.
fn scale_of((train, test): &(Points2d, Points2d)) -> f32 {
    train
        .values
        .iter()
        .chain(&test.values)
        .filter(|v| v.is_finite())
        .fold(1.0f32, |m, v| m.max(v.abs()))
}

fn draw_on(
    root: &Area,
    grid: &GridView,
    points: &(Points2d, Points2d),
    show_test: bool,
) -> DrawResult {
    root.fill(&WHITE)?;
    let (lo, hi) = (grid.lo as f64, grid.hi as f64);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d(lo..hi, lo..hi)?;
    let n = grid.n;
    let step = (hi - lo) / n.max(1) as f64;
    let scale = scale_of(points);
    chart.draw_series(grid.value.iter().enumerate().map(|(i, &v)| {
        let (row, col) = (i / n, i % n);
        let x = lo + col as f64 * step;
        let y = hi - row as f64 * step;
        // Slightly paler than the points, which are drawn on the same scale.
        Rectangle::new(
            [(x, y), (x + step, y - step)],
            diverging(0.85 * v / scale).filled(),
        )
    }))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .label_style(("sans-serif", 12).into_font().color(&INK))
        .draw()?;
    let dots = |pts: &Points2d, ring: RGBColor| {
        pts.xy
            .chunks_exact(2)
            .zip(&pts.values)
            .step_by(dot_stride(pts.values.len()))
            .map(move |(p, &v)| {
                let c = (p[0] as f64, p[1] as f64);
                EmptyElement::at(c)
                    + Circle::new((0, 0), 4, diverging(v / scale).filled())
                    + Circle::new((0, 0), 4, ring.stroke_width(1))
            })
            .collect::<Vec<_>>()
    };
    let (train, test) = points;
    chart.draw_series(dots(train, WHITE))?;
    if show_test {
        chart.draw_series(dots(test, INK))?;
    }
    root.present()?;
    Ok(())
}
