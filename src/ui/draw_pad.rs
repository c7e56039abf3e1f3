//! The drawing pad (image data only): draw a digit with a mouse, a finger or a pen and
//! watch the model read it. Beside the pad: the model's input as the model sees it (the
//! ink turned into a data-set image by the driver) and one bar per class, updated on
//! every stroke segment; a clicked test image shows in the same place.

use super::i18n::{msg, t};
use super::plots::pixels::{context, Blitter, Palette};
use super::probe::{Probe, Seen};
use super::state::Lab;
use crate::data::Ink;
use leptos::ev::PointerEvent;
use leptos::html::Canvas;
use leptos::prelude::*;
use web_sys::HtmlCanvasElement;

/// Side of the pad in canvas pixels (8 per pixel of a 28x28 image).
const PAD: u32 = 224;
/// Stroke width in pad pixels: about 2.5 pixels of a 28x28 digit drawn to fill the pad.
const STROKE: f64 = 18.0;
/// Side of the enlarged model input, in canvas pixels.
const INPUT: u32 = 112;

/// The pad, the model's input and the class bars.
#[component]
pub fn DrawPad(lab: Lab) -> impl IntoView {
    let pad = NodeRef::<Canvas>::new();
    let input = NodeRef::<Canvas>::new();
    // The last point of the stroke being drawn, in pad pixels.
    let last = StoredValue::new(None::<(f64, f64)>);
    let image = move || lab.plot_frame.with(|s| s.image);
    Effect::new(move |_| {
        let spec = image();
        lab.seen.with(|seen| {
            let (Some(c), Some(spec)) = (input.get(), spec) else {
                return;
            };
            draw_input(&c, seen.as_ref(), spec.side, spec.full_ink);
        });
    });
    let down = move |ev: PointerEvent| {
        let Some(c) = pad.get_untracked() else { return };
        ev.prevent_default();
        let _ = c.set_pointer_capture(ev.pointer_id());
        let p = pad_point(&c, &ev);
        last.set_value(Some(p));
        // A dot where the stroke starts (a tap draws a point).
        stroke(&c, p, p);
        post_ink(lab, &c);
    };
    let moved = move |ev: PointerEvent| {
        let Some(from) = last.get_value() else { return };
        let Some(c) = pad.get_untracked() else { return };
        ev.prevent_default();
        let to = pad_point(&c, &ev);
        stroke(&c, from, to);
        last.set_value(Some(to));
        post_ink(lab, &c);
    };
    let up = move |_: PointerEvent| last.set_value(None);
    let clear = move |_| {
        if let Some(c) = pad.get_untracked() {
            if let Some(ctx) = context(&c) {
                ctx.clear_rect(0.0, 0.0, PAD as f64, PAD as f64);
            }
        }
        lab.look_at(None);
    };
    view! {
        <section class="card draw-card" aria-label=move || t("Draw a digit") hidden=move || image().is_none()>
            <h2>{move || t("Draw a digit")}</h2>
            <p class="hint">
                {move || t("Draw with the mouse, a finger or a pen, or click a test image below: the bars show what the model reads, with its current weights.")}
            </p>
            <div class="draw-row">
                <div class="draw-pad-box">
                    <canvas
                        node_ref=pad
                        class="draw-pad"
                        width=PAD
                        height=PAD
                        data-testid="draw-pad"
                        role="img"
                        aria-label=move || t("Drawing pad: draw a digit here")
                        on:pointerdown=down
                        on:pointermove=moved
                        on:pointerup=up
                        on:pointercancel=up
                    ></canvas>
                    <button type="button" data-testid="draw-clear" on:click=clear>
                        {move || t("Clear")}
                    </button>
                </div>
                <div class="draw-input-box">
                    <canvas
                        node_ref=input
                        class="draw-input"
                        width=INPUT
                        height=INPUT
                        data-testid="draw-input"
                        role="img"
                        aria-label=move || t("The model's input: the drawing as the model sees it")
                    ></canvas>
                    <p class="hint draw-source">
                        {move || lab.seen.with(|s| s.as_ref().map(|s| msg(&s.label)))
                            .unwrap_or_else(|| t("model input").into())}
                    </p>
                    <p class="hint" data-testid="draw-ms" title=move || t("time of the last prediction")>
                        {move || lab.seen.with(|s| s.as_ref().map(|s| ms_text(s.ms)))}
                    </p>
                </div>
                <ProbBars lab=lab />
            </div>
        </section>
    }
}

/// One bar per class with its probability; the most probable one stands out.
#[component]
fn ProbBars(lab: Lab) -> impl IntoView {
    let classes = move || lab.plot_frame.with(|s| s.class_names.clone());
    let rows = move || {
        let names = classes();
        lab.seen.with(|seen| {
            let top = seen.as_ref().and_then(Seen::top).map(|t| t.0);
            names
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    let p = seen
                        .as_ref()
                        .filter(|s| s.names.len() == names.len())
                        .and_then(|s| s.probabilities.get(k).copied());
                    let pct = p.map_or(0.0, |p| (p * 100.0).clamp(0.0, 100.0));
                    let text = p.map_or_else(|| "–".to_string(), |_| format!("{pct:.1}%"));
                    view! {
                        <div class="prob-row" class:top=top == Some(k) data-class=name.clone()>
                            <span class="prob-name">{name.clone()}</span>
                            <span class="prob-bar">
                                <span class="prob-fill" style=format!("width: {pct:.1}%")></span>
                            </span>
                            <span class="prob-pct">{text}</span>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let top = move || {
        lab.seen.with(|s| {
            s.as_ref()
                .and_then(|s| s.top().and_then(|(k, _)| s.names.get(k).cloned()))
                .unwrap_or_default()
        })
    };
    view! {
        <div
            class="prob-bars"
            data-testid="draw-probs"
            data-top=top
            role="list"
            aria-label=move || t("Class probabilities")
        >
            {rows}
        </div>
    }
}

/// A duration in milliseconds, with a decimal below 10 ms (`0.4 ms`, `12 ms`).
fn ms_text(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// The pointer's position in pad pixels (the canvas may be scaled by CSS).
fn pad_point(c: &HtmlCanvasElement, ev: &PointerEvent) -> (f64, f64) {
    let r = c.get_bounding_client_rect();
    let sx = c.width() as f64 / r.width().max(1.0);
    let sy = c.height() as f64 / r.height().max(1.0);
    (
        (ev.client_x() as f64 - r.left()) * sx,
        (ev.client_y() as f64 - r.top()) * sy,
    )
}

/// One thick, round, anti-aliased stroke segment.
fn stroke(c: &HtmlCanvasElement, from: (f64, f64), to: (f64, f64)) {
    let Some(ctx) = context(c) else { return };
    ctx.set_stroke_style_str("#000000");
    ctx.set_line_width(STROKE);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    ctx.begin_path();
    ctx.move_to(from.0, from.1);
    // A zero-length segment draws nothing: nudge it to make a round dot.
    ctx.line_to(to.0 + if from == to { 0.01 } else { 0.0 }, to.1);
    ctx.stroke();
}

/// The pad's ink (its alpha: the pad is transparent where nothing was drawn) handed to
/// the driver as the input to look at.
fn post_ink(lab: Lab, c: &HtmlCanvasElement) {
    let Some(ctx) = context(c) else { return };
    let (w, h) = (c.width() as usize, c.height() as usize);
    let Ok(data) = ctx.get_image_data(0.0, 0.0, w as f64, h as f64) else {
        return;
    };
    let rgba = data.data();
    let pixels = rgba.chunks_exact(4).map(|p| p[3] as f32 / 255.0).collect();
    lab.look_at(Some(Probe::Ink(Ink {
        width: w,
        height: h,
        pixels,
    })));
}

/// The model's input, enlarged (blank before anything is looked at).
fn draw_input(c: &HtmlCanvasElement, seen: Option<&Seen>, side: usize, full: f32) {
    let Some(ctx) = context(c) else { return };
    let (w, h) = (c.width() as f64, c.height() as f64);
    ctx.set_fill_style_str("#ffffff");
    ctx.fill_rect(0.0, 0.0, w, h);
    if let (Some(s), Some(b)) = (seen, Blitter::new()) {
        // A colour image (channels first) shows its first channel.
        if s.raw.len() >= side * side {
            b.draw(
                &ctx,
                &s.raw,
                (side, side),
                Palette::Ink { full },
                (0.0, 0.0),
                (w, h),
            );
        }
    }
    ctx.set_stroke_style_str("rgba(40,44,52,0.6)");
    ctx.set_line_width(1.0);
    ctx.stroke_rect(0.5, 0.5, w - 1.0, h - 1.0);
}
