//! Using a trained text model: the vocabulary a model file carries, sampling text from
//! a character language model, and classifying a sentence.
//!
//! Sampling is deterministic for a seed on the CPU backend: each next character comes
//! from the model's last-position logits divided by the temperature, cut to the `k`
//! largest (ties keep the lower id), turned into probabilities in f64 and drawn with one
//! uniform number of the seeded generator (inverse CDF over ids in order).

use super::runner_text::{text_chars, FIRST_CHAR_ID};
use super::{ExperimentConfig, Runner};
use crate::autograd::no_grad;
use crate::data::text::{CharVocab, TextSet, WordVocab};
use crate::error::{Error, Result};
use crate::nn::functional::softmax;
use crate::nn::Module;
use crate::rng::Rng;
use crate::tensor::Tensor;
use serde::{Deserialize, Serialize};

/// The metadata key of a text model's vocabulary in its safetensors file.
pub const VOCAB_KEY: &str = "gradlab_vocab";

/// A text model's vocabulary, as its model file stores it (JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "tokens", rename_all = "lowercase")]
pub enum TextVocab {
    /// Characters in id order from [`FIRST_CHAR_ID`] on (id 0 is padding).
    Chars(String),
    /// Words in id order (`<pad>`, `<unk>`, then the words).
    Words(Vec<String>),
    /// A translator's source and target characters in id order from id 3 on (ids 0, 1
    /// and 2 are `<pad>`, `<start>` and `<end>`).
    Dates {
        /// Characters of the written dates.
        source: String,
        /// Characters of the ISO dates.
        target: String,
    },
}

/// The vocabulary of a text config (`None` for other data): the characters of the
/// text, or the words of its training split (rebuilt from the seed).
pub fn text_vocab(config: &ExperimentConfig) -> Result<Option<TextVocab>> {
    if config.data == super::DataSource::Dates {
        return Ok(Some(super::runner_seq2seq::translator_vocab()));
    }
    match config.data.text() {
        None => Ok(None),
        Some(set @ (TextSet::Shakespeare | TextSet::User)) => {
            Ok(Some(TextVocab::Chars(text_chars(set)?.as_string())))
        }
        Some(TextSet::Sentiment) => {
            let words = sentiment_vocab(config)?;
            Ok(Some(TextVocab::Words(words.words().to_vec())))
        }
    }
}

/// The sentiment split's vocabulary of `config`.
fn sentiment_vocab(config: &ExperimentConfig) -> Result<WordVocab> {
    use crate::data::text::{load_text, sentiment_split};
    let tsv = load_text(TextSet::Sentiment).map_err(|e| Error::Data(e.to_string()))?;
    let mut rng = Rng::derive(config.seed, super::streams::SPLIT);
    let s = sentiment_split(tsv, config.test_fraction, config.context, &mut rng)
        .map_err(|e| Error::Data(e.to_string()))?;
    Ok(s.vocab)
}

/// How to sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleOptions {
    /// Characters to generate.
    pub chars: usize,
    /// Logits are divided by this (> 0); 0 picks the most likely character.
    pub temperature: f32,
    /// Keep only the `k` most likely characters (`None`: all).
    pub top_k: Option<usize>,
    /// Seed of the draws.
    pub seed: u64,
}

/// Index drawn from `logits` (already divided by the temperature) kept to the `top_k`
/// largest, with one uniform `u` in `[0, 1)`.
pub fn draw_token(logits: &[f32], top_k: Option<usize>, u: f64) -> usize {
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]).then(a.cmp(&b)));
    let k = top_k.unwrap_or(logits.len()).clamp(1, logits.len().max(1));
    let mut kept = order[..k].to_vec();
    kept.sort_unstable();
    let max = kept
        .iter()
        .map(|&i| logits[i] as f64)
        .fold(f64::MIN, f64::max);
    let weights: Vec<f64> = kept
        .iter()
        .map(|&i| libm::exp(logits[i] as f64 - max))
        .collect();
    let total: f64 = weights.iter().sum();
    let mut acc = 0.0;
    for (&i, w) in kept.iter().zip(&weights) {
        acc += w / total;
        if u < acc {
            return i;
        }
    }
    *kept.last().unwrap_or(&0)
}

impl Runner {
    /// The last position's logits of the model on `ids` (at most `context` of them).
    async fn last_logits(&self, ids: &[u32]) -> Result<Vec<f32>> {
        let x: Vec<f32> = ids.iter().map(|&i| i as f32).collect();
        let out = no_grad(|| {
            self.model()
                .forward(&Tensor::from_slice(&x, &[1, ids.len()], self.device()))
        });
        let values = out.to_vec().await?;
        let v = *out.dims().last().unwrap_or(&0);
        Ok(values[values.len().saturating_sub(v)..].to_vec())
    }

    /// `options.chars` characters continuing `prompt`, sampled from this character
    /// language model with `vocab`. Errs when the model is no character language model,
    /// the prompt is empty, or a prompt character is not in the vocabulary.
    pub async fn sample_text(
        &self,
        vocab: &CharVocab,
        prompt: &str,
        options: &SampleOptions,
    ) -> Result<String> {
        if !self.config().data.is_language_model() {
            return Err(Error::Format(format!(
                "the model was trained on {}, not a character language model",
                self.config().data.name()
            )));
        }
        if prompt.is_empty() {
            return Err(Error::Format(
                "the prompt is empty; give at least one character".into(),
            ));
        }
        if !(options.temperature >= 0.0 && options.temperature.is_finite()) {
            return Err(Error::Format(format!(
                "the temperature must be a finite number >= 0, got {}",
                options.temperature
            )));
        }
        let mut ids: Vec<u32> = vocab
            .encode(prompt)
            .map_err(Error::Format)?
            .into_iter()
            .map(|i| i + FIRST_CHAR_ID)
            .collect();
        let context = self.config().context;
        let mut rng = Rng::new(options.seed);
        let mut out = Vec::with_capacity(options.chars);
        for _ in 0..options.chars {
            let window = &ids[ids.len().saturating_sub(context)..];
            let logits = self.last_logits(window).await?;
            // Padding (id 0) is never drawn.
            let scaled: Vec<f32> = logits
                .iter()
                .enumerate()
                .map(|(i, &l)| match (i as u32) < FIRST_CHAR_ID {
                    true => f32::NEG_INFINITY,
                    false if options.temperature == 0.0 => l,
                    false => l / options.temperature,
                })
                .collect();
            let next = match options.temperature == 0.0 {
                true => draw_token(&scaled, Some(1), 0.0),
                false => draw_token(&scaled, options.top_k, rng.uniform_f64()),
            };
            ids.push(next as u32);
            out.push(next as u32 - FIRST_CHAR_ID);
        }
        Ok(vocab.decode(&out))
    }

    /// Class probabilities of each sentence under this sentiment model with `vocab`
    /// (padded or cut to the model's context). Errs when the model is no sentence
    /// classifier.
    pub async fn classify_sentences(
        &self,
        vocab: &WordVocab,
        sentences: &[String],
    ) -> Result<Vec<Vec<f32>>> {
        if self.config().data.text() != Some(TextSet::Sentiment) {
            return Err(Error::Format(format!(
                "the model was trained on {}, not on sentences",
                self.config().data.name()
            )));
        }
        let t = self.config().context;
        let x: Vec<f32> = sentences
            .iter()
            .flat_map(|s| vocab.encode_padded(s, t))
            .map(|i| i as f32)
            .collect();
        let n = sentences.len();
        let p = no_grad(|| {
            let out = self
                .model()
                .forward(&Tensor::from_slice(&x, &[n, t], self.device()));
            softmax(&out, 1)
        });
        let values = p.to_vec().await?;
        let k = values.len() / n.max(1);
        Ok(values.chunks(k.max(1)).map(<[f32]>::to_vec).collect())
    }
}

/// Rebuild the vocabulary of a model file's metadata.
pub fn parse_vocab(json: &str) -> Result<TextVocab> {
    serde_json::from_str(json)
        .map_err(|e| Error::Format(format!("the model's vocabulary cannot be read: {e}")))
}
