//! Gradient clipping fused on the GPU (`shaders/clip.wgsl`, and the clipping scale
//! multiplied into the optimizer update): the coefficient against the CPU's composed
//! one and an f64 definition, on edge sizes and more gradients than one dispatch takes;
//! the update with a gradient scale against multiplying first (the same bits on the CPU,
//! within tolerance on the GPU); and the tiny GPT trained with clipped AdamW on both
//! devices.

mod common;

use common::gpt::{gpt, gpt_loss, token_batch, TINY};
use common::gpu::gpu_device;
use common::{read, uniform};
use gradlab::backend::{Storage, UpdateRule};
use gradlab::nn::Module;
use gradlab::optim::{Optimizer, OptimizerConfig, OptimizerKind};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// The coefficient: sums of squares in another order than the CPU's (a tree per
/// gradient), then sqrt and a division: a few ulps of a sum of thousands of terms.
const TOL_COEF: f64 = 1e-5;
/// Elementwise update math (as `gpu_backend.rs`'s updates).
const TOL_UPDATE: f64 = 2e-6;

fn read_storage(d: &Device, s: &Storage, len: usize) -> Vec<f32> {
    gradlab::platform::block_on(d.read(s, len)).expect("read")
}

/// `min(1, max_norm / (||g|| + 1e-6))` composed from tensor ops on the CPU: the
/// optimizer's CPU path, op for op.
fn composed_coefficient(grads: &[Vec<f32>], max_norm: f32) -> f32 {
    let cpu = Device::Cpu;
    let mut total: Option<Tensor> = None;
    for g in grads {
        let s = Tensor::from_slice(g, &[g.len()], &cpu).square().sum_all();
        total = Some(match total {
            Some(t) => t.add(&s),
            None => s,
        });
    }
    let coef = total
        .expect("at least one gradient")
        .sqrt()
        .add_scalar(1e-6)
        .recip()
        .mul_scalar(max_norm);
    read(&coef.neg().maximum(&coef.scalar_like(-1.0)).neg())[0]
}

/// The definition in f64.
fn f64_coefficient(grads: &[Vec<f32>], max_norm: f32) -> f64 {
    let sq: f64 = grads
        .iter()
        .flatten()
        .map(|&v| (v as f64) * (v as f64))
        .sum();
    (max_norm as f64 / (sq.sqrt() + 1e-6)).min(1.0)
}

/// Gradient sets: one element, an empty gradient among others, sizes around the
/// workgroup's 256 lanes, and 8 and 13 gradients (two and three dispatches of six).
fn gradient_sets(rng: &mut Rng) -> Vec<Vec<Vec<f32>>> {
    let sizes: [&[usize]; 5] = [
        &[1],
        &[0, 5],
        &[255, 256, 257, 1000, 3, 7, 5000, 1],
        &[64, 64, 4160, 2048, 16384, 64, 64, 256, 1, 2, 3, 300, 512],
        &[6; 6],
    ];
    sizes
        .iter()
        .map(|s| s.iter().map(|&n| uniform(rng, n, -2.0, 2.0)).collect())
        .collect()
}

#[test]
fn fused_clip_coefficient_matches_the_cpu_composition_and_f64() {
    let Some(gpu) = gpu_device() else { return };
    assert!(
        Device::Cpu.clip_coefficient(&[], 1.0).is_none()
            && gpu.clip_coefficient(&[], 1.0).is_none(),
        "no gradients, no coefficient"
    );
    let mut rng = Rng::new(12);
    for grads in gradient_sets(&mut rng) {
        let norm: f64 = f64_coefficient(&grads, 1.0).recip();
        // Clipping engaged (a tenth of the norm), and not (ten times the norm: exactly 1).
        for max_norm in [(norm / 10.0) as f32, (norm * 10.0) as f32] {
            let want = f64_coefficient(&grads, max_norm);
            let cpu = composed_coefficient(&grads, max_norm);
            let storages: Vec<Storage> = grads.iter().map(|g| gpu.upload(g)).collect();
            let parts: Vec<(&Storage, usize)> = storages
                .iter()
                .zip(&grads)
                .map(|(s, g)| (s, g.len()))
                .collect();
            let coef = gpu
                .clip_coefficient(&parts, max_norm)
                .expect("a GPU coefficient");
            gpu.flush();
            let got = read_storage(&gpu, &coef, 1)[0];
            let sizes: Vec<usize> = grads.iter().map(Vec::len).collect();
            for (what, v) in [("gpu", got), ("cpu", cpu)] {
                let err = (v as f64 - want).abs() / want;
                assert!(
                    err <= TOL_COEF,
                    "{what} coefficient {v} vs f64 {want} (sizes {sizes:?}, max_norm {max_norm}): {err:.2e}"
                );
            }
            if want == 1.0 {
                assert_eq!((got, cpu), (1.0, 1.0), "unclipped is exactly 1 ({sizes:?})");
            }
        }
    }
}

fn rules() -> Vec<(&'static str, UpdateRule)> {
    let sgd = |momentum: f32, nesterov: bool, first_step: bool| UpdateRule::Sgd {
        lr: 0.1,
        momentum,
        dampening: 0.0,
        nesterov,
        first_step,
        l1: 0.01,
        l2: 0.02,
    };
    let adam = |decoupled_wd: f32| UpdateRule::Adam {
        lr: 0.01,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        bias_correction1: 0.1,
        bias_correction2_sqrt: 0.0316,
        decoupled_wd,
        l1: 0.0,
        l2: 0.02,
    };
    vec![
        ("sgd", sgd(0.0, false, false)),
        ("momentum", sgd(0.9, false, false)),
        ("nesterov", sgd(0.9, true, true)),
        ("adam", adam(0.0)),
        ("adamw", adam(0.1)),
    ]
}

/// One update of `len` elements on `d` from the same start; the parameter and state.
fn update_once(
    d: &Device,
    rule: &UpdateRule,
    (p0, g, s0): (&[f32], &[f32], &[f32]),
    scale: Option<f32>,
) -> Vec<Vec<f32>> {
    let len = p0.len();
    let state: Vec<Storage> = (0..rule.state_len()).map(|_| d.upload(s0)).collect();
    let scale = scale.map(|s| d.upload(&[s]));
    let (p, st) = d.update(rule, d.upload(p0), &d.upload(g), scale.as_ref(), state, len);
    let mut out = vec![read_storage(d, &p, len)];
    out.extend(st.iter().map(|s| read_storage(d, s, len)));
    out
}

#[test]
fn an_update_with_a_gradient_scale_is_multiplying_first() {
    let mut rng = Rng::new(4);
    let cpu = Device::Cpu;
    let gpu = gpu_device();
    for len in [1, 255, 257, 3000] {
        let p0 = uniform(&mut rng, len, -1.0, 1.0);
        let g = uniform(&mut rng, len, -3.0, 3.0);
        let s0: Vec<f32> = uniform(&mut rng, len, 0.0, 0.5);
        let scale = 0.37f32;
        // The gradient scaled by a separate (broadcast) multiply by a rank-0 scale: what
        // the optimizer did before the fusion.
        let gs = read(&Tensor::from_slice(&g, &[len], &cpu).mul(&Tensor::scalar(scale, &cpu)));
        for (name, rule) in rules() {
            let fused = update_once(&cpu, &rule, (&p0, &g, &s0), Some(scale));
            let composed = update_once(&cpu, &rule, (&p0, &gs, &s0), None);
            let bits = |v: &Vec<Vec<f32>>| -> Vec<Vec<u32>> {
                v.iter()
                    .map(|t| t.iter().map(|x| x.to_bits()).collect())
                    .collect()
            };
            assert_eq!(bits(&fused), bits(&composed), "cpu {name}, len {len}");
            let Some(gpu) = &gpu else { continue };
            let on_gpu = update_once(gpu, &rule, (&p0, &g, &s0), Some(scale));
            for (k, (a, b)) in on_gpu.iter().zip(&fused).enumerate() {
                let (err, i) = common::gpu::worst_error(a, b, |i| b[i].abs() as f64);
                assert!(
                    err <= TOL_UPDATE,
                    "gpu {name}, len {len}, tensor {k}: off by {err:.2e} at {i}"
                );
            }
        }
    }
}

/// Losses of `steps` clipped AdamW steps of the tiny GPT on `device` (clipping at a
/// tenth of the first gradient norm, so it engages), and the final weights.
fn train_clipped(device: &Device, steps: usize) -> (Vec<f32>, Vec<Vec<f32>>) {
    let mut model = gpt(TINY, 11, device);
    let mut opt = Optimizer::new(OptimizerConfig {
        kind: OptimizerKind::AdamW,
        lr: 1e-2,
        weight_decay: 0.1,
        clip_norm: Some(0.05),
        ..OptimizerConfig::default()
    });
    let mut rng = Rng::new(5);
    let mut losses = Vec::new();
    for _ in 0..steps {
        let batch = token_batch(TINY, &mut rng);
        let loss = gpt_loss(&model, TINY, &batch.0, &batch.1);
        losses.push(read(&loss)[0]);
        let grads = loss.backward();
        drop(loss);
        opt.step(model.params_mut(), &grads)
            .expect("optimizer step");
        device.flush();
    }
    let weights = model.params().tensors().iter().map(read).collect();
    (losses, weights)
}

#[test]
fn tiny_gpt_with_clipped_adamw_matches_between_cpu_and_gpu() {
    // Clipping engages: the first gradient norm is far above 0.05.
    let model = gpt(TINY, 11, &Device::Cpu);
    let batch = token_batch(TINY, &mut Rng::new(5));
    let grads = gpt_loss(&model, TINY, &batch.0, &batch.1).backward();
    let g: Vec<Vec<f32>> = model
        .params()
        .tensors()
        .iter()
        .map(|p| read(grads.get(p).expect("gradient")))
        .collect();
    assert!(f64_coefficient(&g, 0.05) < 0.5, "clipping must engage");
    let (losses, weights) = train_clipped(&Device::Cpu, 6);
    let Some(gpu) = gpu_device() else { return };
    let (gpu_losses, gpu_weights) = train_clipped(&gpu, 6);
    for (step, (c, g)) in losses.iter().zip(&gpu_losses).enumerate() {
        assert!(
            (c - g).abs() < 1e-3 * c.abs().max(1.0),
            "step {step}: cpu {c} gpu {g}"
        );
    }
    for (k, (c, g)) in weights.iter().zip(&gpu_weights).enumerate() {
        let (err, i) = common::gpu::worst_error(g, c, |i| c[i].abs() as f64);
        assert!(err <= 1e-3, "parameter {k}: off by {err:.2e} at {i}");
    }
}
