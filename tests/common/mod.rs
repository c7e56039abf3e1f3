//! Shared helpers of the op-vocabulary suites: the device list, seeded inputs, the one
//! case type ([`Case`], in `case.rs`), the per-op case table (`cases/`) and the three
//! checks every case goes through (`check.rs`): [`check_forward`] (a device against an
//! f64 reference), [`check_grad`] (autograd against f64 central finite differences) and
//! [`check_gpu_parity`] (the GPU against the CPU backend).
//!
//! Every test body takes a `&Device` and runs once per entry of [`devices`]; adding a
//! backend is one line there.
#![allow(dead_code)] // each test crate uses a different subset of these helpers
#![allow(unused_imports)] // re-exports that only some test crates use

pub mod case;
pub mod cases;
pub mod check;
pub mod gpt;
pub mod gpu;
pub mod lenet;
pub mod reference;
pub mod reference_conv;
pub mod reference_fused;

pub use case::{
    constant, diff, no_grad, Case, Domain, Input, Role, Tol, TOL_ACCUMULATE, TOL_ELEMENTWISE,
    TOL_EXACT,
};
pub use check::{
    check_forward, check_gpu_parity, check_grad, compare, FD_STEP, GRAD_TOL, PARITY_GRAD_TOL,
};

use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Every device the suites run on: the CPU, and the GPU when an adapter exists
/// (see `tests/common/gpu.rs` for the skip-or-fail rule).
pub fn devices() -> Vec<Device> {
    let mut v = vec![Device::Cpu];
    v.extend(gpu::gpu_device());
    v
}

/// Run `body` on every device of [`devices`].
pub fn on_each_device(body: impl Fn(&Device)) {
    for d in devices() {
        body(&d);
    }
}

/// How much looser than the CPU's a device's tolerances are (its math functions may be
/// less exact than `libm`). A new backend must state its factor here.
pub fn tol_scale(device: &Device) -> f64 {
    match device {
        Device::Cpu => 1.0,
        // WGSL's exp, log, pow and division may be a few ulp less exact than libm's
        // (the WGSL spec allows up to 3 + 2|x| ulp for exp); sums may add in a
        // different (tree) order.
        Device::Gpu(_) => 4.0,
    }
}

/// The values of a tensor; a failed read is a test failure.
pub fn read(t: &Tensor) -> Vec<f32> {
    t.to_vec_blocking()
        .unwrap_or_else(|e| panic!("reading a tensor of shape {} failed: {e}", t.shape()))
}

// ----- seeded inputs -----

/// `n` values uniform in `[lo, hi)`.
pub fn uniform(rng: &mut Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| rng.range(lo, hi)).collect()
}

/// `n` values uniform in `[lo, hi)` but at least `margin` away from zero (kinks of
/// relu and abs sit there).
pub fn away_from_zero(rng: &mut Rng, n: usize, lo: f32, hi: f32, margin: f32) -> Vec<f32> {
    (0..n)
        .map(|_| loop {
            let v = rng.range(lo, hi);
            if v.abs() >= margin {
                break v;
            }
        })
        .collect()
}

/// `n` distinct values in `[lo, hi)`, pairwise at least `(hi - lo) / (2n)` apart, in
/// random order: no ties for max, whatever pairs broadcasting forms.
pub fn distinct(rng: &mut Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    let step = (hi - lo) / n as f32;
    let mut v: Vec<f32> = (0..n)
        .map(|i| lo + step * (i as f32 + 0.25 + 0.5 * rng.uniform()))
        .collect();
    rng.shuffle(&mut v);
    v
}

/// `n` values drawn from `choices` (to make ties and exact zeros likely).
pub fn grid(rng: &mut Rng, n: usize, choices: &[f32]) -> Vec<f32> {
    (0..n).map(|_| choices[rng.below(choices.len())]).collect()
}

/// `n` weights with random sign and magnitude in `[0.5, 1.5)`: every element matters.
pub fn weights(rng: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let m = rng.range(0.5, 1.5);
            if rng.below(2) == 0 {
                m
            } else {
                -m
            }
        })
        .collect()
}

/// Run `check` on every case; the messages of those that fail.
pub fn failures(cases: &[Case], check: impl FnMut(&Case) -> Result<(), String>) -> Vec<String> {
    cases.iter().map(check).filter_map(Result::err).collect()
}

/// Panic with every failure at once (so one run shows all broken ops), if any.
pub fn assert_no_failures(failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Run `check` on every case and panic with the list of every failure.
pub fn assert_all(cases: &[Case], check: impl FnMut(&Case) -> Result<(), String>) {
    assert_no_failures(&failures(cases, check), cases.len());
}

/// Every subset of `0..rank`, the empty one included.
pub fn axis_subsets(rank: usize) -> Vec<Vec<usize>> {
    (0..1usize << rank)
        .map(|m| (0..rank).filter(|a| m >> a & 1 == 1).collect())
        .collect()
}

/// Every permutation of `0..n`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in permutations(n - 1) {
        for pos in 0..n {
            let mut q = p.clone();
            q.insert(pos, n - 1);
            out.push(q);
        }
    }
    out
}
