//! Plain data and scalar math of the transformer ops: GELU's constants and its fused
//! derivative (the CPU reference of `BinaryOp::GeluGrad`), and the sizes of a masked
//! softmax.

use crate::mathf;

/// `sqrt(2 / pi)` rounded to f32, the scale inside GELU's tanh.
pub const GELU_C: f32 = 0.797_884_6;
/// The cubic coefficient of GELU's tanh form.
pub const GELU_CUBIC: f32 = 0.044715;

/// The argument of GELU's tanh: `(x + x^3 * 0.044715) * sqrt(2 / pi)`, the cube as
/// `x * x * x`, in the composed form's order.
#[inline(always)]
pub(super) fn gelu_tanh_arg(x: f32) -> f32 {
    (x + x * x * x * GELU_CUBIC) * GELU_C
}

/// GELU from `t = tanh(gelu_tanh_arg(x))`: `x (t + 1) 0.5`.
#[inline(always)]
pub(super) fn gelu_from_tanh(x: f32, t: f32) -> f32 {
    x * (t + 1.0) * 0.5
}

/// `d gelu(x) * g`, with the float operations autograd performed on the composed GELU
/// (each product and the sum of the five gradient paths in the same order), so a fused
/// GELU trains bit-identically to the composed one on the CPU.
#[inline]
pub fn gelu_grad(x: f32, g: f32) -> f32 {
    gelu_grad_from_tanh(x, g, libm::tanhf(gelu_tanh_arg(x)))
}

/// [`gelu_grad`] over two slices of one length, appended to `out`: the tanh over the
/// whole slice with [`mathf::tanh_in_place`] (the widest vectors this processor has),
/// the rest in a loop of its own. Bit for bit `gelu_grad` on each pair.
pub fn gelu_grad_slice(xs: &[f32], gs: &[f32], out: &mut Vec<f32>) {
    let start = out.len();
    out.extend(xs.iter().zip(gs).map(|(&x, _)| gelu_tanh_arg(x)));
    let ts = &mut out[start..];
    mathf::tanh_in_place(ts);
    for ((o, &x), &g) in ts.iter_mut().zip(xs).zip(gs) {
        *o = gelu_grad_from_tanh(x, g, *o);
    }
}

/// The rest of [`gelu_grad`] once `t = tanh(gelu_tanh_arg(x))` is known.
#[inline(always)]
fn gelu_grad_from_tanh(x: f32, g: f32, t: f32) -> f32 {
    let ga = g * 0.5;
    let through_factor = ga * (t + 1.0);
    let g_inner = ga * x * (-(t * t) + 1.0);
    let g_sum = g_inner * GELU_C;
    let g_cube = g_sum * GELU_CUBIC;
    let through_square = g_cube * (x * x);
    let through_x2 = g_cube * x * x;
    through_factor + g_sum + through_square + through_x2 + through_x2
}

/// Sizes of a masked softmax over the last axis of `[batch, heads, queries, keys]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SoftmaxDims {
    /// Leading axis (the key mask's rows).
    pub batch: usize,
    /// Second axis (attention heads).
    pub heads: usize,
    /// Rows per head (`Tq`).
    pub queries: usize,
    /// The softmax axis (`Tk`).
    pub keys: usize,
    /// Query `i` sees keys `j <= i + keys - queries` only.
    pub causal: bool,
}

impl SoftmaxDims {
    /// Number of rows (`batch * heads * queries`).
    pub fn rows(&self) -> usize {
        self.batch * self.heads * self.queries
    }

    /// Whether key `j` is visible to query `i` by the causal rule (the mask aside).
    #[inline]
    pub fn causal_visible(&self, i: usize, j: usize) -> bool {
        !self.causal || j + self.queries <= i + self.keys
    }
}
