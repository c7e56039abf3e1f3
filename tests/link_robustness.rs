//! Experiment links: hostile input. Random and mutated links never panic and always give
//! a valid config or a clear error; each field's bad values give the expected warning and
//! the default or clamped value; oversize input and unknown versions are refused.

mod link;

use gradlab::experiment::link::MAX_LINK_BYTES;
use gradlab::experiment::{
    decode_link, encode_link, presets, validate, Budget, DecodedLink, ExperimentConfig,
    MAX_HIDDEN_UNITS, MAX_LR, MAX_SAMPLES, MAX_STEPS,
};
use gradlab::nn::Activation;
use gradlab::rng::Rng;

/// Decodes and checks the contract: a valid config, or an error with a message.
fn check(input: &str) -> Option<DecodedLink> {
    match decode_link(input) {
        Ok(d) => {
            assert_eq!(validate(&d.config), Ok(()), "{input}");
            for w in &d.warnings {
                assert!(!w.key.is_empty() && !w.message.is_empty(), "{input}: {w:?}");
            }
            Some(d)
        }
        Err(e) => {
            assert!(e.to_string().len() > 10, "{input}: {e}");
            None
        }
    }
}

/// Values that break parsers: non-numbers, non-finite, huge, negative, empty, lists.
const NASTY: &[&str] = &[
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e39",
    "-1",
    "0",
    "-0",
    "1e-45",
    "99999999999999999999999",
    "-99999999999999999999999999999999999999999",
    "1.5",
    "0x10",
    "none",
    ",,,",
    "8,,8",
    "%",
    "%zz",
    "%ff%fe",
    "true",
    "yes",
    "\u{0}",
    "é",
    "steps:",
    "epochs:-1",
    "steps:1e3",
    "epochs:99999999999",
    "1,2,3,4,5,6,7,8,9,10",
    "tanh,foo",
    "\u{202e}",
    "relu,relu,relu",
];

#[test]
fn thousands_of_mutated_links_never_panic_and_stay_valid() {
    let mut rng = Rng::new(77);
    let base: Vec<String> = presets()
        .iter()
        .map(|p| encode_link(&(p.config)(), Some(10), None).unwrap().fragment)
        .collect();
    let (mut ok, mut err) = (0, 0);
    for i in 0..6000 {
        let mut pairs: Vec<(String, String)> = base[i % base.len()][1..]
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        for _ in 0..1 + rng.below(4) {
            let j = rng.below(pairs.len().max(1));
            match rng.below(7) {
                0 if !pairs.is_empty() => pairs[j].1 = NASTY[rng.below(NASTY.len())].into(),
                1 if !pairs.is_empty() => {
                    pairs.remove(j);
                }
                2 if !pairs.is_empty() => pairs.push(pairs[j].clone()),
                3 => pairs.push(("zzz".into(), "1".into())),
                4 => rng.shuffle(&mut pairs),
                5 if !pairs.is_empty() => {
                    let other = encode_link(&link::random_valid(&mut rng), None, None).unwrap();
                    // A value taken from another key of a random link.
                    let vals: Vec<&str> = other.fragment[1..]
                        .split('&')
                        .filter_map(|kv| kv.split('=').nth(1))
                        .collect();
                    pairs[j].1 = vals[rng.below(vals.len())].into();
                }
                _ => {}
            }
        }
        let mut text: String = pairs
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        // Byte-level damage: drop, insert or replace a character.
        if rng.below(3) == 0 && !text.is_empty() {
            let mut chars: Vec<char> = text.chars().collect();
            let at = rng.below(chars.len());
            let c = char::from_u32(32 + rng.below(95) as u32).unwrap();
            match rng.below(3) {
                0 => {
                    chars.remove(at);
                }
                1 => chars.insert(at, c),
                _ => chars[at] = c,
            }
            text = chars.into_iter().collect();
        }
        match check(&format!("#{text}")) {
            Some(_) => ok += 1,
            None => err += 1,
        }
    }
    // Damage mostly costs warnings, not the whole link.
    assert!(ok > 5000, "{ok} decoded, {err} refused");
}

#[test]
fn random_strings_never_panic() {
    let mut rng = Rng::new(78);
    let alphabet: Vec<char> = "v=1&#?%,:.-+eE0123456789abcdefxyzé\u{0}".chars().collect();
    for _ in 0..5000 {
        let len = rng.below(120);
        let s: String = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        check(&s);
        check(&format!("v=1&{s}"));
    }
}

#[test]
fn oversize_links_are_refused_with_a_message() {
    let c = presets()[0].config;
    let link = encode_link(&c(), None, None).unwrap().fragment;
    let padded = format!("{link}&pad={}", "x".repeat(MAX_LINK_BYTES));
    let e = decode_link(&padded).unwrap_err().to_string();
    assert!(
        e.contains("bytes") && e.contains(&MAX_LINK_BYTES.to_string()),
        "{e}"
    );
    let just_fits = format!("{link}&pad={}", "x".repeat(MAX_LINK_BYTES - link.len() - 5));
    assert_eq!(just_fits.len(), MAX_LINK_BYTES);
    assert!(decode_link(&just_fits).is_ok());
}

#[test]
fn unreadable_versions_and_empty_links_are_errors() {
    for (input, needle) in [
        ("#v=3&data=circle", "version 3"),
        ("#v=0&data=circle", "version 0"),
        ("#v=x&data=circle", "not a number"),
        ("", "no experiment"),
        ("https://example.org/", "no experiment"),
        ("#hello=world", "no experiment"),
    ] {
        let e = decode_link(input).unwrap_err().to_string();
        assert!(e.contains(needle), "{input}: {e}");
    }
}

/// The canonical circle-preset link with `key` set to `value` (added when absent).
fn with(key: &str, value: &str) -> String {
    let c = presets()
        .iter()
        .find(|p| p.name == "circle")
        .unwrap()
        .config;
    let link = encode_link(&c(), None, None).unwrap().fragment;
    let mut found = false;
    let parts: Vec<String> = link[1..]
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k == key => {
                found = true;
                format!("{k}={value}")
            }
            _ => kv.to_string(),
        })
        .collect();
    let mut s = format!("#{}", parts.join("&"));
    if !found {
        s.push_str(&format!("&{key}={value}"));
    }
    s
}

type Probe = fn(&ExperimentConfig) -> bool;

#[test]
fn each_fields_bad_values_give_the_expected_warning_and_value() {
    let cases: Vec<(&str, &str, &str, Probe)> = vec![
        ("data", "cifar10", "not one of", |c| {
            c.data == ExperimentConfig::default().data
        }),
        ("samples", "5", "clamped to 10", |c| c.samples == 10),
        ("samples", "1e9", "not a whole number", |c| c.samples == 500),
        ("samples", "99999999999999999999999", "clamped", |c| {
            c.samples == MAX_SAMPLES
        }),
        ("noise", "nan", "not a number", |c| c.noise == 0.0),
        ("noise", "-1", "clamped to 0", |c| c.noise == 0.0),
        ("noise", "3", "clamped to 1", |c| c.noise == 1.0),
        ("test", "1", "default", |c| c.test_fraction == 0.5),
        ("test", "0.0001", "no training or no test", |c| {
            c.test_fraction == 0.5
        }),
        ("feat", "x1,z9", "'z9'", |c| c.features.x1 && !c.features.x2),
        ("feat", "none", "no input feature", |c| {
            c.features.count() == 2
        }),
        ("std", "yes", "not true or false", |c| !c.standardize),
        ("hidden", "8,x,4", "layer dropped", |c| c.hidden == [8, 4]),
        ("hidden", "5000,3", "clamped", |c| {
            c.hidden == [MAX_HIDDEN_UNITS, 3]
        }),
        ("hidden", "1,1,1,1,1,1,1,1,1,1", "at most 8", |c| {
            c.hidden.len() == 8
        }),
        ("act", "tanh,swish", "'swish'", |c| {
            c.activations == [Activation::Tanh; 2]
        }),
        ("act", "relu", "filled with relu", |c| {
            c.activations == [Activation::Relu; 2]
        }),
        ("loss", "mae", "does not fit classification", |c| {
            c.loss.name() == "cross-entropy"
        }),
        ("loss", "hinge", "not one of", |c| {
            c.loss.name() == "cross-entropy"
        }),
        ("opt", "rmsprop", "not one of", |c| {
            c.optimizer.kind.name() == "sgd"
        }),
        ("lr", "0", "outside (0, 10]", |c| c.optimizer.lr == 0.03),
        ("lr", "1e3", "clamped to 10", |c| c.optimizer.lr == MAX_LR),
        ("lr", "inf", "not a number", |c| c.optimizer.lr == 0.03),
        ("lr", "1e39", "too large", |c| c.optimizer.lr == 0.03),
        ("momentum", "1", "default", |c| c.optimizer.momentum == 0.9),
        ("nesterov", "maybe", "not true or false", |c| {
            !c.optimizer.nesterov
        }),
        ("beta2", "-0.5", "clamped to 0", |c| {
            c.optimizer.beta2 == 0.0
        }),
        ("eps", "0", "default", |c| c.optimizer.eps == 1e-8),
        ("wd", "2", "clamped to 1", |c| {
            c.optimizer.weight_decay == 1.0
        }),
        ("l1", "-3", "clamped to 0", |c| c.optimizer.l1 == 0.0),
        ("l2", "NaN", "not a number", |c| c.optimizer.l2 == 0.0),
        ("clip", "-1", "no clipping", |c| {
            c.optimizer.clip_norm.is_none()
        }),
        ("clip", "abc", "no clipping", |c| {
            c.optimizer.clip_norm.is_none()
        }),
        ("batch", "0", "clamped to 1", |c| c.batch_size == 1),
        ("budget", "weeks:3", "not epochs:N or steps:N", |c| {
            c.budget == Budget::Epochs(100)
        }),
        ("budget", "steps:0", "clamped to 1", |c| {
            c.budget == Budget::Steps(1)
        }),
        ("budget", "steps:1e99", "not a whole number", |c| {
            c.budget == Budget::Steps(1000)
        }),
        ("eval", "-4", "clamped to 0", |c| c.eval_every == 0),
        ("seed", "-1", "clamped to 0", |c| c.seed == 0),
        ("seed", "0.5", "not a whole number", |c| c.seed == 1),
        ("backend", "tpu", "not one of cpu, gpu, auto", |c| {
            c.backend.eq(&ExperimentConfig::default().backend)
        }),
        ("zzz", "1", "unknown key", |c| c.seed == 1),
    ];
    for (key, value, needle, probe) in cases {
        let link = with(key, value);
        let got = check(&link).unwrap_or_else(|| panic!("{key}={value} refused"));
        let w: Vec<_> = got.warnings.iter().filter(|w| w.key == key).collect();
        assert!(
            w.iter().any(|w| w.message.contains(needle)),
            "{key}={value}: expected a warning containing {needle:?}, got {:?}",
            got.warnings
        );
        assert!(probe(&got.config), "{key}={value}: {:?}", got.config);
        // Only the damaged key is noted (a changed layer count also re-fits `act`).
        assert!(
            got.warnings
                .iter()
                .all(|w| w.key == key || (key, w.key.as_str()) == ("hidden", "act")),
            "{key}={value}: {:?}",
            got.warnings
        );
    }
}

#[test]
fn an_epoch_budget_past_the_step_limit_is_clamped() {
    let link = with("budget", "epochs:100000").replace("&batch=10&", "&batch=1&");
    let got = check(&link).unwrap();
    let Budget::Epochs(e) = got.config.budget else {
        panic!()
    };
    // 500 rows, batch 1: 500 steps per epoch.
    assert_eq!(e as u64, MAX_STEPS / 500);
    assert!(got
        .warnings
        .iter()
        .any(|w| w.key == "budget" && w.message.contains("clamped")));
}

#[test]
fn duplicate_missing_and_unversioned_keys_are_noted() {
    let dup = format!("{}&lr=5", with("lr", "0.2"));
    let got = check(&dup).unwrap();
    assert_eq!(got.config.optimizer.lr, 0.2);
    assert!(got
        .warnings
        .iter()
        .any(|w| w.key == "lr" && w.message.contains("more than once")));

    let missing = with("lr", "0.2").replace("&lr=0.2", "");
    let got = check(&missing).unwrap();
    assert_eq!(
        got.config.optimizer.lr,
        ExperimentConfig::default().optimizer.lr
    );
    assert!(got
        .warnings
        .iter()
        .any(|w| w.key == "lr" && w.message.contains("missing")));

    let unversioned = with("lr", "0.2").replacen("v=1&", "", 1);
    let got = check(&unversioned).unwrap();
    assert_eq!(got.config.optimizer.lr, 0.2);
    assert!(got
        .warnings
        .iter()
        .any(|w| w.key == "v" && w.message.contains("version 1")));

    for (run, steps, needle) in [("abc", 0, "not a whole number"), ("-5", 0, "clamped to 0")] {
        let got = check(&with("run", run)).unwrap();
        assert_eq!(got.steps, Some(steps));
        assert!(got
            .warnings
            .iter()
            .any(|w| w.key == "run" && w.message.contains(needle)));
    }
}
