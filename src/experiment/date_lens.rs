//! Looking at what the dates translator makes of a text a person types: the ISO date it
//! writes (greedy decoding or beam search) and, for every decoder block, the
//! cross-attention of each written character over the source characters.
//!
//! A [`DateLens`] holds an encoder-decoder on the CPU backend. The page builds one from
//! the weights it already reads back for its plots ([`DateLens::from_weights`]), so a
//! keystroke costs one decoding on the CPU whatever backend trains; natively
//! [`super::Runner::translate`] decodes through the same [`translate_texts`].

use super::runner_seq2seq::{date_source_ids, DATE_DECODE};
use super::runner_seq2seq_spec::seq2seq_config;
use super::{AttentionLayer, ExperimentConfig, NamedWeight};
use crate::autograd::no_grad;
use crate::backend::Device;
use crate::data::text::{date_vocabs, CharVocab, DATE_SPECIAL_TOKENS};
use crate::error::{Error, Result};
use crate::nn::decode::{beam_search, greedy, MAX_BEAM};
use crate::nn::{ParamSet, Seq2Seq};
use crate::tensor::Tensor;

/// How the source's `<start>` and `<end>` tokens are labelled in the attention map.
pub const START_LABEL: &str = "<s>";
/// The `<end>` token's label (a source's last column, a finished output's last row).
pub const END_LABEL: &str = "</s>";

/// What the translator made of one text.
#[derive(Clone, Debug, PartialEq)]
pub struct DateLook {
    /// The ISO date written (whatever the model writes, even before it has learnt).
    pub output: String,
    /// The source tokens as the columns of the map: `<s>`, each character, `</s>`.
    pub sources: Vec<String>,
    /// The decoder's positions as the rows: each character written, then `</s>` when
    /// the model ended the date.
    pub outputs: Vec<String>,
    /// Per decoder block, the cross-attention weights `[outputs, sources]` per head:
    /// row `t` is what the position that wrote output `t` read from each source token
    /// (each row sums to 1; padding, left out, had exactly 0).
    pub layers: Vec<AttentionLayer>,
}

/// An encoder-decoder on the CPU with the dates vocabularies (see the module's docs).
#[derive(Clone, Debug)]
pub struct DateLens {
    model: Seq2Seq,
}

impl DateLens {
    /// A lens over `model` (its parameters on the CPU backend).
    pub fn new(model: Seq2Seq) -> DateLens {
        DateLens { model }
    }

    /// A lens over `weights` (named and shaped as the run's parameters) of `config`'s
    /// translator; errs when `config` is no translator or the weights do not fit it.
    pub fn from_weights(config: &ExperimentConfig, weights: &[NamedWeight]) -> Result<DateLens> {
        let c = seq2seq_config(config).ok_or_else(|| {
            Error::Config(format!(
                "the run is on {}, not a dates translator",
                config.data.name()
            ))
        })?;
        let mut params = ParamSet::new();
        for w in weights {
            params.push(
                w.name.clone(),
                Tensor::from_slice(&w.data, &w.shape, &Device::Cpu),
            );
        }
        Seq2Seq::from_params(c, params)
            .map(DateLens::new)
            .map_err(Error::Format)
    }

    /// The translation of `text` (greedy for `beam` 1, else beam search of that width)
    /// and the cross-attention that wrote it. Errs as [`translate_texts`] does.
    pub fn look(&self, text: &str, beam: usize) -> Result<DateLook> {
        let (source_vocab, target_vocab) = date_vocabs();
        let source = source_ids(&source_vocab, text, beam)?;
        let written = decode_ids(&self.model, std::slice::from_ref(&source), beam)?
            .pop()
            .unwrap_or_default();
        let ended = written.len() < DATE_DECODE.max_len;
        // The decoder's input: `<start>` and what it wrote (it reads at most `max_tgt`).
        let max_tgt = self.model.config().max_tgt;
        let mut tgt_in = vec![DATE_DECODE.start];
        tgt_in.extend(written.iter().take(max_tgt - 1));
        let chars = source_chars(text);
        let sources: Vec<String> = std::iter::once(START_LABEL.to_string())
            .chain(chars.iter().map(char::to_string))
            .chain(std::iter::once(END_LABEL.to_string()))
            .collect();
        let mut outputs: Vec<String> = written
            .iter()
            .map(|&id| target_label(&target_vocab, id))
            .collect();
        if ended {
            outputs.push(END_LABEL.to_string());
        }
        outputs.truncate(tgt_in.len());
        let layers = self.cross_attention(&source, &tgt_in, outputs.len(), sources.len())?;
        Ok(DateLook {
            output: iso_text(&target_vocab, &written),
            sources,
            outputs,
            layers,
        })
    }

    /// Each decoder block's cross-attention of `tgt_in` over `source`, cut to the first
    /// `rows` positions and `cols` source tokens (the rest is padding).
    fn cross_attention(
        &self,
        source: &[u32],
        tgt_in: &[u32],
        rows: usize,
        cols: usize,
    ) -> Result<Vec<AttentionLayer>> {
        let ids = |v: &[u32]| {
            let f: Vec<f32> = v.iter().map(|&i| i as f32).collect();
            Tensor::from_slice(&f, &[1, v.len()], &Device::Cpu)
        };
        let (src, tgt) = (ids(source), ids(tgt_in));
        let mut layers = Vec::new();
        for layer in 0..self.model.config().decoder_layers {
            let w = no_grad(|| self.model.cross_attention(&src, &tgt, layer))
                .ok_or_else(|| Error::Format(format!("no decoder block {layer}")))?;
            let [h, t, s] = [w.dims()[0], w.dims()[1], w.dims()[2]];
            let values = w
                .to_vec_now()
                .ok_or_else(|| Error::Format("the lens runs on the CPU backend".into()))?;
            let heads = (0..h)
                .map(|head| {
                    (0..rows.min(t))
                        .flat_map(|r| {
                            let row = &values[(head * t + r) * s..][..s];
                            row[..cols.min(s)].to_vec()
                        })
                        .collect()
                })
                .collect();
            layers.push(AttentionLayer {
                name: format!("decoder.layers.{layer}.multihead_attn"),
                causal: false,
                heads,
            });
        }
        Ok(layers)
    }
}

/// The characters of `text` as the translator reads them.
fn source_chars(text: &str) -> Vec<char> {
    text.chars().collect()
}

/// The label of target id `id` (a character, or the special token's name).
fn target_label(vocab: &CharVocab, id: u32) -> String {
    match id.checked_sub(DATE_SPECIAL_TOKENS) {
        Some(c) => vocab.decode(&[c]),
        None => END_LABEL.to_string(),
    }
}

/// The ISO text of decoded target ids (special tokens dropped).
fn iso_text(vocab: &CharVocab, ids: &[u32]) -> String {
    let chars: Vec<u32> = ids
        .iter()
        .filter_map(|&i| i.checked_sub(DATE_SPECIAL_TOKENS))
        .collect();
    vocab.decode(&chars)
}

/// The padded source ids of `text`; errs on a beam out of range, an empty text, a text
/// too long, or a character the model never saw (named).
fn source_ids(vocab: &CharVocab, text: &str, beam: usize) -> Result<Vec<u32>> {
    if !(1..=MAX_BEAM).contains(&beam) {
        return Err(Error::Format(format!(
            "the beam width must be 1 to {MAX_BEAM}, got {beam}"
        )));
    }
    if text.trim().is_empty() {
        return Err(Error::Format("the text is empty; write a date".into()));
    }
    date_source_ids(vocab, text).map_err(|e| Error::Format(format!("{text:?}: {e}")))
}

/// The target ids `model` writes for each padded source: greedy for `beam` 1, else
/// beam search of that width.
fn decode_ids(model: &Seq2Seq, sources: &[Vec<u32>], beam: usize) -> Result<Vec<Vec<u32>>> {
    match beam {
        1 => greedy(model, sources, &DATE_DECODE).map_err(Error::Format),
        k => sources
            .iter()
            .map(|s| beam_search(model, s, k, &DATE_DECODE))
            .collect::<std::result::Result<_, _>>()
            .map_err(Error::Format),
    }
}

/// The ISO date each of `texts` translates to through `model` (on the CPU), by greedy
/// decoding (`beam` 1) or beam search of width `beam` (up to 5). Errs on a beam out of
/// range, an empty text, a text too long, or a character the model never saw.
pub fn translate_texts(model: &Seq2Seq, texts: &[String], beam: usize) -> Result<Vec<String>> {
    let (source_vocab, target_vocab) = date_vocabs();
    let sources = texts
        .iter()
        .map(|t| source_ids(&source_vocab, t, beam))
        .collect::<Result<Vec<_>>>()?;
    Ok(decode_ids(model, &sources, beam)?
        .iter()
        .map(|ids| iso_text(&target_vocab, ids))
        .collect())
}
