//! The test-image grid: test images with the model's predictions (image data only); a
//! click on one shows its class probabilities in the drawing pad's bars.

use super::i18n::t;
use super::plots;
use super::probe::Probe;
use super::state::Lab;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Test images with predictions, shown for image data.
#[component]
pub fn DigitsGrid(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let chosen = RwSignal::new(None::<usize>);
    let has = move || lab.plot_frame.with(|s| s.digits.is_some());
    Effect::new(move |_| {
        let pick = chosen.get();
        // A chosen image stays outlined only while it is what the bars show.
        let shown = lab.seen.with(|s| s.as_ref().map(|s| s.label.clone()));
        lab.plot_frame.with(|s| {
            if let (Some(c), Some(d)) = (canvas.get(), &s.digits) {
                let (w, h) = plots::digits::size(d.images.len());
                c.set_width(w);
                c.set_height(h);
                let full = s.image.map_or(16.0, |i| i.full_ink);
                let pick = pick.filter(|&k| shown.as_deref() == Some(label(k).as_str()));
                plots::digits::draw(&c, d, full, pick);
            }
        });
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(c) = canvas.get_untracked() else {
            return;
        };
        let rect = c.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        let sx = c.width() as f64 / rect.width();
        let sy = c.height() as f64 / rect.height();
        let x = (ev.client_x() as f64 - rect.left()) * sx;
        let y = (ev.client_y() as f64 - rect.top()) * sy;
        let picked = lab.plot_frame.with_untracked(|s| {
            let d = s.digits.as_ref()?;
            let k = plots::digits::hit(d.images.len(), x, y)?;
            Some((k, d.images[k].clone()))
        });
        if let Some((k, raw)) = picked {
            chosen.set(Some(k));
            lab.look_at(Some(Probe::Row {
                raw,
                label: label(k),
            }));
        }
    };
    view! {
        <section class="card" aria-label=move || t("Test images") hidden=move || !has()>
            <h2>{move || t("Test images and predictions")}</h2>
            <p class="hint">{move || t("Click an image to see the model's probabilities for it.")}</p>
            <canvas
                node_ref=canvas
                width="100"
                height="100"
                data-testid="digits-grid"
                class="clickable"
                role="img"
                aria-label=move || t("Test images with the predicted class under each; red when wrong. Click one to see its probabilities.")
                on:click=on_click
            ></canvas>
        </section>
    }
}

/// How test image `k` is named in the bars' heading.
fn label(k: usize) -> String {
    format!("test image {}", k + 1)
}
