//! Backward rules of the fused transformer ops' own backward kernels (and GELU's second
//! derivative), written with tensor ops. A training step never runs them (backward
//! records no graph); they make every primitive differentiable, so the op suites check
//! each one by finite differences like any other. The statistics a forward kept
//! (layer norm's mean and `1/std`, cross-entropy's logsumexp) are inputs of these ops:
//! their rules hold them fixed.

use crate::op::{BinaryOp, GELU_C, GELU_CUBIC};
use crate::tensor::Tensor;

/// `gelu''(x)`: with `u = c (x + k x^3)`, `t = tanh u`, `u' = c (1 + 3k x^2)`,
/// `gelu'' = (1 - t^2) (u' + x (3ck x - t u'^2))`.
pub(super) fn gelu_second(x: &Tensor) -> Tensor {
    let x2 = x.mul(x);
    let t = x
        .add(&x2.mul(x).mul_scalar(GELU_CUBIC))
        .mul_scalar(GELU_C)
        .tanh();
    let sech2 = t.mul(&t).neg().add_scalar(1.0);
    let du = x2
        .mul_scalar(3.0 * GELU_CUBIC)
        .add_scalar(1.0)
        .mul_scalar(GELU_C);
    let curve = x
        .mul_scalar(3.0 * GELU_C * GELU_CUBIC)
        .sub(&t.mul(&du.mul(&du)));
    sech2.mul(&du.add(&x.mul(&curve)))
}

/// `out = y (dy - s)`, `s = sum(dy y)` per row: `d dy = softmax_backward(y, g)` (the
/// map is self-adjoint in `dy`), `d y = g (dy - s) - dy sum(g y)`.
pub(super) fn softmax_backward(
    y: &Tensor,
    dy: &Tensor,
    need: impl Fn(usize) -> bool,
    g: &Tensor,
) -> Vec<Option<Tensor>> {
    let last = y.rank() - 1;
    let dyy = need(0).then(|| {
        let s = dy.mul(y).sum_axes(&[last], true);
        let gy = g.mul(y).sum_axes(&[last], true);
        g.mul(&dy.sub(&s)).sub(&dy.mul(&gy))
    });
    vec![dyy, need(1).then(|| Tensor::softmax_backward(y, g))]
}

/// The row statistics kept by layer norm, as columns `[rows, 1]`: mean and `1/std`.
fn mean_rstd(stats: &Tensor) -> (Tensor, Tensor) {
    (stats.narrow(1, 0, 1), stats.narrow(1, 1, 1))
}

/// `xhat = (x - mean) rstd` as `[rows, cols]`.
fn xhat(x: &Tensor, stats: &Tensor, cols: usize) -> Tensor {
    let (mean, rstd) = mean_rstd(stats);
    x.reshape(&[x.numel() / cols.max(1), cols])
        .sub(&mean)
        .mul(&rstd)
}

/// Layer norm, inputs `[x, gamma, beta, stats]`: the fused kernel for `x`,
/// `d gamma = sum_rows(g xhat)`, `d beta = sum_rows(g)`.
pub(super) fn layer_norm(
    x: &[Tensor],
    need: impl Fn(usize) -> bool,
    g: &Tensor,
) -> Vec<Option<Tensor>> {
    let (input, gamma, stats) = (&x[0], &x[1], &x[3]);
    let cols = gamma.numel();
    let g2 = || g.reshape(&[g.numel() / cols.max(1), cols]);
    vec![
        need(0).then(|| Tensor::layer_norm_backward(input, gamma, stats, g)),
        need(1).then(|| g2().mul(&xhat(input, stats, cols)).sum_axes(&[0], false)),
        need(2).then(|| g2().sum_axes(&[0], false)),
        None,
    ]
}

/// The layer-norm backward `dx = rstd ((gh - mean(gh)) - xhat mean(gh xhat))`,
/// `gh = dy gamma`, inputs `[x, gamma, stats, dy]`, statistics fixed. With
/// `gbar = rstd ((g - mean(g)) - xhat mean(g xhat))` (the same map at `gamma = 1`):
/// `d dy = gamma gbar`, `d gamma = sum_rows(dy gbar)`, and
/// `d x = -rstd^2 (g mean(gh xhat) + gh mean(g xhat))`.
pub(super) fn layer_norm_backward(
    x: &[Tensor],
    need: impl Fn(usize) -> bool,
    g: &Tensor,
) -> Vec<Option<Tensor>> {
    let (input, gamma, stats, dy) = (&x[0], &x[1], &x[2], &x[3]);
    let cols = gamma.numel();
    let rows = input.numel() / cols.max(1);
    let gbar = || {
        let ones = Tensor::ones(&[cols], input.device());
        Tensor::layer_norm_backward(input, &ones, stats, g).reshape(&[rows, cols])
    };
    let (g2, dy2) = (g.reshape(&[rows, cols]), dy.reshape(&[rows, cols]));
    let dx = need(0).then(|| {
        let xh = xhat(input, stats, cols);
        let gh = dy2.mul(gamma);
        let a = gh.mul(&xh).mean_axes(&[1], true);
        let b = g2.mul(&xh).mean_axes(&[1], true);
        let (_, rstd) = mean_rstd(stats);
        g2.mul(&a)
            .add(&gh.mul(&b))
            .mul(&rstd.mul(&rstd))
            .neg()
            .reshape(input.dims())
    });
    let dgamma = need(1).then(|| dy2.mul(&gbar()).sum_axes(&[0], false));
    let ddy = need(3).then(|| gbar().mul(gamma).reshape(input.dims()));
    vec![dx, dgamma, None, ddy]
}

/// The cross-entropy backward `out = g s (p - onehot)`, `p = exp(logits - lse)`,
/// `s = 1/count` on counted rows (ids in `0..V`) and 0 elsewhere, inputs
/// `[logits, targets, stats, g]`, logsumexp fixed: `d logits = G g s p`,
/// `d g = sum(G out / g)`.
pub(super) fn cross_entropy_backward(
    x: &[Tensor],
    need: impl Fn(usize) -> bool,
    upstream: &Tensor,
) -> Vec<Option<Tensor>> {
    let (logits, targets, stats, g) = (&x[0], &x[1], &x[2], &x[3]);
    let (rows, vocab) = (logits.dims()[0], logits.dims()[1]);
    let dlogits = need(0).then(|| {
        let lse = stats.narrow(0, 0, rows).reshape(&[rows, 1]);
        // At least 1: with no counted row, `counted` is all zeros anyway.
        let count = stats.narrow(0, rows, 1).binary_scalar(BinaryOp::Max, 1.0);
        let t = targets.reshape(&[rows, 1]);
        let counted = t
            .binary_scalar(BinaryOp::Gt, -0.5)
            .mul(&t.binary_scalar(BinaryOp::Lt, vocab as f32 - 0.5));
        let p = logits.sub(&lse).exp();
        upstream
            .mul(&p)
            .mul(&counted.div(&count))
            .mul(&g.reshape(&[]))
    });
    let dg = need(3).then(|| {
        let one = Tensor::ones(g.dims(), g.device());
        let unit = Tensor::cross_entropy_backward(logits, targets, stats, &one);
        upstream.mul(&unit).sum_all().reshape(g.dims())
    });
    vec![dlogits, None, None, dg]
}
