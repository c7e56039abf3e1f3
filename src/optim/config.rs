//! Optimizer settings: the update rule, its hyperparameters (PyTorch's defaults where
//! it has them), the learning-rate schedule and which parameters AdamW decays.

use super::{LrSchedule, ScheduleKind};
use serde::{Deserialize, Serialize};

/// Which update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Plain stochastic gradient descent.
    Sgd,
    /// SGD with momentum (Nesterov when `nesterov` is set).
    Momentum,
    /// Adam (L2 is coupled into the gradient).
    Adam,
    /// Adam with decoupled weight decay.
    AdamW,
}

impl OptimizerKind {
    /// Every kind.
    pub const ALL: &'static [OptimizerKind] = &[
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
        OptimizerKind::AdamW,
    ];

    /// Stable short name.
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
            OptimizerKind::AdamW => "adamw",
        }
    }

    /// Parse a short name.
    pub fn from_name(s: &str) -> Option<OptimizerKind> {
        OptimizerKind::ALL.iter().copied().find(|k| k.name() == s)
    }
}

/// Optimizer settings (PyTorch's defaults where it has them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerConfig {
    /// The update rule.
    pub kind: OptimizerKind,
    /// Learning rate.
    pub lr: f32,
    /// Momentum factor (Momentum only).
    pub momentum: f32,
    /// Nesterov momentum (Momentum only).
    pub nesterov: bool,
    /// Adam's first-moment decay.
    pub beta1: f32,
    /// Adam's second-moment decay.
    pub beta2: f32,
    /// Adam's denominator guard.
    pub eps: f32,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f32,
    /// L1 penalty weight (adds `l1 * sign(p)` to the gradient).
    pub l1: f32,
    /// L2 penalty weight (adds `l2 * p` to the gradient).
    pub l2: f32,
    /// Clip the global gradient norm to this value.
    pub clip_norm: Option<f32>,
    /// The learning-rate schedule (constant by default). Left out of JSON when
    /// constant, as are the numbers below at their defaults, so a config written before
    /// schedules existed reads and writes as it did.
    #[serde(skip_serializing_if = "is_default")]
    pub schedule: ScheduleKind,
    /// Steps of linear warmup (warmup-cosine only).
    #[serde(skip_serializing_if = "is_default")]
    pub warmup_steps: u64,
    /// The step at which the cosine decay reaches `min_lr` (warmup-cosine only).
    #[serde(skip_serializing_if = "is_default")]
    pub decay_steps: u64,
    /// The learning rate the cosine decays to (warmup-cosine only).
    #[serde(skip_serializing_if = "is_default")]
    pub min_lr: f32,
    /// AdamW decays matrices only (rank >= 2), never biases or norm scales (nanoGPT's
    /// grouping); off, every parameter (PyTorch's single group, the behaviour before).
    #[serde(skip_serializing_if = "is_default")]
    pub decay_matrices_only: bool,
    /// Whether AdamW's decay also applies to embedding tables (nanoGPT decays them).
    #[serde(skip_serializing_if = "is_true")]
    pub decay_embeddings: bool,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn is_true(v: &bool) -> bool {
    *v
}

impl OptimizerConfig {
    /// The learning-rate schedule these settings describe.
    pub fn lr_schedule(&self) -> LrSchedule {
        LrSchedule {
            kind: self.schedule,
            lr: self.lr,
            warmup_steps: self.warmup_steps,
            decay_steps: self.decay_steps,
            min_lr: self.min_lr,
        }
    }
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig {
            kind: OptimizerKind::Adam,
            lr: 0.001,
            momentum: 0.9,
            nesterov: false,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.01,
            l1: 0.0,
            l2: 0.0,
            clip_norm: None,
            schedule: ScheduleKind::Constant,
            warmup_steps: 0,
            decay_steps: 0,
            min_lr: 0.0,
            decay_matrices_only: false,
            decay_embeddings: true,
        }
    }
}
