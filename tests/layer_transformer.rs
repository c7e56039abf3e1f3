//! The transformer layers of the model grammar (`pos`, `attn`, `meanpool`, `unembed`):
//! text round trips, shape errors, PyTorch parameter names, and a tiny GPT
//! (`embed, pos, res(layernorm, attn(H,causal)), res(layernorm, dense(4D), gelu,
//! dense(D)), layernorm, dense(V)`) whose CPU and GPU losses and gradients agree, whose
//! CPU training is deterministic, whose attention is causal and ignores padding.

mod common;

use common::gpt::{adamw, gpt, gpt_loss, token_batch, train_step, TINY};
use common::gpu::gpu_device;
use common::read;
use gradlab::nn::{infer_shapes, parse_stack, stack_text, Layer, Mode, Module, Sequential};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

#[test]
fn every_transformer_layer_round_trips_through_its_text() {
    let text = "embed(50,16),pos(32),res(layernorm,attn(4,causal)),res(layernorm,dense(64),\
                gelu,dense(16)),attn(2),layernorm,unembed";
    let layers = parse_stack(text).unwrap();
    assert_eq!(stack_text(&layers), text.replace(' ', ""));
    assert_eq!(parse_stack(&stack_text(&layers)).unwrap(), layers);
    assert_eq!(layers[1], Layer::Pos { max_len: 32 });
    assert_eq!(
        layers[4],
        Layer::Attention {
            heads: 2,
            causal: false
        }
    );
    // `unembed` takes its sizes from the first embedding.
    assert_eq!(layers[6], Layer::Unembed { vocab: 50, dim: 16 });
    let pooled = parse_stack("embed(9,4),attn(1),meanpool,dense(2)").unwrap();
    assert_eq!(pooled[2], Layer::MeanPool);
    assert_eq!(stack_text(&pooled), "embed(9,4),attn(1),meanpool,dense(2)");
}

#[test]
fn transformer_layers_report_shape_errors_naming_both_sizes() {
    let err = |text: &str, input: &[usize]| {
        infer_shapes(&parse_stack(text).unwrap(), input)
            .unwrap_err()
            .to_string()
    };
    let e = err("embed(10,8),pos(4)", &[6]);
    assert!(e.contains("6") && e.contains("pos(4)"), "{e}");
    let e = err("embed(10,8),attn(3)", &[4]);
    assert!(e.contains("8") && e.contains("3"), "{e}");
    assert!(err("meanpool", &[4]).contains("[length, width]"));
    assert!(err("attn(2)", &[4]).contains("[length, width]"));
    let e = err("dense(4),unembed", &[2, 4]);
    assert!(e.contains("no") && e.contains("embed"), "{e}");
    let e = err("embed(10,8),dense(6),unembed", &[4]);
    assert!(e.contains("width 8") && e.contains("6"), "{e}");
    for (bad, says) in [
        ("attn", "attn(HEADS)"),
        ("attn(2,sideways)", "not a number"),
        ("pos", "pos(MAX_LENGTH)"),
        ("meanpool(2)", "without arguments"),
    ] {
        let e = parse_stack(bad).unwrap_err();
        assert!(e.contains(says), "{bad}: {e}");
    }
    // A hand-built head whose sizes are not its embedding's is an error, not a panic.
    let hand = [
        Layer::Embedding { vocab: 5, dim: 4 },
        Layer::Unembed { vocab: 6, dim: 4 },
    ];
    assert!(infer_shapes(&hand, &[3]).is_err());
}

#[test]
fn transformer_parameters_follow_pytorch_names_and_shapes() {
    let model = gpt(TINY, 1, &Device::Cpu);
    let (d, v, t) = (TINY.dim, TINY.vocab, TINY.context);
    let shapes: Vec<(String, Vec<usize>)> = model
        .params()
        .iter()
        .map(|(n, t)| (n.to_string(), t.dims().to_vec()))
        .collect();
    let want: Vec<(&str, Vec<usize>)> = vec![
        ("0.weight", vec![v, d]),
        ("1.weight", vec![t, d]),
        ("2.0.weight", vec![d]),
        ("2.0.bias", vec![d]),
        ("2.1.in_proj_weight", vec![3 * d, d]),
        ("2.1.in_proj_bias", vec![3 * d]),
        ("2.1.out_proj.weight", vec![d, d]),
        ("2.1.out_proj.bias", vec![d]),
        ("3.0.weight", vec![d]),
        ("3.0.bias", vec![d]),
        ("3.1.weight", vec![4 * d, d]),
        ("3.1.bias", vec![4 * d]),
        ("3.3.weight", vec![d, 4 * d]),
        ("3.3.bias", vec![d]),
    ];
    for (i, (name, dims)) in want.iter().enumerate() {
        assert_eq!(shapes[i], (name.to_string(), dims.clone()));
    }
    assert_eq!(
        shapes.last().unwrap().0,
        format!("{}.bias", 3 + 2 * TINY.layers)
    );
    // Xavier-uniform in_proj (fans D and 3D), zero biases, N(0, 0.02) positions.
    let p = |name: &str| read(&model.params().tensors()[model.params().index_of(name).unwrap()]);
    let bound = (6.0f32 / (4 * d) as f32).sqrt();
    assert!(p("2.1.in_proj_weight").iter().all(|w| w.abs() <= bound));
    assert!(p("2.1.in_proj_bias").iter().all(|&b| b == 0.0));
    let pos = p("1.weight");
    let std = (pos.iter().map(|x| x * x).sum::<f32>() / pos.len() as f32).sqrt();
    assert!((0.01..0.03).contains(&std), "position std {std}");
}

/// Loss and every gradient of the tiny GPT on `device`.
fn loss_and_grads(device: &Device) -> (f32, Vec<Vec<f32>>) {
    let model = gpt(TINY, 7, device);
    let batch = token_batch(TINY, &mut Rng::new(3));
    let loss = gpt_loss(&model, TINY, &batch.0, &batch.1);
    let grads = loss.backward();
    let g = model
        .params()
        .tensors()
        .iter()
        .map(|p| read(grads.get(p).expect("every parameter gets a gradient")))
        .collect();
    (read(&loss)[0], g)
}

#[test]
fn tiny_gpt_loss_and_gradients_agree_between_cpu_and_gpu() {
    let (cpu_loss, cpu_grads) = loss_and_grads(&Device::Cpu);
    assert!(cpu_loss.is_finite() && cpu_loss > 0.0, "{cpu_loss}");
    let Some(gpu) = gpu_device() else { return };
    let (gpu_loss, gpu_grads) = loss_and_grads(&gpu);
    assert!(
        (gpu_loss - cpu_loss).abs() < 1e-5,
        "loss cpu {cpu_loss} gpu {gpu_loss}"
    );
    let names = gpt(TINY, 7, &Device::Cpu).params().names().to_vec();
    for ((c, g), name) in cpu_grads.iter().zip(&gpu_grads).zip(&names) {
        let norm = c.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-3);
        let err = c
            .iter()
            .zip(g)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            err <= 1e-4 * norm.max(1.0),
            "{name}: gradient error {err} (max |cpu| {norm})"
        );
    }
}

/// The losses of `steps` AdamW steps of the tiny GPT on `device`, and its final weights.
fn train(device: &Device, steps: usize) -> (Vec<f32>, Vec<Vec<f32>>) {
    let mut model = gpt(TINY, 11, device);
    let mut opt = adamw();
    let mut rng = Rng::new(5);
    let mut losses = Vec::new();
    for _ in 0..steps {
        let batch = token_batch(TINY, &mut rng);
        losses.push(read(&gpt_loss(&model, TINY, &batch.0, &batch.1))[0]);
        train_step(&mut model, &mut opt, TINY, &batch);
    }
    let weights = model.params().tensors().iter().map(read).collect();
    (losses, weights)
}

#[test]
fn tiny_gpt_training_is_deterministic_on_the_cpu_and_matches_the_gpu() {
    let (losses, weights) = train(&Device::Cpu, 12);
    let (again, weights_again) = train(&Device::Cpu, 12);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&losses), bits(&again), "two CPU runs differ");
    for (a, b) in weights.iter().zip(&weights_again) {
        assert_eq!(bits(a), bits(b), "two CPU runs end with different weights");
    }
    let Some(gpu) = gpu_device() else { return };
    let (gpu_losses, _) = train(&gpu, 12);
    for (step, (c, g)) in losses.iter().zip(&gpu_losses).enumerate() {
        assert!(
            (c - g).abs() < 1e-3 * c.abs().max(1.0),
            "step {step}: cpu {c} gpu {g}"
        );
    }
}

/// The output of `model` for one sequence of ids.
fn outputs(model: &Sequential, ids: &[f32]) -> Vec<f32> {
    let device = model.params().tensors()[0].device().clone();
    let x = Tensor::from_slice(ids, &[1, ids.len()], &device);
    read(&model.forward_mode(&x, Mode::Eval))
}

#[test]
fn causal_attention_outputs_do_not_depend_on_later_tokens() {
    let mut devices = vec![Device::Cpu];
    devices.extend(gpu_device());
    for device in &devices {
        let model = gpt(TINY, 9, device);
        let ids: Vec<f32> = (0..TINY.context).map(|i| (1 + i % 10) as f32).collect();
        let base = outputs(&model, &ids);
        for cut in 0..TINY.context - 1 {
            let mut changed = ids.clone();
            for id in &mut changed[cut + 1..] {
                *id = 10.0 - *id + 1.0;
            }
            let out = outputs(&model, &changed);
            let keep = (cut + 1) * TINY.vocab;
            assert_eq!(
                &out[..keep],
                &base[..keep],
                "position {cut} saw a later token"
            );
            assert_ne!(out[keep..], base[keep..], "later positions must change");
        }
    }
}

#[test]
fn padding_does_not_change_the_outputs_of_real_tokens() {
    let text = "embed(12,8),pos(8),res(layernorm,attn(2)),res(layernorm,dense(16),gelu,dense(8))";
    let mut devices = vec![Device::Cpu];
    devices.extend(gpu_device());
    for device in &devices {
        let layers = parse_stack(text).unwrap();
        let per_position = Sequential::new(&layers, &[8], &mut Rng::new(4), device).unwrap();
        let short = Sequential::new(&layers, &[5], &mut Rng::new(4), device).unwrap();
        let real = [3.0, 7.0, 1.0, 11.0, 5.0];
        let padded = [3.0, 7.0, 1.0, 11.0, 5.0, 0.0, 0.0, 0.0];
        let (a, b) = (outputs(&short, &real), outputs(&per_position, &padded));
        for (i, (x, y)) in a.iter().zip(&b[..a.len()]).enumerate() {
            assert!(
                (x - y).abs() < 1e-5,
                "element {i}: unpadded {x}, padded {y}"
            );
        }
        // The same stack pooled: the mean runs over the real tokens only.
        let mut pooled_layers = layers.clone();
        pooled_layers.extend(parse_stack("meanpool,dense(3)").unwrap());
        let pooled = Sequential::new(&pooled_layers, &[8], &mut Rng::new(4), device).unwrap();
        let pooled_short = Sequential::new(&pooled_layers, &[5], &mut Rng::new(4), device).unwrap();
        let (a, b) = (outputs(&pooled_short, &real), outputs(&pooled, &padded));
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-5, "pooled: unpadded {x}, padded {y}");
        }
    }
}

#[test]
fn a_tied_head_reads_the_embedding_and_trains_it() {
    let layers =
        parse_stack("embed(7,4),pos(5),res(layernorm,attn(1,causal)),layernorm,unembed").unwrap();
    let model = Sequential::new(&layers, &[5], &mut Rng::new(2), &Device::Cpu).unwrap();
    // No weight of its own: the embedding, the positions, the block and the norm.
    assert_eq!(model.params().len(), 1 + 1 + 6 + 2);
    let x = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1, 5], &Device::Cpu);
    let logits = model.forward_mode(&x, Mode::Eval);
    assert_eq!(logits.dims(), [1, 5, 7]);
    // The head is h @ W^T: recompute it from the last norm's output.
    let all = model.forward_all(&x, Mode::Eval);
    let h = read(&all[3]);
    let w = read(&model.params().tensors()[0]);
    let got = read(&logits);
    for p in 0..5 {
        for v in 0..7 {
            let want: f32 = (0..4).map(|k| h[p * 4 + k] * w[v * 4 + k]).sum();
            assert!((got[p * 7 + v] - want).abs() < 1e-5);
        }
    }
    let t = Tensor::from_slice(&[2.0, 3.0, 4.0, 5.0, 6.0], &[5], &Device::Cpu);
    let grads = logits.reshape(&[5, 7]).cross_entropy_ids(&t).backward();
    let g = read(grads.get(&model.params().tensors()[0]).unwrap());
    // Rows of ids the input never used still get a gradient, through the head.
    assert!(g[..4].iter().any(|&v| v != 0.0) && g[24..].iter().any(|&v| v != 0.0));
}
