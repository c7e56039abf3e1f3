//! Small images drawn enlarged with hard pixel edges: a model's input, filters, feature
//! maps, a unit's weights. Each image is put at its own size on a scratch canvas and
//! drawn scaled (one `drawImage` instead of one rectangle per pixel).

use super::diverging;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// How values become colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Palette {
    /// Ink: 0 white to `full` black.
    Ink {
        /// The value of full ink.
        full: f32,
    },
    /// Orange (negative) through white to blue (positive), `scale` mapping to full colour.
    Diverging {
        /// The magnitude drawn at full colour.
        scale: f32,
    },
}

impl Palette {
    fn rgba(self, v: f32) -> [u8; 4] {
        match self {
            Palette::Ink { full } => {
                let t = if v.is_nan() {
                    0.0
                } else {
                    (v / full.max(1e-6)).clamp(0.0, 1.0)
                };
                let g = (255.0 - t * 255.0).round() as u8;
                [g, g, g, 255]
            }
            Palette::Diverging { scale } => {
                let c = diverging(v / scale.max(1e-6));
                [c.0, c.1, c.2, 255]
            }
        }
    }
}

/// The largest magnitude in `values` (at least a tiny positive number).
pub fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f32 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(1e-6f32, |m, v| m.max(v.abs()))
}

/// A scratch canvas for [`Blitter::draw`], reused for every image of one drawing.
pub struct Blitter {
    scratch: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
}

impl Blitter {
    /// A blitter, or `None` when there is no document.
    pub fn new() -> Option<Blitter> {
        let scratch: HtmlCanvasElement = web_sys::window()?
            .document()?
            .create_element("canvas")
            .ok()?
            .dyn_into()
            .ok()?;
        let ctx = context(&scratch)?;
        Some(Blitter { scratch, ctx })
    }

    /// Draws `values` (`w * h`, row-major) into `to` at `(x, y)`, `dw x dh` large.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &self,
        to: &CanvasRenderingContext2d,
        values: &[f32],
        (w, h): (usize, usize),
        palette: Palette,
        (x, y): (f64, f64),
        (dw, dh): (f64, f64),
    ) {
        if w == 0 || h == 0 || values.len() < w * h {
            return;
        }
        let rgba: Vec<u8> = values[..w * h]
            .iter()
            .flat_map(|&v| palette.rgba(v))
            .collect();
        self.scratch.set_width(w as u32);
        self.scratch.set_height(h as u32);
        let Ok(img) =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), w as u32, h as u32)
        else {
            return;
        };
        let _ = self.ctx.put_image_data(&img, 0.0, 0.0);
        to.set_image_smoothing_enabled(false);
        let _ = to.draw_image_with_html_canvas_element_and_dw_and_dh(&self.scratch, x, y, dw, dh);
    }
}

/// The 2-D context of `canvas`.
pub fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}
