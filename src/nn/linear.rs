//! The fully connected layer.

use crate::tensor::Tensor;

/// `y = x W^T + b` with `W: [out, in]`, `b: [out]` (PyTorch's `nn.Linear`).
pub fn linear(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Tensor {
    // (B, in) @ (out, in)^T -> (B, out), read with a transposed-operand kernel.
    x.matmul_t(weight, false, true).add(bias)
}
