//! The translator in the runner: an encoder-decoder (`nn::Seq2Seq`) trained on the
//! generated dates by the runner's own loop, and using it.
//!
//! - Data: `samples` pairs from `data::text::date_pairs` (seeded by the config's data
//!   stream), `test_fraction` of them on held-out dates. A row holds the source ids
//!   (`<start>`, characters, `<end>`, padding to `DATE_SOURCE_LEN`) then the decoder's
//!   input (`<start>` and the 10 ISO characters: teacher forcing); its targets are the
//!   ISO characters and `<end>`, padding as -1 (ignored by the loss).
//! - Model: the run's `Sequential` has no layers and holds the encoder-decoder's
//!   parameters, so the optimizer, the health check, snapshots, weight files and device
//!   moves treat them as any model's; [`Runner::translator`] reads them as a `Seq2Seq`.
//! - Loss: the mean token cross-entropy over the non-padding targets.
//! - Metrics: token accuracy of the teacher-forced test outputs, and exact match (the
//!   task's metric): the share of test dates whose greedy decoding is the whole ISO date.
//!   Decoding runs on the CPU backend: a GPU run's parameters are read back first.

use super::date_lens::translate_texts;
use super::prepare::{streams, PreparedData};
use super::runner_seq2seq_spec::seq2seq_config;
use super::runner_text_infer::TextVocab;
use super::{DataSource, ExperimentConfig, Metrics, Runner, EVAL_TEST_ROWS};
use crate::backend::Device;
use crate::data::text::{
    date_pairs, date_vocabs, CharVocab, DatePair, DateSplit, DATE_SOURCE_LEN, DATE_TARGET_LEN,
};
use crate::data::{Dataset, Task};
use crate::error::{Error, Result};
use crate::nn::decode::{greedy, DecodeTokens};
use crate::nn::{Mode, Module, ParamSet, Seq2Seq, Sequential};
use crate::rng::Rng;
use crate::tensor::Tensor;

/// `<start>` and `<end>` of the dates data (`<pad>` is 0).
const START: u32 = 1;
const END: u32 = 2;

/// The decode of a dates translator: up to the 10 ISO characters and `<end>`.
pub const DATE_DECODE: DecodeTokens = DecodeTokens {
    start: START,
    end: END,
    max_len: DATE_TARGET_LEN,
};

/// The train and test tables of a dates config (see the module's docs).
pub(super) fn prepare_dates(config: &ExperimentConfig) -> Result<PreparedData> {
    let n = config.samples;
    let test = ((n as f64 * config.test_fraction as f64).round() as usize).min(n);
    let seed = Rng::derive(config.seed, streams::DATA).next_u64();
    let split = date_pairs(n - test, test, seed);
    Ok(PreparedData {
        train: date_table(&split.train, &split)?,
        test: date_table(&split.test, &split)?,
        x_scaler: None,
        y_scaler: None,
    })
}

/// Source ids of `text` padded to `DATE_SOURCE_LEN`; errs on an unknown character or a
/// text too long to fit.
pub fn date_source_ids(vocab: &CharVocab, text: &str) -> std::result::Result<Vec<u32>, String> {
    let chars = text.chars().count();
    if chars + 2 > DATE_SOURCE_LEN {
        return Err(format!(
            "the text has {chars} characters; the translator reads at most {}",
            DATE_SOURCE_LEN - 2
        ));
    }
    DateSplit::encode(vocab, text, DATE_SOURCE_LEN)
}

fn date_table(pairs: &[DatePair], split: &DateSplit) -> Result<Dataset> {
    let (s, t) = (DATE_SOURCE_LEN, DATE_TARGET_LEN);
    let mut x = Vec::with_capacity(pairs.len() * (s + t));
    let mut y = Vec::with_capacity(pairs.len() * t);
    for p in pairs {
        let src = date_source_ids(&split.source_vocab, &p.source).map_err(Error::Data)?;
        let tgt = DateSplit::encode(&split.target_vocab, &p.target, t + 1).map_err(Error::Data)?;
        x.extend(src.iter().chain(&tgt[..t]).map(|&i| i as f32));
        // Padding targets are -1: the token cross-entropy ignores them.
        y.extend(
            tgt[1..]
                .iter()
                .map(|&i| if i == 0 { -1.0 } else { i as f32 }),
        );
    }
    let names = (0..s).map(|i| format!("src_{i}"));
    Ok(Dataset {
        x,
        y,
        n: pairs.len(),
        features: s + t,
        input_shape: vec![s + t],
        targets: t,
        feature_names: names.chain((0..t).map(|i| format!("tgt_{i}"))).collect(),
        // The targets are token ids, one per position: no class table applies.
        task: Task::Regression,
    })
}

/// The run's layerless `Sequential` given the encoder-decoder's parameters, drawn from
/// the init stream; other configs' models are returned as they are.
pub(super) fn with_translator(
    config: &ExperimentConfig,
    mut model: Sequential,
    device: &Device,
) -> Result<Sequential> {
    if let Some(c) = seq2seq_config(config) {
        let rng = &mut Rng::derive(config.seed, streams::INIT);
        let s2s = Seq2Seq::new(c, rng, device).map_err(|e| Error::Config(format!("model: {e}")))?;
        *model.params_mut() = s2s.params().clone();
    }
    Ok(model)
}

/// The character vocabularies a translator's model file stores.
pub(super) fn translator_vocab() -> TextVocab {
    let (source, target) = date_vocabs();
    TextVocab::Dates {
        source: source.as_string(),
        target: target.as_string(),
    }
}

/// Ids of the target tokens up to `<end>` (padding and -1 dropped).
fn target_tokens(row: &[f32]) -> Vec<u32> {
    row.iter()
        .take_while(|&&v| v > 0.0 && v as u32 != END)
        .map(|&v| v as u32)
        .collect()
}

impl Runner {
    /// True when this run trains the dates translator.
    pub fn is_translator(&self) -> bool {
        self.config().data == DataSource::Dates
    }

    /// The encoder-decoder over this run's parameters (`None` for other runs).
    pub fn translator(&self) -> Option<Seq2Seq> {
        let c = seq2seq_config(self.config())?;
        Seq2Seq::from_params(c, self.model().params().clone()).ok()
    }

    /// The translator on the CPU backend (its parameters read back when the run is on
    /// the GPU), for decoding.
    pub async fn cpu_translator(&self) -> Result<Seq2Seq> {
        let c = seq2seq_config(self.config()).ok_or_else(|| self.not_translator())?;
        if *self.device() == Device::Cpu {
            return self.translator().ok_or_else(|| self.not_translator());
        }
        let mut params = ParamSet::new();
        for w in self.weights().await? {
            params.push(w.name, Tensor::from_slice(&w.data, &w.shape, &Device::Cpu));
        }
        Seq2Seq::from_params(c, params).map_err(Error::Format)
    }

    fn not_translator(&self) -> Error {
        Error::Format(format!(
            "the model was trained on {}, not a dates translator",
            self.config().data.name()
        ))
    }

    /// The model's outputs on rows `x`: a translator's logits `[B, T, V]` from the
    /// source and decoder-input columns, or the layer stack's forward pass.
    pub(super) fn model_forward(&self, x: &Tensor, mode: Mode) -> Tensor {
        match self.translator() {
            Some(m) => {
                let s = DATE_SOURCE_LEN;
                let t = x.dims()[1].saturating_sub(s);
                m.forward(&x.narrow(1, 0, s), &x.narrow(1, s, t))
            }
            None => self.model().forward_mode(x, mode),
        }
    }

    /// Token accuracy of the teacher-forced test outputs `out` (`[n, T, V]` logits of
    /// the first test rows) and, on the CPU backend, exact match of greedy decoding.
    pub(super) fn translator_metrics(&self, out: &[f32]) -> Metrics {
        let y = &self.test_data().y;
        let (t, v) = (
            DATE_TARGET_LEN,
            seq2seq_config(self.config()).map_or(1, |c| c.tgt_vocab),
        );
        let (mut right, mut counted) = (0usize, 0usize);
        for (logits, &target) in out.chunks(v).zip(y.iter()) {
            if target < 0.0 {
                continue;
            }
            let best = (0..v).fold(0, |b, i| if logits[i] > logits[b] { i } else { b });
            counted += 1;
            right += usize::from(best as f32 == target);
        }
        let rows = out.len() / (t * v).max(1);
        Metrics {
            token_accuracy: (counted > 0).then(|| right as f64 / counted as f64),
            // On the GPU, `Runner::evaluate` decodes from the parameters read back.
            exact_match: match *self.device() == Device::Cpu {
                true => self
                    .translator()
                    .and_then(|m| self.exact_match(&m, rows).ok()),
                false => None,
            },
            ..Metrics::default()
        }
    }

    /// Share of the first `rows` test dates (at most [`EVAL_TEST_ROWS`]) that `model`
    /// (on the CPU) decodes greedily to the whole ISO date.
    pub(super) fn exact_match(&self, model: &Seq2Seq, rows: usize) -> Result<f64> {
        let test = self.test_data();
        let rows = rows.min(test.n).min(EVAL_TEST_ROWS);
        let (s, w) = (DATE_SOURCE_LEN, test.features);
        let sources: Vec<Vec<u32>> = (0..rows)
            .map(|r| test.x[r * w..r * w + s].iter().map(|&v| v as u32).collect())
            .collect();
        if sources.is_empty() {
            return Ok(0.0);
        }
        let decoded = greedy(model, &sources, &DATE_DECODE).map_err(Error::Format)?;
        let t = test.targets;
        let right = decoded
            .iter()
            .enumerate()
            .filter(|(r, d)| **d == target_tokens(&test.y[r * t..(r + 1) * t]))
            .count();
        Ok(right as f64 / rows as f64)
    }

    /// The ISO date each of `texts` translates to, by greedy decoding (`beam` 1) or beam
    /// search of width `beam` (up to 5). Errs on a run that is no translator, a beam out
    /// of range, an empty text, a text too long, or a character the model never saw.
    pub async fn translate(&self, texts: &[String], beam: usize) -> Result<Vec<String>> {
        if !self.is_translator() {
            return Err(self.not_translator());
        }
        translate_texts(&self.cpu_translator().await?, texts, beam)
    }
}
