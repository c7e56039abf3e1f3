//! Backward computes only the gradients someone needs: an input that does not require
//! gradients (a constant operand, data, a detached shift) costs no kernel, and the
//! gradients that are computed keep their values. Counted with the GPU backend's
//! dispatch counter; the values are checked on every device.

mod common;

use common::{devices, read};
use gradlab::{Device, Tensor};

/// Dispatches recorded by `f` on the GPU.
fn dispatches<T>(gpu: &Device, f: impl FnOnce() -> T) -> (u64, T) {
    let before = gpu.gpu_stats().expect("GPU stats");
    let out = f();
    (
        gpu.gpu_stats()
            .expect("GPU stats")
            .since(&before)
            .dispatches,
        out,
    )
}

/// A two-operand function of tensors.
type BinaryFn = fn(&Tensor, &Tensor) -> Tensor;

const A: [f32; 6] = [1.0, -2.0, 3.0, 0.5, -1.5, 2.5];
const C: [f32; 6] = [0.25, 4.0, -1.0, 2.0, 0.75, -3.0];

#[test]
fn a_constant_operand_gets_no_gradient_kernel() {
    let Some(gpu) = common::gpu::gpu_device() else {
        return;
    };
    let a = Tensor::parameter(&A, &[2, 3], &gpu);
    let c = Tensor::from_slice(&C, &[2, 3], &gpu);
    for (name, loss) in [
        ("a * c", a.mul(&c).sum_all()),
        ("c * a", c.mul(&a).sum_all()),
        ("a / c", a.div(&c).sum_all()),
        ("c - a", c.sub(&a).sum_all()),
    ] {
        // The seed gradient (one fill), then one kernel for `a`'s gradient (sub: a
        // negation); the sum's backward and the reshape are views. A gradient for `c`
        // would be one or more kernels more.
        let (n, grads) = dispatches(&gpu, || loss.backward());
        assert_eq!(n, 2, "backward of sum({name}) dispatched {n} kernels");
        assert!(grads.get(&a).is_some(), "{name}: no gradient for a");
    }
}

#[test]
fn a_matmul_with_data_computes_only_the_weight_gradient() {
    let Some(gpu) = common::gpu::gpu_device() else {
        return;
    };
    let x = Tensor::from_slice(&A, &[2, 3], &gpu);
    let w = Tensor::parameter(&C, &[2, 3], &gpu);
    let loss = x.matmul_t(&w, false, true).sum_all();
    // Seed fill; the sum's gradient is an expanded view, which the matmul (it reads
    // contiguous operands) copies once; then dW = g^T x: one matmul (dX would be a
    // second).
    let (n, _) = dispatches(&gpu, || loss.backward());
    assert_eq!(n, 3, "backward of sum(x @ w^T) dispatched {n} kernels");
}

#[test]
fn skipping_a_constant_leaves_the_other_gradient_unchanged() {
    // The gradient of `a` alone equals its gradient when both operands require one.
    for device in devices() {
        let a = Tensor::parameter(&A, &[2, 3], &device);
        let c = Tensor::from_slice(&C, &[2, 3], &device);
        let c_param = c.requiring_grad();
        let ops: [(&str, BinaryFn); 5] = [
            ("mul", |a, c| a.mul(c)),
            ("div", |a, c| a.div(c)),
            ("max", |a, c| a.maximum(c)),
            ("pow", |a, c| a.abs().pow(c)),
            ("matmul", |a, c| a.matmul_t(c, false, true)),
        ];
        for (name, f) in ops {
            for swap in [false, true] {
                let run = |c: &Tensor| {
                    let y = if swap { f(c, &a) } else { f(&a, c) };
                    read(y.sum_all().backward().get(&a).expect("grad of a"))
                };
                assert_eq!(
                    run(&c),
                    run(&c_param),
                    "{name} (swapped: {swap}) on {}",
                    device.label()
                );
            }
        }
    }
}
