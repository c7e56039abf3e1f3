//! The link schema: one row per key, in the fixed order links are written. A row names
//! the key, the config field and how its value is spelled: a number with its range and
//! default from the limit table, a flag, an enum by its `name()`, or a list with its own
//! reader and writer. Each row both writes its field and reads it back, so parsing and
//! writing cannot drift apart, and ranges live only in `experiment::limits`.
//!
//! Keys and value names are part of the link format: **never rename one**. A new field
//! gets a new key (old links then lack it: the reader warns and uses the default); a
//! changed meaning needs a new version and a migration step (see `migrate.rs`).
//!
//! | key | field | values (ranges from `experiment::limits`) |
//! |---|---|---|
//! | `v` | format version | `1` |
//! | `data` | data source | circle, xor, gauss, spiral, moons, linear, sine, digits, iris, breast-cancer, wine, diabetes |
//! | `samples` | generated points | `SAMPLES` (clamped) |
//! | `noise` | noise | `NOISE` (clamped) |
//! | `test` | test fraction | `TEST_FRACTION`, leaving a train and a test row |
//! | `feat` | 2-D features | list of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2, or `none` |
//! | `std` | standardise | true / false (also 1 / 0) |
//! | `hidden` | hidden sizes | list of `HIDDEN_UNITS`, at most `HIDDEN_LAYERS`, or `none` |
//! | `act` | activations | list of linear, relu, tanh, sigmoid, gelu (one per layer) |
//! | `loss` | loss | mse, mae, cross-entropy (fitting the task) |
//! | `opt` | optimizer | sgd, momentum, adam, adamw |
//! | `lr` | learning rate | `LR` |
//! | `momentum`, `beta1`, `beta2` | | `MOMENTUM`, `BETA1`, `BETA2` |
//! | `nesterov` | | true / false |
//! | `eps` | Adam's epsilon | `EPS` |
//! | `wd`, `l1`, `l2` | decay, penalties | `WEIGHT_DECAY`, `L1`, `L2` |
//! | `clip` | gradient-norm clip | `none` or `CLIP_NORM` |
//! | `batch` | batch size | `BATCH_SIZE` |
//! | `budget` | schedule | `epochs:N` (`EPOCHS`) or `steps:N` (`STEPS`) |
//! | `eval` | history interval | `EVAL_EVERY` steps (0: each epoch) |
//! | `seed` | seed | `SEED` |
//! | `backend` | backend | cpu, gpu, auto |
//! | `run` | steps trained so far | 0 to `STEPS.max` (optional) |
//! | `w` | trained weights | base64url blob (optional, see `weights.rs`) |

use super::readers::{dflt, flag, named, read_activations, read_budget, read_clip, real, whole};
use super::readers::{read_features, read_hidden, write_activations, write_budget, write_clip};
use super::readers::{write_features, write_hidden};
use super::values::fmt_f32;
use crate::experiment::limits;
use crate::experiment::ExperimentConfig;

/// The link format written by this version.
pub const CURRENT_VERSION: u32 = 1;

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
    let mut k = vec![VERSION_KEY];
    k.extend(FIELDS.iter().map(|f| f.key));
    k.extend([RUN_KEY, WEIGHTS_KEY]);
    k
}

/// Converts a whole number read within a field's range to the field's type (the
/// ranges of `usize` fields are far below `u32::MAX`, so nothing is cut on wasm32).
trait FromWhole {
    fn from_whole(v: u64) -> Self;
}

impl FromWhole for u64 {
    fn from_whole(v: u64) -> u64 {
        v
    }
}

impl FromWhole for usize {
    fn from_whole(v: u64) -> usize {
        usize::try_from(v).unwrap_or(usize::MAX)
    }
}

/// One schema row: `field!(key, kind, config.path)`, where kind is `whole(LIMIT)`,
/// `real(LIMIT)`, `flag` or `named` (an enum by its `name()`), or `field!(key, custom
/// writer, reader)`.
macro_rules! field {
    ($key:literal, whole($limit:expr), $($f:ident).+) => {
        Field {
            key: $key,
            write: |c| c.$($f).+.to_string(),
            read: |v, c| {
                let (x, note) = whole(v, &$limit);
                c.$($f).+ = FromWhole::from_whole(x);
                note
            },
        }
    };
    ($key:literal, real($limit:expr), $($f:ident).+) => {
        Field {
            key: $key,
            write: |c| fmt_f32(c.$($f).+),
            read: |v, c| {
                let (x, note) = real(v, &$limit);
                c.$($f).+ = x;
                note
            },
        }
    };
    ($key:literal, flag, $($f:ident).+) => {
        Field {
            key: $key,
            write: |c| c.$($f).+.to_string(),
            read: |v, c| {
                let (x, note) = flag(v, dflt().$($f).+);
                c.$($f).+ = x;
                note
            },
        }
    };
    ($key:literal, named, $($f:ident).+) => {
        Field {
            key: $key,
            write: |c| c.$($f).+.name().to_string(),
            read: |v, c| {
                let (x, note) = named(v, dflt().$($f).+);
                c.$($f).+ = x;
                note
            },
        }
    };
    ($key:literal, custom $write:expr, $read:expr) => {
        Field {
            key: $key,
            write: $write,
            read: $read,
        }
    };
}

/// The schema, in link order (after `v`).
pub(super) static FIELDS: &[Field] = &[
    field!("data", named, data),
    field!("samples", whole(limits::SAMPLES), samples),
    field!("noise", real(limits::NOISE), noise),
    field!("test", real(limits::TEST_FRACTION), test_fraction),
    field!("feat", custom write_features, read_features),
    field!("std", flag, standardize),
    field!("hidden", custom write_hidden, read_hidden),
    field!("act", custom write_activations, read_activations),
    field!("loss", named, loss),
    field!("opt", named, optimizer.kind),
    field!("lr", real(limits::LR), optimizer.lr),
    field!("momentum", real(limits::MOMENTUM), optimizer.momentum),
    field!("nesterov", flag, optimizer.nesterov),
    field!("beta1", real(limits::BETA1), optimizer.beta1),
    field!("beta2", real(limits::BETA2), optimizer.beta2),
    field!("eps", real(limits::EPS), optimizer.eps),
    field!("wd", real(limits::WEIGHT_DECAY), optimizer.weight_decay),
    field!("l1", real(limits::L1), optimizer.l1),
    field!("l2", real(limits::L2), optimizer.l2),
    field!("clip", custom write_clip, read_clip),
    field!("batch", whole(limits::BATCH_SIZE), batch_size),
    field!("budget", custom write_budget, read_budget),
    field!("eval", whole(limits::EVAL_EVERY), eval_every),
    field!("seed", whole(limits::SEED), seed),
    field!("backend", named, backend),
];
