//! The tensor API over the primitive ops: shape logic, broadcasting and graph recording.
//! Misuse (mismatched shapes, bad axes) is a programming error and panics with a clear
//! message; user input is validated before it reaches a tensor.

use super::{BinaryOp, Node, Op, ReduceOp, Shape, Tensor, UnaryOp};
use crate::autograd::is_grad_enabled;
use crate::backend::{MatmulDims, View, MAX_RANK};

fn contiguous_view(shape: &Shape) -> View {
    shape.broadcast_view(shape)
}

impl Tensor {
    /// Build the result of `op` on `inputs`, recording the op when gradients are on and
    /// any input requires them.
    fn record(
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

    fn same_device(&self, other: &Tensor, what: &str) {
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
        let s = self.device().unary(op, self.storage(), self.numel());
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
        let s = self.device().binary(
            op,
            (self.storage(), self.shape().broadcast_view(&out)),
            (other.storage(), other.shape().broadcast_view(&out)),
            out.padded(),
        );
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
    /// `self + c`.
    pub fn add_scalar(&self, c: f32) -> Tensor {
        self.add(&self.scalar_like(c))
    }
    /// `self * c`.
    pub fn mul_scalar(&self, c: f32) -> Tensor {
        self.mul(&self.scalar_like(c))
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
            (cond.storage(), cond.shape().broadcast_view(&out)),
            (a.storage(), a.shape().broadcast_view(&out)),
            (b.storage(), b.shape().broadcast_view(&out)),
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
        // Bring the reduced axes last (a copy only when they are not already there).
        let src = if perm.iter().enumerate().all(|(i, &p)| i == p) {
            self.storage().clone()
        } else {
            let (view, out) = permute_view(self.shape(), &perm);
            self.device().copy_view(self.storage(), view, out.padded())
        };
        let s = self.device().reduce(op, &src, outer, inner);
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

    // ----- movement -----

    /// The same elements with a new shape of equal size (no copy).
    pub fn reshape(&self, dims: &[usize]) -> Tensor {
        let shape = Shape::new(dims);
        assert_eq!(
            shape.numel(),
            self.numel(),
            "reshape: {} elements cannot take shape {shape}",
            self.numel()
        );
        Tensor::record(Op::Reshape, &[self], self.storage().clone(), shape)
    }

    /// Reorder axes: output axis `i` is input axis `perm[i]`.
    pub fn permute(&self, perm: &[usize]) -> Tensor {
        let mut sorted = perm.to_vec();
        sorted.sort_unstable();
        assert!(
            sorted == (0..self.rank()).collect::<Vec<_>>(),
            "permute: {perm:?} is not a permutation of the axes of {}",
            self.shape()
        );
        let (view, out) = permute_view(self.shape(), perm);
        let s = self.device().copy_view(self.storage(), view, out.padded());
        Tensor::record(Op::Permute(perm.to_vec()), &[self], s, out)
    }

    /// Swap two axes.
    pub fn transpose(&self, a: usize, b: usize) -> Tensor {
        let mut perm: Vec<usize> = (0..self.rank()).collect();
        perm.swap(a, b);
        self.permute(&perm)
    }

    /// Broadcast to a larger shape (numpy rules).
    pub fn expand(&self, dims: &[usize]) -> Tensor {
        let out = Shape::new(dims);
        assert!(
            Shape::broadcast(self.shape(), &out).as_ref() == Some(&out),
            "expand: {} does not broadcast to {out}",
            self.shape()
        );
        let s = self.device().copy_view(
            self.storage(),
            self.shape().broadcast_view(&out),
            out.padded(),
        );
        Tensor::record(Op::Expand, &[self], s, out)
    }

    /// The sub-tensor `[start, end)` on every axis.
    pub fn slice(&self, ranges: &[(usize, usize)]) -> Tensor {
        assert!(
            ranges.len() == self.rank()
                && ranges
                    .iter()
                    .zip(self.dims())
                    .all(|(&(s, e), &d)| s <= e && e <= d),
            "slice: ranges {ranges:?} do not fit shape {}",
            self.shape()
        );
        let strides = self.shape().strides();
        let out = Shape(ranges.iter().map(|(s, e)| e - s).collect());
        let mut v = contiguous_view(&out);
        let off = MAX_RANK - self.rank();
        v.offset = ranges.iter().zip(&strides).map(|((s, _), st)| s * st).sum();
        for (i, st) in strides.iter().enumerate() {
            v.strides[off + i] = if out.0[i] == 1 { 0 } else { *st };
        }
        let s = self.device().copy_view(self.storage(), v, out.padded());
        Tensor::record(Op::Slice(ranges.to_vec()), &[self], s, out)
    }

    /// `len` entries of `axis` starting at `start`.
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Tensor {
        let ranges: Vec<(usize, usize)> = self
            .dims()
            .iter()
            .enumerate()
            .map(|(a, &d)| {
                if a == axis {
                    (start, start + len)
                } else {
                    (0, d)
                }
            })
            .collect();
        self.slice(&ranges)
    }

    /// Join tensors along `axis`; all other dimensions must agree.
    pub fn concat(parts: &[Tensor], axis: usize) -> Tensor {
        assert!(!parts.is_empty(), "concat: no tensors");
        let first = &parts[0];
        assert!(axis < first.rank(), "concat: axis {axis} out of range");
        for p in parts {
            first.same_device(p, "concat");
            assert!(
                p.rank() == first.rank()
                    && (0..first.rank()).all(|a| a == axis || p.dims()[a] == first.dims()[a]),
                "concat: shape {} does not match {} off axis {axis}",
                p.shape(),
                first.shape()
            );
        }
        let outer: usize = first.dims()[..axis].iter().product();
        let chunks: Vec<(&crate::backend::Storage, usize)> = parts
            .iter()
            .map(|p| (p.storage(), p.dims()[axis..].iter().product()))
            .collect();
        let s = first.device().concat(&chunks, outer);
        let mut out = first.dims().to_vec();
        out[axis] = parts.iter().map(|p| p.dims()[axis]).sum();
        let refs: Vec<&Tensor> = parts.iter().collect();
        Tensor::record(Op::Concat(axis), &refs, s, Shape(out))
    }

    /// Rows of a `[rows, cols]` table picked by `idx` (`[n]`, whole numbers): `[n, cols]`.
    pub fn gather_rows(&self, idx: &Tensor) -> Tensor {
        assert!(
            self.rank() == 2 && idx.rank() == 1,
            "gather_rows: table must be [rows, cols] and idx [n]"
        );
        self.same_device(idx, "gather_rows");
        let (n, cols) = (idx.numel(), self.dims()[1]);
        let s = self
            .device()
            .gather_rows(self.storage(), cols, idx.storage(), n);
        Tensor::record(Op::GatherRows, &[self, idx], s, Shape(vec![n, cols]))
    }

    /// `out[idx[i], :] += self[i, :]` into `rows` zero rows: `[rows, cols]`.
    pub fn scatter_add_rows(&self, idx: &Tensor, rows: usize) -> Tensor {
        assert!(
            self.rank() == 2 && idx.rank() == 1 && idx.numel() == self.dims()[0],
            "scatter_add_rows: src must be [n, cols] and idx [n]"
        );
        self.same_device(idx, "scatter_add_rows");
        let cols = self.dims()[1];
        let s =
            self.device()
                .scatter_add_rows(self.storage(), cols, idx.storage(), idx.numel(), rows);
        Tensor::record(
            Op::ScatterAddRows(rows),
            &[self, idx],
            s,
            Shape(vec![rows, cols]),
        )
    }

    /// Matrix product with numpy-style batch broadcasting for rank 2 and 3 operands.
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        match (self.rank(), other.rank()) {
            (3, 2) => {
                let b = other.expand(&[self.dims()[0], other.dims()[0], other.dims()[1]]);
                self.matmul_t(&b, false, false)
            }
            (2, 3) => {
                let a = self.expand(&[other.dims()[0], self.dims()[0], self.dims()[1]]);
                a.matmul_t(other, false, false)
            }
            _ => self.matmul_t(other, false, false),
        }
    }

    /// `op(self) @ op(other)` where `op` transposes the last two axes when asked; both
    /// operands rank 2, or rank 3 with equal batch.
    pub fn matmul_t(&self, other: &Tensor, trans_a: bool, trans_b: bool) -> Tensor {
        self.same_device(other, "matmul");
        let (a, b) = (self.dims(), other.dims());
        assert!(
            a.len() == b.len() && (a.len() == 2 || (a.len() == 3 && a[0] == b[0])),
            "matmul: shapes {} and {} need equal rank 2 or 3 with equal batch",
            self.shape(),
            other.shape()
        );
        let r = a.len();
        let batch = if r == 3 { a[0] } else { 1 };
        let (m, ka) = if trans_a {
            (a[r - 1], a[r - 2])
        } else {
            (a[r - 2], a[r - 1])
        };
        let (kb, n) = if trans_b {
            (b[r - 1], b[r - 2])
        } else {
            (b[r - 2], b[r - 1])
        };
        assert_eq!(
            ka,
            kb,
            "matmul: inner sizes differ ({} and {})",
            self.shape(),
            other.shape()
        );
        let dims = MatmulDims {
            batch,
            m,
            k: ka,
            n,
            trans_a,
            trans_b,
        };
        let s = self.device().matmul(self.storage(), other.storage(), dims);
        let out = if r == 3 {
            vec![batch, m, n]
        } else {
            vec![m, n]
        };
        Tensor::record(
            Op::Matmul { trans_a, trans_b },
            &[self, other],
            s,
            Shape(out),
        )
    }
}

/// The view that reads `shape` permuted by `perm`, and the permuted shape.
fn permute_view(shape: &Shape, perm: &[usize]) -> (View, Shape) {
    let strides = shape.strides();
    let out = Shape(perm.iter().map(|&p| shape.0[p]).collect());
    let off = MAX_RANK - shape.rank();
    let mut v = View {
        offset: 0,
        strides: [0; MAX_RANK],
    };
    for (i, &p) in perm.iter().enumerate() {
        v.strides[off + i] = if out.0[i] == 1 { 0 } else { strides[p] };
    }
    (v, out)
}
