//! The digits grid: test images with the model's predictions (digits data only).

use super::plots;
use super::state::Lab;
use leptos::html::Canvas;
use leptos::prelude::*;

/// Test digits with predictions, shown for the digits set.
#[component]
pub fn DigitsGrid(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let has = move || lab.plot_frame.with(|s| s.digits.is_some());
    Effect::new(move |_| {
        lab.plot_frame.with(|s| {
            if let (Some(c), Some(d)) = (canvas.get(), &s.digits) {
                let (w, h) = plots::digits::size(d.images.len());
                c.set_width(w);
                c.set_height(h);
                plots::digits::draw(&c, d);
            }
        });
    });
    view! {
        <section class="card" aria-label="Test digits" hidden=move || !has()>
            <h2>"Test digits and predictions"</h2>
            <canvas
                node_ref=canvas
                width="100"
                height="100"
                data-testid="digits-grid"
                role="img"
                aria-label="Handwritten test digits with the predicted class under each; red when wrong"
            ></canvas>
        </section>
    }
}
