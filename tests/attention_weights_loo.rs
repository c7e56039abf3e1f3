//! Leave-one-out attribution of a sentence classifier: each token's "without it"
//! probability equals classifying, from scratch, the sentence with that token deleted
//! (also past the context, where the next token comes in), and the whole sentence's
//! probabilities equal `classify_sentences`'.

use gradlab::data::text::{tokenize_words, WordVocab};
use gradlab::experiment::{preset, text_vocab, Runner, TextVocab, POSITIVE_CLASS};
use gradlab::platform::block_on;
use gradlab::Device;

fn runner(name: &str, steps: u64) -> (Runner, WordVocab) {
    let config = preset(name).expect("preset");
    let mut r = Runner::new(config.clone(), Device::Cpu).expect("runner");
    r.train_steps(steps).expect("train");
    let Some(TextVocab::Words(words)) = text_vocab(&config).expect("vocab") else {
        panic!("a sentiment preset reads words");
    };
    (r, WordVocab::from_words(words))
}

/// Checks every kept token's leave-one-out probability of `sentence` against
/// classifying the sentence rebuilt without that token.
fn check_by_hand(r: &Runner, vocab: &WordVocab, sentence: &str) {
    let lens = r.text_lens().expect("lens");
    let look = block_on(lens.look_sentence(sentence)).expect("look");
    let tokens = tokenize_words(sentence);
    let kept = tokens.len().min(r.config().context);
    assert_eq!(look.tokens.labels, tokens[..kept]);
    assert_eq!(look.tokens.dropped, tokens.len() - kept);
    let whole = block_on(r.classify_sentences(vocab, &[sentence.to_string()])).expect("classify");
    assert_eq!(look.probabilities, whole[0], "the whole sentence");
    let without: Vec<String> = (0..kept)
        .map(|i| {
            let mut rest = tokens.clone();
            rest.remove(i);
            rest.join(" ")
        })
        .collect();
    let by_hand = block_on(r.classify_sentences(vocab, &without)).expect("classify");
    assert_eq!(look.without.len(), kept);
    for (i, p) in by_hand.iter().enumerate() {
        assert_eq!(
            look.without[i].to_bits(),
            p[POSITIVE_CLASS].to_bits(),
            "token {i} ({}): {} vs by hand {}",
            tokens[i],
            look.without[i],
            p[POSITIVE_CLASS]
        );
        // The effect is in log-odds: its sign agrees with the probability's change.
        let dp = look.positive() - p[POSITIVE_CLASS];
        assert!(
            dp == 0.0 || look.effect(i).signum() == dp.signum(),
            "token {i}"
        );
    }
    assert!(look.largest_effect() > 0.0, "some token matters");
}

#[test]
fn leave_one_out_equals_deleting_the_token_and_predicting() {
    let (r, vocab) = runner("sentiment", 40);
    check_by_hand(
        &r,
        &vocab,
        "The food was great, and the staff were friendly!",
    );
    check_by_hand(&r, &vocab, "terrible");
    // 40 tokens: deleting one of the first 32 lets token 33 in.
    let long = (0..40)
        .map(|i| ["good", "bad", "slow", "nice", "the"][i % 5])
        .collect::<Vec<_>>()
        .join(" ");
    check_by_hand(&r, &vocab, &long);
    let look = block_on(r.text_lens().expect("lens").look_sentence("good food")).expect("look");
    assert_eq!(look.attention.len(), 1, "the encoder's one attn layer");
    assert_eq!(look.attention[0].heads[0].len(), 4, "2 x 2 tokens");
}

#[test]
fn the_bag_of_embeddings_has_attribution_but_no_attention() {
    let (r, vocab) = runner("sentiment-bag", 40);
    check_by_hand(&r, &vocab, "what a wonderful, lovely place");
    let look = block_on(r.text_lens().expect("lens").look_sentence("nice")).expect("look");
    assert!(look.attention.is_empty());
}

#[test]
fn a_character_model_is_no_sentence_classifier() {
    let config = preset("shakespeare-char").expect("preset");
    let r = Runner::new(config, Device::Cpu).expect("runner");
    let err = block_on(r.text_lens().expect("lens").look_sentence("ROMEO")).expect_err("chars");
    assert!(err.to_string().contains("sentence classifier"), "{err}");
}
