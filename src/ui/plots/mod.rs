//! Drawing on `<canvas>`: plotters charts (loss, decision boundary, regression, digits)
//! and the network view. Pure functions of the data they get; no signals here.

pub mod boundary;
mod canvas;
pub mod digits;
pub mod features;
pub mod heatmap;
mod legend;
pub mod loss;
pub mod matrix_heatmap;
pub mod network;
pub mod pixels;
pub mod regression;

use plotters::coord::Shift;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

pub use canvas::Canvas;
pub use legend::{draw_legend, Key};

/// A plotters drawing area on a canvas.
pub type Area = DrawingArea<Canvas, Shift>;

/// What a drawing function returns; errors only mean the canvas went away.
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// The whole canvas as a plotters drawing area.
pub fn area(canvas: &HtmlCanvasElement) -> Option<Area> {
    Canvas::new(canvas).map(|b| b.into_drawing_area())
}

/// Class 0 (TF Playground's orange).
pub const ORANGE: RGBColor = RGBColor(245, 147, 34);
/// Class 1 (TF Playground's blue).
pub const BLUE: RGBColor = RGBColor(8, 119, 189);
/// The neutral middle of the diverging scale.
pub const NEUTRAL: RGBColor = RGBColor(232, 234, 235);
/// Text and axes.
pub const INK: RGBColor = RGBColor(40, 44, 52);

/// `v` in `[-1, 1]` on the orange-white-blue scale (NaN shows neutral).
pub fn diverging(v: f32) -> RGBColor {
    let v = if v.is_nan() { 0.0 } else { v.clamp(-1.0, 1.0) };
    let (end, t) = if v < 0.0 { (ORANGE, -v) } else { (BLUE, v) };
    let mix = |a: u8, b: u8| (a as f32 + (b as f32 - a as f32) * t).round() as u8;
    RGBColor(
        mix(NEUTRAL.0, end.0),
        mix(NEUTRAL.1, end.1),
        mix(NEUTRAL.2, end.2),
    )
}

/// A distinct colour per class (two classes: orange and blue).
pub fn class_color(c: usize) -> RGBColor {
    const MORE: [RGBColor; 8] = [
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    match c {
        0 => ORANGE,
        1 => BLUE,
        _ => MORE[(c - 2) % MORE.len()],
    }
}

/// Most points of one set drawn in a scatter. Each dot is several canvas calls, so
/// 100,000 of them (a valid link) would hold the page for seconds at every redraw;
/// beyond a few thousand the dots cover the plot anyway.
pub const MAX_DOTS: usize = 2000;

/// The stride that keeps at most [`MAX_DOTS`] of `n` points: every k-th, a fixed and
/// evenly spread sample, so the picture does not flicker between redraws.
pub fn dot_stride(n: usize) -> usize {
    n.div_ceil(MAX_DOTS).max(1)
}

/// A short axis label.
pub fn tick(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e4 || v.abs() < 1e-2) {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A message in the middle of an empty chart.
pub fn message(canvas: &HtmlCanvasElement, text: &str) {
    let Some(root) = area(canvas) else { return };
    let _ =
        (|| -> DrawResult {
            root.fill(&WHITE)?;
            let (w, h) = root.dim_in_pixel();
            let style = ("sans-serif", 15).into_font().color(&INK).pos(
                plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Center,
                    plotters::style::text_anchor::VPos::Center,
                ),
            );
            root.draw(&Text::new(
                text.to_string(),
                (w as i32 / 2, h as i32 / 2),
                style,
            ))?;
            root.present()?;
            Ok(())
        })();
}
