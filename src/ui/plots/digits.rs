//! A grid of 8x8 test digits, each with the model's prediction (green when right, red
//! when wrong).

use super::{area, Area, DrawResult};
use crate::ui::state::DigitsView;
use plotters::prelude::*;
use web_sys::HtmlCanvasElement;

/// Images per row.
pub const COLS: usize = 8;
/// Screen pixels per image pixel.
const SCALE: i32 = 6;
/// Room for the label under an image.
const LABEL: i32 = 18;
/// Gap between images.
const GAP: i32 = 10;

/// Canvas size needed for `n` images.
pub fn size(n: usize) -> (u32, u32) {
    let rows = n.div_ceil(COLS).max(1) as i32;
    let cell = 8 * SCALE + GAP;
    (
        (COLS as i32 * cell + GAP) as u32,
        (rows * (cell + LABEL) + GAP) as u32,
    )
}

/// Draws the digits of `d`.
pub fn draw(canvas: &HtmlCanvasElement, d: &DigitsView) {
    if let Some(root) = area(canvas) {
        let _ = draw_on(&root, d);
    }
}

fn draw_on(root: &Area, d: &DigitsView) -> DrawResult {
    root.fill(&WHITE)?;
    let cell = 8 * SCALE + GAP;
    for (k, img) in d.images.iter().enumerate() {
        let (x0, y0) = (
            GAP + (k % COLS) as i32 * cell,
            GAP + (k / COLS) as i32 * (cell + LABEL),
        );
        for (p, &v) in img.iter().enumerate().take(64) {
            // Pixels run 0 (white) to 16 (black).
            let g = 255 - (v.clamp(0.0, 16.0) / 16.0 * 255.0) as u8;
            let (px, py) = (x0 + (p % 8) as i32 * SCALE, y0 + (p / 8) as i32 * SCALE);
            root.draw(&Rectangle::new(
                [(px, py), (px + SCALE, py + SCALE)],
                RGBColor(g, g, g).filled(),
            ))?;
        }
        let (truth, pred) = (d.truth[k], d.predicted[k]);
        let color = if truth == pred {
            RGBColor(46, 125, 50)
        } else {
            RGBColor(198, 40, 40)
        };
        let text = if truth == pred {
            format!("{pred}")
        } else {
            format!("{pred} (is {truth})")
        };
        root.draw(&Text::new(
            text,
            (x0, y0 + 8 * SCALE + 3),
            ("sans-serif", 13).into_font().color(&color),
        ))?;
    }
    root.present()?;
    Ok(())
}
