//! The exported PyTorch project trains the date translator as gradlab does: a shrunk
//! encoder-decoder (width 16, 2 heads, MLPs of 32, one encoder and one decoder block) on
//! 300 generated date pairs, 20 steps of AdamW with warmup, cosine decay and clipping.
//! gradlab's CPU run and `train.py` on the CPU agree: weights within 1e-4 (but for the
//! attention key biases, bounded instead: see `pytorch_export_text.rs`), the same
//! history (losses, token accuracy, and exact match by greedy decoding in Python). Two
//! ranks under `torchrun` match one process; a run resumed from its checkpoint ends on
//! the same bits; the trained model file translates in `gradlab translate` exactly as
//! gradlab's own model does.
//!
//! Needs Python with PyTorch (see `pytorch_export.rs`).

#[path = "pytorch_export/support.rs"]
mod support;

use gradlab::data::text::DATE_SOURCE_LEN;
use gradlab::experiment::{
    prepare, preset, seq2seq_config, to_safetensors, Budget, ExperimentConfig, NamedWeight,
    Seq2SeqSpec, DATE_DECODE,
};
use gradlab::nn::{decode::greedy, seq2seq_param_shapes, ParamSet, Seq2Seq};
use gradlab::{Device, Tensor};
use support::*;

/// Weights agree this closely after the steps below (the bound).
const WEIGHT_TOL: f32 = 1e-4;
/// Losses and metrics agree this closely, relative to their size.
const METRIC_TOL: f64 = 1e-4;
/// `translate-dates` shrunk: 300 pairs (27 on held-out dates), batches of `batch`, 20
/// steps: 4 of warmup, the cosine to step 15, then the floor; clipping at 1 (the
/// preset's).
fn tiny_translator(batch: usize) -> ExperimentConfig {
    let mut c = preset("translate-dates").unwrap();
    c.samples = 300;
    c.seq2seq = Some(Seq2SeqSpec {
        dim: 16,
        heads: 2,
        ff: 32,
        encoder_layers: 1,
        decoder_layers: 1,
    });
    c.batch_size = batch;
    c.budget = Budget::Steps(20);
    c.eval_every = 10;
    let o = &mut c.optimizer;
    (o.warmup_steps, o.decay_steps, o.min_lr) = (4, 15, 1e-3);
    assert_eq!(o.clip_norm, Some(1.0), "the preset clips");
    c
}

#[test]
fn a_tiny_translator_matches_gradlab_and_translates_the_same() {
    if !torch_ready("a_tiny_translator_matches_gradlab_and_translates_the_same") {
        return;
    }
    let config = tiny_translator(16);
    let dir = export(&config, "seq2seq");
    let (theirs, metrics) = train_py(&dir, "out", &[]);
    let (ours, history) = gradlab_run(&config);

    // The model file has the encoder-decoder's names and shapes.
    let shapes = seq2seq_param_shapes(&seq2seq_config(&config).unwrap());
    assert_eq!(theirs.len(), shapes.len());
    for (name, dims) in &shapes {
        let w = theirs.iter().find(|w| &w.name == name);
        assert_eq!(w.map(|w| &w.shape), Some(dims), "{name}");
    }

    key_bias_within_bound(&ours, &config, "gradlab");
    key_bias_within_bound(&theirs, &config, "pytorch");
    let diff = max_weight_diff_except(&ours, &theirs, &is_key_bias);
    assert!(
        diff <= WEIGHT_TOL,
        "translator: weights differ by {diff} (> {WEIGHT_TOL})"
    );
    assert_same_history(&history, &metrics["history"], METRIC_TOL, "translator");
    let last = &metrics["final"];
    assert!(
        last["token_accuracy"].is_f64() && last["exact_match"].is_f64(),
        "the translator's metrics are reported: {last}"
    );
    eprintln!("translator: weights within {diff:e}");

    // `train.py`'s greedy decoding (its exact match) is gradlab's, token for token: the
    // test sources decoded by the PyTorch run's model in Python and in gradlab. A model
    // of 20 steps decodes no date right (exact match 0 on both sides), so the tokens
    // themselves are compared.
    let decode = "import json, train\n\
                  net = train.build_model()\n\
                  net.load_state_dict(train.read_safetensors('out/model.safetensors')[0])\n\
                  x = train.read_safetensors('data.safetensors')[0]['test_x']\n\
                  print(json.dumps(net.greedy(x[:, : net.source_len].long())))";
    let printed = run_python(&dir, &["-c", decode]);
    let in_python: Vec<Vec<u32>> =
        serde_json::from_str(printed.lines().last().unwrap_or_default()).unwrap();
    let in_gradlab = gradlab_greedy(&config, &theirs);
    assert_eq!(in_python, in_gradlab, "greedy decoding");
    assert!(
        in_python.iter().any(|tokens| tokens.len() > 1),
        "the decoded rows are not all empty: {in_python:?}"
    );

    // The trained model file translates as gradlab's own model does, greedy and beam.
    let bytes = to_safetensors(&ours, &config).unwrap();
    std::fs::write(dir.join("gradlab.safetensors"), bytes).unwrap();
    let texts = [
        "3rd of March, 2021",
        "Mar 3 21",
        "03.03.2021",
        "July 14 1999",
    ];
    for beam in ["1", "3"] {
        let translate = |model: &str| {
            let mut args = vec!["translate", "--model", model, "--beam", beam];
            args.extend(texts);
            gradlab_cli(&dir, &args)
        };
        let out = translate("out/model.safetensors");
        assert_eq!(out, translate("gradlab.safetensors"), "beam {beam}");
        assert_eq!(out.lines().count(), texts.len(), "{out}");
    }

    // Stopped at step 7 (mid-epoch: the batch order and the schedule's step are in the
    // checkpoint) and resumed, the run ends on the same bits as the straight one.
    train_py(&dir, "halves", &["--steps", "7"]);
    let (resumed, _) = train_py(&dir, "halves", &["--resume", "--steps", "20"]);
    assert_eq!(max_weight_diff(&theirs, &resumed), 0.0, "resumed");
}

/// gradlab's greedy decoding of `config`'s test sources by the encoder-decoder with
/// `weights`.
fn gradlab_greedy(config: &ExperimentConfig, weights: &[NamedWeight]) -> Vec<Vec<u32>> {
    let c = seq2seq_config(config).unwrap();
    let mut params = ParamSet::new();
    for (name, _) in seq2seq_param_shapes(&c) {
        let w = weights.iter().find(|w| w.name == name).unwrap();
        params.push(name, Tensor::from_slice(&w.data, &w.shape, &Device::Cpu));
    }
    let model = Seq2Seq::from_params(c, params).unwrap();
    let test = prepare(config).unwrap().test;
    let sources: Vec<Vec<u32>> = test
        .x
        .chunks(test.features)
        .map(|row| row[..DATE_SOURCE_LEN].iter().map(|&v| v as u32).collect())
        .collect();
    greedy(&model, &sources, &DATE_DECODE).unwrap()
}

#[test]
fn a_translator_under_torchrun_matches_one_process() {
    if !torch_ready("a_translator_under_torchrun_matches_one_process") {
        return;
    }
    // Batches of 9 pairs split 4 + 5; the loss is the mean over the whole batch's
    // targets that are not padding, counted on every rank.
    let config = tiny_translator(9);
    let dir = export(&config, "seq2seq_ddp");
    let diff = assert_transformer_ddp_matches(&dir, &config, "translator ddp");
    eprintln!("translator ddp: weights within {diff:e} of one process");
}
