//! A grid of test images (8x8 digits, 28x28 MNIST, any square picture), each with the
//! model's prediction (green when right, red when wrong); a click picks one.

use super::pixels::{context, Blitter, Palette};
use crate::ui::state::DigitsView;
use web_sys::HtmlCanvasElement;

/// Images per row.
pub const COLS: usize = 8;
/// Side of an image on the canvas, whatever its own size.
const SIDE: f64 = 48.0;
/// Room for the label under an image.
const LABEL: f64 = 18.0;
/// Gap between images.
const GAP: f64 = 10.0;

/// Canvas size needed for `n` images.
pub fn size(n: usize) -> (u32, u32) {
    let rows = n.div_ceil(COLS).max(1) as f64;
    let cell = SIDE + GAP;
    (
        (COLS as f64 * cell + GAP) as u32,
        (rows * (cell + LABEL) + GAP) as u32,
    )
}

/// Top-left corner of image `k`.
fn corner(k: usize) -> (f64, f64) {
    let cell = SIDE + GAP;
    (
        GAP + (k % COLS) as f64 * cell,
        GAP + (k / COLS) as f64 * (cell + LABEL),
    )
}

/// The image of `n` under canvas point `(x, y)`, if any.
pub fn hit(n: usize, x: f64, y: f64) -> Option<usize> {
    (0..n).find(|&k| {
        let (x0, y0) = corner(k);
        x >= x0 && x < x0 + SIDE && y >= y0 && y < y0 + SIDE + LABEL
    })
}

/// Draws the images of `d`; `full` is the value of full ink in the images' units;
/// `chosen` is outlined.
pub fn draw(canvas: &HtmlCanvasElement, d: &DigitsView, full: f32, chosen: Option<usize>) {
    let (Some(ctx), Some(blit)) = (context(canvas), Blitter::new()) else {
        return;
    };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, canvas.width() as f64, canvas.height() as f64);
    ctx.set_font("13px sans-serif");
    ctx.set_text_align("left");
    for (k, img) in d.images.iter().enumerate() {
        let (x0, y0) = corner(k);
        let side = (img.len() as f64).sqrt() as usize;
        blit.draw(
            &ctx,
            img,
            (side, side),
            Palette::Ink { full },
            (x0, y0),
            (SIDE, SIDE),
        );
        let (truth, pred) = (d.truth[k], d.predicted[k]);
        let (color, text) = if truth == pred {
            ("rgb(46,125,50)", format!("{pred}"))
        } else {
            ("rgb(198,40,40)", format!("{pred} (is {truth})"))
        };
        ctx.set_fill_style_str(color);
        let _ = ctx.fill_text(&text, x0, y0 + SIDE + 14.0);
        if chosen == Some(k) {
            ctx.set_stroke_style_str("rgb(8,119,189)");
            ctx.set_line_width(3.0);
            ctx.stroke_rect(x0 - 2.5, y0 - 2.5, SIDE + 5.0, SIDE + 5.0);
        }
    }
}
