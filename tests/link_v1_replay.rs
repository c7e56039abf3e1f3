//! Old links replay bit for bit: every version-1 link in `fixtures/links_v1_weights.txt`,
//! trained its recorded steps by the CLI on the CPU backend, prints the `weights_sha256`
//! recorded by the build before the layer stack. The hash covers the whole model file
//! (weights, config and link metadata), so this pins the model's numbers and the file
//! format of an MLP experiment alike.

use std::process::Command;

struct Entry {
    link: String,
    steps: String,
    sha256: String,
}

fn entries() -> Vec<Entry> {
    let text = include_str!("fixtures/links_v1_weights.txt");
    let mut out = Vec::new();
    let mut link = None;
    let mut steps = None;
    for line in text.lines().map(str::trim) {
        if let Some(l) = line.strip_prefix("link: ") {
            link = Some(l.to_string());
        } else if let Some(s) = line.strip_prefix("steps: ") {
            steps = Some(s.to_string());
        } else if let Some(h) = line.strip_prefix("sha256: ") {
            out.push(Entry {
                link: link.take().expect("a link before its sha256"),
                steps: steps.take().expect("steps before the sha256"),
                sha256: h.to_string(),
            });
        }
    }
    out
}

#[test]
fn every_v1_link_replays_to_its_recorded_weights_sha256() {
    let entries = entries();
    assert!(entries.len() >= 18, "fixture has {} entries", entries.len());
    let mut wrong = Vec::new();
    for e in &entries {
        assert_eq!(e.sha256.len(), 64, "{}", e.link);
        let out = Command::new(env!("CARGO_BIN_EXE_gradlab"))
            .args(["run", &e.link, "--steps", &e.steps, "--backend", "cpu"])
            .output()
            .expect("the gradlab binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            e.link,
            String::from_utf8_lossy(&out.stderr)
        );
        let got = stdout
            .lines()
            .find_map(|l| l.strip_prefix("weights_sha256"))
            .map(str::trim)
            .unwrap_or_default();
        if got != e.sha256 {
            wrong.push(format!(
                "{}\n  recorded {}\n  got      {got}",
                e.link, e.sha256
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
