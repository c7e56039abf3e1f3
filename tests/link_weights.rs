//! Trained weights in a link and in files: export -> import -> identical predictions;
//! a big model's link leaves them out and says so; a damaged or mismatched blob or file
//! is refused naming the first problem, and leaves the runner unchanged.

use gradlab::experiment::link::{decode_weights, encode_weights, model_shapes, MAX_WEIGHTS_CHARS};
use gradlab::experiment::{
    decode_link, encode_link, from_safetensors, preset, presets, to_safetensors, Budget,
    NamedWeight, Runner,
};
use gradlab::platform::block_on;
use gradlab::rng::Rng;
use gradlab::Device;

/// A runner of `name` trained for `steps` steps on the CPU.
fn trained(name: &str, steps: u64) -> Runner {
    let mut c = preset(name).unwrap();
    c.budget = Budget::Steps(steps);
    let mut r = Runner::new(c, Device::Cpu).unwrap();
    r.train_steps(steps).unwrap();
    r
}

/// The model's outputs on the test rows, as bits.
fn predictions(r: &Runner) -> Vec<u32> {
    let t = r.test_data();
    let out = block_on(r.predict(&t.x, t.n)).unwrap();
    out.into_iter().map(f32::to_bits).collect()
}

/// A link's weights are checked against shapes computed from the config alone: they
/// must be the names and shapes of the model every preset builds.
#[test]
fn shapes_match_the_model_every_preset_builds() {
    for p in presets() {
        let config = (p.config)();
        let runner = Runner::new(config.clone(), Device::Cpu).unwrap();
        let built: Vec<(String, Vec<usize>)> = block_on(runner.weights())
            .unwrap()
            .into_iter()
            .map(|w| (w.name, w.shape))
            .collect();
        assert_eq!(model_shapes(&config), built, "{}", p.name);
    }
}

#[test]
fn a_link_with_weights_replays_identical_predictions() {
    for name in ["spiral", "circle", "sine-regression", "iris"] {
        let r = trained(name, 40);
        let w = block_on(r.weights()).unwrap();
        let link = encode_link(r.config(), Some(r.step_count()), Some(&w)).unwrap();
        assert_eq!(link.weights_note, None, "{name}");
        assert!(link.fragment.contains("&run=40&w="), "{name}");
        let d = decode_link(&link.fragment).unwrap();
        assert!(d.warnings.is_empty(), "{name}: {:?}", d.warnings);
        assert_eq!(d.weights.as_ref(), Some(&w), "{name}");
        let mut fresh = Runner::new(d.config, Device::Cpu).unwrap();
        assert_ne!(
            predictions(&fresh),
            predictions(&r),
            "{name}: untrained differs"
        );
        fresh.load_weights(&d.weights.unwrap()).unwrap();
        assert_eq!(predictions(&fresh), predictions(&r), "{name}");
    }
}

#[test]
fn a_safetensors_file_imports_with_identical_predictions() {
    let r = trained("wine", 30);
    let file = to_safetensors(&block_on(r.weights()).unwrap(), r.config()).unwrap();
    let (weights, config_json) = from_safetensors(&file).unwrap();
    // The file orders tensors by name, not by layer: loading matches by name.
    let mut fresh = Runner::new(
        serde_json::from_str(&config_json.unwrap()).unwrap(),
        Device::Cpu,
    )
    .unwrap();
    fresh.load_weights(&weights).unwrap();
    assert_eq!(predictions(&fresh), predictions(&r));
}

#[test]
fn a_big_models_link_leaves_the_weights_out_and_says_so() {
    let r = trained("digits", 1);
    let w = block_on(r.weights()).unwrap();
    let link = encode_link(r.config(), Some(1), Some(&w)).unwrap();
    let note = link.weights_note.expect("digits is too big for a link");
    assert!(note.contains("safetensors"), "{note}");
    assert!(!link.fragment.contains("&w="));
    assert!(encode_weights(&w, r.config()).is_err());
    // The link is still the experiment.
    assert_eq!(decode_link(&link.fragment).unwrap().config, *r.config());
}

#[test]
fn a_damaged_blob_is_refused_with_a_warning_and_no_weights() {
    let r = trained("spiral", 5);
    let w = block_on(r.weights()).unwrap();
    let blob = encode_weights(&w, r.config()).unwrap();
    assert!(blob.len() <= MAX_WEIGHTS_CHARS);
    assert_eq!(decode_weights(&blob, r.config()).unwrap(), w);
    let mut rng = Rng::new(3);
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for i in 0..3000 {
        let mut b = blob.clone().into_bytes();
        match i % 3 {
            0 => {
                let at = 9 + rng.below(b.len() - 9);
                let old = b[at];
                while b[at] == old {
                    b[at] = alphabet[rng.below(64)];
                }
            }
            1 => b.truncate(rng.below(b.len())),
            _ => {
                b = (0..rng.below(400))
                    .map(|_| alphabet[rng.below(64)])
                    .collect()
            }
        }
        let text = String::from_utf8(b).unwrap();
        if text == blob {
            continue;
        }
        let e = decode_weights(&text, r.config()).unwrap_err().to_string();
        assert!(e.contains("weights"), "{e}");
    }
    // Inside a link: the config stands, the weights are dropped with a warning.
    let link = encode_link(r.config(), None, Some(&w)).unwrap().fragment;
    let damaged = link
        .replacen("&w=A", "&w=B", 1)
        .replacen("&w=", "&w=AAAA", 1);
    let d = decode_link(&damaged).unwrap();
    assert_eq!(d.weights, None);
    assert!(d.warnings.iter().any(|w| w.key == "w"), "{:?}", d.warnings);
}

#[test]
fn a_blob_for_another_model_names_the_first_mismatch() {
    let r = trained("spiral", 5);
    let w = block_on(r.weights()).unwrap();
    let link = encode_link(r.config(), None, Some(&w)).unwrap().fragment;
    // The same blob under an 8-4 net: layer 2 differs.
    let other = link.replace("&hidden=8,8&", "&hidden=8,4&");
    let d = decode_link(&other).unwrap();
    let warning = d
        .warnings
        .iter()
        .find(|w| w.key == "w")
        .expect("a weights warning");
    assert!(
        warning.message.contains("'2.weight'"),
        "{}",
        warning.message
    );
    assert_eq!(d.weights, None);
}

#[test]
fn load_weights_names_the_first_mismatch_and_changes_nothing() {
    let r = trained("circle", 3);
    let good = block_on(r.weights()).unwrap();
    let mut target = Runner::new(r.config().clone(), Device::Cpu).unwrap();
    let before = predictions(&target);
    let edit = |f: &dyn Fn(&mut Vec<NamedWeight>)| {
        let mut w = good.clone();
        f(&mut w);
        w
    };
    let cases: Vec<(Vec<NamedWeight>, &str)> = vec![
        (edit(&|w| drop(w.remove(1))), "'0.bias' [4] is missing"),
        (
            edit(&|w| w[2].shape = vec![4, 2]),
            "'2.weight' has shape [4, 2]",
        ),
        (edit(&|w| w[3].data.truncate(1)), "'2.bias' has 1 values"),
        (edit(&|w| w[0].data[0] = f32::NAN), "'0.weight' holds NaN"),
        (edit(&|w| w.push(w[0].clone())), "'0.weight' is given twice"),
        (
            edit(&|w| {
                w.push(NamedWeight {
                    name: "9.bias".into(),
                    shape: vec![1],
                    data: vec![0.0],
                })
            }),
            "no tensor '9.bias'",
        ),
    ];
    for (weights, needle) in cases {
        let e = target.load_weights(&weights).unwrap_err().to_string();
        assert!(e.contains(needle), "expected {needle:?} in {e}");
        assert_eq!(
            predictions(&target),
            before,
            "a failed load changed the model"
        );
    }
    // Any order is fine.
    let mut reversed = good.clone();
    reversed.reverse();
    target.load_weights(&reversed).unwrap();
    assert_eq!(predictions(&target), predictions(&r));
}

#[test]
fn training_on_from_loaded_sgd_weights_matches_an_uninterrupted_run() {
    // Plain SGD keeps no state, so weights + step count are the whole training state.
    let mut c = preset("circle").unwrap();
    c.optimizer.kind = gradlab::optim::OptimizerKind::Sgd;
    c.optimizer.lr = 0.1;
    let mut straight = Runner::new(c.clone(), Device::Cpu).unwrap();
    straight.train_steps(30).unwrap();
    let mut first = Runner::new(c.clone(), Device::Cpu).unwrap();
    first.train_steps(10).unwrap();
    let link = encode_link(&c, Some(10), Some(&block_on(first.weights()).unwrap())).unwrap();
    let d = decode_link(&link.fragment).unwrap();
    // Replay: build, skip the recorded steps' batches by training them, then load.
    let mut resumed = Runner::new(d.config, Device::Cpu).unwrap();
    resumed.train_steps(d.steps.unwrap()).unwrap();
    resumed.load_weights(&d.weights.unwrap()).unwrap();
    resumed.train_steps(20).unwrap();
    assert_eq!(predictions(&resumed), predictions(&straight));
}
