//! The exported PyTorch project trains the text models as gradlab does: a tiny causal
//! GPT on tiny Shakespeare (learned positions, causal attention, the head tied to the
//! embedding, nanoGPT's warmup-cosine schedule, AdamW decaying matrices only and not the
//! embedding tables, clipping) and a tiny sentiment encoder (padding id 0 hidden from
//! attention and mean pooling, evaluated in two chunks). gradlab's CPU run and `train.py`
//! on the CPU agree: weights within 1e-4, the same history (losses, bits per character
//! and perplexity; accuracy, F1 and the confusion matrix).
//!
//! But for one slice: the key projection's bias (`in_proj_bias[D..2D]`). A query's
//! scores all get the same `q . b_k` from it, and softmax ignores a shift shared by a
//! row, so its gradient is zero in exact arithmetic: what either run computes is rounding
//! noise (about 1e-9), which Adam divides by its own size into steps of about the
//! learning rate, in directions that differ between any two summation orders (gradlab's
//! and PyTorch's, or one process and two). It is checked against that bound instead:
//! both runs leave it within twice the sum of the step sizes of where it started (zero),
//! and the equal losses show that it changes nothing. Two ranks under `torchrun`
//! match one process; a GPT run resumed from its checkpoint ends on the same bits; the
//! trained GPT's model file samples the same text in
//! `gradlab sample` as gradlab's own model, and the encoder's classifies sentences in
//! `gradlab predict` with gradlab's own model's probabilities.
//!
//! Needs Python with PyTorch (see `pytorch_export.rs`).

#[path = "pytorch_export/support.rs"]
mod support;

use gradlab::experiment::{preset, Budget, ExperimentConfig};
use gradlab::nn::{parse_stack, InitScheme};
use support::*;

/// Weights agree this closely after the steps below (the bound).
const WEIGHT_TOL: f32 = 1e-4;
/// Losses and metrics agree this closely, relative to their size.
const METRIC_TOL: f64 = 1e-4;
/// `shakespeare-char` shrunk: one block of width 16 over 16 characters, batches of
/// `batch` windows, 12 steps: 3 of warmup, the cosine to step 9, then the floor.
fn tiny_gpt(batch: usize) -> ExperimentConfig {
    let mut c = preset("shakespeare-char").unwrap();
    c.model = Some(
        parse_stack(
            "embed(66,16),pos(16),res(layernorm,attn(2,causal)),\
             res(layernorm,dense(32),gelu,dense(16)),layernorm,unembed",
        )
        .unwrap(),
    );
    c.context = 16;
    // GPT-2's initialisation (the nanoGPT preset's): init.safetensors carries it.
    c.init = InitScheme::Gpt;
    c.batch_size = batch;
    c.budget = Budget::Steps(12);
    c.eval_every = 5;
    let o = &mut c.optimizer;
    (o.warmup_steps, o.decay_steps, o.min_lr) = (3, 9, 3e-4);
    // The embedding and position tables kept out of the decay: three parameter groups'
    // worth of rules (matrices, tables, vectors) in two PyTorch groups.
    o.decay_embeddings = false;
    c
}

/// `sentiment` shrunk: width 8, 16 tokens a sentence, 10 steps.
fn tiny_sentiment() -> ExperimentConfig {
    let mut c = preset("sentiment").unwrap();
    c.model = Some(parse_stack("embed(2048,8),res(attn(2)),meanpool,dense(2)").unwrap());
    c.context = 16;
    c.budget = Budget::Steps(10);
    c.eval_every = 5;
    c.optimizer.clip_norm = Some(1.0);
    c
}

/// Export `config`, run both on the CPU, compare; returns the export folder.
fn check_matches(config: &ExperimentConfig, name: &str) -> std::path::PathBuf {
    let dir = export(config, name);
    let (theirs, metrics) = train_py(&dir, "out", &[]);
    let (ours, history) = gradlab_run(config);
    key_bias_within_bound(&ours, config, "gradlab");
    key_bias_within_bound(&theirs, config, "pytorch");
    let diff = max_weight_diff_except(&ours, &theirs, &is_key_bias);
    assert!(
        diff <= WEIGHT_TOL,
        "{name}: weights differ by {diff} (> {WEIGHT_TOL})"
    );
    assert_same_history(&history, &metrics["history"], METRIC_TOL, name);
    eprintln!("{name}: weights within {diff:e}");
    dir
}

#[test]
fn a_tiny_gpt_with_warmup_cosine_matches_gradlab() {
    if !torch_ready("a_tiny_gpt_with_warmup_cosine_matches_gradlab") {
        return;
    }
    let config = tiny_gpt(4);
    let dir = check_matches(&config, "text_gpt");
    // The same model file samples the same text as gradlab's own.
    save_gradlab_model(&config, &dir);
    let sample = |model: &str| {
        gradlab_cli(
            &dir,
            &[
                "sample", "--model", model, "--prompt", "ROMEO:", "--chars", "80",
            ],
        )
    };
    let theirs = sample("out/model.safetensors");
    assert_eq!(theirs, sample("gradlab.safetensors"));
    assert!(theirs.starts_with("ROMEO:") && theirs.chars().count() > 80);

    // Stopped at step 7 (the window stream's position and the schedule's step are in the
    // checkpoint) and resumed, the run ends on the same bits as the straight one.
    train_py(&dir, "halves", &["--steps", "7"]);
    let (resumed, _) = train_py(&dir, "halves", &["--resume", "--steps", "12"]);
    let (straight, _) = read_outputs(&dir.join("out"));
    assert_eq!(max_weight_diff(&straight, &resumed), 0.0, "resumed");
}

#[test]
fn a_tiny_sentiment_encoder_matches_gradlab() {
    if !torch_ready("a_tiny_sentiment_encoder_matches_gradlab") {
        return;
    }
    let config = tiny_sentiment();
    let dir = check_matches(&config, "text_sentiment");
    // The trained model file classifies sentences as gradlab's own does.
    save_gradlab_model(&config, &dir);
    let predict = |model: &str| -> serde_json::Value {
        let sentences = [
            "a gripping, beautifully acted film",
            "the food was cold and the service slow",
            "not bad at all",
        ];
        let mut args = vec!["predict", "--json", "--model", model];
        args.extend(sentences);
        serde_json::from_str(&gradlab_cli(&dir, &args)).unwrap()
    };
    let (theirs, ours) = (
        predict("out/model.safetensors"),
        predict("gradlab.safetensors"),
    );
    let (theirs, ours) = (theirs.as_array().unwrap(), ours.as_array().unwrap());
    assert_eq!(theirs.len(), 3);
    for (a, b) in theirs.iter().zip(ours) {
        assert_eq!(a["class"], b["class"], "{a} vs {b}");
        for class in ["negative", "positive"] {
            let (x, y) = (
                a["probabilities"][class].as_f64().unwrap(),
                b["probabilities"][class].as_f64().unwrap(),
            );
            assert!((x - y).abs() < 1e-4, "{class}: pytorch {x}, gradlab {y}");
        }
    }
}

#[test]
fn a_language_model_under_torchrun_matches_one_process() {
    if !torch_ready("a_language_model_under_torchrun_matches_one_process") {
        return;
    }
    // Batches of 5 windows split 2 + 3.
    let config = tiny_gpt(5);
    let dir = export(&config, "text_ddp");
    let diff = assert_transformer_ddp_matches(&dir, &config, "text ddp");
    eprintln!("text ddp: weights within {diff:e} of one process");
}
