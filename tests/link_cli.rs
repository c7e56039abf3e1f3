//! Links on the command line: `gradlab link PRESET` prints the canonical link, and
//! `gradlab run '<link>'` replays it: the same weights_sha256 as the preset, `run=N`
//! trains N steps, warnings go to stderr, a bad link is a usage error.

use gradlab::experiment::{decode_link, encode_link, preset, presets, Budget, Runner};
use gradlab::platform::block_on;
use gradlab::Device;
use std::process::{Command, Output};

fn gradlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gradlab"))
        .args(args)
        .output()
        .expect("the gradlab binary runs")
}

fn succeed(args: &[&str]) -> (String, String) {
    let out = gradlab(args);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "{args:?}: {stderr}");
    (stdout, stderr)
}

/// The value of a `name  value` summary line.
fn summary_value(stdout: &str, name: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(name).filter(|r| r.starts_with(' ')))
        .unwrap_or_else(|| panic!("no '{name}' line in:\n{stdout}"))
        .trim()
        .to_string()
}

#[test]
fn link_prints_each_presets_canonical_link() {
    for p in presets() {
        let (stdout, _) = succeed(&["link", p.name]);
        let want = encode_link(&(p.config)(), None, None).unwrap().fragment;
        assert_eq!(stdout, format!("{want}\n"), "{}", p.name);
    }
}

#[test]
fn a_presets_link_replays_with_the_same_weights_hash() {
    let (link, _) = succeed(&["link", "spiral"]);
    let link = link.trim();
    let (by_link, _) = succeed(&["run", link, "--steps", "50"]);
    let (by_name, _) = succeed(&["run", "spiral", "--steps", "50"]);
    let hash = summary_value(&by_name, "weights_sha256");
    assert_eq!(hash.len(), 64);
    assert_eq!(summary_value(&by_link, "weights_sha256"), hash);
    assert_eq!(summary_value(&by_link, "preset"), "link");
    // The full-URL and bare forms replay the same.
    let url = format!("https://example.org/gradlab/{link}");
    let (by_url, _) = succeed(&["run", &url, "--steps", "50"]);
    assert_eq!(summary_value(&by_url, "weights_sha256"), hash);
}

#[test]
fn run_n_in_a_link_trains_n_steps_and_checks_carried_weights() {
    // A link with run=12 and the weights after 12 steps, made by the library.
    let mut c = preset("circle").unwrap();
    c.seed = 5;
    let mut r = Runner::new(c.clone(), Device::Cpu).unwrap();
    r.train_steps(12).unwrap();
    let w = block_on(r.weights()).unwrap();
    let link = encode_link(&c, Some(12), Some(&w)).unwrap().fragment;
    let (stdout, stderr) = succeed(&["run", &link]);
    assert!(
        summary_value(&stdout, "steps").starts_with("12 "),
        "{stdout}"
    );
    assert!(stderr.contains("equal the link's, bit for bit"), "{stderr}");
    // The replay config (budget of 12 steps) is the one hashed.
    let replay = decode_link(&link).unwrap().replay_config();
    assert_eq!(replay.budget, Budget::Steps(12));
    // --steps overrides run=N.
    let (stdout, _) = succeed(&["run", &link, "--steps", "3"]);
    assert!(
        summary_value(&stdout, "steps").starts_with("3 "),
        "{stdout}"
    );
}

#[test]
fn link_warnings_go_to_stderr_and_bad_links_are_usage_errors() {
    let (stdout, stderr) = succeed(&["link", "#v=1&data=xor&lr=nan&frob=1"]);
    assert!(stdout.starts_with("#v=1&data=xor&"), "{stdout}");
    assert!(stdout.contains("&lr=0.03&"), "{stdout}");
    assert!(stderr.contains("lr: 'nan' is not a number"), "{stderr}");
    assert!(stderr.contains("frob: unknown key"), "{stderr}");
    for (args, needle) in [
        (&["run", "#v=9&data=xor"][..], "version 9"),
        (&["run", "#nothing=here"][..], "no experiment"),
        (&["link", "spirl"][..], "'spiral'"),
    ] {
        let out = gradlab(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}
