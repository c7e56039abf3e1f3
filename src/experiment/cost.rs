//! The cost model: how much work and memory a configuration asks for, computed from
//! the config alone, before any data or tensor is allocated.
//!
//! A model is a stack of layers, each described by a [`LayerCost`]: its parameters and
//! what it costs **per example row** (every layer's work and memory grow linearly with
//! the rows of a batch). [`Cost::of`] builds the MLP's stack from a config;
//! [`Cost::from_stack`] sums any stack, so a convolution or attention layer only needs
//! its own `LayerCost` constructor to be judged like a dense one.
//!
//! Counting rules (FLOPs are floating-point operations, an add or a multiply each):
//! - a matmul of `(B, i) x (i, o)` is `2 B i o`; backward needs two of them (`dX` and
//!   `dW`), so `4 B i o`;
//! - an elementwise op is 1 FLOP per element (transcendentals too: their cost varies by
//!   backend and the matmuls dominate), and its backward rule 2 per element;
//! - a reduction is 1 FLOP per element it reads;
//! - every op of the graph keeps its output for backward, so a layer keeps one value
//!   per row for each op it applies per output unit.

use super::config::{Budget, DataSource, ExperimentConfig, LossKind};
use super::link::model_shapes;
use super::validate::real_rows;
use crate::nn::Activation;
use crate::optim::{OptimizerConfig, OptimizerKind};

/// Bytes of one value: every tensor is `f32`.
pub const VALUE_BYTES: u64 = 4;

/// Cells of the page's decision-boundary grid (40 x 40; `GRID` in `ui/snapshot.rs`),
/// evaluated through every layer at each refresh of a 2-D classification.
pub const PAGE_GRID_CELLS: u64 = 40 * 40;
/// Inputs of the page's fitted curve of a 1-D regression (`CURVE_POINTS`).
pub const PAGE_CURVE_POINTS: u64 = 120;
/// Test digits the page's digits view predicts (`DIGITS_SHOWN`).
pub const PAGE_DIGITS_SHOWN: u64 = 24;

/// Backward FLOPs per forward FLOP of an elementwise op (its rule reads the output or
/// input and multiplies by the incoming gradient: about two ops per element).
const ELEMENTWISE_BACKWARD: f64 = 2.0;

/// What one layer of a stack costs, per example row (a row of a batch or of an
/// evaluated set), plus its parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerCost {
    /// What the layer is (`dense 7->8 tanh`), for tables and messages.
    pub name: String,
    /// Parameter values (weights and biases).
    pub params: u64,
    /// Values of the layer's largest parameter tensor.
    pub largest_param: u64,
    /// Forward FLOPs per row.
    pub forward_flops: f64,
    /// Backward FLOPs per row (gradients of the inputs and of the parameters).
    pub backward_flops: f64,
    /// Values per row the graph keeps for backward (the output of each op).
    pub kept_values: u64,
    /// Values per row of the layer's output (what the next layer reads).
    pub output_values: u64,
}

impl LayerCost {
    /// A dense layer `inputs -> outputs` (`y = x W^T + b`), then `activation` (none for
    /// the output layer). Per row: the matmul `2 i o`, the bias `o`, the activation
    /// `o * ops(a)` forward; `4 i o + o + 2 o ops(a)` backward; it keeps the matmul's
    /// and the bias add's outputs and each activation op's (`o (2 + ops(a))`).
    pub fn dense(inputs: u64, outputs: u64, activation: Option<Activation>) -> LayerCost {
        let (i, o) = (inputs, outputs);
        let ops = activation.map_or(0, activation_ops);
        let name = match activation {
            Some(a) => format!("dense {i}->{o} {}", a.name()),
            None => format!("dense {i}->{o}"),
        };
        LayerCost {
            name,
            params: i * o + o,
            largest_param: i * o,
            forward_flops: (2 * i * o + o + o * ops) as f64,
            backward_flops: (4 * i * o + o) as f64 + ELEMENTWISE_BACKWARD * (o * ops) as f64,
            kept_values: o * (2 + ops),
            output_values: o,
        }
    }

    /// The loss over `outputs` model outputs per row (no parameters). Cross-entropy from
    /// logits is 7 ops per output (max, shift, exp, sum, shift by the log-sum, times the
    /// target, sum) keeping 4; MSE and MAE are 3 (difference, square or abs, mean)
    /// keeping 2; MSE on a classification applies a softmax first (5 more, 3 kept).
    pub fn loss(loss: LossKind, classification: bool, outputs: u64) -> LayerCost {
        let (ops, kept) = match (loss, classification) {
            (LossKind::CrossEntropy, _) => (7, 4),
            (LossKind::Mse, true) => (8, 5),
            (LossKind::Mse, false) | (LossKind::Mae, _) => (3, 2),
        };
        LayerCost {
            name: format!("loss {}", loss.name()),
            params: 0,
            largest_param: 0,
            forward_flops: (ops * outputs) as f64,
            backward_flops: ELEMENTWISE_BACKWARD * (ops * outputs) as f64,
            kept_values: kept * outputs,
            output_values: 1,
        }
    }
}

/// Primitive elementwise ops an activation applies per element (GELU's tanh
/// approximation is 9: `x*x`, `*x`, `*0.044715`, `x+`, `*c`, `tanh`, `+1`, `x*`, `*0.5`).
pub fn activation_ops(a: Activation) -> u64 {
    match a {
        Activation::Linear => 0,
        Activation::Relu | Activation::Tanh | Activation::Sigmoid => 1,
        Activation::Gelu => 9,
    }
}

/// Arithmetic ops per parameter of one optimizer update (the loop of the fused update,
/// constants hoisted): the regularised gradient `g + l2 p + l1 sign(p)` is 5; SGD adds
/// `p -= lr g` (2); momentum `buf = m buf + (1 - d) g` and `p -= lr buf` (5, Nesterov
/// 2 more); Adam both moments (7), the denominator (3) and the update (3); AdamW the
/// decoupled decay (1 more). Clipping adds the norm's square and sum and the scaling (3).
pub fn optimizer_ops(o: &OptimizerConfig) -> u64 {
    let rule = match o.kind {
        OptimizerKind::Sgd => 2,
        OptimizerKind::Momentum if o.nesterov => 7,
        OptimizerKind::Momentum => 5,
        OptimizerKind::Adam => 13,
        OptimizerKind::AdamW => 14,
    };
    5 + rule + if o.clip_norm.is_some() { 3 } else { 0 }
}

/// State values the optimizer keeps per parameter (momentum's buffer; Adam's moments).
pub fn optimizer_state_values(kind: OptimizerKind) -> u64 {
    match kind {
        OptimizerKind::Sgd => 0,
        OptimizerKind::Momentum => 1,
        OptimizerKind::Adam | OptimizerKind::AdamW => 2,
    }
}

/// How many rows each part of a run touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    /// Training rows.
    pub train: u64,
    /// Test rows.
    pub test: u64,
    /// Rows of one training batch (`batch_size`, at most the training rows).
    pub batch: u64,
    /// Rows the page evaluates at each refresh to draw the model (grid, curve, digits).
    pub view: u64,
    /// Model inputs per row.
    pub inputs: u64,
    /// Model outputs per row (classes, or regression targets).
    pub outputs: u64,
}

impl Rows {
    /// The rows of `config` (the split rounds as `data::train_test_split` does).
    pub fn of(config: &ExperimentConfig) -> Rows {
        let n = match config.data {
            DataSource::Real(set) => real_rows(set),
            _ => config.samples,
        } as u64;
        let f = config.test_fraction as f64;
        let test = if f.is_finite() {
            ((n as f64 * f).round() as u64).min(n)
        } else {
            0
        };
        let train = n - test;
        let shapes = model_shapes(config);
        let inputs = shapes.first().map_or(0, |(_, s)| s[1]) as u64;
        let outputs = shapes.last().map_or(0, |(_, s)| s[0]) as u64;
        let view = match config.data {
            DataSource::Classify2d(_) => PAGE_GRID_CELLS,
            DataSource::Regression1d(_) => PAGE_CURVE_POINTS,
            DataSource::Real(crate::data::RealSet::Digits) => PAGE_DIGITS_SHOWN,
            DataSource::Real(_) => 0,
        };
        Rows {
            train,
            test,
            batch: (config.batch_size as u64).min(train),
            view,
            inputs,
            outputs,
        }
    }
}

/// What a configuration costs. FLOPs as `f64` (they can pass `u64` only in theory, but
/// products of limits overflow `u32`), bytes as `u64`.
#[derive(Clone, Debug, PartialEq)]
pub struct Cost {
    /// The rows used.
    pub rows: Rows,
    /// The layers, loss last.
    pub layers: Vec<LayerCost>,
    /// Parameter values of the model.
    pub params: u64,
    /// Forward FLOPs of one step (batch rows through every layer and the loss).
    pub step_forward_flops: f64,
    /// Backward FLOPs of one step.
    pub step_backward_flops: f64,
    /// FLOPs of one optimizer update of every parameter.
    pub step_optimizer_flops: f64,
    /// FLOPs of one evaluation: train and test sets through the model and the loss.
    pub eval_flops: f64,
    /// FLOPs of one page refresh's view (decision grid, fitted curve, digits).
    pub view_flops: f64,
    /// Bytes the graph of one step keeps for backward (batch, layer and loss outputs).
    pub activation_bytes: u64,
    /// Bytes of the parameters (the gradients take as many again).
    pub param_bytes: u64,
    /// Bytes of the optimizer's state.
    pub optimizer_state_bytes: u64,
    /// Bytes of the train and test inputs and targets on the device.
    pub data_bytes: u64,
    /// Bytes an evaluation holds at once (every layer's output for the larger split,
    /// plus the widest intermediate twice).
    pub eval_bytes: u64,
    /// Bytes of the largest single buffer (data, a parameter, an activation).
    pub largest_buffer_bytes: u64,
    /// Optimizer steps of the whole budget.
    pub run_steps: u64,
    /// FLOPs of the whole run: every step and every history point's evaluation.
    pub run_flops: f64,
}

impl Cost {
    /// The cost of `config`'s MLP. Works on any config (no allocation, saturating
    /// arithmetic), valid or not.
    pub fn of(config: &ExperimentConfig) -> Cost {
        let rows = Rows::of(config);
        let mut sizes = vec![rows.inputs];
        sizes.extend(config.hidden.iter().map(|&h| h as u64));
        sizes.push(rows.outputs);
        let mut layers: Vec<LayerCost> = sizes
            .windows(2)
            .enumerate()
            .map(|(l, w)| LayerCost::dense(w[0], w[1], config.activations.get(l).copied()))
            .collect();
        layers.push(LayerCost::loss(
            config.loss,
            config.data.is_classification(),
            rows.outputs,
        ));
        let steps = match config.budget {
            Budget::Epochs(e) => (e as u64).saturating_mul(rows.train.div_ceil(rows.batch.max(1))),
            Budget::Steps(s) => s,
        };
        let every = match config.eval_every {
            0 => rows.train.div_ceil(rows.batch.max(1)).max(1),
            n => n,
        };
        Cost::from_stack(layers, rows, &config.optimizer, steps, every)
    }

    /// The cost of any stack of layers (the loss last) trained `steps` steps with
    /// `optimizer`, evaluated every `eval_every` steps. The sums:
    /// - step forward = `B * sum(forward)`, backward = `B * sum(backward)`, optimizer =
    ///   `P * optimizer_ops`;
    /// - evaluation = `(train + test) * sum(forward)`; view = `view rows * sum(forward
    ///   of the model layers)`;
    /// - activations = `4 B (inputs + outputs + sum(kept))` (the gathered batch and its
    ///   targets, then every op's output);
    /// - data = `4 (train + test) (inputs + outputs)`;
    /// - evaluation bytes = `4 max(train, test) (sum(outputs) + 2 widest)`: the forward
    ///   keeps every layer's output, and the widest layer has its input and output alive;
    /// - largest buffer = `4 max(rows * widest, largest parameter)` over the batch, the
    ///   evaluated split and the data.
    pub fn from_stack(
        layers: Vec<LayerCost>,
        rows: Rows,
        optimizer: &OptimizerConfig,
        steps: u64,
        eval_every: u64,
    ) -> Cost {
        let b = rows.batch as f64;
        let sum = |f: fn(&LayerCost) -> f64| layers.iter().map(f).sum::<f64>();
        let forward = sum(|l| l.forward_flops);
        let params: u64 = layers.iter().map(|l| l.params).sum();
        let model = &layers[..layers.len().saturating_sub(1)];
        let model_forward: f64 = model.iter().map(|l| l.forward_flops).sum();
        let kept: u64 = layers.iter().map(|l| l.kept_values).sum();
        let outputs: u64 = model.iter().map(|l| l.output_values).sum();
        let widest = model
            .iter()
            .map(|l| l.output_values)
            .chain([rows.inputs, rows.outputs])
            .max()
            .unwrap_or(0);
        let largest_param = layers.iter().map(|l| l.largest_param).max().unwrap_or(0);
        let split = rows.train.max(rows.test);
        let eval_flops = (rows.train + rows.test) as f64 * forward;
        let step_flops = b * forward
            + b * sum(|l| l.backward_flops)
            + (params * optimizer_ops(optimizer)) as f64;
        let evals = steps.div_ceil(eval_every.max(1)).saturating_add(1);
        let bytes = |values: u64| values.saturating_mul(VALUE_BYTES);
        Cost {
            rows,
            params,
            step_forward_flops: b * forward,
            step_backward_flops: b * sum(|l| l.backward_flops),
            step_optimizer_flops: (params * optimizer_ops(optimizer)) as f64,
            eval_flops,
            view_flops: rows.view as f64 * model_forward,
            activation_bytes: bytes(rows.batch.saturating_mul(rows.inputs + rows.outputs + kept)),
            param_bytes: bytes(params),
            optimizer_state_bytes: bytes(params * optimizer_state_values(optimizer.kind)),
            data_bytes: bytes((rows.train + rows.test).saturating_mul(rows.inputs + rows.outputs)),
            eval_bytes: bytes(split.saturating_mul(outputs + 2 * widest)),
            largest_buffer_bytes: bytes(
                split
                    .max(rows.batch)
                    .saturating_mul(widest)
                    .max(largest_param),
            ),
            run_steps: steps,
            run_flops: steps as f64 * step_flops + evals as f64 * eval_flops,
            layers,
        }
    }

    /// FLOPs of one training step: forward, backward and the optimizer update.
    pub fn step_flops(&self) -> f64 {
        self.step_forward_flops + self.step_backward_flops + self.step_optimizer_flops
    }

    /// FLOPs of one evaluation as the page does it: the history point's evaluation
    /// plus the refresh's view.
    pub fn page_eval_flops(&self) -> f64 {
        self.eval_flops + self.view_flops
    }

    /// Bytes held at the peak: parameters, their gradients, the optimizer state and the
    /// data always, plus the larger of a step's kept activations (with gradients of
    /// the same size in flight during backward, so twice) and an evaluation's outputs.
    pub fn held_bytes(&self) -> u64 {
        let always = self.param_bytes * 2 + self.optimizer_state_bytes + self.data_bytes;
        always.saturating_add(self.activation_bytes.saturating_mul(2).max(self.eval_bytes))
    }

    /// Bytes the process holds at the peak: [`Cost::held_bytes`] plus the host's own
    /// copy of the data (on the CPU backend both live in the same memory).
    pub fn process_bytes(&self) -> u64 {
        self.held_bytes().saturating_add(self.data_bytes)
    }

    /// One line for people: `3.2 GFLOP per step, 1.1 GFLOP per evaluation, 410 MB held`.
    pub fn summary(&self) -> String {
        format!(
            "{} per step, {} per evaluation, {} held",
            flops(self.step_flops()),
            flops(self.page_eval_flops()),
            bytes(self.held_bytes())
        )
    }
}

/// FLOPs for people: `3.2 GFLOP`, `850 kFLOP`, three significant digits at most.
pub fn flops(v: f64) -> String {
    scaled(v, "FLOP")
}

/// Bytes for people, in powers of 1000: `410 MB`, `4.29 GB`.
pub fn bytes(v: u64) -> String {
    scaled(v as f64, "B")
}

/// `v` with an SI prefix and at most three significant digits.
fn scaled(v: f64, unit: &str) -> String {
    const PREFIXES: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    let mut x = v.max(0.0);
    let mut p = 0;
    while x >= 999.5 && p + 1 < PREFIXES.len() {
        x /= 1000.0;
        p += 1;
    }
    let digits = if x >= 99.95 {
        0
    } else if x >= 9.995 {
        1
    } else {
        2
    };
    let text = format!("{x:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text} {}{unit}", PREFIXES[p])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_with_three_significant_digits() {
        assert_eq!(flops(3.2e9), "3.2 GFLOP");
        assert_eq!(flops(0.0), "0 FLOP");
        assert_eq!(flops(999.0), "999 FLOP");
        assert_eq!(flops(999.7), "1 kFLOP");
        assert_eq!(bytes(410_000_000), "410 MB");
        assert_eq!(bytes(4 << 30), "4.29 GB");
        assert_eq!(bytes(12_345), "12.3 kB");
    }
}
