//! The model's text form (`conv(8,5,1,2),relu,maxpool(2),flatten,dense(10)`) in a field,
//! for a configuration with an explicit layer stack: editing it rebuilds the run with the
//! new stack; text that does not parse or does not fit the data shows why and keeps the
//! last good model.

use super::i18n::{msg, t, tf};
use super::state::Lab;
use crate::experiment::{model::param_shapes, validate, ExperimentConfig};
use crate::nn::{parse_stack, stack_text, Layer};
use leptos::html::Textarea;
use leptos::prelude::*;

/// The configuration with `text` as its model, or why not.
fn with_model(config: &ExperimentConfig, text: &str) -> Result<Vec<Layer>, String> {
    let layers = parse_stack(text)?;
    let mut candidate = config.clone();
    candidate.model = Some(layers.clone());
    validate(&candidate).map_err(|e| e.to_string())?;
    Ok(layers)
}

/// The model text field with its parameter count and any error.
#[component]
pub fn ModelText(lab: Lab) -> impl IntoView {
    let cfg = lab.config;
    let error = RwSignal::new(None::<String>);
    let text = move || cfg.with(|c| c.model.as_deref().map(stack_text).unwrap_or_default());
    let count = move || {
        cfg.with(|c| {
            param_shapes(c)
                .iter()
                .map(|(_, d)| d.iter().product::<usize>())
                .sum::<usize>()
        })
    };
    let apply = move |value: String| {
        let result = cfg.with_untracked(|c| with_model(c, &value));
        match result {
            Ok(layers) => {
                error.set(None);
                if cfg.with_untracked(|c| c.model.as_ref() != Some(&layers)) {
                    lab.edit(|c| c.model = Some(layers));
                }
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let field = NodeRef::<Textarea>::new();
    let apply_field = move || {
        if let Some(f) = field.get_untracked() {
            apply(f.value());
        }
    };
    view! {
        <div class="model-text">
            <label class="label" for="model-text">
                {move || t("Layers")}
            </label>
            <textarea
                id="model-text"
                node_ref=field
                rows="3"
                spellcheck="false"
                autocomplete="off"
                data-testid="model-text"
                aria-describedby="model-text-error"
                class:invalid=move || error.with(Option::is_some)
                prop:value=text
                on:change=move |_| apply_field()
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    // Enter applies (a stack is one line); Shift+Enter is left alone.
                    if ev.key() == "Enter" && !ev.shift_key() {
                        ev.prevent_default();
                        apply_field();
                    }
                }
            ></textarea>
            <p class="error-text" id="model-text-error" data-testid="model-text-error" aria-live="polite">
                {move || error.get().map(|e| msg(&e))}
            </p>
            <p class="hint">
                <span data-testid="param-count">{move || tf("{} parameters", &[&count()])}</span>
                {move || t(". Press Enter to rebuild the run with the layers written here.")}
            </p>
        </div>
    }
}
