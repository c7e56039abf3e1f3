//! The exports the bench page calls: open the WebGPU device, hand over fetched data,
//! list the jobs, time one job. Every job is timed as the TensorFlow.js side times its
//! own (bench/web/tfjs_jobs.js): chunks of work each ended by a readback (so queued GPU
//! work is counted), for `min_ms / 2` untimed (V8 first runs wasm and JavaScript on its
//! baseline compilers and tiers hot functions up while they run: two warm-up steps
//! measured the baseline code, up to 16 times slower), then again for at least `min_ms`;
//! the rate is the work done over the time taken.

use super::jobs::{fetched_text, job_config, web_job, JobKind, WebJob};
use gradlab::backend::gpu::{GpuBackend, MatmulKernel};
use gradlab::backend::MatmulDims;
use gradlab::data::text::provide_text;
use gradlab::data::RealSet;
use gradlab::experiment::{DataSource, Runner};
use gradlab::platform::now_ms;
use gradlab::rng::Rng;
use gradlab::Device;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The WebGPU device once [`gpu_open`] succeeded.
    static GPU: RefCell<Option<Device>> = const { RefCell::new(None) };
    /// What the last timed run did, as JSON (see [`last_run_detail`]).
    static DETAIL: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The last run's breakdown as JSON: steps (or repetitions) and milliseconds timed and,
/// on the GPU, dispatches, submits and readbacks per step (where its time goes on a
/// software adapter, which pays tens of microseconds per dispatch).
#[wasm_bindgen]
pub fn last_run_detail() -> String {
    DETAIL.with(|d| d.borrow().clone())
}

/// The GPU's counters, when `device` is one.
fn gpu_stats(device: &Device) -> Option<gradlab::backend::gpu::GpuStats> {
    match device {
        Device::Gpu(g) => Some(g.stats()),
        Device::Cpu => None,
    }
}

/// Records the breakdown of a run of `steps` in `ms`, with the GPU counters' change.
fn set_detail(
    steps: u64,
    ms: f64,
    before: Option<gradlab::backend::gpu::GpuStats>,
    after: Option<gradlab::backend::gpu::GpuStats>,
) {
    let mut v =
        serde_json::json!({ "steps": steps, "ms": ms, "ms_per_step": ms / steps.max(1) as f64 });
    if let (Some(b), Some(a)) = (before, after) {
        let d = a.since(&b);
        let per = |x: u64| x as f64 / steps.max(1) as f64;
        v["dispatches_per_step"] = per(d.dispatches).into();
        v["submits_per_step"] = per(d.submits).into();
        v["readbacks_per_step"] = per(d.readbacks).into();
    }
    DETAIL.with(|d| *d.borrow_mut() = v.to_string());
}

/// An error for JavaScript.
fn js_err(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

/// Opens gradlab's GPU backend on the browser's WebGPU adapter; resolves to its label.
#[wasm_bindgen]
pub async fn gpu_open() -> Result<String, JsValue> {
    let dev = Device::Gpu(Rc::new(GpuBackend::new().await.map_err(js_err)?));
    let label = dev.label();
    GPU.with(|g| *g.borrow_mut() = Some(dev));
    Ok(label)
}

/// Fixes the CPU matmul kernel for this page (`base`: the default 4x8 tile; `simd128`:
/// the hand-written wasm SIMD tiles); resolves to its name, or an error when there is no
/// such kernel or one was already used. Called before any job runs.
#[wasm_bindgen]
pub fn set_matmul_kernel(prefix: &str) -> Result<String, JsValue> {
    gradlab::backend::cpu::choose_matmul_kernel(prefix)
        .map(str::to_string)
        .ok_or_else(|| js_err(format!("no matmul kernel '{prefix}' (or one already ran)")))
}

/// Fixes the GPU backend's matmul kernel (`auto`, `plain`, `tiled`, `register`) until
/// the next call: the driver's `--gpu-before` times one kernel against another in the
/// same page and rounds.
#[wasm_bindgen]
pub fn set_gpu_matmul_kernel(name: &str) -> Result<(), JsValue> {
    let kernel = match name {
        "auto" => MatmulKernel::Auto,
        "plain" => MatmulKernel::Plain,
        "tiled" => MatmulKernel::Tiled,
        "register" => MatmulKernel::Register,
        other => return Err(js_err(format!("no GPU matmul kernel '{other}'"))),
    };
    let device = GPU
        .with(|g| g.borrow().clone())
        .ok_or_else(|| js_err("no WebGPU device (gpu_open first)"))?;
    if let Some(gpu) = device.gpu_backend() {
        gpu.set_matmul_kernel(kernel);
    }
    Ok(())
}

/// The GPU matmul kernel `auto` runs on this adapter for a 256 x 256 x 256 product
/// (`none` without a device).
#[wasm_bindgen]
pub fn gpu_matmul_kernel() -> String {
    GPU.with(|g| {
        let device = g.borrow();
        let Some(gpu) = device.as_ref().and_then(Device::gpu_backend) else {
            return "none".to_string();
        };
        let d = MatmulDims {
            batch: 1,
            m: 256,
            k: 256,
            n: 256,
            trans_a: false,
            trans_b: false,
        };
        let picked = gpu.matmul_kernel().pick(&d, gpu.info().is_software());
        format!("{picked:?}").to_lowercase()
    })
}

/// The CPU matmul kernel in use for wide products.
#[wasm_bindgen]
pub fn matmul_kernel() -> String {
    gradlab::backend::cpu::matmul_kernel_name().to_string()
}

/// SHA-256 (hex) of the bits of `op(A) @ op(B)` on the CPU backend for seeded normal
/// `A` (`m x k`) and `B` (`k x n`): the driver compares the page's kernel with the scalar
/// one of a second page (`--before base`), bit for bit, in the browser itself.
#[wasm_bindgen]
pub fn matmul_bits_sha256(m: usize, k: usize, n: usize, trans_a: bool, trans_b: bool) -> String {
    use sha2::{Digest, Sha256};
    let mut rng = Rng::new((m * 31 + k * 7 + n) as u64);
    let a: Vec<f32> = (0..m * k).map(|_| rng.normal()).collect();
    let b: Vec<f32> = (0..k * n).map(|_| rng.normal()).collect();
    let mut c = vec![0.0; m * n];
    let d = MatmulDims {
        batch: 1,
        m,
        k,
        n,
        trans_a,
        trans_b,
    };
    gradlab::backend::cpu::matmul_into(&a, &b, &mut c, d);
    let mut h = Sha256::new();
    for v in &c {
        h.update(v.to_bits().to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The jobs as JSON (names, units, shapes, batch, learning rate): the TensorFlow.js side
/// builds its models from this description.
#[wasm_bindgen]
pub fn jobs_json() -> String {
    serde_json::to_string(&super::jobs::WEB_JOBS).unwrap_or_else(|_| "[]".into())
}

/// The real data set a job trains on, if any (the page fetches its files first).
fn fetched_real(job: &WebJob) -> Option<RealSet> {
    match job_config(job)?.data {
        DataSource::Real(set) => Some(set),
        _ => None,
    }
}

/// The files a job needs fetched (relative to www/data/), `[]` for none.
#[wasm_bindgen]
pub fn job_files(name: &str) -> Vec<String> {
    let Some(job) = web_job(name) else {
        return Vec::new();
    };
    if let Some(set) = fetched_text(&job) {
        return vec![set.file().to_string()];
    }
    match fetched_real(&job) {
        Some(set) => set.fetched_files().iter().map(|f| f.to_string()).collect(),
        None => Vec::new(),
    }
}

/// Hands the job's fetched files (bytes, in [`job_files`] order) to the data module.
#[wasm_bindgen]
pub fn job_provide(name: &str, files: Vec<js_sys::Uint8Array>) -> Result<(), JsValue> {
    let job = web_job(name).ok_or_else(|| js_err(format!("no job {name}")))?;
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| f.to_vec()).collect();
    if let Some(set) = fetched_text(&job) {
        let first = bytes.first().ok_or_else(|| js_err("no file given"))?;
        return provide_text(set, first).map_err(js_err);
    }
    match fetched_real(&job) {
        Some(set) => set.provide_fetched(&bytes).map_err(js_err),
        None => Ok(()),
    }
}

/// Times job `name` on `backend` (`cpu` or `gpu`) for at least `min_ms`; resolves to
/// the rate in the job's unit.
#[wasm_bindgen]
pub async fn run_job(name: String, backend: String, min_ms: f64) -> Result<f64, JsValue> {
    let job = web_job(&name).ok_or_else(|| js_err(format!("no job {name}")))?;
    let device = match backend.as_str() {
        "cpu" => Device::Cpu,
        "gpu" => GPU
            .with(|g| g.borrow().clone())
            .ok_or_else(|| js_err("no WebGPU device (gpu_open first)"))?,
        other => return Err(js_err(format!("no backend {other}"))),
    };
    match job.kind {
        JobKind::Matmul { n } => time_matmul(&device, n, min_ms).await,
        _ => time_training(&job, device, min_ms).await,
    }
    .map_err(js_err)
}

/// GFLOP/s of `n x n x n` products: each repetition multiplies and reads one value back.
async fn time_matmul(device: &Device, n: usize, min_ms: f64) -> gradlab::Result<f64> {
    let mut rng = Rng::new(n as u64);
    let a: Vec<f32> = (0..n * n).map(|_| rng.range(-1.0, 1.0)).collect();
    let b: Vec<f32> = (0..n * n).map(|_| rng.range(-1.0, 1.0)).collect();
    let d = MatmulDims {
        batch: 1,
        m: n,
        k: n,
        n,
        trans_a: false,
        trans_b: false,
    };
    let (sa, sb) = (device.upload(&a), device.upload(&b));
    let once = || async {
        let c = device.matmul(&sa, &sb, d);
        device.flush();
        device.read(&c, 1).await.map(|_| ())
    };
    let mut timed = (0u64, 0.0);
    for budget in [min_ms / 2.0, min_ms] {
        let (t0, mut reps) = (now_ms(), 0u64);
        while reps < 2 || now_ms() - t0 < budget {
            once().await?;
            reps += 1;
        }
        timed = (reps, now_ms() - t0);
    }
    let (reps, ms) = timed;
    set_detail(reps, ms, None, None);
    Ok(2.0 * (n as f64).powi(3) * reps as f64 / (ms / 1000.0).max(1e-9) / 1e9)
}

/// Training rate of a job: chunks of steps (sized to about a tenth of the budget) each
/// ended by reading the weights back, `min_ms / 2` untimed, then `min_ms` timed.
async fn time_training(job: &WebJob, device: Device, min_ms: f64) -> gradlab::Result<f64> {
    let config = job_config(job)
        .ok_or_else(|| gradlab::Error::Config(format!("no config for {}", job.name)))?;
    let mut runner = Runner::new(config, device)?;
    chunked_steps(&mut runner, min_ms / 2.0).await?;
    let before = gpu_stats(runner.device());
    let (steps, ms) = chunked_steps(&mut runner, min_ms).await?;
    set_detail(steps, ms, before, gpu_stats(runner.device()));
    Ok(steps as f64 / (ms / 1000.0) * job.per_step as f64)
}

/// Steps for at least `budget_ms` (and two steps), in chunks each ended by a readback:
/// the steps taken and the milliseconds they took.
async fn chunked_steps(runner: &mut Runner, budget_ms: f64) -> gradlab::Result<(u64, f64)> {
    let (t0, mut steps, mut chunk) = (now_ms(), 0u64, 1u64);
    loop {
        runner.train_steps(chunk)?;
        runner.weights().await?;
        steps += chunk;
        let elapsed = now_ms() - t0;
        if steps >= 2 && elapsed >= budget_ms {
            return Ok((steps, elapsed));
        }
        let per_step = elapsed / steps as f64;
        chunk = ((budget_ms / 10.0 / per_step.max(1e-3)) as u64).clamp(1, 1000);
    }
}
