//! The network editor: hidden layers (add, remove), neurons and activation per layer,
//! and the parameter count; for a configuration with an explicit layer stack, its text
//! form instead (see `model_text.rs`).

use super::i18n::{t, tf};
use super::model_text::ModelText;
use super::seq2seq_editor::Seq2SeqEditor;
use super::state::Lab;
use crate::experiment::dropout::{dropout_applies, dropout_of, with_dropout};
use crate::experiment::{limits, DataSource, ExperimentConfig};
use crate::nn::Activation;
use leptos::prelude::*;

/// Most hidden layers the editor offers (the limit table's, as links allow).
const MAX_LAYERS: usize = limits::HIDDEN_LAYERS.max as usize;
/// Most neurons per layer the editor offers (the limit table's, as links allow).
const MAX_UNITS: usize = limits::HIDDEN_UNITS.max as usize;
/// Fewest neurons per layer.
const MIN_UNITS: usize = limits::HIDDEN_UNITS.min as usize;

/// Layer sizes `[in, hidden..., out]` the configuration builds, with input and output
/// widths from the last built model when the data does not say them directly.
fn sizes(c: &ExperimentConfig, built: &[usize]) -> Vec<usize> {
    let input = match c.data {
        DataSource::Classify2d(_) | DataSource::Regression2d(_) => c.features.count(),
        DataSource::Regression1d(_) => 1,
        DataSource::Real(_) | DataSource::Text(_) | DataSource::Dates => {
            built.first().copied().unwrap_or(0)
        }
    };
    let output = match c.data {
        DataSource::Classify2d(_) => 2,
        DataSource::Regression1d(_) | DataSource::Regression2d(_) => 1,
        DataSource::Real(_) | DataSource::Text(_) | DataSource::Dates => {
            built.last().copied().unwrap_or(0)
        }
    };
    let mut s = vec![input];
    s.extend(&c.hidden);
    s.push(output);
    s
}

/// Weights and biases of an MLP with these layer sizes.
pub fn parameter_count(sizes: &[usize]) -> usize {
    sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
}

/// The layer editor.
#[component]
pub fn NetworkEditor(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let count = move || {
        let built = lab.plot_frame.with(|s| s.sizes.clone());
        cfg.with(|c| parameter_count(&sizes(c, &built)))
    };
    let layer = move |l: usize| {
        let units = move || cfg.with(|c| c.hidden.get(l).copied().unwrap_or(0));
        let set_units = move |d: isize| {
            lab.edit(|c| {
                if let Some(u) = c.hidden.get_mut(l) {
                    *u = (*u as isize + d).clamp(MIN_UNITS as isize, MAX_UNITS as isize) as usize;
                }
            })
        };
        view! {
            <li class="layer">
                <span class="label">{move || tf("Layer {}", &[&(l + 1)])}</span>
                <button
                    type="button"
                    class="small"
                    title=move || t("One neuron fewer")
                    aria-label=move || tf("Fewer neurons in layer {}", &[&(l + 1)])
                    on:click=move |_| set_units(-1)
                >
                    "−"
                </button>
                <span class="units" aria-live="polite">{units}</span>
                <button
                    type="button"
                    class="small"
                    title=move || t("One neuron more")
                    aria-label=move || tf("More neurons in layer {}", &[&(l + 1)])
                    on:click=move |_| set_units(1)
                >
                    "+"
                </button>
                <select
                    title=move || t("Activation after this layer")
                    aria-label=move || tf("Activation of layer {}", &[&(l + 1)])
                    on:change=move |ev| {
                        if let Some(a) = Activation::from_name(&event_target_value(&ev)) {
                            lab.edit(|c| {
                                if let Some(x) = c.activations.get_mut(l) {
                                    *x = a;
                                }
                            })
                        }
                    }
                >
                    {Activation::ALL
                        .iter()
                        .map(|&a| {
                            view! {
                                <option
                                    value=a.name()
                                    prop:selected=move || cfg.with(|c| c.activations.get(l) == Some(&a))
                                >
                                    {a.name()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </li>
        }
    };
    view! {
        <fieldset class="group">
            <legend>{move || t("Network")}</legend>
            <Show when=move || cfg.with(|c| c.seq2seq.is_some())>
                <Seq2SeqEditor lab=lab />
            </Show>
            <Show when=move || cfg.with(|c| c.model.is_some())>
                <ModelText lab=lab />
            </Show>
            <Show when=move || cfg.with(|c| c.model.is_none() && c.seq2seq.is_none())>
            <div class="row">
                <button
                    type="button"
                    title=move || t("Add a hidden layer")
                    disabled=move || cfg.with(|c| c.hidden.len() >= MAX_LAYERS)
                    on:click=move |_| {
                        lab.edit(|c| {
                            let units = c
                                .hidden
                                .last()
                                .copied()
                                .unwrap_or(limits::HIDDEN_UNITS.default as usize);
                            let act = c.activations.last().copied().unwrap_or(Activation::Tanh);
                            c.hidden.push(units);
                            c.activations.push(act);
                        })
                    }
                >
                    {move || t("+ layer")}
                </button>
                <button
                    type="button"
                    title=move || t("Remove the last hidden layer")
                    disabled=move || cfg.with(|c| c.hidden.is_empty())
                    on:click=move |_| {
                        lab.edit(|c| {
                            c.hidden.pop();
                            c.activations.pop();
                        })
                    }
                >
                    {move || t("− layer")}
                </button>
                <span class="params" data-testid="param-count" title=move || t("Weights and biases")>
                    {move || tf("{} parameters", &[&count()])}
                </span>
            </div>
            <ol class="layers">
                {move || (0..cfg.with(|c| c.hidden.len())).map(layer).collect_view()}
            </ol>
            </Show>
            <DropoutControl lab=lab />
        </fieldset>
    }
}

/// The drop probability after each hidden layer (see `experiment::dropout`): above 0,
/// the network becomes its layer stack with `dropout(p)` layers, shown as text above.
#[component]
fn DropoutControl(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let p = move || cfg.with(dropout_of);
    view! {
        <Show when=move || cfg.with(dropout_applies)>
            <label class="row dropout" title=move || t("During training, each hidden neuron is switched off with this probability at every step (0: no dropout)")>
                <span class="label">{move || t("Dropout")}</span>
                <input
                    type="range"
                    min="0"
                    max="0.8"
                    step="0.05"
                    data-testid="dropout"
                    prop:value=move || p().to_string()
                    on:change=move |ev| {
                        let Ok(v) = event_target_value(&ev).parse::<f32>() else {
                            return;
                        };
                        if let Some(c) = cfg.with_untracked(|c| with_dropout(c, v)) {
                            lab.edit(|x| *x = c);
                        }
                    }
                />
                <output data-testid="dropout-value">{move || format!("{:.2}", p())}</output>
            </label>
        </Show>
    }
}
