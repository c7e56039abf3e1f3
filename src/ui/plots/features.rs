//! What an image model sees: the input being looked at, then per layer the learned
//! filters of a convolution (each output channel's kernel, summed over its input
//! channels), the feature maps of the input after each convolution (after its
//! activation) and pooling, and for a dense layer that reads the picture itself each
//! unit's incoming weights drawn as an image.

use super::pixels::{context, max_abs, Blitter, Palette};
use crate::nn::Layer;
use crate::ui::i18n::{msg, t, tf};
use crate::ui::probe::Seen;
use crate::ui::state::PlotFrame;
use web_sys::HtmlCanvasElement;

/// Most channels (filters, maps) drawn per layer.
pub const MAX_CHANNELS: usize = 16;
/// Most dense units drawn as images.
pub const MAX_UNITS: usize = 32;
/// Height of a row's title.
const TITLE: f64 = 20.0;
/// Gap between tiles and rows.
const GAP: f64 = 6.0;

/// One row of same-sized images with a title.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What the row shows (`layer 0 conv(8,5): 8 filters`).
    pub title: String,
    /// Each image: `(width, height)` and `width * height` values.
    pub tiles: Vec<((usize, usize), Vec<f32>)>,
    /// How values become colours.
    pub palette: Palette,
    /// Side of a tile on the canvas.
    pub side: f64,
}

/// The rows to draw for frame `s` and the input looked at, `seen`.
pub fn rows(s: &PlotFrame, seen: Option<&Seen>) -> Vec<Row> {
    let Some(spec) = s.image else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let pixels = spec.side * spec.side;
    if let Some(seen) = seen.filter(|v| v.raw.len() >= pixels) {
        out.push(Row {
            title: tf("input: {}", &[&msg(&seen.label)]),
            tiles: vec![((spec.side, spec.side), seen.raw[..pixels].to_vec())],
            palette: Palette::Ink {
                full: spec.full_ink,
            },
            side: 72.0,
        });
    }
    let maps = seen.map(|v| v.layers.as_slice()).unwrap_or_default();
    for (i, layer) in s.layers.iter().enumerate() {
        let input = match i {
            0 => s.input_shape.as_slice(),
            _ => s.shapes.get(i - 1).map_or(&[][..], Vec::as_slice),
        };
        let weight = s.weights.iter().find(|w| w.name == format!("{i}.weight"));
        match layer {
            Layer::Conv2d { out: c, kernel, .. } => {
                if let Some(w) = weight {
                    out.push(filters(i, layer, *c, *kernel, &w.data));
                }
                // The maps after the activation that follows, if one does.
                let j = match s.layers.get(i + 1) {
                    Some(Layer::Act(_)) => i + 1,
                    _ => i,
                };
                let title = match j > i {
                    true => tf("its feature maps after {}", &[&s.layers[j].name()]),
                    false => t("its feature maps").to_string(),
                };
                if let Some(row) = feature_maps(s, maps, j, title) {
                    out.push(row);
                }
            }
            Layer::MaxPool2d { .. } | Layer::AvgPool2d { .. } => {
                let title = tf("layer {} {}: pooled maps", &[&i, &layer.name()]);
                if let Some(row) = feature_maps(s, maps, i, title) {
                    out.push(row);
                }
            }
            Layer::Dense { out: units } => {
                // Only a dense layer that reads the picture itself (flat, or flattened
                // right before) has weights shaped like the picture.
                let reads_picture = s.layers[..i].iter().all(|l| matches!(l, Layer::Flatten))
                    && input.iter().product::<usize>() == pixels;
                if let (true, Some(w)) = (reads_picture, weight) {
                    out.push(unit_weights(i, *units, pixels, spec.side, &w.data));
                }
            }
            _ => {}
        }
    }
    out
}

/// Each output channel's kernel (`[out, in, k, k]`), summed over its input channels.
fn filters(i: usize, layer: &Layer, channels: usize, k: usize, w: &[f32]) -> Row {
    let per = k * k;
    let ins = w.len() / (channels * per).max(1);
    let tiles: Vec<_> = (0..channels.min(MAX_CHANNELS))
        .map(|o| {
            let mut sum = vec![0f32; per];
            for c in 0..ins {
                let base = (o * ins + c) * per;
                for (s, v) in sum.iter_mut().zip(&w[base..base + per]) {
                    *s += v;
                }
            }
            ((k, k), sum)
        })
        .collect();
    let scale = max_abs(tiles.iter().flat_map(|t| t.1.iter()));
    Row {
        title: tf(
            "layer {} {}: {} filters {}x{}{}",
            &[
                &i,
                &layer.name(),
                &channels,
                &k,
                &k,
                &more(channels, MAX_CHANNELS),
            ],
        ),
        tiles,
        palette: Palette::Diverging { scale },
        side: 32.0,
    }
}

/// The maps `[c, h, w]` that layer `j` made of the input, if they were read.
fn feature_maps(s: &PlotFrame, maps: &[Vec<f32>], j: usize, title: String) -> Option<Row> {
    let values = maps.get(j)?;
    let [c, h, w] = s.shapes.get(j)?[..] else {
        return None;
    };
    if values.len() != c * h * w {
        return None;
    }
    let tiles: Vec<_> = values
        .chunks(h * w)
        .take(MAX_CHANNELS)
        .map(|m| ((w, h), m.to_vec()))
        .collect();
    let scale = max_abs(values);
    Some(Row {
        title: format!("{title}{}", more(c, MAX_CHANNELS)),
        tiles,
        palette: Palette::Diverging { scale },
        side: 44.0,
    })
}

/// Each unit's incoming weights (`[units, pixels]`) as a `side x side` picture.
fn unit_weights(i: usize, units: usize, pixels: usize, side: usize, w: &[f32]) -> Row {
    let tiles: Vec<_> = w
        .chunks(pixels)
        .take(MAX_UNITS.min(units))
        .map(|row| ((side, side), row.to_vec()))
        .collect();
    let scale = max_abs(tiles.iter().flat_map(|t| t.1.iter()));
    Row {
        title: tf(
            "layer {} dense({}): each unit's incoming weights{}",
            &[&i, &units, &more(units, MAX_UNITS)],
        ),
        tiles,
        palette: Palette::Diverging { scale },
        side: 40.0,
    }
}

/// `" (first 16 of 32)"` when not all are drawn.
fn more(n: usize, shown: usize) -> String {
    if n > shown {
        tf(" (first {} of {})", &[&shown, &n])
    } else {
        String::new()
    }
}

/// Where one row goes: its title's top and each tile's corner.
type Placed = (f64, Vec<(f64, f64)>);

/// Tile positions of `rows` across `width`, and the canvas height.
fn place(rows: &[Row], width: f64) -> (Vec<Placed>, f64) {
    let mut y = GAP;
    let mut out = Vec::new();
    for r in rows {
        let title_y = y;
        y += TITLE;
        let per_line = (((width - GAP) / (r.side + GAP)).floor() as usize).max(1);
        let corners = (0..r.tiles.len())
            .map(|k| {
                (
                    GAP + (k % per_line) as f64 * (r.side + GAP),
                    y + (k / per_line) as f64 * (r.side + GAP),
                )
            })
            .collect();
        let lines = r.tiles.len().div_ceil(per_line).max(1);
        y += lines as f64 * (r.side + GAP) + GAP;
        out.push((title_y, corners));
    }
    (out, y.max(60.0))
}

/// Draws `rows` on `canvas`, `width` canvas pixels wide (the height follows); with no
/// rows, a hint.
pub fn draw(canvas: &HtmlCanvasElement, rows: &[Row], width: f64) {
    let (placed, height) = place(rows, width);
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let (Some(ctx), Some(blit)) = (context(canvas), Blitter::new()) else {
        return;
    };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, width, height);
    ctx.set_font("13px sans-serif");
    ctx.set_text_align("left");
    ctx.set_fill_style_str("rgb(40,44,52)");
    if rows.is_empty() {
        let _ = ctx.fill_text("Draw a digit or click a test image.", GAP, 30.0);
        return;
    }
    for (r, (title_y, corners)) in rows.iter().zip(&placed) {
        ctx.set_fill_style_str("rgb(40,44,52)");
        let _ = ctx.fill_text(&r.title, GAP, title_y + 14.0);
        for (((w, h), values), &(x, y)) in r.tiles.iter().zip(corners) {
            // Keep the aspect ratio inside the square tile.
            let big = (*w).max(*h).max(1) as f64;
            let (dw, dh) = (r.side * *w as f64 / big, r.side * *h as f64 / big);
            blit.draw(&ctx, values, (*w, *h), r.palette, (x, y), (dw, dh));
            ctx.set_stroke_style_str("rgba(40,44,52,0.35)");
            ctx.set_line_width(1.0);
            ctx.stroke_rect(x - 0.5, y - 0.5, dw + 1.0, dh + 1.0);
        }
    }
}
