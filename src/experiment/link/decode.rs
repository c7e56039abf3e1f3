//! Reading links: find the fragment, split it, upgrade old versions, read each key
//! through the schema, repair what is inconsistent across keys, and validate.

use super::codecs::Codec;
use super::keys::{FIELDS, MODEL_KEY, OPTIONAL_KEYS, RUN_KEY, VERSION_KEY, WEIGHTS_KEY};
use super::migrate::migrate;
use super::tfplayground::{import_pairs, is_tfplayground};
use super::values::{show, split_pairs};
use super::weights::decode_weights;
use super::{DecodedLink, Warning, MAX_LINK_BYTES};
use crate::error::{Error, Result};
use crate::experiment::limits::{HIDDEN_LAYERS, RUN_STEPS};
use crate::experiment::model::{check_layer_limits, model_shapes_checked};
use crate::experiment::validate::{examples, fitting_loss, most_epochs, test_rows};
use crate::experiment::MAX_STEPS;
use crate::experiment::{validate, Budget, ExperimentConfig};
use crate::nn::Activation;

/// The `key=value&...` part of a full URL (`https://host/#v=1&...`), a fragment
/// (`#v=1&...`), a query (`?v=1&...`) or a bare string (`v=1&...`).
pub(super) fn query_part(input: &str) -> &str {
    let s = input.trim();
    match (s.split_once('#'), s.split_once('?')) {
        (Some((_, frag)), _) => frag,
        (None, Some((_, query))) => query,
        (None, None) => s,
    }
}

/// Reads a link (see [`query_part`] for the accepted forms). A TF Playground hash is
/// imported. Errs only when the input is too long, holds no experiment, or names a
/// version this gradlab cannot read; everything else becomes a [`Warning`] and a default.
pub fn decode_link(input: &str) -> Result<DecodedLink> {
    if input.len() > MAX_LINK_BYTES {
        return Err(Error::Format(format!(
            "the link is {} bytes, more than the {MAX_LINK_BYTES} allowed",
            input.len()
        )));
    }
    let pairs = split_pairs(query_part(input));
    let mut warnings = Vec::new();
    let field = |key: &str| FIELDS.iter().find(|f| f.key == key);
    let version = match pairs.iter().find(|(k, _)| k == VERSION_KEY) {
        Some((_, v)) => v.trim().parse::<u32>().map_err(|_| {
            Error::Format(format!("the link version v={} is not a number", show(v)))
        })?,
        None if is_tfplayground(&pairs) => return import_pairs(pairs),
        None if pairs.iter().any(|(k, _)| field(k).is_some()) => {
            warnings.push(Warning::new(VERSION_KEY, "missing; read as version 1"));
            1
        }
        None => {
            let e = "no experiment found: a gradlab link starts with #v=1&";
            return Err(Error::Format(e.into()));
        }
    };
    let pairs = migrate(version, pairs, &mut warnings)?;
    let mut config = ExperimentConfig::default();
    let (mut seen, mut run, mut blob) = (Vec::new(), None, None);
    for (key, value) in &pairs {
        let (k, row) = (key.as_str(), field(key));
        if row.is_none() && ![VERSION_KEY, RUN_KEY, WEIGHTS_KEY].contains(&k) {
            warnings.push(Warning::new(shown_key(k), "unknown key; ignored"));
        } else if seen.contains(&k) {
            let m = "given more than once; the first value is used";
            warnings.push(Warning::new(k, m));
        } else {
            seen.push(k);
            match row {
                Some(f) => {
                    warnings.extend((f.read)(value, &mut config).map(|m| Warning::new(k, m)))
                }
                None if k == RUN_KEY => run = Some(value.as_str()),
                None if k == WEIGHTS_KEY => blob = Some(value.as_str()),
                None => {} // the version, read above
            }
        }
    }
    let defaults = ExperimentConfig::default();
    // `model` is optional (without it, `hidden` and `act` describe the network), and a
    // stack makes `hidden` and `act` unneeded.
    let needed = |key: &str| match key {
        MODEL_KEY => false,
        "hidden" | "act" => config.model.is_none() && config.seq2seq.is_none(),
        k => !OPTIONAL_KEYS.contains(&k),
    };
    // The translator's encoder-decoder has no MLP: no hidden layers, as its preset.
    if config.seq2seq.is_some() && !seen.contains(&"hidden") {
        config.hidden.clear();
        config.activations.clear();
    }
    for f in FIELDS
        .iter()
        .filter(|f| !seen.contains(&f.key) && needed(f.key))
    {
        let m = format!("missing; the default {} is used", (f.write)(&defaults));
        warnings.push(Warning::new(f.key, m));
    }
    let config = finish(config, &mut warnings)?;
    let mut note = |key: &str, m: String| warnings.push(Warning::new(key, m));
    let steps = run.map(|v| {
        let read = Codec::<u64>::read(&RUN_STEPS, v);
        let (n, m) = read.unwrap_or_else(|e| (0, Some(format!("{e}; no steps are run"))));
        if let Some(m) = m {
            note(RUN_KEY, m);
        }
        n
    });
    let weights = blob.and_then(|b| {
        let read = decode_weights(b, &config);
        read.map_err(|e| note(WEIGHTS_KEY, format!("{e}; weights ignored")))
            .ok()
    });
    Ok(DecodedLink {
        config,
        steps,
        weights,
        warnings,
    })
}

/// A user-supplied key as a warning's key: cut to 40 characters, never empty.
pub(super) fn shown_key(key: &str) -> String {
    match key {
        "" => "(no key)".to_string(),
        _ => key.chars().take(40).collect(),
    }
}

/// Repairs what single keys cannot see (layer count, one activation per layer, a loss
/// that fits the task, features, the split, an epoch budget's step count), noting each
/// change, then validates. The checks are the validator's own (`fitting_loss`,
/// `test_rows`, `most_epochs`); an error here means a bug in the repairs, not bad input.
pub(super) fn finish(
    mut c: ExperimentConfig,
    warnings: &mut Vec<Warning>,
) -> Result<ExperimentConfig> {
    let mut warn = |key: &str, m: String| warnings.push(Warning::new(key, m));
    let (most, layers) = (HIDDEN_LAYERS.max as usize, c.hidden.len());
    if layers > most {
        let m = format!("{layers} layers, at most {most} are allowed; the rest are dropped");
        warn("hidden", m);
        c.hidden.truncate(most);
    }
    let (acts, layers) = (c.activations.len(), c.hidden.len());
    if acts != layers {
        let fill = c.activations.last().copied().unwrap_or(Activation::Tanh);
        let how = match acts > layers {
            true => "cut".to_string(),
            false => format!("filled with {} up", fill.name()),
        };
        warn(
            "act",
            format!("{acts} activations for {layers} hidden layers; {how} to one per layer"),
        );
        c.activations.resize(layers, fill);
    }
    if let Some(l) = fitting_loss(&c) {
        let task = match c.data.is_classification() {
            true => "classification",
            false => "regression",
        };
        warn(
            "loss",
            format!(
                "{} does not fit {task}; {} is used",
                c.loss.name(),
                l.name()
            ),
        );
        c.loss = l;
    }
    if c.data.is_plane() && c.features.count() == 0 {
        warn("feat", "no input feature; x1,x2 are used".into());
        c.features = Default::default();
    }
    if c.model.is_some() {
        // The stack replaces `hidden` and `act`: they take no part (and one config has
        // one link). A stack that does not fit its data gives way to the default network.
        (c.hidden, c.activations) = (Vec::new(), Vec::new());
        let mut problems = Vec::new();
        check_layer_limits(c.model.as_deref().unwrap_or_default(), &mut problems);
        if problems.is_empty() {
            problems.extend(model_shapes_checked(&c).err());
        }
        if !problems.is_empty() {
            let m = format!("{}; the default network is used", problems.join("; "));
            warn(MODEL_KEY, m);
            let d = ExperimentConfig::default();
            (c.model, c.hidden, c.activations) = (None, d.hidden, d.activations);
        }
    }
    if c.data.text().is_some() && model_shapes_checked(&c).is_err() {
        // Text needs a stack that starts with an embedding; no default one exists.
        let d = ExperimentConfig::default();
        let m = format!(
            "{} needs a model that starts with embed(...); {} is used",
            c.data.name(),
            d.data.name()
        );
        warn("data", m);
        (c.data, c.features) = (d.data, d.features);
    }
    let (n, n_test) = (examples(&c), test_rows(&c));
    if n_test == 0 || n_test >= n {
        let (f, was) = (ExperimentConfig::default().test_fraction, c.test_fraction);
        let m = format!("{was} of {n} examples leaves no training or no test rows; {f} is used");
        warn("test", m);
        c.test_fraction = f;
    }
    match (c.budget, most_epochs(&c)) {
        (Budget::Epochs(e), most) if e as u64 > most => {
            let m = format!("{e} epochs exceed {MAX_STEPS} steps; clamped to {most} epochs");
            warn("budget", m);
            c.budget = Budget::Epochs(most as u32);
        }
        _ => {}
    }
    validate(&c)
        .map_err(|e| Error::Format(format!("the link gives an invalid experiment: {e}")))?;
    Ok(c)
}
