//! Composite functions built from primitives: they have no backward rules of their own,
//! autograd differentiates through the primitives they are made of.

use crate::autograd::no_grad;
use crate::rng::Rng;
use crate::tensor::{BinaryOp, Tensor, UnaryOp};

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

/// GELU, tanh approximation: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`
/// (PyTorch's `GELU(approximate='tanh')`), one fused op with a fused derivative whose
/// CPU bits equal the composed form's, forward and backward.
pub fn gelu(x: &Tensor) -> Tensor {
    x.unary(UnaryOp::Gelu)
}

/// Layer normalisation over the last axis: `(x - mean) / sqrt(var + eps) * gamma + beta`
/// with the biased variance, as PyTorch's `nn.LayerNorm`; one fused op (forward values
/// bit-identical on the CPU to the composed form) with a fused backward.
pub fn layer_norm(x: &Tensor, gamma: &Tensor, beta: &Tensor, eps: f32) -> Tensor {
    let _ = last_axis(x);
    x.layer_norm(gamma, beta, eps)
}

/// Mean cross-entropy of `logits [N, V]` against integer `targets [N]` (ids stored
/// exactly in f32; an id outside `0..V`, e.g. a negative padding id, is ignored), over
/// the counted rows: PyTorch's `F.cross_entropy(logits, targets, ignore_index=...)`. Fused:
/// only each row's logsumexp is kept for the backward.
pub fn cross_entropy_ids(logits: &Tensor, targets: &Tensor) -> Tensor {
    logits.cross_entropy_ids(targets)
}

/// Multi-head scaled dot-product attention: `q [B, Tq, D]`, `k`, `v` `[B, Tk, D]`, `D`
/// split into `heads` heads of `D / heads`; `softmax(q k^T / sqrt(D / heads))` with the
/// causal rule (query `i` sees keys `j <= i + Tk - Tq`) and the key padding mask
/// `[B, Tk]` (1 keep, 0 masked), times `v`: `[B, Tq, D]`.
pub fn attention(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    heads: usize,
    causal: bool,
    key_mask: Option<&Tensor>,
) -> Tensor {
    attention_with_weights(q, k, v, heads, causal, key_mask).0
}

/// [`attention`] and its weights `[B, heads, Tq, Tk]` (for an attention view).
pub fn attention_with_weights(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    heads: usize,
    causal: bool,
    key_mask: Option<&Tensor>,
) -> (Tensor, Tensor) {
    let (b, tq, d) = (q.dims()[0], q.dims()[1], q.dims()[2]);
    let tk = k.dims()[1];
    assert!(
        heads > 0 && d.is_multiple_of(heads) && k.dims() == [b, tk, d] && v.dims() == k.dims(),
        "attention: q {}, k {}, v {} with {heads} heads",
        q.shape(),
        k.shape(),
        v.shape()
    );
    let dh = d / heads;
    // [B, T, D] -> [B, T, H, Dh] -> [B, H, T, Dh] -> [B*H, T, Dh]
    let split = |t: &Tensor, len: usize| {
        t.reshape(&[b, len, heads, dh])
            .permute(&[0, 2, 1, 3])
            .reshape(&[b * heads, len, dh])
    };
    let scale = 1.0 / (dh as f32).sqrt();
    let scores = split(q, tq)
        .matmul_t(&split(k, tk), false, true)
        .mul_scalar(scale)
        .reshape(&[b, heads, tq, tk]);
    let weights = scores.masked_softmax(causal, key_mask);
    // [B*H, Tq, Dh] -> [B, H, Tq, Dh] -> [B, Tq, H, Dh] -> [B, Tq, D]
    let out = weights
        .reshape(&[b * heads, tq, tk])
        .matmul_t(&split(v, tk), false, false)
        .reshape(&[b, heads, tq, dh])
        .permute(&[0, 2, 1, 3])
        .reshape(&[b, tq, d]);
    (out, weights)
}

/// The mean of `x [B, L, D]` over its token axis, `[B, D]`: over the positions where
/// `key_mask [B, L]` is 1 when there is a mask (a row with none gives zeros), else over
/// all `L`.
pub fn masked_mean(x: &Tensor, key_mask: Option<&Tensor>) -> Tensor {
    let Some(mask) = key_mask else {
        return x.mean_axes(&[1], false);
    };
    let (b, l) = (x.dims()[0], x.dims()[1]);
    let m = mask.reshape(&[b, l, 1]);
    let count = mask.sum_axes(&[1], true).binary_scalar(BinaryOp::Max, 1.0);
    x.mul(&m).sum_axes(&[1], false).div(&count)
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
