//! Taking an experiment further: a PyTorch project that trains it the way gradlab does
//! (`gradlab export --pytorch DIR`, and the page's "Export to PyTorch" zip).
//!
//! The project is a few files, built in memory so the CLI writes them to a folder and the
//! page zips them ([`zip::stored_zip`]):
//! - `train.py`: the model as an `nn.Module` with gradlab's parameter names, gradlab's
//!   batch order (its random stream, re-implemented), loss, optimizer, evaluation and
//!   output files; DistributedDataParallel under `torchrun`.
//! - `data.safetensors`: the train and test rows after gradlab's preprocessing (for the
//!   date translator: source ids, decoder input and targets, as its runner builds them);
//!   for a language model the fixed evaluation windows and the training text's token ids (the
//!   training windows are drawn from them by gradlab's seeded window stream, which
//!   `train.py` re-implements: 4 bytes a token, against 4 (T + 1) bytes a window per
//!   step for a file of the batches themselves).
//! - `init.safetensors`: the initial weights, in gradlab's model file layout.
//! - `README.md`: how to run it on a CPU, a GPU and a cluster, and the link back.
//!
//! What cannot match bit for bit: dropout masks (PyTorch draws its own; the README says
//! so) and float rounding (other kernels sum in other orders: agreement is to about 1e-6
//! per step, which the tests check after several steps).

mod model_code;
mod readme;
pub mod zip;

pub use model_code::{model_source, seq2seq_source};

use crate::backend::Device;
use crate::data::text::split_by_position;
use crate::data::text::DATE_SOURCE_LEN;
use crate::error::{Error, Result};
use crate::experiment::model::{data_io, model_input_shape, model_layers};
use crate::experiment::{
    encode_link, prepare, seq2seq_config, streams, text_tokens, to_safetensors, validate, Budget,
    ExperimentConfig, NamedWeight, PreparedData, DATE_DECODE, EVAL_TEST_ROWS, EVAL_TRAIN_ROWS,
    MAX_HISTORY_POINTS,
};
use crate::nn::{Module, ParamSet, Seq2Seq, Sequential};
use crate::rng::Rng;
use std::fmt::Write as _;

/// The training script's template; `{{SETTINGS}}`, `{{MODEL_CLASSES}}` and `{{MODEL}}`
/// are filled in.
const TRAIN_TEMPLATE: &str = include_str!("train.py");

/// The encoder-decoder's modules, placed in `train.py` for the date translator only.
const SEQ2SEQ_CLASSES: &str = include_str!("seq2seq.py");

/// Rows an evaluation sends through the model at once: the runner's own chunk, so
/// `train.py`'s chunked loss sums in the same order.
use crate::experiment::EVAL_CHUNK_ROWS;

/// The optimizers `train.py`'s `make_optimizer` builds, by gradlab's short names (a kind
/// added to gradlab later is refused by name until it is mapped there).
const EXPORTED_OPTIMIZERS: &[&str] = &["sgd", "momentum", "adam", "adamw"];

/// The text sets `train.py` trains, by gradlab's short names (a set added to gradlab
/// later, with its own task, is refused by name until `train.py` has that task).
const EXPORTED_TEXT_SETS: &[&str] = &["shakespeare", "sentiment"];

/// `Ok` when `name` is one of `mapped`, else an error naming what is not exported yet.
fn check_mapped(what: &str, name: &str, mapped: &[&str]) -> Result<()> {
    if mapped.contains(&name) {
        return Ok(());
    }
    Err(Error::Config(format!(
        "the PyTorch export does not map the `{name}` {what} yet (it maps {})",
        mapped.join(", ")
    )))
}

/// One file of an exported project.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectFile {
    /// The file's name inside the project folder.
    pub name: &'static str,
    /// Its contents.
    pub bytes: Vec<u8>,
}

/// The PyTorch project of `config`: `train.py`, `data.safetensors`, `init.safetensors`
/// and `README.md`, in that order. `label` names the experiment (a preset's name, or
/// `link`). The config is validated first; a layer kind without a PyTorch mapping, or
/// data that cannot be prepared, is an error and nothing is built.
pub fn pytorch_project(config: &ExperimentConfig, label: &str) -> Result<Vec<ProjectFile>> {
    validate(config)?;
    check_mapped(
        "optimizer",
        config.optimizer.kind.name(),
        EXPORTED_OPTIMIZERS,
    )?;
    if let Some(set) = config.data.text() {
        check_mapped("text data set", set.name(), EXPORTED_TEXT_SETS)?;
    }
    let input = model_input_shape(config);
    // The translator is no layer stack: its module is `seq2seq.py`'s, placed before
    // `build_model()`.
    let (classes, model) = match seq2seq_config(config) {
        Some(c) => (
            format!("{}\n\n\n", SEQ2SEQ_CLASSES.trim_end()),
            seq2seq_source(&c, DATE_SOURCE_LEN, &DATE_DECODE),
        ),
        None => (String::new(), model_source(&model_layers(config), &input)?),
    };
    let link = encode_link(config, None, None)?.fragment;
    let data = prepare(config)?;
    let init = initial_weights(config)?;
    let train = TRAIN_TEMPLATE
        .replace("{{SETTINGS}}", &settings(config, label, &link))
        .replace("{{MODEL_CLASSES}}\n", &classes)
        .replace("{{MODEL}}", model.trim_end_matches('\n'));
    Ok(vec![
        ProjectFile {
            name: "train.py",
            bytes: train.into_bytes(),
        },
        ProjectFile {
            name: "data.safetensors",
            bytes: data_file(config, &data, &input)?,
        },
        ProjectFile {
            name: "init.safetensors",
            bytes: to_safetensors(&init, config)?,
        },
        ProjectFile {
            name: "README.md",
            bytes: readme::readme(config, label, &link, &data).into_bytes(),
        },
    ])
}

/// The project of [`pytorch_project`] as a stored zip (the page's download), its files
/// in a folder `gradlab-LABEL-pytorch/`.
pub fn pytorch_zip(config: &ExperimentConfig, label: &str) -> Result<Vec<u8>> {
    let files = pytorch_project(config, label)?;
    let names: Vec<String> = files
        .iter()
        .map(|f| format!("gradlab-{label}-pytorch/{}", f.name))
        .collect();
    let entries: Vec<(&str, &[u8])> = names
        .iter()
        .zip(&files)
        .map(|(n, f)| (n.as_str(), f.bytes.as_slice()))
        .collect();
    zip::stored_zip(&entries)
}

/// The weights a run of `config` starts from: the runner's model (the translator's
/// encoder-decoder, or the layer stack), drawn from the same seeded stream on the CPU
/// (the initial draw is the same on every backend).
pub fn initial_weights(config: &ExperimentConfig) -> Result<Vec<NamedWeight>> {
    let rng = &mut Rng::derive(config.seed, streams::INIT);
    let model_error = |e: &dyn std::fmt::Display| Error::Config(format!("model: {e}"));
    if let Some(c) = seq2seq_config(config) {
        let model = Seq2Seq::new(c, rng, &Device::Cpu).map_err(|e| model_error(&e))?;
        return named_weights(model.params());
    }
    let model = Sequential::with_init(
        &model_layers(config),
        &model_input_shape(config),
        config.init,
        rng,
        &Device::Cpu,
    )
    .map_err(|e| model_error(&e))?;
    named_weights(model.params())
}

/// The values of `params` (on the CPU backend), by name.
fn named_weights(params: &ParamSet) -> Result<Vec<NamedWeight>> {
    params
        .iter()
        .map(|(name, t)| {
            let data = t
                .to_vec_now()
                .ok_or_else(|| Error::Config(format!("cannot read the initial {name}")))?;
            Ok(NamedWeight {
                name: name.to_string(),
                shape: t.dims().to_vec(),
                data,
            })
        })
        .collect()
}

/// `data.safetensors`: `train_x`/`test_x` as `[rows, ...input shape]`, `train_y`/`test_y`
/// as `[rows]` class indices or `[rows, targets]` values, and for standardised
/// regression targets `y_mean` and `y_std` (the metrics are in original units). For a
/// language model the rows are the fixed evaluation windows (targets: the next ids)
/// and `train_tokens` holds the training text's ids (exact in f32: ids < 2^24).
fn data_file(config: &ExperimentConfig, data: &PreparedData, input: &[usize]) -> Result<Vec<u8>> {
    let mut tensors = Vec::new();
    for (split, ds) in [("train", &data.train), ("test", &data.test)] {
        let mut x_shape = vec![ds.n];
        x_shape.extend_from_slice(input);
        let y_shape = if ds.is_classification() {
            vec![ds.n]
        } else {
            vec![ds.n, ds.targets]
        };
        tensors.push(weight(format!("{split}_x"), x_shape, ds.x.clone()));
        tensors.push(weight(format!("{split}_y"), y_shape, ds.y.clone()));
    }
    if let Some(tokens) = lm_train_tokens(config)? {
        let n = tokens.len();
        tensors.push(weight("train_tokens".into(), vec![n], tokens));
    }
    if let Some(s) = &data.y_scaler {
        tensors.push(weight("y_mean".into(), vec![s.dims()], s.mean.clone()));
        tensors.push(weight("y_std".into(), vec![s.dims()], s.std.clone()));
    }
    to_safetensors(&tensors, config)
}

/// The training side of a language model's token ids (the text split by position, as
/// the runner's window stream reads it); `None` for every other config.
fn lm_train_tokens(config: &ExperimentConfig) -> Result<Option<Vec<f32>>> {
    let Some(set) = config.data.text().filter(|s| s.is_language_model()) else {
        return Ok(None);
    };
    let ids = text_tokens(set)?.1;
    let train = split_by_position(&ids, config.test_fraction).0;
    Ok(Some(train.iter().map(|&i| i as f32).collect()))
}

fn weight(name: String, shape: Vec<usize>, data: Vec<f32>) -> NamedWeight {
    NamedWeight { name, shape, data }
}

/// The settings block at the top of `train.py`: every number the run depends on.
fn settings(config: &ExperimentConfig, label: &str, link: &str) -> String {
    let o = &config.optimizer;
    let (epochs, steps) = match config.budget {
        Budget::Epochs(e) => (e.to_string(), "None".to_string()),
        Budget::Steps(s) => ("None".to_string(), s.to_string()),
    };
    let py_bool = |b: bool| if b { "True" } else { "False" };
    let clip = o.clip_norm.map_or("None".to_string(), |c| format!("{c:?}"));
    let mut s = String::new();
    let mut line = |text: String| {
        let _ = writeln!(s, "{text}");
    };
    line(format!("# gradlab link: {link}"));
    line(format!("EXPERIMENT = {}", py_str(label)));
    line(format!("SEED = {}", config.seed));
    let task = if config.data.is_language_model() {
        "language-model"
    } else if seq2seq_config(config).is_some() {
        "translation"
    } else if config.data.is_classification() {
        "classification"
    } else {
        "regression"
    };
    line(format!("TASK = \"{task}\""));
    if config.data.is_language_model() {
        line(format!(
            "CONTEXT = {}  # tokens a window feeds the model",
            config.context
        ));
    }
    let (outputs_note, loss_note) = match task {
        "language-model" => ("token ids scored at each position", "mean over every token"),
        "translation" => (
            "target ids scored at each target position",
            "mean over the targets that are not padding (-1)",
        ),
        _ => ("classes, or target values per row", "mean over the batch"),
    };
    line(format!("OUTPUTS = {}  # {outputs_note}", data_io(config).1));
    line(format!("LOSS = \"{}\"  # {loss_note}", config.loss.name()));
    line(format!("BATCH_SIZE = {}", config.batch_size));
    line(format!("BUDGET_EPOCHS = {epochs}"));
    line(format!("BUDGET_STEPS = {steps}"));
    line(format!(
        "EVAL_EVERY = {}  # steps between evaluations; 0: once per epoch",
        config.eval_every
    ));
    line("OPTIMIZER = {".into());
    line(format!("    \"kind\": \"{}\",", o.kind.name()));
    line(format!("    \"lr\": {:?},", o.lr));
    line(format!("    \"momentum\": {:?},", o.momentum));
    line(format!("    \"nesterov\": {},", py_bool(o.nesterov)));
    line(format!("    \"betas\": ({:?}, {:?}),", o.beta1, o.beta2));
    line(format!("    \"eps\": {:?},", o.eps));
    line(format!(
        "    \"weight_decay\": {:?},  # AdamW's, decoupled",
        o.weight_decay
    ));
    line(format!("    \"l1\": {:?},", o.l1));
    line(format!("    \"l2\": {:?},", o.l2));
    line(format!(
        "    \"clip_norm\": {clip},  # of the global gradient norm"
    ));
    line(format!(
        "    \"schedule\": \"{}\",  # constant, or cosine: warmup then cosine decay",
        o.schedule.name()
    ));
    line(format!("    \"warmup_steps\": {},", o.warmup_steps));
    line(format!(
        "    \"decay_steps\": {},  # the step the cosine reaches min_lr (--steps keeps it)",
        o.decay_steps
    ));
    line(format!("    \"min_lr\": {:?},", o.min_lr));
    line(format!(
        "    \"decay_matrices_only\": {},  # AdamW decays tensors of 2+ axes only",
        py_bool(o.decay_matrices_only)
    ));
    line(format!(
        "    \"decay_embeddings\": {},  # ... and embedding tables only when set",
        py_bool(o.decay_embeddings)
    ));
    line("}".into());
    line(format!(
        "EVAL_TRAIN_ROWS = {EVAL_TRAIN_ROWS}  # the train loss reads the first rows"
    ));
    line(format!(
        "EVAL_TEST_ROWS = {EVAL_TEST_ROWS}  # the test loss and metrics read the first rows"
    ));
    line(format!("EVAL_CHUNK_ROWS = {EVAL_CHUNK_ROWS}"));
    line(format!("MAX_HISTORY_POINTS = {MAX_HISTORY_POINTS}"));
    s.trim_end().to_string()
}

/// A Python string literal (JSON's escapes are Python's too).
fn py_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_mapped_is_refused_by_name() {
        assert_eq!(
            check_mapped("text data set", "sentiment", EXPORTED_TEXT_SETS),
            Ok(())
        );
        let e = check_mapped("text data set", "dates", EXPORTED_TEXT_SETS).unwrap_err();
        assert!(
            e.to_string().ends_with(
                "the PyTorch export does not map the `dates` text data set yet (it maps \
                 shakespeare, sentiment)"
            ),
            "{e}"
        );
    }
}
