//! The loss chart: train and test loss against step, linear or log scale.

use super::i18n::t;
use super::plots;
use super::state::Lab;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Loss curves with a lin/log switch.
#[component]
pub fn LossChart(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let log = lab.log_scale.get();
        lab.history.with(|h| {
            if let Some(c) = canvas.get() {
                plots::loss::draw(&c, h, log);
            }
        });
    });
    view! {
        <section class="card" aria-label=move || t("Loss")>
            <div class="card-head">
                <h2>{move || t("Loss")}</h2>
                <label class="check" title=move || t("Show the loss on a logarithmic scale")>
                    <input
                        type="checkbox"
                        data-testid="log-scale"
                        prop:checked=move || lab.log_scale.get()
                        on:change=move |ev| lab.log_scale.set(event_target_checked(&ev))
                    />
                    <span>{move || t("log scale")}</span>
                </label>
            </div>
            <canvas
                node_ref=canvas
                width="560"
                height="240"
                data-testid="loss-chart"
                role="img"
                aria-label=move || t("Train and test loss against training step")
            ></canvas>
        </section>
    }
}
