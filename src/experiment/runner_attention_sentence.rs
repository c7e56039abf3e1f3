//! A sentence through a classifier, looked at closely: the class probabilities, how
//! much each token moves the prediction, and the attention, all from ONE batched
//! forward pass and ONE readback.
//!
//! Leave-one-out attribution: row 0 of the batch is the sentence, row `i + 1` the
//! sentence with token `i` deleted (the tokens after it move up, and when the sentence
//! is longer than the context the next token comes in, exactly as if the token had
//! never been typed). A token's effect is the change of the log-odds of positive when
//! it is deleted (`SentenceLook::effect`): positive when it pushes towards positive.

use super::runner_attention::{AttentionLayer, LensVocab, TextLens, Tokens};
use crate::autograd::no_grad;
use crate::error::{Error, Result};
use crate::nn::functional::softmax;
use crate::nn::Mode;
use crate::tensor::Tensor;

/// The class whose probability the attribution follows: the sentiment set's
/// `positive` (its classes are `negative`, `positive`).
pub const POSITIVE_CLASS: usize = 1;

/// What a classifier made of one sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct SentenceLook {
    /// The sentence's tokens as the model reads them.
    pub tokens: Tokens,
    /// The class probabilities of the whole sentence.
    pub probabilities: Vec<f32>,
    /// `P(positive)` of the sentence with token `i` deleted, per kept token.
    pub without: Vec<f32>,
    /// The positive class's score minus the strongest other class's (log-odds for two
    /// classes): entry 0 for the sentence, entry `i + 1` without token `i`.
    pub margins: Vec<f32>,
    /// The attention of every `attn` layer for the whole sentence (empty: none).
    pub attention: Vec<AttentionLayer>,
}

impl SentenceLook {
    /// `P(positive)` of the whole sentence.
    pub fn positive(&self) -> f32 {
        self.probabilities
            .get(POSITIVE_CLASS)
            .copied()
            .unwrap_or(f32::NAN)
    }

    /// How much token `i` moves the prediction: the sentence's log-odds of positive
    /// minus those of the sentence without it (> 0: the token pushes towards
    /// positive). Log-odds rather than `P(positive)`, which a sure model saturates at
    /// 1.0, where every token would seem to matter nothing.
    pub fn effect(&self, i: usize) -> f32 {
        let m = |k: usize| self.margins.get(k).copied().unwrap_or(f32::NAN);
        m(0) - m(i + 1)
    }

    /// The largest `|effect|` over the tokens (the colour scale's half-range).
    pub fn largest_effect(&self) -> f32 {
        (0..self.without.len())
            .map(|i| self.effect(i).abs())
            .filter(|e| e.is_finite())
            .fold(0.0, f32::max)
    }
}

impl TextLens {
    /// Classifies `text` and attributes the prediction to its tokens by leave-one-out
    /// (see the module notes). Errs when the model is no sentence classifier (word
    /// tokens in, one score per class out) or the sentence has no token.
    pub async fn look_sentence(&self, text: &str) -> Result<SentenceLook> {
        let LensVocab::Words(_) = &self.vocab else {
            return Err(Error::Format(
                "leave-one-out needs a sentence classifier; this model reads characters".into(),
            ));
        };
        let classes = match self.model.shapes().last().map(Vec::as_slice) {
            Some(&[c]) if c > POSITIVE_CLASS => c,
            _ => {
                return Err(Error::Format(
                    "the model does not give one score per class for a sentence".into(),
                ))
            }
        };
        let all = self.all_tokens(text)?;
        let tokens = self.tokens(text)?;
        let n = tokens.ids.len();
        // Row 0: the sentence; row i + 1: without token i.
        let mut x: Vec<f32> = Vec::with_capacity((n + 1) * self.context);
        x.extend(self.row(&all.ids).iter().map(|&i| i as f32));
        for i in 0..n {
            let mut ids = all.ids.clone();
            ids.remove(i);
            x.extend(self.row(&ids).iter().map(|&i| i as f32));
        }
        let device = self.device();
        let (out, p, weights) = no_grad(|| {
            let input = Tensor::from_slice(&x, &[n + 1, self.context], &device);
            let (out, weights) = self.model.forward_with_attention(&input, Mode::Eval);
            let p = softmax(&out, 1);
            (out, p, weights)
        });
        let (read, attention) = self.read_attention(&[&p, &out], &weights, n).await?;
        let rows: Vec<&[f32]> = read[0].chunks(classes).collect();
        // Log-odds of positive against the strongest other class, from the scores (a
        // probability saturates at 1.0 in f32 once the model is sure; its log-odds not).
        let margins: Vec<f32> = read[1]
            .chunks(classes)
            .map(|s| {
                let other = (0..classes)
                    .filter(|&c| c != POSITIVE_CLASS)
                    .map(|c| s[c])
                    .fold(f32::NEG_INFINITY, f32::max);
                s[POSITIVE_CLASS] - other
            })
            .collect();
        Ok(SentenceLook {
            probabilities: rows.first().map_or_else(Vec::new, |r| r.to_vec()),
            without: rows[1..].iter().map(|r| r[POSITIVE_CLASS]).collect(),
            margins,
            attention,
            tokens,
        })
    }
}
