//! `gradlab translate` on a model file from `gradlab run`: one line per text, greedy
//! and beam search, the file's metadata (config and both vocabularies), and a clear
//! refusal (exit code 2) of each kind of bad input.

use gradlab::experiment::{
    encode_link, parse_vocab, preset, safetensors_metadata, Budget, ExperimentConfig, Seq2SeqSpec,
    TextVocab, CONFIG_KEY, VOCAB_KEY,
};
use std::path::PathBuf;
use std::process::{Command, Output};

fn gradlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .output()
        .expect("the gradlab binary runs")
}

/// `gradlab run LINK --out DIR` of `config`; the model file.
fn train(config: &ExperimentConfig, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlab-tr-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let link = encode_link(config, None, None).unwrap().fragment;
    let out = gradlab(&["run", &link, "--out", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("exact match"), "{stdout}");
    assert!(stdout.contains("token accuracy"), "{stdout}");
    dir.join("model.safetensors")
}

fn tiny() -> ExperimentConfig {
    ExperimentConfig {
        samples: 100,
        test_fraction: 0.2,
        batch_size: 8,
        budget: Budget::Steps(2),
        eval_every: 2,
        seq2seq: Some(Seq2SeqSpec {
            dim: 8,
            heads: 2,
            ff: 16,
            encoder_layers: 1,
            decoder_layers: 1,
        }),
        ..preset("translate-dates").unwrap()
    }
}

fn refused(out: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(err.contains(needle), "'{needle}' not in: {err}");
}

#[test]
fn translate_prints_one_date_per_text_and_refuses_bad_input() {
    let model = train(&tiny(), "dates");
    let m = model.to_str().unwrap();
    let bytes = std::fs::read(&model).unwrap();
    let vocab = safetensors_metadata(&bytes, VOCAB_KEY).unwrap().unwrap();
    assert!(matches!(
        parse_vocab(&vocab).unwrap(),
        TextVocab::Dates { .. }
    ));
    let config = safetensors_metadata(&bytes, CONFIG_KEY).unwrap().unwrap();
    assert!(config.contains("\"seq2seq\""), "{config}");

    for beam in ["1", "3"] {
        let out = gradlab(&[
            "translate",
            "--model",
            m,
            "--beam",
            beam,
            "Mar 3 21",
            "2021年3月3日",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 2, "{stdout}");
        assert!(lines[0].starts_with("Mar 3 21\t"), "{stdout}");
        assert!(lines[1].starts_with("2021年3月3日\t"), "{stdout}");
    }
    // The same answer twice (the CPU decodes deterministically).
    let again =
        |beam: &str| gradlab(&["translate", "--model", m, "--beam", beam, "3 Mar 2021"]).stdout;
    assert_eq!(again("2"), again("2"));

    refused(
        &gradlab(&["translate", "--model", m, "3 März 2021"]),
        "is not in the vocabulary",
    );
    refused(&gradlab(&["translate", "--model", m, ""]), "empty");
    refused(
        &gradlab(&["translate", "--model", m, &"1".repeat(50)]),
        "at most 38",
    );
    refused(
        &gradlab(&["translate", "--model", m, "--beam", "6", "Mar 3 21"]),
        "1 to 5",
    );
    refused(
        &gradlab(&["translate", "--model", m, "--beam", "0", "Mar 3 21"]),
        "1 to 5",
    );
    refused(&gradlab(&["translate", "--model", m]), "at least one TEXT");
    refused(&gradlab(&["translate", "Mar 3 21"]), "needs --model");
    refused(
        &gradlab(&["translate", "--model", "/nonexistent/m.safetensors", "x"]),
        "nonexistent",
    );
    // The other text commands send a translator here.
    refused(
        &gradlab(&["predict", "--model", m, "good"]),
        "use gradlab translate",
    );
    refused(
        &gradlab(&["sample", "--model", m]),
        "not a character language model",
    );
}

#[test]
fn translate_refuses_a_model_of_another_kind() {
    let xor = train_other();
    refused(
        &gradlab(&["translate", "--model", xor.to_str().unwrap(), "Mar 3 21"]),
        "not a text model",
    );
}

fn train_other() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gradlab-tr-xor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let c = ExperimentConfig {
        budget: Budget::Epochs(1),
        ..preset("xor").unwrap()
    };
    let link = encode_link(&c, None, None).unwrap().fragment;
    let out = gradlab(&["run", &link, "--out", dir.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("model.safetensors")
}
