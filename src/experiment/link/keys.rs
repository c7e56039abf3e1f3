//! The link schema: one row per key, in the fixed order links are written. Each row
//! both writes its field and reads it back, so parsing and writing cannot drift apart.
//!
//! Keys and value names are part of the link format: **never rename one**. A new field
//! gets a new key (old links then lack it: the reader warns and uses the default); a
//! changed meaning needs a new version and a migration step (see `migrate.rs`).

use super::values::split_list;
use super::values::{fmt_f32, join_list, parse_bool, parse_f32, parse_u64_clamped, show};
use crate::data::{FeatureSet, Pattern2d, RealSet, Regression1d};
use crate::experiment::{BackendChoice, Budget, DataSource, ExperimentConfig, LossKind};
use crate::experiment::{MAX_BATCH_SIZE, MAX_EPOCHS, MAX_HIDDEN_UNITS, MAX_LR, MAX_SAMPLES};
use crate::experiment::{MAX_STEPS, MIN_SAMPLES};
use crate::nn::Activation;
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

/// The config's defaults (the values used for missing or bad fields).
fn dflt() -> ExperimentConfig {
    ExperimentConfig::default()
}

/// One end of a float range: the bound and whether it is included.
type Bound = (f32, bool);

/// Reads a float in `lo..hi`. Outside a closed end it is clamped; outside an open end
/// (where no nearest valid value exists) the default is used.
fn float(v: &str, slot: &mut f32, default: f32, lo: Bound, hi: Bound) -> Option<String> {
    let x = match parse_f32(v) {
        Ok(x) => x,
        Err(e) => {
            *slot = default;
            return Some(format!("{e}; the default {} is used", fmt_f32(default)));
        }
    };
    let below = if lo.1 { x < lo.0 } else { x <= lo.0 };
    let above = if hi.1 { x > hi.0 } else { x >= hi.0 };
    let range = format!(
        "{}{}, {}{}",
        if lo.1 { '[' } else { '(' },
        fmt_f32(lo.0),
        fmt_f32(hi.0),
        if hi.1 { ']' } else { ')' }
    );
    let (to, how) = match (below, above) {
        (false, false) => {
            *slot = x;
            return None;
        }
        (true, _) if lo.1 => (lo.0, "clamped to"),
        (_, true) if hi.1 => (hi.0, "clamped to"),
        _ => (default, "the default is used:"),
    };
    *slot = to;
    Some(format!(
        "{} is outside {range}; {how} {}",
        show(v),
        fmt_f32(to)
    ))
}

/// Reads a whole number in `min..=max` (clamped), or the default when it is no number.
fn whole(v: &str, min: u64, max: u64, default: u64) -> (u64, Option<String>) {
    match parse_u64_clamped(v, min, max) {
        Ok(r) => r,
        Err(e) => (default, Some(format!("{e}; the default {default} is used"))),
    }
}

/// Reads a boolean, or the default.
fn boolean(v: &str, slot: &mut bool, default: bool) -> Option<String> {
    match parse_bool(v) {
        Ok(b) => {
            *slot = b;
            None
        }
        Err(e) => {
            *slot = default;
            Some(format!("{e}; the default {default} is used"))
        }
    }
}

/// Reads one of the names of `all` (ASCII case-insensitive), or the default.
fn named<T: Copy>(
    v: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    default: T,
) -> (T, Option<String>) {
    match all
        .iter()
        .find(|&&t| name(t).eq_ignore_ascii_case(v.trim()))
    {
        Some(&t) => (t, None),
        None => {
            let names: Vec<&str> = all.iter().map(|&t| name(t)).collect();
            let msg = format!(
                "{} is not one of {}; the default {} is used",
                show(v),
                names.join(", "),
                name(default)
            );
            (default, Some(msg))
        }
    }
}

/// The link name of a data source (exhaustive: a new source must be named here).
pub(super) fn data_name(d: DataSource) -> &'static str {
    match d {
        DataSource::Classify2d(p) => match p {
            Pattern2d::Circle => "circle",
            Pattern2d::Xor => "xor",
            Pattern2d::Gauss => "gauss",
            Pattern2d::Spiral => "spiral",
            Pattern2d::Moons => "moons",
        },
        DataSource::Regression1d(r) => match r {
            Regression1d::Linear => "linear",
            Regression1d::Sine => "sine",
        },
        DataSource::Real(s) => match s {
            RealSet::Digits => "digits",
            RealSet::Iris => "iris",
            RealSet::BreastCancer => "breast-cancer",
            RealSet::Wine => "wine",
            RealSet::Diabetes => "diabetes",
        },
    }
}

/// Every data source.
pub(super) fn all_data() -> Vec<DataSource> {
    let mut all: Vec<DataSource> = Pattern2d::ALL.map(DataSource::Classify2d).to_vec();
    all.extend(Regression1d::ALL.map(DataSource::Regression1d));
    all.extend(RealSet::ALL.map(DataSource::Real));
    all
}

/// The link name of an activation.
pub(super) fn act_name(a: Activation) -> &'static str {
    match a {
        Activation::Linear => "linear",
        Activation::Relu => "relu",
        Activation::Tanh => "tanh",
        Activation::Sigmoid => "sigmoid",
        Activation::Gelu => "gelu",
    }
}

fn loss_name(l: LossKind) -> &'static str {
    match l {
        LossKind::Mse => "mse",
        LossKind::Mae => "mae",
        LossKind::CrossEntropy => "cross-entropy",
    }
}

fn opt_name(k: OptimizerKind) -> &'static str {
    match k {
        OptimizerKind::Sgd => "sgd",
        OptimizerKind::Momentum => "momentum",
        OptimizerKind::Adam => "adam",
        OptimizerKind::AdamW => "adamw",
    }
}

fn backend_name(b: BackendChoice) -> &'static str {
    match b {
        BackendChoice::Cpu => "cpu",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Auto => "auto",
    }
}

const BACKENDS: [BackendChoice; 3] = [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Auto];

/// The link names of the seven 2-D features, in [`FeatureSet::flags`] order.
pub(super) const FEATURE_NAMES: [&str; 7] = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];

fn write_features(f: &FeatureSet) -> String {
    let names = f
        .flags()
        .into_iter()
        .zip(FEATURE_NAMES)
        .filter(|(on, _)| *on);
    join_list(names.map(|(_, n)| n.to_string()))
}

fn read_features(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut flags = [false; 7];
    let mut bad = Vec::new();
    for item in items {
        match FEATURE_NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(item))
        {
            Some(i) => flags[i] = true,
            None => bad.push(show(item)),
        }
    }
    c.features = FeatureSet::from_flags(flags);
    (!bad.is_empty() || cut).then(|| {
        format!(
            "ignored {} (features are {})",
            if bad.is_empty() {
                "entries past the limit".to_string()
            } else {
                bad.join(", ")
            },
            FEATURE_NAMES.join(", ")
        )
    })
}

fn read_hidden(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.hidden.clear();
    for item in items {
        match parse_u64_clamped(item, 1, MAX_HIDDEN_UNITS as u64) {
            Ok((n, note)) => {
                c.hidden.push(n as usize);
                notes.extend(note);
            }
            Err(e) => notes.push(format!("{e}; layer dropped")),
        }
    }
    if cut {
        notes.push("too many layers".to_string());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn read_activations(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (items, cut) = split_list(v);
    let mut notes = Vec::new();
    c.activations = items
        .into_iter()
        .map(|item| {
            let (a, note) = named(item, Activation::ALL, act_name, Activation::Tanh);
            notes.extend(note);
            a
        })
        .collect();
    if cut {
        notes.push("too many entries".to_string());
    }
    (!notes.is_empty()).then(|| notes.join("; "))
}

fn write_budget(b: Budget) -> String {
    match b {
        Budget::Epochs(e) => format!("epochs:{e}"),
        Budget::Steps(s) => format!("steps:{s}"),
    }
}

fn read_budget(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let default = dflt().budget;
    let (unit, n) = v.trim().split_once(':').unwrap_or(("", ""));
    let (budget, note) = match unit {
        "epochs" => {
            let (e, note) = whole(n, 1, MAX_EPOCHS as u64, 100);
            (Budget::Epochs(e as u32), note)
        }
        "steps" => {
            let (s, note) = whole(n, 1, MAX_STEPS, 1000);
            (Budget::Steps(s), note)
        }
        _ => (
            default,
            Some(format!(
                "{} is not epochs:N or steps:N; the default {} is used",
                show(v),
                write_budget(default)
            )),
        ),
    };
    c.budget = budget;
    note
}

fn read_clip(v: &str, c: &mut ExperimentConfig) -> Option<String> {
    let (clip, note) = match v.trim() {
        "none" => (None, None),
        // parse_f32 only returns finite values, so any positive one is in (0, f32::MAX].
        t => match parse_f32(t) {
            Ok(x) if x > 0.0 => (Some(x), None),
            Ok(_) => (
                None,
                Some(format!("{} is not above 0; no clipping is used", show(v))),
            ),
            Err(e) => (None, Some(format!("{e}; no clipping is used"))),
        },
    };
    c.optimizer.clip_norm = clip;
    note
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
