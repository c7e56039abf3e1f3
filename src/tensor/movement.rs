//! Movement ops (reshape, permute, expand, slice, concat), row gathers and the matrix
//! product: shape logic and graph recording over the backend's kernels.
//!
//! Permute, expand, slice and the reshape of a dense tensor run no kernel: the result
//! shares its input's storage through a new layout (still recorded in the graph).

use super::ops::permute_view;
use super::{Op, Shape, Tensor};
use crate::op::{MatmulDims, MAX_RANK};

impl Tensor {
    // ----- movement -----

    /// The same elements with a new shape of equal size: no copy when they sit densely
    /// (row-major from some offset), else one (through [`Tensor::storage`]).
    pub fn reshape(&self, dims: &[usize]) -> Tensor {
        let shape = Shape::new(dims);
        assert_eq!(
            shape.numel(),
            self.numel(),
            "reshape: {} elements cannot take shape {shape}",
            self.numel()
        );
        let layout = self.layout();
        if self.shape().is_dense(&layout) {
            let mut view = shape.contiguous_view();
            view.offset = layout.offset;
            return Tensor::record_view(Op::Reshape, self, view, shape);
        }
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
        let (view, out) = permute_view(self.shape(), self.layout(), perm);
        Tensor::record_view(Op::Permute(perm.to_vec()), self, view, out)
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
        // A layout is already its own broadcast view (stride 0 on size-1 axes).
        Tensor::record_view(Op::Expand, self, self.layout(), out)
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
        let out = Shape(ranges.iter().map(|(s, e)| e - s).collect());
        let mut v = self.layout();
        let off = MAX_RANK - self.rank();
        for (i, &(start, _)) in ranges.iter().enumerate() {
            v.offset += start * v.strides[off + i];
            // An axis cut to length 1 gets stride 0, like every size-1 axis.
            if out.0[i] == 1 {
                v.strides[off + i] = 0;
            }
        }
        if out.numel() == 0 {
            // Nothing is read; an offset past the end would only mislead a kernel.
            v.offset = 0;
        }
        Tensor::record_view(Op::Slice(ranges.to_vec()), self, v, out)
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
