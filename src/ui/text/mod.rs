//! Language models in the page: the generation panel (prompt, temperature, top-k, seed,
//! length; text streamed in a few characters per frame; the prompt's next-character
//! probabilities as bars) and the language model's metrics (bits per character,
//! perplexity, tokens per second).
//!
//! The panel only edits [`TextState`]; the driver (`driver/text.rs`) owns the runner,
//! so it is the driver that samples, a few characters per frame, between training
//! slices. The sampling is `experiment::TextStream`, which draws exactly as
//! `gradlab sample` does: on the CPU backend the same seed writes the same text.

mod generate;
mod metrics;
mod user_text;
pub mod zh;

pub use generate::GenerationPanel;
pub use metrics::LmMetrics;
pub use user_text::{note_link, read_linked_sha, text_sha_key, UserTextPanel, TEXT_SHA_KEY};

use crate::data::text::UserTextInfo;
use crate::experiment::SampleOptions;
use leptos::prelude::*;

/// How many next characters the probability bars show.
pub const BARS_SHOWN: usize = 10;

/// A generation the person asked for: the prompt and how to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct GenRequest {
    /// The text to continue.
    pub prompt: String,
    /// Length, temperature, top-k and seed.
    pub options: SampleOptions,
}

/// The generation panel's signals (all `Copy` handles), read and written by the panel
/// and by the driver.
#[derive(Clone, Copy)]
pub struct TextState {
    /// The prompt box.
    pub prompt: RwSignal<String>,
    /// Characters to write.
    pub chars: RwSignal<usize>,
    /// Sampling temperature (0: the most likely character each time).
    pub temperature: RwSignal<f32>,
    /// Keep the `k` most likely characters (`None`: all).
    pub top_k: RwSignal<Option<usize>>,
    /// Seed of the draws.
    pub seed: RwSignal<u64>,
    /// The text written so far by the current or last generation (without the prompt).
    pub output: RwSignal<String>,
    /// The prompt that generation continued (the box may have changed since).
    pub output_prompt: RwSignal<String>,
    /// True while characters are being written.
    pub generating: RwSignal<bool>,
    /// Why the last generation or the bars could not be made (a bad prompt).
    pub message: RwSignal<Option<String>>,
    /// The prompt's most likely next characters with their probabilities.
    pub bars: RwSignal<Vec<(char, f64)>>,
    /// A generation waiting for the driver (taken at its next frame).
    pub request: StoredValue<Option<GenRequest>>,
    /// Set when the generation is to stop.
    pub stop: StoredValue<bool>,
    /// The own-text box.
    pub user_input: RwSignal<String>,
    /// Why the own text cannot train (empty, too big, one character, too short).
    pub user_message: RwSignal<Option<String>>,
    /// The own text in use: its size, vocabulary and hash.
    pub user_info: RwSignal<Option<UserTextInfo>>,
    /// The text hash the opened link carries (`textsha=`), if any.
    pub linked_sha: RwSignal<Option<String>>,
    /// That link, opened again once its text is given (without the text it cannot
    /// build its model: its vocabulary is the text's).
    pub pending_link: RwSignal<Option<String>>,
}

impl TextState {
    /// The panel's defaults: those of `gradlab sample` (prompt a newline, temperature
    /// 0.8, all characters, seed 1), 200 characters.
    pub fn new() -> TextState {
        TextState {
            prompt: RwSignal::new("\n".into()),
            chars: RwSignal::new(200),
            temperature: RwSignal::new(0.8),
            top_k: RwSignal::new(None),
            seed: RwSignal::new(1),
            output: RwSignal::new(String::new()),
            output_prompt: RwSignal::new(String::new()),
            generating: RwSignal::new(false),
            message: RwSignal::new(None),
            bars: RwSignal::new(Vec::new()),
            request: StoredValue::new(None),
            stop: StoredValue::new(false),
            user_input: RwSignal::new(String::new()),
            user_message: RwSignal::new(None),
            user_info: RwSignal::new(None),
            linked_sha: RwSignal::new(None),
            pending_link: RwSignal::new(None),
        }
    }

    /// Asks the driver to write text with the panel's current settings.
    pub fn request_generation(&self) {
        let request = GenRequest {
            prompt: self.prompt.get_untracked(),
            options: SampleOptions {
                chars: self.chars.get_untracked(),
                temperature: self.temperature.get_untracked(),
                top_k: self.top_k.get_untracked(),
                seed: self.seed.get_untracked(),
            },
        };
        self.stop.set_value(false);
        self.request.set_value(Some(request.clone()));
        // Shown at once, so nobody reads the last generation's text as this one's.
        self.output_prompt.set(request.prompt.clone());
        self.output.set(String::new());
        self.generating.set(true);
    }
}

impl Default for TextState {
    fn default() -> Self {
        TextState::new()
    }
}

/// The panel's styles (kept beside it, not in the shared style sheet).
pub const CSS: &str = r#"
.gen-panel textarea { width: 100%; font-family: ui-monospace, monospace; font-size: 0.9rem; box-sizing: border-box; }
.gen-controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin: 0.5rem 0; }
.gen-controls .field input { width: 6rem; }
.gen-output { white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 0.9rem; background: #f6f7f9; border: 1px solid #dde; border-radius: 6px; padding: 0.5rem; min-height: 6rem; max-height: 22rem; overflow: auto; margin: 0; word-break: break-word; }
.gen-output .prompt { color: #667; }
.gen-message { color: #a11; margin: 0.4rem 0; }
.gen-bars { list-style: none; padding: 0; margin: 0.5rem 0 0; display: grid; grid-template-columns: 3rem 1fr 4rem; gap: 2px 0.5rem; font-family: ui-monospace, monospace; font-size: 0.85rem; }
.gen-bars li { display: contents; }
.gen-bars .ch { text-align: center; background: #eef; border-radius: 3px; }
.gen-bars .bar { background: #4a7bd0; height: 0.9rem; align-self: center; border-radius: 2px; }
.gen-bars .p { text-align: right; }
.lm-note { color: #556; font-size: 0.85rem; margin: 0.25rem 0 0; }
.user-text textarea { width: 100%; box-sizing: border-box; font-family: ui-monospace, monospace; }
/* A text model has no network over an input plane: its column goes to the results. */
.panel.network[hidden] { display: none; }
@media (min-width: 1101px) {
  .layout:has(> .panel.network[hidden]) > .panel.output { grid-column: 2 / -1; }
}
"#;
