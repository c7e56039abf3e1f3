//! Dropout as one setting of the network editor: the drop probability of every dropout
//! layer at the top of the model's stack. The MLP shorthand (`hidden`, `act`) has no
//! dropout, so setting one turns the network into the layer stack it stands for with a
//! `dropout(p)` after each hidden activation; setting 0 takes them out again, and a stack
//! that is then a plain MLP goes back to the shorthand (the link reads as before).

use super::config::ExperimentConfig;
use super::model::{data_io, model_layers, DROPOUT};
use crate::nn::{mlp_layers, Activation, Layer};

/// The drop probability of the model's first top-level dropout layer (0 without one).
pub fn dropout_of(config: &ExperimentConfig) -> f32 {
    model_layers(config)
        .iter()
        .find_map(|l| match l {
            Layer::Dropout { p } => Some(*p),
            _ => None,
        })
        .unwrap_or(0.0)
}

/// Whether the dropout setting applies to the model: it has top-level dropout layers,
/// or a hidden dense layer with its activation to put one after.
pub fn dropout_applies(config: &ExperimentConfig) -> bool {
    let layers = model_layers(config);
    has_dropout(&layers) || !hidden_activations(&layers).is_empty()
}

/// `config` with dropout `p` (clamped into the dropout limit's range): every top-level
/// dropout layer takes `p`; a stack without one gets a `dropout(p)` after each hidden
/// dense layer's activation; `p = 0` removes them all. `None` when nothing changes.
pub fn with_dropout(config: &ExperimentConfig, p: f32) -> Option<ExperimentConfig> {
    let p = if p.is_finite() { p } else { 0.0 };
    let p = p.clamp(0.0, DROPOUT.hi - DROPOUT.inset);
    let layers = model_layers(config);
    let new: Vec<Layer> = if p == 0.0 {
        layers
            .iter()
            .filter(|l| !matches!(l, Layer::Dropout { .. }))
            .cloned()
            .collect()
    } else if has_dropout(&layers) {
        layers
            .iter()
            .map(|l| match l {
                Layer::Dropout { .. } => Layer::Dropout { p },
                other => other.clone(),
            })
            .collect()
    } else {
        let after = hidden_activations(&layers);
        let mut out = Vec::with_capacity(layers.len() + after.len());
        for (i, l) in layers.iter().enumerate() {
            out.push(l.clone());
            if after.contains(&i) {
                out.push(Layer::Dropout { p });
            }
        }
        out
    };
    if new == layers {
        return None;
    }
    let mut c = config.clone();
    match as_mlp(&new, data_io(config).1).filter(|_| !config.data.is_language_model()) {
        Some((hidden, activations)) if config.data.text().is_none() => {
            (c.model, c.hidden, c.activations) = (None, hidden, activations);
        }
        _ => c.model = Some(new),
    }
    Some(c)
}

fn has_dropout(layers: &[Layer]) -> bool {
    layers.iter().any(|l| matches!(l, Layer::Dropout { .. }))
}

/// Indices of the activations that directly follow a dense layer which is not the last
/// layer (the hidden layers' activations).
fn hidden_activations(layers: &[Layer]) -> Vec<usize> {
    (1..layers.len().saturating_sub(1))
        .filter(|&i| {
            matches!(layers[i], Layer::Act(_)) && matches!(layers[i - 1], Layer::Dense { .. })
        })
        .collect()
}

/// The hidden sizes and activations of a stack that is exactly the MLP shorthand's
/// (`dense(h), act, ..., dense(outputs)`), else `None`.
fn as_mlp(layers: &[Layer], outputs: usize) -> Option<(Vec<usize>, Vec<Activation>)> {
    let (last, body) = layers.split_last()?;
    if *last != (Layer::Dense { out: outputs }) || body.len() % 2 != 0 {
        return None;
    }
    let mut hidden = Vec::new();
    let mut activations = Vec::new();
    for pair in body.chunks(2) {
        match pair {
            [Layer::Dense { out }, Layer::Act(a)] => {
                hidden.push(*out);
                activations.push(*a);
            }
            _ => return None,
        }
    }
    (mlp_layers(&hidden, &activations, outputs) == layers).then_some((hidden, activations))
}
