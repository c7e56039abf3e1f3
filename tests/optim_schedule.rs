//! The training features of the language-model presets against closed forms, on the
//! CPU and (when an adapter exists) the GPU: nanoGPT's warmup-cosine learning rate,
//! AdamW's decoupled decay (on every parameter, or on matrices only), global-norm
//! gradient clipping.

use gradlab::autograd::Gradients;
use gradlab::nn::ParamSet;
use gradlab::optim::{LrSchedule, Optimizer, OptimizerConfig, OptimizerKind, ScheduleKind};
use gradlab::{Device, Tensor};

/// nanoGPT's `get_lr(it)` (train.py), in f64.
fn nanogpt_lr(it: u64, lr: f64, warmup: u64, decay: u64, min_lr: f64) -> f64 {
    if it < warmup {
        return lr * (it + 1) as f64 / (warmup + 1) as f64;
    }
    if it > decay {
        return min_lr;
    }
    let ratio = (it - warmup) as f64 / (decay - warmup) as f64;
    let coeff = 0.5 * (1.0 + (std::f64::consts::PI * ratio).cos());
    min_lr + coeff * (lr - min_lr)
}

fn schedule(lr: f32, warmup: u64, decay: u64, min_lr: f32) -> LrSchedule {
    LrSchedule {
        kind: ScheduleKind::WarmupCosine,
        lr,
        warmup_steps: warmup,
        decay_steps: decay,
        min_lr,
    }
}

#[test]
fn warmup_cosine_matches_nanogpts_get_lr() {
    let s = schedule(1e-3, 100, 2000, 1e-4);
    for it in 0..2100 {
        let want = nanogpt_lr(it, 1e-3f32 as f64, 100, 2000, 1e-4f32 as f64);
        let got = s.lr_at(it) as f64;
        assert!(
            (got - want).abs() <= 1e-6 * want,
            "it {it}: {got} vs {want}"
        );
    }
    // The landmarks: the warmup's first step, its peak, the floor.
    assert_eq!(s.lr_at(0), (1e-3f64 / 101.0) as f32);
    assert_eq!(s.lr_at(100), 1e-3);
    assert_eq!(s.lr_at(2000), 1e-4);
    let constant = LrSchedule {
        kind: ScheduleKind::Constant,
        ..s
    };
    assert!((0..3000).all(|it| constant.lr_at(it) == 1e-3));
}

fn devices() -> Vec<Device> {
    let mut d = vec![Device::Cpu];
    if let Ok(gpu) = Device::gpu() {
        d.push(gpu);
    }
    d
}

/// One step on `params` (name, shape, values) with gradients `grads`; returns the
/// parameters after it.
fn one_step(
    device: &Device,
    config: OptimizerConfig,
    embeddings: Vec<bool>,
    params: &[Param],
    grads: &[Vec<f32>],
    steps: usize,
) -> Vec<Vec<f32>> {
    let mut set = ParamSet::new();
    for (name, dims, v) in params {
        set.push(*name, Tensor::from_slice(v, dims, device));
    }
    let mut opt = Optimizer::new(config);
    opt.set_embeddings(embeddings);
    for _ in 0..steps {
        let g: Gradients = {
            let mut loss: Option<Tensor> = None;
            for (i, (_, dims, _)) in params.iter().enumerate() {
                let gt = Tensor::from_slice(&grads[i], dims, device);
                let term = set.get(i).mul(&gt).sum_all();
                loss = Some(match loss {
                    Some(l) => l.add(&term),
                    None => term,
                });
            }
            loss.unwrap().backward()
        };
        opt.step(&mut set, &g).unwrap();
    }
    (0..params.len())
        .map(|i| set.get(i).to_vec_blocking().unwrap())
        .collect()
}

fn close(got: &[f32], want: &[f64], what: &str) {
    for (g, w) in got.iter().zip(want) {
        let err = (*g as f64 - w).abs() / w.abs().max(1.0);
        assert!(err < 2e-6, "{what}: {g} vs {w} (got {got:?})");
    }
}

/// A parameter: its name, shape and values.
type Param = (&'static str, Vec<usize>, Vec<f32>);

/// A weight matrix, a bias vector and an embedding table, with gradients.
fn three_params() -> (Vec<Param>, Vec<Vec<f32>>) {
    let params = vec![
        (
            "0.weight",
            vec![2, 3],
            vec![0.5, -1.0, 0.25, 2.0, -0.5, 1.5],
        ),
        ("0.bias", vec![2], vec![0.3, -0.7]),
        ("1.weight", vec![2, 2], vec![1.0, -2.0, 0.5, 0.1]),
    ];
    let grads = vec![
        vec![0.1, -0.2, 0.3, 0.05, 0.0, -0.4],
        vec![0.6, -0.1],
        vec![-0.3, 0.2, 0.0, 0.7],
    ];
    (params, grads)
}

/// One AdamW step by hand, in f64: `p *= 1 - lr wd` when decayed, then
/// `p -= lr m^ / (sqrt(v^) + eps)` with `m^ = g`, `v^ = g^2` at step 1.
fn adamw_step(p: &[f32], g: &[f32], lr: f64, wd: f64, decayed: bool) -> Vec<f64> {
    let eps = 1e-8f32 as f64;
    p.iter()
        .zip(g)
        .map(|(&p, &g)| {
            let (p, g) = (p as f64, g as f64);
            // m = (1 - b1) g, v = (1 - b2) g^2; the bias corrections divide them back.
            let decay = if decayed { 1.0 - lr * wd } else { 1.0 };
            p * decay - lr * g / ((g * g).sqrt() + eps)
        })
        .collect()
}

#[test]
fn adamw_decays_every_parameter_or_matrices_only_and_embeddings_when_asked() {
    let (params, grads) = three_params();
    let (lr, wd) = (0.01f32, 0.1f32);
    for device in devices() {
        for (matrices_only, decay_embeddings) in [(false, true), (true, true), (true, false)] {
            let config = OptimizerConfig {
                kind: OptimizerKind::AdamW,
                lr,
                weight_decay: wd,
                decay_matrices_only: matrices_only,
                decay_embeddings,
                ..OptimizerConfig::default()
            };
            let got = one_step(
                &device,
                config,
                vec![false, false, true],
                &params,
                &grads,
                1,
            );
            // PyTorch's AdamW (one group) decays the bias too; nanoGPT's grouping not.
            let decayed = [true, !matrices_only, decay_embeddings];
            for i in 0..3 {
                let want = adamw_step(&params[i].2, &grads[i], lr as f64, wd as f64, decayed[i]);
                close(&got[i], &want, &format!("{} on {device:?}", params[i].0));
            }
        }
    }
}

#[test]
fn clipping_scales_every_gradient_by_the_global_norm() {
    let (params, grads) = three_params();
    let norm = grads
        .iter()
        .flatten()
        .map(|&g| (g as f64).powi(2))
        .sum::<f64>()
        .sqrt();
    for device in devices() {
        for max_norm in [0.3f32, 100.0] {
            // SGD at lr 1 moves each parameter by exactly its clipped gradient.
            let config = OptimizerConfig {
                kind: OptimizerKind::Sgd,
                lr: 1.0,
                clip_norm: Some(max_norm),
                ..OptimizerConfig::default()
            };
            let got = one_step(&device, config, vec![], &params, &grads, 1);
            let scale = (max_norm as f64 / (norm + 1e-6)).min(1.0);
            for i in 0..3 {
                let want: Vec<f64> = params[i]
                    .2
                    .iter()
                    .zip(&grads[i])
                    .map(|(&p, &g)| p as f64 - scale * g as f64)
                    .collect();
                close(&got[i], &want, &format!("clip {max_norm} on {device:?}"));
            }
        }
    }
}

#[test]
fn sgd_steps_at_the_scheduled_learning_rate() {
    let (params, grads) = three_params();
    let config = OptimizerConfig {
        kind: OptimizerKind::Sgd,
        lr: 0.5,
        schedule: ScheduleKind::WarmupCosine,
        warmup_steps: 2,
        decay_steps: 6,
        min_lr: 0.05,
        ..OptimizerConfig::default()
    };
    // The gradient is the same at every step, so after n steps p = p0 - (sum of the
    // scheduled rates) g.
    let rates: f64 = (0..5)
        .map(|it| nanogpt_lr(it, 0.5, 2, 6, 0.05f32 as f64))
        .sum();
    for device in devices() {
        let got = one_step(&device, config.clone(), vec![], &params, &grads, 5);
        for i in 0..3 {
            let want: Vec<f64> = params[i]
                .2
                .iter()
                .zip(&grads[i])
                .map(|(&p, &g)| p as f64 - rates * g as f64)
                .collect();
            close(&got[i], &want, &format!("schedule on {device:?}"));
        }
    }
}
