//! The tensor API over the primitive ops: shape logic, broadcasting and graph recording.
//! Misuse (mismatched shapes, bad axes) is a programming error and panics with a clear
//! message; user input is validated before it reaches a tensor.

use super::{is_grad_enabled, BinaryOp, Node, Op, ReduceOp, Shape, Tensor, UnaryOp};
use crate::op::{View, MAX_RANK};

impl Tensor {
    /// Build the result of `op` on `inputs`, recording the op when gradients are on and
    /// any input requires them.
    pub(super) fn record(
        op: Op,
        inputs: &[&Tensor],
        storage: crate::backend::Storage,
        shape: Shape,
    ) -> Tensor {
        let device = inputs[0].device().clone();
        let node = (is_grad_enabled() && inputs.iter().any(|t| t.requires_grad())).then(|| Node {
            op,
            inputs: inputs.iter().map(|t| (*t).clone()).collect(),
        });
        Tensor::from_op(storage, shape, &device, node)
    }

    /// Record a movement op whose result reads `storage` (its input's) through `layout`:
    /// no kernel runs.
    pub(super) fn record_view(op: Op, input: &Tensor, layout: View, shape: Shape) -> Tensor {
        let node = (is_grad_enabled() && input.requires_grad()).then(|| Node {
            op,
            inputs: vec![input.clone()],
        });
        let (storage, _) = input.raw_parts();
        Tensor::from_view(storage.clone(), layout, shape, input.device(), node)
    }

    pub(super) fn same_device(&self, other: &Tensor, what: &str) {
        assert!(
            self.device() == other.device(),
            "{what}: operands are on different devices ({} and {})",
            self.device().label(),
            other.device().label()
        );
    }

    // ----- elementwise -----

    /// Apply a unary op elementwise.
    pub fn unary(&self, op: UnaryOp) -> Tensor {
        // Read through the layout: `relu(x.permute(..))` copies nothing.
        let shape = self.shape();
        let s = self
            .device()
            .unary_strided(op, self.strided(shape), shape.padded());
        Tensor::record(Op::Unary(op), &[self], s, self.shape().clone())
    }

    /// `-x`.
    pub fn neg(&self) -> Tensor {
        self.unary(UnaryOp::Neg)
    }
    /// `e^x`.
    pub fn exp(&self) -> Tensor {
        self.unary(UnaryOp::Exp)
    }
    /// Natural logarithm.
    pub fn log(&self) -> Tensor {
        self.unary(UnaryOp::Log)
    }
    /// Square root.
    pub fn sqrt(&self) -> Tensor {
        self.unary(UnaryOp::Sqrt)
    }
    /// `1 / x`.
    pub fn recip(&self) -> Tensor {
        self.unary(UnaryOp::Recip)
    }
    /// `|x|`.
    pub fn abs(&self) -> Tensor {
        self.unary(UnaryOp::Abs)
    }
    /// `max(x, 0)`.
    pub fn relu(&self) -> Tensor {
        self.unary(UnaryOp::Relu)
    }
    /// Hyperbolic tangent.
    pub fn tanh(&self) -> Tensor {
        self.unary(UnaryOp::Tanh)
    }
    /// Logistic sigmoid.
    pub fn sigmoid(&self) -> Tensor {
        self.unary(UnaryOp::Sigmoid)
    }

    /// Apply a binary op elementwise with numpy broadcasting.
    pub fn binary(&self, op: BinaryOp, other: &Tensor) -> Tensor {
        self.same_device(other, op.name());
        let out = Shape::broadcast(self.shape(), other.shape()).unwrap_or_else(|| {
            panic!(
                "{}: shapes {} and {} do not broadcast",
                op.name(),
                self.shape(),
                other.shape()
            )
        });
        let s = self
            .device()
            .binary(op, self.strided(&out), other.strided(&out), out.padded());
        Tensor::record(Op::Binary(op), &[self, other], s, out)
    }

    /// `self + other`.
    pub fn add(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Add, other)
    }
    /// `self - other`.
    pub fn sub(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Sub, other)
    }
    /// `self * other`.
    pub fn mul(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Mul, other)
    }
    /// `self / other`.
    pub fn div(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Div, other)
    }
    /// Elementwise maximum.
    pub fn maximum(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Max, other)
    }
    /// `self ^ other`.
    pub fn pow(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Pow, other)
    }
    /// `1` where `self < other`, else `0`.
    pub fn lt(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Lt, other)
    }
    /// `1` where `self > other`, else `0`.
    pub fn gt(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Gt, other)
    }
    /// `1` where `self == other`, else `0`.
    pub fn eq_mask(&self, other: &Tensor) -> Tensor {
        self.binary(BinaryOp::Eq, other)
    }

    /// A scalar on this tensor's device.
    pub fn scalar_like(&self, v: f32) -> Tensor {
        Tensor::scalar(v, self.device())
    }
    /// `op(self, c)` elementwise, with `c` a kernel parameter (no constant tensor is
    /// stored or filled). The graph records `op(self, scalar)` with a rank-0 constant,
    /// made only when the op is recorded (its backward rule may read it).
    pub fn binary_scalar(&self, op: BinaryOp, c: f32) -> Tensor {
        let shape = self.shape().clone();
        let s = self
            .device()
            .binary_scalar(op, self.strided(&shape), c, shape.padded());
        if is_grad_enabled() && self.requires_grad() {
            Tensor::record(Op::Binary(op), &[self, &self.scalar_like(c)], s, shape)
        } else {
            Tensor::from_op(s, shape, self.device(), None)
        }
    }
    /// `self + c`.
    pub fn add_scalar(&self, c: f32) -> Tensor {
        self.binary_scalar(BinaryOp::Add, c)
    }
    /// `self * c`.
    pub fn mul_scalar(&self, c: f32) -> Tensor {
        self.binary_scalar(BinaryOp::Mul, c)
    }
    /// `self ^ 2`.
    pub fn square(&self) -> Tensor {
        self.mul(self)
    }

    /// `a` where `cond != 0`, else `b`, all broadcast together.
    pub fn select(cond: &Tensor, a: &Tensor, b: &Tensor) -> Tensor {
        cond.same_device(a, "select");
        cond.same_device(b, "select");
        let out = Shape::broadcast(cond.shape(), a.shape())
            .and_then(|s| Shape::broadcast(&s, b.shape()))
            .unwrap_or_else(|| {
                panic!(
                    "select: shapes {}, {}, {} do not broadcast",
                    cond.shape(),
                    a.shape(),
                    b.shape()
                )
            });
        let s = cond.device().select(
            cond.strided(&out),
            a.strided(&out),
            b.strided(&out),
            out.padded(),
        );
        Tensor::record(Op::Select, &[cond, a, b], s, out)
    }

    // ----- reductions -----

    fn check_axes(&self, axes: &[usize]) -> Vec<usize> {
        let mut a = axes.to_vec();
        a.sort_unstable();
        a.dedup();
        assert!(
            a.iter().all(|&x| x < self.rank()),
            "axes {axes:?} out of range for shape {}",
            self.shape()
        );
        a
    }

    /// Reduce over `axes`, keeping them as size-1 dimensions.
    pub fn reduce_keepdim(&self, op: ReduceOp, axes: &[usize]) -> Tensor {
        let axes = self.check_axes(axes);
        let dims = self.dims();
        let kept: Vec<usize> = (0..self.rank()).filter(|a| !axes.contains(a)).collect();
        let mut perm = kept.clone();
        perm.extend(&axes);
        let outer: usize = kept.iter().map(|&a| dims[a]).product();
        let inner: usize = axes.iter().map(|&a| dims[a]).product();
        // Read with the reduced axes last, through the layout composed with that
        // permutation: the kernel reads strided, no copy.
        let (storage, layout) = self.raw_parts();
        let (view, permuted) = permute_view(self.shape(), layout, &perm);
        let s =
            self.device()
                .reduce_strided(op, (storage, view), permuted.padded(), (outer, inner));
        let mut out_dims = dims.to_vec();
        for &a in &axes {
            out_dims[a] = 1;
        }
        Tensor::record(Op::Reduce(op, axes), &[self], s, Shape(out_dims))
    }

    fn drop_axes(&self, t: Tensor, axes: &[usize], keepdim: bool) -> Tensor {
        if keepdim {
            return t;
        }
        let dims: Vec<usize> = (0..self.rank())
            .filter(|a| !axes.contains(a))
            .map(|a| self.dims()[a])
            .collect();
        t.reshape(&dims)
    }

    /// Sum over `axes`.
    pub fn sum_axes(&self, axes: &[usize], keepdim: bool) -> Tensor {
        let t = self.reduce_keepdim(ReduceOp::Sum, axes);
        self.drop_axes(t, axes, keepdim)
    }

    /// Maximum over `axes`.
    pub fn max_axes(&self, axes: &[usize], keepdim: bool) -> Tensor {
        let t = self.reduce_keepdim(ReduceOp::Max, axes);
        self.drop_axes(t, axes, keepdim)
    }

    /// Mean over `axes` (a sum scaled by `1/n`).
    pub fn mean_axes(&self, axes: &[usize], keepdim: bool) -> Tensor {
        let n: usize = self
            .check_axes(axes)
            .iter()
            .map(|&a| self.dims()[a])
            .product();
        self.sum_axes(axes, keepdim)
            .mul_scalar(1.0 / n.max(1) as f32)
    }

    /// Sum of all elements (rank 0).
    pub fn sum_all(&self) -> Tensor {
        self.sum_axes(&(0..self.rank()).collect::<Vec<_>>(), false)
    }

    /// Mean of all elements (rank 0).
    pub fn mean_all(&self) -> Tensor {
        self.mean_axes(&(0..self.rank()).collect::<Vec<_>>(), false)
    }
}

/// The layout that reads a tensor of `shape` with `layout` permuted by `perm` (output
/// axis `i` is input axis `perm[i]`), and the permuted shape.
pub(super) fn permute_view(shape: &Shape, layout: View, perm: &[usize]) -> (View, Shape) {
    let out = Shape(perm.iter().map(|&p| shape.0[p]).collect());
    let off = MAX_RANK - shape.rank();
    let mut v = View {
        offset: layout.offset,
        strides: [0; MAX_RANK],
    };
    for (i, &p) in perm.iter().enumerate() {
        // Size-1 axes keep stride 0 (every layout's invariant).
        v.strides[off + i] = layout.strides[off + p];
    }
    (v, out)
}
