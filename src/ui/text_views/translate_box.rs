//! The translation box: a date a person types, the ISO date the translator writes for
//! it (as they type, while it trains or paused; greedy decoding or beam search), and the
//! cross-attention of one decoder block and head as a heat map: each written character
//! (a row) over the source characters it read (the columns).
//!
//! It reads a [`DateLens`]: a CPU copy of the encoder-decoder built from the weights
//! the driver already reads back for the plots, rebuilt when new weights arrive, so a
//! keystroke costs one small CPU decoding here whatever backend trains.

use super::SETTLE_MS;
use crate::experiment::{AttentionLayer, DataSource, DateLens, DateLook, ExperimentConfig};
use crate::nn::decode::MAX_BEAM;
use crate::ui::i18n::t;
use crate::ui::plots::matrix_heatmap::{heatmap, is_wide, Matrix};
use crate::ui::state::{Lab, PlotFrame};
use leptos::prelude::*;
use std::time::Duration;

/// The date the box opens with (a person replaces it).
pub const FIRST_DATE: &str = "3rd of March, 2021";

/// The box's signals (all `Copy` handles).
#[derive(Clone, Copy)]
struct Translation {
    /// The text as typed.
    text: RwSignal<String>,
    /// The text translated: the typed one once typing has paused.
    settled: RwSignal<String>,
    /// Keystrokes so far (a pending translation is dropped when another key came).
    keys: StoredValue<u64>,
    /// Beam width (1: greedy).
    beam: RwSignal<usize>,
    /// The lens over the latest weights, or why there is none.
    lens: StoredValue<Option<Result<DateLens, String>>, LocalStorage>,
    /// Bumped whenever the lens changes.
    lens_version: RwSignal<u64>,
    /// What the translator made of the settled text.
    look: RwSignal<Option<Result<DateLook, String>>>,
    /// The decoder block shown.
    layer: RwSignal<usize>,
    /// The head shown (`None`: the mean of the heads).
    head: RwSignal<Option<usize>>,
}

impl Translation {
    fn new(lab: Lab) -> Translation {
        let tr = Translation {
            text: RwSignal::new(FIRST_DATE.to_string()),
            settled: RwSignal::new(FIRST_DATE.to_string()),
            keys: StoredValue::new(0),
            beam: RwSignal::new(1),
            lens: StoredValue::new_local(None),
            lens_version: RwSignal::new(0),
            look: RwSignal::new(None),
            layer: RwSignal::new(0),
            head: RwSignal::new(None),
        };
        Effect::new(move |_| {
            let config = lab.config.get();
            lab.plot_frame.with(|frame| tr.rebuild_lens(&config, frame));
        });
        Effect::new(move |_| {
            let text = tr.text.get();
            let key = tr.keys.try_update_value(|k| {
                *k += 1;
                *k
            });
            set_timeout(
                move || {
                    if tr.keys.try_get_value() == key {
                        tr.settled.set(text);
                    }
                },
                Duration::from_millis(SETTLE_MS),
            );
        });
        Effect::new(move |_| {
            tr.lens_version.track();
            let (text, beam) = (tr.settled.get(), tr.beam.get());
            let look = tr.lens.with_value(|lens| match lens {
                None => None,
                Some(Err(e)) => Some(Err(e.clone())),
                Some(Ok(lens)) => Some(lens.look(&text, beam).map_err(|e| e.to_string())),
            });
            tr.look.set(look);
        });
        tr
    }

    /// A lens over `frame`'s weights when the run is the translator (none otherwise).
    fn rebuild_lens(self, config: &ExperimentConfig, frame: &PlotFrame) {
        let lens = match config.data == DataSource::Dates && !frame.weights.is_empty() {
            true => Some(DateLens::from_weights(config, &frame.weights).map_err(|e| e.to_string())),
            false => None,
        };
        if lens.is_none() && self.lens.with_value(Option::is_none) {
            return;
        }
        self.lens.set_value(lens);
        self.lens_version.update(|v| *v += 1);
    }
}

/// The box, shown while the run is the dates translator.
#[component]
pub fn TranslateBox(lab: Lab) -> impl IntoView {
    let tr = Translation::new(lab);
    let shown = move || lab.config.with(|c| c.data == DataSource::Dates);
    let layers = move || {
        tr.look.with(|l| match l {
            Some(Ok(look)) => look.layers.iter().map(|l| l.heads.len()).collect(),
            _ => Vec::<usize>::new(),
        })
    };
    let heads = move || layers().get(tr.layer.get()).copied().unwrap_or(0);
    // A block or head the model no longer has falls back to the first / the mean.
    Effect::new(move |_| {
        if tr.layer.get_untracked() >= layers().len().max(1) {
            tr.layer.set(0);
        }
        if tr.head.get_untracked().is_some_and(|h| h >= heads()) {
            tr.head.set(None);
        }
    });
    view! {
        <section
            class="card translate-card"
            data-testid="translate-box"
            aria-label=move || t("Translate a date")
            hidden=move || !shown()
        >
            <h2>{move || t("Translate a date")}</h2>
            <p class="hint">
                {move || t("Write a date in any of the formats the translator learns from (3rd of March, 2021; Mar 3 21; 2021年3月3日; ...): it writes the ISO date with its current weights as you type.")}
            </p>
            <input
                class="tv-input"
                type="text"
                data-testid="translate-input"
                aria-label=move || t("A date to translate")
                prop:value=move || tr.text.get()
                on:input=move |ev| tr.text.set(event_target_value(&ev))
            />
            <div class="tv-choose">
                <label class="field" title=move || t("Greedy decoding writes the most likely character each time; beam search keeps the k most likely dates so far and writes the best whole one")>
                    <span>{move || t("Decoding")}</span>
                    <select data-testid="translate-beam" on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                            tr.beam.set(k.clamp(1, MAX_BEAM));
                        }
                    }>
                        {(1..=MAX_BEAM).map(|k| {
                            let label = move || match k {
                                1 => t("greedy").to_string(),
                                k => t("beam {k}").replace("{k}", &k.to_string()),
                            };
                            view! { <option value=k.to_string() prop:selected=move || tr.beam.get() == k>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || tr.look.with(|look| match look {
                None => view! { <p class="tv-note">{move || t("Waiting for the model's weights...")}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="tv-error" data-testid="translate-error">{e.clone()}</p> }.into_any(),
                Some(Ok(look)) => {
                    let output = look.output.clone();
                    view! {
                        <p class="translate-result">
                            <span class="tv-note">{move || t("ISO date:")}</span>" "
                            <output data-testid="translate-output">{output}</output>
                        </p>
                    }.into_any()
                }
            })}
            <Show when=move || !layers().is_empty()>
                <CrossAttention tr=tr layers=Signal::derive(layers) heads=Signal::derive(heads) />
            </Show>
        </section>
    }
}

/// The block and head choosers and the cross-attention heat map.
#[component]
fn CrossAttention(
    tr: Translation,
    layers: Signal<Vec<usize>>,
    heads: Signal<usize>,
) -> impl IntoView {
    let on_layer = move |ev| {
        if let Ok(i) = event_target_value(&ev).parse::<usize>() {
            tr.layer.set(i);
        }
    };
    let on_head = move |ev| tr.head.set(event_target_value(&ev).parse::<usize>().ok());
    view! {
        <h3>{move || t("Cross-attention")}</h3>
        <p class="hint">
            {move || t("Each row is a character the decoder wrote and how strongly it read each source character, the columns, in the chosen decoder block and head (each row sums to 1).")}
        </p>
        <div class="tv-choose">
            <label class="field">
                <span>{move || t("Decoder block")}</span>
                <select data-testid="translate-layer" on:change=on_layer>
                    {move || (0..layers.get().len()).map(|i| view! {
                        <option value=i.to_string() prop:selected=move || tr.layer.get() == i>{(i + 1).to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || t("Head")}</span>
                <select data-testid="translate-head" on:change=on_head>
                    <option value="mean" prop:selected=move || tr.head.get().is_none()>{move || t("mean of heads")}</option>
                    {move || (0..heads.get()).map(|h| view! {
                        <option value=h.to_string() prop:selected=move || tr.head.get() == Some(h)>
                            {format!("{} {}", t("head"), h + 1)}
                        </option>
                    }).collect_view()}
                </select>
            </label>
        </div>
        {move || tr.look.with(|look| {
            let look = look.as_ref()?.as_ref().ok()?;
            let m = matrix(look, tr.layer.get(), tr.head.get())?;
            let wide = is_wide(&m);
            let map = heatmap(m)?;
            Some(view! {
                <div data-testid="translate-attention">{map}</div>
                {wide.then(|| view! {
                    <p class="tv-note">{move || t("A wide map: scroll it sideways to see every column; hover a cell for its value.")}</p>
                })}
            })
        })}
    }
}

/// The heat map of decoder block `layer` and `head` (`None`: the mean of the heads).
fn matrix(look: &DateLook, layer: usize, head: Option<usize>) -> Option<Matrix> {
    let l: &AttentionLayer = look.layers.get(layer)?;
    let (values, which) = match head {
        None => (l.mean_of_heads(), t("mean of heads").to_string()),
        Some(h) => (l.heads.get(h)?.clone(), format!("{} {}", t("head"), h + 1)),
    };
    Some(Matrix {
        values,
        rows: look.outputs.clone(),
        cols: look.sources.clone(),
        title: format!("{} {}, {which}", t("cross-attention"), layer + 1),
    })
}
