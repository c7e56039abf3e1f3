//! The op vocabulary: every primitive op is declared once here, with the plain data that
//! describes how a kernel reads its operands (`View`, `Dims`, `MatmulDims`).
//!
//! This module imports nothing from the crate but the leaf [`crate::mathf`], so `tensor`
//! (which records ops in the autograd graph) and `backend` (which computes them) both
//! build on it without importing each other.
//!
//! Each elementwise op names its scalar CPU reference and its WGSL kernel entry in one
//! line; the backward rule of every primitive lives in `autograd::rules`, behind an
//! exhaustive `match`, so adding an op makes the compiler list every place it must go.
//! Test suites loop over `UnaryOp::ALL`, `BinaryOp::ALL` and `OpKind::ALL`.

mod slices;
mod transformer;
mod window;

pub use transformer::{gelu_grad, gelu_grad_slice, SoftmaxDims, GELU_C, GELU_CUBIC};

pub use window::{conv_out_size, Window2d};

use slices::{sigmoid_exp_arg, sigmoid_from_exp};
use transformer::{gelu_from_tanh, gelu_tanh_arg};

macro_rules! unary_ops {
    ($($variant:ident, $name:literal, |$x:ident| $body:expr;)+) => {
        /// Elementwise ops of one input.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum UnaryOp { $($variant),+ }

        impl UnaryOp {
            /// Every unary op, for tests that loop over the vocabulary.
            pub const ALL: &'static [UnaryOp] = &[$(UnaryOp::$variant),+];

            /// Short stable name (`exp`).
            pub fn name(self) -> &'static str {
                match self { $(UnaryOp::$variant => $name),+ }
            }

            /// The WGSL entry point that computes this op (`unary_exp`).
            pub fn wgsl_entry(self) -> &'static str {
                match self { $(UnaryOp::$variant => concat!("unary_", $name)),+ }
            }

            /// The scalar CPU reference (uses `libm`, so identical on wasm and native;
            /// [`UnaryOp::map`] gives the same bits a slice at a time).
            #[inline]
            pub fn apply(self, x: f32) -> f32 {
                match self { $(UnaryOp::$variant => { let $x = x; $body }),+ }
            }

            /// [`UnaryOp::apply`] over a slice, one element at a time: the op is
            /// matched once, so each loop is compiled for its op (and vectorised where
            /// the op allows). Same values as `apply`; see [`UnaryOp::map`].
            fn map_each(self, xs: &[f32]) -> Vec<f32> {
                match self { $(UnaryOp::$variant => xs.iter().map(|&$x| $body).collect()),+ }
            }
        }
    };
}

macro_rules! binary_ops {
    ($($variant:ident, $name:literal, |$a:ident, $b:ident| $body:expr;)+) => {
        /// Elementwise ops of two inputs, with numpy broadcasting.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BinaryOp { $($variant),+ }

        impl BinaryOp {
            /// Every binary op, for tests that loop over the vocabulary.
            pub const ALL: &'static [BinaryOp] = &[$(BinaryOp::$variant),+];

            /// Short stable name (`add`).
            pub fn name(self) -> &'static str {
                match self { $(BinaryOp::$variant => $name),+ }
            }

            /// The WGSL entry point that computes this op (`binary_add`).
            pub fn wgsl_entry(self) -> &'static str {
                match self { $(BinaryOp::$variant => concat!("binary_", $name)),+ }
            }

            /// The WGSL entry point for the common layouts (`binary_add_flat`): `a`
            /// dense, `b` a repeated dense block or a constant (see
            /// [`View::repeat_period`]).
            pub fn wgsl_flat_entry(self) -> &'static str {
                match self { $(BinaryOp::$variant => concat!("binary_", $name, "_flat")),+ }
            }

            /// The scalar CPU reference.
            #[inline]
            pub fn apply(self, a: f32, b: f32) -> f32 {
                match self { $(BinaryOp::$variant => { let ($a, $b) = (a, b); $body }),+ }
            }

            /// [`BinaryOp::apply`] over two slices of one length, appended to `out`, the
            /// op matched once, one element at a time; see [`BinaryOp::zip_into`].
            fn zip_each_into(self, xs: &[f32], ys: &[f32], out: &mut Vec<f32>) {
                match self {
                    $(BinaryOp::$variant => out.extend(
                        xs.iter().zip(ys).map(|(&$a, &$b)| $body)
                    )),+
                }
            }

            /// [`BinaryOp::apply`] of each element with one scalar, appended to `out`, the
            /// op matched once.
            pub fn with_scalar_into(self, xs: &[f32], c: f32, out: &mut Vec<f32>) {
                match self {
                    $(BinaryOp::$variant => out.extend(
                        xs.iter().map(|&$a| { let $b = c; $body })
                    )),+
                }
            }
        }
    };
}

unary_ops! {
    Neg, "neg", |x| -x;
    Exp, "exp", |x| libm::expf(x);
    Log, "log", |x| libm::logf(x);
    Sqrt, "sqrt", |x| libm::sqrtf(x);
    Recip, "recip", |x| 1.0 / x;
    Abs, "abs", |x| libm::fabsf(x);
    // NaN passes through (a NaN weight must not hide behind a finite activation).
    Relu, "relu", |x| if x > 0.0 || x.is_nan() { x } else { 0.0 };
    Tanh, "tanh", |x| libm::tanhf(x);
    // Two-sided form so that neither branch overflows: exp of a non-positive number,
    // then `1 / (1 + e)` for x >= 0 and `e / (1 + e)` otherwise.
    Sigmoid, "sigmoid", |x| sigmoid_from_exp(x, libm::expf(sigmoid_exp_arg(x)));
    // PyTorch's GELU(approximate='tanh'), with the float operations of the composed
    // `0.5 x (1 + tanh(c (x + 0.044715 x^3)))` in the same order (bit-identical).
    Gelu, "gelu", |x| gelu_from_tanh(x, libm::tanhf(gelu_tanh_arg(x)));
}

binary_ops! {
    Add, "add", |a, b| a + b;
    Sub, "sub", |a, b| a - b;
    Mul, "mul", |a, b| a * b;
    Div, "div", |a, b| a / b;
    // NaN on either side gives NaN (`a` when both are); a tie gives `a`.
    Max, "max", |a, b| if a.is_nan() || (a >= b && !b.is_nan()) { a } else { b };
    Pow, "pow", |a, b| libm::powf(a, b);
    Lt, "lt", |a, b| if a < b { 1.0 } else { 0.0 };
    Gt, "gt", |a, b| if a > b { 1.0 } else { 0.0 };
    Eq, "eq", |a, b| if a == b { 1.0 } else { 0.0 };
    // The backward of GELU: `a` the input, `b` the output's gradient.
    GeluGrad, "gelu_grad", |a, b| gelu_grad(a, b);
}

impl UnaryOp {
    /// An input interval on which the op is smooth, for gradient checks.
    pub fn smooth_domain(self) -> (f32, f32) {
        match self {
            UnaryOp::Log | UnaryOp::Sqrt | UnaryOp::Recip => (0.5, 2.0),
            UnaryOp::Neg
            | UnaryOp::Exp
            | UnaryOp::Abs
            | UnaryOp::Relu
            | UnaryOp::Tanh
            | UnaryOp::Sigmoid
            | UnaryOp::Gelu => (-2.0, 2.0),
        }
    }
}

impl BinaryOp {
    /// Input intervals (for `a`, for `b`) on which the op is smooth, for gradient checks.
    pub fn smooth_domain(self) -> ((f32, f32), (f32, f32)) {
        match self {
            BinaryOp::Div => ((-2.0, 2.0), (0.5, 2.0)),
            BinaryOp::Pow => ((0.5, 2.0), (-1.5, 1.5)),
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Max
            | BinaryOp::GeluGrad
            | BinaryOp::Lt
            | BinaryOp::Gt
            | BinaryOp::Eq => ((-2.0, 2.0), (-2.0, 2.0)),
        }
    }

    /// Comparisons produce 0/1 masks and pass no gradient.
    pub fn is_comparison(self) -> bool {
        matches!(self, BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Eq)
    }
}

/// Reductions over a set of axes (kept as size-1 dimensions).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum of the elements.
    Sum,
    /// Largest element.
    Max,
}

impl ReduceOp {
    /// Both reductions.
    pub const ALL: &'static [ReduceOp] = &[ReduceOp::Sum, ReduceOp::Max];

    /// Short stable name.
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "sum",
            ReduceOp::Max => "max",
        }
    }

    /// The WGSL entry point (`reduce_sum`).
    pub fn wgsl_entry(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Max => "reduce_max",
        }
    }

    /// Identity element of the reduction.
    pub fn identity(self) -> f32 {
        match self {
            ReduceOp::Sum => 0.0,
            ReduceOp::Max => f32::NEG_INFINITY,
        }
    }

    /// Combine an accumulator with one element. Max propagates NaN: once the
    /// accumulator is NaN it stays NaN (the first NaN met is kept).
    #[inline]
    pub fn combine(self, acc: f32, x: f32) -> f32 {
        match self {
            ReduceOp::Sum => acc + x,
            ReduceOp::Max => {
                if !acc.is_nan() && (x > acc || x.is_nan()) {
                    x
                } else {
                    acc
                }
            }
        }
    }
}

/// A primitive op as recorded in the autograd graph, with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// Elementwise op of one input.
    Unary(UnaryOp),
    /// Elementwise op of two broadcast inputs.
    Binary(BinaryOp),
    /// `where(cond, a, b)`: `a` where `cond != 0`, else `b` (broadcast).
    Select,
    /// Reduction over `axes`, keeping them as size-1 dimensions.
    Reduce(ReduceOp, Vec<usize>),
    /// Same data, new shape.
    Reshape,
    /// Axis permutation: output axis `i` is input axis `perm[i]`.
    Permute(Vec<usize>),
    /// Broadcast of size-1 (or missing leading) axes to a larger shape.
    Expand,
    /// Sub-range `[start, end)` of every axis.
    Slice(Vec<(usize, usize)>),
    /// Concatenation of the inputs along an axis.
    Concat(usize),
    /// `out[i, :] = table[idx[i], :]` (embedding lookup).
    GatherRows,
    /// `out[idx[i], :] += src[i, :]` into `rows` zero rows, in index order.
    ScatterAddRows(usize),
    /// Batched matrix product `op(A) @ op(B)` with optional transposed operands.
    Matmul {
        /// `A` is stored transposed (`[b, k, m]`).
        trans_a: bool,
        /// `B` is stored transposed (`[b, n, k]`).
        trans_b: bool,
    },
    /// im2col: `[N, C, H, W]` to the columns `[N, C*KH*KW, OH*OW]` of every window
    /// (PyTorch's `nn.Unfold` layout), zeros where a window overhangs the padding.
    Unfold2d(Window2d),
    /// col2im, the adjoint of [`Op::Unfold2d`]: columns `[N, C*KH*KW, OH*OW]` summed back
    /// into `[N, C, H, W]` (PyTorch's `nn.Fold`).
    Fold2d(Window2d),
    /// Max pooling, inputs `[x, v]`: per window, `v` at the first maximum of `x` (row-major
    /// window order, the first NaN counts as the maximum). `max_pool2d` passes `[x, x]`.
    MaxPool2d(Window2d),
    /// The adjoint of max pooling, inputs `[x, g]`: each window's `g` goes to its first
    /// maximum in `x`, `[N, C, OH, OW]` to `[N, C, H, W]`.
    MaxPool2dBackward(Window2d),
    /// Average pooling: the window's mean.
    AvgPool2d(Window2d),
    /// The adjoint of average pooling: each window's `g / (KH*KW)` spread over it.
    AvgPool2dBackward(Window2d),
    /// Softmax over the last axis of scores `[B, H, Tq, Tk]` (fewer axes are padded in
    /// front), inputs `[x]` or `[x, key_mask [B, Tk]]`: a key that is masked (0 in the
    /// mask, or after `i + Tk - Tq` for query `i` when `causal`) gets exactly 0; a row
    /// with every key masked is all zeros.
    MaskedSoftmax {
        /// Query `i` sees keys `j <= i + Tk - Tq` only.
        causal: bool,
    },
    /// The fused softmax backward, inputs `[y, dy]`: `y * (dy - sum(dy * y))` per row.
    SoftmaxBackward,
    /// Layer norm over the last axis, inputs `[x, gamma, beta, stats]`; `stats`
    /// (`[rows, 2]`: mean and `1 / sqrt(var + eps)`) is computed with `y` and kept for
    /// the backward.
    LayerNorm {
        /// Added to the variance.
        eps: f32,
    },
    /// The fused layer-norm backward for `x`, inputs `[x, gamma, stats, dy]`: with
    /// `xhat = (x - mean) rstd` and `gh = dy gamma`, `rstd (gh - mean(gh) - xhat
    /// mean(gh xhat))` (the statistics are inputs: their derivatives are not taken).
    LayerNormBackward,
    /// Mean cross-entropy of `logits [N, V]` against `targets [N]` (exact ids; an id
    /// outside `0..V`, e.g. negative, is ignored), inputs `[logits, targets, stats]`;
    /// `stats` (`[N + 1]`: each row's logsumexp, then the counted rows) is computed with
    /// the loss and kept for the backward.
    CrossEntropy,
    /// The fused cross-entropy backward, inputs `[logits, targets, stats, g]`:
    /// `g (softmax(logits) - onehot) / count` on counted rows, 0 on ignored ones.
    CrossEntropyBackward,
}

/// The kind of each primitive, without parameters: the list that tests loop over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// See [`Op::Unary`].
    Unary(UnaryOp),
    /// See [`Op::Binary`].
    Binary(BinaryOp),
    /// See [`Op::Select`].
    Select,
    /// See [`Op::Reduce`].
    Reduce(ReduceOp),
    /// See [`Op::Reshape`].
    Reshape,
    /// See [`Op::Permute`].
    Permute,
    /// See [`Op::Expand`].
    Expand,
    /// See [`Op::Slice`].
    Slice,
    /// See [`Op::Concat`].
    Concat,
    /// See [`Op::GatherRows`].
    GatherRows,
    /// See [`Op::ScatterAddRows`].
    ScatterAddRows,
    /// See [`Op::Matmul`].
    Matmul,
    /// See [`Op::Unfold2d`].
    Unfold2d,
    /// See [`Op::Fold2d`].
    Fold2d,
    /// See [`Op::MaxPool2d`].
    MaxPool2d,
    /// See [`Op::MaxPool2dBackward`].
    MaxPool2dBackward,
    /// See [`Op::AvgPool2d`].
    AvgPool2d,
    /// See [`Op::AvgPool2dBackward`].
    AvgPool2dBackward,
    /// See [`Op::MaskedSoftmax`].
    MaskedSoftmax,
    /// See [`Op::SoftmaxBackward`].
    SoftmaxBackward,
    /// See [`Op::LayerNorm`].
    LayerNorm,
    /// See [`Op::LayerNormBackward`].
    LayerNormBackward,
    /// See [`Op::CrossEntropy`].
    CrossEntropy,
    /// See [`Op::CrossEntropyBackward`].
    CrossEntropyBackward,
}

impl OpKind {
    /// Every primitive of the vocabulary.
    pub fn all() -> Vec<OpKind> {
        let mut v: Vec<OpKind> = UnaryOp::ALL.iter().map(|&u| OpKind::Unary(u)).collect();
        v.extend(BinaryOp::ALL.iter().map(|&b| OpKind::Binary(b)));
        v.push(OpKind::Select);
        v.extend(ReduceOp::ALL.iter().map(|&r| OpKind::Reduce(r)));
        v.extend([
            OpKind::Reshape,
            OpKind::Permute,
            OpKind::Expand,
            OpKind::Slice,
            OpKind::Concat,
            OpKind::GatherRows,
            OpKind::ScatterAddRows,
            OpKind::Matmul,
            OpKind::Unfold2d,
            OpKind::Fold2d,
            OpKind::MaxPool2d,
            OpKind::MaxPool2dBackward,
            OpKind::AvgPool2d,
            OpKind::AvgPool2dBackward,
            OpKind::MaskedSoftmax,
            OpKind::SoftmaxBackward,
            OpKind::LayerNorm,
            OpKind::LayerNormBackward,
            OpKind::CrossEntropy,
            OpKind::CrossEntropyBackward,
        ]);
        v
    }

    /// A readable name (`unary_exp`, `matmul`).
    pub fn name(self) -> String {
        match self {
            OpKind::Unary(u) => u.wgsl_entry().to_string(),
            OpKind::Binary(b) => b.wgsl_entry().to_string(),
            OpKind::Reduce(r) => r.wgsl_entry().to_string(),
            OpKind::Select => "select".into(),
            OpKind::Reshape => "reshape".into(),
            OpKind::Permute => "permute".into(),
            OpKind::Expand => "expand".into(),
            OpKind::Slice => "slice".into(),
            OpKind::Concat => "concat".into(),
            OpKind::GatherRows => "gather_rows".into(),
            OpKind::ScatterAddRows => "scatter_add_rows".into(),
            OpKind::Matmul => "matmul".into(),
            OpKind::Unfold2d => "unfold2d".into(),
            OpKind::Fold2d => "fold2d".into(),
            OpKind::MaxPool2d => "max_pool2d".into(),
            OpKind::MaxPool2dBackward => "max_pool2d_backward".into(),
            OpKind::AvgPool2d => "avg_pool2d".into(),
            OpKind::AvgPool2dBackward => "avg_pool2d_backward".into(),
            OpKind::MaskedSoftmax => "masked_softmax".into(),
            OpKind::SoftmaxBackward => "softmax_backward".into(),
            OpKind::LayerNorm => "layer_norm".into(),
            OpKind::LayerNormBackward => "layer_norm_backward".into(),
            OpKind::CrossEntropy => "cross_entropy".into(),
            OpKind::CrossEntropyBackward => "cross_entropy_backward".into(),
        }
    }
}

impl Op {
    /// The parameter-free kind of this op.
    pub fn kind(&self) -> OpKind {
        match self {
            Op::Unary(u) => OpKind::Unary(*u),
            Op::Binary(b) => OpKind::Binary(*b),
            Op::Select => OpKind::Select,
            Op::Reduce(r, _) => OpKind::Reduce(*r),
            Op::Reshape => OpKind::Reshape,
            Op::Permute(_) => OpKind::Permute,
            Op::Expand => OpKind::Expand,
            Op::Slice(_) => OpKind::Slice,
            Op::Concat(_) => OpKind::Concat,
            Op::GatherRows => OpKind::GatherRows,
            Op::ScatterAddRows(_) => OpKind::ScatterAddRows,
            Op::Matmul { .. } => OpKind::Matmul,
            Op::Unfold2d(_) => OpKind::Unfold2d,
            Op::Fold2d(_) => OpKind::Fold2d,
            Op::MaxPool2d(_) => OpKind::MaxPool2d,
            Op::MaxPool2dBackward(_) => OpKind::MaxPool2dBackward,
            Op::AvgPool2d(_) => OpKind::AvgPool2d,
            Op::AvgPool2dBackward(_) => OpKind::AvgPool2dBackward,
            Op::MaskedSoftmax { .. } => OpKind::MaskedSoftmax,
            Op::SoftmaxBackward => OpKind::SoftmaxBackward,
            Op::LayerNorm { .. } => OpKind::LayerNorm,
            Op::LayerNormBackward => OpKind::LayerNormBackward,
            Op::CrossEntropy => OpKind::CrossEntropy,
            Op::CrossEntropyBackward => OpKind::CrossEntropyBackward,
        }
    }
}

/// Highest tensor rank; kernels index with four padded dimensions.
pub const MAX_RANK: usize = 4;

/// An output shape padded to four dimensions with leading ones.
pub type Dims = [usize; MAX_RANK];

/// How an elementwise kernel reads one input: the element at output index `i` (four
/// padded dimensions) sits at `offset + sum(i[d] * strides[d])`. Stride 0 broadcasts;
/// permuted strides transpose; an offset with the source's strides slices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct View {
    /// Element offset of output index zero.
    pub offset: usize,
    /// Element stride per padded output dimension.
    pub strides: [usize; MAX_RANK],
}

impl View {
    /// Source element index for the output index `idx`.
    #[inline]
    pub fn at(&self, idx: [usize; MAX_RANK]) -> usize {
        self.offset
            + idx[0] * self.strides[0]
            + idx[1] * self.strides[1]
            + idx[2] * self.strides[2]
            + idx[3] * self.strides[3]
    }

    /// The view that reads a row-major array of the padded shape `out` from index 0.
    pub fn contiguous(out: Dims) -> View {
        View {
            offset: 0,
            strides: [out[1] * out[2] * out[3], out[2] * out[3], out[3], 1],
        }
    }

    /// True when this view reads the elements of `out` row-major with no gaps from its
    /// offset, so a kernel may read element `i` at `offset + i` (no index arithmetic).
    pub fn is_dense(&self, out: Dims) -> bool {
        let row_major = View::contiguous(out).strides;
        (0..MAX_RANK).all(|d| out[d] == 1 || self.strides[d] == row_major[d])
    }

    /// When this view reads the elements of `out` (row-major) as one dense block of its
    /// last dimensions, from its offset, repeated over the leading ones: `Some(period)`,
    /// the block's length, so element `i` sits at `offset + i % period`. A dense view's
    /// period is its whole length, a bias row broadcast over a matrix's rows has the
    /// row's, a scalar broadcast everywhere 1; a transposed or interleaved view has none.
    pub fn repeat_period(&self, out: Dims) -> Option<usize> {
        let row_major = View::contiguous(out).strides;
        let fits = |d: usize, stride: usize| out[d] == 1 || self.strides[d] == stride;
        // The block: the longest run of last dimensions with row-major strides.
        let k = (0..=MAX_RANK)
            .find(|&k| (k..MAX_RANK).all(|d| fits(d, row_major[d])))
            .unwrap_or(MAX_RANK);
        (0..k)
            .all(|d| fits(d, 0))
            .then(|| out[k..].iter().product::<usize>().max(1))
    }

    /// When the elements of `dims` read through this view, taken as `outer` rows of
    /// `inner` in row-major order, sit at `offset + row * r + j * e` for two strides:
    /// `Some((r, e))`. A transposed matrix is such a view; a broadcast inside a row or
    /// a permutation that interleaves rows is not.
    pub fn two_strides(&self, dims: Dims, outer: usize, inner: usize) -> Option<(usize, usize)> {
        if outer == 0 || inner == 0 {
            return None;
        }
        let split = (0..=MAX_RANK).find(|&k| {
            dims[..k].iter().product::<usize>() == outer
                && dims[k..].iter().product::<usize>() == inner
        })?;
        let rows = one_stride(&dims[..split], &self.strides[..split])?;
        let elems = one_stride(&dims[split..], &self.strides[split..])?;
        Some((rows, elems))
    }
}

/// The stride `s` that puts element `i` (row-major over `dims`) at `i * s`, when there
/// is one: each dimension's stride is the next inner one's times that one's extent
/// (dimensions of size one place nothing).
fn one_stride(dims: &[usize], strides: &[usize]) -> Option<usize> {
    let mut unit: Option<usize> = None;
    let mut span = 1;
    for (&d, &s) in dims.iter().zip(strides).rev().filter(|(&d, _)| d != 1) {
        match unit {
            None => unit = Some(s),
            Some(u) if s == u * span => {}
            Some(_) => return None,
        }
        span *= d;
    }
    Some(unit.unwrap_or(0))
}

/// Sizes of a batched matrix product `C[b] = op(A[b]) @ op(B[b])`, all row-major:
/// `A` is `[batch, m, k]` (or `[batch, k, m]` when `trans_a`), `B` is `[batch, k, n]`
/// (or `[batch, n, k]` when `trans_b`), `C` is `[batch, m, n]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MatmulDims {
    /// Number of independent products.
    pub batch: usize,
    /// Rows of `op(A)` and `C`.
    pub m: usize,
    /// Columns of `op(A)`, rows of `op(B)`.
    pub k: usize,
    /// Columns of `op(B)` and `C`.
    pub n: usize,
    /// `A` is stored transposed.
    pub trans_a: bool,
    /// `B` is stored transposed.
    pub trans_b: bool,
}
