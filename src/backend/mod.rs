//! The backend contract: what a device must compute. Shapes, autograd and broadcasting
//! rules live above it; a backend only sees lengths, views and sizes.
//!
//! The contract is built for an asynchronous GPU: every op returns a handle at once
//! (the GPU records a dispatch and does not wait), and the only way back to CPU memory
//! is the `async` [`Backend::read`].

pub mod cpu;
mod device;
pub mod gpu;
pub mod health;

pub use device::{Device, Storage};

// The contract's data types are defined in the leaf `op` module (shared with `tensor`);
// re-exported here because they are part of this contract's signatures.
pub use crate::op::{Dims, MatmulDims, View, MAX_RANK};

use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp, Window2d};
use std::future::Future;

/// One fused optimizer update of a parameter tensor, with PyTorch's equations.
/// Scalars that depend on the step (bias corrections) are computed on the host in f64.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UpdateRule {
    /// `g' = g + l2*p + l1*sign(p)`; with momentum `buf = momentum*buf + (1-dampening)*g'`
    /// (`buf = g'` on the first step), `d = g' + momentum*buf` (Nesterov) or `buf`;
    /// `p -= lr*d`. State: `[buf]` when momentum > 0, else none.
    Sgd {
        /// Learning rate.
        lr: f32,
        /// Momentum factor (0 disables it and its state).
        momentum: f32,
        /// Dampening of the momentum buffer.
        dampening: f32,
        /// Nesterov momentum.
        nesterov: bool,
        /// First step: the buffer is set to the gradient.
        first_step: bool,
        /// L1 penalty weight.
        l1: f32,
        /// L2 penalty weight (coupled weight decay).
        l2: f32,
    },
    /// `g' = g + l2*p + l1*sign(p)` (with the old `p`); AdamW then decays `p *= 1 - lr*decoupled_wd`;
    /// `m = b1*m + (1-b1)g'`, `v = b2*v + (1-b2)g'^2`,
    /// `p -= (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps)`. State: `[m, v]`.
    Adam {
        /// Learning rate.
        lr: f32,
        /// First-moment decay.
        beta1: f32,
        /// Second-moment decay.
        beta2: f32,
        /// Denominator guard.
        eps: f32,
        /// `1 - beta1^t`.
        bias_correction1: f32,
        /// `sqrt(1 - beta2^t)`.
        bias_correction2_sqrt: f32,
        /// AdamW's decoupled weight decay (0 for Adam).
        decoupled_wd: f32,
        /// L1 penalty weight.
        l1: f32,
        /// L2 penalty weight (Adam's coupled weight decay).
        l2: f32,
    },
}

impl UpdateRule {
    /// How many state tensors (each the parameter's length) the rule keeps.
    pub fn state_len(&self) -> usize {
        match self {
            UpdateRule::Sgd { momentum, .. } => usize::from(*momentum != 0.0),
            UpdateRule::Adam { .. } => 2,
        }
    }
}

/// What a device computes. Every storage holds `f32` in row-major order; outputs are
/// always fresh contiguous storages (except in [`Backend::update`], which consumes its
/// parameter and state so a GPU may update them in place).
pub trait Backend {
    /// A handle to device memory.
    type Storage: Clone;

    /// Copy host data to the device.
    fn upload(&self, data: &[f32]) -> Self::Storage;
    /// A storage of `len` copies of `value`.
    fn fill(&self, len: usize, value: f32) -> Self::Storage;
    /// `out[i] = op(x[i])` over `len` contiguous elements.
    fn unary(&self, op: UnaryOp, x: &Self::Storage, len: usize) -> Self::Storage;
    /// `out[i] = op(a[av(i)], b[bv(i)])` over the padded output shape `out`.
    fn binary(
        &self,
        op: BinaryOp,
        a: (&Self::Storage, View),
        b: (&Self::Storage, View),
        out: Dims,
    ) -> Self::Storage;
    /// `out[i] = op(a[av(i)], c)`: a binary op whose second operand is a constant,
    /// passed to the kernel as a uniform parameter (no buffer, no fill dispatch).
    fn binary_scalar(
        &self,
        op: BinaryOp,
        a: (&Self::Storage, View),
        c: f32,
        out: Dims,
    ) -> Self::Storage;
    /// `out[i] = if c[cv(i)] != 0 { a[av(i)] } else { b[bv(i)] }`.
    fn select(
        &self,
        cond: (&Self::Storage, View),
        a: (&Self::Storage, View),
        b: (&Self::Storage, View),
        out: Dims,
    ) -> Self::Storage;
    /// `out[i] = x[xv(i)]`: the one movement kernel (permute, expand, slice).
    fn copy_view(&self, x: &Self::Storage, view: View, out: Dims) -> Self::Storage;
    /// Reduce each of `outer` contiguous rows of `inner` elements to one value, in a
    /// fixed order (no atomics), giving `outer` values.
    fn reduce(&self, op: ReduceOp, x: &Self::Storage, outer: usize, inner: usize) -> Self::Storage;
    /// Concatenate inputs seen as `[outer, chunk_i]` along their second axis.
    fn concat(&self, parts: &[(&Self::Storage, usize)], outer: usize) -> Self::Storage;
    /// `out[i, :] = table[idx[i], :]` for `n` indices (stored as exact integers in f32),
    /// rows of `cols` elements. An index out of range gives a zero row.
    fn gather_rows(
        &self,
        table: &Self::Storage,
        cols: usize,
        idx: &Self::Storage,
        n: usize,
    ) -> Self::Storage;
    /// `out[idx[i], :] += src[i, :]` into `rows` zero rows, summing in index order.
    fn scatter_add_rows(
        &self,
        src: &Self::Storage,
        cols: usize,
        idx: &Self::Storage,
        n: usize,
        rows: usize,
    ) -> Self::Storage;
    /// Batched matrix product, see [`MatmulDims`].
    fn matmul(&self, a: &Self::Storage, b: &Self::Storage, dims: MatmulDims) -> Self::Storage;
    /// im2col: `x` `[n, c, h, w]` to `[n, c*kh*kw, oh*ow]` (PyTorch's `nn.Unfold`
    /// layout: row `(c, ki, kj)`, column `(oy, ox)`), zeros where a window reads padding.
    fn unfold2d(&self, x: &Self::Storage, g: Window2d) -> Self::Storage;
    /// col2im, the adjoint of [`Backend::unfold2d`]: `[n, c*kh*kw, oh*ow]` summed into
    /// `[n, c, h, w]`; each element adds its terms by window offset `(ki, kj)` ascending,
    /// gathered per output element (no atomics).
    fn fold2d(&self, cols: &Self::Storage, g: Window2d) -> Self::Storage;
    /// Per window (no padding), `v` at the first maximum of `x` in row-major window
    /// order (a NaN is the maximum, as in `ReduceOp::Max`): `[n, c, oh, ow]`.
    fn max_pool2d(&self, x: &Self::Storage, v: &Self::Storage, g: Window2d) -> Self::Storage;
    /// The adjoint of max pooling: each window's `grad` goes to its first maximum in `x`;
    /// an element sums its windows' terms in row-major window order: `[n, c, h, w]`.
    fn max_pool2d_backward(
        &self,
        x: &Self::Storage,
        grad: &Self::Storage,
        g: Window2d,
    ) -> Self::Storage;
    /// Per window (no padding), the row-major sum times `1 / (kh*kw)`: `[n, c, oh, ow]`.
    fn avg_pool2d(&self, x: &Self::Storage, g: Window2d) -> Self::Storage;
    /// The adjoint of average pooling: each element sums the `grad` of its windows in
    /// row-major order, times `1 / (kh*kw)`: `[n, c, h, w]`.
    fn avg_pool2d_backward(&self, grad: &Self::Storage, g: Window2d) -> Self::Storage;
    /// One fused optimizer update of `len` elements; returns the new parameter and state.
    fn update(
        &self,
        rule: &UpdateRule,
        param: Self::Storage,
        grad: &Self::Storage,
        state: Vec<Self::Storage>,
        len: usize,
    ) -> (Self::Storage, Vec<Self::Storage>);
    /// The health check of one parameter (see [`health`]): when slot `slot` of `status`
    /// is still clear and `param` (`len` values, after `step` optimizer steps) or `grad`
    /// (its gradient for step `step + 1`) holds a NaN or an infinity, the slot records
    /// which and the step (the parameter first, its step being the earlier one). One
    /// small reduction, nothing read back; returns the status, updated in place when
    /// no other handle shares it.
    fn check_finite(
        &self,
        status: Self::Storage,
        param: &Self::Storage,
        grad: Option<&Self::Storage>,
        len: usize,
        slot: usize,
        step: u64,
    ) -> Self::Storage;
    /// Submit recorded work (the GPU submits its command encoder; the CPU does nothing).
    fn flush(&self);
    /// Copy `len` elements back to the host, once the device has computed them.
    fn read(&self, x: &Self::Storage, len: usize) -> impl Future<Output = Result<Vec<f32>>>;
    /// Copy several storages back, each with its length, in one round trip (the GPU
    /// packs them into one staging buffer and maps it once). The default reads each.
    fn read_many(
        &self,
        parts: &[(&Self::Storage, usize)],
    ) -> impl Future<Output = Result<Vec<Vec<f32>>>> {
        async move {
            let mut out = Vec::with_capacity(parts.len());
            for (x, len) in parts {
                out.push(self.read(x, *len).await?);
            }
            Ok(out)
        }
    }
}
