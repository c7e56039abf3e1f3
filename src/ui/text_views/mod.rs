//! Looking at what a text model makes of text a person types: the sentiment box
//! (positive / negative as the person types, each token coloured by how much deleting
//! it changes the prediction) and the attention view (a layer's and a head's weights as
//! a heat map, tokens as labels) of the sentence, or of a character model's generation
//! prompt (the generation panel's, `ui::text`); and for the dates translator the
//! translation box (`translate_box.rs`: its ISO date as the person types, and its
//! cross-attention).
//!
//! Both read a [`TextLens`]: a CPU copy of the model built from the weights the driver
//! already reads back for the plots (`PlotFrame::weights`, a few times a second while
//! training), so a keystroke costs one small CPU forward pass here, a few milliseconds,
//! whatever backend trains, and never waits on the driver or the GPU. The lens is
//! rebuilt when new weights arrive; the text is looked at again after each keystroke
//! (debounced by [`SETTLE_MS`]) and after each rebuild.

mod attention_view;
mod sentiment_box;
mod translate_box;
pub mod zh;

pub use attention_view::AttentionView;
pub use sentiment_box::SentimentBox;
pub use translate_box::TranslateBox;

use super::state::Lab;
use crate::data::text::TextSet;
use crate::experiment::{
    text_vocab, AttentionMaps, ExperimentConfig, SentenceLook, TextLens, TextVocab,
};
use leptos::prelude::*;
use std::time::Duration;

/// Milliseconds a keystroke waits for the next before the text is looked at: one
/// forward pass per pause in typing rather than per key of a fast typist.
pub const SETTLE_MS: u64 = 60;

/// The sentence the sentiment box opens with (a person replaces it).
pub const FIRST_SENTENCE: &str = "The food was wonderful, but the service was painfully slow.";

/// The text views' signals (all `Copy` handles).
#[derive(Clone, Copy)]
pub struct TextViews {
    /// The sentiment box's sentence, as typed.
    pub sentence: RwSignal<String>,
    /// The text looked at: the typed one once typing has paused.
    settled: RwSignal<String>,
    /// Keystrokes so far (a pending look is dropped when another key came after it).
    keys: StoredValue<u64>,
    /// The vocabulary of the configuration it was built for (rebuilt per run).
    vocab: StoredValue<Option<(ExperimentConfig, TextVocab)>>,
    /// The lens over the latest weights, or why there is none.
    /// (Local: a lens holds tensors, which stay on this thread.)
    lens: StoredValue<Option<Result<TextLens, String>>, LocalStorage>,
    /// Bumped whenever [`TextViews::lens`] changes.
    lens_version: RwSignal<u64>,
    /// What the classifier made of the settled sentence.
    pub look: RwSignal<Option<Result<SentenceLook, String>>>,
    /// The attention for the settled text.
    pub maps: RwSignal<Option<Result<AttentionMaps, String>>>,
    /// Milliseconds the last look took (forward pass and readback, `performance.now()`).
    pub ms: RwSignal<Option<f64>>,
    /// The attention layer shown (index into `maps.layers`).
    pub layer: RwSignal<usize>,
    /// The head shown (`None`: the mean of the heads).
    pub head: RwSignal<Option<usize>>,
}

impl TextViews {
    /// The views' state, wired to `lab`: the lens follows the weights, the looks follow
    /// the lens and the settled text.
    pub fn new(lab: Lab) -> TextViews {
        let views = TextViews {
            sentence: RwSignal::new(FIRST_SENTENCE.to_string()),
            settled: RwSignal::new(String::new()),
            keys: StoredValue::new(0),
            vocab: StoredValue::new(None),
            lens: StoredValue::new_local(None),
            lens_version: RwSignal::new(0),
            look: RwSignal::new(None),
            maps: RwSignal::new(None),
            ms: RwSignal::new(None),
            layer: RwSignal::new(0),
            head: RwSignal::new(None),
        };
        // New weights (or a new run): a new lens.
        Effect::new(move |_| {
            let config = lab.config.get();
            lab.plot_frame
                .with(|frame| views.rebuild_lens(&config, frame));
        });
        // The text to look at: the box of the run's kind, settled at once on a switch.
        Effect::new(move |_| {
            let text = match lab.config.with(|c| c.data.text()) {
                Some(TextSet::Sentiment) => views.sentence.get(),
                // A character language model: the generation panel's prompt (`ui::text`).
                Some(_) => lab.text.prompt.get(),
                None => String::new(),
            };
            views.settle_later(text);
        });
        Effect::new(move |_| {
            views.lens_version.track();
            let text = views.settled.get();
            views.look_at(text);
        });
        views
    }

    /// Looks at `text` once no other key has come for [`SETTLE_MS`].
    fn settle_later(self, text: String) {
        let key = self.keys.try_update_value(|k| {
            *k += 1;
            *k
        });
        set_timeout(
            move || {
                if self.keys.try_get_value() == key {
                    self.settled.set(text);
                }
            },
            Duration::from_millis(SETTLE_MS),
        );
    }

    /// A lens over `frame`'s weights when the run is on text (none otherwise).
    fn rebuild_lens(self, config: &ExperimentConfig, frame: &super::state::PlotFrame) {
        let lens = match config.data.text() {
            None => None,
            Some(_) if frame.weights.is_empty() => None,
            Some(_) => Some(self.vocab_of(config).and_then(|vocab| {
                TextLens::from_weights(
                    &frame.layers,
                    &frame.input_shape,
                    &frame.weights,
                    vocab,
                    config.context,
                )
                .map_err(|e| e.to_string())
            })),
        };
        if lens.is_none() && self.lens.with_value(Option::is_none) {
            return;
        }
        self.lens.set_value(lens);
        self.lens_version.update(|v| *v += 1);
    }

    /// The vocabulary of `config`, built once per configuration.
    fn vocab_of(self, config: &ExperimentConfig) -> Result<TextVocab, String> {
        if let Some(v) = self.vocab.with_value(|c| {
            c.as_ref()
                .filter(|(k, _)| k == config)
                .map(|(_, v)| v.clone())
        }) {
            return Ok(v);
        }
        let vocab = text_vocab(config)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the run is not on text".to_string())?;
        self.vocab.set_value(Some((config.clone(), vocab.clone())));
        Ok(vocab)
    }

    /// Looks at `text` through the current lens (a CPU forward pass: its future is
    /// ready at the first poll) and publishes the sentence look and the attention.
    fn look_at(self, text: String) {
        let lens = self.lens.with_value(|l| l.clone());
        let Some(lens) = lens else {
            self.look.set(None);
            self.maps.set(None);
            return;
        };
        let lens = match lens {
            Ok(lens) => lens,
            Err(e) => {
                self.look.set(Some(Err(e.clone())));
                self.maps.set(Some(Err(e)));
                return;
            }
        };
        crate::platform::spawn(async move {
            let t0 = crate::platform::now_ms();
            if lens.reads_words() {
                let looked = lens.look_sentence(&text).await;
                self.ms.set(Some(crate::platform::now_ms() - t0));
                match looked {
                    Ok(look) => {
                        self.maps.set(Some(Ok(AttentionMaps {
                            tokens: look.tokens.clone(),
                            layers: look.attention.clone(),
                        })));
                        self.look.set(Some(Ok(look)));
                    }
                    Err(e) => {
                        self.look.set(Some(Err(e.to_string())));
                        self.maps.set(Some(Err(e.to_string())));
                    }
                }
            } else {
                self.look.set(None);
                self.ms.set(None);
                self.maps
                    .set(Some(lens.attention(&text).await.map_err(|e| e.to_string())));
            }
        });
    }
}

/// The text views for `lab`: the sentiment box and the attention view, each shown
/// only when the run is one it applies to.
#[component]
pub fn TextViewsPanel(lab: Lab) -> impl IntoView {
    let views = TextViews::new(lab);
    view! {
        <style>{CSS}{super::plots::matrix_heatmap::CSS}</style>
        <SentimentBox lab=lab views=views />
        <AttentionView lab=lab views=views />
        <TranslateBox lab=lab />
    }
}

/// The views' styles (kept beside them, not in the shared style sheet).
pub const CSS: &str = r#"
.tv-input { width: 100%; box-sizing: border-box; font-size: 1rem; padding: 0.4rem; border: 1px solid #ccd; border-radius: 6px; resize: vertical; }
.tv-prob { display: flex; height: 1.3rem; border-radius: 4px; overflow: hidden; margin: 0.5rem 0 0.2rem; border: 1px solid #ccd; }
.tv-prob span { display: block; height: 100%; }
.tv-prob-text { display: flex; justify-content: space-between; font-size: 0.9rem; margin: 0 0 0.4rem; }
.tv-tokens { display: flex; flex-wrap: wrap; gap: 0.3rem; margin: 0.5rem 0; line-height: 1.6; }
.tv-tok { padding: 0 0.35rem; border-radius: 4px; border: 1px solid #dde; font-size: 0.95rem; }
.tv-tok.unk { border: 1px dashed #a11; }
.tv-tok sub { font-size: 0.65rem; color: inherit; opacity: 0.8; margin-left: 0.15rem; }
.tv-legend { display: flex; align-items: center; gap: 0.4rem; font-size: 0.8rem; flex-wrap: wrap; }
.tv-ramp { display: inline-block; width: 7rem; height: 0.7rem; border: 1px solid #ccd; border-radius: 2px; }
.tv-note { color: #556; font-size: 0.85rem; margin: 0.3rem 0 0; }
.tv-error { color: #a11; font-size: 0.9rem; margin: 0.3rem 0; }
.tv-choose select { width: auto; max-width: 12rem; }
.translate-result { font-size: 1.1rem; margin: 0.5rem 0; }
.translate-result output { font-family: ui-monospace, monospace; font-weight: 600; }
.tv-choose { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin: 0.4rem 0; }
"#;
