//! Experiment links: config -> link -> config is the identity (every preset, thousands of
//! random valid configs), links are canonical, every accepted form of a link reads the
//! same, and the version-1 fixture links keep decoding to their recorded configs.

mod link;

use gradlab::experiment::link::{key_names, CURRENT_VERSION, OPTIONAL_KEYS};
use gradlab::experiment::{decode_link, encode_link, presets, validate, ExperimentConfig};
use gradlab::rng::Rng;

/// Encode, decode, and insist on the identity with no warnings.
fn round_trip(c: &ExperimentConfig, steps: Option<u64>) -> String {
    let link = encode_link(c, steps, None).expect("a valid config encodes");
    assert!(link.weights_note.is_none());
    let d = decode_link(&link.fragment).expect("an encoded link decodes");
    assert_eq!(d.warnings, vec![], "{}", link.fragment);
    assert_eq!(&d.config, c, "{}", link.fragment);
    assert_eq!(d.steps, steps, "{}", link.fragment);
    assert_eq!(d.weights, None);
    // Canonical: the decoded config writes the very same link.
    let again = encode_link(&d.config, d.steps, None).unwrap();
    assert_eq!(again.fragment, link.fragment);
    link.fragment
}

#[test]
fn every_preset_round_trips_without_warnings() {
    for p in presets() {
        let c = (p.config)();
        round_trip(&c, None);
        round_trip(&c, Some(0));
        round_trip(&c, Some(123));
    }
}

#[test]
fn thousands_of_random_valid_configs_round_trip_bit_for_bit() {
    let mut rng = Rng::new(2024);
    for _ in 0..5000 {
        let c = link::random_valid(&mut rng);
        let steps = match rng.below(3) {
            0 => None,
            _ => Some(link::int(&mut rng, 0, gradlab::experiment::MAX_STEPS)),
        };
        round_trip(&c, steps);
        // `==` on floats treats 0 and -0 alike; the bits must match too.
        let d = decode_link(&encode_link(&c, None, None).unwrap().fragment).unwrap();
        let bits = |c: &ExperimentConfig| {
            let o = &c.optimizer;
            [
                c.noise,
                c.test_fraction,
                o.lr,
                o.momentum,
                o.beta1,
                o.beta2,
                o.eps,
            ]
            .map(f32::to_bits)
        };
        assert_eq!(bits(&d.config), bits(&c));
    }
}

#[test]
fn links_are_readable_and_hold_every_key_in_schema_order() {
    let spiral = presets().iter().find(|p| p.name == "spiral").unwrap();
    let link = round_trip(&(spiral.config)(), Some(200));
    assert!(
        link.starts_with("#v=1&data=spiral&samples=500&noise=0&test=0.5&"),
        "{link}"
    );
    for part in [
        "&hidden=8,8&act=tanh,tanh&",
        "&opt=adam&lr=0.01&",
        "&seed=1&backend=cpu&run=200",
    ] {
        assert!(link.contains(part), "{part} not in {link}");
    }
    let keys: Vec<&str> = link[1..]
        .split('&')
        .map(|kv| kv.split_once('=').unwrap().0)
        .collect();
    let schema = key_names();
    // An MLP's link is version 1: all keys but `model` (version 2's) and the optional
    // weights, in schema order (the optional keys only away from their defaults).
    let v1: Vec<&str> = schema[..schema.len() - 1]
        .iter()
        .copied()
        .filter(|k| *k != "model" && !OPTIONAL_KEYS.contains(k))
        .collect();
    assert_eq!(keys, v1);
    assert_eq!(schema.first(), Some(&"v"));
    assert_eq!(CURRENT_VERSION, 2);
    // A layer stack's link is version 2: `model` instead of `hidden` and `act`.
    let cnn = presets().iter().find(|p| p.name == "digits-cnn").unwrap();
    let link = round_trip(&(cnn.config)(), None);
    let keys: Vec<&str> = link[1..]
        .split('&')
        .map(|kv| kv.split_once('=').unwrap().0)
        .collect();
    let v2: Vec<&str> = schema[..schema.len() - 2]
        .iter()
        .copied()
        .filter(|k| !["hidden", "act"].contains(k) && !OPTIONAL_KEYS.contains(k))
        .collect();
    assert!(link.starts_with("#v=2&data=digits&"), "{link}");
    assert_eq!(keys, v2);
}

#[test]
fn full_urls_fragments_queries_and_bare_strings_read_the_same() {
    let c = presets()[5].config;
    let frag = encode_link(&c(), Some(7), None).unwrap().fragment;
    let bare = &frag[1..];
    let escaped = frag.replace(',', "%2C");
    let forms = [
        frag.clone(),
        bare.to_string(),
        format!("https://example.org/gradlab/index.html{frag}"),
        format!("https://example.org/gradlab/?utm=x{frag}"),
        format!("https://example.org/gradlab/?{bare}"),
        format!("  {frag}\n"),
        escaped,
    ];
    for f in &forms {
        let d = decode_link(f).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(d.config, c(), "{f}");
        assert_eq!(d.steps, Some(7), "{f}");
        assert!(d.warnings.is_empty(), "{f}: {:?}", d.warnings);
    }
}

/// One entry of the fixture file.
struct Entry {
    line: usize,
    link: String,
    steps: Option<u64>,
    config: ExperimentConfig,
}

/// Reads `tests/fixtures/links_v1.txt`: blocks of `link:`, `steps:`, `config:` lines;
/// `//` lines are comments.
fn fixture() -> Vec<Entry> {
    let text = include_str!("fixtures/links_v1.txt");
    let mut out = Vec::new();
    let (mut link, mut steps) = (None, None);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(v) = line.strip_prefix("link:") {
            link = Some((i + 1, v.trim().to_string()));
        } else if let Some(v) = line.strip_prefix("steps:") {
            steps = match v.trim() {
                "none" => None,
                n => Some(n.parse().expect("steps: a number or none")),
            };
        } else if let Some(v) = line.strip_prefix("config:") {
            let (line, link) = link.take().expect("config: after link:");
            let config = serde_json::from_str(v.trim()).expect("config: JSON");
            out.push(Entry {
                line,
                link,
                steps: steps.take(),
                config,
            });
        } else {
            assert!(
                line.is_empty() || line.starts_with("//"),
                "line {}: {line}",
                i + 1
            );
        }
    }
    out
}

#[test]
fn version_1_fixture_links_decode_to_their_recorded_configs() {
    let entries = fixture();
    assert!(
        entries.len() >= 12,
        "the fixture holds every preset and more"
    );
    for e in entries {
        let d = decode_link(&e.link).unwrap_or_else(|err| panic!("line {}: {err}", e.line));
        assert_eq!(d.warnings, vec![], "line {}", e.line);
        assert_eq!(d.config, e.config, "line {}", e.line);
        assert_eq!(d.steps, e.steps, "line {}", e.line);
        assert_eq!(validate(&d.config), Ok(()));
    }
}
