//! Shared helpers of the op-vocabulary suites: the device list, seeded inputs, and the
//! two generic checks every op goes through, [`check_forward`] (device against an f64
//! reference) and [`check_grad`] (autograd against f64 central finite differences).
//!
//! Every test body takes a `&Device` and runs once per entry of [`devices`]; adding a
//! backend is one line there.
#![allow(dead_code)] // each test crate uses a different subset of these helpers

pub mod gpu;
pub mod reference;

use gradlab::rng::Rng;
use gradlab::{Device, Tensor};
use reference::Ref;

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

// ----- cases -----

/// How an input takes part in a gradient check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Requires gradients, checked against finite differences.
    Diff,
    /// Requires gradients, but none may flow to it (masks, comparisons, indices).
    NoGrad,
    /// A plain constant.
    Const,
}

/// One input of a case: host values, shape and role.
#[derive(Clone, Debug)]
pub struct Input {
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
    /// Part in gradient checks.
    pub role: Role,
}

/// An input that gradients are checked for.
pub fn diff(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::Diff,
    }
}

/// An input that requires gradients but must receive none.
pub fn no_grad(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::NoGrad,
    }
}

/// A constant input.
pub fn constant(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::Const,
    }
}

type RunFn = Box<dyn Fn(&[Tensor]) -> Tensor>;
type RefFn = Box<dyn Fn(&[Ref]) -> Ref>;

/// One use of an op: inputs, the op through the tensor API, and its f64 reference.
pub struct Case {
    /// What is computed, e.g. `binary_add [3, 1] x [4]`.
    pub name: String,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// The op on device tensors.
    pub run: RunFn,
    /// The same op in f64.
    pub reference: RefFn,
    /// Forward tolerance: `|got - want| <= tol * max(1, |want|)` (times the device's
    /// [`tol_scale`]).
    pub tol: f64,
}

impl Case {
    /// A case with the elementwise tolerance [`TOL_ELEMENTWISE`].
    pub fn new(
        name: impl Into<String>,
        inputs: Vec<Input>,
        run: impl Fn(&[Tensor]) -> Tensor + 'static,
        reference: impl Fn(&[Ref]) -> Ref + 'static,
    ) -> Case {
        Case {
            name: name.into(),
            inputs,
            run: Box::new(run),
            reference: Box::new(reference),
            tol: TOL_ELEMENTWISE,
        }
    }

    /// A case with the forward tolerance `tol`.
    pub fn with_tol(
        tol: f64,
        name: impl Into<String>,
        inputs: Vec<Input>,
        run: impl Fn(&[Tensor]) -> Tensor + 'static,
        reference: impl Fn(&[Ref]) -> Ref + 'static,
    ) -> Case {
        Case {
            tol,
            ..Case::new(name, inputs, run, reference)
        }
    }

    fn refs(&self) -> Vec<Ref> {
        self.inputs
            .iter()
            .map(|i| Ref::from_f32(&i.dims, &i.data))
            .collect()
    }
}

/// Elementwise f32 results are within a few ulp of the exact value: 1e-6 (about 8 ulp).
pub const TOL_ELEMENTWISE: f64 = 1e-6;
/// Accumulations (sums, matmul) over up to ~100 terms: 1e-5.
pub const TOL_ACCUMULATE: f64 = 1e-5;
/// Movement ops copy values, so they must be exact.
pub const TOL_EXACT: f64 = 0.0;
/// Gradient check: `|autograd - fd| <= 1e-3 * max(1, |fd|)`, where fd is the central
/// difference (h = 1e-5) of the f64 reference; fd's own error is below 1e-9.
pub const GRAD_TOL: f64 = 1e-3;
/// Step of the central differences.
pub const FD_STEP: f64 = 1e-5;

/// The worst `|got - want| / max(1, |want|)` and where it is; an error if any value
/// exceeds `tol` or is not finite where the reference is.
pub fn compare(what: &str, got: &[f32], want: &[f64], tol: f64) -> Result<f64, String> {
    if got.len() != want.len() {
        return Err(format!(
            "{what}: {} values, reference has {}",
            got.len(),
            want.len()
        ));
    }
    let mut worst = (0.0f64, 0usize);
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        // Equal infinities (max over an empty axis) count as exact.
        let err = if g as f64 == w {
            0.0
        } else {
            (g as f64 - w).abs() / w.abs().max(1.0)
        };
        let err = if err.is_nan() { f64::INFINITY } else { err };
        if err > worst.0 || i == 0 {
            worst = (err, i);
        }
    }
    let (err, i) = worst;
    if err > tol {
        return Err(format!(
            "{what}: worst error {err:.3e} > tol {tol:.1e} (|got - want| / max(1, |want|)) \
             at element {i}: got {}, want {}",
            got[i], want[i]
        ));
    }
    Ok(err)
}

/// Run `case` on `device` and compare with its f64 reference (shape and values).
pub fn check_forward(device: &Device, case: &Case) -> Result<(), String> {
    let what = format!("{} on {}", case.name, device.label());
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| Tensor::from_slice(&i.data, &i.dims, device))
        .collect();
    let out = (case.run)(&xs);
    let want = (case.reference)(&case.refs());
    if out.dims() != want.dims.as_slice() {
        return Err(format!(
            "{what}: shape {:?}, reference {:?}",
            out.dims(),
            want.dims
        ));
    }
    compare(&what, &read(&out), &want.data, case.tol * tol_scale(device)).map(|_| ())
}

/// Gradient check of `case` on `device`: the gradient of `sum(op(inputs) * w)` (`w`
/// from [`weights`]) from `backward()` against central differences of the f64
/// reference, for every [`Role::Diff`] input; [`Role::NoGrad`] inputs must receive no
/// gradient (none in the store, or zeros).
pub fn check_grad(device: &Device, case: &Case, rng: &mut Rng) -> Result<(), String> {
    let what = format!("grad of {} on {}", case.name, device.label());
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| match i.role {
            Role::Diff | Role::NoGrad => Tensor::parameter(&i.data, &i.dims, device),
            Role::Const => Tensor::from_slice(&i.data, &i.dims, device),
        })
        .collect();
    let out = (case.run)(&xs);
    let w = weights(rng, out.numel());
    let loss = out
        .mul(&Tensor::from_slice(&w, out.dims(), device))
        .sum_all();
    let grads = loss.backward();

    let base = case.refs();
    // f(x) = sum(ref(x) * w), in f64.
    let f = |refs: &[Ref]| -> f64 {
        let y = (case.reference)(refs);
        y.data.iter().zip(&w).map(|(&y, &w)| y * w as f64).sum()
    };
    for (k, (input, x)) in case.inputs.iter().zip(&xs).enumerate() {
        match input.role {
            Role::Const => {}
            Role::NoGrad => {
                if let Some(g) = grads.get(x) {
                    let g = read(g);
                    if let Some(v) = g.iter().find(|v| **v != 0.0) {
                        return Err(format!("{what}: input {k} must get no gradient, got {v}"));
                    }
                }
            }
            Role::Diff => {
                let g = grads
                    .get(x)
                    .ok_or_else(|| format!("{what}: no gradient reached input {k}"))?;
                if g.dims() != input.dims.as_slice() {
                    return Err(format!(
                        "{what}: gradient of input {k} has shape {:?}, input {:?}",
                        g.dims(),
                        input.dims
                    ));
                }
                let mut refs = base.clone();
                let fd: Vec<f64> = (0..input.data.len())
                    .map(|j| {
                        let x0 = refs[k].data[j];
                        refs[k].data[j] = x0 + FD_STEP;
                        let up = f(&refs);
                        refs[k].data[j] = x0 - FD_STEP;
                        let down = f(&refs);
                        refs[k].data[j] = x0;
                        (up - down) / (2.0 * FD_STEP)
                    })
                    .collect();
                let tol = GRAD_TOL * tol_scale(device);
                compare(&format!("{what}, input {k}"), &read(g), &fd, tol)?;
            }
        }
    }
    Ok(())
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
