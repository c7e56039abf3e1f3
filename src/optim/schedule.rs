//! Learning-rate schedules: constant (the default, the playground's behaviour) or
//! nanoGPT's linear warmup followed by cosine decay (`get_lr` in nanoGPT's `train.py`).

use serde::{Deserialize, Serialize};

/// Which learning-rate schedule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScheduleKind {
    /// The configured learning rate at every step.
    #[default]
    Constant,
    /// Linear warmup for `warmup_steps`, then cosine decay to `min_lr` at `decay_steps`,
    /// then `min_lr`.
    WarmupCosine,
}

impl ScheduleKind {
    /// Every kind.
    pub const ALL: &'static [ScheduleKind] = &[ScheduleKind::Constant, ScheduleKind::WarmupCosine];

    /// Stable short name (links, the CLI).
    pub fn name(self) -> &'static str {
        match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::WarmupCosine => "cosine",
        }
    }

    /// Parse a short name.
    pub fn from_name(s: &str) -> Option<ScheduleKind> {
        ScheduleKind::ALL.iter().copied().find(|k| k.name() == s)
    }
}

/// A schedule with its numbers (copied from an optimizer config).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrSchedule {
    /// The shape of the schedule.
    pub kind: ScheduleKind,
    /// The peak (and, when constant, the only) learning rate.
    pub lr: f32,
    /// Steps of linear warmup.
    pub warmup_steps: u64,
    /// The step at which the cosine reaches `min_lr`.
    pub decay_steps: u64,
    /// The floor of the cosine decay.
    pub min_lr: f32,
}

impl LrSchedule {
    /// The learning rate of optimizer step `it` (0-based: the first step is 0), as
    /// nanoGPT's `get_lr(it)`:
    /// - `it < W`: `lr * (it + 1) / (W + 1)`;
    /// - `it > S`: `min_lr`;
    /// - otherwise with `r = (it - W) / (S - W)`: `min_lr + 0.5 (1 + cos(pi r)) (lr - min_lr)`.
    ///
    /// Computed in f64 with libm's `cos` (the page and the CLI get the same bits), then
    /// rounded to f32 once.
    pub fn lr_at(&self, it: u64) -> f32 {
        match self.kind {
            ScheduleKind::Constant => self.lr,
            ScheduleKind::WarmupCosine => {
                let (lr, min_lr) = (self.lr as f64, self.min_lr as f64);
                let (w, s) = (self.warmup_steps, self.decay_steps);
                if it < w {
                    return (lr * (it + 1) as f64 / (w + 1) as f64) as f32;
                }
                if it > s || s <= w {
                    // `s <= w` has no decay span: the warmup ends at the floor's step.
                    return if it > s { min_lr as f32 } else { lr as f32 };
                }
                let ratio = (it - w) as f64 / (s - w) as f64;
                let coeff = 0.5 * (1.0 + libm::cos(std::f64::consts::PI * ratio));
                (min_lr + coeff * (lr - min_lr)) as f32
            }
        }
    }
}
