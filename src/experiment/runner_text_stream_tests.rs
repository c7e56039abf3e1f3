use super::*;
use crate::data::text::{load_text, TextSet};
use crate::experiment::{preset, text_vocab, TextVocab};
use crate::nn::functional::softmax;
use crate::platform::block_on;
use crate::Device;

/// The shakespeare-char preset after a few steps on the CPU, with its vocabulary.
fn trained_lm() -> (Runner, CharVocab) {
    let config = preset("shakespeare-char").expect("the preset exists");
    let vocab = match text_vocab(&config).unwrap() {
        Some(TextVocab::Chars(chars)) => CharVocab::from_chars(chars.chars().collect()).unwrap(),
        other => panic!("a character vocabulary, got {other:?}"),
    };
    let mut runner = Runner::new(config, Device::Cpu).unwrap();
    runner.train_steps(3).unwrap();
    (runner, vocab)
}

/// Every character of a stream, one call each.
fn stream_all(runner: &Runner, vocab: &CharVocab, prompt: &str, o: SampleOptions) -> String {
    let mut s = TextStream::new(vocab.clone(), prompt, o).unwrap();
    let mut out = String::new();
    while let Some(c) = block_on(s.next_char(runner)).unwrap() {
        out.push(c);
    }
    assert_eq!(s.remaining(), 0);
    out
}

#[test]
fn streaming_writes_what_sample_text_writes() {
    let (runner, vocab) = trained_lm();
    for options in [
        SampleOptions {
            chars: 40,
            temperature: 0.8,
            top_k: Some(10),
            seed: 7,
        },
        SampleOptions {
            chars: 40,
            temperature: 1.3,
            top_k: None,
            seed: 1,
        },
        SampleOptions {
            chars: 20,
            temperature: 0.0,
            top_k: None,
            seed: 1,
        },
    ] {
        // A prompt longer than the context (32) exercises the sliding window.
        let prompt = "ROMEO:\nBut soft, what light through yonder window breaks?";
        let whole = block_on(runner.sample_text(&vocab, prompt, &options)).unwrap();
        assert_eq!(
            stream_all(&runner, &vocab, prompt, options),
            whole,
            "{options:?}"
        );
    }
}

#[test]
fn next_char_probs_are_the_models_softmax() {
    let (runner, vocab) = trained_lm();
    let prompt = "First Citizen:\nBefore we";
    let probs = block_on(runner.next_char_probs(&vocab, prompt, vocab.len())).unwrap();
    assert_eq!(probs.len(), vocab.len());
    // Reference: the tensor softmax (f32) of the same logits over the characters only.
    let ids: Vec<u32> = vocab
        .encode(prompt)
        .unwrap()
        .iter()
        .map(|i| i + 1)
        .collect();
    let logits = block_on(runner.window_logits(&ids)).unwrap();
    let chars = &logits[FIRST_CHAR_ID as usize..];
    let p = softmax(
        &Tensor::from_slice(chars, &[1, chars.len()], &Device::Cpu),
        1,
    );
    let p = block_on(p.to_vec()).unwrap();
    for (c, prob) in &probs {
        let id = vocab.id(*c).unwrap() as usize;
        assert!(
            (prob - p[id] as f64).abs() < 1e-6,
            "{c:?}: {prob} vs {}",
            p[id]
        );
    }
    assert!(
        probs.windows(2).all(|w| w[0].1 >= w[1].1),
        "most likely first"
    );
    let top10 = block_on(runner.next_char_probs(&vocab, prompt, 10)).unwrap();
    assert_eq!(top10, probs[..10].to_vec());
}

#[test]
fn unknown_prompt_characters_are_all_named() {
    let text = load_text(TextSet::Shakespeare).unwrap();
    let vocab = CharVocab::from_text(text);
    let message = check_prompt(&vocab, "Zounds €5 — 😀€").unwrap_err();
    for named in ["'€'", "'5'", "'—'", "'😀'"] {
        assert!(message.contains(named), "{message}");
    }
    assert!(
        message.contains("4 of the prompt's characters"),
        "{message}"
    );
    assert!(!message.contains("'Z'"), "{message}");
    assert!(check_prompt(&vocab, "").unwrap_err().contains("empty"));
    assert_eq!(check_prompt(&vocab, "ROMEO:\n"), Ok(()));
    let options = SampleOptions {
        chars: 5,
        temperature: 1.0,
        top_k: None,
        seed: 1,
    };
    assert!(TextStream::new(vocab.clone(), "a€", options).is_err());
    let too_hot = SampleOptions {
        temperature: f32::NAN,
        ..options
    };
    assert!(TextStream::new(vocab, "a", too_hot).is_err());
}

#[test]
fn visible_chars_name_whitespace() {
    assert_eq!(visible_char(' '), "␣");
    assert_eq!(visible_char('\n'), "⏎");
    assert_eq!(visible_char('a'), "a");
    assert_eq!(visible_char('\u{7}'), "\\u{7}");
}
