//! The `gradlab` binary end to end: presets, run with output files, bad arguments,
//! determinism, backend selection and the benchmark's JSON.

use gradlab::experiment::{
    from_safetensors, preset, presets, sha256_hex, BackendChoice, ExperimentConfig,
};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn gradlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .output()
        .expect("the gradlab binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty folder for one test's outputs.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlab-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The value of a `name  value` summary line.
fn summary_value(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(name).filter(|r| r.starts_with(' ')))
        .unwrap_or_else(|| panic!("no '{name}' line in:\n{stdout}"))
        .trim()
        .to_string()
}

fn succeed(args: &[&str]) -> String {
    let out = gradlab(args);
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn presets_lists_every_preset_with_its_summary() {
    let stdout = succeed(&["presets"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), presets().len());
    for (line, p) in lines.iter().zip(presets()) {
        assert_eq!(line.split_whitespace().next(), Some(p.name));
        assert!(line.ends_with(p.summary), "{line}");
    }
}

#[test]
fn run_linear_regression_writes_the_four_files() {
    let dir = scratch("linear");
    let stdout = succeed(&["run", "linear-regression", "--out", dir.to_str().unwrap()]);

    let model = std::fs::read(dir.join("model.safetensors")).unwrap();
    let metrics: Value =
        serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap();
    let sha = sha256_hex(&model);
    assert_eq!(metrics["weights_sha256"], Value::from(sha.clone()));
    assert_eq!(summary_value(&stdout, "weights_sha256"), sha);
    assert_eq!(metrics["backend"], "cpu");
    assert_eq!(metrics["preset"], "linear-regression");

    // The budget: 100 epochs of ceil(80 / 32) = 3 batches.
    let config = preset("linear-regression").unwrap();
    // The split rounds the test share to the nearest row.
    let test_rows = (config.samples as f64 * config.test_fraction as f64).round() as usize;
    let train_rows = config.samples - test_rows;
    let steps = 100 * train_rows.div_ceil(config.batch_size) as u64;
    assert_eq!(metrics["steps"], steps);

    let final_ = metrics["final"].as_object().unwrap();
    for key in ["train_loss", "test_loss", "mse", "r2"] {
        assert!(final_[key].is_f64(), "final.{key} missing: {final_:?}");
    }
    for key in ["accuracy", "precision", "recall", "f1", "step"] {
        assert!(!final_.contains_key(key), "final.{key} should not be there");
    }
    assert!(final_["mse"].as_f64().unwrap() < 0.01, "{final_:?}");

    let history = metrics["history"].as_array().unwrap();
    assert!(history.len() > 2);
    let last = history.last().unwrap();
    assert_eq!(last["step"], steps);
    for key in ["train_loss", "test_loss", "mse", "r2"] {
        assert_eq!(last[key], final_[key], "{key}");
    }
    let mut prev = None;
    for p in history {
        let step = p["step"].as_u64().unwrap();
        assert!(prev < Some(step) && p["epoch"].is_u64() && p["train_loss"].is_f64());
        prev = Some(step);
    }

    // The weights file: PyTorch names and shapes, y = 2x + 1 learned, the config inside.
    let (weights, config_json) = from_safetensors(&model).unwrap();
    let names: Vec<(&str, &[usize])> = weights
        .iter()
        .map(|w| (w.name.as_str(), w.shape.as_slice()))
        .collect();
    assert_eq!(names, vec![("0.bias", &[1][..]), ("0.weight", &[1, 1][..])]);
    assert!(
        (weights[1].data[0] - 2.0).abs() < 0.1,
        "weight {:?}",
        weights[1].data
    );
    assert!(
        (weights[0].data[0] - 1.0).abs() < 0.1,
        "bias {:?}",
        weights[0].data
    );
    let stored: ExperimentConfig = serde_json::from_str(&config_json.unwrap()).unwrap();
    assert_eq!(
        stored,
        ExperimentConfig {
            backend: BackendChoice::Cpu,
            ..config.clone()
        }
    );

    let csv = std::fs::read_to_string(dir.join("data.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), config.samples);
    assert_eq!(
        rows.iter().filter(|r| r.ends_with(",train")).count(),
        train_rows
    );
    assert_eq!(
        rows.iter().filter(|r| r.ends_with(",test")).count(),
        test_rows
    );

    let svg = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<polyline"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_exit_with_code_2_and_a_message() {
    let cases: &[(&[&str], &str)] = &[
        (&[], "no command"),
        (&["train"], "unknown command"),
        (&["run"], "preset"),
        (&["run", "spirl"], "spiral"),
        (&["run", "nope"], "unknown preset"),
        (&["run", "xor", "--steps"], "--steps"),
        (&["run", "xor", "--steps", "many"], "whole number"),
        (&["run", "xor", "--steps", "-1"], "whole number"),
        (&["run", "xor", "--steps", "0"], "at least 1"),
        (&["run", "xor", "--seed", "1.5"], "whole number"),
        (
            &["run", "xor", "--seed", "99999999999999999999999"],
            "whole number",
        ),
        (&["run", "xor", "--backend", "tpu"], "backend"),
        (&["run", "xor", "--fast"], "unknown flag"),
        (&["run", "xor", "--out"], "--out"),
        (&["run", "xor", "gauss"], "unexpected argument"),
        // Parsed fine, refused by the config validation: still the user's mistake.
        (
            &["run", "xor", "--steps", "99999999999"],
            "invalid configuration",
        ),
        (&["bench", "--fast"], "unknown flag"),
        (&["presets", "--all"], "unexpected argument"),
        (&["--frobnicate"], "unknown flag"),
    ];
    for (args, needle) in cases {
        let out = gradlab(args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: expected '{needle}' in: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn help_is_printed_and_succeeds() {
    for args in [
        &["--help"][..],
        &["help"],
        &["help", "run"],
        &["run", "--help"],
        &["bench", "-h"],
    ] {
        let stdout = succeed(args);
        assert!(stdout.contains("usage"), "{args:?}: {stdout}");
    }
    assert!(succeed(&["help", "run"]).contains("--steps"));
}

#[test]
fn the_same_seed_gives_the_same_weights_and_another_seed_others() {
    let sha = |seed: &str| {
        let stdout = succeed(&["run", "spiral", "--steps", "60", "--seed", seed]);
        assert!(
            summary_value(&stdout, "steps").starts_with("60 ("),
            "{stdout}"
        );
        summary_value(&stdout, "weights_sha256")
    };
    let first = sha("5");
    assert_eq!(first.len(), 64);
    assert_eq!(first, sha("5"));
    assert_ne!(first, sha("6"));
}

#[test]
fn gpu_and_auto_backends_run_or_fail_cleanly() {
    let gpu = gradlab(&[
        "run",
        "linear-regression",
        "--steps",
        "5",
        "--backend",
        "gpu",
    ]);
    let stderr = text(&gpu.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    if std::env::var("GRADLAB_REQUIRE_GPU").as_deref() == Ok("1") {
        assert!(gpu.status.success(), "GRADLAB_REQUIRE_GPU=1 but: {stderr}");
    }
    match gpu.status.code() {
        Some(0) => assert_eq!(
            summary_value(&text(&gpu.stdout), "backend")
                .split(' ')
                .next(),
            Some("gpu")
        ),
        Some(1) => assert!(stderr.contains("GPU"), "{stderr}"),
        other => panic!("--backend gpu exited with {other:?}: {stderr}"),
    }
    let auto = gradlab(&[
        "run",
        "linear-regression",
        "--steps",
        "5",
        "--backend",
        "auto",
    ]);
    let stderr = text(&auto.stderr);
    assert!(auto.status.success(), "{stderr}");
    let backend = summary_value(&text(&auto.stdout), "backend");
    // auto picks the GPU exactly when --backend gpu works, else says it fell back.
    if gpu.status.success() {
        assert!(backend.starts_with("gpu"), "{backend}");
    } else {
        assert_eq!(backend, "cpu");
        assert!(stderr.contains("running on the CPU"), "{stderr}");
    }
}

#[test]
fn bench_json_has_the_cpu_rows() {
    // CPU rows only: the GPU rows take long on a software adapter (and a debug build).
    let stdout = succeed(&["bench", "--json", "--backend", "cpu"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    let cpu = |bench: &str| -> Vec<String> {
        rows.iter()
            .filter(|r| r["backend"] == "cpu" && r["bench"] == bench)
            .inspect(|r| assert!(r["value"].as_f64().unwrap() > 0.0, "{r}"))
            .map(|r| r["size"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(cpu("matmul"), ["n=128", "n=256", "n=512", "n=1024"]);
    assert_eq!(cpu("train"), ["spiral", "digits"]);
    assert!(rows.iter().all(|r| r["backend"] == "cpu"));
    assert_eq!(report["failed"], false);
}

/// Valid links that ask for far too much work, each enormous in another way.
const ENORMOUS_LINKS: [(&str, &str); 4] = [
    (
        "the issue's example",
        "#v=1&data=spiral&samples=100000&batch=100000&hidden=1024,1024,1024,1024,1024,1024,1024,1024&act=relu,relu,relu,relu,relu,relu,relu,relu",
    ),
    (
        "wide layers over many rows",
        "#v=1&data=circle&samples=100000&batch=1000&hidden=1024,1024,1024&act=tanh,tanh,tanh",
    ),
    (
        "huge batch",
        "#v=1&data=xor&samples=100000&batch=100000&hidden=64,64&act=tanh,tanh",
    ),
    (
        "deep and wide",
        "#v=1&data=moons&hidden=1024,1024,1024,1024,1024,1024,1024,1024&act=gelu,gelu,gelu,gelu,gelu,gelu,gelu,gelu",
    ),
];

#[test]
fn enormous_links_are_refused_quickly_with_their_cost_and_exit_code_2() {
    for (what, link) in ENORMOUS_LINKS {
        let start = std::time::Instant::now();
        let out = gradlab(&["run", link]);
        let took = start.elapsed();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
        assert!(took.as_secs_f64() < 1.0, "{what}: refusing took {took:?}");
        assert!(stderr.contains("this run asks for"), "{what}: {stderr}");
        assert!(stderr.contains("FLOP per step"), "{what}: {stderr}");
        assert!(stderr.contains("the default limit"), "{what}: {stderr}");
        assert!(stderr.contains("--allow-large"), "{what}: {stderr}");
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(out.stdout.is_empty(), "{what}");
        // Printing its link still works, with the cost as a note.
        let printed = gradlab(&["link", link]);
        assert!(printed.status.success(), "{what}");
        assert!(
            text(&printed.stderr).contains("needs --allow-large"),
            "{what}"
        );
    }
}

#[test]
fn allow_large_runs_a_moderately_large_link() {
    // Two 1024-unit layers on 250 training rows in batches of 100: about 0.6 GFLOP a
    // step, several times the default limit, yet two steps finish in a moment.
    let link = "#v=1&data=circle&batch=100&hidden=1024,1024&act=tanh,tanh&backend=cpu";
    let refused = gradlab(&["run", link, "--steps", "2"]);
    assert_eq!(refused.status.code(), Some(2), "{}", text(&refused.stderr));
    let out = gradlab(&["run", link, "--steps", "2", "--allow-large"]);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("running a large experiment"), "{stderr}");
    assert_eq!(summary_value(&text(&out.stdout), "steps"), "2 (0 epochs)");
}

#[test]
fn presets_cost_prints_one_row_per_preset() {
    let stdout = succeed(&["presets", "--cost"]);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), presets().len() + 1, "{stdout}");
    assert!(lines[0].contains("step") && lines[0].contains("held"));
    for (line, p) in lines[1..].iter().zip(presets()) {
        assert_eq!(line.split_whitespace().next(), Some(p.name));
        assert!(line.contains("FLOP") && line.contains('B'), "{line}");
    }
}
