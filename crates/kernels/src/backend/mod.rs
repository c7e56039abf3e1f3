//! The backend contract: what a device must compute. Shapes, autograd and broadcasting
//! rules live above it; a backend only sees lengths, views and sizes.
//!
//! The contract is built for an asynchronous GPU: every op returns a handle at once
//! (the GPU records a dispatch and does not wait), and the only way back to CPU memory
//! is the `async` [`Backend::read`].

pub mod cpu;
pub mod health;

pub use health::FiniteCheck;

// The contract's data types are defined in the leaf `op` module (shared with `tensor`);
// re-exported here because they are part of this contract's signatures.
pub use crate::op::{Dims, MatmulDims, SoftmaxDims, View, MAX_RANK};

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

/// What a device computes. A storage is a flat array of `f32`: ops given a [`View`]
/// read it strided (a tensor's permuted, expanded or sliced layout, composed with
/// broadcasting), the others read their elements row-major from index 0. Outputs are
/// always fresh contiguous storages (except in [`Backend::update`], which consumes its
/// parameter and state so a GPU may update them in place).
pub trait Backend {
    /// A handle to device memory.
    type Storage: Clone;

    /// Copy host data to the device.
    fn upload(&self, data: &[f32]) -> Self::Storage;
    /// A storage of `len` copies of `value`.
    fn fill(&self, len: usize, value: f32) -> Self::Storage;
    /// `out[i] = op(x[xv(i)])` over the padded output shape `out` (a strided input is
    /// read in place, as [`Backend::binary`] reads its operands).
    fn unary(&self, op: UnaryOp, x: (&Self::Storage, View), out: Dims) -> Self::Storage;
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
    /// `out[i] = x[xv(i)]`: the one movement kernel, which makes a strided view
    /// contiguous for the ops that read row-major data (`Tensor::storage`).
    fn copy_view(&self, x: &Self::Storage, view: View, out: Dims) -> Self::Storage;
    /// Reduce each of `outer` rows of `inner` elements (`rows` is `(outer, inner)`) to
    /// one value, in a fixed order (no atomics), giving `outer` values. The rows are the
    /// elements of the padded shape `src` (`outer * inner` of them) read through the
    /// view in row-major order.
    fn reduce(
        &self,
        op: ReduceOp,
        x: (&Self::Storage, View),
        src: Dims,
        rows: (usize, usize),
    ) -> Self::Storage;
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
    /// Softmax over the last axis of `x` (`d.rows()` rows of `d.keys`), a key masked by
    /// the causal rule or by `mask` (`[batch, keys]`, 0 masks) getting exactly 0; a row
    /// with every key masked is all zeros. Each row in a fixed order.
    fn masked_softmax(
        &self,
        x: &Self::Storage,
        d: SoftmaxDims,
        mask: Option<&Self::Storage>,
    ) -> Self::Storage;
    /// `y * (dy - sum(dy * y))` over each of the `(rows, cols)` rows.
    fn softmax_backward(
        &self,
        y: &Self::Storage,
        dy: &Self::Storage,
        rows: (usize, usize),
    ) -> Self::Storage;
    /// Layer norm of `(rows, cols)` rows: `(y, stats)`, `stats` `[rows, 2]` holding
    /// each row's mean and `1 / sqrt(var + eps)`.
    fn layer_norm(
        &self,
        x: &Self::Storage,
        gamma: &Self::Storage,
        beta: &Self::Storage,
        rows: (usize, usize),
        eps: f32,
    ) -> (Self::Storage, Self::Storage);
    /// The layer-norm backward for `x` (see [`crate::op::Op::LayerNormBackward`]).
    fn layer_norm_backward(
        &self,
        x: &Self::Storage,
        gamma: &Self::Storage,
        stats: &Self::Storage,
        dy: &Self::Storage,
        rows: (usize, usize),
    ) -> Self::Storage;
    /// Mean cross-entropy of `logits [rows, vocab]` against `targets [rows]` (`rows` is `(rows, vocab)`):
    /// `(loss [1], stats [rows + 1])` (see [`crate::op::Op::CrossEntropy`]).
    fn cross_entropy(
        &self,
        logits: &Self::Storage,
        targets: &Self::Storage,
        rows: (usize, usize),
    ) -> (Self::Storage, Self::Storage);
    /// The cross-entropy backward (see [`crate::op::Op::CrossEntropyBackward`]), `g` a
    /// one-element storage.
    fn cross_entropy_backward(
        &self,
        logits: &Self::Storage,
        targets: &Self::Storage,
        stats: &Self::Storage,
        g: &Self::Storage,
        rows: (usize, usize),
    ) -> Self::Storage;
    /// One fused optimizer update of `len` elements; returns the new parameter and state.
    /// With `grad_scale` (a one-element storage: gradient clipping's coefficient) the
    /// gradient is multiplied by it first, elementwise, as a separate multiply would.
    fn update(
        &self,
        rule: &UpdateRule,
        param: Self::Storage,
        grad: &Self::Storage,
        grad_scale: Option<&Self::Storage>,
        state: Vec<Self::Storage>,
        len: usize,
    ) -> (Self::Storage, Vec<Self::Storage>);
    /// The health check (see [`health`]) of every parameter in `checks`: when its slot
    /// of `status` is still clear and the parameter (after `step` optimizer steps) or
    /// its gradient (for step `step + 1`) holds a NaN or an infinity, the slot records
    /// which and the step (the parameter first, its step being the earlier one). Small
    /// reductions, nothing read back; returns the status, updated in place when no
    /// other handle shares it.
    fn check_finite(
        &self,
        status: Self::Storage,
        checks: &[FiniteCheck<'_, Self::Storage>],
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
