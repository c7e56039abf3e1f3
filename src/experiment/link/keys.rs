//! The link schema: one row per key, in the fixed order links are written. A row names
//! the key, the config field and its [`Codec`]: a limit-table entry for a number (range
//! and default live only in `experiment::limits`), [`ByName`] for an enum, a [`List`],
//! or a codec of its own. The row writes its field and reads it back; a key that is
//! missing or gives no value gets the default config's value, and the warnings say so.
//! A new key is one row (and, for a new kind of value, one codec in `codecs.rs`).
//!
//! Keys and value names are part of the link format: **never rename one**. A new field
//! gets a new key (old links then lack it: the reader warns and uses the default); a
//! changed meaning needs a new version and a migration step (see `migrate.rs`).
//!
//! | key | field | values (ranges from `experiment::limits`) |
//! |---|---|---|
//! | `v` | format version | `1`, or `2` for a layer stack (the oldest that expresses the experiment is written) |
//! | `data` | data source | circle, xor, gauss, spiral, moons, linear, sine, digits, iris, breast-cancer, wine, diabetes |
//! | `samples` | generated points | `SAMPLES` (clamped) |
//! | `noise` | noise | `NOISE` (clamped) |
//! | `test` | test fraction | `TEST_FRACTION`, leaving a train and a test row |
//! | `feat` | 2-D features | list of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2, or `none` |
//! | `std` | standardise | true / false (also 1 / 0) |
//! | `hidden` | hidden sizes | list of `HIDDEN_UNITS`, at most `HIDDEN_LAYERS`, or `none` |
//! | `act` | activations | list of linear, relu, tanh, sigmoid, gelu (one per layer) |
//! | `model` | layer stack (v=2) | the stack's text form (`conv(8,5,1,2),relu,maxpool(2),flatten,dense(10)`, see `nn::layer`) or `none`; a link with a stack has no `hidden` and `act` |
//! | `init` | weight initialisation (optional) | layer, gpt |
//! | `loss` | loss | mse, mae, cross-entropy (fitting the task) |
//! | `opt` | optimizer | sgd, momentum, adam, adamw |
//! | `lr` | learning rate | `LR` |
//! | `momentum`, `beta1`, `beta2` | | `MOMENTUM`, `BETA1`, `BETA2` |
//! | `nesterov` | | true / false |
//! | `eps` | Adam's epsilon | `EPS` |
//! | `wd`, `l1`, `l2` | decay, penalties | `WEIGHT_DECAY`, `L1`, `L2` |
//! | `clip` | gradient-norm clip | `none` or `CLIP_NORM` |
//! | `sched` | learning-rate schedule (optional) | constant, cosine |
//! | `warmup` | warmup steps (optional) | `WARMUP_STEPS` |
//! | `decay` | step the cosine reaches `minlr` (optional) | `DECAY_STEPS` |
//! | `minlr` | floor of the cosine (optional) | `MIN_LR` |
//! | `wdmat` | AdamW decays matrices only, not biases or norms (optional) | true / false |
//! | `wdemb` | AdamW decays embeddings (optional) | true / false |
//! | `batch` | batch size | `BATCH_SIZE` |
//! | `budget` | schedule | `epochs:N` (`EPOCHS`) or `steps:N` (`STEPS`) |
//! | `eval` | history interval | `EVAL_EVERY` steps (0: each epoch) |
//! | `seed` | seed | `SEED` |
//! | `ctx` | tokens per example of a text source (optional) | `CONTEXT` |
//! | `backend` | backend | cpu, gpu, auto |
//! | `run` | steps trained so far | 0 to `STEPS.max` (optional) |
//! | `w` | trained weights | base64url blob (optional, see `weights.rs`) |

use super::codecs::{read_or, ByName, Clip, Codec, Features, Flag, List, Model, Schedule};
use crate::experiment::limits::{self as l, WholeLimit};
use crate::experiment::ExperimentConfig;
use crate::nn::Activation;

/// The link format written by this version.
pub const CURRENT_VERSION: u32 = 2;

/// The version of the link of `config`: the oldest that expresses it. An MLP (no
/// `model`) is written as version 1, exactly as before version 2 existed, so its link,
/// and the model file that stores the link, stay byte for byte the same; a layer stack
/// needs version 2.
pub fn version_for(config: &ExperimentConfig) -> u32 {
    match config.model {
        Some(_) => 2,
        None => 1,
    }
}

/// Whether version `version`'s link of `config` writes `key`: version 1 has no `model`;
/// a version 2 link of a stack leaves out `hidden` and `act`, which the stack replaces.
pub(super) fn writes(key: &str, version: u32) -> bool {
    match key {
        MODEL_KEY => version >= 2,
        "hidden" | "act" => version == 1,
        _ => true,
    }
}

/// Keys written only when their value differs from the default config's, and read as
/// the default without a warning when missing: fields added after version 2 whose
/// default is the behaviour from before, so every link written before them (and every
/// link of a config that leaves them at their defaults) stays byte for byte the same.
pub const OPTIONAL_KEYS: [&str; 8] = [
    "init", "sched", "warmup", "decay", "minlr", "wdmat", "wdemb", "ctx",
];

/// Whether the link of `config` in `version` writes the row `field`: [`writes`], and an
/// optional key only away from its default.
pub(super) fn writes_field(field: &Field, version: u32, config: &ExperimentConfig) -> bool {
    writes(field.key, version)
        && (!OPTIONAL_KEYS.contains(&field.key)
            || (field.write)(config) != (field.write)(&ExperimentConfig::default()))
}

/// The layer stack (version 2).
pub(super) const MODEL_KEY: &str = "model";

/// The version key (always first).
pub(super) const VERSION_KEY: &str = "v";
/// Steps trained so far (written after the config, only when known).
pub(super) const RUN_KEY: &str = "run";
/// The optional weights blob (always last).
pub(super) const WEIGHTS_KEY: &str = "w";

/// One key of the schema.
pub(super) struct Field {
    /// The key as it appears in links.
    pub key: &'static str,
    /// The field's canonical text.
    pub write: fn(&ExperimentConfig) -> String,
    /// Sets the field from `value`; returns a warning message when the value was not
    /// taken as written (then the default or a clamped value is set).
    pub read: fn(&str, &mut ExperimentConfig) -> Option<String>,
}

/// Every key a link may hold, in the order they are written (`v` first, `w` last).
pub fn key_names() -> Vec<&'static str> {
    let fields = FIELDS.iter().map(|f| f.key);
    [VERSION_KEY]
        .into_iter()
        .chain(fields)
        .chain([RUN_KEY, WEIGHTS_KEY])
        .collect()
}

/// `field!(key, config.path, codec)`: the row of `key`, spelling the field by `codec`.
macro_rules! field {
    ($key:literal, $($f:ident).+, $codec:expr) => {
        Field {
            key: $key,
            write: |c| Codec::write(&$codec, &c.$($f).+),
            read: |v, c| {
                let (x, note) = read_or(&$codec, v, ExperimentConfig::default().$($f).+);
                c.$($f).+ = x;
                note
            },
        }
    };
}

/// Hidden layer sizes, each in `HIDDEN_UNITS`; an entry that is no number is dropped
/// (too many layers are cut later, with the other repairs in `decode::finish`).
const HIDDEN: List<WholeLimit, usize> = List {
    item: l::HIDDEN_UNITS,
    fill: None,
    noun: "layer",
};

/// One activation per hidden layer; an unknown name becomes tanh.
const ACTIVATIONS: List<ByName, Activation> = List {
    item: ByName,
    fill: Some(Activation::Tanh),
    noun: "activation",
};

/// The schema, in link order (after `v`).
pub(super) static FIELDS: &[Field] = &[
    field!("data", data, ByName),
    field!("samples", samples, l::SAMPLES),
    field!("noise", noise, l::NOISE),
    field!("test", test_fraction, l::TEST_FRACTION),
    field!("feat", features, Features),
    field!("std", standardize, Flag),
    field!("hidden", hidden, HIDDEN),
    field!("act", activations, ACTIVATIONS),
    field!("model", model, Model),
    field!("init", init, ByName),
    field!("loss", loss, ByName),
    field!("opt", optimizer.kind, ByName),
    field!("lr", optimizer.lr, l::LR),
    field!("momentum", optimizer.momentum, l::MOMENTUM),
    field!("nesterov", optimizer.nesterov, Flag),
    field!("beta1", optimizer.beta1, l::BETA1),
    field!("beta2", optimizer.beta2, l::BETA2),
    field!("eps", optimizer.eps, l::EPS),
    field!("wd", optimizer.weight_decay, l::WEIGHT_DECAY),
    field!("l1", optimizer.l1, l::L1),
    field!("l2", optimizer.l2, l::L2),
    field!("clip", optimizer.clip_norm, Clip),
    field!("sched", optimizer.schedule, ByName),
    field!("warmup", optimizer.warmup_steps, l::WARMUP_STEPS),
    field!("decay", optimizer.decay_steps, l::DECAY_STEPS),
    field!("minlr", optimizer.min_lr, l::MIN_LR),
    field!("wdmat", optimizer.decay_matrices_only, Flag),
    field!("wdemb", optimizer.decay_embeddings, Flag),
    field!("batch", batch_size, l::BATCH_SIZE),
    field!("budget", budget, Schedule),
    field!("eval", eval_every, l::EVAL_EVERY),
    field!("seed", seed, l::SEED),
    field!("ctx", context, l::CONTEXT),
    field!("backend", backend, ByName),
];
