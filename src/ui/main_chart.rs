//! The main chart: the data with the model's fitted curve (1-D regression), the
//! decision boundary with train and test points (2-D classification), or the predicted
//! surface with the points (2-D regression).

use super::i18n::{t, tf};
use super::plots;
use super::state::Lab;
use leptos::html::Canvas;
use leptos::prelude::*;

/// The task's main picture.
#[component]
pub fn MainChart(lab: Lab) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let show_test = RwSignal::new(true);
    let is_2d = move || lab.plot_frame.with(|s| s.grid.is_some());
    Effect::new(move |_| {
        let discretize = lab.discretize.get();
        let test = show_test.get();
        let Some(c) = canvas.get() else { return };
        lab.plot_frame
            .with(|s| match (&s.curve, &s.grid, &s.points) {
                (Some(curve), _, _) => plots::regression::draw(&c, curve),
                (_, Some(grid), Some(points)) if !grid.value.is_empty() => {
                    plots::heatmap::draw(&c, grid, points, test)
                }
                (_, Some(grid), Some(points)) => {
                    plots::boundary::draw(&c, grid, points, discretize, test)
                }
                _ if s.sizes.is_empty() => plots::message(&c, t("no model: see the message above")),
                _ => plots::message(
                    &c,
                    &tf(
                        "{} inputs: no plane to draw; see the metrics",
                        &[&s.sizes.first().copied().unwrap_or(0)],
                    ),
                ),
            });
    });
    view! {
        <section
            class="card"
            aria-label=move || t("Model output")
            hidden=move || lab.plot_frame.with(|s| s.curve.is_none() && s.grid.is_none())
        >
            <div class="card-head">
                <h2>
                    {move || {
                        lab.plot_frame
                            .with(|s| {
                                t(if s.curve.is_some() {
                                    "Data and fit"
                                } else if s.grid.as_ref().is_some_and(|g| !g.value.is_empty()) {
                                    "Prediction over the plane"
                                } else if s.grid.is_some() {
                                    "Decision boundary"
                                } else {
                                    "Output"
                                })
                            })
                    }}
                </h2>
                <Show when=is_2d>
                    <label
                        class="check"
                        title=move || t("Show only the predicted class, not the probability")
                        hidden=move || lab.plot_frame.with(|s| s.grid.as_ref().is_some_and(|g| !g.value.is_empty()))
                    >
                        <input
                            type="checkbox"
                            data-testid="discretize"
                            prop:checked=move || lab.discretize.get()
                            on:change=move |ev| lab.discretize.set(event_target_checked(&ev))
                        />
                        <span>{move || t("discretize")}</span>
                    </label>
                    <label class="check" title=move || t("Show the test points (dark ring) as well as the training points (white ring)")>
                        <input
                            type="checkbox"
                            prop:checked=move || show_test.get()
                            on:change=move |ev| show_test.set(event_target_checked(&ev))
                        />
                        <span>{move || t("test points")}</span>
                    </label>
                </Show>
            </div>
            <canvas
                node_ref=canvas
                width="480"
                height="420"
                data-testid="main-chart"
                role="img"
                aria-label=move || t("The data and what the model predicts")
            ></canvas>
        </section>
    }
}
