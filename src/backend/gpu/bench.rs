//! GPU benchmarks as functions that return numbers (`gradlab bench` prints them): matmul
//! GFLOP/s of the plain and the tiled kernel, and the cost of a dispatch and of a submit
//! with a readback. Each matmul variant is validated before it is timed (sampled entries
//! against f64 dot products), as a benchmark of a wrong kernel is worthless.
//!
//! `async` so the page could run them too; natively wrap them in `platform::block_on`.

use super::{GpuBackend, MatmulKernel};
use crate::backend::{Backend, MatmulDims};
use crate::error::{Error, Result};
use crate::op::UnaryOp;
use crate::platform::now_ms;
use crate::rng::Rng;

/// One timed matmul: `n x n` by `n x n` with one kernel.
#[derive(Clone, Debug, PartialEq)]
pub struct MatmulBench {
    /// Matrix side.
    pub n: usize,
    /// The kernel timed.
    pub kernel: MatmulKernel,
    /// Multiply-adds counted twice, per second, in units of 1e9.
    pub gflops: f64,
    /// Milliseconds per product.
    pub ms: f64,
    /// Products timed.
    pub reps: usize,
    /// Worst sampled error, relative to `sum |a||b|` of that entry.
    pub max_error: f64,
}

/// Sampled entries of `C = A @ B` against f64 dot products; error relative to `sum |a b|`.
fn sampled_error(a: &[f32], b: &[f32], c: &[f32], n: usize, rng: &mut Rng) -> f64 {
    let mut worst = 0.0f64;
    for _ in 0..32 {
        let (i, j) = (rng.below(n), rng.below(n));
        let (mut dot, mut mag) = (0.0f64, 0.0f64);
        for k in 0..n {
            let p = a[i * n + k] as f64 * b[k * n + j] as f64;
            dot += p;
            mag += p.abs();
        }
        worst = worst.max((c[i * n + j] as f64 - dot).abs() / mag.max(1e-30));
    }
    worst
}

/// Time `C = A @ B` for `n x n` matrices with `kernel`: one validated warm-up product,
/// then products until `budget_ms` has passed (at least one, at most 50).
pub async fn matmul(
    gpu: &GpuBackend,
    n: usize,
    kernel: MatmulKernel,
    budget_ms: f64,
) -> Result<MatmulBench> {
    let mut rng = Rng::new(n as u64);
    let a: Vec<f32> = (0..n * n).map(|_| rng.range(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..n * n).map(|_| rng.range(-1.0, 1.0)).collect();
    let (ga, gb) = (gpu.upload(&a), gpu.upload(&b));
    let dims = MatmulDims {
        batch: 1,
        m: n,
        k: n,
        n,
        trans_a: false,
        trans_b: false,
    };
    let previous = gpu.matmul_kernel();
    gpu.set_matmul_kernel(kernel);
    // Warm-up: compiles the pipeline, fills the pool; its result is validated.
    let c = gpu.matmul(&ga, &gb, dims);
    let max_error = sampled_error(&a, &b, &gpu.read(&c, n * n).await?, n, &mut rng);
    drop(c);
    if max_error > 1e-4 {
        gpu.set_matmul_kernel(previous);
        return Err(Error::Gpu(format!(
            "{kernel:?} matmul at n = {n} is wrong (sampled error {max_error:.2e}); not timed"
        )));
    }
    let start = now_ms();
    let mut reps = 0;
    loop {
        let c = gpu.matmul(&ga, &gb, dims);
        // A one-element read waits for the product without copying it all back.
        gpu.read(&c, 1).await?;
        reps += 1;
        if now_ms() - start >= budget_ms || reps >= 50 {
            break;
        }
    }
    gpu.set_matmul_kernel(previous);
    let ms = (now_ms() - start) / reps as f64;
    Ok(MatmulBench {
        n,
        kernel,
        gflops: 2.0 * (n as f64).powi(3) / (ms * 1e6),
        ms,
        reps,
        max_error,
    })
}

/// Microseconds per dispatch of a small elementwise kernel: `count` dispatches (each
/// reading the previous output) recorded, submitted once and waited for, minus nothing:
/// encoding, scheduling and the kernel itself are all in it.
pub async fn dispatch_overhead_us(gpu: &GpuBackend, count: usize) -> Result<f64> {
    let count = count.max(1);
    let x = gpu.upload(&[0.5; 64]);
    // Warm-up: pipeline and pool.
    gpu.read(&gpu.unary(UnaryOp::Neg, &x, 64), 1).await?;
    let start = now_ms();
    let mut y = x;
    for _ in 0..count {
        y = gpu.unary(UnaryOp::Neg, &y, 64);
    }
    gpu.read(&y, 1).await?;
    Ok((now_ms() - start) * 1000.0 / count as f64)
}

/// Microseconds for one submit of a single dispatch plus a 4-byte readback: the floor
/// of reading a value (the loss) back once.
pub async fn readback_us(gpu: &GpuBackend, reps: usize) -> Result<f64> {
    let reps = reps.max(1);
    let x = gpu.upload(&[0.5; 64]);
    gpu.read(&gpu.unary(UnaryOp::Neg, &x, 64), 1).await?;
    let start = now_ms();
    for _ in 0..reps {
        gpu.read(&gpu.unary(UnaryOp::Neg, &x, 64), 1).await?;
    }
    Ok((now_ms() - start) * 1000.0 / reps as f64)
}
