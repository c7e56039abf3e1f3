//! Optimizers with PyTorch's update equations: SGD, momentum (and Nesterov), Adam,
//! AdamW; L1 and L2 regularisation; optional gradient clipping by global norm.
//! Each parameter is updated by one fused backend kernel. AdamW's decoupled decay
//! applies to every parameter, as PyTorch's `AdamW` on one parameter group (and as
//! every link written before the option existed replays), or with
//! `decay_matrices_only` to matrices only (rank >= 2: dense and conv weights,
//! embeddings), never to biases or norm scales, as nanoGPT's `configure_optimizers`
//! groups them; `decay_embeddings` off leaves embedding tables out as well. The
//! learning rate follows a [`LrSchedule`].

mod config;
mod schedule;

pub use config::{OptimizerConfig, OptimizerKind};
pub use schedule::{LrSchedule, ScheduleKind};

use crate::autograd::{no_grad, Gradients};
use crate::backend::{Storage, UpdateRule};
use crate::error::{Error, Result};
use crate::nn::ParamSet;
use crate::tensor::Tensor;

/// An optimizer with its per-parameter state.
#[derive(Debug)]
pub struct Optimizer {
    config: OptimizerConfig,
    step: u64,
    state: Vec<Vec<Storage>>,
    /// Per parameter (in order): true for an embedding table (see
    /// [`Optimizer::set_embeddings`]); empty means none is.
    embeddings: Vec<bool>,
}

impl Optimizer {
    /// A fresh optimizer (no state until the first step).
    pub fn new(config: OptimizerConfig) -> Self {
        Optimizer {
            config,
            step: 0,
            state: Vec::new(),
            embeddings: Vec::new(),
        }
    }

    /// Mark which parameters (by position) are embedding tables, so AdamW's decay skips
    /// them when `decay_embeddings` is off.
    pub fn set_embeddings(&mut self, embeddings: Vec<bool>) {
        self.embeddings = embeddings;
    }

    /// Whether AdamW's decoupled decay applies to parameter `i` of rank `rank`: every
    /// parameter, or matrices only (rank >= 2) with `decay_matrices_only`; embedding
    /// tables only when `decay_embeddings` is on.
    pub fn decays(&self, i: usize, rank: usize) -> bool {
        let embedding = self.embeddings.get(i).copied().unwrap_or(false);
        let shape_ok = !self.config.decay_matrices_only || rank >= 2;
        shape_ok && (self.config.decay_embeddings || !embedding)
    }

    /// The learning rate the next step uses (the schedule at the next step's index).
    pub fn current_lr(&self) -> f32 {
        self.config.lr_schedule().lr_at(self.step)
    }

    /// The settings.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// Change the learning rate (state is kept).
    pub fn set_lr(&mut self, lr: f32) {
        self.config.lr = lr;
    }

    /// The update rule of the step being taken (`self.step` already counts it), at the
    /// schedule's learning rate for that step.
    fn rule(&self) -> UpdateRule {
        let c = &self.config;
        let lr = c.lr_schedule().lr_at(self.step.saturating_sub(1));
        match c.kind {
            OptimizerKind::Sgd | OptimizerKind::Momentum => UpdateRule::Sgd {
                lr,
                momentum: if c.kind == OptimizerKind::Momentum {
                    c.momentum
                } else {
                    0.0
                },
                dampening: 0.0,
                nesterov: c.kind == OptimizerKind::Momentum && c.nesterov,
                first_step: self.step == 1,
                l1: c.l1,
                l2: c.l2,
            },
            OptimizerKind::Adam | OptimizerKind::AdamW => {
                // libm's pow, not f64::powi: powi's precision is platform-dependent, and
                // the page (wasm) and the CLI must compute the same bits.
                let t = self.step as f64;
                UpdateRule::Adam {
                    lr,
                    beta1: c.beta1,
                    beta2: c.beta2,
                    eps: c.eps,
                    bias_correction1: (1.0 - libm::pow(c.beta1 as f64, t)) as f32,
                    bias_correction2_sqrt: (1.0 - libm::pow(c.beta2 as f64, t)).sqrt() as f32,
                    decoupled_wd: if c.kind == OptimizerKind::AdamW {
                        c.weight_decay
                    } else {
                        0.0
                    },
                    l1: c.l1,
                    l2: c.l2,
                }
            }
        }
    }

    /// Scale factor for clipping by global norm, a one-element storage on the device
    /// (element 0): `min(1, max_norm / (||g|| + 1e-6))` (PyTorch's `clip_grad_norm_`).
    /// The GPU computes it in one fused pass ([`crate::Device::clip_coefficient`]); the
    /// CPU composes it from primitives, its reference order.
    fn clip_scale(&self, grads: &[Option<Tensor>], max_norm: f32) -> Option<Storage> {
        let present: Vec<&Tensor> = grads.iter().flatten().collect();
        let device = present.first()?.device().clone();
        let parts: Vec<(&Storage, usize)> =
            present.iter().map(|g| (g.storage(), g.numel())).collect();
        if let Some(coef) = device.clip_coefficient(&parts, max_norm) {
            return Some(coef);
        }
        let mut total: Option<Tensor> = None;
        for g in present {
            let s = g.square().sum_all();
            total = Some(match total {
                Some(t) => t.add(&s),
                None => s,
            });
        }
        let norm = total?.sqrt();
        let coef = norm.add_scalar(1e-6).recip().mul_scalar(max_norm);
        // min(coef, 1) = -max(-coef, -1)
        let scale = coef.neg().maximum(&coef.scalar_like(-1.0)).neg();
        Some(scale.storage().clone())
    }

    /// Move the optimizer state to `device` (the values pass through host memory).
    pub async fn move_to(
        &mut self,
        from: &crate::Device,
        to: &crate::Device,
        lens: &[usize],
    ) -> Result<()> {
        // Build the whole new state first so a failed read leaves the old one intact.
        let host = self.read_state(from, lens).await?;
        let moved = host
            .iter()
            .map(|st| st.iter().map(|v| to.upload(v)).collect())
            .collect();
        self.state = moved;
        Ok(())
    }

    /// The step count and per-parameter state read back to the host (for snapshots).
    pub async fn state_to_host(
        &self,
        device: &crate::Device,
        lens: &[usize],
    ) -> Result<(u64, Vec<Vec<Vec<f32>>>)> {
        let host = self.read_state(device, lens).await?;
        Ok((self.step, host))
    }

    /// Every state tensor read back in one readback, grouped per parameter.
    async fn read_state(
        &self,
        device: &crate::Device,
        lens: &[usize],
    ) -> Result<Vec<Vec<Vec<f32>>>> {
        let parts: Vec<_> = self
            .state
            .iter()
            .zip(lens)
            .flat_map(|(st, &len)| st.iter().map(move |s| (s, len)))
            .collect();
        let mut values = device.read_many(&parts).await?.into_iter();
        Ok(self
            .state
            .iter()
            .map(|st| values.by_ref().take(st.len()).collect())
            .collect())
    }

    /// An optimizer continuing from a host copy of its step count and state.
    pub fn from_host_state(
        config: OptimizerConfig,
        step: u64,
        state: &[Vec<Vec<f32>>],
        device: &crate::Device,
    ) -> Self {
        let state = state
            .iter()
            .map(|st| st.iter().map(|v| device.upload(v)).collect())
            .collect();
        Optimizer {
            config,
            step,
            state,
            embeddings: Vec::new(),
        }
    }

    /// Apply one update to `params` from `grads`. Parameters without a gradient are
    /// left unchanged. The graph that produced `grads` should be dropped first so the
    /// update can happen in place.
    pub fn step(&mut self, params: &mut ParamSet, grads: &Gradients) -> Result<()> {
        if !self.state.is_empty() && self.state.len() != params.len() {
            return Err(Error::Config(format!(
                "optimizer state is for {} parameters, model has {}",
                self.state.len(),
                params.len()
            )));
        }
        self.step += 1;
        let rule = self.rule();
        no_grad(|| {
            let tensors = params.take_all();
            let gs: Vec<Option<Tensor>> = tensors.iter().map(|t| grads.get(t).cloned()).collect();
            // Clipping scales every gradient by one coefficient; the update multiplies
            // it in (`g * scale`, the bits of a separate multiply) instead of a
            // multiply per gradient.
            let scale = self
                .config
                .clip_norm
                .and_then(|max_norm| self.clip_scale(&gs, max_norm));
            if self.state.is_empty() {
                self.state = tensors
                    .iter()
                    .map(|t| {
                        (0..rule.state_len())
                            .map(|_| t.device().fill(t.numel(), 0.0))
                            .collect()
                    })
                    .collect();
            }
            let decays: Vec<bool> = (0..tensors.len())
                .map(|i| self.decays(i, tensors[i].rank()))
                .collect();
            let mut updated = Vec::with_capacity(tensors.len());
            let items = tensors.into_iter().zip(gs).zip(self.state.iter_mut());
            for (i, ((p, g), st)) in items.enumerate() {
                let Some(g) = g else {
                    updated.push(p);
                    continue;
                };
                let (device, shape, len) = (p.device().clone(), p.shape().clone(), p.numel());
                let state = std::mem::take(st);
                let rule = match rule {
                    UpdateRule::Adam { .. } if !decays[i] => without_decoupled_decay(rule),
                    _ => rule,
                };
                let (np, ns) = device.update(
                    &rule,
                    p.into_storage(),
                    g.storage(),
                    scale.as_ref(),
                    state,
                    len,
                );
                *st = ns;
                updated.push(Tensor::from_storage(np, shape, &device).requiring_grad());
            }
            params.put_all(updated);
        });
        Ok(())
    }
}

/// `rule` with AdamW's decoupled weight decay off (a bias, a norm scale, an embedding
/// that is not decayed).
fn without_decoupled_decay(mut rule: UpdateRule) -> UpdateRule {
    if let UpdateRule::Adam { decoupled_wd, .. } = &mut rule {
        *decoupled_wd = 0.0;
    }
    rule
}
