//! Shared helpers of the link suites: a generator of random valid experiments.
#![allow(dead_code)] // each test crate uses a different subset of these helpers

use gradlab::data::{FeatureSet, Pattern2d, RealSet, Regression1d};
use gradlab::experiment::{
    validate, BackendChoice, Budget, DataSource, ExperimentConfig, LossKind, MAX_BATCH_SIZE,
    MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_LR, MAX_SAMPLES, MAX_STEPS, MIN_SAMPLES,
};
use gradlab::nn::{Activation, InitScheme};
use gradlab::optim::{OptimizerConfig, OptimizerKind, ScheduleKind};
use gradlab::rng::Rng;

/// Every data source.
pub fn all_data() -> Vec<DataSource> {
    let mut all: Vec<DataSource> = Pattern2d::ALL.map(DataSource::Classify2d).to_vec();
    all.extend(Regression1d::ALL.map(DataSource::Regression1d));
    all.extend(RealSet::ALL.map(DataSource::Real));
    all
}

/// A whole number in `lo..=hi`, log-uniform so that small and huge values both occur.
pub fn int(rng: &mut Rng, lo: u64, hi: u64) -> u64 {
    match rng.below(4) {
        0 => lo,
        1 => hi,
        _ => {
            let span = (hi - lo) as f64 + 1.0;
            let x = lo as f64 + libm::exp(rng.uniform_f64() * libm::log(span)) - 1.0;
            (x as u64).clamp(lo, hi)
        }
    }
}

/// A float in `[lo, hi)` with every kind of spelling: round decimals, full-precision
/// values, tiny values, the bounds.
pub fn float(rng: &mut Rng, lo: f32, hi: f32) -> f32 {
    let x = match rng.below(5) {
        0 => lo,
        // Three-decimal values like a slider gives.
        1 => lo + ((hi - lo) * rng.uniform() * 1000.0).round() / 1000.0,
        // Tiny positive values far from any "nice" decimal.
        2 => lo + f32::from_bits(rng.next_u32() % 0x3f00_0000) * (hi - lo),
        _ => rng.range(lo, hi),
    };
    x.clamp(lo, hi)
}

/// A random experiment; may be invalid (see [`random_valid`]).
pub fn random_config(rng: &mut Rng) -> ExperimentConfig {
    let all = all_data();
    let data = all[rng.below(all.len())];
    let layers = rng.below(MAX_HIDDEN_LAYERS + 1);
    let hidden: Vec<usize> = (0..layers)
        .map(|_| int(rng, 1, MAX_HIDDEN_UNITS as u64) as usize)
        .collect();
    let activations = (0..layers)
        .map(|_| Activation::ALL[rng.below(Activation::ALL.len())])
        .collect();
    let classify = data.is_classification();
    let loss = match (classify, rng.below(2)) {
        (true, 0) => LossKind::CrossEntropy,
        (false, 0) => LossKind::Mae,
        _ => LossKind::Mse,
    };
    let mut flags = [false; 7];
    for f in flags.iter_mut() {
        *f = rng.below(2) == 1;
    }
    let positive = |rng: &mut Rng, hi: f32| {
        let x = float(rng, 0.0, hi);
        if x > 0.0 {
            x
        } else {
            hi / 3.0
        }
    };
    let optimizer = OptimizerConfig {
        kind: OptimizerKind::ALL[rng.below(OptimizerKind::ALL.len())],
        lr: positive(rng, MAX_LR),
        momentum: float(rng, 0.0, 0.999),
        nesterov: rng.below(2) == 1,
        beta1: float(rng, 0.0, 0.999),
        beta2: float(rng, 0.0, 0.9999),
        eps: positive(rng, 1.0),
        weight_decay: float(rng, 0.0, 1.0),
        l1: float(rng, 0.0, 1.0),
        l2: float(rng, 0.0, 1.0),
        clip_norm: (rng.below(2) == 1).then(|| positive(rng, 1e6)),
        schedule: ScheduleKind::ALL[rng.below(ScheduleKind::ALL.len())],
        warmup_steps: int(rng, 0, MAX_STEPS / 2),
        decay_steps: int(rng, MAX_STEPS / 2, MAX_STEPS),
        min_lr: float(rng, 0.0, 1.0),
        decay_matrices_only: rng.below(2) == 1,
        decay_embeddings: rng.below(2) == 1,
    };
    let budget = if rng.below(2) == 0 {
        Budget::Epochs(int(rng, 1, MAX_EPOCHS as u64) as u32)
    } else {
        Budget::Steps(int(rng, 1, MAX_STEPS))
    };
    ExperimentConfig {
        data,
        samples: int(rng, MIN_SAMPLES as u64, MAX_SAMPLES as u64) as usize,
        noise: float(rng, 0.0, 1.0),
        test_fraction: positive(rng, 0.999),
        features: FeatureSet::from_flags(flags),
        standardize: rng.below(2) == 1,
        hidden,
        activations,
        model: None,
        loss,
        optimizer,
        batch_size: int(rng, 1, MAX_BATCH_SIZE as u64) as usize,
        budget,
        eval_every: int(rng, 0, MAX_STEPS),
        seed: rng.next_u64(),
        context: int(rng, 1, 1024) as usize,
        backend: [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Auto][rng.below(3)],
        init: InitScheme::ALL[rng.below(InitScheme::ALL.len())],
        seq2seq: None,
    }
}

/// A random experiment that passes `validate` (drawn until one does).
pub fn random_valid(rng: &mut Rng) -> ExperimentConfig {
    loop {
        let c = random_config(rng);
        if validate(&c).is_ok() {
            return c;
        }
    }
}
