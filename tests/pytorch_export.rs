//! The exported PyTorch project trains as gradlab does: for an MLP with Adam (with L2 and
//! clipping), an MLP with SGD momentum (regression, with L1), AdamW with the MSE of
//! softmax probabilities, and a CNN, gradlab's CPU run and `train.py` on the CPU agree
//! after several steps (crossing an epoch, so the reshuffled batch order is checked too):
//! weights within 1e-4, the same history of losses and metrics. The model file it writes
//! opens in `gradlab predict` with the PyTorch model's own predictions.
//!
//! Needs Python with PyTorch (`bash scripts/setup.sh python`); `GRADLAB_PYTHON` picks the
//! interpreter (default `python3`). Skipped loudly without it unless
//! `GRADLAB_REQUIRE_TORCH=1`.

#[path = "pytorch_export/support.rs"]
mod support;

use gradlab::experiment::{preset, Budget, ExperimentConfig};
use gradlab::nn::parse_stack;
use gradlab::optim::OptimizerKind;
use support::*;

/// Weights agree this closely after the steps below (the issue's bound).
const WEIGHT_TOL: f32 = 1e-4;
/// Losses and metrics agree this closely, relative to their size.
const METRIC_TOL: f64 = 1e-4;

fn with_steps(mut c: ExperimentConfig, steps: u64, eval_every: u64) -> ExperimentConfig {
    c.budget = Budget::Steps(steps);
    c.eval_every = eval_every;
    c
}

/// Export `config`, run both, compare.
fn check_matches(config: ExperimentConfig, name: &str) {
    let dir = export(&config, name);
    let (theirs, metrics) = train_py(&dir, "out", &[]);
    let (ours, history) = gradlab_run(&config);
    let diff = max_weight_diff(&ours, &theirs);
    assert!(
        diff <= WEIGHT_TOL,
        "{name}: weights differ by {diff} (> {WEIGHT_TOL})"
    );
    assert_same_history(&history, &metrics["history"], METRIC_TOL, name);
    let Budget::Steps(steps) = config.budget else {
        unreachable!("the tests set steps")
    };
    assert_eq!(metrics["steps"], steps, "{name}");
    assert_eq!(metrics["backend"], "pytorch", "{name}");
    eprintln!("{name}: weights within {diff:e} after {steps} steps");
}

#[test]
fn mlp_with_adam_l2_and_clipping_matches_gradlab() {
    if !torch_ready("mlp_with_adam_l2_and_clipping_matches_gradlab") {
        return;
    }
    // Iris: standardised, ReLU, three classes (macro metrics), L2 0.01; 105 training rows
    // in batches of 16 (the last one 9 rows): 30 steps cross four epochs.
    let mut c = with_steps(preset("iris").unwrap(), 30, 7);
    c.optimizer.clip_norm = Some(0.5);
    check_matches(c, "iris_adam");
}

#[test]
fn mlp_with_sgd_momentum_matches_gradlab() {
    if !torch_ready("mlp_with_sgd_momentum_matches_gradlab") {
        return;
    }
    // Diabetes: regression on standardised targets (metrics in original units), MSE.
    let mut c = with_steps(preset("diabetes").unwrap(), 25, 10);
    c.optimizer.kind = OptimizerKind::Momentum;
    c.optimizer.lr = 0.01;
    c.optimizer.l1 = 0.001;
    check_matches(c.clone(), "diabetes_momentum");
    // Nesterov on a 2-D pattern, on the same path.
    let mut c = with_steps(preset("xor").unwrap(), 30, 0);
    c.optimizer.kind = OptimizerKind::Momentum;
    c.optimizer.nesterov = true;
    c.optimizer.lr = 0.05;
    check_matches(c, "xor_nesterov");
}

#[test]
fn adamw_with_softmax_mse_matches_gradlab() {
    if !torch_ready("adamw_with_softmax_mse_matches_gradlab") {
        return;
    }
    let mut c = with_steps(preset("spiral").unwrap(), 30, 10);
    c.optimizer.kind = OptimizerKind::AdamW;
    c.optimizer.weight_decay = 0.1;
    c.optimizer.l2 = 0.001;
    c.loss = gradlab::experiment::LossKind::Mse;
    check_matches(c, "spiral_adamw_mse");
}

#[test]
fn cnn_matches_gradlab() {
    if !torch_ready("cnn_matches_gradlab") {
        return;
    }
    // The 8x8 digits through conv-relu-maxpool twice, flatten, dense (gradlab's preset).
    check_matches(
        with_steps(preset("digits-cnn").unwrap(), 12, 6),
        "digits_cnn",
    );
}

/// The PyTorch model's class probabilities for the first rows of the test split, and
/// the same rows as CSV: read back by `train.py`'s own loader and model.
const PREDICT: &str = r#"
import json, sys
import torch
import train
x = train.read_safetensors("data.safetensors")[0]["test_x"][:12]
with open("rows.csv", "w") as f:
    f.write("x1,x2\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in x.tolist()))
model = train.build_model()
model.load_state_dict(train.read_safetensors("out/model.safetensors")[0])
model.eval()
with torch.no_grad():
    print(json.dumps(torch.softmax(model(x), dim=1).tolist()))
"#;

#[test]
fn the_trained_model_file_opens_in_gradlab_predict_with_the_same_predictions() {
    let test = "the_trained_model_file_opens_in_gradlab_predict_with_the_same_predictions";
    if !torch_ready(test) {
        return;
    }
    // XOR on x1, x2 without standardisation: the CSV's raw rows are the model's inputs.
    let config = with_steps(preset("xor").unwrap(), 60, 0);
    let dir = export(&config, "predict");
    train_py(&dir, "out", &[]);
    let torch_probs: Vec<Vec<f64>> =
        serde_json::from_str(run_python(&dir, &["-c", PREDICT]).trim()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args([
            "predict",
            "--json",
            "--model",
            "out/model.safetensors",
            "rows.csv",
        ])
        .current_dir(&dir)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), torch_probs.len());
    for (a, p) in answers.iter().zip(&torch_probs) {
        // Class names in class order (xor's are "negative", "positive").
        let probs = a["probabilities"].as_object().unwrap();
        let ours = [
            probs["negative"].as_f64().unwrap(),
            probs["positive"].as_f64().unwrap(),
        ];
        for (x, y) in ours.iter().zip(p) {
            assert!((x - y).abs() < 1e-5, "gradlab {ours:?}, pytorch {p:?}");
        }
        let best = if p[1] > p[0] { "positive" } else { "negative" };
        assert_eq!(a["predicted"], best);
    }
}

#[test]
fn every_other_layer_kind_matches_gradlab() {
    if !torch_ready("every_other_layer_kind_matches_gradlab") {
        return;
    }
    // Average pooling, GELU (tanh form), layer norm, a residual block, sigmoid, the
    // identity activation, on the 8x8 digits.
    let mut c = preset("digits-cnn").unwrap();
    c.model = Some(
        parse_stack(
            "conv(4,3,1,1),gelu,avgpool(2),flatten,dense(16),\
             res(layernorm,dense(16),sigmoid),linear,dense(10)",
        )
        .unwrap(),
    );
    check_matches(with_steps(c, 12, 6), "digits_layers");
}

#[test]
fn a_model_with_dropout_starts_where_gradlab_starts() {
    if !torch_ready("a_model_with_dropout_starts_where_gradlab_starts") {
        return;
    }
    // PyTorch draws its own dropout masks, so only what comes before the first training
    // step can match: the initial weights' evaluation (dropout is off there).
    let mut c = preset("digits-cnn").unwrap();
    c.model = Some(parse_stack("flatten,dense(32),relu,dropout(0.25),dense(10)").unwrap());
    let c = with_steps(c, 5, 5);
    let dir = export(&c, "dropout");
    let (_, metrics) = train_py(&dir, "out", &[]);
    let (_, history) = gradlab_run(&c);
    let first = |h: &serde_json::Value| serde_json::Value::Array(vec![h[0].clone()]);
    assert_same_history(
        &first(&history),
        &first(&metrics["history"]),
        METRIC_TOL,
        "dropout",
    );
    assert_eq!(metrics["steps"], 5);
}
