//! The encoder-decoder transformer (`nn::Seq2Seq`): PyTorch `nn.Transformer` parameter
//! names, a causal decoder, source padding that changes nothing, the cross-attention
//! readout, CPU and GPU agreeing on the loss and gradients, deterministic CPU training.

mod common;

use common::gpu::gpu_device;
use common::read;
use gradlab::nn::{Seq2Seq, Seq2SeqConfig};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

const CONFIG: Seq2SeqConfig = Seq2SeqConfig {
    src_vocab: 13,
    tgt_vocab: 9,
    dim: 8,
    heads: 2,
    ff: 16,
    encoder_layers: 2,
    decoder_layers: 2,
    max_src: 7,
    max_tgt: 5,
};

fn model(device: &Device) -> Seq2Seq {
    Seq2Seq::new(CONFIG, &mut Rng::new(5), device).unwrap()
}

fn ids(v: &[f32], device: &Device) -> Tensor {
    Tensor::from_slice(v, &[1, v.len()], device)
}

const SRC: [f32; 6] = [4.0, 9.0, 2.0, 12.0, 7.0, 3.0];
const TGT: [f32; 5] = [1.0, 5.0, 8.0, 2.0, 6.0];

#[test]
fn seq2seq_parameters_follow_pytorch_transformer_names() {
    let m = model(&Device::Cpu);
    let names = m.params().names();
    for name in [
        "encoder.layers.0.self_attn.in_proj_weight",
        "encoder.layers.1.linear2.bias",
        "encoder.layers.0.norm2.weight",
        "encoder.norm.weight",
        "decoder.layers.1.multihead_attn.out_proj.weight",
        "decoder.layers.0.norm3.bias",
        "decoder.norm.bias",
        "head.weight",
        "src_embed.weight",
        "tgt_pos.weight",
    ] {
        assert!(names.iter().any(|n| n == name), "no parameter {name}");
    }
    let i = m
        .params()
        .index_of("decoder.layers.0.multihead_attn.in_proj_weight")
        .unwrap();
    assert_eq!(m.params().get(i).dims(), [3 * CONFIG.dim, CONFIG.dim]);
    let bad = Seq2SeqConfig { heads: 3, ..CONFIG };
    assert!(Seq2Seq::new(bad, &mut Rng::new(1), &Device::Cpu)
        .unwrap_err()
        .contains("3 heads"));
}

#[test]
fn the_decoder_is_causal_and_source_padding_changes_nothing() {
    let mut devices = vec![Device::Cpu];
    devices.extend(gpu_device());
    for d in &devices {
        let m = model(d);
        let base = read(&m.forward(&ids(&SRC, d), &ids(&TGT, d)));
        assert_eq!(base.len(), TGT.len() * CONFIG.tgt_vocab);
        let v = CONFIG.tgt_vocab;
        for cut in 0..TGT.len() - 1 {
            let mut later = TGT;
            for t in &mut later[cut + 1..] {
                *t = 9.0 - *t;
            }
            let out = read(&m.forward(&ids(&SRC, d), &ids(&later, d)));
            assert_eq!(
                &out[..(cut + 1) * v],
                &base[..(cut + 1) * v],
                "position {cut}"
            );
        }
        // The source padded to the model's longest: the same logits.
        let mut padded = SRC.to_vec();
        padded.push(0.0);
        let out = read(&m.forward(&ids(&padded, d), &ids(&TGT, d)));
        for (a, b) in out.iter().zip(&base) {
            assert!((a - b).abs() < 1e-5, "padding changed a logit: {a} vs {b}");
        }
        // Cross-attention rows: weights over the source summing to 1, 0 on padding.
        let w = read(
            &m.cross_attention(&ids(&padded, d), &ids(&TGT, d), 1)
                .unwrap(),
        );
        assert_eq!(w.len(), CONFIG.heads * TGT.len() * padded.len());
        for row in w.chunks(padded.len()) {
            assert_eq!(row[padded.len() - 1].to_bits(), 0);
            assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
        assert!(m.cross_attention(&ids(&SRC, d), &ids(&TGT, d), 2).is_none());
    }
}

/// Loss (next-token cross-entropy with target padding ignored) and its gradients.
fn loss_and_grads(device: &Device) -> (f32, Vec<Vec<f32>>) {
    let m = model(device);
    let src = Tensor::from_slice(
        &[SRC, [5.0, 1.0, 0.0, 0.0, 0.0, 0.0]].concat(),
        &[2, 6],
        device,
    );
    let tgt_in = Tensor::from_slice(&[TGT, [1.0, 3.0, 0.0, 0.0, 0.0]].concat(), &[2, 5], device);
    let tgt_out = [[5.0, 8.0, 2.0, 6.0, 4.0], [3.0, 7.0, -1.0, -1.0, -1.0]].concat();
    let targets = Tensor::from_slice(&tgt_out, &[10], device);
    let logits = m.forward(&src, &tgt_in).reshape(&[10, CONFIG.tgt_vocab]);
    let loss = logits.cross_entropy_ids(&targets);
    let grads = loss.backward();
    let g = m
        .params()
        .tensors()
        .iter()
        .map(|p| read(grads.get(p).expect("every parameter gets a gradient")))
        .collect();
    (read(&loss)[0], g)
}

#[test]
fn seq2seq_loss_and_gradients_agree_between_cpu_and_gpu_and_repeat() {
    let (loss, grads) = loss_and_grads(&Device::Cpu);
    let (again, grads_again) = loss_and_grads(&Device::Cpu);
    assert_eq!(loss.to_bits(), again.to_bits());
    assert_eq!(grads, grads_again);
    let Some(gpu) = gpu_device() else { return };
    let (gpu_loss, gpu_grads) = loss_and_grads(&gpu);
    assert!((loss - gpu_loss).abs() < 1e-5, "cpu {loss} gpu {gpu_loss}");
    let names = model(&Device::Cpu).params().names().to_vec();
    for ((c, g), name) in grads.iter().zip(&gpu_grads).zip(&names) {
        let norm = c.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1.0);
        let err = c
            .iter()
            .zip(g)
            .fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(err <= 1e-4 * norm, "{name}: gradient error {err}");
    }
}
