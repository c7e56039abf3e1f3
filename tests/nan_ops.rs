//! NaN is never hidden by an op: relu, binary max and the max reduction propagate it, on
//! the CPU and in WGSL (GPU against CPU with NaN inputs, both reduction shapes), and a
//! NaN input gets a NaN gradient from relu's and max's backward rules instead of 0.
//!
//! The reference is IEEE semantics with NaN propagation, written independently below:
//! NaN in, NaN out; otherwise the ordinary value.

mod common;

use common::gpu::{check_parity, cst, gpu_device, var, PCase};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Values that exercise every branch: NaN, both infinities, both zeros, ordinary.
const SPECIAL: [f32; 8] = [
    f32::NAN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    0.0,
    -0.0,
    1.5,
    -2.0,
    0.25,
];

fn values(t: &Tensor) -> Vec<f32> {
    t.to_vec_blocking().expect("read back")
}

/// NaN matches NaN; everything else compares equal (so 0 == -0).
fn same(got: f32, want: f32) -> bool {
    (got.is_nan() && want.is_nan()) || got == want
}

fn relu_reference(x: f32) -> f32 {
    if x.is_nan() {
        f32::NAN
    } else if x > 0.0 {
        x
    } else {
        0.0
    }
}

fn max_reference(a: f32, b: f32) -> f32 {
    if a.is_nan() || b.is_nan() {
        f32::NAN
    } else if a >= b {
        a
    } else {
        b
    }
}

/// Every (a, b) pair of `SPECIAL`, as two flat vectors.
fn pairs() -> (Vec<f32>, Vec<f32>) {
    let a = SPECIAL.iter().flat_map(|&a| SPECIAL.map(|_| a)).collect();
    let b = SPECIAL.iter().flat_map(|_| SPECIAL).collect();
    (a, b)
}

fn check_forward_semantics(device: &Device) {
    let x = Tensor::from_slice(&SPECIAL, &[SPECIAL.len()], device);
    for (i, (&got, &v)) in values(&x.relu()).iter().zip(&SPECIAL).enumerate() {
        assert!(same(got, relu_reference(v)), "relu({v}) = {got} [{i}]");
    }
    let (a, b) = pairs();
    let n = a.len();
    let ta = Tensor::from_slice(&a, &[n], device);
    let tb = Tensor::from_slice(&b, &[n], device);
    let max = values(&ta.maximum(&tb));
    let (lt, gt, eq) = (
        values(&ta.lt(&tb)),
        values(&ta.gt(&tb)),
        values(&ta.eq_mask(&tb)),
    );
    for i in 0..n {
        let (x, y) = (a[i], b[i]);
        assert!(
            same(max[i], max_reference(x, y)),
            "max({x}, {y}) = {}",
            max[i]
        );
        // IEEE comparisons: false whenever NaN is involved.
        assert_eq!(lt[i], f32::from(u8::from(x < y)), "lt({x}, {y})");
        assert_eq!(gt[i], f32::from(u8::from(x > y)), "gt({x}, {y})");
        assert_eq!(eq[i], f32::from(u8::from(x == y)), "eq({x}, {y})");
    }
}

/// Rows of `len` values with NaN at `nan_at` (if any), the rest from `SPECIAL` without
/// NaN; the max over each row is NaN exactly when the row holds one.
fn check_max_reduce(device: &Device, len: usize) {
    let ordinary: Vec<f32> = SPECIAL.iter().copied().filter(|v| !v.is_nan()).collect();
    let nan_positions = [None, Some(0), Some(len / 2), Some(len - 1)];
    let mut data = Vec::new();
    for (r, nan_at) in nan_positions.iter().enumerate() {
        for j in 0..len {
            let v = ordinary[(j * 3 + r) % ordinary.len()];
            data.push(if Some(j) == *nan_at { f32::NAN } else { v });
        }
    }
    let rows = nan_positions.len();
    let t = Tensor::from_slice(&data, &[rows, len], device);
    let got = values(&t.max_axes(&[1], false));
    for (r, nan_at) in nan_positions.iter().enumerate() {
        let row = &data[r * len..(r + 1) * len];
        let want = row
            .iter()
            .fold(f32::NEG_INFINITY, |m, &v| max_reference(m, v));
        assert!(
            same(got[r], want),
            "{}: max of a row of {len} with NaN at {nan_at:?} is {}, want {want}",
            device.label(),
            got[r]
        );
    }
    // A row of NaN only, and one with NaN after +inf.
    let t = Tensor::from_slice(
        &[f32::NAN, f32::NAN, f32::INFINITY, f32::NAN],
        &[2, 2],
        device,
    );
    let got = values(&t.max_axes(&[1], false));
    assert!(got.iter().all(|v| v.is_nan()), "{got:?}");
}

#[test]
fn relu_max_and_comparisons_propagate_nan_on_the_cpu() {
    check_forward_semantics(&Device::Cpu);
}

#[test]
fn max_reduction_propagates_nan_on_the_cpu() {
    for len in [1, 7, 64, 65, 300] {
        check_max_reduce(&Device::Cpu, len);
    }
}

#[test]
fn relu_max_and_comparisons_propagate_nan_on_the_gpu() {
    let Some(gpu) = gpu_device() else { return };
    check_forward_semantics(&gpu);
}

#[test]
fn max_reduction_propagates_nan_on_the_gpu_in_both_shapes() {
    let Some(gpu) = gpu_device() else { return };
    // Up to 64 one thread per row folds left to right; longer rows go through the
    // workgroup tree (see ops.rs `SHORT_ROW`).
    for len in [1, 7, 64, 65, 300, 1000] {
        check_max_reduce(&gpu, len);
    }
}

/// The gradient of `sum(f(x) * w)` for an input holding NaN.
fn grad_of(device: &Device, x: &[f32], f: impl Fn(&Tensor) -> Tensor) -> Vec<f32> {
    let t = Tensor::parameter(x, &[x.len()], device);
    let y = f(&t);
    let w = Tensor::from_slice(&vec![0.5; y.numel()], y.dims(), device);
    let grads = y.mul(&w).sum_all().backward();
    values(grads.get(&t).expect("a gradient"))
}

#[test]
fn a_nan_input_gets_a_nan_gradient_from_relu_and_max() {
    for device in common::devices() {
        let g = grad_of(&device, &SPECIAL, Tensor::relu);
        for (&v, &d) in SPECIAL.iter().zip(&g) {
            // d relu = [x > 0] dy with dy = 0.5; NaN for a NaN input.
            let want = if v.is_nan() {
                f32::NAN
            } else if v > 0.0 {
                0.5
            } else {
                0.0
            };
            assert!(same(d, want), "{}: d relu at {v} = {d}", device.label());
        }
        let other = vec![0.0; SPECIAL.len()];
        let b = Tensor::from_slice(&other, &[other.len()], &device);
        let g = grad_of(&device, &SPECIAL, |x| x.maximum(&b));
        for (&v, &d) in SPECIAL.iter().zip(&g) {
            // d max(x, 0) / dx: 1 above, 1/2 on the tie, 0 below, NaN for NaN.
            let want = if v.is_nan() {
                f32::NAN
            } else if v > 0.0 {
                0.5
            } else if v == 0.0 {
                0.25
            } else {
                0.0
            };
            assert!(
                same(d, want),
                "{}: d max(x, 0) at {v} = {d}",
                device.label()
            );
        }
        // The other side, with NaN on the right.
        let a = Tensor::from_slice(&other, &[other.len()], &device);
        let g = grad_of(&device, &SPECIAL, |x| a.maximum(x));
        assert!(
            g[0].is_nan() && g.iter().skip(1).all(|d| !d.is_nan()),
            "{g:?}"
        );
    }
}

/// GPU against CPU, forward and gradients, with NaN (and infinities) among the inputs.
#[test]
fn nan_inputs_give_the_same_values_and_gradients_on_gpu_and_cpu() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(8);
    let data = |n: usize, r: &mut Rng| -> Vec<f32> {
        (0..n)
            .map(|i| match i % 5 {
                0 => SPECIAL[(i / 5) % SPECIAL.len()],
                _ => r.range(-2.0, 2.0),
            })
            .collect()
    };
    let x = data(300, &mut rng);
    let y = data(300, &mut rng);
    let long = data(2 * 130, &mut rng);
    let cases = vec![
        PCase::new("relu with NaN", vec![var(&[300], x.clone())], |t| {
            t[0].relu()
        }),
        PCase::new(
            "max with NaN on both sides",
            vec![var(&[300], x.clone()), var(&[300], y.clone())],
            |t| t[0].maximum(&t[1]),
        ),
        PCase::new(
            "max against a constant with NaN",
            vec![var(&[300], x.clone()), cst(&[300], y)],
            |t| t[0].maximum(&t[1]),
        ),
        PCase::new("max of short rows with NaN", vec![var(&[30, 10], x)], |t| {
            t[0].max_axes(&[1], true)
        }),
        PCase::new(
            "max of long rows with NaN",
            vec![var(&[2, 130], long)],
            |t| t[0].max_axes(&[1], true),
        ),
    ];
    for case in &cases {
        // Exact: max and relu pick one of their inputs, masks are 0/1, and the
        // gradients are products of the loss weights with those masks.
        check_parity(&gpu, case, 0.0, 0.0, &mut rng).unwrap_or_else(|e| panic!("{e}"));
    }
}
