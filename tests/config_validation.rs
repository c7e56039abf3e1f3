//! Config validation: every field's bad values (NaN, infinities, zero, negative, huge,
//! inconsistent) give `Err(Error::Config)` naming the field, never a panic; boundary
//! values inside the stated ranges pass; every preset validates.

use gradlab::data::{FeatureSet, Pattern2d, RealSet, Regression1d};
use gradlab::experiment::{
    preset, presets, validate, Budget, DataSource, ExperimentConfig, LossKind, Runner,
    MAX_BATCH_SIZE, MAX_EPOCHS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, MAX_LR, MAX_SAMPLES,
    MAX_STEPS, MIN_SAMPLES,
};
use gradlab::nn::Activation;
use gradlab::{Device, Error};

/// Bad floats for a field whose range lies within [0, 1] or (0, 10].
const NON_FINITE: [f32; 3] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];

/// A valid synthetic classification config to break one field at a time.
fn base() -> ExperimentConfig {
    preset("circle").expect("circle preset")
}

/// Asserts that `edit` applied to `start` makes the config invalid with a message that
/// mentions `field`, and that the runner refuses it with the same error.
fn rejects(start: ExperimentConfig, field: &str, edit: impl FnOnce(&mut ExperimentConfig)) {
    let mut c = start;
    edit(&mut c);
    let err = validate(&c);
    match &err {
        Err(Error::Config(msg)) => assert!(
            msg.contains(field),
            "message for a bad {field} does not name it: {msg}"
        ),
        other => panic!("bad {field} gave {other:?} for {c:?}"),
    }
    assert_eq!(
        Runner::new(c, Device::Cpu).err(),
        err.err(),
        "runner vs validate"
    );
}

/// Asserts that `edit` applied to `start` leaves the config valid.
fn accepts(start: ExperimentConfig, what: &str, edit: impl FnOnce(&mut ExperimentConfig)) {
    let mut c = start;
    edit(&mut c);
    assert_eq!(validate(&c), Ok(()), "{what} should be valid");
}

#[test]
fn every_preset_and_the_default_validate() {
    assert_eq!(validate(&ExperimentConfig::default()), Ok(()));
    for p in presets() {
        assert_eq!(validate(&(p.config)()), Ok(()), "preset {}", p.name);
    }
}

#[test]
fn samples_out_of_range_are_rejected_for_synthetic_data() {
    for n in [0, 1, MIN_SAMPLES - 1, MAX_SAMPLES + 1, usize::MAX] {
        rejects(base(), "samples", |c| c.samples = n);
        rejects(preset("linear-regression").unwrap(), "samples", |c| {
            c.samples = n
        });
    }
    for n in [MIN_SAMPLES, MAX_SAMPLES] {
        accepts(base(), "samples at the range ends", |c| c.samples = n);
    }
    // Real sets have their own size; the field is ignored there.
    accepts(preset("iris").unwrap(), "samples on a real set", |c| {
        c.samples = 0
    });
}

#[test]
fn noise_outside_0_1_or_non_finite_is_rejected() {
    for v in NON_FINITE
        .into_iter()
        .chain([-0.1, 1.01, f32::MAX, f32::MIN])
    {
        rejects(base(), "noise", |c| c.noise = v);
    }
    for v in [0.0, 1.0] {
        accepts(base(), "noise at the range ends", |c| c.noise = v);
    }
}

#[test]
fn test_fraction_must_leave_train_and_test_rows() {
    for v in NON_FINITE
        .into_iter()
        .chain([0.0, 1.0, -0.5, 1.5, f32::MAX])
    {
        rejects(base(), "test_fraction", |c| c.test_fraction = v);
    }
    // 10 samples: 1 % rounds to no test row, 99 % to no training row.
    for v in [0.01, 0.99] {
        rejects(base(), "test_fraction", |c| {
            c.samples = MIN_SAMPLES;
            c.test_fraction = v;
        });
    }
    // Iris has 150 rows: 0.1 % rounds to no test row.
    rejects(preset("iris").unwrap(), "test_fraction", |c| {
        c.test_fraction = 0.001
    });
    accepts(base(), "one test row of ten", |c| {
        c.samples = MIN_SAMPLES;
        c.test_fraction = 0.1;
    });
}

#[test]
fn no_features_is_rejected_for_2d_tasks_only() {
    let none = FeatureSet::from_flags([false; 7]);
    rejects(base(), "features", |c| c.features = none);
    accepts(
        preset("sine-regression").unwrap(),
        "no 2-D features on 1-D data",
        |c| c.features = none,
    );
    accepts(
        preset("digits").unwrap(),
        "no 2-D features on a real set",
        |c| c.features = none,
    );
}

#[test]
fn hidden_layer_counts_and_sizes_are_bounded() {
    let tanh = Activation::Tanh;
    rejects(base(), "hidden", |c| {
        c.hidden = vec![4; MAX_HIDDEN_LAYERS + 1];
        c.activations = vec![tanh; MAX_HIDDEN_LAYERS + 1];
    });
    for h in [0, MAX_HIDDEN_UNITS + 1, usize::MAX] {
        rejects(base(), "hidden[1]", |c| c.hidden = vec![4, h]);
    }
    accepts(base(), "the largest network", |c| {
        c.hidden = vec![MAX_HIDDEN_UNITS; MAX_HIDDEN_LAYERS];
        c.activations = vec![tanh; MAX_HIDDEN_LAYERS];
    });
    accepts(base(), "no hidden layer", |c| {
        c.hidden.clear();
        c.activations.clear();
    });
}

#[test]
fn a_huge_hidden_list_gives_a_short_message() {
    let mut c = base();
    c.hidden = vec![0; 100_000];
    c.activations = vec![Activation::Relu; 100_000];
    let Err(Error::Config(msg)) = validate(&c) else {
        panic!("100000 empty layers accepted");
    };
    assert!(
        msg.contains("hidden") && msg.len() < 2_000,
        "{} bytes: {msg:.200}",
        msg.len()
    );
}

#[test]
fn activations_must_match_hidden_layers() {
    rejects(base(), "activations", |c| {
        c.activations.push(Activation::Relu)
    });
    rejects(base(), "activations", |c| c.activations.clear());
    rejects(base(), "activations", |c| c.hidden.push(3));
}

#[test]
fn loss_must_fit_the_task() {
    rejects(preset("linear-regression").unwrap(), "loss", |c| {
        c.loss = LossKind::CrossEntropy
    });
    rejects(preset("diabetes").unwrap(), "loss", |c| {
        c.loss = LossKind::CrossEntropy
    });
    rejects(base(), "loss", |c| c.loss = LossKind::Mae);
    rejects(preset("iris").unwrap(), "loss", |c| c.loss = LossKind::Mae);
    accepts(base(), "mse on classification", |c| c.loss = LossKind::Mse);
    accepts(preset("diabetes").unwrap(), "mae on regression", |c| {
        c.loss = LossKind::Mae
    });
}

#[test]
fn learning_rate_must_be_finite_in_0_10() {
    for v in NON_FINITE
        .into_iter()
        .chain([0.0, -0.0, -1.0, MAX_LR * 1.01, 1e30])
    {
        rejects(base(), "optimizer.lr", |c| c.optimizer.lr = v);
    }
    for v in [f32::MIN_POSITIVE, MAX_LR] {
        accepts(base(), "lr at the range ends", |c| c.optimizer.lr = v);
    }
}

#[test]
fn momentum_and_betas_must_be_in_0_1() {
    type Field = fn(&mut ExperimentConfig) -> &mut f32;
    let fields: [(&str, Field); 3] = [
        ("optimizer.momentum", |c| &mut c.optimizer.momentum),
        ("optimizer.beta1", |c| &mut c.optimizer.beta1),
        ("optimizer.beta2", |c| &mut c.optimizer.beta2),
    ];
    for (name, field) in fields {
        for v in NON_FINITE.into_iter().chain([-0.1, 1.0, 2.0, f32::MAX]) {
            rejects(base(), name, |c| *field(c) = v);
        }
        for v in [0.0, 0.999_999] {
            accepts(base(), name, |c| *field(c) = v);
        }
    }
}

#[test]
fn eps_must_be_positive_and_finite() {
    for v in NON_FINITE.into_iter().chain([0.0, -1e-8, 2.0]) {
        rejects(base(), "optimizer.eps", |c| c.optimizer.eps = v);
    }
    accepts(base(), "a tiny eps", |c| c.optimizer.eps = 1e-30);
}

#[test]
fn penalties_must_be_in_0_1() {
    type Field = fn(&mut ExperimentConfig) -> &mut f32;
    let fields: [(&str, Field); 3] = [
        ("optimizer.weight_decay", |c| &mut c.optimizer.weight_decay),
        ("optimizer.l1", |c| &mut c.optimizer.l1),
        ("optimizer.l2", |c| &mut c.optimizer.l2),
    ];
    for (name, field) in fields {
        for v in NON_FINITE.into_iter().chain([-0.1, 1.5, f32::MAX]) {
            rejects(base(), name, |c| *field(c) = v);
        }
        for v in [0.0, 1.0] {
            accepts(base(), name, |c| *field(c) = v);
        }
    }
}

#[test]
fn clip_norm_must_be_positive_and_finite_when_set() {
    for v in NON_FINITE.into_iter().chain([0.0, -1.0]) {
        rejects(base(), "optimizer.clip_norm", |c| {
            c.optimizer.clip_norm = Some(v)
        });
    }
    accepts(base(), "no clipping", |c| c.optimizer.clip_norm = None);
    accepts(base(), "clipping at 1e-3", |c| {
        c.optimizer.clip_norm = Some(1e-3)
    });
}

#[test]
fn batch_size_is_bounded() {
    for b in [0, MAX_BATCH_SIZE + 1, usize::MAX] {
        rejects(base(), "batch_size", |c| c.batch_size = b);
    }
    for b in [1, MAX_BATCH_SIZE] {
        accepts(base(), "batch_size at the range ends", |c| c.batch_size = b);
    }
}

#[test]
fn budget_is_positive_and_bounded() {
    let bad = [
        Budget::Epochs(0),
        Budget::Epochs(MAX_EPOCHS + 1),
        Budget::Epochs(u32::MAX),
        Budget::Steps(0),
        Budget::Steps(MAX_STEPS + 1),
        Budget::Steps(u64::MAX),
    ];
    for b in bad {
        rejects(base(), "budget", |c| c.budget = b);
    }
    // Allowed epochs, but 100000 epochs of 500 single-row batches are too many steps.
    rejects(base(), "budget", |c| {
        c.budget = Budget::Epochs(MAX_EPOCHS);
        c.batch_size = 1;
    });
    for b in [
        Budget::Epochs(1),
        Budget::Steps(1),
        Budget::Steps(MAX_STEPS),
    ] {
        accepts(base(), "budget at the range ends", |c| c.budget = b);
    }
}

#[test]
fn eval_every_is_bounded() {
    for e in [MAX_STEPS + 1, u64::MAX] {
        rejects(base(), "eval_every", |c| c.eval_every = e);
    }
    for e in [0, 1, MAX_STEPS] {
        accepts(base(), "eval_every in range", |c| c.eval_every = e);
    }
}

#[test]
fn any_seed_data_source_and_standardisation_are_valid() {
    for seed in [0, 1, u64::MAX] {
        accepts(base(), "any seed", |c| c.seed = seed);
    }
    for p in Pattern2d::ALL {
        accepts(base(), p.name(), |c| c.data = DataSource::Classify2d(p));
    }
    for r in Regression1d::ALL {
        accepts(preset("sine-regression").unwrap(), r.name(), |c| {
            c.data = DataSource::Regression1d(r)
        });
    }
    for s in RealSet::ALL {
        accepts(preset("digits").unwrap(), s.name(), |c| {
            c.data = DataSource::Real(s);
            c.loss = LossKind::Mse;
            c.standardize = false;
        });
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut c = base();
    c.optimizer.lr = f32::NAN;
    c.batch_size = 0;
    c.noise = -1.0;
    let Err(Error::Config(msg)) = validate(&c) else {
        panic!("three bad fields accepted");
    };
    for field in ["optimizer.lr", "batch_size", "noise"] {
        assert!(msg.contains(field), "{field} missing from: {msg}");
    }
}
