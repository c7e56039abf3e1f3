//! Task and data settings: noise, sample count, train/test split, batch size, seed and
//! regenerate, standardisation, and the 2-D input features.

use super::fields::{check_field, number_field};
use super::i18n::{t, tf};
use super::state::Lab;
use crate::data::FeatureSet;
use crate::experiment::limits;
use crate::experiment::DataSource;
use leptos::prelude::*;

/// Feature toggles: label and tooltip, in [`FeatureSet::flags`] order.
const FEATURES: [(&str, &str); 7] = [
    ("x₁", "the first coordinate"),
    ("x₂", "the second coordinate"),
    ("x₁²", "the first coordinate squared"),
    ("x₂²", "the second coordinate squared"),
    ("x₁x₂", "the product of the coordinates"),
    ("sin x₁", "the sine of the first coordinate"),
    ("sin x₂", "the sine of the second coordinate"),
];

/// The data panel.
#[component]
pub fn DataControls(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let synthetic = move || cfg.with(|c| c.data.is_synthetic());
    let two_d = move || cfg.with(|c| c.data.is_plane());
    // Token ids are neither noisy nor scaled.
    let numeric = move || cfg.with(|c| !c.data.is_tokens());
    let feature = move |i: usize| {
        let (label, tip) = FEATURES[i];
        view! {
            <label class="chip" title=move || tf("Feed the network {}", &[&t(tip)])>
                <input
                    type="checkbox"
                    prop:checked=move || cfg.with(|c| c.features.flags()[i])
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        lab.edit(|c| {
                            let mut f = c.features.flags();
                            f[i] = on;
                            c.features = FeatureSet::from_flags(f);
                        })
                    }
                />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <fieldset class="group">
            <legend>{move || t("Data")}</legend>
            <p class="hint">
                {move || {
                    cfg.with(|c| match c.data {
                        DataSource::Classify2d(p) => tf("2-D classification: {}", &[&p.name()]),
                        DataSource::Regression1d(r) => tf("1-D regression: {}", &[&r.name()]),
                        DataSource::Regression2d(r) => tf("2-D regression: {}", &[&r.name()]),
                        DataSource::Real(s) => tf("real data: {}", &[&s.name()]),
                        DataSource::Text(t) => tf("text: {}", &[&t.name()]),
                        DataSource::Dates => t(
                            "dates written in 14 human formats, each with its ISO date, \
                             generated from the seed; the test dates are held out of training",
                        )
                        .to_string(),
                    })
                }}
            </p>
            <Show when=move || synthetic() && numeric()>
                {number_field(
                    "Noise",
                    "Noise of the generated data (0 = clean)",
                    limits::NOISE.control().bounds(),
                    move || cfg.with(|c| c.noise as f64),
                    move |v| lab.edit(|c| c.noise = v as f32),
                )}
            </Show>
            <Show when=synthetic>
                {number_field(
                    "Points",
                    "Number of generated points",
                    limits::SAMPLES.control().bounds(),
                    move || cfg.with(|c| c.samples as f64),
                    move |v| lab.edit(|c| c.samples = v.round() as usize),
                )}
            </Show>
            {number_field(
                "Test share",
                "Fraction of the data held out for testing (the ratio of test to all points)",
                limits::TEST_FRACTION.control().bounds(),
                move || cfg.with(|c| c.test_fraction as f64),
                move |v| lab.edit(|c| c.test_fraction = v as f32),
            )}
            {number_field(
                "Batch size",
                "Examples per optimizer step",
                limits::BATCH_SIZE.control().bounds(),
                move || cfg.with(|c| c.batch_size as f64),
                move |v| lab.edit(|c| c.batch_size = v.round() as usize),
            )}
            <div class="row">
                {number_field(
                    "Seed",
                    "Seed of every random choice: data, split, initial weights, batch order",
                    limits::SEED.control().bounds(),
                    move || cfg.with(|c| c.seed as f64),
                    move |v| lab.edit(|c| c.seed = v.round() as u64),
                )}
                <button
                    type="button"
                    title=move || t("New data and weights: the next seed")
                    on:click=move |_| lab.edit(|c| c.seed = c.seed.wrapping_add(1))
                >
                    {move || t("Regenerate")}
                </button>
            </div>
            <Show when=numeric>
                {check_field(
                    "Standardise inputs",
                    "Scale every input (and regression target) to mean 0 and variance 1 with training-set statistics",
                    move || cfg.with(|c| c.standardize),
                    move |on| lab.edit(|c| c.standardize = on),
                )}
            </Show>
            <Show when=two_d>
                <div class="features" role="group" aria-label=move || t("Input features")>
                    <span class="label">{move || t("Features")}</span>
                    {(0..FEATURES.len()).map(feature).collect_view()}
                </div>
            </Show>
        </fieldset>
    }
}
