//! Reading links: find the fragment, split it, upgrade old versions, read each key
//! through the schema, repair what is inconsistent across keys, and validate.

use super::keys::{FIELDS, RUN_KEY, VERSION_KEY, WEIGHTS_KEY};
use super::migrate::migrate;
use super::tfplayground::{import_pairs, is_tfplayground};
use super::values::{parse_u64_clamped, show, split_pairs};
use super::weights::decode_weights;
use super::{DecodedLink, Warning, MAX_LINK_BYTES};
use crate::error::{Error, Result};
use crate::experiment::limits::{HIDDEN_LAYERS, RUN_STEPS};
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
    let version = match pairs.iter().find(|(k, _)| k == VERSION_KEY) {
        Some((_, v)) => v.trim().parse::<u32>().map_err(|_| {
            Error::Format(format!("the link version v={} is not a number", show(v)))
        })?,
        None if is_tfplayground(&pairs) => return import_pairs(pairs),
        None if pairs.iter().any(|(k, _)| FIELDS.iter().any(|f| f.key == k)) => {
            warnings.push(Warning::new(VERSION_KEY, "missing; read as version 1"));
            1
        }
        None => {
            return Err(Error::Format(
                "no experiment found: a gradlab link starts with #v=1&".into(),
            ))
        }
    };
    let pairs = migrate(version, pairs, &mut warnings)?;
    let mut config = ExperimentConfig::default();
    let mut seen = vec![false; FIELDS.len()];
    let (mut run, mut blob, mut v_seen) = (None, None, false);
    for (key, value) in &pairs {
        let once = |seen: bool, warnings: &mut Vec<Warning>| {
            if seen {
                warnings.push(Warning::new(
                    key,
                    "given more than once; the first value is used",
                ));
            }
            !seen
        };
        match key.as_str() {
            VERSION_KEY => {
                once(v_seen, &mut warnings);
                v_seen = true;
            }
            RUN_KEY => {
                if once(run.is_some(), &mut warnings) {
                    run = Some(value.as_str());
                }
            }
            WEIGHTS_KEY => {
                if once(blob.is_some(), &mut warnings) {
                    blob = Some(value.as_str());
                }
            }
            _ => match FIELDS.iter().position(|f| f.key == key) {
                Some(i) => {
                    if once(seen[i], &mut warnings) {
                        seen[i] = true;
                        if let Some(m) = (FIELDS[i].read)(value, &mut config) {
                            warnings.push(Warning::new(key, m));
                        }
                    }
                }
                None => {
                    warnings.push(Warning::new(shown_key(key), "unknown key; ignored"));
                }
            },
        }
    }
    let defaults = ExperimentConfig::default();
    for (f, _) in FIELDS.iter().zip(&seen).filter(|(_, s)| !**s) {
        let d = (f.write)(&defaults);
        warnings.push(Warning::new(
            f.key,
            format!("missing; the default {d} is used"),
        ));
    }
    let config = finish(config, &mut warnings)?;
    let steps = run.map(
        |v| match parse_u64_clamped(v, RUN_STEPS.min, RUN_STEPS.max) {
            Ok((n, note)) => {
                if let Some(m) = note {
                    warnings.push(Warning::new(RUN_KEY, m));
                }
                n
            }
            Err(e) => {
                warnings.push(Warning::new(RUN_KEY, format!("{e}; no steps are run")));
                0
            }
        },
    );
    let weights = blob.and_then(|b| match decode_weights(b, &config) {
        Ok(w) => Some(w),
        Err(e) => {
            warnings.push(Warning::new(WEIGHTS_KEY, format!("{e}; weights ignored")));
            None
        }
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
    if key.is_empty() {
        "(no key)".to_string()
    } else {
        key.chars().take(40).collect()
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
    let most_layers = HIDDEN_LAYERS.max as usize;
    if c.hidden.len() > most_layers {
        warn(
            "hidden",
            format!(
                "{} layers, at most {most_layers} are allowed; the rest are dropped",
                c.hidden.len()
            ),
        );
        c.hidden.truncate(most_layers);
    }
    if c.activations.len() != c.hidden.len() {
        let fill = c.activations.last().copied().unwrap_or(Activation::Tanh);
        warn(
            "act",
            format!(
                "{} activations for {} hidden layers; {} to one per layer",
                c.activations.len(),
                c.hidden.len(),
                if c.activations.len() > c.hidden.len() {
                    "cut".to_string()
                } else {
                    format!("filled with {} up", fill.name())
                }
            ),
        );
        c.activations.resize(c.hidden.len(), fill);
    }
    if let Some(l) = fitting_loss(&c) {
        let task = if c.data.is_classification() {
            "classification"
        } else {
            "regression"
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
    let (n, n_test) = (examples(&c), test_rows(&c));
    if n_test == 0 || n_test >= n {
        let f = ExperimentConfig::default().test_fraction;
        warn(
            "test",
            format!(
                "{} of {n} examples leaves no training or no test rows; {f} is used",
                c.test_fraction
            ),
        );
        c.test_fraction = f;
    }
    if let Budget::Epochs(e) = c.budget {
        let most = most_epochs(&c);
        if e as u64 > most {
            warn(
                "budget",
                format!("{e} epochs exceed {MAX_STEPS} steps; clamped to {most} epochs"),
            );
            c.budget = Budget::Epochs(most as u32);
        }
    }
    validate(&c)
        .map_err(|e| Error::Format(format!("the link gives an invalid experiment: {e}")))?;
    Ok(c)
}
