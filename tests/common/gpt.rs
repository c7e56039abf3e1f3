//! A tiny GPT for the layer tests, the lean-step test and the timing bench: its model
//! text (the grammar the token-task presets use), seeded token batches and a plain
//! training loop (forward, fused cross-entropy, backward, AdamW) outside the runner.

use gradlab::nn::{parse_stack, Mode, Module, Sequential};
use gradlab::optim::{Optimizer, OptimizerConfig, OptimizerKind};
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// Sizes of a decoder-only GPT.
#[derive(Clone, Copy, Debug)]
pub struct GptSize {
    /// Vocabulary (id 0 is padding).
    pub vocab: usize,
    /// Width.
    pub dim: usize,
    /// Attention heads.
    pub heads: usize,
    /// Transformer blocks.
    pub layers: usize,
    /// Context length.
    pub context: usize,
    /// Sequences per batch.
    pub batch: usize,
}

/// The tiny GPT of the tests.
pub const TINY: GptSize = GptSize {
    vocab: 11,
    dim: 16,
    heads: 2,
    layers: 2,
    context: 8,
    batch: 3,
};

/// nanoGPT's CPU configuration (4 layers, 4 heads, 128 wide, context 64, batch 12) on
/// a 65-character vocabulary.
pub const NANOGPT_CPU: GptSize = GptSize {
    vocab: 65,
    dim: 128,
    heads: 4,
    layers: 4,
    context: 64,
    batch: 12,
};

/// The model text: `embed(V,D), pos(T)`, pre-LN blocks `res(layernorm, attn(H,causal)),
/// res(layernorm, dense(4D), gelu, dense(D))`, a final `layernorm` and `dense(V)`.
pub fn gpt_text(s: GptSize) -> String {
    let block = format!(
        "res(layernorm,attn({},causal)),res(layernorm,dense({}),gelu,dense({}))",
        s.heads,
        4 * s.dim,
        s.dim
    );
    let blocks = vec![block; s.layers].join(",");
    format!(
        "embed({},{}),pos({}),{blocks},layernorm,dense({})",
        s.vocab, s.dim, s.context, s.vocab
    )
}

/// The GPT built from [`gpt_text`] on `device`, weights from `seed`.
pub fn gpt(s: GptSize, seed: u64, device: &Device) -> Sequential {
    let layers = parse_stack(&gpt_text(s)).expect("the GPT text parses");
    Sequential::new(&layers, &[s.context], &mut Rng::new(seed), device).expect("the GPT builds")
}

/// `batch` sequences of `len` ids in `1..vocab` (no padding) and their next ids.
pub fn token_batch(s: GptSize, rng: &mut Rng) -> (Vec<f32>, Vec<f32>) {
    let n = s.batch * s.context;
    let stream: Vec<f32> = (0..n + 1)
        .map(|_| (1 + rng.below(s.vocab - 1)) as f32)
        .collect();
    // Next-token targets within each sequence; the last position of a sequence
    // predicts the first of the next one (any fixed rule does for these tests).
    (stream[..n].to_vec(), stream[1..].to_vec())
}

/// The mean cross-entropy of the model's next-token logits.
pub fn gpt_loss(model: &Sequential, s: GptSize, ids: &[f32], targets: &[f32]) -> Tensor {
    let device = model.params().tensors()[0].device().clone();
    let x = Tensor::from_slice(ids, &[s.batch, s.context], &device);
    let t = Tensor::from_slice(targets, &[s.batch * s.context], &device);
    let logits = model.forward_mode(&x, Mode::Eval);
    logits
        .reshape(&[s.batch * s.context, s.vocab])
        .cross_entropy_ids(&t)
}

/// AdamW with nanoGPT's learning rate.
pub fn adamw() -> Optimizer {
    Optimizer::new(OptimizerConfig {
        kind: OptimizerKind::AdamW,
        lr: 1e-3,
        weight_decay: 0.1,
        ..OptimizerConfig::default()
    })
}

/// One training step on a batch (nothing read back).
pub fn train_step(
    model: &mut Sequential,
    opt: &mut Optimizer,
    s: GptSize,
    batch: &(Vec<f32>, Vec<f32>),
) {
    let grads = gpt_loss(model, s, &batch.0, &batch.1).backward();
    opt.step(model.params_mut(), &grads)
        .expect("optimizer step");
    model.params().tensors()[0].device().flush();
}
