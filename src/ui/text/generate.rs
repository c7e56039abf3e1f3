//! The generation panel: where the main plot would be for a language model. A prompt,
//! how to draw (temperature, top-k, seed, length), the text as it streams in, and the
//! prompt's ten most likely next characters as bars (spaces and newlines shown).

use super::super::i18n::t;
use super::super::state::Lab;
use super::{TextState, BARS_SHOWN, CSS};
use crate::experiment::{visible_char, MAX_STREAM_CHARS};
use leptos::prelude::*;

/// Most characters the panel asks for at once (the stream itself allows more).
const MAX_PANEL_CHARS: usize = 5_000;
const _: () = assert!(MAX_PANEL_CHARS <= MAX_STREAM_CHARS);

/// A whole number typed in a box, clamped to `lo..=hi`; `None` for text that is none.
fn parse_count(text: &str, lo: u64, hi: u64) -> Option<u64> {
    text.trim().parse::<u64>().ok().map(|v| v.clamp(lo, hi))
}

/// The panel, shown for a character language model only.
#[component]
pub fn GenerationPanel(lab: Lab) -> impl IntoView {
    let ts: TextState = lab.text;
    let is_lm = move || lab.config.with(|c| c.data.is_language_model());
    let start = move |_| ts.request_generation();
    let stop = move |_| ts.stop.set_value(true);
    view! {
        <section
            class="card gen-panel"
            data-testid="gen-panel"
            aria-label=move || t("Generate text")
            hidden=move || !is_lm()
        >
            <style>{CSS}</style>
            <div class="card-head">
                <h2>{move || t("Generate text")}</h2>
            </div>
            <label class="field" title=move || t("The text the model continues; every character must be one the model saw in training")>
                <span>{move || t("Prompt")}</span>
                <textarea
                    rows="2"
                    data-testid="gen-prompt"
                    prop:value=move || ts.prompt.get()
                    on:input=move |ev| ts.prompt.set(event_target_value(&ev))
                ></textarea>
            </label>
            <div class="gen-controls">
                <label class="field" title=move || t("Divide the model's scores by this before drawing: lower is safer, higher is wilder; 0 always takes the most likely character")>
                    <span>{move || t("Temperature")}</span>
                    <input
                        type="number"
                        min="0"
                        max="5"
                        step="0.1"
                        data-testid="gen-temperature"
                        prop:value=move || ts.temperature.get().to_string()
                        on:change=move |ev| {
                            if let Ok(v) = event_target_value(&ev).trim().parse::<f32>() {
                                if v.is_finite() {
                                    ts.temperature.set(v.clamp(0.0, 5.0));
                                }
                            }
                        }
                    />
                </label>
                <label class="field" title=move || t("Draw only among the k most likely characters (0: all of them)")>
                    <span>{move || t("Top-k")}</span>
                    <input
                        type="number"
                        min="0"
                        max="1000"
                        step="1"
                        data-testid="gen-top-k"
                        prop:value=move || ts.top_k.get().unwrap_or(0).to_string()
                        on:change=move |ev| {
                            if let Some(k) = parse_count(&event_target_value(&ev), 0, 1000) {
                                ts.top_k.set((k > 0).then_some(k as usize));
                            }
                        }
                    />
                </label>
                <label class="field" title=move || t("Seed of the random draws: the same seed writes the same text with the same weights (and gradlab sample writes it too)")>
                    <span>{move || t("Sampling seed")}</span>
                    <input
                        type="number"
                        min="0"
                        step="1"
                        data-testid="gen-seed"
                        prop:value=move || ts.seed.get().to_string()
                        on:change=move |ev| {
                            if let Some(s) = parse_count(&event_target_value(&ev), 0, u64::MAX) {
                                ts.seed.set(s);
                            }
                        }
                    />
                </label>
                <label class="field" title=move || t("How many characters to write")>
                    <span>{move || t("Characters")}</span>
                    <input
                        type="number"
                        min="1"
                        max=MAX_PANEL_CHARS.to_string()
                        step="1"
                        data-testid="gen-chars"
                        prop:value=move || ts.chars.get().to_string()
                        on:change=move |ev| {
                            if let Some(n) = parse_count(&event_target_value(&ev), 1, MAX_PANEL_CHARS as u64) {
                                ts.chars.set(n as usize);
                            }
                        }
                    />
                </label>
                <button
                    type="button"
                    data-testid="gen-start"
                    title=move || t("Write text with the current weights (training may go on meanwhile)")
                    on:click=start
                >
                    {move || t("Generate")}
                </button>
                <button
                    type="button"
                    data-testid="gen-stop"
                    disabled=move || !ts.generating.get()
                    on:click=stop
                >
                    {move || t("Stop")}
                </button>
            </div>
            {move || {
                ts.message
                    .get()
                    .map(|m| view! { <p class="gen-message" role="alert" data-testid="gen-message">{m}</p> })
            }}
            <pre class="gen-output" data-testid="gen-output" aria-live="polite" data-generating=move || ts.generating.get().to_string()>
                <span class="prompt">{move || ts.output_prompt.get()}</span>
                <span data-testid="gen-text">{move || ts.output.get()}</span>
            </pre>
            <h3>{move || t("Next character after the prompt")}</h3>
            <ol class="gen-bars" data-testid="gen-bars" aria-label=move || t("The most likely next characters and their probabilities")>
                {move || {
                    ts.bars
                        .get()
                        .into_iter()
                        .take(BARS_SHOWN)
                        .map(|(c, p)| {
                            let width = format!("width: {:.1}%", p * 100.0);
                            view! {
                                <li>
                                    <span class="ch" title=format!("{c:?}")>{visible_char(c)}</span>
                                    <span class="bar" style=width></span>
                                    <span class="p">{format!("{:.1}%", p * 100.0)}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}
