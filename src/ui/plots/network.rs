//! The network view: every neuron as a small heatmap of its output over the input plane
//! (2-D data) or a disc coloured by its bias, edges coloured by the weight's sign and as
//! thick as its size; the layout is shared with hit-testing for the hover read-out.

use super::{diverging, INK};
use crate::ui::i18n::tf;
use crate::ui::state::PlotFrame;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Most neurons drawn per layer (the rest are summarised as "+N").
pub const MAX_SHOWN: usize = 12;
/// Side of a neuron box, in canvas pixels.
pub const BOX: f64 = 40.0;
/// Vertical distance between neurons.
const PITCH: f64 = 52.0;
/// Room above the first neuron for the layer titles.
const TOP: f64 = 40.0;
/// Room left of the inputs for their names.
const LABELS: f64 = 58.0;

/// Where each drawn neuron sits.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Centres `(x, y)` of the drawn neurons, per layer (inputs first).
    pub nodes: Vec<Vec<(f64, f64)>>,
    /// Canvas width.
    pub width: f64,
    /// Canvas height.
    pub height: f64,
}

/// Places the layers of `sizes` evenly across `width`.
pub fn layout(sizes: &[usize], width: f64) -> Layout {
    let cols = sizes.len().max(1);
    let tallest = sizes.iter().map(|&s| s.min(MAX_SHOWN)).max().unwrap_or(1);
    let height = TOP + tallest as f64 * PITCH + 24.0;
    // Room on the left for the input names, on the right for half a box.
    let (left, right) = (BOX / 2.0 + LABELS, BOX / 2.0 + 24.0);
    let gap = if cols > 1 {
        (width - left - right) / (cols - 1) as f64
    } else {
        0.0
    };
    let nodes = sizes
        .iter()
        .enumerate()
        .map(|(l, &s)| {
            let shown = s.min(MAX_SHOWN);
            let top = TOP + (tallest - shown) as f64 * PITCH / 2.0 + PITCH / 2.0;
            (0..shown)
                .map(|i| (left + l as f64 * gap, top + i as f64 * PITCH))
                .collect()
        })
        .collect();
    Layout {
        nodes,
        width,
        height,
    }
}

/// One drawn weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// Parameter name and index (`2.weight[3, 1]`).
    pub name: String,
    /// The weight.
    pub w: f32,
    /// Start (right side of the source neuron).
    pub a: (f64, f64),
    /// End (left side of the target neuron).
    pub b: (f64, f64),
}

/// The drawn weights; `weights` are the model's parameters in order (weight, bias per
/// layer, PyTorch `[out, in]`).
pub fn edges(lay: &Layout, s: &PlotFrame) -> Vec<Edge> {
    let mut out = Vec::new();
    for l in 0..lay.nodes.len().saturating_sub(1) {
        let Some(w) = s.weights.get(2 * l) else { break };
        let fan_in = w.shape.get(1).copied().unwrap_or(0);
        for (j, &b) in lay.nodes[l + 1].iter().enumerate() {
            for (i, &a) in lay.nodes[l].iter().enumerate() {
                if let Some(&v) = w.data.get(j * fan_in + i) {
                    out.push(Edge {
                        name: format!("{}[{j}, {i}]", w.name),
                        w: v,
                        a: (a.0 + BOX / 2.0, a.1),
                        b: (b.0 - BOX / 2.0, b.1),
                    });
                }
            }
        }
    }
    out
}

/// The edge within 5 px of `(x, y)`, nearest first.
pub fn hit(edges: &[Edge], x: f64, y: f64) -> Option<usize> {
    let dist = |e: &Edge| {
        let (dx, dy) = (e.b.0 - e.a.0, e.b.1 - e.a.1);
        let len2 = (dx * dx + dy * dy).max(1e-9);
        let t = (((x - e.a.0) * dx + (y - e.a.1) * dy) / len2).clamp(0.0, 1.0);
        let (px, py) = (e.a.0 + t * dx, e.a.1 + t * dy);
        ((x - px).powi(2) + (y - py).powi(2)).sqrt()
    };
    edges
        .iter()
        .enumerate()
        .map(|(i, e)| (i, dist(e)))
        .filter(|&(_, d)| d <= 5.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

fn css(c: plotters::style::RGBColor, alpha: f64) -> String {
    format!("rgba({},{},{},{alpha})", c.0, c.1, c.2)
}

/// Values of neuron `unit` of layer `l` (0 = inputs) over the grid, if there is a grid.
fn neuron_values(s: &PlotFrame, l: usize, unit: usize) -> Option<Vec<f32>> {
    let g = s.grid.as_ref()?;
    if l == 0 {
        return g.inputs.get(unit).cloned();
    }
    let (vals, width) = (g.layers.get(l - 1)?, *g.widths.get(l - 1)?);
    Some(vals.iter().skip(unit).step_by(width).copied().collect())
}

/// Draws the whole view; `hover` is the index of the highlighted edge.
pub fn draw(
    canvas: &HtmlCanvasElement,
    lay: &Layout,
    s: &PlotFrame,
    edges: &[Edge],
    hover: Option<usize>,
) {
    let Ok(Some(ctx)) = canvas.get_context("2d") else {
        return;
    };
    let Ok(ctx) = ctx.dyn_into::<CanvasRenderingContext2d>() else {
        return;
    };
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, lay.width, lay.height);
    for (k, e) in edges.iter().enumerate() {
        let strong = (e.w.abs() as f64).min(3.0);
        ctx.begin_path();
        ctx.move_to(e.a.0, e.a.1);
        ctx.line_to(e.b.0, e.b.1);
        if hover == Some(k) {
            ctx.set_stroke_style_str(&css(INK, 1.0));
            ctx.set_line_width(3.0 + strong);
        } else {
            ctx.set_stroke_style_str(&css(diverging(e.w.signum()), 0.35 + 0.2 * strong));
            ctx.set_line_width(0.5 + 1.5 * strong);
        }
        ctx.stroke();
    }
    ctx.set_font("12px sans-serif");
    ctx.set_text_align("center");
    let last = lay.nodes.len().saturating_sub(1);
    for (l, col) in lay.nodes.iter().enumerate() {
        let size = s.sizes.get(l).copied().unwrap_or(col.len());
        let title = if l == 0 {
            tf("{} inputs", &[&size])
        } else if l == last {
            tf("{} outputs", &[&size])
        } else {
            tf("{} neurons", &[&size])
        };
        if let Some(&(x, _)) = col.first() {
            ctx.set_fill_style_str(&css(INK, 1.0));
            let _ = ctx.fill_text(&title, x, 16.0);
            if size > col.len() {
                let y = col.last().map_or(0.0, |p| p.1) + BOX / 2.0 + 14.0;
                let _ = ctx.fill_text(&tf("+{} more", &[&(size - col.len())]), x, y);
            }
        }
        for (i, &(x, y)) in col.iter().enumerate() {
            draw_neuron(&ctx, s, l, i, (x, y));
            if l == 0 {
                if let Some(name) = s.feature_names.get(i) {
                    ctx.set_fill_style_str(&css(INK, 1.0));
                    ctx.set_text_align("right");
                    let _ = ctx.fill_text(&short(name), x - BOX / 2.0 - 3.0, y + 4.0);
                    ctx.set_text_align("center");
                }
            }
        }
    }
}

/// At most 9 characters of a feature name.
fn short(name: &str) -> String {
    name.chars().take(9).collect()
}

fn draw_neuron(
    ctx: &CanvasRenderingContext2d,
    s: &PlotFrame,
    l: usize,
    unit: usize,
    (x, y): (f64, f64),
) {
    let (x0, y0) = (x - BOX / 2.0, y - BOX / 2.0);
    match (neuron_values(s, l, unit), s.grid.as_ref()) {
        (Some(v), Some(g)) if v.len() == g.n * g.n => {
            let scale = v.iter().fold(0f32, |m, a| m.max(a.abs())).max(1e-6);
            let mut rgba = Vec::with_capacity(4 * v.len());
            for a in &v {
                let c = diverging(a / scale);
                rgba.extend_from_slice(&[c.0, c.1, c.2, 255]);
            }
            let n = g.n as u32;
            if let Ok(img) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), n, n) {
                // One canvas pixel per grid cell: the driver's 40-cell grid fills the box.
                let _ = ctx.put_image_data(&img, x0, y0);
            }
        }
        _ => {
            let bias = if l == 0 {
                0.0
            } else {
                s.weights
                    .get(2 * (l - 1) + 1)
                    .and_then(|b| b.data.get(unit))
                    .copied()
                    .unwrap_or(0.0)
            };
            ctx.set_fill_style_str(&css(diverging(bias.tanh()), 1.0));
            ctx.fill_rect(x0 + 8.0, y0 + 8.0, BOX - 16.0, BOX - 16.0);
        }
    }
    ctx.set_stroke_style_str(&css(INK, 0.6));
    ctx.set_line_width(1.0);
    ctx.stroke_rect(x0, y0, BOX, BOX);
}
