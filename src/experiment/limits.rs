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
            min: lo as f64,
            max: hi as f64,
            step: self.step as f64,
        }
    }
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

/// Seed of every random choice.
pub const SEED: WholeLimit = WholeLimit {
    field: "seed",
    min: 0,
    max: u64::MAX,
    default: 1,
    step: 1,
};

/// Every whole-number field of the table.
pub const WHOLE_LIMITS: [WholeLimit; 8] = [
    SAMPLES,
    HIDDEN_LAYERS,
    HIDDEN_UNITS,
    BATCH_SIZE,
    EPOCHS,
    STEPS,
    EVAL_EVERY,
    SEED,
];

/// Every real-valued field of the table.
pub const REAL_LIMITS: [RealLimit; 11] = [
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
];

/// How much work a run may ask for before it needs the person's confirmation (the page)
/// or `--allow-large` (the CLI). Chosen so every preset is at least 20 times under each
/// (see `tests/cost_model.rs`), and so that one step stays a few milliseconds natively
/// and well under a frame's budget of the page's time slice on a typical laptop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostLimits {
    /// FLOPs of one training step (forward, backward and optimizer).
    pub step_flops: f64,
    /// FLOPs of one evaluation (train and test sets forward, and the page's view).
    pub eval_flops: f64,
    /// Bytes held at the peak of a step or an evaluation (parameters, gradients,
    /// optimizer state, data on the device, activations).
    pub held_bytes: u64,
    /// Bytes of the largest single buffer.
    pub buffer_bytes: u64,
}

/// The default cost limits. Natively the CPU backend multiplies at about 30 GFLOP/s,
/// the page's wasm CPU backend several times slower; 100 MFLOP a step is then a few
/// milliseconds natively and tens in the page, and a 256 MiB working set fits any tab.
pub const DEFAULT_COST_LIMITS: CostLimits = CostLimits {
    step_flops: 100e6,
    eval_flops: 500e6,
    held_bytes: 256 * MIB,
    buffer_bytes: 128 * MIB,
};

/// One mebibyte.
pub const MIB: u64 = 1 << 20;
/// One gibibyte.
pub const GIB: u64 = 1 << 30;

/// Everything a wasm32 module can address: 4 GiB.
pub const WASM32_MEMORY_BYTES: u64 = 4 * GIB;

/// The most work of ONE CPU step in the page. The page trains on the main thread, so a
/// step is never split: at a few GFLOP/s of wasm a 1 GFLOP step holds the page for a
/// good part of a second; anything more is refused on the CPU backend even with the
/// person's confirmation (the GPU backend does not block the page while it works).
pub const PAGE_CPU_STEP_FLOPS: f64 = 1e9;

/// The most work of ONE evaluation on the page's CPU backend (same reason as
/// [`PAGE_CPU_STEP_FLOPS`]; an evaluation runs as one piece too).
pub const PAGE_CPU_EVAL_FLOPS: f64 = 4e9;

/// What the device can hold at all: over any of these a run never starts, whatever
/// the person confirms. Built by the caller from what it knows about its device.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ceiling {
    /// Memory the process may use for the run (wasm32: 4 GiB; natively the caller's
    /// choice, e.g. part of the machine's memory).
    pub memory_bytes: u64,
    /// The GPU adapter's `maxBufferSize`, when the run is on a GPU.
    pub max_buffer_size: Option<u64>,
    /// The GPU adapter's `maxStorageBufferBindingSize`, when the run is on a GPU.
    pub max_storage_buffer_binding_size: Option<u64>,
    /// FLOPs of one step that must not be exceeded (the page's CPU backend).
    pub step_flops: Option<f64>,
    /// FLOPs of one evaluation that must not be exceeded (the page's CPU backend).
    pub eval_flops: Option<f64>,
}

impl Ceiling {
    /// A native process allowed `memory_bytes`, on the CPU.
    pub fn native(memory_bytes: u64) -> Ceiling {
        Ceiling {
            memory_bytes,
            max_buffer_size: None,
            max_storage_buffer_binding_size: None,
            step_flops: None,
            eval_flops: None,
        }
    }

    /// The page on the CPU backend: wasm32's 4 GiB, and the per-step and
    /// per-evaluation work the main thread can do without freezing.
    pub fn page_cpu() -> Ceiling {
        Ceiling {
            step_flops: Some(PAGE_CPU_STEP_FLOPS),
            eval_flops: Some(PAGE_CPU_EVAL_FLOPS),
            ..Ceiling::native(WASM32_MEMORY_BYTES)
        }
    }

    /// The page on the GPU backend: wasm32's 4 GiB (the data also lives on the host) and
    /// the adapter's buffer limits, as read from `GPUAdapter.limits`.
    pub fn page_gpu(max_buffer_size: u64, max_storage_buffer_binding_size: u64) -> Ceiling {
        Ceiling::native(WASM32_MEMORY_BYTES)
            .with_gpu(max_buffer_size, max_storage_buffer_binding_size)
    }

    /// This ceiling with a GPU's buffer limits added.
    pub fn with_gpu(self, max_buffer_size: u64, max_storage_buffer_binding_size: u64) -> Ceiling {
        Ceiling {
            max_buffer_size: Some(max_buffer_size),
            max_storage_buffer_binding_size: Some(max_storage_buffer_binding_size),
            ..self
        }
    }
}

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
    fn the_seed_control_stops_where_f64_is_exact() {
        assert_eq!(SEED.control().max, MAX_EXACT_CONTROL_INTEGER);
        assert_eq!(SAMPLES.control().max, 100_000.0);
    }
}
