//! Composite functions built from primitives: they have no backward rules of their own,
//! autograd differentiates through the primitives they are made of.

use crate::autograd::no_grad;
use crate::rng::Rng;
use crate::tensor::{BinaryOp, Tensor};

fn last_axis(x: &Tensor) -> usize {
    assert!(x.rank() > 0, "needs at least one axis");
    x.rank() - 1
}

/// `softmax(x)_i = e^(x_i - m) / sum_j e^(x_j - m)` along `axis` (`m` the max, for range).
pub fn softmax(x: &Tensor, axis: usize) -> Tensor {
    // The shift cancels in the ratio, so it may be detached from the graph.
    let m = no_grad(|| x.max_axes(&[axis], true)).detach();
    let e = x.sub(&m).exp();
    e.div(&e.sum_axes(&[axis], true))
}

/// `log_softmax(x) = (x - m) - ln sum_j e^(x_j - m)` along `axis`.
pub fn log_softmax(x: &Tensor, axis: usize) -> Tensor {
    let m = no_grad(|| x.max_axes(&[axis], true)).detach();
    let z = x.sub(&m);
    z.sub(&z.exp().sum_axes(&[axis], true).log())
}

/// Mean cross-entropy of `logits: [B, C]` against one-hot (or soft) `targets: [B, C]`:
/// `-(1/B) sum_b sum_c t_bc log_softmax(logits)_bc`.
pub fn cross_entropy_logits(logits: &Tensor, targets: &Tensor) -> Tensor {
    let lp = log_softmax(logits, last_axis(logits));
    let b = logits.dims()[0].max(1) as f32;
    lp.mul(targets).sum_all().mul_scalar(-1.0 / b)
}

/// One-hot rows for class indices: `[labels.len(), classes]`.
pub fn one_hot(labels: &[usize], classes: usize, device: &crate::Device) -> Tensor {
    let mut v = vec![0.0; labels.len() * classes];
    for (i, &l) in labels.iter().enumerate() {
        if l < classes {
            v[i * classes + l] = 1.0;
        }
    }
    Tensor::from_slice(&v, &[labels.len(), classes], device)
}

/// Mean binary cross-entropy of probabilities `p` against targets `t` in [0, 1]:
/// `-mean(t ln p + (1 - t) ln(1 - p))`, with `p` clamped to `[1e-7, 1 - 1e-7]`.
pub fn binary_cross_entropy(p: &Tensor, t: &Tensor) -> Tensor {
    // clamp(p) = -max(-max(p, lo), -hi), the bounds as kernel constants.
    let pc = p
        .binary_scalar(BinaryOp::Max, 1e-7)
        .neg()
        .binary_scalar(BinaryOp::Max, -(1.0 - 1e-7))
        .neg();
    let one_minus_t = t.neg().add_scalar(1.0);
    let one_minus_p = pc.neg().add_scalar(1.0);
    t.mul(&pc.log())
        .add(&one_minus_t.mul(&one_minus_p.log()))
        .mean_all()
        .neg()
}

/// Mean binary cross-entropy from logits, in the overflow-free form
/// `mean(max(x, 0) - x t + ln(1 + e^(-|x|)))`.
pub fn bce_with_logits(x: &Tensor, t: &Tensor) -> Tensor {
    let softplus_neg_abs = x.abs().neg().exp().add_scalar(1.0).log();
    x.binary_scalar(BinaryOp::Max, 0.0)
        .sub(&x.mul(t))
        .add(&softplus_neg_abs)
        .mean_all()
}

/// Mean squared error `mean((p - t)^2)`.
pub fn mse(p: &Tensor, t: &Tensor) -> Tensor {
    p.sub(t).square().mean_all()
}

/// Mean absolute error `mean(|p - t|)`.
pub fn mae(p: &Tensor, t: &Tensor) -> Tensor {
    p.sub(t).abs().mean_all()
}

/// GELU, tanh approximation: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
pub fn gelu(x: &Tensor) -> Tensor {
    let c = (2.0f64 / std::f64::consts::PI).sqrt() as f32;
    let inner = x.add(&x.mul(x).mul(x).mul_scalar(0.044715)).mul_scalar(c);
    x.mul(&inner.tanh().add_scalar(1.0)).mul_scalar(0.5)
}

/// Layer normalisation over the last axis: `(x - mean) / sqrt(var + eps) * gamma + beta`
/// with the biased variance, as PyTorch's `nn.LayerNorm`.
pub fn layer_norm(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f32) -> Tensor {
    let a = last_axis(x);
    let mean = x.mean_axes(&[a], true);
    let centered = x.sub(&mean);
    let var = centered.square().mean_axes(&[a], true);
    centered
        .div(&var.add_scalar(eps).sqrt())
        .mul(gamma)
        .add(beta)
}

/// Inverted dropout: zero each element with probability `p` (a mask drawn from `rng`)
/// and scale the rest by `1 / (1 - p)`; the identity when not `training` or `p == 0`.
pub fn dropout(x: &Tensor, p: f32, rng: &mut Rng, training: bool) -> Tensor {
    if !training || p <= 0.0 {
        return x.clone();
    }
    if p >= 1.0 {
        return x.mul_scalar(0.0);
    }
    let keep = 1.0 / (1.0 - p);
    let mask: Vec<f32> = (0..x.numel())
        .map(|_| if rng.uniform() < p { 0.0 } else { keep })
        .collect();
    x.mul(&Tensor::from_slice(&mask, x.dims(), x.device()))
}
