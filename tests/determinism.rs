//! Determinism on the CPU backend: the same preset and seed give the same weights bit
//! for bit, the same loss curve and the same `weights_sha256` (over the safetensors
//! export); a different seed gives different weights; and reading values back (more or
//! fewer evaluations) never changes the training itself.

use gradlab::experiment::{
    from_safetensors, preset, sha256_hex, to_safetensors, ExperimentConfig, NamedWeight, Runner,
};
use gradlab::platform::block_on;
use gradlab::Device;

/// What one run leaves behind, as raw bits.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// `(name, shape, value bits)` of every parameter.
    weights: Vec<(String, Vec<usize>, Vec<u32>)>,
    /// `(step, train loss bits, test loss bits)` of every history point.
    curve: Vec<(u64, u64, u64)>,
    /// SHA-256 of the safetensors export.
    sha: String,
}

/// Trains `config` on the CPU to the end of its budget.
fn run(config: ExperimentConfig) -> (Outcome, Vec<NamedWeight>) {
    let mut runner = Runner::new(config.clone(), Device::Cpu).expect("config builds");
    block_on(runner.run(|_, _| {})).expect("training finishes");
    let weights = block_on(runner.weights()).expect("weights");
    let bytes = to_safetensors(&weights, &config).expect("export");
    let outcome = Outcome {
        weights: weights
            .iter()
            .map(|w| {
                let bits = w.data.iter().map(|v| v.to_bits()).collect();
                (w.name.clone(), w.shape.clone(), bits)
            })
            .collect(),
        curve: runner
            .history()
            .iter()
            .map(|p| (p.step, p.train_loss.to_bits(), p.test_loss.to_bits()))
            .collect(),
        sha: sha256_hex(&bytes),
    };
    (outcome, weights)
}

fn preset_config(name: &str) -> ExperimentConfig {
    preset(name).unwrap_or_else(|| panic!("no preset {name}"))
}

/// Presets covering 1-D regression, a 2-D pattern with feature maps, and standardised
/// real sets (small and large).
const PRESETS: [&str; 4] = ["linear-regression", "spiral", "iris", "digits"];

#[test]
fn same_preset_and_seed_give_identical_weights_curve_and_sha() {
    for name in PRESETS {
        let (a, wa) = run(preset_config(name));
        let (b, _) = run(preset_config(name));
        assert_eq!(a.weights, b.weights, "{name}: weights differ between runs");
        assert_eq!(a.curve, b.curve, "{name}: loss curves differ between runs");
        assert_eq!(a.sha, b.sha, "{name}: weights_sha256 differs between runs");
        assert_eq!(a.sha.len(), 64, "{name}: sha256 hex is 64 digits");
        // The export carries exactly the trained values.
        let bytes = to_safetensors(&wa, &preset_config(name)).expect("export");
        let (back, config) = from_safetensors(&bytes).expect("re-read export");
        let mut back: Vec<_> = back
            .into_iter()
            .map(|w| (w.name, w.shape, w.data))
            .collect();
        let mut orig: Vec<_> = wa.into_iter().map(|w| (w.name, w.shape, w.data)).collect();
        back.sort_by(|x, y| x.0.cmp(&y.0));
        orig.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(back, orig, "{name}: safetensors round trip");
        assert!(config.is_some(), "{name}: config missing from the metadata");
    }
}

#[test]
fn a_different_seed_gives_different_weights() {
    for name in PRESETS {
        let (a, _) = run(preset_config(name));
        let mut other = preset_config(name);
        other.seed = preset_config(name).seed.wrapping_add(1);
        let (b, _) = run(other);
        assert_ne!(
            a.weights, b.weights,
            "{name}: seed does not change the weights"
        );
        assert_ne!(a.sha, b.sha, "{name}: seed does not change weights_sha256");
    }
}

#[test]
fn evaluating_more_often_does_not_change_training() {
    for name in ["linear-regression", "spiral"] {
        let (a, _) = run(preset_config(name));
        let mut every_step = preset_config(name);
        every_step.eval_every = 1;
        let (b, _) = run(every_step);
        assert_eq!(
            a.weights, b.weights,
            "{name}: evaluation perturbed training"
        );
        assert!(
            b.curve.len() > a.curve.len(),
            "{name}: eval_every 1 records more points"
        );
        // Points recorded by both runs (same step) have the same losses. A long run's
        // history is thinned past MAX_HISTORY_POINTS, so not every step of `a` is
        // still in `b`, but most are.
        let mut shared = 0;
        for p in &a.curve {
            if let Some(q) = b.curve.iter().find(|q| q.0 == p.0) {
                assert_eq!(p, q, "{name}: loss at step {} differs", p.0);
                shared += 1;
            }
        }
        assert!(
            shared * 2 >= a.curve.len(),
            "{name}: only {shared} of {} points shared",
            a.curve.len()
        );
    }
}

#[test]
fn stepping_by_hand_matches_run() {
    let config = preset_config("spiral");
    let (a, _) = run(config.clone());
    let mut runner = Runner::new(config, Device::Cpu).expect("config builds");
    while !runner.is_done() {
        runner.step().expect("step");
    }
    let weights = block_on(runner.weights()).expect("weights");
    let bits: Vec<_> = weights
        .iter()
        .map(|w| {
            let bits = w.data.iter().map(|v| v.to_bits()).collect();
            (w.name.clone(), w.shape.clone(), bits)
        })
        .collect();
    assert_eq!(a.weights, bits, "step loop and run disagree");
}
