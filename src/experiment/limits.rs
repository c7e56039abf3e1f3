//! The limit table: the one place that says which values every config field may take,
//! its default, and how much work a run may ask for.
//!
//! Everything that accepts a configuration reads it: the validator (`validate.rs`), the
//! link reader (`link/keys.rs`, which clamps to these ranges), the page's controls (their
//! `min`/`max`/`step` come from [`WholeLimit::control`] and [`RealLimit::control`]), and
//! the cost verdicts ([`CostLimits`], [`Ceiling`]; see `cost.rs`). A range changed here
//! changes all of them together.
//!
//! The ranges are part of the link format: a link that was valid must stay valid, so a
//! range may grow but never shrink (the link fixtures in `tests/fixtures` pin that).
//! What keeps a valid config from asking for absurd work is the cost model, not narrow
//! ranges: a wide-and-deep network is fine with a small batch and a small data set.

/// One whole-number field: its range (both ends included), default and control step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WholeLimit {
    /// The field as spelled in the config and in error messages (`samples`).
    pub field: &'static str,
    /// Smallest valid value.
    pub min: u64,
    /// Largest valid value.
    pub max: u64,
    /// The value used when the source gives none (or a value that is no number).
    pub default: u64,
    /// Increment of the page's control.
    pub step: u64,
}

impl WholeLimit {
    /// True when `v` is in `min..=max`.
    pub fn contains(&self, v: u64) -> bool {
        (self.min..=self.max).contains(&v)
    }

    /// `v` moved into the range.
    pub fn clamp(&self, v: u64) -> u64 {
        v.clamp(self.min, self.max)
    }

    /// The range as written in messages: `10..=100000`.
    pub fn interval(&self) -> String {
        format!("{}..={}", self.min, self.max)
    }

    /// What a page control offers. A control holds an `f64` (a JavaScript number), which
    /// is exact only up to 2^53, so larger maxima (the seed's) are cut there.
    pub fn control(&self) -> Control {
        Control {
            min: self.min as f64,
            max: (self.max as f64).min(MAX_EXACT_CONTROL_INTEGER),
            step: self.step as f64,
        }
    }
}

/// Largest integer an `f64` (a JavaScript number) holds exactly: 2^53.
pub const MAX_EXACT_CONTROL_INTEGER: f64 = 9_007_199_254_740_992.0;

/// One real-valued field: its interval (each end open or closed), default and control.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RealLimit {
    /// The field as spelled in the config and in error messages (`optimizer.lr`).
    pub field: &'static str,
    /// Lower end.
    pub lo: f32,
    /// Whether `lo` itself is valid.
    pub lo_included: bool,
    /// Upper end.
    pub hi: f32,
    /// Whether `hi` itself is valid.
    pub hi_included: bool,
    /// The value used when the source gives none (or no number).
    pub default: f32,
    /// Increment of the page's control.
    pub step: f32,
    /// How far inside an open end the control stops (an open interval has no end value
    /// to offer; a closed end is offered as it is).
    pub inset: f32,
}

impl RealLimit {
    /// True when `v` is finite and inside the interval (NaN never is).
    pub fn contains(&self, v: f32) -> bool {
        let above = if self.lo_included {
            v >= self.lo
        } else {
            v > self.lo
        };
        let below = if self.hi_included {
            v <= self.hi
        } else {
            v < self.hi
        };
        v.is_finite() && above && below
    }

    /// The interval as written in messages: `(0, 10]`.
    pub fn interval(&self) -> String {
        format!(
            "{}{}, {}{}",
            if self.lo_included { '[' } else { '(' },
            self.lo,
            self.hi,
            if self.hi_included { ']' } else { ')' }
        )
    }

    /// What a page control offers: the closed ends as they are, open ends moved in by
    /// [`RealLimit::inset`].
    pub fn control(&self) -> Control {
        let lo = if self.lo_included {
            self.lo
        } else {
            self.lo + self.inset
        };
        let hi = if self.hi_included {
            self.hi
        } else {
            self.hi - self.inset
        };
        Control {
            min: shortest(lo),
            max: shortest(hi),
            step: shortest(self.step),
        }
    }
}

/// The `f64` written as `v` prints (`0.99999`, not `0.9999899864196777`), so a control's
/// attributes read as the table does; it converts back to the same `f32`.
fn shortest(v: f32) -> f64 {
    format!("{v}").parse().unwrap_or(v as f64)
}

/// The `min`, `max` and `step` of a page control (an `<input type="number">`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Control {
    /// Smallest value offered.
    pub min: f64,
    /// Largest value offered.
    pub max: f64,
    /// Increment of the control's arrows.
    pub step: f64,
}

impl Control {
    /// `(min, max, step)`, as the page's `number_field` takes them.
    pub fn bounds(self) -> (f64, f64, f64) {
        (self.min, self.max, self.step)
    }
}

/// Generated points of a synthetic data set.
pub const SAMPLES: WholeLimit = WholeLimit {
    field: "samples",
    min: 10,
    max: 100_000,
    default: 500,
    step: 10,
};

/// Noise of the generated data.
pub const NOISE: RealLimit = RealLimit {
    field: "noise",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: true,
    default: 0.0,
    step: 0.05,
    inset: 0.0,
};

/// Fraction of the data held out for testing (both ends open: each split needs a row;
/// `validate` also checks that the rounding leaves one on each side).
pub const TEST_FRACTION: RealLimit = RealLimit {
    field: "test_fraction",
    lo: 0.0,
    lo_included: false,
    hi: 1.0,
    hi_included: false,
    default: 0.5,
    step: 0.05,
    inset: 0.01,
};

/// Number of hidden layers.
pub const HIDDEN_LAYERS: WholeLimit = WholeLimit {
    field: "hidden",
    min: 0,
    max: 8,
    default: 2,
    step: 1,
};

/// Units of one hidden layer (the default is the width of a layer added in the page
/// when there is none to copy).
pub const HIDDEN_UNITS: WholeLimit = WholeLimit {
    field: "hidden[i]",
    min: 1,
    max: 1024,
    default: 4,
    step: 1,
};

/// Learning rate.
pub const LR: RealLimit = RealLimit {
    field: "optimizer.lr",
    lo: 0.0,
    lo_included: false,
    hi: 10.0,
    hi_included: true,
    default: 0.03,
    step: 0.001,
    inset: 1e-5,
};

/// Momentum factor.
pub const MOMENTUM: RealLimit = RealLimit {
    field: "optimizer.momentum",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: false,
    default: 0.9,
    step: 0.05,
    inset: 0.001,
};

/// Adam's first-moment decay.
pub const BETA1: RealLimit = RealLimit {
    field: "optimizer.beta1",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: false,
    default: 0.9,
    step: 0.01,
    inset: 1e-4,
};

/// Adam's second-moment decay.
pub const BETA2: RealLimit = RealLimit {
    field: "optimizer.beta2",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: false,
    default: 0.999,
    step: 0.001,
    inset: 1e-5,
};

/// Adam's denominator guard.
pub const EPS: RealLimit = RealLimit {
    field: "optimizer.eps",
    lo: 0.0,
    lo_included: false,
    hi: 1.0,
    hi_included: true,
    default: 1e-8,
    step: 1e-8,
    inset: 1e-12,
};

/// AdamW's decoupled weight decay.
pub const WEIGHT_DECAY: RealLimit = RealLimit {
    field: "optimizer.weight_decay",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: true,
    default: 0.01,
    step: 0.001,
    inset: 0.0,
};

/// L1 penalty weight.
pub const L1: RealLimit = RealLimit {
    field: "optimizer.l1",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: true,
    default: 0.0,
    step: 0.0001,
    inset: 0.0,
};

/// L2 penalty weight.
pub const L2: RealLimit = RealLimit {
    field: "optimizer.l2",
    lo: 0.0,
    lo_included: true,
    hi: 1.0,
    hi_included: true,
    default: 0.0,
    step: 0.0001,
    inset: 0.0,
};

/// Gradient-norm clip, when clipping is on (the config's default is no clipping; this
/// default is the value offered when it is switched on).
pub const CLIP_NORM: RealLimit = RealLimit {
    field: "optimizer.clip_norm",
    lo: 0.0,
    lo_included: false,
    hi: f32::MAX,
    hi_included: true,
    default: 1.0,
    step: 0.1,
    inset: 0.001,
};

/// Mini-batch size (a batch larger than the training set is the whole set).
pub const BATCH_SIZE: WholeLimit = WholeLimit {
    field: "batch_size",
    min: 1,
    max: 100_000,
    default: 10,
    step: 1,
};

/// Epochs of an epoch budget.
pub const EPOCHS: WholeLimit = WholeLimit {
    field: "budget",
    min: 1,
    max: 100_000,
    default: 100,
    step: 1,
};

/// Optimizer steps of a run (a step budget; also the bound of an epoch budget in steps,
/// and of a link's `run=N`).
pub const STEPS: WholeLimit = WholeLimit {
    field: "budget",
    min: 1,
    max: 10_000_000,
    default: 1000,
    step: 1,
};

/// Steps between history points (0: once per epoch).
pub const EVAL_EVERY: WholeLimit = WholeLimit {
    field: "eval_every",
    min: 0,
    max: STEPS.max,
    default: 0,
    step: 1,
};

/// Steps trained so far, as a link's `run=N` records them (0: none yet).
pub const RUN_STEPS: WholeLimit = WholeLimit {
    field: "run",
    min: 0,
    max: STEPS.max,
    default: 0,
    step: 1,
};

/// Seed of every random choice.
pub const SEED: WholeLimit = WholeLimit {
    field: "seed",
    min: 0,
    max: u64::MAX,
    default: 1,
    step: 1,
};

/// Steps of linear learning-rate warmup (warmup-cosine schedule).
pub const WARMUP_STEPS: WholeLimit = WholeLimit {
    field: "optimizer.warmup_steps",
    min: 0,
    max: STEPS.max,
    default: 0,
    step: 10,
};

/// The step at which the cosine decay reaches `min_lr` (warmup-cosine schedule).
pub const DECAY_STEPS: WholeLimit = WholeLimit {
    field: "optimizer.decay_steps",
    min: 0,
    max: STEPS.max,
    default: 0,
    step: 100,
};

/// The learning rate the cosine decays to.
pub const MIN_LR: RealLimit = RealLimit {
    field: "optimizer.min_lr",
    lo: 0.0,
    lo_included: true,
    hi: 10.0,
    hi_included: true,
    default: 0.0,
    step: 0.0001,
    inset: 0.0,
};

/// Tokens per example of a text source (a language model's context, or the padded
/// length of a sentence).
pub const CONTEXT: WholeLimit = WholeLimit {
    field: "context",
    min: 1,
    max: 1024,
    default: 32,
    step: 1,
};

/// Every whole-number field of the table.
pub const WHOLE_LIMITS: [WholeLimit; 12] = [
    SAMPLES,
    HIDDEN_LAYERS,
    HIDDEN_UNITS,
    BATCH_SIZE,
    EPOCHS,
    STEPS,
    EVAL_EVERY,
    RUN_STEPS,
    SEED,
    WARMUP_STEPS,
    DECAY_STEPS,
    CONTEXT,
];

/// Every real-valued field of the table.
pub const REAL_LIMITS: [RealLimit; 12] = [
    NOISE,
    TEST_FRACTION,
    LR,
    MOMENTUM,
    BETA1,
    BETA2,
    EPS,
    WEIGHT_DECAY,
    L1,
    L2,
    CLIP_NORM,
    MIN_LR,
];

// The cost limits and ceilings live in `cost_limits.rs` (kept apart for length); they
// are part of this table and are reached as `limits::...`.
pub use super::cost_limits::{
    Ceiling, CostLimits, DEFAULT_COST_LIMITS, GIB, MIB, PAGE_CPU_EVAL_FLOPS, PAGE_CPU_EVAL_VALUES,
    PAGE_CPU_STEP_FLOPS, PAGE_CPU_STEP_VALUES, WASM32_MEMORY_BYTES,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_in_its_range_and_controls_stay_inside() {
        for w in WHOLE_LIMITS {
            assert!(w.contains(w.default), "{}", w.field);
            let c = w.control();
            assert!(
                c.min >= w.min as f64 && c.max <= w.max as f64,
                "{}",
                w.field
            );
            assert!(c.min <= c.max && c.step >= 1.0, "{}", w.field);
        }
        for r in REAL_LIMITS {
            assert!(r.contains(r.default), "{}", r.field);
            let c = r.control();
            assert!(r.contains(c.min as f32), "{} min {}", r.field, c.min);
            assert!(r.contains(c.max as f32), "{} max {}", r.field, c.max);
            assert!(c.step > 0.0, "{}", r.field);
        }
    }

    #[test]
    fn intervals_show_open_and_closed_ends() {
        assert_eq!(LR.interval(), "(0, 10]");
        assert_eq!(MOMENTUM.interval(), "[0, 1)");
        assert_eq!(SAMPLES.interval(), "10..=100000");
        assert!(!LR.contains(0.0) && LR.contains(10.0) && !LR.contains(f32::NAN));
        assert!(MOMENTUM.contains(0.0) && !MOMENTUM.contains(1.0));
    }

    #[test]
    fn control_bounds_read_as_written() {
        assert_eq!(BETA2.control().max, 0.99999);
        assert_eq!(LR.control().bounds(), (1e-5, 10.0, 0.001));
        assert_eq!(TEST_FRACTION.control().min, 0.01);
    }

    #[test]
    fn the_seed_control_stops_where_f64_is_exact() {
        assert_eq!(SEED.control().max, MAX_EXACT_CONTROL_INTEGER);
        assert_eq!(SAMPLES.control().max, 100_000.0);
    }
}
