//! The link schema: one row per key, in the fixed order links are written. Each row
//! both writes its field and reads it back, so parsing and writing cannot drift apart.
//!
//! Keys and value names are part of the link format: **never rename one**. A new field
//! gets a new key (old links then lack it: the reader warns and uses the default); a
//! changed meaning needs a new version and a migration step (see `migrate.rs`).
//!
//! | key | field | values (range from `validate`) |
//! |---|---|---|
//! | `v` | format version | `1` |
//! | `data` | data source | circle, xor, gauss, spiral, moons, linear, sine, digits, iris, breast-cancer, wine, diabetes |
//! | `samples` | generated points | 10..=100000 (clamped) |
//! | `noise` | noise | [0, 1] (clamped) |
//! | `test` | test fraction | (0, 1), leaving a train and a test row |
//! | `feat` | 2-D features | list of x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2, or `none` |
//! | `std` | standardise | true / false (also 1 / 0) |
//! | `hidden` | hidden sizes | list of 1..=1024, at most 8, or `none` |
//! | `act` | activations | list of linear, relu, tanh, sigmoid, gelu (one per layer) |
//! | `loss` | loss | mse, mae, cross-entropy (fitting the task) |
//! | `opt` | optimizer | sgd, momentum, adam, adamw |
//! | `lr` | learning rate | (0, 10] |
//! | `momentum`, `beta1`, `beta2` | | [0, 1) |
//! | `nesterov` | | true / false |
//! | `eps` | Adam's epsilon | (0, 1] |
//! | `wd`, `l1`, `l2` | decay, penalties | [0, 1] |
//! | `clip` | gradient-norm clip | `none` or > 0 |
//! | `batch` | batch size | 1..=100000 |
//! | `budget` | schedule | `epochs:N` (1..=100000) or `steps:N` (1..=10^7) |
//! | `eval` | history interval | 0..=10^7 steps (0: each epoch) |
//! | `seed` | seed | 0..=2^64-1 |
//! | `backend` | backend | cpu, gpu, auto |
//! | `run` | steps trained so far | 0..=10^7 (optional) |
//! | `w` | trained weights | base64url blob (optional, see `weights.rs`) |

use super::names::{act_name, all_data, backend_name, data_name, loss_name, opt_name, BACKENDS};
use super::readers::{boolean, dflt, float, named, read_activations, read_budget, read_clip};
use super::readers::{read_features, read_hidden, whole, write_budget, write_features};
use super::values::{fmt_f32, join_list};
use crate::experiment::{ExperimentConfig, LossKind, MAX_BATCH_SIZE, MAX_LR, MAX_SAMPLES};
use crate::experiment::{MAX_STEPS, MIN_SAMPLES};
use crate::optim::OptimizerKind;

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

/// The schema, in link order (after `v`).
pub(super) static FIELDS: &[Field] = &[
    Field {
        key: "data",
        write: |c| data_name(c.data).to_string(),
        read: |v, c| {
            let (d, note) = named(v, &all_data(), data_name, dflt().data);
            c.data = d;
            note
        },
    },
    Field {
        key: "samples",
        write: |c| c.samples.to_string(),
        read: |v, c| {
            let (n, note) = whole(
                v,
                MIN_SAMPLES as u64,
                MAX_SAMPLES as u64,
                dflt().samples as u64,
            );
            c.samples = n as usize;
            note
        },
    },
    Field {
        key: "noise",
        write: |c| fmt_f32(c.noise),
        read: |v, c| float(v, &mut c.noise, dflt().noise, (0.0, true), (1.0, true)),
    },
    Field {
        key: "test",
        write: |c| fmt_f32(c.test_fraction),
        read: |v, c| {
            float(
                v,
                &mut c.test_fraction,
                dflt().test_fraction,
                (0.0, false),
                (1.0, false),
            )
        },
    },
    Field {
        key: "feat",
        write: |c| write_features(&c.features),
        read: read_features,
    },
    Field {
        key: "std",
        write: |c| c.standardize.to_string(),
        read: |v, c| boolean(v, &mut c.standardize, dflt().standardize),
    },
    Field {
        key: "hidden",
        write: |c| join_list(c.hidden.iter().map(|h| h.to_string())),
        read: read_hidden,
    },
    Field {
        key: "act",
        write: |c| join_list(c.activations.iter().map(|&a| act_name(a).to_string())),
        read: read_activations,
    },
    Field {
        key: "loss",
        write: |c| loss_name(c.loss).to_string(),
        read: |v, c| {
            let (l, note) = named(v, LossKind::ALL, loss_name, dflt().loss);
            c.loss = l;
            note
        },
    },
    Field {
        key: "opt",
        write: |c| opt_name(c.optimizer.kind).to_string(),
        read: |v, c| {
            let (k, note) = named(v, OptimizerKind::ALL, opt_name, dflt().optimizer.kind);
            c.optimizer.kind = k;
            note
        },
    },
    Field {
        key: "lr",
        write: |c| fmt_f32(c.optimizer.lr),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.lr,
                dflt().optimizer.lr,
                (0.0, false),
                (MAX_LR, true),
            )
        },
    },
    Field {
        key: "momentum",
        write: |c| fmt_f32(c.optimizer.momentum),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.momentum,
                dflt().optimizer.momentum,
                (0.0, true),
                (1.0, false),
            )
        },
    },
    Field {
        key: "nesterov",
        write: |c| c.optimizer.nesterov.to_string(),
        read: |v, c| boolean(v, &mut c.optimizer.nesterov, dflt().optimizer.nesterov),
    },
    Field {
        key: "beta1",
        write: |c| fmt_f32(c.optimizer.beta1),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.beta1,
                dflt().optimizer.beta1,
                (0.0, true),
                (1.0, false),
            )
        },
    },
    Field {
        key: "beta2",
        write: |c| fmt_f32(c.optimizer.beta2),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.beta2,
                dflt().optimizer.beta2,
                (0.0, true),
                (1.0, false),
            )
        },
    },
    Field {
        key: "eps",
        write: |c| fmt_f32(c.optimizer.eps),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.eps,
                dflt().optimizer.eps,
                (0.0, false),
                (1.0, true),
            )
        },
    },
    Field {
        key: "wd",
        write: |c| fmt_f32(c.optimizer.weight_decay),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.weight_decay,
                dflt().optimizer.weight_decay,
                (0.0, true),
                (1.0, true),
            )
        },
    },
    Field {
        key: "l1",
        write: |c| fmt_f32(c.optimizer.l1),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.l1,
                dflt().optimizer.l1,
                (0.0, true),
                (1.0, true),
            )
        },
    },
    Field {
        key: "l2",
        write: |c| fmt_f32(c.optimizer.l2),
        read: |v, c| {
            float(
                v,
                &mut c.optimizer.l2,
                dflt().optimizer.l2,
                (0.0, true),
                (1.0, true),
            )
        },
    },
    Field {
        key: "clip",
        write: |c| c.optimizer.clip_norm.map_or("none".to_string(), fmt_f32),
        read: read_clip,
    },
    Field {
        key: "batch",
        write: |c| c.batch_size.to_string(),
        read: |v, c| {
            let (n, note) = whole(v, 1, MAX_BATCH_SIZE as u64, dflt().batch_size as u64);
            c.batch_size = n as usize;
            note
        },
    },
    Field {
        key: "budget",
        write: |c| write_budget(c.budget),
        read: read_budget,
    },
    Field {
        key: "eval",
        write: |c| c.eval_every.to_string(),
        read: |v, c| {
            let (n, note) = whole(v, 0, MAX_STEPS, dflt().eval_every);
            c.eval_every = n;
            note
        },
    },
    Field {
        key: "seed",
        write: |c| c.seed.to_string(),
        read: |v, c| {
            let (n, note) = whole(v, 0, u64::MAX, dflt().seed);
            c.seed = n;
            note
        },
    },
    Field {
        key: "backend",
        write: |c| backend_name(c.backend).to_string(),
        read: |v, c| {
            let (b, note) = named(v, &BACKENDS, backend_name, dflt().backend);
            c.backend = b;
            note
        },
    },
];
