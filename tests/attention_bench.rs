//! Step times of decoder-only GPTs, CPU and GPU (lavapipe here), and dispatches per warm
//! GPU step: the tiny GPT of the tests and nanoGPT's CPU configuration (4 layers, 4
//! heads, 128 wide, context 64, batch 12, 65 tokens). A timing table, run on purpose:
//! `cargo test --release --test attention_bench -- --ignored --nocapture`.

mod common;

use common::gpt::{adamw, gpt, token_batch, train_step, GptSize, NANOGPT_CPU, TINY};
use common::gpu::gpu_device;
use gradlab::nn::Module;
use gradlab::rng::Rng;
use gradlab::Device;
use std::time::Instant;

/// Mean seconds per step over `steps` steps after `warm` warm-up steps, and the
/// dispatches of one warm GPU step.
fn time_steps(size: GptSize, device: &Device, warm: usize, steps: usize) -> (f64, Option<u64>) {
    let mut model = gpt(size, 1, device);
    let mut opt = adamw();
    let mut rng = Rng::new(2);
    let batch = token_batch(size, &mut rng);
    for _ in 0..warm {
        train_step(&mut model, &mut opt, size, &batch);
    }
    let dispatches = device.gpu_stats().map(|before| {
        train_step(&mut model, &mut opt, size, &batch);
        device
            .gpu_stats()
            .expect("GPU stats")
            .since(&before)
            .dispatches
    });
    // Reading a parameter waits for the device, so the clock covers the work.
    let sync = |m: &gradlab::nn::Sequential| m.params().tensors()[0].to_vec_blocking().unwrap();
    sync(&model);
    let start = Instant::now();
    for _ in 0..steps {
        train_step(&mut model, &mut opt, size, &batch);
    }
    sync(&model);
    (start.elapsed().as_secs_f64() / steps as f64, dispatches)
}

#[test]
#[ignore = "a timing table, run on purpose with --ignored --nocapture"]
fn gpt_step_times() {
    println!("| model | params | device | ms/step | tokens/s | dispatches/step |");
    println!("|---|---|---|---|---|---|");
    for (name, size, steps) in [
        ("tiny GPT", TINY, 20),
        ("nanoGPT CPU config", NANOGPT_CPU, 3),
    ] {
        let params = gpt(size, 1, &Device::Cpu).params().count();
        let mut devices = vec![Device::Cpu];
        devices.extend(gpu_device());
        for device in devices {
            let (secs, dispatches) = time_steps(size, &device, 2, steps);
            let tokens = (size.batch * size.context) as f64 / secs;
            println!(
                "| {name} | {params} | {} | {:.1} | {:.0} | {} |",
                device.label(),
                secs * 1e3,
                tokens,
                dispatches.map_or("-".to_string(), |d| d.to_string())
            );
        }
    }
}
