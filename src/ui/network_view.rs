//! The network view: neurons as heatmaps over the input plane, weights as coloured
//! edges; hovering an edge shows its name and value.

use super::driver::FEATURE_VIEW_ID;
use super::i18n::{t, tf};
use super::plots::features;
use super::plots::network::{self, Edge, Layout};
use super::probe::on_screen;
use super::state::Lab;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Canvas width of the view.
const WIDTH: f64 = 520.0;

/// The live picture of the network.
#[component]
pub fn NetworkView(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let seen_canvas = NodeRef::<Canvas>::new();
    let image = move || lab.plot_frame.with(|s| s.image.is_some());
    // The titles of the rows drawn, also on the canvas (for tests and screen readers).
    let titles = RwSignal::new(String::new());
    Effect::new(move |_| {
        lab.seen.with(|seen| {
            lab.plot_frame.with(|s| {
                if let (Some(c), true) = (seen_canvas.get(), s.image.is_some()) {
                    let rows = features::rows(s, seen.as_ref());
                    features::draw(&c, &rows, WIDTH);
                    let t: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
                    titles.set(t.join("; "));
                }
            })
        });
    });
    // The feature maps are read only while the view is on screen: once it scrolls into
    // sight without them, look at the input again.
    let _scroll = window_event_listener(leptos::ev::scroll, move |_| {
        let missing = lab
            .seen
            .with_untracked(|s| s.as_ref().is_some_and(|s| s.layers.is_empty()));
        if missing && lab.probe.with_value(Option::is_some) && on_screen(FEATURE_VIEW_ID) {
            lab.probe_fresh.set_value(true);
        }
    });
    let hover = RwSignal::new(None::<usize>);
    let geometry = StoredValue::new((Layout::default(), Vec::<Edge>::new()));
    Effect::new(move |_| {
        let h = hover.get();
        lab.plot_frame.with(|s| {
            let Some(c) = canvas.get() else { return };
            let lay = network::layout(&s.sizes, WIDTH);
            let edges = network::edges(&lay, s);
            c.set_width(lay.width as u32);
            c.set_height(lay.height as u32);
            network::draw(&c, &lay, s, &edges, h.filter(|&i| i < edges.len()));
            geometry.set_value((lay, edges));
        });
    });
    let on_move = move |ev: leptos::ev::MouseEvent| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let rect = c.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        // The canvas is scaled by CSS: map client pixels to canvas pixels.
        let sx = c.width() as f64 / rect.width();
        let sy = c.height() as f64 / rect.height();
        let x = (ev.client_x() as f64 - rect.left()) * sx;
        let y = (ev.client_y() as f64 - rect.top()) * sy;
        let found = geometry.with_value(|(_, e)| network::hit(e, x, y));
        if found != hover.get_untracked() {
            hover.set(found);
        }
    };
    let readout = move || {
        let i = hover.get()?;
        geometry.with_value(|(_, e)| e.get(i).map(|e| format!("{} = {:.4}", e.name, e.w)))
    };
    view! {
        <section class="card" aria-label=move || t("What the network sees") hidden=move || !image()>
            <h2>{move || t("What the network sees")}</h2>
            <p class="hint">
                {move || t("Filters and weights: blue positive, orange negative. Feature maps are of the input above it: draw a digit or click a test image.")}
            </p>
            <canvas
                node_ref=seen_canvas
                width="520"
                height="60"
                data-testid=FEATURE_VIEW_ID
                data-rows=move || titles.get()
                role="img"
                aria-label=move || tf("What the network sees: {}", &[&titles.get()])
            ></canvas>
        </section>
        <section class="card" aria-label=move || t("Network view") hidden=image>
            <h2>{move || t("Network")}</h2>
            <p class="hint">
                {move || t("Each neuron shows its output over the input plane; edges are weights (blue positive, orange negative, thicker is larger). Hover an edge for its value.")}
            </p>
            <canvas
                node_ref=canvas
                width="520"
                height="300"
                data-testid="network-view"
                role="img"
                aria-label=move || t("The network: neurons and weights")
                on:mousemove=on_move
                on:mouseleave=move |_| hover.set(None)
            ></canvas>
            <p class="readout" data-testid="weight-readout" aria-live="polite">
                {move || readout().unwrap_or_else(|| t("hover a weight").into())}
            </p>
        </section>
    }
}
