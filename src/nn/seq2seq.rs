//! An encoder-decoder transformer (the translator's model): pre-LN encoder blocks
//! (self-attention, MLP), pre-LN decoder blocks (causal self-attention, cross-attention
//! to the encoder output with the source padding mask, MLP), final layer norms and an
//! output head. Parameter names follow PyTorch's `nn.Transformer(norm_first=True)`
//! (`encoder.layers.0.self_attn.in_proj_weight`, `decoder.layers.0.multihead_attn...`,
//! `encoder.norm.weight`), plus `src_embed`, `tgt_embed`, `src_pos`, `tgt_pos` and `head`.
//! Token id 0 is padding on both sides.

use super::functional::{attention_with_weights, gelu, layer_norm};
use super::{linear, Init, ParamSet, LAYER_NORM_EPS};
use crate::backend::Device;
use crate::rng::Rng;
use crate::tensor::{BinaryOp, Tensor};

/// Sizes of a [`Seq2Seq`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seq2SeqConfig {
    /// Source vocabulary (id 0 is padding).
    pub src_vocab: usize,
    /// Target vocabulary (id 0 is padding).
    pub tgt_vocab: usize,
    /// Model width.
    pub dim: usize,
    /// Attention heads (dividing `dim`).
    pub heads: usize,
    /// Hidden width of each block's MLP.
    pub ff: usize,
    /// Encoder blocks.
    pub encoder_layers: usize,
    /// Decoder blocks.
    pub decoder_layers: usize,
    /// Longest source sequence.
    pub max_src: usize,
    /// Longest target sequence.
    pub max_tgt: usize,
}

/// The encoder-decoder transformer with its parameters.
#[derive(Clone, Debug)]
pub struct Seq2Seq {
    config: Seq2SeqConfig,
    params: ParamSet,
}

/// Which parameters a block owns, in order, under its prefix.
const ATTN: [&str; 4] = [
    "in_proj_weight",
    "in_proj_bias",
    "out_proj.weight",
    "out_proj.bias",
];

impl Seq2Seq {
    /// Build the model on `device`, weights drawn from `rng` in parameter order; an
    /// error names a size that does not fit.
    pub fn new(config: Seq2SeqConfig, rng: &mut Rng, device: &Device) -> Result<Seq2Seq, String> {
        let c = config;
        if c.heads == 0 || !c.dim.is_multiple_of(c.heads) {
            return Err(format!("{} heads do not divide width {}", c.heads, c.dim));
        }
        if [c.src_vocab, c.tgt_vocab, c.dim, c.ff, c.max_src, c.max_tgt].contains(&0) {
            return Err(format!("every size must be at least 1: {c:?}"));
        }
        let mut p = ParamSet::new();
        let d = c.dim;
        let normal = |n: usize, std: f32, rng: &mut Rng| -> Vec<f32> {
            (0..n).map(|_| rng.normal() * std).collect()
        };
        let table = |p: &mut ParamSet, name: &str, rows: usize, std: f32, rng: &mut Rng| {
            p.push(
                name,
                Tensor::from_slice(&normal(rows * d, std, rng), &[rows, d], device),
            );
        };
        table(&mut p, "src_embed.weight", c.src_vocab, 1.0, rng);
        table(&mut p, "tgt_embed.weight", c.tgt_vocab, 1.0, rng);
        table(&mut p, "src_pos.weight", c.max_src, 0.02, rng);
        table(&mut p, "tgt_pos.weight", c.max_tgt, 0.02, rng);
        for i in 0..c.encoder_layers {
            let pre = format!("encoder.layers.{i}.");
            push_attention(&mut p, &format!("{pre}self_attn."), d, rng, device);
            push_mlp(&mut p, &pre, (d, c.ff), rng, device);
            for n in ["norm1", "norm2"] {
                push_norm(&mut p, &format!("{pre}{n}."), d, device);
            }
        }
        push_norm(&mut p, "encoder.norm.", d, device);
        for i in 0..c.decoder_layers {
            let pre = format!("decoder.layers.{i}.");
            push_attention(&mut p, &format!("{pre}self_attn."), d, rng, device);
            push_attention(&mut p, &format!("{pre}multihead_attn."), d, rng, device);
            push_mlp(&mut p, &pre, (d, c.ff), rng, device);
            for n in ["norm1", "norm2", "norm3"] {
                push_norm(&mut p, &format!("{pre}{n}."), d, device);
            }
        }
        push_norm(&mut p, "decoder.norm.", d, device);
        let w = Init::XavierUniform.sample(d, c.tgt_vocab, rng);
        p.push(
            "head.weight",
            Tensor::from_slice(&w, &[c.tgt_vocab, d], device),
        );
        p.push("head.bias", Tensor::zeros(&[c.tgt_vocab], device));
        Ok(Seq2Seq { config, params: p })
    }

    /// A model of `config` over existing parameters (say, a run's, or weights read from
    /// a file): each of [`seq2seq_param_shapes`]'s names present, in that order, with its
    /// shape; an error names the first that is not.
    pub fn from_params(config: Seq2SeqConfig, params: ParamSet) -> Result<Seq2Seq, String> {
        let want = seq2seq_param_shapes(&config);
        if want.len() != params.len() {
            return Err(format!(
                "the encoder-decoder has {} parameters, {} were given",
                want.len(),
                params.len()
            ));
        }
        for ((name, dims), (got, t)) in want.iter().zip(params.iter()) {
            if name != got || dims.as_slice() != t.dims() {
                return Err(format!(
                    "parameter {got} {:?} where the encoder-decoder has {name} {dims:?}",
                    t.dims()
                ));
            }
        }
        Ok(Seq2Seq { config, params })
    }

    /// The sizes.
    pub fn config(&self) -> Seq2SeqConfig {
        self.config
    }

    /// The parameters, PyTorch-named, in a fixed order.
    pub fn params(&self) -> &ParamSet {
        &self.params
    }

    /// The parameters, for optimizers and weight loading.
    pub fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }

    fn get(&self, name: &str) -> &Tensor {
        let i = self
            .params
            .index_of(name)
            .unwrap_or_else(|| panic!("seq2seq: no parameter {name}"));
        self.params.get(i)
    }

    /// Token ids `[B, L]` to `embedding + position` vectors `[B, L, D]`.
    fn embed(&self, ids: &Tensor, side: &str) -> Tensor {
        let (b, l) = (ids.dims()[0], ids.dims()[1]);
        let table = self.get(&format!("{side}_embed.weight"));
        let pos = self.get(&format!("{side}_pos.weight")).narrow(0, 0, l);
        table
            .gather_rows(&ids.reshape(&[b * l]))
            .reshape(&[b, l, self.config.dim])
            .add(&pos)
    }

    fn norm(&self, x: &Tensor, prefix: &str) -> Tensor {
        let (w, b) = (
            self.get(&format!("{prefix}weight")),
            self.get(&format!("{prefix}bias")),
        );
        layer_norm(x, w, b, LAYER_NORM_EPS)
    }

    /// Multi-head attention of queries from `x` over keys and values from `kv`, with
    /// the parameters under `prefix`: its output and weights `[B, H, Tq, Tk]`.
    fn attend(
        &self,
        (x, kv): (&Tensor, &Tensor),
        prefix: &str,
        causal: bool,
        key_mask: &Tensor,
    ) -> (Tensor, Tensor) {
        let [w_in, b_in, w_out, b_out] = ATTN.map(|n| self.get(&format!("{prefix}{n}")));
        let d = self.config.dim;
        let project = |t: &Tensor, part: usize| {
            dense3(
                t,
                &w_in.narrow(0, part * d, d),
                &b_in.narrow(0, part * d, d),
            )
        };
        let (q, k, v) = (project(x, 0), project(kv, 1), project(kv, 2));
        let (o, w) = attention_with_weights(&q, &k, &v, self.config.heads, causal, Some(key_mask));
        (dense3(&o, w_out, b_out), w)
    }

    fn mlp(&self, x: &Tensor, prefix: &str) -> Tensor {
        let h = dense3(
            x,
            self.get(&format!("{prefix}linear1.weight")),
            self.get(&format!("{prefix}linear1.bias")),
        );
        dense3(
            &gelu(&h),
            self.get(&format!("{prefix}linear2.weight")),
            self.get(&format!("{prefix}linear2.bias")),
        )
    }

    /// The encoder output `[B, S, D]` for source ids `[B, S]`.
    pub fn encode(&self, src: &Tensor) -> Tensor {
        let mask = padding_mask(src);
        let mut h = self.embed(src, "src");
        for i in 0..self.config.encoder_layers {
            let pre = format!("encoder.layers.{i}.");
            let n = self.norm(&h, &format!("{pre}norm1."));
            h = h.add(
                &self
                    .attend((&n, &n), &format!("{pre}self_attn."), false, &mask)
                    .0,
            );
            h = h.add(&self.mlp(&self.norm(&h, &format!("{pre}norm2.")), &pre));
        }
        self.norm(&h, "encoder.norm.")
    }

    /// Logits `[B, T, V]` for target inputs `[B, T]` given the encoder output `memory`
    /// of `src`, and each decoder block's cross-attention weights `[B, H, T, S]`.
    fn decode(&self, src: &Tensor, memory: &Tensor, tgt_in: &Tensor) -> (Tensor, Vec<Tensor>) {
        let (src_mask, tgt_mask) = (padding_mask(src), padding_mask(tgt_in));
        let mut y = self.embed(tgt_in, "tgt");
        let mut cross = Vec::with_capacity(self.config.decoder_layers);
        for i in 0..self.config.decoder_layers {
            let pre = format!("decoder.layers.{i}.");
            let n = self.norm(&y, &format!("{pre}norm1."));
            y = y.add(
                &self
                    .attend((&n, &n), &format!("{pre}self_attn."), true, &tgt_mask)
                    .0,
            );
            let n = self.norm(&y, &format!("{pre}norm2."));
            let (o, w) = self.attend(
                (&n, memory),
                &format!("{pre}multihead_attn."),
                false,
                &src_mask,
            );
            cross.push(w);
            y = y.add(&o);
            y = y.add(&self.mlp(&self.norm(&y, &format!("{pre}norm3.")), &pre));
        }
        let y = self.norm(&y, "decoder.norm.");
        (
            dense3(&y, self.get("head.weight"), self.get("head.bias")),
            cross,
        )
    }

    /// Logits `[B, T, V]` for target inputs `[B, T]` given `memory`, the encoder output
    /// of `src` (so a decoder loop encodes its source once).
    pub fn decode_logits(&self, src: &Tensor, memory: &Tensor, tgt_in: &Tensor) -> Tensor {
        self.decode(src, memory, tgt_in).0
    }

    /// Logits `[B, T, V]` of the next target token at each position, for source ids
    /// `[B, S]` and target inputs `[B, T]` (the target shifted right, starting with a
    /// start token). Panics on sizes past the model's (validated by its callers).
    pub fn forward(&self, src_ids: &Tensor, tgt_in_ids: &Tensor) -> Tensor {
        self.decode(src_ids, &self.encode(src_ids), tgt_in_ids).0
    }

    /// Cross-attention weights of decoder block `layer` for one example (batch row 0):
    /// `[heads, T, S]`, row `t` the weights target position `t` puts on each source
    /// position (0 on padding). `None` when there is no such block.
    pub fn cross_attention(
        &self,
        src_ids: &Tensor,
        tgt_in_ids: &Tensor,
        layer: usize,
    ) -> Option<Tensor> {
        let (_, cross) = self.decode(src_ids, &self.encode(src_ids), tgt_in_ids);
        let w = cross.into_iter().nth(layer)?;
        let [_, h, t, s] = [w.dims()[0], w.dims()[1], w.dims()[2], w.dims()[3]];
        Some(w.narrow(0, 0, 1).reshape(&[h, t, s]))
    }
}

/// The parameters [`Seq2Seq::new`] makes for `c`, in its order, with their shapes
/// (names as in the module's docs), computed without allocating any tensor: the cost
/// model and the weight checks of links and files read them.
pub fn seq2seq_param_shapes(c: &Seq2SeqConfig) -> Vec<(String, Vec<usize>)> {
    let d = c.dim;
    let mut out: Vec<(String, Vec<usize>)> = vec![
        ("src_embed.weight".into(), vec![c.src_vocab, d]),
        ("tgt_embed.weight".into(), vec![c.tgt_vocab, d]),
        ("src_pos.weight".into(), vec![c.max_src, d]),
        ("tgt_pos.weight".into(), vec![c.max_tgt, d]),
    ];
    let attention = |out: &mut Vec<(String, Vec<usize>)>, pre: &str| {
        let dims = [vec![3 * d, d], vec![3 * d], vec![d, d], vec![d]];
        for (n, dims) in ATTN.iter().zip(dims) {
            out.push((format!("{pre}{n}"), dims));
        }
    };
    let mlp = |out: &mut Vec<(String, Vec<usize>)>, pre: &str| {
        out.push((format!("{pre}linear1.weight"), vec![c.ff, d]));
        out.push((format!("{pre}linear1.bias"), vec![c.ff]));
        out.push((format!("{pre}linear2.weight"), vec![d, c.ff]));
        out.push((format!("{pre}linear2.bias"), vec![d]));
    };
    let norm = |out: &mut Vec<(String, Vec<usize>)>, pre: &str| {
        out.push((format!("{pre}weight"), vec![d]));
        out.push((format!("{pre}bias"), vec![d]));
    };
    for i in 0..c.encoder_layers {
        let pre = format!("encoder.layers.{i}.");
        attention(&mut out, &format!("{pre}self_attn."));
        mlp(&mut out, &pre);
        norm(&mut out, &format!("{pre}norm1."));
        norm(&mut out, &format!("{pre}norm2."));
    }
    norm(&mut out, "encoder.norm.");
    for i in 0..c.decoder_layers {
        let pre = format!("decoder.layers.{i}.");
        attention(&mut out, &format!("{pre}self_attn."));
        attention(&mut out, &format!("{pre}multihead_attn."));
        mlp(&mut out, &pre);
        for n in ["norm1.", "norm2.", "norm3."] {
            norm(&mut out, &format!("{pre}{n}"));
        }
    }
    norm(&mut out, "decoder.norm.");
    out.push(("head.weight".into(), vec![c.tgt_vocab, d]));
    out.push(("head.bias".into(), vec![c.tgt_vocab]));
    out
}

/// 1 for a token, 0 for padding (id 0), `[B, L]`, outside the graph.
fn padding_mask(ids: &Tensor) -> Tensor {
    ids.detach().binary_scalar(BinaryOp::Gt, 0.0)
}

/// A dense layer on the last axis of `[B, L, in]`.
fn dense3(x: &Tensor, w: &Tensor, b: &Tensor) -> Tensor {
    let (bs, l, k) = (x.dims()[0], x.dims()[1], x.dims()[2]);
    linear(&x.reshape(&[bs * l, k]), w, b).reshape(&[bs, l, w.dims()[0]])
}

/// `nn.MultiheadAttention`'s parameters under `prefix`: Xavier-uniform in_proj, zero
/// biases, out_proj `U(-1/sqrt(D), 1/sqrt(D))`.
fn push_attention(p: &mut ParamSet, prefix: &str, d: usize, rng: &mut Rng, device: &Device) {
    let w_in = Init::XavierUniform.sample_n(3 * d * d, d, 3 * d, rng);
    p.push(
        format!("{prefix}{}", ATTN[0]),
        Tensor::from_slice(&w_in, &[3 * d, d], device),
    );
    p.push(
        format!("{prefix}{}", ATTN[1]),
        Tensor::zeros(&[3 * d], device),
    );
    let a = 1.0 / (d as f32).sqrt();
    let w_out: Vec<f32> = (0..d * d).map(|_| rng.range(-a, a)).collect();
    p.push(
        format!("{prefix}{}", ATTN[2]),
        Tensor::from_slice(&w_out, &[d, d], device),
    );
    p.push(format!("{prefix}{}", ATTN[3]), Tensor::zeros(&[d], device));
}

/// `linear1 [ff, d]` and `linear2 [d, ff]` (He for the GELU layer, Xavier after it).
fn push_mlp(
    p: &mut ParamSet,
    prefix: &str,
    (d, ff): (usize, usize),
    rng: &mut Rng,
    device: &Device,
) {
    let w1 = Init::HeNormal.sample(d, ff, rng);
    p.push(
        format!("{prefix}linear1.weight"),
        Tensor::from_slice(&w1, &[ff, d], device),
    );
    p.push(
        format!("{prefix}linear1.bias"),
        Tensor::zeros(&[ff], device),
    );
    let w2 = Init::XavierUniform.sample(ff, d, rng);
    p.push(
        format!("{prefix}linear2.weight"),
        Tensor::from_slice(&w2, &[d, ff], device),
    );
    p.push(format!("{prefix}linear2.bias"), Tensor::zeros(&[d], device));
}

fn push_norm(p: &mut ParamSet, prefix: &str, d: usize, device: &Device) {
    p.push(format!("{prefix}weight"), Tensor::ones(&[d], device));
    p.push(format!("{prefix}bias"), Tensor::zeros(&[d], device));
}
