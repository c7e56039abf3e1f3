//! Training controls: reset, play/pause, one step; the step and epoch counters, speed
//! and the latest losses.

use super::fields::fmt_loss;
use super::i18n::t;
use super::state::{Cmd, Lab};
use leptos::prelude::*;

/// Play/pause, step, reset and the live counters.
#[component]
pub fn TrainingBar(lab: Lab) -> impl IntoView {
    let last = move || lab.live.get();
    // The translator's headline number is its exact match, not a class accuracy.
    let translator = move || {
        lab.config
            .with(|c| c.data == crate::experiment::DataSource::Dates)
    };
    let toggle = move |_| {
        if !lab.running.get_untracked() && lab.status.with_untracked(|s| s.step >= s.total_steps) {
            // Finished: play starts over, as a fresh run.
            lab.send(Cmd::Reset);
        }
        lab.running.update(|r| *r = !*r);
    };
    view! {
        <div class="training-bar" role="group" aria-label=move || t("Training")>
            <button
                type="button"
                class="icon"
                data-testid="reset-button"
                title=move || t("Reset: new initial weights from the seed, step 0")
                aria-label=move || t("Reset")
                on:click=move |_| lab.edit(|_| {})
            >
                "⟲"
            </button>
            <button
                type="button"
                class="icon play"
                data-testid="train-toggle"
                title=move || t("Train continuously, a few milliseconds per frame")
                aria-pressed=move || lab.running.get().to_string()
                aria-label=move || t(if lab.running.get() { "Pause" } else { "Train" })
                on:click=toggle
            >
                {move || if lab.running.get() { "❚❚" } else { "▶" }}
            </button>
            <button
                type="button"
                class="icon"
                data-testid="step-button"
                title=move || t("One optimizer step on the next mini-batch")
                aria-label=move || t("Step")
                on:click=move |_| {
                    lab.running.set(false);
                    lab.send(Cmd::Step);
                }
            >
                "+1"
            </button>
            <dl class="counters">
                <div>
                    <dt>{move || t("Step")}</dt>
                    <dd data-testid="step-count" data-run=move || lab.status.get().run>{move || lab.status.get().step}</dd>
                </div>
                <div>
                    <dt>{move || t("Epoch")}</dt>
                    <dd data-testid="epoch-count">{move || lab.status.get().epoch}</dd>
                </div>
                <div title=move || t("Optimizer steps per second, recent")>
                    <dt>{move || t("Steps/s")}</dt>
                    <dd data-testid="steps-per-sec">
                        {move || format!("{:.0}", lab.status.get().steps_per_sec)}
                    </dd>
                </div>
                <div title=move || t("Loss over the whole training set")>
                    <dt>{move || t("Train loss")}</dt>
                    <dd data-testid="train-loss">
                        {move || last().map_or("–".into(), |p| fmt_loss(p.train_loss))}
                    </dd>
                </div>
                <div title=move || t("Loss over the test set")>
                    <dt>{move || t("Test loss")}</dt>
                    <dd data-testid="test-loss">
                        {move || last().map_or("–".into(), |p| fmt_loss(p.test_loss))}
                    </dd>
                </div>
                <div title=move || t(match translator() {
                    true => "Share of test dates whose greedy translation is the whole ISO date",
                    false => "Fraction of test points classified correctly",
                })>
                    <dt>{move || t(if translator() { "Exact match" } else { "Test accuracy" })}</dt>
                    <dd data-testid="test-accuracy">
                        {move || {
                            last()
                                .and_then(|p| match translator() {
                                    true => p.metrics.exact_match,
                                    false => p.metrics.accuracy,
                                })
                                .map_or("–".into(), |a| format!("{a:.3}"))
                        }}
                    </dd>
                </div>
            </dl>
        </div>
    }
}
