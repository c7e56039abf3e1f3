//! Token tasks in the runner: language modelling on tiny Shakespeare and sentence
//! classification on the review sentences. The runner's own loop trains them; this
//! file builds their data, checks their models, and holds the language model's
//! training stream and loss.
//!
//! - Language modelling: the text is split by position (`test_fraction` at the end, as
//!   nanoGPT's 90/10); each step draws `batch_size` random windows of `context + 1`
//!   characters from a seeded stream (inputs and next-character targets, `[B, T]`). The
//!   evaluation sets are fixed seeded windows ([`LM_EVAL_WINDOWS`] of the training text,
//!   as many of the validation text), so every evaluation scores the same tokens. The
//!   loss is the mean token cross-entropy; bits per character and perplexity follow.
//! - Sentiment: padded rows of `context` word ids and a label; the existing
//!   classification path (one-hot targets, accuracy, P/R/F1) applies unchanged.

use super::prepare::{streams, PreparedData};
use super::{ExperimentConfig, Metrics};
use crate::backend::Device;
use crate::data::text::{
    load_text, sentiment_split, split_by_position, CharVocab, TextSet, WindowStream,
};
use crate::data::{Dataset, Task};
use crate::error::{Error, Result};
use crate::nn::Layer;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// Windows in each of the language model's fixed evaluation sets (train and
/// validation): nanoGPT's CPU setting, 20 batches of 12 windows (`eval_iters=20`), so
/// its published losses compare; 240 windows of 64 characters are 15,360 tokens.
pub const LM_EVAL_WINDOWS: usize = 240;

/// Why a text model does not fit `set`, if it does not: it must start with an
/// embedding that holds every token id of the set.
pub(super) fn check_text_model(layers: &[Layer], set: TextSet) -> std::result::Result<(), String> {
    match layers.first() {
        Some(Layer::Embedding { vocab, .. }) if *vocab >= set.vocab_size() => Ok(()),
        Some(Layer::Embedding { vocab, .. }) => Err(format!(
            "layer 0 (embed) holds {vocab} token ids but {} has {}; use embed({},...)",
            set.name(),
            set.vocab_size(),
            set.vocab_size()
        )),
        _ => Err(format!(
            "{} gives token ids: the model must start with embed({},...)",
            set.name(),
            set.vocab_size()
        )),
    }
}

/// The language model's loss on model outputs `[B, T, V]` and targets `[B, T]`.
pub(super) fn lm_loss(out: &Tensor, targets: &Tensor) -> Tensor {
    let v = *out
        .dims()
        .last()
        .expect("a language model's output has axes");
    let rows = out.numel() / v.max(1);
    crate::nn::functional::cross_entropy_ids(&out.reshape(&[rows, v]), &targets.reshape(&[rows]))
}

/// The language model's metrics from its mean token losses (nats): bits per character
/// `loss / ln 2` and perplexity `e^loss`, on the validation and the training windows.
pub(super) fn lm_metrics(train_loss: f64, test_loss: f64) -> Metrics {
    let ln2 = std::f64::consts::LN_2;
    Metrics {
        bits_per_char: Some(test_loss / ln2),
        perplexity: Some(test_loss.exp()),
        train_bits_per_char: Some(train_loss / ln2),
        train_perplexity: Some(train_loss.exp()),
        ..Metrics::default()
    }
}

/// Id of the first character in a language model's tokens: id 0 is padding (see
/// `data::text::SHAKESPEARE_IDS`), so a character's token is its vocabulary index + 1.
pub const FIRST_CHAR_ID: u32 = 1;

/// The character vocabulary and token ids of `set`'s text (each character's index in
/// the vocabulary + [`FIRST_CHAR_ID`]).
pub fn text_tokens(set: TextSet) -> Result<(CharVocab, Vec<u32>)> {
    with_tokens(set, |vocab, ids| (vocab.clone(), ids.to_vec()))
}

/// The character vocabulary of `set`'s text.
pub fn text_chars(set: TextSet) -> Result<CharVocab> {
    with_tokens(set, |vocab, _| vocab.clone())
}

/// `f` of the vocabulary and token ids of `set`'s text, worked out once per text.
fn with_tokens<T>(set: TextSet, f: impl FnOnce(&CharVocab, &[u32]) -> T) -> Result<T> {
    let text = load_text(set).map_err(|e| Error::Data(e.to_string()))?;
    let key = (text.as_ptr() as usize, text.len());
    LAST_TOKENS.with_borrow_mut(|last| {
        let kept = match last.take() {
            Some(t) if t.text == key => t,
            _ => Tokens::of(text, key)?,
        };
        let t = last.insert(kept);
        Ok(f(&t.vocab, &t.ids))
    })
}

/// A text's vocabulary and token ids, kept for the next call.
struct Tokens {
    /// The text's address and length: texts are `'static` and never freed, so the pair
    /// names one text.
    text: (usize, usize),
    vocab: CharVocab,
    ids: Vec<u32>,
}

impl Tokens {
    /// The vocabulary and token ids of `text`, kept under `key`.
    fn of(text: &str, key: (usize, usize)) -> Result<Tokens> {
        let vocab = CharVocab::from_text(text);
        let ids = vocab
            .encode(text)
            .map_err(Error::Data)?
            .into_iter()
            .map(|i| i + FIRST_CHAR_ID)
            .collect();
        Ok(Tokens {
            text: key,
            vocab,
            ids,
        })
    }
}

thread_local! {
    /// The last text tokenized (tiny Shakespeare is a million characters): a language
    /// model's run, its views and the auto backend's timing runs all start from it.
    static LAST_TOKENS: std::cell::RefCell<Option<Tokens>> = const { std::cell::RefCell::new(None) };
}

/// The token ids of a language-model config's text, checked to leave a whole window
/// (`context + 1` tokens) on each side of the split.
fn lm_split(config: &ExperimentConfig, set: TextSet) -> Result<Vec<u32>> {
    let ids = text_tokens(set)?.1;
    let train = split_by_position(&ids, config.test_fraction).0.len();
    let shortest = train.min(ids.len() - train);
    if shortest <= config.context {
        return Err(Error::Config(format!(
            "test_fraction {} leaves {shortest} tokens on one side of the split, fewer \
             than one window of context {} + 1",
            config.test_fraction, config.context
        )));
    }
    Ok(ids)
}

/// `n` fixed windows of `tokens` as a table: inputs `[n, T]` and targets `[n, T]`.
fn window_table(tokens: &[u32], n: usize, context: usize, seed: u64) -> Result<Dataset> {
    let b = WindowStream::new(seed, n, context)
        .batch_at(tokens, 0)
        .map_err(Error::Config)?;
    Ok(Dataset {
        x: b.inputs.iter().map(|&i| i as f32).collect(),
        y: b.targets.iter().map(|&i| i as f32).collect(),
        n,
        features: context,
        input_shape: vec![context],
        targets: context,
        feature_names: (0..context).map(|t| format!("token_{t}")).collect(),
        // The targets are token ids, one per position: no class table applies.
        task: Task::Regression,
    })
}

/// The data of a text config: for a language model its fixed evaluation windows (the
/// training batches come from [`LmStream`]); for sentiment the split, padded rows.
pub(super) fn prepare_text(config: &ExperimentConfig, set: TextSet) -> Result<PreparedData> {
    let (train, test) = if set.is_language_model() {
        let ids = lm_split(config, set)?;
        let (train, val) = split_by_position(&ids, config.test_fraction);
        let seed = Rng::derive(config.seed, streams::DATA).next_u64();
        let t = config.context;
        (
            window_table(train, LM_EVAL_WINDOWS, t, seed)?,
            window_table(val, LM_EVAL_WINDOWS, t, seed ^ 1)?,
        )
    } else {
        let tsv = load_text(set).map_err(|e| Error::Data(e.to_string()))?;
        let mut rng = Rng::derive(config.seed, streams::SPLIT);
        let s = sentiment_split(tsv, config.test_fraction, config.context, &mut rng)
            .map_err(|e| Error::Data(e.to_string()))?;
        (s.train, s.test)
    };
    Ok(PreparedData {
        train,
        test,
        x_scaler: None,
        y_scaler: None,
    })
}

/// A language model's training batches: random windows of the training text from a
/// seeded stream; its position is the number of batches drawn.
#[derive(Clone, Debug)]
pub struct LmStream {
    tokens: Vec<u32>,
    stream: WindowStream,
}

impl LmStream {
    /// The stream of a language-model config (`None` for every other config).
    pub(super) fn for_config(config: &ExperimentConfig) -> Result<Option<LmStream>> {
        let Some(set) = config.data.text().filter(|s| s.is_language_model()) else {
            return Ok(None);
        };
        let mut ids = lm_split(config, set)?;
        let cut = split_by_position(&ids, config.test_fraction).0.len();
        ids.truncate(cut);
        let seed = Rng::derive(config.seed, streams::BATCHES).next_u64();
        Ok(Some(LmStream {
            tokens: ids,
            stream: WindowStream::new(seed, config.batch_size, config.context),
        }))
    }

    /// Batches drawn so far.
    pub fn position(&self) -> u64 {
        self.stream.position()
    }

    /// Continue from batch `position`.
    pub fn seek(&mut self, position: u64) {
        self.stream.seek(position)
    }

    /// The next batch on `device`: inputs and targets, each `[B, T]` ids as `f32`.
    pub(super) fn next_batch(&mut self, device: &Device) -> Result<(Tensor, Tensor)> {
        let b = self
            .stream
            .next_batch(&self.tokens)
            .map_err(Error::Config)?;
        let rows = b.starts.len();
        let t = b.inputs.len() / rows.max(1);
        let as_f32 = |v: &[u32]| v.iter().map(|&i| i as f32).collect::<Vec<f32>>();
        Ok((
            Tensor::from_slice(&as_f32(&b.inputs), &[rows, t], device),
            Tensor::from_slice(&as_f32(&b.targets), &[rows, t], device),
        ))
    }
}
