//! The preset menu: every ready-made experiment of the core, the text presets (language
//! models, sentence classifiers) included: the page fetches their data when chosen.

use super::i18n::t;
use super::state::Lab;
use crate::experiment::{preset, presets};
use leptos::prelude::*;

/// Picks a preset; the configuration is replaced and the run restarts.
#[component]
pub fn PresetSelect(lab: Lab) -> impl IntoView {
    let on_change = move |ev| {
        let name = event_target_value(&ev);
        if let Some(c) = preset(&name) {
            lab.preset.set(name);
            lab.edit(|cfg| *cfg = c);
        }
    };
    view! {
        <label class="field preset" title=move || t("A ready-made experiment: data, network and training settings")>
            <span>{move || t("Preset")}</span>
            <select data-testid="preset-select" on:change=on_change>
                <option value="" disabled prop:selected=move || lab.preset.get().is_empty()>
                    {move || t("custom (from a link)")}
                </option>
                {presets()
                    .iter()
                    .map(|p| {
                        let (name, summary) = (p.name, p.summary);
                        view! {
                            <option
                                value=name
                                title=move || t(summary)
                                prop:selected=move || lab.preset.get() == name
                            >
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
        <p class="summary">
            {move || {
                let name = lab.preset.get();
                presets().iter().find(|p| p.name == name).map(|p| t(p.summary)).unwrap_or("")
            }}
        </p>
    }
}
