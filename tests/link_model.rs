//! Links of layer stacks (version 2): a stack is written as `model=` and read back to
//! the same config, with its trained weights; an MLP is still written as version 1;
//! `hidden`/`act` remain shorthand in version 2; a stack that cannot be read or does not
//! fit its data is a warning and the default network, never an error or a panic.

use gradlab::data::RealSet;
use gradlab::experiment::{decode_link, encode_link, Budget, DataSource, ExperimentConfig, Runner};
use gradlab::nn::parse_stack;
use gradlab::platform::block_on;
use gradlab::Device;

fn digits_stack(text: &str) -> ExperimentConfig {
    ExperimentConfig {
        data: DataSource::Real(RealSet::Digits),
        standardize: true,
        test_fraction: 0.25,
        hidden: Vec::new(),
        activations: Vec::new(),
        model: Some(parse_stack(text).unwrap()),
        budget: Budget::Steps(8),
        batch_size: 16,
        ..ExperimentConfig::default()
    }
}

#[test]
fn a_stack_is_written_as_version_2_and_read_back_unchanged() {
    let text = "flatten,dense(16),relu,res(layernorm,dense(16),gelu),dropout(0.1),dense(10)";
    let config = digits_stack(text);
    let link = encode_link(&config, None, None).unwrap().fragment;
    assert!(link.starts_with("#v=2&data=digits&"), "{link}");
    assert!(link.contains(&format!("&model={text}&")), "{link}");
    assert!(
        !link.contains("&hidden=") && !link.contains("&act="),
        "{link}"
    );
    let d = decode_link(&link).unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.config, config);
}

#[test]
fn an_mlp_is_still_written_as_version_1() {
    let link = encode_link(&ExperimentConfig::default(), None, None)
        .unwrap()
        .fragment;
    assert!(link.starts_with("#v=1&"), "{link}");
    assert!(!link.contains("model="), "{link}");
}

#[test]
fn a_stack_with_its_weights_replays_the_same_predictions() {
    let config = digits_stack("flatten,dense(12),tanh,dense(10)");
    let mut r = Runner::new(config, Device::Cpu).unwrap();
    block_on(r.run(|_, _| {})).unwrap();
    let w = block_on(r.weights()).unwrap();
    let link = encode_link(r.config(), Some(r.step_count()), Some(&w)).unwrap();
    assert_eq!(link.weights_note, None);
    let d = decode_link(&link.fragment).unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.weights.as_deref(), Some(&w[..]));
}

#[test]
fn hidden_and_act_stay_shorthand_in_version_2() {
    let v1 = encode_link(&ExperimentConfig::default(), None, None)
        .unwrap()
        .fragment;
    let v2 = v1.replacen("#v=1&", "#v=2&", 1);
    let d = decode_link(&v2).unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(d.config, ExperimentConfig::default());
}

#[test]
fn a_bad_stack_is_a_warning_and_the_default_network() {
    let good = encode_link(&digits_stack("flatten,dense(10)"), None, None)
        .unwrap()
        .fragment;
    for (model, says) in [
        ("dense(10", "open"),
        ("flatten,wobble,dense(10)", "`wobble` is not a layer"),
        (
            "dense(10)",
            "the model gives [1, 8, 10] per example but the task needs [10]",
        ),
        (
            "flatten,dense(99999),dense(10)",
            "hidden[i] must be in 1..=1024",
        ),
        (
            "conv(4,9),flatten,dense(10)",
            "a 9x9 window (padding 0) does not fit in 8x8",
        ),
        (
            "conv(4,30),flatten,dense(10)",
            "kernel must be in 1..=15, got 30",
        ),
        ("none", ""),
    ] {
        let link = good.replace("model=flatten,dense(10)", &format!("model={model}"));
        let d = decode_link(&link).unwrap_or_else(|e| panic!("{model}: {e}"));
        assert_eq!(d.config.model, None, "{model}");
        let d_default = ExperimentConfig::default();
        assert_eq!(
            (d.config.hidden, d.config.activations),
            (d_default.hidden, d_default.activations),
            "{model}"
        );
        if !says.is_empty() {
            let w: Vec<String> = d.warnings.iter().map(|w| w.to_string()).collect();
            assert!(
                w.iter().any(|w| w.starts_with("model") && w.contains(says)),
                "{model}: {w:?}"
            );
        }
    }
}
