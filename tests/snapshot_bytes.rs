//! A run saved as bytes (what the page keeps in IndexedDB) and restored continues
//! exactly: on the CPU backend its weights equal, bit for bit, those of a run that never
//! stopped; its history is kept. Bytes that are not a saved run of this experiment
//! (truncated, corrupt, foreign, another format, another model) give an error, never a
//! panic.

use gradlab::data::text::SHAKESPEARE_IDS;
use gradlab::experiment::{
    decode_saved_run, encode_saved_run, preset, saved_run_bytes, Budget, ExperimentConfig, Runner,
    SavedRun, SAVED_RUN_FORMAT, SAVED_RUN_HEADER_BYTES,
};
use gradlab::nn::parse_stack;
use gradlab::optim::OptimizerKind;
use gradlab::platform::block_on;
use gradlab::Device;

fn weights_bits(r: &Runner) -> Vec<u32> {
    block_on(r.weights())
        .unwrap()
        .iter()
        .flat_map(|w| w.data.iter().map(|v| v.to_bits()))
        .collect()
}

/// Iris trained by Adam (the table presets' optimizer of choice).
fn iris_adam() -> ExperimentConfig {
    let mut c = preset("iris").unwrap();
    c.optimizer.kind = OptimizerKind::Adam;
    c
}

/// The `shakespeare-char` preset (its data, AdamW with warmup, cosine decay and
/// clipping) with a model and windows small enough for a test: one causal block.
fn small_shakespeare() -> ExperimentConfig {
    let v = SHAKESPEARE_IDS;
    let mut c = preset("shakespeare-char").unwrap();
    c.model = Some(
        parse_stack(&format!(
            "embed({v},16),pos(8),res(layernorm,attn(2,causal)),\
             res(layernorm,dense(32),gelu,dense(16)),layernorm,dense({v})"
        ))
        .unwrap(),
    );
    c.context = 8;
    c.batch_size = 4;
    c.optimizer.warmup_steps = 3;
    c
}

/// `config` trained `first` steps (a history point at 0 and at `first`), saved to bytes
/// and dropped; restored from the bytes alone, trained `then` more steps: the weights
/// and history equal those of one run of `first + then` steps recorded at the same
/// steps.
fn resumed_equals_uninterrupted(name: &str, mut config: ExperimentConfig, first: u64, then: u64) {
    config.budget = Budget::Steps(first + then);
    let mut straight = Runner::new(config.clone(), Device::Cpu).unwrap();
    block_on(straight.record()).unwrap();
    straight.train_steps(first).unwrap();
    block_on(straight.record()).unwrap();
    straight.train_steps(then).unwrap();
    block_on(straight.record()).unwrap();

    let mut interrupted = Runner::new(config.clone(), Device::Cpu).unwrap();
    block_on(interrupted.record()).unwrap();
    interrupted.train_steps(first).unwrap();
    block_on(interrupted.record()).unwrap();
    let snap = block_on(interrupted.snapshot()).unwrap();
    let bytes = encode_saved_run(interrupted.config(), &snap, 1.7e12).unwrap();
    drop(interrupted);

    let saved = decode_saved_run(&bytes).unwrap();
    assert_eq!(
        saved.config().unwrap(),
        config,
        "{name}: the link keeps the config"
    );
    let mut resumed = Runner::resume_saved(&saved, Device::Cpu).unwrap();
    assert_eq!(resumed.step_count(), first, "{name}");
    resumed.train_steps(then).unwrap();
    block_on(resumed.record()).unwrap();
    assert_eq!(
        weights_bits(&resumed),
        weights_bits(&straight),
        "{name}: the resumed run's weights differ from the uninterrupted run's"
    );
    assert_eq!(resumed.history(), straight.history(), "{name}: history");
}

#[test]
fn a_table_preset_with_adam_resumes_bit_identically() {
    let c = iris_adam();
    assert_eq!(c.optimizer.kind, OptimizerKind::Adam);
    resumed_equals_uninterrupted("iris (Adam)", c, 13, 17);
}

#[test]
fn a_cnn_stack_resumes_bit_identically() {
    resumed_equals_uninterrupted("digits-cnn", preset("digits-cnn").unwrap(), 5, 4);
}

#[test]
fn a_language_model_resumes_with_its_window_stream() {
    let c = small_shakespeare();
    let mut r = Runner::new(c.clone(), Device::Cpu).unwrap();
    r.train_steps(2).unwrap();
    // The stream's position is in the snapshot (a table run's batch order follows from
    // the step, a language model's windows do not).
    let snap = block_on(r.snapshot()).unwrap();
    assert_eq!(snap.data_position, 2);
    resumed_equals_uninterrupted("shakespeare-char (small)", c, 4, 5);
}

#[test]
fn sentiment_resumes_bit_identically() {
    resumed_equals_uninterrupted("sentiment", preset("sentiment").unwrap(), 3, 3);
}

/// A small saved run with history (metrics and a confusion matrix) and Adam's state.
fn small_saved() -> (ExperimentConfig, Vec<u8>, SavedRun) {
    let config = iris_adam();
    let mut r = Runner::new(config.clone(), Device::Cpu).unwrap();
    block_on(r.record()).unwrap();
    r.train_steps(3).unwrap();
    block_on(r.record()).unwrap();
    let snap = block_on(r.snapshot()).unwrap();
    let bytes = encode_saved_run(&config, &snap, 1_764_577_200_000.0).unwrap();
    let saved = SavedRun {
        link: gradlab::experiment::encode_link(&config, None, None)
            .unwrap()
            .fragment,
        saved_at_ms: 1_764_577_200_000.0,
        snapshot: snap,
    };
    (config, bytes, saved)
}

#[test]
fn a_saved_run_round_trips() {
    let (config, bytes, want) = small_saved();
    let got = decode_saved_run(&bytes).unwrap();
    assert_eq!(got, want);
    assert!(got.snapshot.history[1].metrics.confusion.is_some());
    assert_eq!(
        got.snapshot.optimizer_state[0].len(),
        2,
        "Adam's two moments"
    );
    assert_eq!(got.config().unwrap(), config);
    // The size estimate covers the weights and Adam's moments (history aside).
    let floor = saved_run_bytes(&config);
    assert!(bytes.len() as u64 >= floor && (bytes.len() as u64) < floor + 2048);
}

#[test]
fn every_truncation_is_an_error() {
    let (_, bytes, _) = small_saved();
    for n in 0..bytes.len() {
        let err = decode_saved_run(&bytes[..n]).expect_err("a truncated save must fail");
        assert!(!err.to_string().is_empty());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode_saved_run(&longer).is_err());
}

#[test]
fn a_flipped_byte_is_an_error() {
    let (_, bytes, _) = small_saved();
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x5a;
        // The saved-at stamp is the one field outside the checksum and any bits are a time.
        if (16..24).contains(&i) {
            continue;
        }
        assert!(
            decode_saved_run(&b).is_err(),
            "byte {i} flipped was accepted"
        );
    }
}

#[test]
fn foreign_bytes_and_other_formats_are_refused() {
    for foreign in [
        &b""[..],
        b"GLAB",
        b"hello, world",
        b"\x89PNG\r\n\x1a\n0000000000000000",
    ] {
        let err = decode_saved_run(foreign).unwrap_err().to_string();
        assert!(err.contains("not a gradlab saved run"), "{err}");
    }
    let (_, bytes, _) = small_saved();
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(SAVED_RUN_FORMAT + 1).to_le_bytes());
    let err = decode_saved_run(&newer).unwrap_err().to_string();
    assert!(
        err.contains(&format!("format {}", SAVED_RUN_FORMAT + 1)),
        "{err}"
    );
}

#[test]
fn lengths_are_checked_before_allocating() {
    // A valid header and checksum over a payload whose link claims 4 GiB.
    let payload = [0xff, 0xff, 0xff, 0xff, b'#', b'v'];
    let (_, bytes, _) = small_saved();
    let mut b = bytes[..SAVED_RUN_HEADER_BYTES].to_vec();
    b[24..32].copy_from_slice(&(payload.len() as u64).to_le_bytes());
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in &payload {
        h ^= x as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    b[32..40].copy_from_slice(&h.to_le_bytes());
    b.extend_from_slice(&payload);
    let err = decode_saved_run(&b).unwrap_err().to_string();
    assert!(err.contains("truncated"), "{err}");
}

#[test]
fn a_saved_run_of_another_model_is_refused() {
    let spiral = preset("spiral").unwrap();
    let r = Runner::new(spiral.clone(), Device::Cpu).unwrap();
    let snap = block_on(r.snapshot()).unwrap();
    // Saved under iris's link: its config does not fit the weights.
    let bytes = encode_saved_run(&iris_adam(), &snap, 0.0).unwrap();
    let saved = decode_saved_run(&bytes).unwrap();
    let err = saved.config().unwrap_err().to_string();
    assert!(err.contains("does not match"), "{err}");
    assert!(Runner::resume_saved(&saved, Device::Cpu).is_err());
    // The same model with another optimizer: Adam's two moments do not fit momentum.
    let (_, _, adam) = small_saved();
    let mut momentum = iris_adam();
    momentum.optimizer.kind = OptimizerKind::Momentum;
    momentum.optimizer.momentum = 0.9;
    let err = Runner::restore(momentum, Device::Cpu, &adam.snapshot)
        .err()
        .expect("must fail")
        .to_string();
    assert!(err.contains("optimizer state"), "{err}");
}
