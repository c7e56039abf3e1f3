//! The cost model: how much work and memory a configuration asks for, computed from
//! the config alone, before any data or tensor is allocated.
//!
//! A model is a stack of layers, each described by a [`LayerCost`]: its parameters and
//! what it costs **per example row** (every layer's work and memory grow linearly with
//! the rows of a batch). [`Cost::of`] takes the config's stack (`cost_stack.rs`);
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
use super::cost_stack::stack_costs;
use super::model::{data_io, model_input_shape, model_layers, model_output_shape};
use super::runner::{EVAL_CHUNK_ROWS, EVAL_TEST_ROWS, EVAL_TRAIN_ROWS};
use super::runner_text::LM_EVAL_WINDOWS;
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
    /// Values per row of the largest single tensor the layer makes (its output, or a
    /// convolution's unfolded input).
    pub widest_values: u64,
}

impl LayerCost {
    /// A dense layer `inputs -> outputs` (`y = x W^T + b`), then `activation` (none for
    /// the output layer). Per row: the matmul `2 i o`, the bias `o`, the activation
    /// `o * ops(a)` forward; `4 i o + o + 2 o ops(a)` backward; it keeps the matmul's
    /// and the bias add's outputs and each activation op's (`o (2 + ops(a))`).
    pub fn dense(inputs: u64, outputs: u64, activation: Option<Activation>) -> LayerCost {
        let (i, o) = (inputs, outputs);
        let ops = activation.map_or(0, activation_ops);
        let (fi, fo, fops) = (i as f64, o as f64, ops as f64);
        let name = match activation {
            Some(a) => format!("dense {i}->{o} {}", a.name()),
            None => format!("dense {i}->{o}"),
        };
        LayerCost {
            name,
            params: i.saturating_mul(o).saturating_add(o),
            largest_param: i.saturating_mul(o),
            forward_flops: 2.0 * fi * fo + fo + fo * fops,
            backward_flops: 4.0 * fi * fo + fo + ELEMENTWISE_BACKWARD * fo * fops,
            kept_values: o.saturating_mul(2 + ops),
            output_values: o,
            widest_values: o,
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
            forward_flops: (ops as f64) * outputs as f64,
            backward_flops: ELEMENTWISE_BACKWARD * (ops as f64) * outputs as f64,
            kept_values: outputs.saturating_mul(kept),
            output_values: 1,
            widest_values: outputs,
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
    /// Training rows an evaluation reads (at most `EVAL_TRAIN_ROWS`).
    pub eval_train: u64,
    /// Test rows an evaluation reads (at most `EVAL_TEST_ROWS`).
    pub eval_test: u64,
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
            DataSource::Text(set) => set.examples(),
            _ => config.samples,
        } as u64;
        let f = config.test_fraction as f64;
        let test = if f.is_finite() {
            ((n as f64 * f).round() as u64).min(n)
        } else {
            0
        };
        let train = n - test;
        // A language model holds its fixed evaluation windows (its training windows are
        // drawn per step), and scores the vocabulary at every position.
        let (train, test) = match config.data.is_language_model() {
            true => (LM_EVAL_WINDOWS as u64, LM_EVAL_WINDOWS as u64),
            false => (train, test),
        };
        let input_shape = data_io(config).0;
        let inputs = input_shape
            .iter()
            .fold(1u64, |a, &d| a.saturating_mul(d as u64));
        let outputs = model_output_shape(config)
            .iter()
            .fold(1u64, |a, &d| a.saturating_mul(d as u64));
        let view = match config.data {
            DataSource::Classify2d(_) | DataSource::Regression2d(_) => PAGE_GRID_CELLS,
            DataSource::Regression1d(_) => PAGE_CURVE_POINTS,
            DataSource::Real(crate::data::RealSet::Digits | crate::data::RealSet::Mnist) => {
                PAGE_DIGITS_SHOWN
            }
            DataSource::Real(_) | DataSource::Text(_) | DataSource::Dates => 0,
        };
        Rows {
            train,
            test,
            // A language model's batch is drawn from the whole text, not its eval rows.
            batch: match config.data.is_language_model() {
                true => config.batch_size as u64,
                false => (config.batch_size as u64).min(train),
            },
            eval_train: train.min(EVAL_TRAIN_ROWS as u64),
            eval_test: test.min(EVAL_TEST_ROWS as u64),
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
    /// FLOPs of one evaluation: the evaluated train and test rows through the model and the loss.
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
    /// Values per row that pass through elementwise kernels in a forward pass (inputs,
    /// outputs and every intermediate kept for backward): the work that FLOPs undercount
    /// on a CPU, where a thin layer over many rows costs memory traffic, not arithmetic.
    pub values_per_row: u64,
}

impl Cost {
    /// The cost of `config`'s model. Works on any config (no allocation beyond the
    /// layer list, saturating arithmetic), valid or not.
    pub fn of(config: &ExperimentConfig) -> Cost {
        let rows = Rows::of(config);
        let mut layers = match super::runner_seq2seq_spec::seq2seq_cost_stacks(config) {
            Some([encoder, decoder]) => {
                let mut parts = stack_costs(&encoder.0, &encoder.1);
                parts.extend(stack_costs(&decoder.0, &decoder.1));
                parts
            }
            None => stack_costs(&model_layers(config), &model_input_shape(config)),
        };
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
    /// - evaluation = `(eval_train + eval_test) * sum(forward)` (an evaluation reads at
    ///   most `EVAL_TRAIN_ROWS` and `EVAL_TEST_ROWS` rows); view = `view rows * sum(forward
    ///   of the model layers)`;
    /// - activations = `4 B (inputs + outputs + sum(kept))` (the gathered batch and its
    ///   targets, then every op's output);
    /// - data = `4 (train + test) (inputs + outputs)`;
    /// - evaluation bytes = `4 chunk (sum(outputs) + 2 widest)`, `chunk` the larger
    ///   evaluated split cut to `EVAL_CHUNK_ROWS`, `widest` the largest tensor per row: the forward
    ///   keeps every layer's output, and the widest layer has its input and output alive;
    /// - largest buffer = `4 max(rows * widest, split * (inputs + outputs), largest
    ///   parameter)` over the batch and the evaluated rows, the data, the parameters.
    pub fn from_stack(
        layers: Vec<LayerCost>,
        rows: Rows,
        optimizer: &OptimizerConfig,
        steps: u64,
        eval_every: u64,
    ) -> Cost {
        // FLOPs in f64; counts saturate, so an absurd (invalid) config cannot overflow.
        let b = rows.batch as f64;
        let sum = |f: fn(&LayerCost) -> f64| layers.iter().map(f).sum::<f64>();
        let total = |f: fn(&LayerCost) -> u64, of: &[LayerCost]| {
            of.iter().fold(0u64, |acc, l| acc.saturating_add(f(l)))
        };
        let forward = sum(|l| l.forward_flops);
        let backward = sum(|l| l.backward_flops);
        let params = total(|l| l.params, &layers);
        let model = &layers[..layers.len().saturating_sub(1)];
        let model_forward: f64 = model.iter().map(|l| l.forward_flops).sum();
        let kept = total(|l| l.kept_values, &layers);
        let outputs = total(|l| l.output_values, model);
        let widest = model
            .iter()
            .map(|l| l.widest_values)
            .chain([rows.inputs, rows.outputs])
            .max()
            .unwrap_or(0);
        let largest_param = layers.iter().map(|l| l.largest_param).max().unwrap_or(0);
        // An evaluation runs in chunks of at most `EVAL_CHUNK_ROWS` rows.
        let split = rows
            .eval_train
            .max(rows.eval_test)
            .min(EVAL_CHUNK_ROWS as u64);
        let all_rows = rows.train.saturating_add(rows.test);
        let eval_rows = rows.eval_train.saturating_add(rows.eval_test);
        let io = rows.inputs.saturating_add(rows.outputs);
        let eval_flops = eval_rows as f64 * forward;
        let optimizer_flops = params as f64 * optimizer_ops(optimizer) as f64;
        let step_flops = b * forward + b * backward + optimizer_flops;
        let evals = steps.div_ceil(eval_every.max(1)).saturating_add(1);
        let bytes = |values: u64| values.saturating_mul(VALUE_BYTES);
        Cost {
            rows,
            params,
            step_forward_flops: b * forward,
            step_backward_flops: b * backward,
            step_optimizer_flops: optimizer_flops,
            eval_flops,
            view_flops: rows.view as f64 * model_forward,
            activation_bytes: bytes(rows.batch.saturating_mul(io.saturating_add(kept))),
            param_bytes: bytes(params),
            optimizer_state_bytes: bytes(
                params.saturating_mul(optimizer_state_values(optimizer.kind)),
            ),
            data_bytes: bytes(all_rows.saturating_mul(io)),
            eval_bytes: bytes(
                split.saturating_mul(outputs.saturating_add(widest.saturating_mul(2))),
            ),
            largest_buffer_bytes: bytes(
                split
                    .max(rows.batch)
                    .saturating_mul(widest)
                    .max(rows.train.max(rows.test).saturating_mul(io))
                    .max(largest_param),
            ),
            run_steps: steps,
            run_flops: steps as f64 * step_flops + evals as f64 * eval_flops,
            values_per_row: io.saturating_add(kept),
            layers,
        }
    }

    /// FLOPs of one training step: forward, backward and the optimizer update.
    pub fn step_flops(&self) -> f64 {
        self.step_forward_flops + self.step_backward_flops + self.step_optimizer_flops
    }

    /// Values one training step streams through elementwise kernels (forward; backward
    /// touches each about twice more): `batch * values_per_row`.
    pub fn step_values(&self) -> u64 {
        self.rows.batch.saturating_mul(self.values_per_row)
    }

    /// Values one evaluation as the page does it streams through elementwise kernels:
    /// the train and test sets and the view's rows, `values_per_row` each.
    pub fn page_eval_values(&self) -> u64 {
        let rows = self
            .rows
            .eval_train
            .saturating_add(self.rows.eval_test)
            .saturating_add(self.rows.view);
        rows.saturating_mul(self.values_per_row)
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
        let always = self
            .param_bytes
            .saturating_mul(2)
            .saturating_add(self.optimizer_state_bytes)
            .saturating_add(self.data_bytes);
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
            super::verdict::flops(self.step_flops()),
            super::verdict::flops(self.page_eval_flops()),
            super::verdict::bytes(self.held_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absurd_invalid_config_costs_without_overflow() {
        let c = ExperimentConfig {
            hidden: vec![usize::MAX; 20],
            activations: vec![Activation::Gelu; 20],
            samples: usize::MAX,
            batch_size: usize::MAX,
            ..ExperimentConfig::default()
        };
        let cost = Cost::of(&c);
        assert!(cost.step_flops() > 1e30, "{}", cost.summary());
        assert_eq!(cost.held_bytes(), u64::MAX);
    }
}
