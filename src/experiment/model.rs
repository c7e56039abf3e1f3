//! The model a configuration builds, from the config alone (no data loaded): its layer
//! stack, the shape of one input, the shape after each layer and its parameters' names
//! and shapes. Validation, the cost model, the link reader's weight check and the runner
//! all take the model from here, so they cannot disagree.
//!
//! `hidden` and `act` are shorthand for an MLP on flat rows: `dense(h1), act1, ...,
//! dense(outputs)`. An explicit `model` stack sees the data in its natural shape (an
//! image set as `[channels, height, width]`) and must end in `[outputs]`.

use super::config::{DataSource, ExperimentConfig};
use super::limits::{RealLimit, WholeLimit};
use crate::data::RealSet;
use crate::nn::{infer_shapes, mlp_layers, shape_text, Layer, ShapeError};

/// Most layers in a stack, counting those inside residual blocks.
pub const MODEL_LAYERS: WholeLimit = WholeLimit {
    field: "model layers",
    min: 1,
    max: 48,
    default: 3,
    step: 1,
};
/// Output channels of a convolution.
pub const CONV_CHANNELS: WholeLimit = WholeLimit {
    field: "conv channels",
    min: 1,
    max: 512,
    default: 8,
    step: 1,
};
/// Kernel size of a convolution or pooling window.
pub const KERNEL: WholeLimit = WholeLimit {
    field: "kernel",
    min: 1,
    max: 15,
    default: 3,
    step: 1,
};
/// Stride of a convolution or pooling window.
pub const STRIDE: WholeLimit = WholeLimit {
    field: "stride",
    min: 1,
    max: 8,
    default: 1,
    step: 1,
};
/// Zero padding of a convolution.
pub const PADDING: WholeLimit = WholeLimit {
    field: "padding",
    min: 0,
    max: 7,
    default: 0,
    step: 1,
};
/// Token ids of an embedding.
pub const VOCAB: WholeLimit = WholeLimit {
    field: "embed vocab",
    min: 1,
    max: 65_536,
    default: 64,
    step: 1,
};
/// Drop probability of a dropout layer.
pub const DROPOUT: RealLimit = RealLimit {
    field: "dropout p",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: false,
    default: 0.1,
    step: 0.05,
    inset: 0.05,
};

/// The natural shape of one input row (no batch axis) and the number of outputs, of
/// each data source (the vendored sets' pinned by a test against the loaded files).
pub fn data_io(config: &ExperimentConfig) -> (Vec<usize>, usize) {
    match config.data {
        // Two classes from the chosen feature columns.
        DataSource::Classify2d(_) => (vec![config.features.count()], 2),
        DataSource::Regression1d(_) => (vec![1], 1),
        // One value from the chosen feature columns.
        DataSource::Regression2d(_) => (vec![config.features.count()], 1),
        DataSource::Real(set) => match set {
            RealSet::Digits => (vec![1, 8, 8], 10),
            RealSet::Iris => (vec![4], 3),
            RealSet::BreastCancer => (vec![30], 2),
            RealSet::Wine => (vec![13], 3),
            RealSet::Diabetes => (vec![10], 1),
            RealSet::Mnist => (vec![1, 28, 28], 10),
        },
        // `context` token ids; a language model scores every vocabulary entry at each
        // position (see `model_output_shape`), the sentiment model two classes.
        DataSource::Text(set) if set.is_language_model() => {
            (vec![config.context], set.vocab_size())
        }
        DataSource::Text(_) => (vec![config.context], 2),
        // Source ids then the decoder's input ids; a target vocabulary score at each
        // target position (see `runner_seq2seq`).
        DataSource::Dates => (
            vec![crate::data::text::DATE_SOURCE_LEN + crate::data::text::DATE_TARGET_LEN],
            super::runner_seq2seq_spec::date_vocab_sizes().1,
        ),
    }
}

/// The shape a model's output must have per example: `[outputs]`, or for a language
/// model `[context, vocab]` (one score per vocabulary entry at each position).
pub fn model_output_shape(config: &ExperimentConfig) -> Vec<usize> {
    let outputs = data_io(config).1;
    match config.data {
        DataSource::Dates => vec![crate::data::text::DATE_TARGET_LEN, outputs],
        _ if config.data.is_language_model() => vec![config.context, outputs],
        _ => vec![outputs],
    }
}

/// The shape the model is given: flat rows for the MLP shorthand, the data's natural
/// shape for an explicit stack.
pub fn model_input_shape(config: &ExperimentConfig) -> Vec<usize> {
    let (natural, _) = data_io(config);
    match config.model {
        Some(_) => natural,
        None => vec![natural.iter().product()],
    }
}

/// The layer stack `config` builds.
pub fn model_layers(config: &ExperimentConfig) -> Vec<Layer> {
    // The translator is no layer stack: its run holds the encoder-decoder's parameters
    // in a stack without layers (see `runner_seq2seq`).
    if config.data == DataSource::Dates {
        return Vec::new();
    }
    match &config.model {
        Some(layers) => layers.clone(),
        None => mlp_layers(&config.hidden, &config.activations, data_io(config).1),
    }
}

/// The shape after each top-level layer, or why the stack does not fit the data: a
/// layer that cannot take its input, or an output that is not `[outputs]`.
pub fn model_shapes_checked(config: &ExperimentConfig) -> Result<Vec<Vec<usize>>, String> {
    if config.data == DataSource::Dates || config.seq2seq.is_some() {
        let mut problems = Vec::new();
        super::runner_seq2seq_spec::check_translator(config, &mut problems);
        return match problems.is_empty() {
            true => Ok(Vec::new()),
            false => Err(problems.join("; ")),
        };
    }
    let layers = model_layers(config);
    let input = model_input_shape(config);
    let embedding = layers
        .iter()
        .position(|l| matches!(l, Layer::Embedding { .. }));
    if let Some(text) = config.data.text() {
        super::runner_text::check_text_model(&layers, text)?;
    } else if let Some(i) = embedding {
        // No data source holds token ids yet (the language sets will): an embedding
        // would read real values as ids.
        return Err(format!(
            "layer {i} ({}) needs token ids, but {} holds real values",
            layers[i],
            config.data.name()
        ));
    }
    let shapes = infer_shapes(&layers, &input).map_err(|e: ShapeError| e.to_string())?;
    let want = model_output_shape(config);
    let last = shapes.last().cloned().unwrap_or_else(|| input.clone());
    if last != want {
        let hint = if last.len() > want.len() {
            "; add flatten before the last dense layer"
        } else {
            ""
        };
        return Err(format!(
            "the model gives {} per example but the task needs {} ({}){hint}",
            shape_text(&last),
            shape_text(&want),
            if config.data.is_language_model() {
                "one score per vocabulary entry at each position"
            } else if config.data.is_classification() {
                "one score per class"
            } else {
                "one value per target"
            }
        ));
    }
    Ok(shapes)
}

/// The parameters `config`'s model has, in order, with PyTorch names and shapes
/// (`0.weight [h1, in]`, ...); empty when the stack does not fit its data.
pub fn param_shapes(config: &ExperimentConfig) -> Vec<(String, Vec<usize>)> {
    let mut out = Vec::new();
    if let Some(c) = super::runner_seq2seq_spec::seq2seq_config(config) {
        if model_shapes_checked(config).is_ok() {
            out = crate::nn::seq2seq_param_shapes(&c);
        }
        return out;
    }
    if model_shapes_checked(config).is_ok() {
        collect_params(
            &model_layers(config),
            &model_input_shape(config),
            "",
            &mut out,
        );
    }
    out
}

fn collect_params(
    layers: &[Layer],
    input: &[usize],
    prefix: &str,
    out: &mut Vec<(String, Vec<usize>)>,
) {
    let mut shape = input.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        if let Layer::Residual(body) = layer {
            collect_params(body, &shape, &format!("{prefix}{i}."), out);
        }
        for p in layer.param_shapes(&shape) {
            out.push((format!("{prefix}{i}.{}", p.name), p.dims));
        }
        match layer.out_shape(&shape) {
            Ok(s) => shape = s,
            Err(_) => return,
        }
    }
}

/// Per parameter of `config`'s model (in order): whether it is an embedding table, of
/// tokens or of positions (so
/// AdamW's decay can leave it out, see `OptimizerConfig::decay_embeddings`).
pub fn embedding_params(config: &ExperimentConfig) -> Vec<bool> {
    if let Some(c) = super::runner_seq2seq_spec::seq2seq_config(config) {
        let tables = [
            "src_embed.weight",
            "tgt_embed.weight",
            "src_pos.weight",
            "tgt_pos.weight",
        ];
        return crate::nn::seq2seq_param_shapes(&c)
            .iter()
            .map(|(name, _)| tables.contains(&name.as_str()))
            .collect();
    }
    let mut out = Vec::new();
    mark_embeddings(&model_layers(config), &mut out);
    out
}

fn mark_embeddings(layers: &[Layer], out: &mut Vec<bool>) {
    for layer in layers {
        if let Layer::Residual(body) = layer {
            mark_embeddings(body, out);
        }
        // How many parameters a layer has does not depend on its input's sizes (a
        // convolution reads the input's first axis, so the stand-in has three).
        let n = layer.param_shapes(&[1, 1, 1]).len();
        // Token and position tables (`embed`, and the attention layers' `pos`).
        let embedding = matches!(layer.name(), "embed" | "pos");
        out.extend(std::iter::repeat_n(embedding, n));
    }
}

/// Every number of every layer against its limit, and the layer count; messages name
/// the layer by its path.
pub fn check_layer_limits(layers: &[Layer], problems: &mut Vec<String>) {
    let mut count = 0u64;
    check_layers(layers, "", &mut count, problems);
    if !MODEL_LAYERS.contains(count) {
        problems.push(format!(
            "the model has {count} layers; it may have {}",
            MODEL_LAYERS.interval()
        ));
    }
}

fn check_layers(layers: &[Layer], prefix: &str, count: &mut u64, problems: &mut Vec<String>) {
    for (i, layer) in layers.iter().enumerate() {
        *count += 1;
        let mut check = |limit: &WholeLimit, v: usize| {
            if !limit.contains(v as u64) {
                problems.push(format!(
                    "layer {prefix}{i} ({layer}): {} must be in {}, got {v}",
                    limit.field,
                    limit.interval()
                ));
            }
        };
        match layer {
            Layer::Dense { out } => check(&super::limits::HIDDEN_UNITS, *out),
            Layer::Conv2d {
                out,
                kernel,
                stride,
                padding,
            } => {
                check(&CONV_CHANNELS, *out);
                check(&KERNEL, *kernel);
                check(&STRIDE, *stride);
                check(&PADDING, *padding);
            }
            Layer::MaxPool2d { kernel, stride } | Layer::AvgPool2d { kernel, stride } => {
                check(&KERNEL, *kernel);
                check(&STRIDE, *stride);
            }
            Layer::Embedding { vocab, dim } => {
                check(&VOCAB, *vocab);
                check(&super::limits::HIDDEN_UNITS, *dim);
            }
            Layer::Dropout { p } => {
                if !DROPOUT.contains(*p) {
                    problems.push(format!(
                        "layer {prefix}{i} ({layer}): {} must be in {}, got {p}",
                        DROPOUT.field,
                        DROPOUT.interval()
                    ));
                }
            }
            Layer::Residual(body) => check_layers(body, &format!("{prefix}{i}."), count, problems),
            Layer::Flatten
            | Layer::Act(_)
            | Layer::LayerNorm
            | Layer::Pos { .. }
            | Layer::Attention { .. }
            | Layer::MeanPool
            | Layer::Unembed { .. } => {}
        }
    }
}
