//! `gradlab run`, `sample` and `predict` on text models made of the existing layers (a
//! character bigram table; a sentence classifier over flattened word embeddings), and
//! their clear refusals (exit code 2) of bad input.

use gradlab::data::text::{TextSet, SENTIMENT_VOCAB, SHAKESPEARE_IDS};
use gradlab::experiment::{encode_link, Budget, DataSource, ExperimentConfig, LossKind};
use gradlab::nn::parse_stack;
use gradlab::optim::{OptimizerConfig, OptimizerKind};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gradlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .output()
        .expect("the gradlab binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlab-text-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn text_config(set: TextSet, model: &str, context: usize) -> ExperimentConfig {
    ExperimentConfig {
        data: DataSource::Text(set),
        hidden: Vec::new(),
        activations: Vec::new(),
        model: Some(parse_stack(model).unwrap()),
        loss: LossKind::CrossEntropy,
        test_fraction: if set.is_language_model() { 0.1 } else { 0.2 },
        context,
        batch_size: 32,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Adam,
            lr: 0.05,
            weight_decay: 0.0,
            ..OptimizerConfig::default()
        },
        budget: Budget::Steps(40),
        eval_every: 20,
        ..ExperimentConfig::default()
    }
}

/// Train `config` with `gradlab run LINK --out DIR`; returns the model file.
fn train(config: &ExperimentConfig, name: &str) -> (PathBuf, String) {
    let link = encode_link(config, None, None).unwrap().fragment;
    let dir = scratch(name);
    let out = gradlab(&["run", &link, "--out", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (dir.join("model.safetensors"), stdout)
}

fn sample(model: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["sample", "--model", model.to_str().unwrap()];
    args.extend_from_slice(extra);
    gradlab(&args)
}

fn refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(needle), "'{needle}' not in: {err}");
}

#[test]
fn a_character_model_runs_samples_deterministically_and_refuses_bad_prompts() {
    let v = SHAKESPEARE_IDS;
    let config = text_config(TextSet::Shakespeare, &format!("embed({v},{v})"), 16);
    let (model, stdout) = train(&config, "bigram");
    assert!(stdout.contains("tokens/s"), "{stdout}");
    assert!(stdout.contains("bits/char"), "{stdout}");
    let metrics: Value = serde_json::from_str(
        &std::fs::read_to_string(model.with_file_name("metrics.json")).unwrap(),
    )
    .unwrap();
    let fin = &metrics["final"];
    let bpc = fin["bits_per_char"].as_f64().unwrap();
    let val = fin["test_loss"].as_f64().unwrap();
    assert!((bpc - val / std::f64::consts::LN_2).abs() < 1e-9);
    assert!(metrics["tokens_per_s"].as_f64().unwrap() > 0.0);

    let args = [
        "--prompt", "KING:", "--chars", "60", "--seed", "5", "--top-k", "10",
    ];
    let a = sample(&model, &args);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = sample(&model, &args);
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    assert!(text.starts_with("KING:"));
    assert_eq!(text.trim_end_matches('\n').chars().count(), 65);
    let c = sample(
        &model,
        &["--prompt", "KING:", "--chars", "60", "--seed", "6"],
    );
    assert_ne!(c.stdout, text.as_bytes());

    refused(&sample(&model, &["--prompt", ""]), "empty");
    refused(&sample(&model, &["--prompt", "KING€"]), "'€'");
    refused(&sample(&model, &["--temperature", "-1"]), "--temperature");
    // The character model is no classifier.
    let out = gradlab(&["predict", "--model", model.to_str().unwrap(), "some words"]);
    refused(&out, "gradlab sample");
}

#[test]
fn a_sentiment_model_predicts_sentences_and_is_no_sampler() {
    let model = format!("embed({SENTIMENT_VOCAB},8),flatten,dense(2)");
    let config = text_config(TextSet::Sentiment, &model, 16);
    let (file, stdout) = train(&config, "sentiment");
    assert!(
        stdout.contains("accuracy") && stdout.contains("f1"),
        "{stdout}"
    );
    let m = file.to_str().unwrap();
    let out = gradlab(&[
        "predict",
        "--model",
        m,
        "--json",
        "The food was great",
        "awful.",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 2);
    for r in rows.as_array().unwrap() {
        let p = &r["probabilities"];
        let sum = p["negative"].as_f64().unwrap() + p["positive"].as_f64().unwrap();
        assert!((sum - 1.0).abs() < 1e-5);
    }
    refused(
        &sample(&file, &["--prompt", "hi"]),
        "not a character language model",
    );
    // A model of a table preset has no vocabulary.
    let dir = scratch("iris");
    let out = gradlab(&[
        "run",
        "iris",
        "--steps",
        "3",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    refused(
        &sample(&dir.join("model.safetensors"), &[]),
        "not a text model",
    );
}
