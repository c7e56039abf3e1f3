//! Importing TensorFlow Playground links (`#activation=tanh&batchSize=10&dataset=circle&
//! ...&networkShape=4,2&seed=0.12345&...&problem=classification`).
//!
//! What maps, and how:
//! - `dataset` (circle, xor, gauss, spiral) -> the same 2-D pattern (our generators follow
//!   TF's `dataset.ts`); 500 points, as TF generates for classification.
//! - `regDataset` with `problem=regression` (reg-plane, reg-gauss) -> the same 2-D
//!   regression surface (generated as TF's `dataset.ts` does), 1200 points as TF, with the
//!   link's feature toggles.
//! - `noise` 0..50 (percent) -> 0..0.5; `percTrainData` 10..90 -> test fraction
//!   `1 - p/100`; `networkShape`, `activation` (every hidden layer), `batchSize`,
//!   `learningRate`, `regularization` + `regularizationRate` -> L1/L2, the feature toggles.
//! - Training is plain SGD on the batch-mean gradient, as TF's. TF ends with one `tanh`
//!   unit trained on squared error against labels -1/+1; gradlab classifies with two
//!   logits and softmax cross-entropy (its native head, same decision rule `p1 > 0.5` as
//!   TF's `output > 0`), and regresses with a linear output on MSE. The boundary a run
//!   learns is comparable, the loss numbers are not.
//! - `seed` (TF's `0.12345` text) -> the integer `12345` (other text: a 64-bit FNV-1a
//!   hash). TF's random generator is not ours, so the data and initial weights differ
//!   from TF Playground's own; a warning says so.
//! - Not mapped, with a warning: `cosX`/`cosY` (no such feature), `initZero=true`.
//!   UI-only keys are ignored silently: `showTestData`, `discretize`, `collectStats`,
//!   `hideText`, `tutorial` and every `*_hide`.

use super::decode::{finish, query_part, shown_key};
use super::values::{parse_bool, parse_f32, parse_u64_clamped, show, split_list, split_pairs};
use super::{DecodedLink, Warning, MAX_LINK_BYTES};
use crate::data::{FeatureSet, Pattern2d, Regression2d};
use crate::error::{Error, Result};
use crate::experiment::limits::{BATCH_SIZE, HIDDEN_UNITS, LR};
use crate::experiment::{DataSource, ExperimentConfig, LossKind};
use crate::nn::Activation;
use crate::optim::OptimizerKind;

/// Keys that only TF Playground links have (not `noise`/`seed`, which ours share).
const TF_KEYS: &[&str] = &[
    "activation",
    "regularization",
    "batchSize",
    "dataset",
    "regDataset",
    "learningRate",
    "regularizationRate",
    "networkShape",
    "percTrainData",
    "x",
    "y",
    "xTimesY",
    "xSquared",
    "ySquared",
    "cosX",
    "sinX",
    "cosY",
    "sinY",
    "problem",
    "initZero",
];

/// TF Playground keys that change only its page, not the experiment.
const UI_ONLY: &[&str] = &[
    "showTestData",
    "discretize",
    "collectStats",
    "hideText",
    "tutorial",
];

/// TF's feature toggles in [`FeatureSet::flags`] order, with its defaults.
const TOGGLES: [(&str, bool); 7] = [
    ("x", true),
    ("y", true),
    ("xSquared", false),
    ("ySquared", false),
    ("xTimesY", false),
    ("sinX", false),
    ("sinY", false),
];

/// True when the pairs hold a key that only TF Playground links use.
pub(super) fn is_tfplayground(pairs: &[(String, String)]) -> bool {
    pairs.iter().any(|(k, _)| TF_KEYS.contains(&k.as_str()))
}

/// Imports a TF Playground link (full URL, `#fragment` or bare). Errs only when the
/// input is over [`MAX_LINK_BYTES`]; everything that does not map becomes a warning.
pub fn import_tfplayground(input: &str) -> Result<DecodedLink> {
    if input.len() > MAX_LINK_BYTES {
        return Err(Error::Format(format!(
            "the link is {} bytes, more than the {MAX_LINK_BYTES} allowed",
            input.len()
        )));
    }
    import_pairs(split_pairs(query_part(input)))
}

/// A TF seed as our integer seed: the digits of `0.DDDDD`, a plain integer, else a hash.
fn seed_of(text: &str) -> u64 {
    let t = text.trim();
    let digits = t.strip_prefix("0.").unwrap_or(t);
    if !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = digits.parse::<u64>() {
            return n;
        }
    }
    // FNV-1a, 64-bit: stable across versions and targets.
    t.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Reads a number in `[lo, hi]` (clamped), or keeps `default`.
fn number(v: &str, lo: f32, hi: f32, default: f32, note: &mut Option<String>) -> f32 {
    match parse_f32(v) {
        Ok(x) if (lo..=hi).contains(&x) => x,
        Ok(x) => {
            let to = x.clamp(lo, hi);
            *note = Some(format!(
                "{} is outside {lo}..={hi}; clamped to {to}",
                show(v)
            ));
            to
        }
        Err(e) => {
            *note = Some(format!("{e}; the default {default} is used"));
            default
        }
    }
}

/// Builds the experiment from the pairs of a TF Playground link.
pub(super) fn import_pairs(pairs: Vec<(String, String)>) -> Result<DecodedLink> {
    let mut warnings = Vec::new();
    let mut c = ExperimentConfig::default();
    let mut seen: Vec<&str> = Vec::new();
    let (mut regression, mut pattern, mut reg) = (false, Pattern2d::Circle, Regression2d::Plane);
    // Regularisation: 0 none, 1 L1, 2 L2 (TF's default is none).
    let (mut act, mut penalty, mut reg_rate) = (Activation::Tanh, 0u8, 0.0f32);
    let mut flags = FeatureSet::default().flags();
    for (key, v) in &pairs {
        let k = key.as_str();
        if k.ends_with("_hide") || UI_ONLY.contains(&k) {
            continue;
        }
        if seen.contains(&k) {
            warnings.push(Warning::new(
                k,
                "given more than once; the first value is used",
            ));
            continue;
        }
        seen.push(k);
        let mut note = None;
        let bad = |what: &str| Some(format!("{} is not {what}; the default is used", show(v)));
        match k {
            "dataset" => match v.as_str() {
                "circle" | "xor" | "gauss" | "spiral" => {
                    pattern = Pattern2d::from_name(v).unwrap_or(Pattern2d::Circle)
                }
                _ => note = bad("circle, xor, gauss or spiral"),
            },
            "regDataset" => match Regression2d::from_name(v) {
                Some(r) => reg = r,
                _ => note = bad("reg-plane or reg-gauss"),
            },
            "problem" => match v.as_str() {
                "classification" => regression = false,
                "regression" => regression = true,
                _ => note = bad("classification or regression"),
            },
            "activation" => match Activation::from_name(v) {
                Some(
                    a @ (Activation::Relu
                    | Activation::Tanh
                    | Activation::Sigmoid
                    | Activation::Linear),
                ) => act = a,
                _ => note = bad("relu, tanh, sigmoid or linear"),
            },
            "regularization" => match v.as_str() {
                "none" => penalty = 0,
                "L1" => penalty = 1,
                "L2" => penalty = 2,
                _ => note = bad("none, L1 or L2"),
            },
            "regularizationRate" => reg_rate = number(v, 0.0, 1.0, 0.0, &mut note),
            "learningRate" => {
                let lr = number(v, LR.lo, LR.hi, LR.default, &mut note);
                c.optimizer.lr = if lr > 0.0 {
                    lr
                } else {
                    note = Some(format!(
                        "{} must be above 0; the default 0.03 is used",
                        show(v)
                    ));
                    0.03
                };
            }
            "noise" => c.noise = number(v, 0.0, 100.0, 0.0, &mut note) / 100.0,
            "percTrainData" => {
                let p = number(v, 10.0, 90.0, 50.0, &mut note) as f64;
                c.test_fraction = ((100.0 - p) / 100.0) as f32;
            }
            "batchSize" => match parse_u64_clamped(v, BATCH_SIZE.min, BATCH_SIZE.max) {
                Ok((n, n_note)) => (c.batch_size, note) = (n as usize, n_note),
                Err(e) => note = Some(format!("{e}; the default 10 is used")),
            },
            "networkShape" => {
                let (items, _) = split_list(v);
                c.hidden.clear();
                for item in items {
                    match parse_u64_clamped(item, HIDDEN_UNITS.min, HIDDEN_UNITS.max) {
                        Ok((n, n_note)) => {
                            c.hidden.push(n as usize);
                            note = note.or(n_note);
                        }
                        Err(e) => note = Some(format!("{e}; layer dropped")),
                    }
                }
            }
            "seed" => {
                c.seed = seed_of(v);
                note = Some(format!(
                    "TF Playground's seed {} is seed {} here; gradlab's random generator \
                     differs, so the data and initial weights are not TF Playground's own",
                    show(v),
                    c.seed
                ));
            }
            "initZero" => match parse_bool(v) {
                Ok(false) => {}
                Ok(true) => {
                    note = Some(
                        "zero initialisation is not supported; random \
                                         initialisation is used"
                            .into(),
                    )
                }
                Err(e) => note = Some(e),
            },
            "cosX" | "cosY" => match parse_bool(v) {
                Ok(false) => {}
                Ok(true) => note = Some("gradlab has no cosine feature; dropped".into()),
                Err(e) => note = Some(e),
            },
            _ => match TOGGLES.iter().position(|(name, _)| *name == k) {
                Some(i) => match parse_bool(v) {
                    Ok(b) => flags[i] = b,
                    Err(e) => note = Some(format!("{e}; the default {} is used", TOGGLES[i].1)),
                },
                None => note = Some("unknown TensorFlow Playground key; ignored".into()),
            },
        }
        if let Some(m) = note {
            warnings.push(Warning::new(shown_key(k), m));
        }
    }
    if regression {
        c.data = DataSource::Regression2d(reg);
        c.samples = 1200;
        c.loss = LossKind::Mse;
    } else {
        c.data = DataSource::Classify2d(pattern);
        c.samples = 500;
        c.loss = LossKind::CrossEntropy;
    }
    c.features = FeatureSet::from_flags(flags);
    c.activations = vec![act; c.hidden.len()];
    c.optimizer.kind = OptimizerKind::Sgd;
    (c.optimizer.l1, c.optimizer.l2) = match penalty {
        1 => (reg_rate, 0.0),
        2 => (0.0, reg_rate),
        _ => (0.0, 0.0),
    };
    let config = finish(c, &mut warnings)?;
    Ok(DecodedLink {
        config,
        steps: None,
        weights: None,
        warnings,
    })
}
