//! The page's translator lens (`DateLens`, built from the weights the page reads back)
//! against the run's own decoding (`Runner::translate`): the same ISO text for every
//! input and beam width; its cross-attention maps cover each written character (rows)
//! over the source tokens (columns), each row a distribution with nothing on padding;
//! bad input and weights of another model get clear errors.

use gradlab::experiment::{
    preset, Budget, DateLens, ExperimentConfig, Runner, Seq2SeqSpec, END_LABEL, START_LABEL,
};
use gradlab::platform::block_on;
use gradlab::Device;

/// A small translator trained a few dozen steps (its outputs are no longer constant).
fn trained() -> Runner {
    let c = ExperimentConfig {
        samples: 400,
        test_fraction: 0.25,
        batch_size: 16,
        budget: Budget::Steps(40),
        eval_every: 40,
        seq2seq: Some(Seq2SeqSpec {
            dim: 16,
            heads: 2,
            ff: 32,
            encoder_layers: 1,
            decoder_layers: 2,
        }),
        ..preset("translate-dates").unwrap()
    };
    let mut r = Runner::new(c, Device::Cpu).unwrap();
    block_on(r.run(|_, _| {})).unwrap();
    r
}

fn lens_of(r: &Runner) -> DateLens {
    DateLens::from_weights(r.config(), &block_on(r.weights()).unwrap()).unwrap()
}

const TEXTS: &[&str] = &[
    "3rd of March, 2021",
    "Mar 3 21",
    "2021年3月3日",
    "Tuesday, 14 July 1998",
    "1/2/03",
];

#[test]
fn the_lens_writes_what_the_run_translates() {
    let r = trained();
    let lens = lens_of(&r);
    for beam in [1, 3] {
        let texts: Vec<String> = TEXTS.iter().map(|s| s.to_string()).collect();
        let want = block_on(r.translate(&texts, beam)).unwrap();
        for (text, want) in texts.iter().zip(&want) {
            let look = lens.look(text, beam).unwrap();
            assert_eq!(&look.output, want, "{text:?} beam {beam}");
        }
    }
}

#[test]
fn cross_attention_rows_are_distributions_over_the_source_tokens() {
    let r = trained();
    let lens = lens_of(&r);
    for text in TEXTS {
        let look = lens.look(text, 1).unwrap();
        let n = text.chars().count();
        assert_eq!(look.sources.len(), n + 2, "{text:?}");
        assert_eq!(look.sources.first().map(String::as_str), Some(START_LABEL));
        assert_eq!(look.sources.last().map(String::as_str), Some(END_LABEL));
        let written: String = look
            .outputs
            .iter()
            .filter(|l| l.as_str() != END_LABEL)
            .cloned()
            .collect();
        assert_eq!(written, look.output, "rows are the written characters");
        assert!(!look.outputs.is_empty() && look.outputs.len() <= 11);
        assert_eq!(look.layers.len(), 2, "one map per decoder block");
        for layer in &look.layers {
            assert_eq!(layer.heads.len(), 2);
            for head in &layer.heads {
                assert_eq!(head.len(), look.outputs.len() * look.sources.len());
                // Each row sums to 1 over the shown columns: the padding columns left
                // out held exactly nothing.
                for row in head.chunks(look.sources.len()) {
                    let sum: f32 = row.iter().sum();
                    assert!((sum - 1.0).abs() < 1e-5, "{text:?}: row sums to {sum}");
                    assert!(row.iter().all(|&w| (0.0..=1.0).contains(&w)));
                }
            }
            assert_eq!(layer.mean_of_heads().len(), head_len(&look));
        }
    }
}

fn head_len(look: &gradlab::experiment::DateLook) -> usize {
    look.outputs.len() * look.sources.len()
}

#[test]
fn the_lens_refuses_bad_input_and_wrong_weights_clearly() {
    let r = trained();
    let lens = lens_of(&r);
    let err = |text: &str, beam: usize| lens.look(text, beam).unwrap_err().to_string();
    assert!(err("3 März 2021", 1).contains("is not in the vocabulary"));
    assert!(err("   ", 1).contains("empty"));
    assert!(err(&"1".repeat(60), 1).contains("at most 38"));
    assert!(err("Mar 3 21", 0).contains("1 to 5"));
    // Weights of another model, and a run that is no translator.
    let xor = Runner::new(preset("xor").unwrap(), Device::Cpu).unwrap();
    let xor_weights = block_on(xor.weights()).unwrap();
    let e = DateLens::from_weights(r.config(), &xor_weights).unwrap_err();
    assert!(e.to_string().contains("parameters"), "{e}");
    let e = DateLens::from_weights(xor.config(), &xor_weights).unwrap_err();
    assert!(e.to_string().contains("not a dates translator"), "{e}");
}
