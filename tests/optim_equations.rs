//! One to three optimizer steps on a known tensor match the update equations of
//! PyTorch's documentation, computed independently here in f64.

use gradlab::nn::ParamSet;
use gradlab::optim::{Optimizer, OptimizerConfig, OptimizerKind};
use gradlab::{Device, Tensor};

const P0: [f32; 5] = [0.5, -1.25, 2.0, 0.0, -0.3];
/// Gradients of the three steps (the loss is `sum(p * g_t)`, so `dL/dp = g_t`).
const G: [[f32; 5]; 3] = [
    [0.1, -0.2, 0.3, 0.4, -0.5],
    [-0.3, 0.1, 0.2, -0.1, 0.6],
    [0.05, 0.5, -0.4, 0.2, 0.0],
];

fn run_optimizer(config: OptimizerConfig, steps: usize) -> Vec<f32> {
    let device = Device::Cpu;
    let mut params = ParamSet::new();
    params.push("0.weight", Tensor::from_slice(&P0, &[5], &device));
    let mut opt = Optimizer::new(config);
    for g in G.iter().take(steps) {
        let grads = {
            let gt = Tensor::from_slice(g, &[5], &device);
            params.get(0).mul(&gt).sum_all().backward()
        };
        opt.step(&mut params, &grads).unwrap();
    }
    params.get(0).to_vec_now().unwrap()
}

fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// torch.optim.SGD: g += wd*p; buf = g (first) or mu*buf + (1-damp)*g;
/// g = g + mu*buf (nesterov) or buf; p -= lr*g. Plus L1: g += l1*sign(p).
fn sgd_reference(lr: f64, mu: f64, nesterov: bool, l1: f64, l2: f64, steps: usize) -> Vec<f64> {
    let mut p: Vec<f64> = P0.iter().map(|&x| x as f64).collect();
    let mut buf = [0.0; 5];
    for (t, g) in G.iter().take(steps).enumerate() {
        for i in 0..5 {
            let mut gi = g[i] as f64 + l2 * p[i] + l1 * sign(p[i]);
            if mu != 0.0 {
                buf[i] = if t == 0 { gi } else { mu * buf[i] + gi };
                gi = if nesterov { gi + mu * buf[i] } else { buf[i] };
            }
            p[i] -= lr * gi;
        }
    }
    p
}

/// torch.optim.Adam / AdamW: (AdamW: p *= 1 - lr*wd); m = b1 m + (1-b1) g;
/// v = b2 v + (1-b2) g^2; m^ = m/(1-b1^t); v^ = v/(1-b2^t); p -= lr m^/(sqrt(v^)+eps).
fn adam_reference(lr: f64, wd_decoupled: f64, l2: f64, steps: usize) -> Vec<f64> {
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8f64);
    let mut p: Vec<f64> = P0.iter().map(|&x| x as f64).collect();
    let (mut m, mut v) = ([0.0; 5], [0.0; 5]);
    for (t, g) in G.iter().take(steps).enumerate() {
        let t = (t + 1) as i32;
        for i in 0..5 {
            let gi = g[i] as f64 + l2 * p[i];
            p[i] *= 1.0 - lr * wd_decoupled;
            m[i] = b1 * m[i] + (1.0 - b1) * gi;
            v[i] = b2 * v[i] + (1.0 - b2) * gi * gi;
            let mh = m[i] / (1.0 - b1.powi(t));
            let vh = v[i] / (1.0 - b2.powi(t));
            p[i] -= lr * mh / (vh.sqrt() + eps);
        }
    }
    p
}

fn assert_close(got: &[f32], want: &[f64], what: &str) {
    let worst = got
        .iter()
        .zip(want)
        .map(|(&g, &w)| (g as f64 - w).abs() / w.abs().max(1.0))
        .fold(0.0, f64::max);
    assert!(
        worst < 1e-6,
        "{what}: worst relative error {worst:e} >= 1e-6\n got  {got:?}\n want {want:?}"
    );
}

fn config(kind: OptimizerKind, lr: f32) -> OptimizerConfig {
    OptimizerConfig {
        kind,
        lr,
        ..OptimizerConfig::default()
    }
}

#[test]
fn sgd_matches_the_update_equation() {
    for steps in 1..=3 {
        let got = run_optimizer(config(OptimizerKind::Sgd, 0.1), steps);
        assert_close(
            &got,
            &sgd_reference(0.1, 0.0, false, 0.0, 0.0, steps),
            "sgd",
        );
    }
}

#[test]
fn momentum_and_nesterov_match_the_update_equations() {
    for nesterov in [false, true] {
        for steps in 1..=3 {
            let c = OptimizerConfig {
                momentum: 0.8,
                nesterov,
                ..config(OptimizerKind::Momentum, 0.05)
            };
            let got = run_optimizer(c, steps);
            assert_close(
                &got,
                &sgd_reference(0.05, 0.8, nesterov, 0.0, 0.0, steps),
                "momentum",
            );
        }
    }
}

#[test]
fn adam_matches_the_update_equations() {
    for steps in 1..=3 {
        let got = run_optimizer(config(OptimizerKind::Adam, 0.01), steps);
        assert_close(&got, &adam_reference(0.01, 0.0, 0.0, steps), "adam");
    }
}

#[test]
fn adamw_decays_weights_decoupled() {
    for steps in 1..=3 {
        let c = OptimizerConfig {
            weight_decay: 0.1,
            ..config(OptimizerKind::AdamW, 0.01)
        };
        let got = run_optimizer(c, steps);
        assert_close(&got, &adam_reference(0.01, 0.1, 0.0, steps), "adamw");
    }
}

#[test]
fn l1_and_l2_penalties_add_their_gradients() {
    let c = OptimizerConfig {
        l1: 0.01,
        l2: 0.02,
        ..config(OptimizerKind::Sgd, 0.1)
    };
    assert_close(
        &run_optimizer(c, 3),
        &sgd_reference(0.1, 0.0, false, 0.01, 0.02, 3),
        "sgd+l1+l2",
    );
    let c = OptimizerConfig {
        l2: 0.05,
        ..config(OptimizerKind::Adam, 0.01)
    };
    assert_close(
        &run_optimizer(c, 3),
        &adam_reference(0.01, 0.0, 0.05, 3),
        "adam+l2",
    );
}

#[test]
fn gradient_clipping_scales_to_the_max_norm() {
    // One SGD step with lr 1 moves p by exactly the clipped gradient.
    let max_norm = 0.2f64;
    let c = OptimizerConfig {
        clip_norm: Some(max_norm as f32),
        ..config(OptimizerKind::Sgd, 1.0)
    };
    let got = run_optimizer(c, 1);
    let norm = G[0].iter().map(|&g| (g as f64).powi(2)).sum::<f64>().sqrt();
    let scale = (max_norm / (norm + 1e-6)).min(1.0);
    let want: Vec<f64> = P0
        .iter()
        .zip(&G[0])
        .map(|(&p, &g)| p as f64 - scale * g as f64)
        .collect();
    assert_close(&got, &want, "clip");
}
