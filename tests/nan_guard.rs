//! Training stops on the first NaN or infinity, and says where and when: the health
//! check on the device looks at every parameter and gradient each step, and
//! `Runner::evaluate` reads it with the losses. Checked on the CPU and the GPU (the GPU
//! tests skip without an adapter, see `tests/common/gpu.rs`):
//! - a ReLU network fed a NaN weight (through a snapshot, the page's path for moving a
//!   run; links and model files refuse non-finite weights up front) stops naming it;
//! - a diverging run (huge learning rate) stops naming a parameter and a step, and the
//!   step is the true first one: a reference run on the same device reads every
//!   parameter after every step and finds the same step.

mod common;

use common::gpu::gpu_device;
use gradlab::experiment::{preset, Budget, ExperimentConfig, Runner};
use gradlab::nn::{Activation, Module};
use gradlab::optim::OptimizerKind;
use gradlab::platform::block_on;
use gradlab::{Device, Error};

fn relu_net() -> ExperimentConfig {
    let mut c = preset("xor").expect("the xor preset");
    c.activations = vec![Activation::Relu; c.hidden.len()];
    c
}

/// Preset `name` as a ReLU network with plain SGD at the largest learning rate
/// allowed: it diverges.
fn diverging(name: &str) -> ExperimentConfig {
    let mut c = preset(name).expect("a preset");
    c.activations = vec![Activation::Relu; c.hidden.len()];
    c.optimizer.kind = OptimizerKind::Sgd;
    c.optimizer.lr = gradlab::experiment::MAX_LR;
    c.budget = Budget::Steps(400);
    // No evaluation before the end: the status must remember the first step itself.
    c.eval_every = 1000;
    c
}

/// The step and the message of a `NonFinite` error; panics on anything else.
fn non_finite<T: std::fmt::Debug>(r: gradlab::Result<T>) -> (u64, String, String) {
    match r {
        Err(e @ Error::NonFinite { .. }) => {
            let shown = e.to_string();
            let Error::NonFinite { step, what } = e else {
                unreachable!()
            };
            (step, what, shown)
        }
        other => panic!("expected a NonFinite error, got {other:?}"),
    }
}

/// A run of `config` on `device` after `steps` steps, with value `index` of parameter
/// `name` set to NaN (snapshot, edit, restore).
fn run_with_nan(
    config: &ExperimentConfig,
    device: &Device,
    steps: u64,
    name: &str,
    index: usize,
) -> Runner {
    let mut r = Runner::new(config.clone(), device.clone()).expect("a runner");
    r.train_steps(steps).expect("steps");
    let mut snap = block_on(r.snapshot()).expect("a snapshot");
    let w = snap
        .weights
        .iter_mut()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no parameter {name}"));
    w.data[index] = f32::NAN;
    Runner::restore(config.clone(), device.clone(), &snap).expect("restored")
}

fn param_names(config: &ExperimentConfig) -> Vec<String> {
    let r = Runner::new(config.clone(), Device::Cpu).expect("a runner");
    r.model().params().names().to_vec()
}

fn nan_weight_is_named(device: &Device) {
    let config = relu_net();
    for name in param_names(&config) {
        // Before any step: the first evaluation names it, at step 0.
        let mut r = run_with_nan(&config, device, 0, &name, 0);
        let (step, what, shown) = non_finite(block_on(r.record()));
        assert_eq!(
            (step, what.as_str()),
            (0, format!("parameter `{name}`").as_str())
        );
        assert!(shown.contains(&name), "{shown}");
        // Mid-run, evaluated only five steps later: still the step it appeared at,
        // and still the parameter (not one of the gradients it then spoils).
        let mut r = run_with_nan(&config, device, 12, &name, 1);
        r.train_steps(5).expect("steps");
        let (step, what, _) = non_finite(block_on(r.evaluate()));
        assert_eq!((step, what), (12, format!("parameter `{name}`")));
        // Through the training loop: it stops instead of recording a point.
        let mut r = run_with_nan(&config, device, 3, &name, 0);
        let mut points = 0;
        let (step, what, _) = non_finite(block_on(r.run(|_, _| points += 1)));
        assert_eq!((step, what), (3, format!("parameter `{name}`")));
        assert_eq!(points, 0, "{name}: a point was recorded with a NaN weight");
    }
}

#[test]
fn a_relu_network_with_a_nan_weight_stops_naming_it_on_the_cpu() {
    nan_weight_is_named(&Device::Cpu);
}

#[test]
fn a_relu_network_with_a_nan_weight_stops_naming_it_on_the_gpu() {
    let Some(gpu) = gpu_device() else { return };
    nan_weight_is_named(&gpu);
}

#[test]
fn loading_good_weights_clears_what_the_health_check_saw() {
    let config = relu_net();
    let name = &param_names(&config)[0];
    let mut r = run_with_nan(&config, &Device::Cpu, 0, name, 0);
    r.train_steps(2).expect("steps");
    non_finite(block_on(r.evaluate()));
    let good = Runner::new(config, Device::Cpu).expect("a runner");
    r.load_weights(&block_on(good.weights()).expect("weights"))
        .expect("loaded");
    block_on(r.evaluate()).expect("finite weights evaluate again");
}

/// The first step after which some parameter is non-finite, and which ones are, read
/// back after every step; `None` if the run stays finite for its whole budget.
fn first_bad_step_by_reading(
    config: &ExperimentConfig,
    device: &Device,
) -> Option<(u64, Vec<String>)> {
    let mut r = Runner::new(config.clone(), device.clone()).expect("a runner");
    while !r.is_done() {
        r.step().expect("a step");
        let weights = block_on(r.weights()).expect("weights");
        let bad: Vec<String> = weights
            .iter()
            .filter(|w| w.data.iter().any(|v| !v.is_finite()))
            .map(|w| w.name.clone())
            .collect();
        if !bad.is_empty() {
            return Some((r.step_count(), bad));
        }
    }
    None
}

fn divergence_is_caught_at_its_first_step(device: &Device, preset_name: &str) {
    let config = diverging(preset_name);
    let (first, bad) = first_bad_step_by_reading(&config, device)
        .unwrap_or_else(|| panic!("{preset_name}: lr {} did not diverge", config.optimizer.lr));
    // Stepping well past it without reading: the status keeps the first step.
    let mut r = Runner::new(config.clone(), device.clone()).expect("a runner");
    r.train_steps(first + 25).expect("steps");
    let (step, what, shown) = non_finite(block_on(r.evaluate()));
    let named = bad.iter().any(|n| {
        what == format!("parameter `{n}`") || what == format!("the gradient of parameter `{n}`")
    });
    assert!(
        named && step == first,
        "{preset_name} on {}: reported `{what}` at step {step}; reading every step found {bad:?} at step {first}",
        device.label()
    );
    assert!(shown.contains(&format!("step {first}")), "{shown}");
    println!("{preset_name} on {}: {shown}", device.label());
    // The training loop stops with the same report.
    let mut r = Runner::new(config, device.clone()).expect("a runner");
    let (run_step, run_what, _) = non_finite(block_on(r.run(|p, _| {
        assert!(p.train_loss.is_finite(), "a non-finite point was recorded");
    })));
    assert_eq!((run_step, run_what), (step, what));
}

#[test]
fn a_diverging_run_stops_at_its_first_non_finite_step_on_the_cpu() {
    for name in ["linear-regression", "sine-regression"] {
        divergence_is_caught_at_its_first_step(&Device::Cpu, name);
    }
}

#[test]
fn a_diverging_run_stops_at_its_first_non_finite_step_on_the_gpu() {
    let Some(gpu) = gpu_device() else { return };
    for name in ["linear-regression", "sine-regression"] {
        divergence_is_caught_at_its_first_step(&gpu, name);
    }
}
