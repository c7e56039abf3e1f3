//! The slice forms of the elementwise ops ([`UnaryOp::map`], [`BinaryOp::zip_into`]):
//! the ops whose scalar reference calls `libm::tanhf` or `libm::expf` take that function
//! over the whole slice with [`mathf`] (the same bits, a vector at a time), and the
//! arithmetic around it in loops of their own; the other ops loop over `apply`'s
//! formula, compiled once per op.

use super::transformer::{gelu_from_tanh, gelu_tanh_arg};
use super::{gelu_grad_slice, BinaryOp, UnaryOp};
use crate::mathf;

/// The argument of sigmoid's exponential: `-x` for `x >= 0`, else `x` (never positive,
/// so the exponential never overflows; a NaN passes as itself).
#[inline(always)]
pub(super) fn sigmoid_exp_arg(x: f32) -> f32 {
    if x >= 0.0 {
        -x
    } else {
        x
    }
}

/// Sigmoid from `e = exp(sigmoid_exp_arg(x))`: `1 / (1 + e)` for `x >= 0`, else
/// `e / (1 + e)`.
#[inline(always)]
pub(super) fn sigmoid_from_exp(x: f32, e: f32) -> f32 {
    if x >= 0.0 {
        1.0 / (1.0 + e)
    } else {
        e / (1.0 + e)
    }
}

impl UnaryOp {
    /// [`UnaryOp::apply`] over a slice, bit for bit. Tanh, exp, sigmoid and GELU take
    /// their tanh or exp over the whole slice with [`mathf`]'s vectorised functions
    /// (the widest vectors this processor has), the arithmetic around it in loops of
    /// their own; the other ops run one loop compiled for the op.
    pub fn map(self, xs: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; xs.len()];
        match self {
            UnaryOp::Exp => mathf::exp_slice(xs, &mut out),
            UnaryOp::Tanh => mathf::tanh_slice(xs, &mut out),
            UnaryOp::Sigmoid => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = sigmoid_exp_arg(x);
                }
                mathf::exp_in_place(&mut out);
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = sigmoid_from_exp(x, *o);
                }
            }
            UnaryOp::Gelu => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = gelu_tanh_arg(x);
                }
                mathf::tanh_in_place(&mut out);
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = gelu_from_tanh(x, *o);
                }
            }
            UnaryOp::Neg
            | UnaryOp::Log
            | UnaryOp::Sqrt
            | UnaryOp::Recip
            | UnaryOp::Abs
            | UnaryOp::Relu => return self.map_each(xs),
        }
        out
    }
}

impl BinaryOp {
    /// [`BinaryOp::apply`] over two slices of one length, appended to `out`, bit for
    /// bit: GELU's derivative takes its tanh over the whole slice (see
    /// [`gelu_grad_slice`]), the other ops run one loop compiled for the op.
    pub fn zip_into(self, xs: &[f32], ys: &[f32], out: &mut Vec<f32>) {
        match self {
            BinaryOp::GeluGrad => gelu_grad_slice(xs, ys, out),
            BinaryOp::Add
            | BinaryOp::Sub
            | BinaryOp::Mul
            | BinaryOp::Div
            | BinaryOp::Max
            | BinaryOp::Pow
            | BinaryOp::Lt
            | BinaryOp::Gt
            | BinaryOp::Eq => self.zip_each_into(xs, ys, out),
        }
    }
}
