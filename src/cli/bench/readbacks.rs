//! Device traffic per training step and per page refresh: dispatches, submits and
//! readbacks counted by the GPU backend's [`GpuStats`]. The refresh replays, natively,
//! the reads of the page's `refresh()` (src/ui/driver.rs): an evaluation (a history
//! point), the host copy of the training state, and the plots (decision-boundary grid
//! with every layer for the network view, regression curve, digits, weights).

use super::BenchReport;
use crate::backend::gpu::GpuStats;
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::experiment::{preset, BackendChoice, Runner};
use crate::platform::block_on;

/// Presets of the traffic rows: a 2-D classification (grid and network view), the
/// image set (digits view) and a 1-D regression (curve).
pub const TRAFFIC_PRESETS: [&str; 3] = ["spiral", "digits", "linear-regression"];

/// What one warm training step and one page refresh cost on the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Traffic {
    /// One warm training step.
    pub step: GpuStats,
    /// One refresh, recording a history point and taking the host copy.
    pub refresh: GpuStats,
    /// One refresh that neither records nor takes the host copy (plots only): most
    /// refreshes while training.
    pub plots_only: GpuStats,
}

/// A runner of preset `name` on `device`, trained a few steps so every cache is warm.
fn warm_runner(name: &str, device: &Device) -> Result<Runner> {
    let mut config =
        preset(name).ok_or_else(|| Error::Config(format!("no preset named '{name}'")))?;
    config.backend = BackendChoice::Gpu;
    let mut runner = Runner::new(config, device.clone())?;
    runner.train_steps(3)?;
    block_on(page_refresh(&mut runner, true, true))?;
    runner.train_steps(1)?;
    Ok(runner)
}

/// The page's refresh, natively: with `record`, [`Runner::refresh`] as the page's
/// `refresh()` calls it (the plots, the weights and an evaluation of this step in one
/// readback, plus the host copy of the optimizer state when `host_copy`: the page takes
/// it every few seconds while training); without, the plots alone.
pub async fn page_refresh(runner: &mut Runner, record: bool, host_copy: bool) -> Result<()> {
    if !record {
        // The plots alone (the history already has this step): what most refreshes
        // while training cost besides an evaluation.
        let points = runner.points_2d();
        runner.plots(points.as_ref(), None).await?;
        return Ok(());
    }
    let points = runner.points_2d();
    runner.refresh(points.as_ref(), host_copy).await?;
    Ok(())
}

/// Counts a warm step and a refresh of preset `name` on the GPU `device`.
pub fn traffic(name: &str, device: &Device) -> Result<Traffic> {
    let stats = || {
        device
            .gpu_stats()
            .ok_or_else(|| Error::Gpu("traffic rows need the GPU backend".into()))
    };
    let mut runner = warm_runner(name, device)?;
    let before = stats()?;
    runner.step()?;
    let step = stats()?.since(&before);
    let before = stats()?;
    block_on(page_refresh(&mut runner, true, true))?;
    let refresh = stats()?.since(&before);
    let before = stats()?;
    block_on(page_refresh(&mut runner, false, false))?;
    let plots_only = stats()?.since(&before);
    Ok(Traffic {
        step,
        refresh,
        plots_only,
    })
}

/// The traffic rows of every [`TRAFFIC_PRESETS`] entry.
pub(super) fn traffic_rows(report: &mut BenchReport, device: &Device) -> Result<()> {
    for name in TRAFFIC_PRESETS {
        let t = traffic(name, device)?;
        for (what, s) in [
            ("step", t.step),
            ("refresh", t.refresh),
            ("plots", t.plots_only),
        ] {
            report.push(
                "gpu",
                what,
                name,
                "dispatches",
                s.dispatches as f64,
                "count",
            );
            report.push("gpu", what, name, "submits", s.submits as f64, "count");
            report.push("gpu", what, name, "readbacks", s.readbacks as f64, "count");
        }
    }
    let note = "refresh = history point + host copy of the training state + plots (the page's refresh()); plots = the plots alone";
    report.notes.push(note.into());
    Ok(())
}

/// Dispatches of one warm training step of `config` on the GPU `device`, in all and per
/// kernel (most first): what the fused kernels cut, printed with the preset jobs.
pub fn step_dispatches(
    config: crate::experiment::ExperimentConfig,
    device: &Device,
) -> Result<(u64, Vec<(&'static str, u64)>)> {
    let (gpu, mut runner) = warm_gpu_run(config, device, "dispatch counts")?;
    let before = gpu.dispatches_by_kernel();
    runner.step()?;
    let step = gpu.dispatches_by_kernel().since(&before);
    Ok((step.total(), step.ranked()))
}

/// Device milliseconds of one warm training step of `config` on the GPU `device` by
/// kernel, each dispatch submitted and waited for alone (see
/// `backend::gpu::KernelTimes`): `(kernel, dispatches, ms)`, the longest first.
pub fn step_kernel_times(
    config: crate::experiment::ExperimentConfig,
    device: &Device,
) -> Result<Vec<(&'static str, u64, f64)>> {
    let (gpu, mut runner) = warm_gpu_run(config, device, "kernel times")?;
    gpu.set_kernel_timing(true);
    let before = gpu.kernel_times();
    let stepped = runner.step();
    gpu.set_kernel_timing(false);
    stepped?;
    Ok(gpu.kernel_times().since(&before).ranked())
}

/// A run of `config` on the GPU `device` after three steps (pipelines compiled, the
/// buffer pool filled), with its backend; `what` names what needs the GPU.
fn warm_gpu_run(
    mut config: crate::experiment::ExperimentConfig,
    device: &Device,
    what: &str,
) -> Result<(std::rc::Rc<crate::backend::gpu::GpuBackend>, Runner)> {
    let gpu = device
        .gpu_backend()
        .ok_or_else(|| Error::Gpu(format!("{what} need the GPU backend")))?
        .clone();
    config.backend = BackendChoice::Gpu;
    let mut runner = Runner::new(config, device.clone())?;
    runner.train_steps(3)?;
    Ok((gpu, runner))
}
