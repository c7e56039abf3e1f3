//! The attention view's weights: what every `attn` layer hands over from its forward
//! pass (`Sequential::forward_with_attention`) equals a naive f64 recompute from the
//! layer's own weights and input, rows sum to 1, hidden keys (padding, the future) get
//! exactly 0, capturing leaves the output bit-identical, and the text lens reads them
//! for a sentence and a prompt with the right tokens.

mod common;

use common::gpu::gpu_device;
use common::{read, uniform};
use gradlab::data::text::{tokenize_words, UNK_ID};
use gradlab::experiment::{preset, text_vocab, Runner, TextVocab};
use gradlab::nn::{parse_stack, Mode, Module, Sequential};
use gradlab::platform::block_on;
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// One `attn` layer's weights in f64, `[B, H, T, T]`, from its input `x [B, T, D]`
/// (f32 values as the model computed them), `in_proj_weight [3D, D]`, `in_proj_bias`,
/// the key mask of the ids (0 hides) and the causal rule. A query that sees no key
/// gets a row of zeros.
fn naive_weights(
    x: &[f32],
    (b, t, d): (usize, usize, usize),
    w_in: &[f32],
    b_in: &[f32],
    heads: usize,
    causal: bool,
    ids: &[f32],
) -> Vec<f64> {
    let dh = d / heads;
    // proj(p, bi, i, c): q (p = 0), k (1) or v (2) of token i, channel c, in f64.
    let proj = |p: usize, bi: usize, i: usize, c: usize| {
        let row = p * d + c;
        b_in[row] as f64
            + (0..d)
                .map(|e| w_in[row * d + e] as f64 * x[(bi * t + i) * d + e] as f64)
                .sum::<f64>()
    };
    let mut out = vec![0.0; b * heads * t * t];
    for bi in 0..b {
        for h in 0..heads {
            for i in 0..t {
                let visible: Vec<usize> = (0..t)
                    .filter(|&j| ids[bi * t + j] != 0.0 && (!causal || j <= i))
                    .collect();
                let scores: Vec<f64> = visible
                    .iter()
                    .map(|&j| {
                        (0..dh)
                            .map(|c| proj(0, bi, i, h * dh + c) * proj(1, bi, j, h * dh + c))
                            .sum::<f64>()
                            / (dh as f64).sqrt()
                    })
                    .collect();
                let m = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = scores.iter().map(|s| (s - m).exp()).sum();
                for (&j, s) in visible.iter().zip(&scores) {
                    out[((bi * heads + h) * t + i) * t + j] = (s - m).exp() / z;
                }
            }
        }
    }
    out
}

const STACK: &str =
    "embed(20,8),pos(6),res(attn(2)),dropout(0.2),layernorm,attn(4,causal),meanpool,dense(2)";
const T: usize = 6;

/// The test model on `device` with every parameter drawn uniform in [-1, 1] (biases
/// included, so the recompute sees them), and a batch of ids: full, padded at the end,
/// a padding id in the middle, and all padding.
fn model_and_ids(device: &Device) -> (Sequential, Tensor, Vec<f32>) {
    let layers = parse_stack(STACK).expect("stack");
    let mut model = Sequential::new(&layers, &[T], &mut Rng::new(5), device).expect("model");
    let mut rng = Rng::new(9);
    for i in 0..model.params().len() {
        let dims = model.params().get(i).dims().to_vec();
        let n = dims.iter().product();
        let values = uniform(&mut rng, n, -1.0, 1.0);
        model
            .params_mut()
            .set(i, Tensor::from_slice(&values, &dims, device));
    }
    #[rustfmt::skip]
    let ids = vec![
        3.0, 7.0, 1.0, 19.0, 4.0, 12.0,
        5.0, 9.0, 2.0, 11.0, 0.0, 0.0,
        8.0, 0.0, 6.0, 13.0, 17.0, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    ];
    let x = Tensor::from_slice(&ids, &[4, T], device);
    (model, x, ids)
}

fn param(model: &Sequential, name: &str) -> Vec<f32> {
    let i = model.params().index_of(name).expect(name);
    read(model.params().get(i))
}

#[test]
fn captured_weights_equal_a_naive_f64_recompute_rows_sum_to_1_hidden_keys_are_0() {
    let (model, x, ids) = model_and_ids(&Device::Cpu);
    let (_, captured) = model.forward_with_attention(&x, Mode::Eval);
    assert_eq!(captured.len(), 2, "two attn layers");
    let outs = model.forward_all(&x, Mode::Eval);
    // (captured index, parameter prefix, input = output of this top-level layer, heads, causal)
    let layers = [(0, "2.0", 1, 2, false), (1, "5", 4, 4, true)];
    let d = 8;
    for (k, prefix, input, heads, causal) in layers {
        let w = &captured[k];
        assert_eq!(w.dims(), [4, heads, T, T], "layer {prefix}");
        let got = read(w);
        let want = naive_weights(
            &read(&outs[input]),
            (4, T, d),
            &param(&model, &format!("{prefix}.in_proj_weight")),
            &param(&model, &format!("{prefix}.in_proj_bias")),
            heads,
            causal,
            &ids,
        );
        for (idx, (&g, &r)) in got.iter().zip(&want).enumerate() {
            let (bi, i, j) = (idx / (heads * T * T), (idx / T) % T, idx % T);
            let hidden = ids[bi * T + j] == 0.0 || (causal && j > i);
            if hidden {
                assert_eq!(g.to_bits(), 0, "layer {prefix} [{idx}]: hidden key has {g}");
            } else {
                assert!(
                    (g as f64 - r).abs() <= 1e-5,
                    "layer {prefix} [{idx}]: {g} vs f64 {r}"
                );
            }
        }
        for (row_index, row) in got.chunks(T).enumerate() {
            let bi = row_index / (heads * T);
            let sees_a_key = ids[bi * T..(bi + 1) * T].iter().any(|&v| v != 0.0);
            let sum: f64 = row.iter().map(|&v| v as f64).sum();
            if sees_a_key {
                assert!(
                    (sum - 1.0).abs() <= 1e-5,
                    "layer {prefix} row {row_index} sums to {sum}"
                );
            } else {
                assert_eq!(sum, 0.0, "a query that sees no key has no weight");
            }
        }
    }
}

#[test]
fn capturing_leaves_the_output_bit_identical() {
    let (model, x, _) = model_and_ids(&Device::Cpu);
    let bits = |t: &Tensor| read(t).iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    for mode in [Mode::Eval, Mode::Train { seed: 42 }] {
        let plain = model.forward_mode(&x, mode);
        let (captured, weights) = model.forward_with_attention(&x, mode);
        assert_eq!(bits(&plain), bits(&captured), "{mode:?}");
        assert_eq!(weights.len(), 2);
    }
}

#[test]
fn gpu_captured_weights_match_the_cpu() {
    let Some(gpu) = gpu_device() else { return };
    let (cpu_model, cpu_x, _) = model_and_ids(&Device::Cpu);
    let (gpu_model, gpu_x, _) = model_and_ids(&gpu);
    let (_, want) = cpu_model.forward_with_attention(&cpu_x, Mode::Eval);
    let (_, got) = gpu_model.forward_with_attention(&gpu_x, Mode::Eval);
    for (w, g) in want.iter().zip(&got) {
        for (a, b) in read(w).iter().zip(read(g)) {
            assert!((a - b).abs() <= 1e-5, "CPU {a} vs GPU {b}");
            assert_eq!(*a == 0.0, b == 0.0, "hidden keys are 0 on both");
        }
    }
}

#[test]
fn a_sentence_lens_gives_its_tokens_and_the_weights_of_its_embeddings() {
    let config = preset("sentiment").expect("preset");
    let mut r = Runner::new(config.clone(), Device::Cpu).expect("runner");
    r.train_steps(10).expect("train");
    let lens = r.text_lens().expect("lens");
    let sentence = "The food was GREAT, but qwzxv service!";
    let maps = block_on(lens.attention(sentence)).expect("attention");
    let Some(TextVocab::Words(words)) = text_vocab(&config).expect("vocab") else {
        panic!("the sentiment vocabulary is words");
    };
    let tokens = tokenize_words(sentence);
    assert_eq!(maps.tokens.labels, tokens);
    let unknown: Vec<bool> = tokens.iter().map(|w| !words.contains(w)).collect();
    assert_eq!(maps.tokens.unknown, unknown);
    assert!(unknown.iter().any(|&u| u), "the made-up word is unknown");
    assert!(maps
        .tokens
        .ids
        .iter()
        .zip(&unknown)
        .all(|(&id, &u)| u == (id == UNK_ID)));
    // embed, res(attn(2)), meanpool, dense(2): the attn input is the embedding rows of
    // the padded ids; the recompute's first n rows and columns are the view.
    assert_eq!(maps.layers.len(), 1);
    let layer = &maps.layers[0];
    assert_eq!(
        (layer.name.as_str(), layer.causal, layer.heads.len()),
        ("1.0", false, 2)
    );
    let (t, n, d) = (config.context, tokens.len(), 32);
    let mut ids = vec![0.0f32; t];
    for (slot, &id) in ids.iter_mut().zip(&maps.tokens.ids) {
        *slot = id as f32;
    }
    let table = param(r.model(), "0.weight");
    let x: Vec<f32> = ids
        .iter()
        .flat_map(|&id| table[id as usize * d..(id as usize + 1) * d].to_vec())
        .collect();
    let want = naive_weights(
        &x,
        (1, t, d),
        &param(r.model(), "1.0.in_proj_weight"),
        &param(r.model(), "1.0.in_proj_bias"),
        2,
        false,
        &ids,
    );
    for (h, head) in layer.heads.iter().enumerate() {
        assert_eq!(head.len(), n * n);
        for (idx, &g) in head.iter().enumerate() {
            let r = want[(h * t + idx / n) * t + idx % n];
            assert!((g as f64 - r).abs() <= 1e-5, "head {h} [{idx}]: {g} vs {r}");
        }
    }
    let mean = layer.mean_of_heads();
    for (idx, &m) in mean.iter().enumerate() {
        let r = (layer.heads[0][idx] + layer.heads[1][idx]) / 2.0;
        assert!((m - r).abs() <= 1e-7);
    }
    let err = block_on(lens.attention("  ")).expect_err("no tokens");
    assert!(err.to_string().contains("no tokens"), "{err}");
}

#[test]
fn a_prompt_lens_keeps_the_last_context_characters_and_sees_no_future() {
    let config = preset("shakespeare-char").expect("preset");
    let r = Runner::new(config.clone(), Device::Cpu).expect("runner");
    let lens = r.text_lens().expect("lens");
    let prompt = "ROMEO:\nBut soft, what light through yonder window breaks?";
    let maps = block_on(lens.attention(prompt)).expect("attention");
    let t = config.context;
    let chars: Vec<String> = prompt.chars().map(String::from).collect();
    assert_eq!(maps.tokens.labels, chars[chars.len() - t..]);
    assert_eq!(maps.tokens.dropped, chars.len() - t);
    assert_eq!(maps.layers.len(), 2, "two transformer blocks");
    for layer in &maps.layers {
        assert!(layer.causal);
        assert_eq!(layer.heads.len(), 4);
        for head in &layer.heads {
            for (idx, &w) in head.iter().enumerate() {
                let (i, j) = (idx / t, idx % t);
                if j > i {
                    assert_eq!(w.to_bits(), 0, "query {i} sees future key {j}");
                }
            }
            for row in head.chunks(t) {
                let sum: f64 = row.iter().map(|&v| v as f64).sum();
                assert!((sum - 1.0).abs() <= 1e-5, "{sum}");
            }
        }
    }
    let err = block_on(lens.attention("caf\u{e9}")).expect_err("not in the vocabulary");
    assert!(err.to_string().contains("not in the vocabulary"), "{err}");
}
