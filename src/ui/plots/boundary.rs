//! The decision boundary of a 2-D classifier: the probability of class 1 over the plane
//! as an orange-blue heatmap, with the train points (white ring) and test points
//! (dark ring) on top. The heatmap is one image drawn scaled over the plotting area
//! (one `drawImage`, not a rectangle per cell: a refresh while training stays cheap).

use super::pixels::{context, Blitter, Palette};
use super::{area, class_color, dot_stride, tick, Area, DrawResult, INK};
use crate::experiment::{GridView, Points2d};
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// Draws `grid` (two colours only when `discretize`) with the points.
pub fn draw(
    canvas: &HtmlCanvasElement,
    grid: &GridView,
    points: &(Points2d, Points2d),
    discretize: bool,
    show_test: bool,
) {
    if let Some(root) = area(canvas) {
        let _ = draw_on(canvas, &root, grid, points, discretize, show_test);
    }
}

fn draw_on(
    canvas: &HtmlCanvasElement,
    root: &Area,
    grid: &GridView,
    (train, test): &(Points2d, Points2d),
    discretize: bool,
    show_test: bool,
) -> DrawResult {
    root.fill(&WHITE)?;
    let (lo, hi) = (grid.lo as f64, grid.hi as f64);
    let mut chart = ChartBuilder::on(root)
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(36)
        .build_cartesian_2d(lo..hi, lo..hi)?;
    // Cell (row, col) of the grid is pixel (col, row) of the image: row 0 is the top.
    let cells: Vec<f32> = grid
        .p1
        .iter()
        .map(|&p| {
            let v = 2.0 * p - 1.0;
            if discretize {
                v.signum() * 0.75
            } else {
                v * 0.85
            }
        })
        .collect();
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    if let (Some(ctx), Some(blit)) = (context(canvas), Blitter::new()) {
        blit.draw(
            &ctx,
            &cells,
            (grid.n, grid.n),
            Palette::Diverging { scale: 1.0 },
            (f64::from(xs.start), f64::from(ys.start)),
            (f64::from(xs.end - xs.start), f64::from(ys.end - ys.start)),
        );
    }
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
            .zip(&pts.labels)
            .step_by(dot_stride(pts.labels.len()))
            .map(move |(p, &l)| {
                let c = (p[0] as f64, p[1] as f64);
                EmptyElement::at(c)
                    + Circle::new((0, 0), 4, class_color(l).filled())
                    + Circle::new((0, 0), 4, ring.stroke_width(1))
            })
            .collect::<Vec<_>>()
    };
    chart.draw_series(dots(train, WHITE))?;
    if show_test {
        chart.draw_series(dots(test, INK))?;
    }
    root.present()?;
    Ok(())
}
