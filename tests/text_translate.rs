//! The dates translator as a run: validation and the link, deterministic CPU training,
//! CPU/GPU agreement of a few steps, decoding against plain references (greedy against
//! a loop over whole forward passes, beam search against every sequence scored), and
//! the `translate-dates` preset learning in a CI budget.

mod common;

use common::gpu::gpu_device;
use gradlab::experiment::{
    decode_link, encode_link, preset, validate, Budget, DataSource, ExperimentConfig, LossKind,
    Runner, Seq2SeqSpec,
};
use gradlab::nn::decode::{beam_search, greedy, DecodeTokens};
use gradlab::nn::{seq2seq_param_shapes, Seq2Seq, Seq2SeqConfig};
use gradlab::platform::block_on;
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// A translator small enough for seconds of training (and lavapipe).
fn tiny() -> ExperimentConfig {
    ExperimentConfig {
        samples: 120,
        test_fraction: 0.25,
        batch_size: 8,
        budget: Budget::Steps(3),
        eval_every: 3,
        seq2seq: Some(Seq2SeqSpec {
            dim: 8,
            heads: 2,
            ff: 16,
            encoder_layers: 1,
            decoder_layers: 1,
        }),
        ..preset("translate-dates").unwrap()
    }
}

fn weights(r: &Runner) -> Vec<Vec<f32>> {
    block_on(r.weights())
        .unwrap()
        .into_iter()
        .map(|w| w.data)
        .collect()
}

#[test]
fn translator_configs_validate_with_clear_messages() {
    assert_eq!(validate(&preset("translate-dates").unwrap()), Ok(()));
    let err = |c: ExperimentConfig| validate(&c).unwrap_err().to_string();
    let no_model = ExperimentConfig {
        seq2seq: None,
        ..tiny()
    };
    assert!(err(no_model).contains("set seq2seq"));
    let wrong_data = ExperimentConfig {
        data: DataSource::Classify2d(gradlab::data::Pattern2d::Circle),
        ..tiny()
    };
    assert!(err(wrong_data).contains("translates the dates data, not circle"));
    let mut odd_heads = tiny();
    odd_heads.seq2seq.as_mut().unwrap().heads = 3;
    assert!(err(odd_heads).contains("seq2seq.heads (3) must divide seq2seq.dim (8)"));
    let mut huge = tiny();
    huge.seq2seq.as_mut().unwrap().encoder_layers = 99;
    assert!(err(huge).contains("seq2seq.encoder_layers must be in 1..=8"));
    let mse = ExperimentConfig {
        loss: LossKind::Mse,
        ..tiny()
    };
    assert!(err(mse).contains("loss must be cross-entropy"));
}

#[test]
fn the_translator_link_round_trips_and_other_links_do_not_change() {
    let c = preset("translate-dates").unwrap();
    let link = encode_link(&c, None, None).unwrap().fragment;
    assert!(link.contains("data=dates"), "{link}");
    assert!(link.contains("s2s=32,2,64,1,1"), "{link}");
    assert!(link.starts_with("#v=2&"), "{link}");
    let back = decode_link(&link).unwrap();
    assert_eq!(back.config, c);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    for name in ["xor", "shakespeare-char", "sentiment"] {
        let other = encode_link(&preset(name).unwrap(), None, None)
            .unwrap()
            .fragment;
        assert!(!other.contains("s2s"), "{other}");
    }
    let bad = link.replace("s2s=32,2,64,1,1", "s2s=64,4");
    let read = decode_link(&bad);
    assert!(
        read.map(|d| validate(&d.config).is_err() || !d.warnings.is_empty())
            .unwrap_or(true),
        "a broken s2s value is reported"
    );
}

#[test]
fn param_shapes_are_what_the_model_builds() {
    let c = tiny();
    let cfg = gradlab::experiment::seq2seq_config(&c).unwrap();
    let m = Seq2Seq::new(cfg, &mut Rng::new(2), &Device::Cpu).unwrap();
    let built: Vec<(String, Vec<usize>)> = m
        .params()
        .iter()
        .map(|(n, t)| (n.to_string(), t.dims().to_vec()))
        .collect();
    assert_eq!(seq2seq_param_shapes(&cfg), built);
    assert_eq!(gradlab::experiment::model::param_shapes(&c), built);
    // The cost model counts the same parameters (its encoder and decoder stacks).
    let values: usize = built.iter().map(|(_, d)| d.iter().product::<usize>()).sum();
    assert_eq!(gradlab::experiment::Cost::of(&c).params, values as u64);
    let r = Runner::new(c, Device::Cpu).unwrap();
    assert_eq!(r.translator().unwrap().params().names(), m.params().names());
}

#[test]
fn translator_training_is_deterministic_on_the_cpu() {
    let run = || {
        let mut r = Runner::new(tiny(), Device::Cpu).unwrap();
        let p = block_on(r.run(|_, _| {})).unwrap();
        (p.train_loss.to_bits(), p.test_loss.to_bits(), weights(&r))
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    let fresh = Runner::new(tiny(), Device::Cpu).unwrap();
    assert_ne!(weights(&fresh), a.2, "training changed the weights");
}

#[test]
fn a_few_translator_steps_agree_between_cpu_and_gpu() {
    let Some(gpu) = gpu_device() else { return };
    let mut cpu = Runner::new(tiny(), Device::Cpu).unwrap();
    let mut dev = Runner::new(tiny(), gpu).unwrap();
    let (a, b) = (
        block_on(cpu.run(|_, _| {})).unwrap(),
        block_on(dev.run(|_, _| {})).unwrap(),
    );
    assert!((a.train_loss - b.train_loss).abs() < 1e-4, "{a:?} {b:?}");
    assert!((a.test_loss - b.test_loss).abs() < 1e-4, "{a:?} {b:?}");
    for (c, g) in weights(&cpu).iter().zip(weights(&dev)) {
        for (x, y) in c.iter().zip(&g) {
            assert!((x - y).abs() < 1e-4, "weights differ: {x} vs {y}");
        }
    }
    // Exact match decodes on the CPU in both (the GPU run's weights read back).
    assert!(b.metrics.exact_match.is_some());
}

/// A random model with a target vocabulary of `tgt_vocab` and sources of random ids.
fn random_model(tgt_vocab: usize, seed: u64) -> (Seq2Seq, Vec<Vec<u32>>) {
    let cfg = Seq2SeqConfig {
        src_vocab: 11,
        tgt_vocab,
        dim: 8,
        heads: 2,
        ff: 16,
        encoder_layers: 1,
        decoder_layers: 2,
        max_src: 6,
        max_tgt: 7,
    };
    let mut rng = Rng::new(seed);
    let m = Seq2Seq::new(cfg, &mut rng, &Device::Cpu).unwrap();
    let sources = (0..12)
        .map(|_| {
            let n = 1 + rng.below(6);
            let mut s: Vec<u32> = (0..n).map(|_| 1 + rng.below(10) as u32).collect();
            s.resize(6, 0);
            s
        })
        .collect();
    (m, sources)
}

const TOKENS: DecodeTokens = DecodeTokens {
    start: 1,
    end: 2,
    max_len: 7,
};

/// Log-probabilities of the next token after `prefix` (whole forward pass, one source).
fn next_log_probs(m: &Seq2Seq, source: &[u32], prefix: &[u32]) -> Vec<f64> {
    let ids = |v: &[u32]| {
        let f: Vec<f32> = v.iter().map(|&i| i as f32).collect();
        Tensor::from_slice(&f, &[1, v.len()], &Device::Cpu)
    };
    let out = m.forward(&ids(source), &ids(prefix)).to_vec_now().unwrap();
    let v = m.config().tgt_vocab;
    let last = &out[out.len() - v..];
    let max = last.iter().fold(f64::MIN, |a, &b| a.max(b as f64));
    let lse = max
        + last
            .iter()
            .map(|&l| (l as f64 - max).exp())
            .sum::<f64>()
            .ln();
    last.iter().map(|&l| l as f64 - lse).collect()
}

#[test]
fn greedy_matches_a_plain_loop_and_beam_width_one_is_greedy() {
    for seed in 0..4 {
        let (m, sources) = random_model(9, seed);
        let batched = greedy(&m, &sources, &TOKENS).unwrap();
        for (s, got) in sources.iter().zip(&batched) {
            // The reference: one source, whole forward passes, first best allowed id.
            let mut prefix = vec![1u32];
            let mut want = Vec::new();
            for _ in 0..TOKENS.max_len {
                let lp = next_log_probs(&m, s, &prefix);
                let best = (3..lp.len()).chain([2]).fold(2, |b, i| {
                    if lp[i] > lp[b] || (lp[i] == lp[b] && i < b) {
                        i
                    } else {
                        b
                    }
                });
                if best == 2 {
                    break;
                }
                want.push(best as u32);
                prefix.push(best as u32);
            }
            assert_eq!(got, &want, "seed {seed}");
            assert_eq!(&beam_search(&m, s, 1, &TOKENS).unwrap(), got, "seed {seed}");
        }
    }
}

#[test]
fn beam_search_finds_the_most_likely_short_sequence() {
    // Target ids 2 (end), 3, 4; at most two tokens: every finished sequence is [end],
    // [a, end]. A beam of 5 holds every candidate, so it must find the best of them.
    let t = DecodeTokens {
        max_len: 2,
        ..TOKENS
    };
    let mut differs = 0;
    for seed in 0..6 {
        let (m, sources) = random_model(5, 10 + seed);
        for s in &sources {
            let first = next_log_probs(&m, s, &[1]);
            let mut best = (first[2], vec![]);
            for a in [3u32, 4] {
                let score = first[a as usize] + next_log_probs(&m, s, &[1, a])[2];
                if score > best.0 {
                    best = (score, vec![a]);
                }
            }
            assert_eq!(beam_search(&m, s, 5, &t).unwrap(), best.1, "seed {seed}");
            differs += usize::from(greedy(&m, std::slice::from_ref(s), &t).unwrap()[0] != best.1);
        }
    }
    eprintln!("greedy missed the best sequence {differs} times");
    let (m, sources) = random_model(5, 1);
    for k in [0, 6] {
        let e = beam_search(&m, &sources[0], k, &t).unwrap_err();
        assert!(e.contains("1 to 5"), "{e}");
    }
}

#[test]
fn translate_refuses_bad_input_clearly() {
    let r = Runner::new(tiny(), Device::Cpu).unwrap();
    let err = |texts: &[&str], beam: usize| {
        let texts: Vec<String> = texts.iter().map(|s| s.to_string()).collect();
        block_on(r.translate(&texts, beam)).unwrap_err().to_string()
    };
    assert!(err(&["3 März 2021"], 1).contains("is not in the vocabulary"));
    assert!(err(&[""], 1).contains("empty"));
    assert!(err(&[&"1".repeat(60)], 1).contains("at most 38"));
    assert!(err(&["Mar 3 21"], 6).contains("1 to 5"));
    let ok = block_on(r.translate(&["Mar 3 21".to_string()], 3)).unwrap();
    assert_eq!(ok.len(), 1);
    let other = Runner::new(preset("xor").unwrap(), Device::Cpu).unwrap();
    let e = block_on(other.translate(&["Mar 3 21".to_string()], 1)).unwrap_err();
    assert!(e.to_string().contains("not a dates translator"));
}

/// The `translate-dates` preset itself reaches the task's bar, exact match >= 0.95 on
/// the held-out test dates: 2,000 steps on the CPU backend, about 75 s of one core in a
/// release build (measured: 0.998 exact, 0.9998 token accuracy; `gradlab run
/// translate-dates`). The CPU backend is bit-exact, so every machine gets these numbers.
#[test]
fn translate_dates_reaches_its_bar() {
    let c = preset("translate-dates").unwrap();
    let started = std::time::Instant::now();
    let mut r = Runner::new(c, Device::Cpu).unwrap();
    let p = block_on(r.run(|_, _| {})).unwrap();
    let (exact, tokens) = (
        p.metrics.exact_match.unwrap(),
        p.metrics.token_accuracy.unwrap(),
    );
    eprintln!(
        "exact match {exact}, token accuracy {tokens} in {:?}",
        started.elapsed()
    );
    // A model that learned only the constant parts of an ISO date (the century, the
    // dashes: 4 of 11 tokens) is far below both bars.
    assert!(exact >= CI_EXACT_BAR, "exact match {exact}");
    assert!(tokens >= CI_TOKEN_BAR, "token accuracy {tokens}");
    // Beam search (width 3) on the first test dates does as well as greedy decoding
    // there, within one date in fifty.
    let dates: Vec<String> = gradlab::data::text::date_pairs(4950, 50, 7)
        .test
        .iter()
        .map(|d| d.source.clone())
        .collect();
    let greedy_iso = block_on(r.translate(&dates, 1)).unwrap();
    let beam_iso = block_on(r.translate(&dates, 3)).unwrap();
    let want: Vec<String> = gradlab::data::text::date_pairs(4950, 50, 7)
        .test
        .iter()
        .map(|d| d.target.clone())
        .collect();
    let right = |got: &[String]| got.iter().zip(&want).filter(|(a, b)| a == b).count();
    assert!(
        right(&beam_iso) + 1 >= right(&greedy_iso),
        "beam {beam_iso:?}"
    );
}

/// The task's bar (issue 10).
const CI_EXACT_BAR: f64 = 0.95;
/// Token accuracy the preset must reach with it (exact match 0.95 implies at least
/// 0.95 of the tokens; measured 0.9998).
const CI_TOKEN_BAR: f64 = 0.99;
