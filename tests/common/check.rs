//! The three checks every [`Case`] goes through, one helper each (tinygrad's
//! `helper_test_op`): [`check_forward`] (a device against the f64 reference),
//! [`check_grad`] (autograd against f64 central finite differences) and
//! [`check_gpu_parity`] (the GPU against the CPU backend, forward and gradients).

use super::case::{Case, Input, Role, RunFn};
use super::reference::Ref;
use super::{read, tol_scale, weights};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Gradient check: `|autograd - fd| <= 1e-3 * max(1, |fd|)`, where fd is the central
/// difference (h = 1e-5) of the f64 reference; fd's own error is below 1e-9.
pub const GRAD_TOL: f64 = 1e-3;
/// Step of the central differences.
pub const FD_STEP: f64 = 1e-5;
/// GPU parity of gradients (chains of elementwise ops and accumulations), relative to
/// `max(1, max |cpu gradient|)`.
pub const PARITY_GRAD_TOL: f64 = 5e-5;

/// The worst `|got - want| / max(1, |want|)` and where it is; an error if any value
/// exceeds `tol`, or is NaN or infinite where the reference is not (or the reverse).
pub fn compare(what: &str, got: &[f32], want: &[f64], tol: f64) -> Result<f64, String> {
    let scale = |i: usize| want[i].abs();
    compare_scaled(what, (got, want), ("got", "want"), tol, (&scale, "|want|"))
}

/// [`compare`] with each error relative to `max(1, scale(i))` instead, and the two sides
/// named in its messages by `names`.
fn compare_scaled(
    what: &str,
    (got, want): (&[f32], &[f64]),
    (got_name, want_name): (&str, &str),
    tol: f64,
    (scale, scale_name): (&dyn Fn(usize) -> f64, &str),
) -> Result<f64, String> {
    if got.len() != want.len() {
        return Err(format!(
            "{what}: {} values ({got_name}), {} ({want_name})",
            got.len(),
            want.len()
        ));
    }
    let (err, i) = worst_of(got.iter().zip(want).map(|(&g, &w)| (g as f64, w)), scale);
    if err > tol {
        return Err(format!(
            "{what}: worst error {err:.3e} > tol {tol:.1e} \
             (|{got_name} - {want_name}| / max(1, {scale_name})) at element {i}: \
             {got_name} {}, {want_name} {}",
            got[i], want[i]
        ));
    }
    Ok(err)
}

/// The worst `|got - want| / max(1, scale(i))` over `(got, want)` pairs and where it
/// is. Equal values (infinities too) and NaN against NaN count as exact; any other NaN
/// as an infinite error.
fn worst_of(pairs: impl Iterator<Item = (f64, f64)>, scale: impl Fn(usize) -> f64) -> (f64, usize) {
    let mut worst = (0.0, 0);
    for (i, (g, w)) in pairs.enumerate() {
        let err = if g == w || (g.is_nan() && w.is_nan()) {
            0.0
        } else {
            (g - w).abs() / scale(i).max(1.0)
        };
        let err = if err.is_nan() { f64::INFINITY } else { err };
        if err > worst.0 {
            worst = (err, i);
        }
    }
    worst
}

fn tensors(inputs: &[Input], device: &Device) -> Vec<Tensor> {
    inputs.iter().map(|i| i.tensor(device)).collect()
}

/// Run `case` on `device` (inputs as constants) and compare with its f64 reference
/// (shape and values) within `case.tol.forward` times the device's `tol_scale`.
pub fn check_forward(device: &Device, case: &Case) -> Result<(), String> {
    let what = format!("{} on {}", case.name, device.label());
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| Tensor::from_slice(&i.data, &i.dims, device))
        .collect();
    let out = (case.run)(&xs);
    let want = case.reference_of(&case.refs())?;
    if out.dims() != want.dims.as_slice() {
        return Err(format!(
            "{what}: shape {:?}, reference {:?}",
            out.dims(),
            want.dims
        ));
    }
    let tol = case.tol.forward * tol_scale(device);
    match &case.magnitude {
        // A sum's rounding scales with the sum of the magnitudes it adds, not with its
        // result (1,000 values of both signs can sum to about 1 with an error far above
        // 1e-5 of it): relative to `max(1, magnitude)`, as GPU parity is.
        Some(mag) => {
            let m = magnitude(case, mag);
            let scale = |i: usize| m[i] as f64;
            compare_scaled(
                &what,
                (&read(&out), &want.data),
                ("got", "want"),
                tol,
                (&scale, "magnitude"),
            )
        }
        None => compare(&what, &read(&out), &want.data, tol),
    }
    .map(|_| ())
}

/// Gradient check of `case` on `device`: the gradient of `sum(op(inputs) * w)` (`w`
/// from [`weights`]) from `backward()` against central differences of the f64
/// reference, for every [`Role::Diff`] input; [`Role::NoGrad`] inputs must receive no
/// gradient (none in the store, or zeros). The caller decides whether the case's
/// domain allows it (see [`super::case::Domain`]).
pub fn check_grad(device: &Device, case: &Case, rng: &mut Rng) -> Result<(), String> {
    let what = format!("grad of {} on {}", case.name, device.label());
    let base = case.refs();
    case.reference_of(&base)?;
    let xs = tensors(&case.inputs, device);
    let out = (case.run)(&xs);
    let w = weights(rng, out.numel());
    let loss = out
        .mul(&Tensor::from_slice(&w, out.dims(), device))
        .sum_all();
    let grads = loss.backward();

    // f(x) = sum(ref(x) * w), in f64.
    let f = |refs: &[Ref]| -> f64 {
        let y = case.reference_of(refs).expect("checked above");
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

/// The worst `|gpu - cpu| / max(1, scale)` (NaN matching NaN and equal infinities count
/// as exact), and where it is.
pub fn worst_error(gpu: &[f32], cpu: &[f32], scale: impl Fn(usize) -> f64) -> (f64, usize) {
    worst_of(
        gpu.iter().zip(cpu).map(|(&g, &c)| (g as f64, c as f64)),
        scale,
    )
}

/// The GPU's values against the CPU's (see [`compare_scaled`]).
fn check_values(
    what: &str,
    gpu: &[f32],
    cpu: &[f32],
    tol: f64,
    scale: (&dyn Fn(usize) -> f64, &str),
) -> Result<f64, String> {
    let cpu: Vec<f64> = cpu.iter().map(|&c| c as f64).collect();
    compare_scaled(what, (gpu, &cpu), ("gpu", "cpu"), tol, scale)
}

/// Output dims, values and the gradients of `sum(out * w)` for each input that requires
/// them (`None` where none reached it).
type Evaluation = (Vec<usize>, Vec<f32>, Vec<Option<Vec<f32>>>);

fn evaluate(device: &Device, case: &Case, w: &[f32]) -> Evaluation {
    let xs = tensors(&case.inputs, device);
    let out = (case.run)(&xs);
    let loss = out
        .mul(&Tensor::from_slice(&w[..out.numel()], out.dims(), device))
        .sum_all();
    let grads = loss.backward();
    let g = xs
        .iter()
        .zip(&case.inputs)
        .map(|(x, i)| match i.role {
            Role::Diff | Role::NoGrad => grads.get(x).map(read),
            Role::Const => None,
        })
        .collect();
    (out.dims().to_vec(), read(&out), g)
}

/// [`check_gpu_parity`] with explicit tolerances (forward, gradient).
pub fn check_parity_within(
    gpu: &Device,
    case: &Case,
    tol: f64,
    grad_tol: f64,
    rng: &mut Rng,
) -> Result<(f64, f64), String> {
    let cpu_inputs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| Tensor::from_slice(&i.data, &i.dims, &Device::Cpu))
        .collect();
    let len = (case.run)(&cpu_inputs).numel();
    let w: Vec<f32> = (0..len).map(|_| rng.range(-1.5, 1.5)).collect();
    let (cdims, cval, cgrad) = evaluate(&Device::Cpu, case, &w);
    let (gdims, gval, ggrad) = evaluate(gpu, case, &w);
    if cdims != gdims {
        return Err(format!(
            "{}: shape {gdims:?} on the GPU, {cdims:?} on the CPU",
            case.name
        ));
    }
    let what = format!("{} forward", case.name);
    let fwd = if let Some(mag) = &case.magnitude {
        let m = magnitude(case, mag);
        let scale = |i: usize| m[i] as f64;
        check_values(&what, &gval, &cval, tol, (&scale, "magnitude"))?
    } else {
        let scale = |i: usize| (cval[i] as f64).abs();
        check_values(&what, &gval, &cval, tol, (&scale, "|cpu|"))?
    };
    let mut worst_grad = 0.0f64;
    for (k, (c, g)) in cgrad.iter().zip(&ggrad).enumerate() {
        match (c, g) {
            (Some(c), Some(g)) => {
                let what = format!("{} gradient of input {k}", case.name);
                let norm = c.iter().fold(0.0f64, |m, v| m.max((*v as f64).abs()));
                let scale = |_: usize| norm;
                let e = check_values(&what, g, c, grad_tol, (&scale, "max |cpu|"))?;
                worst_grad = worst_grad.max(e);
            }
            (None, None) => {}
            _ => {
                return Err(format!(
                    "{}: input {k} has a gradient on one device only (cpu {}, gpu {})",
                    case.name,
                    c.is_some(),
                    g.is_some()
                ))
            }
        }
    }
    Ok((fwd, worst_grad))
}

/// Run `case` on the CPU and on `gpu`. Forward values agree within `case.tol.parity`
/// relative to `max(1, |cpu|)` elementwise (or to the accumulation magnitude of an
/// accumulating case); gradients of the inputs that require them within
/// [`PARITY_GRAD_TOL`] relative to `max(1, max |cpu gradient|)` (normwise: a gradient
/// is a chain of accumulations), and reach the same inputs on both devices. Returns the
/// worst errors (forward, gradient).
pub fn check_gpu_parity(gpu: &Device, case: &Case, rng: &mut Rng) -> Result<(f64, f64), String> {
    check_parity_within(gpu, case, case.tol.parity, PARITY_GRAD_TOL, rng)
}

/// The accumulation magnitude of `case`: `mag` on the absolute inputs, on the CPU.
fn magnitude(case: &Case, mag: &RunFn) -> Vec<f32> {
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| {
            let abs: Vec<f32> = i.data.iter().map(|v| v.abs()).collect();
            Tensor::from_slice(&abs, &i.dims, &Device::Cpu)
        })
        .collect();
    read(&mag(&xs))
}
