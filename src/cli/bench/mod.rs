//! `gradlab bench`: throughput tables, llm.c style: every matmul variant is validated
//! against a naive f64 product before it is timed, timings take the best of several
//! repetitions, and the rows are plain data so each backend adds its own.
//!
//! Rows: CPU matmul GFLOP/s (n = 128 ... 1024), training steps/s of the `spiral`
//! and `digits` presets, and the peer jobs (the MLPs in steps/s, the GPT and the CNN of
//! [`preset_jobs`] in tokens/s and images/s); GPU rows ([`gpu`]: plain and tiled
//! matmul, dispatch overhead, training) when an adapter is available.

mod gpu;
mod matmul;
mod peers;
mod preset_jobs;
mod readbacks;

pub use gpu::{dispatch_overhead_us, GPU_MATMUL_SIZES};
pub use matmul::{check_matmul, time_matmul};
pub use peers::{peer_config, peer_job, PeerJob, PEER_JOBS};
pub use preset_jobs::{preset_job, preset_job_config, PresetJob, RateUnit, PRESET_JOBS};
pub use readbacks::{page_refresh, step_dispatches, traffic, Traffic, TRAFFIC_PRESETS};

use super::{print_out, BenchArgs, CliError};
use crate::backend::Device;
use crate::error::{Error, Result};
use crate::experiment::{preset, BackendChoice, ExperimentConfig, Runner};
use crate::platform::{block_on, now_ms};
use serde::Serialize;
use std::fmt::Write as _;

/// One measured number.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchRow {
    /// `cpu` or `gpu`.
    pub backend: String,
    /// What was measured: `matmul`, `train`, `dispatch`.
    pub bench: String,
    /// The problem: `n=512`, a preset name.
    pub size: String,
    /// The kernel or setting: `blocked`, `plain`, `tiled`, `batch 10`.
    pub variant: String,
    /// The measurement.
    pub value: f64,
    /// Its unit: `GFLOP/s`, `steps/s`, `us`.
    pub unit: String,
}

/// Everything `gradlab bench` prints.
#[derive(Clone, Debug, Default, Serialize)]
pub struct BenchReport {
    /// Build profile and target, e.g. `release, x86_64`.
    pub build: String,
    /// The GPU adapter measured, if any.
    pub gpu_adapter: Option<String>,
    /// The measurements.
    pub rows: Vec<BenchRow>,
    /// Remarks (skipped rows, caveats).
    pub notes: Vec<String>,
    /// A measurement failed (its note says which); the command then exits with 1.
    pub failed: bool,
}

impl BenchReport {
    /// Append a row: backend, bench, size, variant, value, unit.
    pub fn push(
        &mut self,
        backend: &str,
        bench: &str,
        size: &str,
        variant: &str,
        value: f64,
        unit: &str,
    ) {
        self.rows.push(BenchRow {
            backend: backend.into(),
            bench: bench.into(),
            size: size.into(),
            variant: variant.into(),
            value,
            unit: unit.into(),
        });
    }
}

/// Matrix sizes of the CPU matmul rows.
pub const CPU_MATMUL_SIZES: [usize; 4] = [128, 256, 512, 1024];
/// Largest size whose timed result is also checked against the naive product.
pub const MAX_CHECKED_N: usize = 512;
/// Presets of the training rows.
pub const TRAIN_PRESETS: [&str; 2] = ["spiral", "digits"];

/// Run the benchmark and print it as a table or JSON.
pub fn bench(args: &BenchArgs) -> std::result::Result<(), CliError> {
    let report = match &args.job {
        Some(name) => one_job(name, args.backend)?,
        None => collect(args.backend)?,
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report)
            .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))?;
        print_out(text + "\n")?;
    } else {
        print_out(table(&report))?;
    }
    if report.failed {
        return Err(CliError::failed("a benchmark failed (see the notes)"));
    }
    Ok(())
}

/// Measure the rows `backend` asks for: `cpu` or `gpu` only, or `auto` (CPU rows, and
/// GPU rows when an adapter exists). GPU failures are noted in the report and mark it
/// failed (so is a missing GPU when `gpu` was asked for).
pub fn collect(backend: BackendChoice) -> Result<BenchReport> {
    let mut report = header();
    if backend != BackendChoice::Gpu {
        cpu_rows(&mut report)?;
    }
    if backend != BackendChoice::Cpu {
        if let Err(e) = gpu::gpu_rows(&mut report, backend == BackendChoice::Gpu) {
            report.notes.push(format!("GPU rows stopped: {e}"));
            report.failed = true;
        }
    }
    Ok(report)
}

/// An empty report naming the build (with a note when it is a debug build).
fn header() -> BenchReport {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let mut report = BenchReport {
        build: format!("{profile}, {}", std::env::consts::ARCH),
        ..BenchReport::default()
    };
    if cfg!(debug_assertions) {
        let note = "debug build: run `cargo run --release -- bench` for real numbers";
        report.notes.push(note.into());
    }
    report
}

/// The report of one peer job on the CPU (or the GPU for `--backend gpu`).
fn one_job(name: &str, backend: BackendChoice) -> Result<BenchReport> {
    if let Some(n) = matmul_job(name) {
        let mut report = header();
        let device = if backend == BackendChoice::Gpu {
            gpu::open(&mut report)?
        } else {
            Device::Cpu
        };
        check_matmul(&device)?;
        let gflops = time_matmul(&device, n, n <= MAX_CHECKED_N)?;
        let side = if device.is_cpu() { "cpu" } else { "gpu" };
        report.push(
            side,
            "matmul",
            &format!("n={n}"),
            "default",
            gflops,
            "GFLOP/s",
        );
        return Ok(report);
    }
    // The name is checked before a GPU is opened for it.
    let preset = preset_job(name);
    let peer = match preset {
        Some(_) => None,
        None => Some(peer_job(name)?),
    };
    let mut report = header();
    let device = if backend == BackendChoice::Gpu {
        gpu::open(&mut report)?
    } else {
        Device::Cpu
    };
    if let Some(job) = preset {
        preset_row(&mut report, &job, &device)?;
    } else if let Some(job) = peer {
        peer_row(&mut report, &job, &device)?;
    }
    Ok(report)
}

/// The size of a matmul job's square product: `matmul-256` and `matmul-1024`.
fn matmul_job(name: &str) -> Option<usize> {
    match name {
        "matmul-256" => Some(256),
        "matmul-1024" => Some(1024),
        _ => None,
    }
}

/// Time a peer job on `device` and add its row.
pub(crate) fn peer_row(report: &mut BenchReport, job: &PeerJob, device: &Device) -> Result<()> {
    let (batch, rate) = config_steps_per_s(peer_config(job), device)?;
    let backend = if device.is_cpu() { "cpu" } else { "gpu" };
    let size = format!("{} {}", job.name, job.shape);
    report.push(
        backend,
        "peer",
        &size,
        &format!("batch {batch}"),
        rate,
        "steps/s",
    );
    Ok(())
}

/// Time a preset job on `device` and add its row, in the job's unit (tokens/s, images/s).
pub(crate) fn preset_row(report: &mut BenchReport, job: &PresetJob, device: &Device) -> Result<()> {
    let config = preset_job_config(job)?;
    let per_step = job.unit.per_step(&config);
    let (batch, steps_per_s) = config_steps_per_s(config, device)?;
    let backend = if device.is_cpu() { "cpu" } else { "gpu" };
    let size = format!("{} {}", job.name, job.shape);
    let rate = steps_per_s * per_step as f64;
    let variant = format!("batch {batch}");
    report.push(backend, "peer", &size, &variant, rate, job.unit.label());
    if device.is_gpu() {
        let (total, by_kernel) = readbacks::step_dispatches(preset_job_config(job)?, device)?;
        report.push("gpu", "step", &size, "dispatches", total as f64, "count");
        let kernels: Vec<String> = by_kernel.iter().map(|(k, n)| format!("{k} {n}")).collect();
        report.notes.push(format!(
            "{}: one warm step's {total} dispatches by kernel: {}",
            job.name,
            kernels.join(", ")
        ));
        let times = readbacks::step_kernel_times(preset_job_config(job)?, device)?;
        let all: f64 = times.iter().map(|t| t.2).sum();
        let shares: Vec<String> = times
            .iter()
            .take(8)
            .map(|(k, n, ms)| format!("{k} {:.0}% ({n}, {ms:.1} ms)", 100.0 * ms / all))
            .collect();
        report.notes.push(format!(
            "{}: one warm step's device time by kernel, each dispatch waited for alone ({all:.1} ms in all): {}",
            job.name,
            shares.join(", ")
        ));
    }
    Ok(())
}

/// CPU matmul (validated first) and training rows.
fn cpu_rows(report: &mut BenchReport) -> Result<()> {
    let cpu = Device::Cpu;
    check_matmul(&cpu)?;
    for n in CPU_MATMUL_SIZES {
        let gflops = time_matmul(&cpu, n, n <= MAX_CHECKED_N)?;
        report.push(
            "cpu",
            "matmul",
            &format!("n={n}"),
            "blocked",
            gflops,
            "GFLOP/s",
        );
    }
    for name in TRAIN_PRESETS {
        let (batch, rate) = train_steps_per_s(name, &cpu)?;
        report.push(
            "cpu",
            "train",
            name,
            &format!("batch {batch}"),
            rate,
            "steps/s",
        );
    }
    for job in PEER_JOBS {
        peer_row(report, &job, &cpu)?;
    }
    for job in PRESET_JOBS {
        preset_row(report, &job, &cpu)?;
    }
    let note = format!(
        "CPU backend: matmul kernel {}, up to {} threads (GRADLAB_THREADS), fixed accumulation order",
        crate::backend::cpu::matmul_kernel_name(),
        crate::backend::cpu::max_threads()
    );
    report.notes.push(note);
    Ok(())
}

/// The rows as an aligned text table, then the notes.
pub fn table(r: &BenchReport) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "gradlab bench ({})", r.build);
    if let Some(a) = &r.gpu_adapter {
        let _ = writeln!(t, "GPU adapter: {a}");
    }
    let _ = writeln!(
        t,
        "{:8} {:9} {:15} {:10} {:>12}  unit",
        "backend", "bench", "size", "variant", "value"
    );
    for x in &r.rows {
        let _ = writeln!(
            t,
            "{:8} {:9} {:15} {:10} {:>12.2}  {}",
            x.backend, x.bench, x.size, x.variant, x.value, x.unit
        );
    }
    for n in &r.notes {
        let _ = writeln!(t, "note: {n}");
    }
    t
}

/// Training steps per second of a preset on `device` (and the preset's batch size):
/// ten warm-up steps, then steps for about a second, ending with a read-back of the
/// weights so queued device work is counted.
pub fn train_steps_per_s(name: &str, device: &Device) -> Result<(usize, f64)> {
    let config = preset(name).ok_or_else(|| Error::Config(format!("no preset named '{name}'")))?;
    config_steps_per_s(config, device)
}

/// Training steps per second of `config` on `device` (and its batch size), measured as
/// [`train_steps_per_s`] does.
pub fn config_steps_per_s(mut config: ExperimentConfig, device: &Device) -> Result<(usize, f64)> {
    config.backend = if device.is_cpu() {
        BackendChoice::Cpu
    } else {
        BackendChoice::Gpu
    };
    let batch = config.batch_size;
    let mut runner = Runner::new(config, device.clone())?;
    runner.train_steps(10)?;
    block_on(runner.weights())?;
    let t0 = now_ms();
    let mut steps = 0u64;
    while steps < 20 || now_ms() - t0 < 1000.0 {
        runner.train_steps(10)?;
        steps += 10;
    }
    block_on(runner.weights())?;
    let seconds = (now_ms() - t0) / 1000.0;
    Ok((batch, steps as f64 / seconds.max(1e-9)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_one_line_per_row_and_note() {
        let mut r = BenchReport {
            build: "test".into(),
            ..BenchReport::default()
        };
        r.push("cpu", "matmul", "n=8", "blocked", 1.5, "GFLOP/s");
        r.notes.push("a note".into());
        let t = table(&r);
        assert_eq!(t.lines().count(), 4);
        assert!(t.contains("n=8") && t.contains("1.50") && t.contains("note: a note"));
    }
}
