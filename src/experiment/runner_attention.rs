//! Looking inside a text model at one input: the attention weights every `attn` layer
//! computed in its forward pass (the layer hands them over itself, see
//! [`Sequential::forward_with_attention`]: there is no second implementation of
//! attention here), and for a sentence classifier how much each token moves the
//! prediction (leave-one-out, see `runner_attention_sentence.rs`).
//!
//! A [`TextLens`] holds a model and its vocabulary. The page builds one on the CPU from
//! the weights it already reads back for its plots ([`TextLens::from_weights`]), so it
//! can look on every keystroke, a few milliseconds each, while training runs on any
//! backend; natively [`Runner::text_lens`] looks through the run's own model.

use super::link::match_weights;
use super::runner_text::FIRST_CHAR_ID;
use super::runner_text_infer::{text_vocab, TextVocab};
use super::{NamedWeight, Runner};
use crate::autograd::no_grad;
use crate::backend::Device;
use crate::data::text::{tokenize_words, CharVocab, WordVocab, PAD_ID, UNK_ID};
use crate::error::{Error, Result};
use crate::nn::{Layer, Mode, Module, Sequential};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// One `attn` layer's weights for one input of `T` tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionLayer {
    /// The layer's parameter prefix (`1.0`: the first layer inside the residual block at
    /// 1), as its weights are named (`1.0.in_proj_weight`).
    pub name: String,
    /// Whether query `i` sees keys `j <= i` only.
    pub causal: bool,
    /// Per head, the `[T, T]` weights row-major: row `i` is query `i`, column `j` key
    /// `j`; each row sums to 1 over the keys it sees, and a hidden key has exactly 0.
    pub heads: Vec<Vec<f32>>,
}

impl AttentionLayer {
    /// The mean of the heads' weights, `[T, T]` (summed in head order, in f32).
    pub fn mean_of_heads(&self) -> Vec<f32> {
        let n = self.heads.first().map_or(0, Vec::len);
        let mut mean = vec![0.0f32; n];
        for head in &self.heads {
            for (m, w) in mean.iter_mut().zip(head) {
                *m += w;
            }
        }
        let h = self.heads.len().max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= h);
        mean
    }
}

/// The tokens of one input, as the model reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    /// The model's ids of the tokens kept (no padding).
    pub ids: Vec<u32>,
    /// Each kept token as shown: the word (lowercase, as the vocabulary holds words) or
    /// the character.
    pub labels: Vec<String>,
    /// Whether each kept token is unknown to the vocabulary (read as `<unk>`).
    pub unknown: Vec<bool>,
    /// Tokens of the text left out because the model reads at most its context: a
    /// sentence keeps its first tokens, a prompt its last (what the next one follows).
    pub dropped: usize,
}

/// The attention of every `attn` layer for one input.
#[derive(Clone, Debug, PartialEq)]
pub struct AttentionMaps {
    /// The input's tokens (row and column labels).
    pub tokens: Tokens,
    /// One entry per `attn` layer, in the order they run (empty: the model has none).
    pub layers: Vec<AttentionLayer>,
}

/// A vocabulary a lens tokenizes with.
#[derive(Clone, Debug)]
pub(super) enum LensVocab {
    /// Word tokens (a sentence classifier).
    Words(WordVocab),
    /// Character tokens (a character language model; ids are shifted by
    /// [`FIRST_CHAR_ID`]).
    Chars(CharVocab),
}

/// A text model with its vocabulary, to look at one input at a time.
#[derive(Clone, Debug)]
pub struct TextLens {
    pub(super) model: Sequential,
    pub(super) vocab: LensVocab,
    /// The most tokens the model reads (the run's `context`).
    pub(super) context: usize,
}

/// A copy of the model `layers` (input `input_shape`) on the CPU backend with `weights`
/// (matched by name and shape, as a loaded file's are).
pub fn cpu_model(
    layers: &[Layer],
    input_shape: &[usize],
    weights: &[NamedWeight],
) -> Result<Sequential> {
    let cpu = Device::Cpu;
    // The drawn initial weights are all replaced below.
    let mut model = Sequential::new(layers, input_shape, &mut Rng::new(0), &cpu)
        .map_err(|e| Error::Config(e.to_string()))?;
    let want: Vec<(String, Vec<usize>)> = model
        .params()
        .iter()
        .map(|(name, t)| (name.to_string(), t.dims().to_vec()))
        .collect();
    let ordered = match_weights(weights, &want)?;
    for (i, w) in ordered.iter().enumerate() {
        model
            .params_mut()
            .set(i, Tensor::from_slice(&w.data, &w.shape, &cpu));
    }
    Ok(model)
}

impl TextLens {
    /// A lens through `model` reading at most `context` tokens with `vocab`; errs when
    /// the model does not start with an embedding holding every id of the vocabulary.
    pub fn new(model: Sequential, vocab: TextVocab, context: usize) -> Result<TextLens> {
        let (vocab, ids) = match vocab {
            TextVocab::Words(words) => {
                let v = WordVocab::from_words(words);
                let n = v.len();
                (LensVocab::Words(v), n)
            }
            TextVocab::Chars(chars) => {
                let v = CharVocab::from_chars(chars.chars().collect()).map_err(Error::Format)?;
                let n = v.len() + FIRST_CHAR_ID as usize;
                (LensVocab::Chars(v), n)
            }
            TextVocab::Dates { .. } => {
                return Err(Error::Config(
                    "the attention lens reads layer stacks; the date translator's \
                     encoder-decoder is not one"
                        .into(),
                ))
            }
        };
        match model.layers().first() {
            Some(Layer::Embedding { vocab, .. }) if *vocab >= ids => {}
            _ => {
                return Err(Error::Format(format!(
                    "the model must start with an embedding of at least {ids} token ids \
                     to read this vocabulary"
                )))
            }
        }
        if context == 0 {
            return Err(Error::Config(
                "a text model reads at least one token".into(),
            ));
        }
        Ok(TextLens {
            model,
            vocab,
            context,
        })
    }

    /// A lens on the CPU backend through the model `layers` with `weights` (the page's
    /// last readback), see [`cpu_model`].
    pub fn from_weights(
        layers: &[Layer],
        input_shape: &[usize],
        weights: &[NamedWeight],
        vocab: TextVocab,
        context: usize,
    ) -> Result<TextLens> {
        TextLens::new(cpu_model(layers, input_shape, weights)?, vocab, context)
    }

    /// The model looked through.
    pub fn model(&self) -> &Sequential {
        &self.model
    }

    /// Whether the model reads word tokens (a sentence classifier) rather than
    /// characters.
    pub fn reads_words(&self) -> bool {
        matches!(self.vocab, LensVocab::Words(_))
    }

    /// The tokens of `text` the model reads: a sentence's first `context` words (an
    /// unknown word becomes `<unk>`), or a prompt's last `context` characters (a
    /// character outside the vocabulary is an error naming it). An empty text is an
    /// error.
    pub fn tokens(&self, text: &str) -> Result<Tokens> {
        let all = self.all_tokens(text)?;
        let keep = all.ids.len().min(self.context);
        let dropped = all.ids.len() - keep;
        let range = match self.vocab {
            LensVocab::Words(_) => 0..keep,
            LensVocab::Chars(_) => dropped..all.ids.len(),
        };
        Ok(Tokens {
            ids: all.ids[range.clone()].to_vec(),
            labels: all.labels[range.clone()].to_vec(),
            unknown: all.unknown[range].to_vec(),
            dropped,
        })
    }

    /// Every token of `text`, none dropped.
    pub(super) fn all_tokens(&self, text: &str) -> Result<Tokens> {
        let tokens = match &self.vocab {
            LensVocab::Words(v) => {
                let labels = tokenize_words(text);
                let ids: Vec<u32> = labels.iter().map(|w| v.id(w)).collect();
                let unknown = ids.iter().map(|&i| i == UNK_ID).collect();
                Tokens {
                    ids,
                    labels,
                    unknown,
                    dropped: 0,
                }
            }
            LensVocab::Chars(v) => {
                let ids = v.encode(text).map_err(Error::Format)?;
                Tokens {
                    unknown: vec![false; ids.len()],
                    labels: text.chars().map(String::from).collect(),
                    ids: ids.into_iter().map(|i| i + FIRST_CHAR_ID).collect(),
                    dropped: 0,
                }
            }
        };
        if tokens.ids.is_empty() {
            return Err(Error::Format(
                "the text has no tokens: type a few words".into(),
            ));
        }
        Ok(tokens)
    }

    /// The ids one row of the model reads for `ids`: a sentence padded with `<pad>` to
    /// the context (as it was trained and as it is classified), a prompt as it is.
    pub(super) fn row(&self, ids: &[u32]) -> Vec<u32> {
        let mut row: Vec<u32> = ids.iter().take(self.context).copied().collect();
        if self.reads_words() {
            row.resize(self.context, PAD_ID);
        }
        row
    }

    /// The attention of every `attn` layer for `text` (see [`TextLens::tokens`]), cut
    /// to the tokens kept: one forward pass, one readback.
    pub async fn attention(&self, text: &str) -> Result<AttentionMaps> {
        let tokens = self.tokens(text)?;
        let row = self.row(&tokens.ids);
        let x: Vec<f32> = row.iter().map(|&i| i as f32).collect();
        let device = self.device();
        let (_, weights) = no_grad(|| {
            self.model
                .forward_with_attention(&Tensor::from_slice(&x, &[1, x.len()], &device), Mode::Eval)
        });
        let (_, layers) = self.read_attention(&[], &weights, tokens.ids.len()).await?;
        Ok(AttentionMaps { tokens, layers })
    }

    /// The device the model's weights live on.
    pub(super) fn device(&self) -> Device {
        self.model
            .params()
            .iter()
            .next()
            .map_or(Device::Cpu, |(_, t)| t.device().clone())
    }

    /// `extra` (the predictions, say) and batch entry 0 of each captured
    /// `[B, H, T, T]` weight tensor, cut to its first `n` queries and keys, as
    /// [`AttentionLayer`]s named after their parameters: one readback for all.
    pub(super) async fn read_attention(
        &self,
        extra: &[&Tensor],
        weights: &[Tensor],
        n: usize,
    ) -> Result<(Vec<Vec<f32>>, Vec<AttentionLayer>)> {
        let firsts: Vec<Tensor> = weights.iter().map(|w| w.narrow(0, 0, 1)).collect();
        let reads: Vec<&Tensor> = extra.iter().copied().chain(&firsts).collect();
        let mut values = Tensor::read_all(&reads).await?.into_iter();
        let extra: Vec<Vec<f32>> = values.by_ref().take(extra.len()).collect();
        let names = attention_layers(&self.model);
        let layers = values
            .zip(&firsts)
            .zip(names)
            .map(|((v, w), (name, causal))| {
                let (heads, t) = (w.dims()[1], w.dims()[3]);
                let heads = (0..heads)
                    .map(|h| {
                        (0..n)
                            .flat_map(|i| {
                                let start = (h * t + i) * t;
                                v[start..start + n].iter().copied()
                            })
                            .collect()
                    })
                    .collect();
                AttentionLayer {
                    name,
                    causal,
                    heads,
                }
            })
            .collect();
        Ok((extra, layers))
    }
}

/// The parameter prefix and causality of every `attn` layer of `model`, in the order
/// they run (the order their parameters are named in).
fn attention_layers(model: &Sequential) -> Vec<(String, bool)> {
    fn walk(layers: &[Layer], prefix: &str, out: &mut Vec<(String, bool)>) {
        for (i, layer) in layers.iter().enumerate() {
            match layer {
                Layer::Attention { causal, .. } => out.push((format!("{prefix}{i}"), *causal)),
                Layer::Residual(body) => walk(body, &format!("{prefix}{i}."), out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(model.layers(), "", &mut out);
    out
}

impl Runner {
    /// A lens through this run's own model (on its device) with its vocabulary; errs
    /// when the run is not on text.
    pub fn text_lens(&self) -> Result<TextLens> {
        let vocab = text_vocab(self.config())?.ok_or_else(|| {
            Error::Config(format!(
                "the run is on {}, not on text",
                self.config().data.name()
            ))
        })?;
        TextLens::new(self.model().clone(), vocab, self.config().context)
    }
}
