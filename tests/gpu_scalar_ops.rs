//! `binary_scalar`, the binary kernels' scalar mode (the constant is a uniform kernel
//! parameter), against the CPU backend: every binary op, forward and backward, and the
//! backend call through a strided (transposed) view; and it costs one dispatch and no
//! upload, where a constant tensor cost a fill dispatch and a buffer.

mod common;

use common::gpu::{check_parity, gpu_device, var, PCase};
use common::{grid, uniform};
use gradlab::backend::View;
use gradlab::platform::block_on;
use gradlab::rng::Rng;
use gradlab::tensor::BinaryOp;
use gradlab::{Device, Tensor};

/// Elementwise math: WGSL's pow and division may differ from libm by a few ulp.
const TOL_ELEMENTWISE: f64 = 2e-6;
/// Gradients: chains of elementwise ops.
const TOL_GRAD: f64 = 5e-5;

/// Shapes: one past a workgroup, odd sizes, a single element, empty.
const SHAPES: &[&[usize]] = &[&[257], &[3, 5, 7], &[1], &[], &[4, 0, 3]];

/// Inputs for `op` (a grid with ties for the comparisons and max) and the constants.
fn inputs(op: BinaryOp, rng: &mut Rng, n: usize) -> (Vec<f32>, Vec<f32>) {
    let ((alo, ahi), (blo, bhi)) = op.smooth_domain();
    match op {
        BinaryOp::Max | BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Gt => {
            let g = [-1.0, 0.0, 0.5, 1.0];
            (grid(rng, n, &g), g.to_vec())
        }
        _ => (uniform(rng, n, alo, ahi), uniform(rng, 3, blo, bhi)),
    }
}

#[test]
fn every_binary_op_with_a_uniform_constant_matches_the_cpu_reference() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(88);
    let mut failures = Vec::new();
    for &op in BinaryOp::ALL {
        for dims in SHAPES {
            let (a, constants) = inputs(op, &mut rng, dims.iter().product());
            for c in constants {
                let name = format!("{} {dims:?} with constant {c}", op.name());
                let case = PCase::new(name, vec![var(dims, a.clone())], move |t| {
                    t[0].binary_scalar(op, c)
                });
                if let Err(e) = check_parity(&gpu, &case, TOL_ELEMENTWISE, TOL_GRAD, &mut rng) {
                    failures.push(e);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn binary_scalar_equals_the_binary_op_with_a_constant_tensor() {
    // On the CPU reference the scalar form is the broadcast binary op, bit for bit.
    let mut rng = Rng::new(5);
    for &op in BinaryOp::ALL {
        let (a, constants) = inputs(op, &mut rng, 60);
        let x = Tensor::from_slice(&a, &[4, 15], &Device::Cpu);
        for c in constants {
            let want = x.binary(op, &x.scalar_like(c)).to_vec_now().expect("cpu");
            let got = x.binary_scalar(op, c).to_vec_now().expect("cpu");
            let same = want
                .iter()
                .zip(&got)
                .all(|(w, g)| w.to_bits() == g.to_bits());
            assert!(same, "{} with {c}: {got:?} vs {want:?}", op.name());
        }
    }
}

#[test]
fn binary_scalar_reads_a_transposed_view() {
    let Some(gpu) = gpu_device() else { return };
    let (rows, cols) = (5, 7);
    let a: Vec<f32> = (0..rows * cols).map(|i| i as f32 * 0.5 - 4.0).collect();
    // out[j, i] = a[i, j] * 3: the view walks the source column by column.
    let view = View {
        offset: 0,
        strides: [0, 0, 1, cols],
    };
    let out = [1, 1, cols, rows];
    let run = |d: &Device| {
        let s = d.upload(&a);
        let r = d.binary_scalar(BinaryOp::Mul, (&s, view), 3.0, out);
        block_on(d.read(&r, rows * cols)).expect("read")
    };
    let want = run(&Device::Cpu);
    for j in 0..cols {
        for i in 0..rows {
            assert_eq!(want[j * rows + i], a[i * cols + j] * 3.0);
        }
    }
    assert_eq!(run(&gpu), want);
}

#[test]
fn a_scalar_op_is_one_dispatch_without_upload_or_fill() {
    let Some(gpu) = gpu_device() else { return };
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0], &[3], &gpu);
    let _warm = x.add_scalar(1.0).to_vec_blocking().expect("warm");
    let before = gpu.gpu_stats().expect("stats");
    let y = x.add_scalar(0.25).mul_scalar(2.0);
    let d = gpu.gpu_stats().expect("stats").since(&before);
    assert_eq!(d.dispatches, 2, "{d:?}");
    assert_eq!(d.uploads, 0, "{d:?}");
    assert_eq!(y.to_vec_blocking().expect("read"), vec![2.5, 4.5, 6.5]);
}
