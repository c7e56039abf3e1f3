//! Shared by the PyTorch export tests: find a Python with torch (or skip loudly), export a
//! config into a fresh folder, run gradlab's CPU run and the exported `train.py`, and
//! compare what they wrote.

#![allow(dead_code)] // each test file uses its own part of this

use gradlab::experiment::{
    from_safetensors, to_safetensors, Budget, ExperimentConfig, NamedWeight, Runner,
};
use gradlab::platform::block_on;
use gradlab::Device;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python to run: `GRADLAB_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("GRADLAB_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

/// True when `python()` imports `module`. Otherwise prints a SKIPPED banner straight to
/// stderr (past libtest's capture) and returns false, or fails the test when
/// `require_var=1` (CI sets it).
pub fn ready(test: &str, module: &str, require_var: &str, install: &str) -> bool {
    let ok = Command::new(python())
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return true;
    }
    let msg = format!(
        "{test}: `{} -c 'import {module}'` fails. Install with {install}",
        python()
    );
    assert!(
        std::env::var(require_var).as_deref() != Ok("1"),
        "{msg}; {require_var}=1 makes this a failure"
    );
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!(
            "\n==========================================================\n\
             SKIPPED: {msg}.\nSet {require_var}=1 to make this a failure.\n\
             ==========================================================\n"
        )
        .as_bytes(),
    );
    false
}

/// True when Python has PyTorch (see [`ready`]; `GRADLAB_REQUIRE_TORCH=1` fails instead).
pub fn torch_ready(test: &str) -> bool {
    ready(
        test,
        "torch",
        "GRADLAB_REQUIRE_TORCH",
        "`bash scripts/setup.sh python` (pip install torch==2.15.0)",
    )
}

/// A fresh, empty folder under cargo's scratch space for this test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pytorch_export_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Export `config` into a fresh folder `name`; returns the folder.
pub fn export(config: &ExperimentConfig, name: &str) -> PathBuf {
    let dir = scratch(name);
    for f in gradlab::export::pytorch_project(config, name).unwrap() {
        std::fs::write(dir.join(f.name), &f.bytes).unwrap();
    }
    dir
}

/// Run a Python command in `dir`; panics with its output when it fails.
pub fn run_python(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(python())
        .args(args)
        .current_dir(dir)
        .env("OMP_NUM_THREADS", "1")
        .output()
        .expect("python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "python {args:?} failed:\n{text}");
    text
}

/// `train.py --device cpu --out OUT [extra]` in `dir`; returns (weights, metrics.json).
pub fn train_py(dir: &Path, out: &str, extra: &[&str]) -> (Vec<NamedWeight>, Value) {
    let mut args = vec!["train.py", "--device", "cpu", "--out", out];
    args.extend_from_slice(extra);
    run_python(dir, &args);
    read_outputs(&dir.join(out))
}

/// `train.py --device cpu --out ddp` in `dir` under `torchrun` with 2 processes (gloo on
/// the CPU); returns (weights, metrics.json).
pub fn torchrun_two(dir: &Path) -> (Vec<NamedWeight>, Value) {
    run_python(
        dir,
        &[
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node=2",
            "train.py",
            "--device",
            "cpu",
            "--out",
            "ddp",
        ],
    );
    read_outputs(&dir.join("ddp"))
}

/// Largest weight difference allowed between a 2-process and a 1-process run: two
/// processes sum gradients in another order than one, so the weights agree to float
/// rounding, far inside this.
pub const DDP_TOL: f32 = 1e-5;

/// A transformer's export in `dir` trained by one process and by two under `torchrun`:
/// the same weights within [`DDP_TOL`] (the attention key biases, rounding noise, bounded
/// instead), the same history, `cpu x 2` recorded. Returns the largest difference.
pub fn assert_transformer_ddp_matches(dir: &Path, config: &ExperimentConfig, what: &str) -> f32 {
    let (single, single_metrics) = train_py(dir, "single", &[]);
    let (ddp, ddp_metrics) = torchrun_two(dir);
    key_bias_within_bound(&ddp, config, "ddp");
    let diff = max_weight_diff_except(&single, &ddp, &is_key_bias);
    assert!(
        diff <= DDP_TOL,
        "{what}: DDP weights differ by {diff} (> {DDP_TOL})"
    );
    assert_same_history(
        &single_metrics["history"],
        &ddp_metrics["history"],
        1e-5,
        what,
    );
    assert_eq!(ddp_metrics["device"], "cpu x 2");
    diff
}

/// The model file and metrics.json that a run wrote into `out`.
pub fn read_outputs(out: &Path) -> (Vec<NamedWeight>, Value) {
    let bytes = std::fs::read(out.join("model.safetensors")).unwrap();
    let (weights, config) = from_safetensors(&bytes).unwrap();
    assert!(config.is_some(), "the model file holds the experiment");
    let metrics = std::fs::read_to_string(out.join("metrics.json")).unwrap();
    (weights, serde_json::from_str(&metrics).unwrap())
}

/// gradlab's own CPU run of `config`: (weights, the history as JSON values).
pub fn gradlab_run(config: &ExperimentConfig) -> (Vec<NamedWeight>, Value) {
    let mut runner = Runner::new(config.clone(), Device::Cpu).unwrap();
    block_on(runner.run(|_, _| {})).unwrap();
    let weights = block_on(runner.weights()).unwrap();
    (weights, serde_json::to_value(runner.history()).unwrap())
}

/// Largest absolute difference between two weight sets with the same names and shapes.
pub fn max_weight_diff(a: &[NamedWeight], b: &[NamedWeight]) -> f32 {
    max_weight_diff_except(a, b, &|_, _, _| false)
}

/// [`max_weight_diff`] leaving out the values for which `skip(name, index, len)` holds.
pub fn max_weight_diff_except(
    a: &[NamedWeight],
    b: &[NamedWeight],
    skip: &dyn Fn(&str, usize, usize) -> bool,
) -> f32 {
    assert_eq!(a.len(), b.len(), "the same parameters");
    let mut worst = 0.0f32;
    for wa in a {
        let wb = b
            .iter()
            .find(|w| w.name == wa.name)
            .unwrap_or_else(|| panic!("{} missing", wa.name));
        assert_eq!(wa.shape, wb.shape, "{}", wa.name);
        let len = wa.data.len();
        for (i, (x, y)) in wa.data.iter().zip(&wb.data).enumerate() {
            if !skip(&wa.name, i, len) {
                worst = worst.max((x - y).abs());
            }
        }
    }
    worst
}

/// Two histories agree: the same steps and epochs, losses and real-valued metrics within
/// `tol` (relative to the value's size, at least 1 in scale), and the same confusion
/// matrices.
pub fn assert_same_history(ours: &Value, theirs: &Value, tol: f64, what: &str) {
    let (a, b) = (ours.as_array().unwrap(), theirs.as_array().unwrap());
    assert_eq!(a.len(), b.len(), "{what}: history lengths");
    for (p, q) in a.iter().zip(b) {
        let keys = p.as_object().unwrap();
        assert_eq!(
            keys.len(),
            q.as_object().unwrap().len(),
            "{what}: fields of {p} and {q}"
        );
        for (k, v) in keys {
            let w = &q[k];
            match (v.as_f64(), w.as_f64()) {
                (Some(x), Some(y)) if !matches!(k.as_str(), "step" | "epoch") => assert!(
                    (x - y).abs() <= tol * x.abs().max(1.0),
                    "{what}: {k} at step {}: gradlab {x}, pytorch {y}",
                    p["step"]
                ),
                _ => assert_eq!(v, w, "{what}: {k} at step {}", p["step"]),
            }
        }
    }
}

/// Whether value `i` of `len` in parameter `name` is an attention key bias
/// (`in_proj_bias[D..2D]`). It adds the same number to all of a query's scores, which
/// softmax ignores, so its gradient is zero in exact arithmetic and what a run computes
/// is rounding noise, which Adam scales up to steps of about the learning rate in
/// directions that differ between summation orders: see `pytorch_export_text.rs`.
pub fn is_key_bias(name: &str, i: usize, len: usize) -> bool {
    name.ends_with("in_proj_bias") && (len / 3..2 * len / 3).contains(&i)
}

/// The largest key bias of `weights`, and its bound for `config`: twice the sum of the
/// learning rates of its steps (Adam's steps are at most about the learning rate).
pub fn key_bias_within_bound(weights: &[NamedWeight], config: &ExperimentConfig, what: &str) {
    let Budget::Steps(steps) = config.budget else {
        unreachable!("the tests set steps")
    };
    let schedule = config.optimizer.lr_schedule();
    let bound: f32 = 2.0 * (0..steps).map(|it| schedule.lr_at(it)).sum::<f32>();
    let largest = weights
        .iter()
        .flat_map(|w| {
            let len = w.data.len();
            w.data
                .iter()
                .enumerate()
                .filter(move |(i, _)| is_key_bias(&w.name, *i, len))
                .map(|(_, v)| v.abs())
        })
        .fold(0.0f32, f32::max);
    assert!(
        largest <= bound,
        "{what}: a key bias reached {largest} (> {bound})"
    );
}

/// gradlab's own run of `config`, saved as `gradlab.safetensors` in `dir`.
pub fn save_gradlab_model(config: &ExperimentConfig, dir: &std::path::Path) {
    let (ours, _) = gradlab_run(config);
    let bytes = to_safetensors(&ours, config).unwrap();
    std::fs::write(dir.join("gradlab.safetensors"), bytes).unwrap();
}

/// `gradlab ARGS` in `dir`: its standard output (the test fails when it fails).
pub fn gradlab_cli(dir: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .current_dir(dir)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gradlab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
