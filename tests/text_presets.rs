//! The text presets reach the bars on the CPU backend (deterministic: the CPU
//! results are the same bits on every machine): the sentiment presets' test accuracy,
//! and a short run of the small GPT that beats what character frequencies alone give.

use gradlab::data::text::{load_text, TextSet};
use gradlab::experiment::{preset, Budget, HistoryPoint, Runner};
use gradlab::platform::block_on;
use gradlab::Device;
use std::collections::HashMap;

fn train(name: &str, steps: Option<u64>) -> HistoryPoint {
    let mut config = preset(name).expect("the preset exists");
    config.backend = gradlab::experiment::BackendChoice::Cpu;
    if let Some(s) = steps {
        config.budget = Budget::Steps(s);
        config.eval_every = s;
    }
    let mut runner = Runner::new(config, Device::Cpu).expect("the preset builds");
    block_on(runner.run(|_, _| {})).expect("the preset trains")
}

/// Test accuracy >= 0.80 (the bar) for the transformer and the bag of
/// embeddings, with F1 consistent with precision and recall.
#[test]
fn sentiment_presets_reach_accuracy_080() {
    for name in ["sentiment", "sentiment-bag"] {
        let m = train(name, None).metrics;
        let (acc, f1) = (m.accuracy.unwrap(), m.f1.unwrap());
        println!("{name}: test accuracy {acc:.4}, F1 {f1:.4}");
        assert!(acc >= 0.80, "{name}: test accuracy {acc}");
        let (p, r) = (m.precision.unwrap(), m.recall.unwrap());
        assert!((f1 - 2.0 * p * r / (p + r)).abs() < 1e-9);
    }
}

/// Cross-entropy (nats per character) of the validation text (the last 10%) under the
/// training text's character frequencies: the best a model that ignores context does.
fn unigram_cross_entropy(text: &str) -> f64 {
    let chars: Vec<char> = text.chars().collect();
    let cut = chars.len() * 9 / 10;
    let mut counts: HashMap<char, f64> = HashMap::new();
    for &c in &chars[..cut] {
        *counts.entry(c).or_default() += 1.0;
    }
    let total = cut as f64;
    let val = &chars[cut..];
    let nll: f64 = val
        .iter()
        .map(|c| -(counts.get(c).copied().unwrap_or(0.5) / total).ln())
        .sum();
    nll / val.len() as f64
}

/// 300 steps of `shakespeare-char` (a fifth of its budget) bring the validation loss
/// below the unigram cross-entropy: the GPT uses context.
#[test]
fn a_short_shakespeare_char_run_beats_character_frequencies() {
    let unigram = unigram_cross_entropy(load_text(TextSet::Shakespeare).unwrap());
    let last = train("shakespeare-char", Some(300));
    println!(
        "shakespeare-char, 300 steps: val loss {:.4} nats/char, unigram {unigram:.4}",
        last.test_loss
    );
    assert!(
        last.test_loss < unigram - 0.1,
        "val loss {} vs unigram {unigram}",
        last.test_loss
    );
}
