//! Validation of an [`ExperimentConfig`]: every field in range, every float finite, and
//! the fields consistent with each other (activations per hidden layer, a loss that fits
//! the task, at least one training and one test example).
//!
//! Configurations come from controls, links and lessons, so any value may arrive. NaN
//! needs explicit care: every comparison with NaN is false, so each float is checked with
//! `is_finite` before its range.

use super::config::{Budget, DataSource, ExperimentConfig, LossKind};
use super::limits::{self, RealLimit, WholeLimit};
use crate::data::RealSet;
use crate::error::{Error, Result};
use crate::optim::OptimizerConfig;

/// Fewest generated points of a synthetic set.
pub const MIN_SAMPLES: usize = limits::SAMPLES.min as usize;
/// Most generated points of a synthetic set.
pub const MAX_SAMPLES: usize = limits::SAMPLES.max as usize;
/// Most hidden layers.
pub const MAX_HIDDEN_LAYERS: usize = limits::HIDDEN_LAYERS.max as usize;
/// Most units in one hidden layer.
pub const MAX_HIDDEN_UNITS: usize = limits::HIDDEN_UNITS.max as usize;
/// Largest learning rate.
pub const MAX_LR: f32 = limits::LR.hi;
/// Largest mini-batch.
pub const MAX_BATCH_SIZE: usize = limits::BATCH_SIZE.max as usize;
/// Most epochs of an epoch budget.
pub const MAX_EPOCHS: u32 = limits::EPOCHS.max as u32;
/// Most optimizer steps of a run (a step budget, or epochs times batches per epoch).
pub const MAX_STEPS: u64 = limits::STEPS.max;

/// Checks `c`; on failure `Err(Error::Config)` lists every problem found, each naming the
/// field (as spelled in the config, e.g. `optimizer.lr`) and its allowed range.
pub fn validate(c: &ExperimentConfig) -> Result<()> {
    let mut p = Problems::default();
    data(c, &mut p);
    model(c, &mut p);
    optimizer(&c.optimizer, &mut p);
    schedule(c, &mut p);
    if p.0.is_empty() {
        Ok(())
    } else {
        Err(Error::Config(p.0.join("; ")))
    }
}

/// The problems found so far, one message each.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    /// Records a problem.
    fn push(&mut self, msg: String) {
        self.0.push(msg);
    }

    /// Requires `v` in the field's interval (finite).
    fn real(&mut self, limit: &RealLimit, v: f32) {
        if !limit.contains(v) {
            self.push(format!(
                "{} must be a finite number in {}, got {v}",
                limit.field,
                limit.interval()
            ));
        }
    }

    /// Requires `v` in the field's range.
    fn whole(&mut self, limit: &WholeLimit, v: u64, unit: &str) {
        if !limit.contains(v) {
            self.push(format!(
                "{} must be in {}{unit}, got {v}",
                limit.field,
                limit.interval()
            ));
        }
    }
}

/// Rows of each vendored set (pinned by a test against the loaded files), so validation
/// needs no parsing.
pub(super) fn real_rows(set: RealSet) -> usize {
    match set {
        RealSet::Digits => 1797,
        RealSet::Iris => 150,
        RealSet::BreastCancer => 569,
        RealSet::Wine => 178,
        RealSet::Diabetes => 442,
        RealSet::Mnist => 10_000,
    }
}

/// Examples the data has before the split.
pub(super) fn examples(c: &ExperimentConfig) -> usize {
    match c.data {
        DataSource::Real(set) => real_rows(set),
        DataSource::Text(set) => set.examples(),
        _ => c.samples,
    }
}

/// Test rows of the split: `round(n * test_fraction)`, as `data::train_test_split` takes.
pub(super) fn test_rows(c: &ExperimentConfig) -> usize {
    (examples(c) as f64 * c.test_fraction as f64).round() as usize
}

/// The loss to use instead of `c.loss` when it does not fit the task (cross-entropy
/// needs classes, MAE a regression), or `None` when it fits.
pub(super) fn fitting_loss(c: &ExperimentConfig) -> Option<LossKind> {
    match (c.loss, c.data.is_classification()) {
        (LossKind::CrossEntropy, false) => Some(LossKind::Mse),
        (LossKind::Mae, true) => Some(LossKind::CrossEntropy),
        (LossKind::Mse | LossKind::Mae | LossKind::CrossEntropy, _) => None,
    }
}

/// Steps of one epoch, bounded above: the training rows are at most all examples.
fn steps_per_epoch(c: &ExperimentConfig) -> u64 {
    examples(c)
        .min(MAX_SAMPLES)
        .div_ceil(c.batch_size.max(1))
        .max(1) as u64
}

/// Most epochs whose steps stay within [`MAX_STEPS`].
pub(super) fn most_epochs(c: &ExperimentConfig) -> u64 {
    (MAX_STEPS / steps_per_epoch(c)).max(1)
}

/// Sample count, noise, test fraction and features.
fn data(c: &ExperimentConfig, p: &mut Problems) {
    if c.data.is_synthetic() {
        p.whole(&limits::SAMPLES, c.samples as u64, "");
    }
    p.real(&limits::NOISE, c.noise);
    let f = c.test_fraction;
    if f.is_finite() && f > 0.0 && f < 1.0 {
        let (n, n_test) = (examples(c), test_rows(c));
        if n_test == 0 || n_test >= n {
            p.push(format!(
                "test_fraction {f} of {n} examples leaves {n_test} for testing and {} for \
                 training; each needs at least one",
                n.saturating_sub(n_test)
            ));
        }
    } else {
        p.real(&limits::TEST_FRACTION, f);
    }
    if c.data.is_plane() && c.features.count() == 0 {
        p.push("features: at least one input feature must be selected".to_string());
    }
    if c.data.text().is_some() {
        p.whole(&limits::CONTEXT, c.context as u64, " tokens");
    }
}

/// The layer stack (or hidden layers and activations), its fit to the data, and the loss.
fn model(c: &ExperimentConfig, p: &mut Problems) {
    // The translator (data dates) is an encoder-decoder, never a layer stack or an MLP.
    super::runner_seq2seq_spec::check_translator(c, &mut p.0);
    if c.data == DataSource::Dates || c.seq2seq.is_some() {
        return;
    }
    if let Some(layers) = &c.model {
        let before = p.0.len();
        super::model::check_layer_limits(layers, &mut p.0);
        if p.0.len() == before {
            if let Err(e) = super::model::model_shapes_checked(c) {
                p.push(format!("model: {e}"));
            }
        }
    } else {
        mlp(c, p);
        // Token ids need a stack that starts with an embedding, never the MLP shorthand.
        if c.data.text().is_some() {
            if let Err(e) = super::model::model_shapes_checked(c) {
                p.push(format!("model: {e}"));
            }
        }
    }
    loss(c, p);
}

/// The MLP shorthand: hidden sizes and one activation each.
fn mlp(c: &ExperimentConfig, p: &mut Problems) {
    if c.hidden.len() > MAX_HIDDEN_LAYERS {
        p.push(format!(
            "hidden has {} layers, at most {MAX_HIDDEN_LAYERS} are allowed",
            c.hidden.len()
        ));
    }
    for (i, &h) in c.hidden.iter().enumerate().take(MAX_HIDDEN_LAYERS + 1) {
        if !limits::HIDDEN_UNITS.contains(h as u64) {
            p.push(format!(
                "hidden[{i}] must be in {} units, got {h}",
                limits::HIDDEN_UNITS.interval()
            ));
        }
    }
    if c.activations.len() != c.hidden.len() {
        p.push(format!(
            "activations has {} entries but hidden has {} layers; give one activation per \
             hidden layer",
            c.activations.len(),
            c.hidden.len()
        ));
    }
}

/// A loss that fits the task.
fn loss(c: &ExperimentConfig, p: &mut Problems) {
    if fitting_loss(c).is_some() {
        let name = c.loss.name();
        p.push(if c.data.is_classification() {
            format!(
                "loss {name} needs a regression task; use cross-entropy or mse for \
                 classification"
            )
        } else {
            format!("loss {name} needs a classification task; use mse or mae for regression")
        });
    }
}

/// Every optimizer field (all are checked whatever the kind, since links carry them all).
fn optimizer(o: &OptimizerConfig, p: &mut Problems) {
    p.real(&limits::LR, o.lr);
    p.real(&limits::MOMENTUM, o.momentum);
    p.real(&limits::BETA1, o.beta1);
    p.real(&limits::BETA2, o.beta2);
    p.real(&limits::EPS, o.eps);
    p.real(&limits::WEIGHT_DECAY, o.weight_decay);
    p.real(&limits::L1, o.l1);
    p.real(&limits::L2, o.l2);
    if let Some(v) = o.clip_norm {
        p.real(&limits::CLIP_NORM, v);
    }
    p.whole(&limits::WARMUP_STEPS, o.warmup_steps, " steps");
    p.whole(&limits::DECAY_STEPS, o.decay_steps, " steps");
    p.real(&limits::MIN_LR, o.min_lr);
    if o.schedule == crate::optim::ScheduleKind::WarmupCosine && o.decay_steps < o.warmup_steps {
        p.push(format!(
            "optimizer.decay_steps ({}) must be at least optimizer.warmup_steps ({}): the \
             cosine decay starts where the warmup ends",
            o.decay_steps, o.warmup_steps
        ));
    }
}

/// Batch size, budget (also in steps, for an epoch budget) and evaluation interval.
fn schedule(c: &ExperimentConfig, p: &mut Problems) {
    p.whole(&limits::BATCH_SIZE, c.batch_size as u64, "");
    match c.budget {
        Budget::Epochs(e) if !limits::EPOCHS.contains(e as u64) => {
            p.whole(&limits::EPOCHS, e as u64, " epochs")
        }
        Budget::Epochs(e) if e as u64 > most_epochs(c) => p.push(format!(
            "budget of {e} epochs is about {} steps, more than the {MAX_STEPS} allowed; use \
             fewer epochs or a larger batch_size",
            steps_per_epoch(c) * e as u64
        )),
        Budget::Steps(s) if !limits::STEPS.contains(s) => p.whole(&limits::STEPS, s, " steps"),
        Budget::Epochs(_) | Budget::Steps(_) => {}
    }
    p.whole(
        &limits::EVAL_EVERY,
        c.eval_every,
        " steps (0: once per epoch)",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::load_real;

    #[test]
    fn real_row_counts_match_the_vendored_files() {
        for set in RealSet::ALL {
            let ds = load_real(set).expect("vendored set loads");
            assert_eq!(real_rows(set), ds.n, "{}", set.name());
        }
    }

    #[test]
    fn the_default_config_is_valid() {
        assert_eq!(validate(&ExperimentConfig::default()), Ok(()));
    }
}
