//! One backward rule per primitive op, written with tensor ops so they run on any
//! backend. Each rule returns its inputs' gradients, possibly in the broadcast output
//! shape (the caller unbroadcasts). `None` means no gradient flows to that input; a
//! rule of several inputs computes only the gradients of inputs that require them (a
//! constant operand, a detached shift or a target costs no kernel).

use crate::op::{BinaryOp, Op, ReduceOp, UnaryOp};
use crate::tensor::{Node, Shape, Tensor};

/// The gradients of `node`'s inputs given `g`, the gradient of its output `y`.
pub(super) fn input_grads(node: &Node, y: &Tensor, g: &Tensor) -> Vec<Option<Tensor>> {
    let x = &node.inputs;
    let need = |i: usize| x[i].requires_grad();
    match &node.op {
        Op::Unary(op) => vec![Some(unary(*op, &x[0], y, g))],
        Op::Binary(op) => binary(*op, (&x[0], &x[1]), (need(0), need(1)), y, g),
        Op::Select => {
            // d where(c, a, b) = where(c, g, 0) for a, where(c, 0, g) for b
            let zero = g.scalar_like(0.0);
            vec![
                None,
                need(1).then(|| Tensor::select(&x[0], g, &zero)),
                need(2).then(|| Tensor::select(&x[0], &zero, g)),
            ]
        }
        Op::Reduce(ReduceOp::Sum, _) => vec![Some(g.expand(x[0].dims()))],
        Op::Reduce(ReduceOp::Max, axes) => {
            // The gradient is shared equally by the elements that attain the maximum.
            let mask = x[0].eq_mask(y);
            let count = mask.sum_axes(axes, true);
            vec![Some(g.mul(&mask).div(&count))]
        }
        Op::Reshape => vec![Some(g.reshape(x[0].dims()))],
        Op::Permute(perm) => {
            let mut inverse = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i;
            }
            vec![Some(g.permute(&inverse))]
        }
        // The caller sums the gradient over the broadcast axes.
        Op::Expand => vec![Some(g.clone())],
        Op::Slice(ranges) => vec![Some(pad_to(g, ranges, x[0].dims()))],
        Op::Concat(axis) => {
            let mut start = 0;
            x.iter()
                .map(|part| {
                    let len = part.dims()[*axis];
                    let piece = g.narrow(*axis, start, len);
                    start += len;
                    Some(piece)
                })
                .collect()
        }
        Op::GatherRows => vec![Some(g.scatter_add_rows(&x[1], x[0].dims()[0])), None],
        Op::ScatterAddRows(_) => vec![Some(g.gather_rows(&x[1])), None],
        Op::Matmul { trans_a, trans_b } => {
            let (ta, tb) = (*trans_a, *trans_b);
            // C = op(A) op(B): d op(A) = dC op(B)^T, d op(B) = op(A)^T dC; a stored
            // transposed operand receives the transpose, which swaps the product.
            let da = need(0).then(|| {
                if ta {
                    x[1].matmul_t(g, tb, true)
                } else {
                    g.matmul_t(&x[1], false, !tb)
                }
            });
            let db = need(1).then(|| {
                if tb {
                    g.matmul_t(&x[0], true, ta)
                } else {
                    x[0].matmul_t(g, !ta, false)
                }
            });
            vec![da, db]
        }
        // Unfold and fold are adjoint linear maps: each one's gradient is the other.
        Op::Unfold2d(w) => vec![Some(g.fold_window(*w))],
        Op::Fold2d(w) => vec![Some(g.unfold_window(*w))],
        // y = v at argmax(x) per window: x only picks the position (no gradient, as for
        // a piecewise-constant choice); dv is g routed back to the picked positions.
        Op::MaxPool2d(w) => vec![None, Some(Tensor::max_pool_backward_window(&x[0], g, *w))],
        // Linear in its gradient input: the adjoint gathers g at the same positions.
        Op::MaxPool2dBackward(w) => vec![None, Some(Tensor::max_pool_at(&x[0], g, *w))],
        // Average pooling and its spread are adjoint: d mean = g / k^2 on each element.
        Op::AvgPool2d(w) => vec![Some(g.avg_pool_backward_window(*w))],
        Op::AvgPool2dBackward(w) => vec![Some(g.avg_pool_window(*w))],
        Op::MaskedSoftmax { .. } => {
            // d softmax = y (g - sum(g y)); masked keys have y = 0 and get 0.
            let mut v = vec![need(0).then(|| Tensor::softmax_backward(y, g))];
            v.extend(x[1..].iter().map(|_| None));
            v
        }
        Op::SoftmaxBackward => super::rules_fused::softmax_backward(&x[0], &x[1], need, g),
        Op::LayerNorm { .. } => super::rules_fused::layer_norm(x, need, g),
        Op::LayerNormBackward => super::rules_fused::layer_norm_backward(x, need, g),
        Op::CrossEntropy => vec![
            need(0).then(|| Tensor::cross_entropy_backward(&x[0], &x[1], &x[2], g)),
            None,
            None,
        ],
        Op::CrossEntropyBackward => super::rules_fused::cross_entropy_backward(x, need, g),
    }
}

fn unary(op: UnaryOp, x: &Tensor, y: &Tensor, g: &Tensor) -> Tensor {
    match op {
        UnaryOp::Neg => g.neg(),
        // d e^x = e^x dx
        UnaryOp::Exp => g.mul(y),
        // d ln x = dx / x
        UnaryOp::Log => g.div(x),
        // d sqrt(x) = dx / (2 sqrt(x))
        UnaryOp::Sqrt => g.div(&y.mul_scalar(2.0)),
        // d (1/x) = -dx / x^2 = -y^2 dx
        UnaryOp::Recip => g.mul(&y.square()).neg(),
        // d |x| = sign(x) dx
        UnaryOp::Abs => {
            let zero = x.scalar_like(0.0);
            g.mul(&x.gt(&zero).sub(&x.lt(&zero)))
        }
        // d relu(x) = [x > 0] dx, and NaN where x is NaN: the mask is
        // max([x > 0], -relu(x)); -relu(x) <= 0 except NaN, and max propagates NaN, so a
        // NaN input gets a NaN gradient instead of a silent 0 (even where dx is 0).
        UnaryOp::Relu => g.mul(&x.gt(&x.scalar_like(0.0)).maximum(&y.neg())),
        // d tanh(x) = (1 - y^2) dx
        UnaryOp::Tanh => g.mul(&y.square().neg().add_scalar(1.0)),
        // d sigmoid(x) = y (1 - y) dx
        UnaryOp::Sigmoid => g.mul(&y.mul(&y.neg().add_scalar(1.0))),
        // The fused derivative, in the composed GELU's float order (see `op::gelu_grad`).
        UnaryOp::Gelu => x.binary(BinaryOp::GeluGrad, g),
    }
}

/// The gradients of `op(a, b)`, each computed only when `need` asks for it.
fn binary(
    op: BinaryOp,
    (a, b): (&Tensor, &Tensor),
    need: (bool, bool),
    y: &Tensor,
    g: &Tensor,
) -> Vec<Option<Tensor>> {
    let (da, db): (Option<Tensor>, Option<Tensor>) = match op {
        BinaryOp::Add => (need.0.then(|| g.clone()), need.1.then(|| g.clone())),
        BinaryOp::Sub => (need.0.then(|| g.clone()), need.1.then(|| g.neg())),
        // d(ab) = b da + a db
        BinaryOp::Mul => (need.0.then(|| g.mul(b)), need.1.then(|| g.mul(a))),
        // d(a/b) = da / b - a db / b^2
        BinaryOp::Div => (
            need.0.then(|| g.div(b)),
            need.1.then(|| g.mul(a).div(&b.square()).neg()),
        ),
        BinaryOp::Max => {
            // The larger input takes the gradient; a tie splits it evenly. A NaN input
            // gets a NaN gradient: max(share, -|input|) keeps the share (it is >= 0 and
            // -|input| <= 0) except where the input is NaN, which max propagates.
            let share_a = a.gt(b).add(&a.eq_mask(b).mul_scalar(0.5));
            let to_a = need.0.then(|| share_a.maximum(&a.abs().neg()));
            let to_b = need.1.then(|| {
                let share_b = share_a.neg().add_scalar(1.0);
                share_b.maximum(&b.abs().neg())
            });
            (to_a.map(|s| g.mul(&s)), to_b.map(|s| g.mul(&s)))
        }
        BinaryOp::Pow => {
            // d a^b = b a^(b-1) da + a^b ln(a) db (the latter only where a > 0)
            let da = need.0.then(|| g.mul(b).mul(&a.pow(&b.add_scalar(-1.0))));
            let db = need.1.then(|| {
                let zero = a.scalar_like(0.0);
                let positive = a.gt(&zero);
                let safe_a = Tensor::select(&positive, a, &a.scalar_like(1.0));
                Tensor::select(&positive, &g.mul(y).mul(&safe_a.log()), &zero)
            });
            (da, db)
        }
        // gelu_grad(a, b) = gelu'(a) b: linear in b, and gelu''(a) b for a.
        BinaryOp::GeluGrad => (
            need.0
                .then(|| g.mul(b).mul(&super::rules_fused::gelu_second(a))),
            need.1.then(|| a.binary(BinaryOp::GeluGrad, g)),
        ),
        BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Eq => (None, None),
    };
    vec![da, db]
}

/// Place `g` (the gradient of a slice) back into zeros of the input's shape: on the GPU
/// one padding dispatch per sliced axis, on the CPU zeros and a concatenation.
fn pad_to(g: &Tensor, ranges: &[(usize, usize)], dims: &[usize]) -> Tensor {
    let mut out = g.clone();
    for (axis, &(start, end)) in ranges.iter().enumerate() {
        let full = dims[axis];
        if start == 0 && end == full {
            continue;
        }
        let mut zeros_dims = out.dims().to_vec();
        let outer: usize = zeros_dims[..axis].iter().product();
        let inner: usize = zeros_dims[axis + 1..].iter().product();
        let rows = (outer, (end - start) * inner, full * inner, start * inner);
        if let Some(s) = g.device().pad_rows(out.storage(), rows) {
            zeros_dims[axis] = full;
            out = Tensor::from_storage(s, Shape::new(&zeros_dims), g.device());
            continue;
        }
        let mut parts = Vec::with_capacity(3);
        if start > 0 {
            zeros_dims[axis] = start;
            parts.push(Tensor::zeros(&zeros_dims, g.device()));
        }
        parts.push(out.clone());
        if end < full {
            zeros_dims[axis] = full - end;
            parts.push(Tensor::zeros(&zeros_dims, g.device()));
        }
        out = Tensor::concat(&parts, axis);
    }
    out
}
