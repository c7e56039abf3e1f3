//! Training on the GPU: presets reach the same quality bars as on the CPU, their loss
//! histories agree with the CPU's over the first steps, and the same preset trained
//! twice on the GPU gives bit-identical weights.

mod common;

use common::gpu::gpu_device;
use gradlab::experiment::{preset, HistoryPoint, NamedWeight, Runner};
use gradlab::platform::block_on;
use gradlab::Device;

/// Relative agreement of the train losses of the first steps: the GPU's exp, log and
/// tree-ordered sums differ from the CPU's by ulps, and training compounds them slowly.
const LOSS_TOL: f64 = 1e-5;
/// Steps compared, each recorded.
const STEPS: u64 = 30;

fn runner(name: &str, device: &Device) -> Runner {
    let config = preset(name).unwrap_or_else(|| panic!("no preset {name}"));
    Runner::new(config, device.clone()).expect("preset builds")
}

fn train(name: &str, device: &Device) -> (Runner, HistoryPoint) {
    let mut r = runner(name, device);
    let last = block_on(r.run(|_, _| {})).expect("training finishes");
    (r, last)
}

fn weight<'a>(ws: &'a [NamedWeight], name: &str) -> &'a NamedWeight {
    ws.iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("no weight {name}"))
}

#[test]
fn presets_reach_their_quality_bars_on_the_gpu() {
    let Some(gpu) = gpu_device() else { return };
    for (name, bar) in [("spiral", 0.9), ("breast-cancer", 0.95)] {
        let (_, last) = train(name, &gpu);
        let acc = last.metrics.accuracy.expect("accuracy");
        println!("{name} on the GPU: test accuracy {acc:.4} (bar {bar})");
        assert!(acc >= bar, "{name} on the GPU: test accuracy {acc} < {bar}");
    }
    let (r, last) = train("linear-regression", &gpu);
    let mse = last.metrics.mse.expect("mse");
    let ws = block_on(r.weights()).expect("weights");
    let (w, b) = (
        weight(&ws, "0.weight").data[0],
        weight(&ws, "0.bias").data[0],
    );
    println!("linear-regression on the GPU: mse {mse:.5}, weight {w:.4}, bias {b:.4}");
    assert!(mse < 0.01, "test mse {mse} >= 0.01");
    assert!((w - 2.0).abs() < 0.1, "weight {w} not within 0.1 of 2");
    assert!((b - 1.0).abs() < 0.1, "bias {b} not within 0.1 of 1");
}

#[test]
fn loss_histories_agree_with_the_cpu_over_the_first_steps() {
    let Some(gpu) = gpu_device() else { return };
    for name in ["spiral", "breast-cancer", "linear-regression"] {
        let losses = |device: &Device| -> Vec<f64> {
            let mut r = runner(name, device);
            (0..STEPS)
                .map(|_| {
                    r.step().expect("step");
                    block_on(r.record()).expect("record").train_loss
                })
                .collect()
        };
        let (cpu, gpu) = (losses(&Device::Cpu), losses(&gpu));
        let mut worst = (0.0f64, 0);
        for (i, (c, g)) in cpu.iter().zip(&gpu).enumerate() {
            let err = (c - g).abs() / c.abs().max(1e-3);
            if err > worst.0 {
                worst = (err, i);
            }
        }
        println!(
            "{name}: worst train-loss difference over {STEPS} steps {:.2e} (tol {LOSS_TOL:.0e})",
            worst.0
        );
        let i = worst.1;
        assert!(
            worst.0 <= LOSS_TOL,
            "{name}: step {} train loss {} on the GPU, {} on the CPU (relative {:.2e} > {LOSS_TOL:.0e})",
            i + 1,
            gpu[i],
            cpu[i],
            worst.0
        );
    }
}

#[test]
fn the_same_preset_twice_gives_identical_weights_on_the_gpu() {
    let Some(gpu) = gpu_device() else { return };
    let weights = || {
        let mut r = runner("spiral", &gpu);
        r.train_steps(200).expect("steps");
        block_on(r.weights()).expect("weights")
    };
    let (a, b) = (weights(), weights());
    for (x, y) in a.iter().zip(&b) {
        let bits = |w: &NamedWeight| w.data.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert!(
            bits(x) == bits(y),
            "{} differs between two identical GPU runs",
            x.name
        );
    }
}
