//! GPU rows: plain, tiled and register-blocked matmul (each validated first), per-dispatch overhead,
//! training steps/s, and the preset jobs (tokens/s, images/s, dispatches per step), on the
//! adapter `Device::gpu` opens.

use super::{
    check_matmul, peer_row, preset_row, time_matmul, train_steps_per_s, BenchReport, MAX_CHECKED_N,
    PEER_JOBS, PRESET_JOBS, TRAIN_PRESETS,
};
use crate::backend::gpu::MatmulKernel;
use crate::backend::Device;
use crate::cli::run::gpu_device;
use crate::error::{Error, Result};
use crate::op::UnaryOp;
use crate::platform::{block_on, now_ms};

/// Matrix sizes of the GPU matmul rows.
pub const GPU_MATMUL_SIZES: [usize; 5] = [128, 256, 512, 1024, 2048];
/// A GPU matmul size is skipped when one run is predicted (from the previous size's
/// rate) to take longer than this many seconds: software adapters need minutes for a
/// slow kernel on a big product.
const MAX_RUN_S: f64 = 20.0;
/// Dispatches recorded per timed submit in the overhead row.
const DISPATCH_CHAIN: usize = 256;

/// The GPU rows, or a note saying why there are none (an error instead when
/// `required`). A GPU that fails mid-way (a kernel that does not validate) keeps the
/// rows measured so far and returns the error.
pub(super) fn gpu_rows(report: &mut BenchReport, required: bool) -> Result<()> {
    let device = match gpu_device() {
        Ok(d) => d,
        Err(e) if required => return Err(Error::Gpu(e.message)),
        Err(e) => {
            report.notes.push(format!("no GPU rows: {}", e.message));
            return Ok(());
        }
    };
    let Some(gpu) = device.gpu_backend().cloned() else {
        return Ok(());
    };
    report.gpu_adapter = Some(adapter_line(
        &gpu.info().label(),
        &gpu.info().backend,
        &gpu.info().device_type,
    ));
    gpu.warm_up();
    for (kernel, variant) in [
        (MatmulKernel::Plain, "plain"),
        (MatmulKernel::Tiled, "tiled"),
        (MatmulKernel::Register, "register"),
    ] {
        gpu.set_matmul_kernel(kernel);
        let timed = matmul_rows(&device, variant, report);
        gpu.set_matmul_kernel(MatmulKernel::Auto);
        timed?;
    }
    let us = dispatch_overhead_us(&device)?;
    report.push(
        "gpu",
        "dispatch",
        &format!("{DISPATCH_CHAIN} in 1 submit"),
        "unary",
        us,
        "us",
    );
    for name in TRAIN_PRESETS {
        let (batch, rate) = train_steps_per_s(name, &device)?;
        report.push(
            "gpu",
            "train",
            name,
            &format!("batch {batch}"),
            rate,
            "steps/s",
        );
    }
    for job in PEER_JOBS {
        peer_row(report, &job, &device)?;
    }
    // The GPT and the CNN, each with its dispatches per warm step (by kernel in a note).
    for job in PRESET_JOBS {
        preset_row(report, &job, &device)?;
    }
    super::readbacks::traffic_rows(report, &device)?;
    report
        .notes
        .push("GPU matmul rows: each kernel validated against an f64 product first".into());
    Ok(())
}

/// Open the GPU (an error when there is none), warm it up and name its adapter in the
/// report.
pub(super) fn open(report: &mut BenchReport) -> Result<Device> {
    let device = gpu_device().map_err(|e| Error::Gpu(e.message))?;
    if let Some(gpu) = device.gpu_backend() {
        report.gpu_adapter = Some(adapter_line(
            &gpu.info().label(),
            &gpu.info().backend,
            &gpu.info().device_type,
        ));
        gpu.warm_up();
    }
    Ok(device)
}

/// Validate the kernel in use, then time it at each size until a run would be too slow.
fn matmul_rows(device: &Device, variant: &str, report: &mut BenchReport) -> Result<()> {
    check_matmul(device)?;
    let mut rate = f64::INFINITY;
    for n in GPU_MATMUL_SIZES {
        let predicted_s = 2.0 * (n as f64).powi(3) / (rate * 1e9);
        if predicted_s > MAX_RUN_S {
            report.notes.push(format!(
                "gpu matmul {variant} n={n} skipped: one run would take about {predicted_s:.0} s"
            ));
            break;
        }
        rate = time_matmul(device, n, n <= MAX_CHECKED_N)?;
        report.push("gpu", "matmul", &format!("n={n}"), variant, rate, "GFLOP/s");
    }
    Ok(())
}

fn adapter_line(name: &str, api: &str, kind: &str) -> String {
    format!("{name} ({api}, {kind})")
}

/// Microseconds per dispatch: a chain of [`DISPATCH_CHAIN`] tiny unary ops recorded
/// into one submit and waited for, best of five.
pub fn dispatch_overhead_us(device: &Device) -> Result<f64> {
    let x = device.upload(&[1.0; 64]);
    let mut best = f64::INFINITY;
    for _ in 0..6 {
        let t0 = now_ms();
        let mut y = device.unary(UnaryOp::Neg, &x, 64);
        for _ in 1..DISPATCH_CHAIN {
            y = device.unary(UnaryOp::Neg, &y, 64);
        }
        device.flush();
        let back = block_on(device.read(&y, 1))?;
        // An even number of negations gives back the input.
        let expected = if DISPATCH_CHAIN.is_multiple_of(2) {
            1.0
        } else {
            -1.0
        };
        if back != [expected] {
            return Err(Error::Format(format!(
                "dispatch chain gave {back:?}, not [{expected}]"
            )));
        }
        best = best.min(now_ms() - t0);
    }
    Ok(best * 1000.0 / DISPATCH_CHAIN as f64)
}
