//! `gradlab bench`: throughput tables, llm.c style: every matmul variant is validated
//! against a naive f64 product before it is timed, timings take the best of several
//! repetitions, and the rows are plain data so other backends add their own.
//!
//! Rows: CPU matmul GFLOP/s (n = 128 ... 1024) and training steps/s of the `spiral`
//! and `digits` presets; GPU rows (the same, on the device) when a GPU is available.

use super::run::gpu_device;
use super::{print_out, BenchArgs, CliError};
use crate::backend::gpu::MatmulKernel;
use crate::backend::{Device, MatmulDims};
use crate::error::{Error, Result};
use crate::experiment::{preset, BackendChoice, Runner};
use crate::platform::{block_on, now_ms};
use crate::rng::Rng;
use crate::tensor::UnaryOp;
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

/// Matrix sizes of the CPU matmul rows.
pub const CPU_MATMUL_SIZES: [usize; 4] = [128, 256, 512, 1024];
/// Largest size whose timed result is also checked against the naive product.
const MAX_CHECKED_N: usize = 512;
/// Presets of the training rows.
pub const TRAIN_PRESETS: [&str; 2] = ["spiral", "digits"];

/// Run the benchmark and print it as a table or JSON.
pub fn bench(args: &BenchArgs) -> std::result::Result<(), CliError> {
    let report = collect()?;
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

/// Measure every row this build and machine support.
pub fn collect() -> Result<BenchReport> {
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
        report
            .notes
            .push("debug build: run `cargo run --release -- bench` for real numbers".into());
    }
    let cpu = Device::Cpu;
    check_matmul(&cpu)?;
    for n in CPU_MATMUL_SIZES {
        let gflops = time_matmul(&cpu, n, n <= MAX_CHECKED_N)?;
        report.rows.push(row(
            "cpu",
            "matmul",
            format!("n={n}"),
            "blocked",
            gflops,
            "GFLOP/s",
        ));
    }
    for name in TRAIN_PRESETS {
        let (batch, rate) = train_steps_per_s(name, &cpu)?;
        report.rows.push(row(
            "cpu",
            "train",
            name.into(),
            &format!("batch {batch}"),
            rate,
            "steps/s",
        ));
    }
    report
        .notes
        .push("CPU backend: one thread, fixed accumulation order".into());
    if let Err(e) = gpu_rows(&mut report) {
        report.notes.push(format!("GPU rows stopped: {e}"));
        report.failed = true;
    }
    Ok(report)
}

/// Matrix sizes of the GPU matmul rows.
pub const GPU_MATMUL_SIZES: [usize; 5] = [128, 256, 512, 1024, 2048];
/// Dispatches recorded per timed submit in the overhead row.
const DISPATCH_CHAIN: usize = 256;

/// The GPU rows, or a note saying why there are none. A GPU that fails mid-way (a
/// kernel that does not validate) keeps the rows measured so far and returns the error.
fn gpu_rows(report: &mut BenchReport) -> Result<()> {
    let device = match gpu_device() {
        Ok(d) => d,
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
    ] {
        gpu.set_matmul_kernel(kernel);
        let timed = check_matmul(&device).and_then(|_| {
            for n in GPU_MATMUL_SIZES {
                let gflops = time_matmul(&device, n, n <= MAX_CHECKED_N)?;
                report.rows.push(row(
                    "gpu",
                    "matmul",
                    format!("n={n}"),
                    variant,
                    gflops,
                    "GFLOP/s",
                ));
            }
            Ok(())
        });
        gpu.set_matmul_kernel(MatmulKernel::Auto);
        timed?;
    }
    let us = dispatch_overhead_us(&device)?;
    report.rows.push(row(
        "gpu",
        "dispatch",
        format!("{DISPATCH_CHAIN} in 1 submit"),
        "unary",
        us,
        "us",
    ));
    for name in TRAIN_PRESETS {
        let (batch, rate) = train_steps_per_s(name, &device)?;
        let variant = format!("batch {batch}");
        report
            .rows
            .push(row("gpu", "train", name.into(), &variant, rate, "steps/s"));
    }
    report
        .notes
        .push("GPU matmul rows: each kernel validated against an f64 product first".into());
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
        let expected = if DISPATCH_CHAIN % 2 == 0 { 1.0 } else { -1.0 };
        if back != [expected] {
            return Err(Error::Format(format!(
                "dispatch chain gave {back:?}, not [{expected}]"
            )));
        }
        best = best.min(now_ms() - t0);
    }
    Ok(best * 1000.0 / DISPATCH_CHAIN as f64)
}

fn row(
    backend: &str,
    bench: &str,
    size: String,
    variant: &str,
    value: f64,
    unit: &str,
) -> BenchRow {
    BenchRow {
        backend: backend.into(),
        bench: bench.into(),
        size,
        variant: variant.into(),
        value,
        unit: unit.into(),
    }
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
        "{:8} {:9} {:14} {:10} {:>12}  unit",
        "backend", "bench", "size", "variant", "value"
    );
    for x in &r.rows {
        let _ = writeln!(
            t,
            "{:8} {:9} {:14} {:10} {:>12.2}  {}",
            x.backend, x.bench, x.size, x.variant, x.value, x.unit
        );
    }
    for n in &r.notes {
        let _ = writeln!(t, "note: {n}");
    }
    t
}

/// `count` uniform values in [-1, 1).
fn random(count: usize, rng: &mut Rng) -> Vec<f32> {
    (0..count).map(|_| rng.range(-1.0, 1.0)).collect()
}

/// `op(A) @ op(B)` on `device`, read back.
fn device_matmul(device: &Device, a: &[f32], b: &[f32], d: MatmulDims) -> Result<Vec<f32>> {
    let (sa, sb) = (device.upload(a), device.upload(b));
    let c = device.matmul(&sa, &sb, d);
    block_on(device.read(&c, d.batch * d.m * d.n))
}

/// Check `c` against the product computed in f64. Each element may differ by the
/// rounding bound of a length-k f32 dot product: `2 k eps * sum_k |a||b|`.
fn check_product(a: &[f32], b: &[f32], c: &[f32], d: MatmulDims) -> Result<()> {
    let (m, k, n) = (d.m, d.k, d.n);
    let at = |bi: usize, i: usize, kk: usize| {
        let base = bi * m * k;
        if d.trans_a {
            a[base + kk * m + i]
        } else {
            a[base + i * k + kk]
        }
    };
    let bt = |bi: usize, kk: usize, j: usize| {
        let base = bi * k * n;
        if d.trans_b {
            b[base + j * k + kk]
        } else {
            b[base + kk * n + j]
        }
    };
    let bound = 2.0 * k as f64 * f32::EPSILON as f64;
    for bi in 0..d.batch {
        for i in 0..m {
            for j in 0..n {
                let (mut exact, mut scale) = (0.0f64, 0.0f64);
                for kk in 0..k {
                    let p = at(bi, i, kk) as f64 * bt(bi, kk, j) as f64;
                    exact += p;
                    scale += p.abs();
                }
                let got = c[(bi * m + i) * n + j] as f64;
                if (got - exact).abs() > bound * scale + f64::MIN_POSITIVE {
                    return Err(Error::Format(format!(
                        "matmul {d:?} is wrong at [{bi}, {i}, {j}]: {got} vs {exact}"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Validate the device's matmul on awkward shapes, every transposition, batched.
pub fn check_matmul(device: &Device) -> Result<()> {
    let mut rng = Rng::new(11);
    for (batch, m, k, n) in [(1, 1, 1, 1), (1, 67, 45, 73), (3, 17, 33, 65)] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            let d = MatmulDims {
                batch,
                m,
                k,
                n,
                trans_a,
                trans_b,
            };
            let a = random(batch * m * k, &mut rng);
            let b = random(batch * k * n, &mut rng);
            check_product(&a, &b, &device_matmul(device, &a, &b, d)?, d)?;
        }
    }
    Ok(())
}

/// GFLOP/s of an `n x n x n` product on `device`: the best of three or more timed runs
/// (more while under half a second, fewer once over two seconds, for slow kernels),
/// after one warm-up run whose result is checked against the naive product when
/// `check` is set.
pub fn time_matmul(device: &Device, n: usize, check: bool) -> Result<f64> {
    let mut rng = Rng::new(n as u64);
    let (a, b) = (random(n * n, &mut rng), random(n * n, &mut rng));
    let d = MatmulDims {
        batch: 1,
        m: n,
        k: n,
        n,
        trans_a: false,
        trans_b: false,
    };
    let (sa, sb) = (device.upload(&a), device.upload(&b));
    let warm = device.matmul(&sa, &sb, d);
    let warm = block_on(device.read(&warm, n * n))?;
    if check {
        check_product(&a, &b, &warm, d)?;
    }
    let (mut best, mut total, mut reps) = (f64::INFINITY, 0.0, 0);
    while reps == 0 || (reps < 3 && total < 2000.0) || (total < 500.0 && reps < 50) {
        let t0 = now_ms();
        let c = device.matmul(&sa, &sb, d);
        device.flush();
        // Reading one value back waits for the device to finish the product.
        block_on(device.read(&c, 1))?;
        let ms = now_ms() - t0;
        best = best.min(ms);
        total += ms;
        reps += 1;
    }
    Ok(2.0 * (n as f64).powi(3) / (best.max(1e-6) / 1000.0) / 1e9)
}

/// Training steps per second of a preset on `device` (and the preset's batch size):
/// ten warm-up steps, then steps for about a second, ending with a read-back of the
/// weights so queued device work is counted.
pub fn train_steps_per_s(name: &str, device: &Device) -> Result<(usize, f64)> {
    let mut config =
        preset(name).ok_or_else(|| Error::Config(format!("no preset named '{name}'")))?;
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
    fn the_cpu_matmul_passes_validation() {
        check_matmul(&Device::Cpu).unwrap();
    }

    #[test]
    fn validation_catches_a_wrong_product() {
        let d = MatmulDims {
            batch: 1,
            m: 5,
            k: 7,
            n: 3,
            trans_a: false,
            trans_b: true,
        };
        let mut rng = Rng::new(3);
        let (a, b) = (random(35, &mut rng), random(21, &mut rng));
        let mut c = device_matmul(&Device::Cpu, &a, &b, d).unwrap();
        check_product(&a, &b, &c, d).unwrap();
        c[7] += 1e-3;
        assert!(check_product(&a, &b, &c, d).is_err());
    }

    #[test]
    fn the_table_has_one_line_per_row_and_note() {
        let r = BenchReport {
            build: "test".into(),
            gpu_adapter: None,
            rows: vec![row(
                "cpu",
                "matmul",
                "n=8".into(),
                "blocked",
                1.5,
                "GFLOP/s",
            )],
            notes: vec!["a note".into()],
            failed: false,
        };
        let t = table(&r);
        assert_eq!(t.lines().count(), 4);
        assert!(t.contains("n=8") && t.contains("1.50") && t.contains("note: a note"));
    }
}
