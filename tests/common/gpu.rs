//! The GPU test device. Every GPU test gets its device from [`gpu_device`]: without an
//! adapter it prints a loud `SKIPPED` line and returns `None`, unless the environment
//! sets `GRADLAB_REQUIRE_GPU=1` (CI does), in which case it fails the test instead.

use gradlab::Device;
use std::cell::OnceCell;
use std::mem::ManuallyDrop;

thread_local! {
    // One device per test thread: `Device` is `Rc`-based (wgpu is !Send on the web) and
    // opening a device costs tens of milliseconds. It is never dropped: wgpu-core's
    // debug lock tracing uses a thread-local of its own, which is already gone when
    // thread-local destructors run, so dropping a device there aborts the test binary.
    static GPU: OnceCell<ManuallyDrop<Option<Device>>> = const { OnceCell::new() };
}

/// Whether the environment demands a GPU (`GRADLAB_REQUIRE_GPU=1`).
pub fn gpu_required() -> bool {
    std::env::var("GRADLAB_REQUIRE_GPU").is_ok_and(|v| v == "1")
}

/// The GPU device, or `None` (with a loud message) when no adapter exists. Panics when
/// `GRADLAB_REQUIRE_GPU=1` and there is no adapter.
pub fn gpu_device() -> Option<Device> {
    GPU.with(|cell| {
        let device = cell.get_or_init(|| {
            ManuallyDrop::new(match Device::gpu() {
                Ok(d) => Some(d),
                Err(e) => {
                    assert!(
                        !gpu_required(),
                        "GRADLAB_REQUIRE_GPU=1 but no GPU device could be opened: {e}"
                    );
                    // Straight to the stderr handle: libtest captures `eprintln!` of
                    // passing tests, and this notice must be seen.
                    let _ = std::io::Write::write_all(
                        &mut std::io::stderr(),
                        format!(
                            "\n==========================================================\n\
                         SKIPPED: no GPU adapter ({e}).\n\
                         GPU tests did not run. Install mesa-vulkan-drivers (lavapipe)\n\
                         or set GRADLAB_REQUIRE_GPU=1 to make this a failure.\n\
                         ==========================================================\n"
                        )
                        .as_bytes(),
                    );
                    None
                }
            })
        });
        Option::clone(device)
    })
}

// ----- GPU against CPU parity -----

use gradlab::rng::Rng;
use gradlab::Tensor;

/// One input of a parity case.
#[derive(Clone, Debug)]
pub struct PInput {
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
    /// Whether it requires gradients (its gradient is compared too).
    pub grad: bool,
}

/// An input whose gradient is compared.
pub fn var(dims: &[usize], data: Vec<f32>) -> PInput {
    PInput {
        dims: dims.to_vec(),
        data,
        grad: true,
    }
}

/// A constant input (indices, masks).
pub fn cst(dims: &[usize], data: Vec<f32>) -> PInput {
    PInput {
        dims: dims.to_vec(),
        data,
        grad: false,
    }
}

type RunFn = Box<dyn Fn(&[Tensor]) -> Tensor>;

/// An op applied to inputs, run on both devices.
pub struct PCase {
    /// What is computed.
    pub name: String,
    /// The inputs.
    pub inputs: Vec<PInput>,
    /// The op through the tensor API.
    pub run: RunFn,
    /// For accumulations: the magnitude each output is accumulated from (the op applied
    /// to `|inputs|`, e.g. sum |x| or |A| @ |B|), which bounds the rounding error of any
    /// summation order. Errors are taken relative to `max(1, magnitude)` then, not to
    /// the (possibly cancelled) result.
    pub magnitude: Option<RunFn>,
}

impl PCase {
    /// A case.
    pub fn new(
        name: impl Into<String>,
        inputs: Vec<PInput>,
        run: impl Fn(&[Tensor]) -> Tensor + 'static,
    ) -> PCase {
        PCase {
            name: name.into(),
            inputs,
            run: Box::new(run),
            magnitude: None,
        }
    }

    /// The same case whose forward error is taken relative to `magnitude(|inputs|)`.
    pub fn accumulating(mut self, magnitude: impl Fn(&[Tensor]) -> Tensor + 'static) -> PCase {
        self.magnitude = Some(Box::new(magnitude));
        self
    }
}

/// The worst `|gpu - cpu| / max(1, scale)` (NaN matching NaN and equal infinities count
/// as exact), and where it is.
pub fn worst_error(gpu: &[f32], cpu: &[f32], scale: impl Fn(usize) -> f64) -> (f64, usize) {
    let mut worst = (0.0, 0);
    for (i, (&g, &c)) in gpu.iter().zip(cpu).enumerate() {
        let err = if (g.is_nan() && c.is_nan()) || g == c {
            0.0
        } else {
            let e = (g as f64 - c as f64).abs() / scale(i).max(1.0);
            if e.is_nan() {
                f64::INFINITY
            } else {
                e
            }
        };
        if err > worst.0 {
            worst = (err, i);
        }
    }
    worst
}

fn check_values(
    what: &str,
    gpu: &[f32],
    cpu: &[f32],
    tol: f64,
    (scale, scale_name): (&dyn Fn(usize) -> f64, &str),
) -> Result<f64, String> {
    if gpu.len() != cpu.len() {
        return Err(format!(
            "{what}: {} values on the GPU, {} on the CPU",
            gpu.len(),
            cpu.len()
        ));
    }
    let (err, i) = worst_error(gpu, cpu, scale);
    if err > tol {
        return Err(format!(
            "{what}: worst error {err:.3e} > tol {tol:.1e} (|gpu - cpu| / max(1, {scale_name})) \
             at element {i}: gpu {}, cpu {}",
            gpu[i], cpu[i]
        ));
    }
    Ok(err)
}

/// Values of a tensor (a failed read fails the test).
pub fn values(t: &Tensor) -> Vec<f32> {
    t.to_vec_blocking()
        .unwrap_or_else(|e| panic!("reading a tensor of shape {} failed: {e}", t.shape()))
}

/// Output values and the gradients of `sum(out * w)` for each input that requires them.
fn evaluate(
    device: &Device,
    case: &PCase,
    w: &[f32],
) -> (Vec<usize>, Vec<f32>, Vec<Option<Vec<f32>>>) {
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| {
            if i.grad {
                Tensor::parameter(&i.data, &i.dims, device)
            } else {
                Tensor::from_slice(&i.data, &i.dims, device)
            }
        })
        .collect();
    let out = (case.run)(&xs);
    let loss = out
        .mul(&Tensor::from_slice(&w[..out.numel()], out.dims(), device))
        .sum_all();
    let grads = loss.backward();
    let g = xs
        .iter()
        .zip(&case.inputs)
        .map(|(x, i)| {
            if i.grad {
                grads.get(x).map(values)
            } else {
                None
            }
        })
        .collect();
    (out.dims().to_vec(), values(&out), g)
}

/// Run `case` on the CPU and on `gpu`. Forward values agree within `tol` relative to
/// `max(1, |cpu|)` elementwise (or to the case's accumulation magnitude); gradients
/// within `grad_tol` relative to `max(1, max |cpu gradient|)` (normwise: a gradient is
/// a chain of accumulations). Returns the worst errors (forward, gradient).
pub fn check_parity(
    gpu: &Device,
    case: &PCase,
    tol: f64,
    grad_tol: f64,
    rng: &mut Rng,
) -> Result<(f64, f64), String> {
    let w: Vec<f32> = (0..case_len(case)).map(|_| rng.range(-1.5, 1.5)).collect();
    let (cdims, cval, cgrad) = evaluate(&Device::Cpu, case, &w);
    let (gdims, gval, ggrad) = evaluate(gpu, case, &w);
    if cdims != gdims {
        return Err(format!(
            "{}: shape {gdims:?} on the GPU, {cdims:?} on the CPU",
            case.name
        ));
    }
    let fwd = match &case.magnitude {
        Some(mag) => {
            let m = magnitude(case, mag);
            let scale = |i: usize| m[i] as f64;
            check_values(
                &format!("{} forward", case.name),
                &gval,
                &cval,
                tol,
                (&scale, "magnitude"),
            )?
        }
        None => {
            let scale = |i: usize| (cval[i] as f64).abs();
            check_values(
                &format!("{} forward", case.name),
                &gval,
                &cval,
                tol,
                (&scale, "|cpu|"),
            )?
        }
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

/// The accumulation magnitude of `case`: `mag` on the absolute inputs, on the CPU.
fn magnitude(case: &PCase, mag: &RunFn) -> Vec<f32> {
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| {
            let abs: Vec<f32> = i.data.iter().map(|v| v.abs()).collect();
            Tensor::from_slice(&abs, &i.dims, &Device::Cpu)
        })
        .collect();
    values(&mag(&xs))
}

/// The output size of `case` (run on the CPU, to size the loss weights).
fn case_len(case: &PCase) -> usize {
    let xs: Vec<Tensor> = case
        .inputs
        .iter()
        .map(|i| Tensor::from_slice(&i.data, &i.dims, &Device::Cpu))
        .collect();
    (case.run)(&xs).numel()
}
