//! Sampling a character language model a few characters at a time, for the page: the
//! page streams text in while it keeps drawing frames (and training), so it cannot run
//! [`Runner::sample_text`]'s whole loop at once. [`TextStream`] holds that loop's state
//! between calls and draws each character exactly as `sample_text` does (the same
//! window, the same logits, the same seeded draws), so the same seed gives the same text
//! as `gradlab sample` on the same weights (a test below checks it against
//! `sample_text`). Also the next-character probabilities of a prompt, for the page's bars.

use super::runner_text::FIRST_CHAR_ID;
use super::runner_text_infer::{draw_token, SampleOptions};
use super::Runner;
use crate::autograd::no_grad;
use crate::data::text::CharVocab;
use crate::error::{Error, Result};
use crate::nn::Module;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Most characters one stream writes (the CLI's own cap, `gradlab sample --chars`).
pub const MAX_STREAM_CHARS: usize = 100_000;

/// The distinct characters of `prompt` that `vocab` lacks, in order of appearance.
pub fn unknown_chars(vocab: &CharVocab, prompt: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::new();
    for c in prompt.chars() {
        if vocab.id(c).is_none() && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// A character as a person can see it: a space, a newline or a tab named, control
/// characters escaped; any other character as itself.
pub fn visible_char(c: char) -> String {
    match c {
        ' ' => "␣".into(),
        '\n' => "⏎".into(),
        '\t' => "⇥".into(),
        c if c.is_control() => c.escape_default().to_string(),
        c => c.to_string(),
    }
}

/// Why `prompt` cannot be sampled from with `vocab`, if it cannot: it is empty, or it
/// has characters the vocabulary lacks (all of them named, shown visibly).
pub fn check_prompt(vocab: &CharVocab, prompt: &str) -> std::result::Result<(), String> {
    if prompt.is_empty() {
        return Err("the prompt is empty; give at least one character".into());
    }
    let unknown = unknown_chars(vocab, prompt);
    if unknown.is_empty() {
        return Ok(());
    }
    let named: Vec<String> = unknown
        .iter()
        .map(|&c| format!("'{}'", visible_char(c)))
        .collect();
    Err(format!(
        "the model does not know {} of the prompt's characters: {} (its vocabulary has {} \
         characters, those of the text it trained on)",
        unknown.len(),
        named.join(", "),
        vocab.len()
    ))
}

/// A sampling in progress: the tokens so far, the draws' generator and what is left.
#[derive(Clone, Debug)]
pub struct TextStream {
    vocab: CharVocab,
    ids: Vec<u32>,
    rng: Rng,
    options: SampleOptions,
    left: usize,
}

impl TextStream {
    /// A stream continuing `prompt` with `vocab` (the model's); errs with a clear message
    /// on an empty prompt, unknown characters, a bad temperature or too many characters.
    pub fn new(vocab: CharVocab, prompt: &str, options: SampleOptions) -> Result<TextStream> {
        check_prompt(&vocab, prompt).map_err(Error::Format)?;
        if !(options.temperature >= 0.0 && options.temperature.is_finite()) {
            return Err(Error::Format(format!(
                "the temperature must be a finite number >= 0, got {}",
                options.temperature
            )));
        }
        if options.chars > MAX_STREAM_CHARS {
            return Err(Error::Format(format!(
                "at most {MAX_STREAM_CHARS} characters at a time, not {}",
                options.chars
            )));
        }
        let ids = vocab
            .encode(prompt)
            .map_err(Error::Format)?
            .into_iter()
            .map(|i| i + FIRST_CHAR_ID)
            .collect();
        Ok(TextStream {
            vocab,
            ids,
            rng: Rng::new(options.seed),
            options,
            left: options.chars,
        })
    }

    /// Characters still to write.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// The next character from `runner`'s model (`None` once all are written). Errs
    /// when the runner is no character language model of this vocabulary's size.
    pub async fn next_char(&mut self, runner: &Runner) -> Result<Option<char>> {
        if self.left == 0 {
            return Ok(None);
        }
        if !runner.config().data.is_language_model() {
            return Err(Error::Format(format!(
                "the model was trained on {}, not a character language model",
                runner.config().data.name()
            )));
        }
        let context = runner.config().context;
        let window = &self.ids[self.ids.len().saturating_sub(context)..];
        let logits = runner.window_logits(window).await?;
        let t = self.options.temperature;
        // Padding (id 0) is never drawn; as `Runner::sample_text`.
        let scaled: Vec<f32> = logits
            .iter()
            .enumerate()
            .map(|(i, &l)| match (i as u32) < FIRST_CHAR_ID {
                true => f32::NEG_INFINITY,
                false if t == 0.0 => l,
                false => l / t,
            })
            .collect();
        let next = match t == 0.0 {
            true => draw_token(&scaled, Some(1), 0.0),
            false => draw_token(&scaled, self.options.top_k, self.rng.uniform_f64()),
        };
        let c = self
            .vocab
            .chars()
            .get((next as u32).wrapping_sub(FIRST_CHAR_ID) as usize)
            .copied()
            .ok_or_else(|| {
                Error::Format(format!(
                    "the model has more outputs ({}) than its vocabulary has characters ({})",
                    logits.len(),
                    self.vocab.len()
                ))
            })?;
        self.ids.push(next as u32);
        self.left -= 1;
        Ok(Some(c))
    }
}

impl Runner {
    /// The last position's logits of the model on `ids` (at most `context` of them),
    /// computed as `sample_text` computes them.
    pub async fn window_logits(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let x: Vec<f32> = ids.iter().map(|&i| i as f32).collect();
        let out = no_grad(|| {
            self.model()
                .forward(&Tensor::from_slice(&x, &[1, ids.len()], self.device()))
        });
        let values = out.to_vec().await?;
        let v = *out.dims().last().unwrap_or(&0);
        Ok(values[values.len().saturating_sub(v)..].to_vec())
    }

    /// The `k` most likely next characters after `prompt` (the model's own
    /// probabilities, temperature 1), most likely first. Errs as [`check_prompt`] does.
    pub async fn next_char_probs(
        &self,
        vocab: &CharVocab,
        prompt: &str,
        k: usize,
    ) -> Result<Vec<(char, f64)>> {
        check_prompt(vocab, prompt).map_err(Error::Format)?;
        let ids: Vec<u32> = vocab
            .encode(prompt)
            .map_err(Error::Format)?
            .into_iter()
            .map(|i| i + FIRST_CHAR_ID)
            .collect();
        let context = self.config().context;
        let logits = self
            .window_logits(&ids[ids.len().saturating_sub(context)..])
            .await?;
        Ok(top_chars(vocab, &logits, k))
    }
}

/// The `k` most likely characters of `logits` (softmax in f64 over the character ids,
/// padding left out), most likely first, ties by id.
pub fn top_chars(vocab: &CharVocab, logits: &[f32], k: usize) -> Vec<(char, f64)> {
    let first = FIRST_CHAR_ID as usize;
    let chars = &logits[first.min(logits.len())..];
    let max = chars.iter().map(|&l| l as f64).fold(f64::MIN, f64::max);
    let weights: Vec<f64> = chars.iter().map(|&l| libm::exp(l as f64 - max)).collect();
    let total: f64 = weights.iter().sum();
    let mut ranked: Vec<(usize, f64)> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| (i, w / total))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
        .into_iter()
        .filter_map(|(i, p)| vocab.chars().get(i).map(|&c| (c, p)))
        .take(k)
        .collect()
}

#[cfg(test)]
#[path = "runner_text_stream_tests.rs"]
mod tests;
