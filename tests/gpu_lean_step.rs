//! The per-step path on the GPU is lean: once warm, a training step of the `spiral`,
//! `digits` and `digits-cnn` (convolutions and pooling) presets creates no buffers,
//! compiles no pipelines, creates no bind groups and submits its work exactly once.
//! (`conv_gpu_lean.rs` checks MNIST's LeNet shape the same way on a few batches.)

mod common;

use common::gpu::gpu_device;
use gradlab::experiment::{preset, Runner};

/// `d`, the counters of one warm step of `name`, shows a lean step: nothing created,
/// one submit, no readback, some work recorded.
fn assert_lean(name: &str, d: &gradlab::backend::gpu::GpuStats) {
    println!("{name}: one warm step: {d:?}");
    assert_eq!(
        d.buffers_created, 0,
        "{name}: a warm step created buffers: {d:?}"
    );
    assert_eq!(
        d.pipelines_created, 0,
        "{name}: a warm step compiled pipelines: {d:?}"
    );
    assert_eq!(
        d.bind_groups_created, 0,
        "{name}: a warm step created bind groups: {d:?}"
    );
    assert_eq!(d.submits, 1, "{name}: a warm step must submit once: {d:?}");
    assert_eq!(d.readbacks, 0, "{name}: a step must not read back: {d:?}");
    assert!(d.dispatches > 0, "{name}: the step recorded no work: {d:?}");
}

fn warm_step_is_lean(name: &str) {
    let Some(gpu) = gpu_device() else { return };
    let config = preset(name).unwrap_or_else(|| panic!("preset {name}"));
    let mut runner = Runner::new(config, gpu.clone()).expect("runner on the GPU");
    // Two epochs see every batch size (a last, partial batch too) and fill the pool
    // and the caches; stop mid-epoch so the measured step is an ordinary one.
    let per_epoch = runner.batches_per_epoch();
    runner
        .train_steps(2 * per_epoch + per_epoch / 2)
        .expect("warm-up steps");
    let before = gpu.gpu_stats().expect("GPU stats");
    runner.step().expect("one step");
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    assert_lean(name, &d);
    // The step computed something sane.
    let e = gradlab::platform::block_on(runner.evaluate()).expect("evaluation");
    assert!(e.train_loss.is_finite(), "{name}: loss {}", e.train_loss);
}

#[test]
fn a_warm_spiral_step_creates_nothing_and_submits_once() {
    warm_step_is_lean("spiral");
}

#[test]
fn a_warm_digits_step_creates_nothing_and_submits_once() {
    warm_step_is_lean("digits");
}

#[test]
fn a_warm_conv_net_step_creates_nothing_and_submits_once() {
    warm_step_is_lean("digits-cnn");
}

/// The tiny GPT (embedding, positions, causal attention, GELU MLP, layer norms, fused
/// cross-entropy) stepped by hand with AdamW: once warm, a step creates nothing and
/// submits once.
#[test]
fn a_warm_tiny_gpt_step_creates_nothing_and_submits_once() {
    use common::gpt::{adamw, gpt, token_batch, train_step, TINY};
    let Some(gpu) = gpu_device() else { return };
    let mut model = gpt(TINY, 3, &gpu);
    let mut opt = adamw();
    let mut rng = gradlab::rng::Rng::new(1);
    let batches: Vec<_> = (0..4).map(|_| token_batch(TINY, &mut rng)).collect();
    for batch in batches.iter().cycle().take(6) {
        train_step(&mut model, &mut opt, TINY, batch);
    }
    let before = gpu.gpu_stats().expect("GPU stats");
    train_step(&mut model, &mut opt, TINY, &batches[2]);
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    assert_lean("tiny GPT", &d);
}

/// The `shakespeare-char` GPT as the lab trains it (the benchmark's `gpt-small` job:
/// AdamW, clipping, warmup) stepped by its runner: once warm, a step creates nothing and
/// submits once; its dispatches are printed per kernel, and the fused paths bound the
/// counts that used to grow with the model:
/// - the optimizer: one update per parameter tensor (`P` of them), the clipping norm in
///   one dispatch per six gradients and one for the coefficient (it was a square, a sum
///   and an add per gradient, then a multiply per gradient to scale it), the
///   non-finite check one per three parameters;
/// - a slice's gradient (attention's q, k and v are slices of one projection, three
///   per block): one padding dispatch each, no fills and no concatenations.
#[test]
fn a_warm_shakespeare_gpt_step_creates_nothing_and_submits_once() {
    let Some(gpu) = gpu_device() else { return };
    let backend = gpu.gpu_backend().expect("a GPU device").clone();
    let config = preset("shakespeare-char").expect("preset shakespeare-char");
    let shapes = gradlab::experiment::model::param_shapes(&config);
    let params = shapes.len() as u64;
    let blocks = shapes
        .iter()
        .filter(|(n, _)| n.ends_with("in_proj_weight"))
        .count() as u64;
    assert!(params > 0 && blocks > 0, "{shapes:?}");
    let mut runner = Runner::new(config, gpu.clone()).expect("runner on the GPU");
    runner.train_steps(3).expect("warm-up steps");
    let before = gpu.gpu_stats().expect("GPU stats");
    let kernels_before = backend.dispatches_by_kernel();
    runner.step().expect("one step");
    let d = gpu.gpu_stats().expect("GPU stats").since(&before);
    let by_kernel = backend.dispatches_by_kernel().since(&kernels_before);
    println!(
        "shakespeare-char ({params} parameter tensors, {blocks} blocks): one warm step: {d:?}"
    );
    for (entry, n) in by_kernel.ranked() {
        println!("  {n:5}  {entry}");
    }
    assert_eq!(by_kernel.total(), d.dispatches, "every dispatch is counted");
    assert_lean("shakespeare-char", &d);
    let counts = [
        ("update_adam", params),
        ("clip_sum_squares", params.div_ceil(6)),
        ("clip_coefficient", 1),
        ("health_check_finite", params.div_ceil(3)),
        ("movement_pad", 3 * blocks),
        ("movement_concat", 0),
    ];
    for (entry, want) in counts {
        assert_eq!(by_kernel.of(entry), want, "{entry}: {by_kernel:?}");
    }
    // Clipping no longer multiplies or sums per gradient: the multiplies and sums left
    // are the model's own (attention's scale, the GELU and layer-norm backwards' parts,
    // bias and norm-parameter gradients), fewer than one per parameter tensor.
    // Each counted in all its forms (the flat binary entry, the row-per-thread sums).
    for entry in ["binary_mul", "reduce_sum"] {
        let all = by_kernel.of(entry)
            + by_kernel.of(&format!("{entry}_flat"))
            + by_kernel.of(&format!("{entry}_rows"));
        assert!(all > 0 && all < params, "{entry}: {by_kernel:?}");
    }
}
