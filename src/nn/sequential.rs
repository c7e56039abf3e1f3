//! A model built from a stack of [`Layer`]s, with PyTorch `nn.Sequential` parameter
//! names: layer `i` owns `i.weight` and `i.bias`; inside a residual block at `i`, layer
//! `j` owns `i.j.weight` (the block is a `Sequential` whose forward adds its input).

use super::functional::{attention_with_weights, dropout, gelu, layer_norm, masked_mean};
use super::init::{normal_n, InitScheme, GPT_STD};
use super::layer::{infer_shapes, Layer, ShapeError};
use super::layer_seq::uses_key_mask;
use super::{linear, Activation, Init, Module, ParamSet};
use crate::backend::Device;
use crate::rng::Rng;
use crate::tensor::Tensor;
use std::cell::RefCell;

/// PyTorch's default `nn.LayerNorm` epsilon.
pub const LAYER_NORM_EPS: f32 = 1e-5;

/// Whether a forward pass trains (dropout active, drawn from a seed) or evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Evaluation: dropout is the identity.
    Eval,
    /// Training: dropout layer `k` draws its mask from `Rng::derive(seed, k)`.
    Train {
        /// Seed of this pass's masks (the runner derives one per step).
        seed: u64,
    },
}

/// A layer stack with its parameters.
#[derive(Clone, Debug)]
pub struct Sequential {
    layers: Vec<Layer>,
    input_shape: Vec<usize>,
    shapes: Vec<Vec<usize>>,
    params: ParamSet,
    /// Index of the first embedding's weight (the one `unembed` is tied to).
    tied: Option<usize>,
}

/// What every layer of one forward pass may read besides its input.
struct Pass<'a> {
    params: &'a ParamSet,
    /// `[batch, length]`, 1 for a token and 0 for padding (id 0), when the model starts
    /// with an embedding and some layer reads it.
    key_mask: Option<Tensor>,
    /// See [`Sequential::tied`].
    tied: Option<usize>,
    /// When set, every `attn` layer appends the weights it computed (the attention view).
    attention: Option<&'a RefCell<Vec<Tensor>>>,
}

/// How layer `index` of `layers` initialises its weight: by the activation that
/// directly follows it (He for ReLU and GELU, Xavier otherwise).
fn init_for(layers: &[Layer], index: usize) -> Init {
    match layers.get(index + 1) {
        Some(Layer::Act(a)) => a.init(),
        _ => Activation::Linear.init(),
    }
}

impl Sequential {
    /// Build `layers` for inputs of `input_shape` (no batch axis), drawing weights from
    /// `rng` in layer order. Biases start at zero, layer-norm scales at one, embeddings
    /// from `N(0, 1)`.
    pub fn new(
        layers: &[Layer],
        input_shape: &[usize],
        rng: &mut Rng,
        device: &Device,
    ) -> Result<Sequential, ShapeError> {
        Sequential::with_init(layers, input_shape, InitScheme::Layer, rng, device)
    }

    /// [`Sequential::new`] with the weights drawn by `scheme` (the same draws from `rng`
    /// in the same order; only their scale differs).
    pub fn with_init(
        layers: &[Layer],
        input_shape: &[usize],
        scheme: InitScheme,
        rng: &mut Rng,
        device: &Device,
    ) -> Result<Sequential, ShapeError> {
        let shapes = infer_shapes(layers, input_shape)?;
        let mut params = ParamSet::new();
        let mut tied = None;
        let draw = Draw {
            scheme,
            branch_std: GPT_STD / (count_branches(layers).max(1) as f32).sqrt(),
            in_branch: false,
        };
        build_params(
            layers,
            input_shape,
            "",
            (rng, draw),
            device,
            (&mut params, &mut tied),
        );
        Ok(Sequential {
            layers: layers.to_vec(),
            input_shape: input_shape.to_vec(),
            shapes,
            params,
            tied,
        })
    }

    /// The key padding mask of a batch of ids `[batch, length]` (1 keeps a token, 0
    /// hides padding: id 0) when the model starts with an embedding and some layer
    /// reads the mask; `None` otherwise.
    pub fn key_mask(&self, ids: &Tensor) -> Option<Tensor> {
        let starts_with_ids = matches!(self.layers.first(), Some(Layer::Embedding { .. }));
        (starts_with_ids && uses_key_mask(&self.layers) && ids.rank() == 2)
            .then(|| ids.detach().binary_scalar(crate::tensor::BinaryOp::Gt, 0.0))
    }

    fn pass(&self, x: &Tensor) -> Pass<'_> {
        Pass {
            params: &self.params,
            key_mask: self.key_mask(x),
            tied: self.tied,
            attention: None,
        }
    }

    /// The layers.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// The shape one input row takes (no batch axis).
    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// The shape after each top-level layer (no batch axis).
    pub fn shapes(&self) -> &[Vec<usize>] {
        &self.shapes
    }

    /// The widths `[in, h1, ..., out]` when the stack is an MLP on flat rows (dense
    /// layers, each hidden one followed by one activation), else `None`.
    pub fn mlp_sizes(&self) -> Option<Vec<usize>> {
        if self.input_shape.len() != 1 {
            return None;
        }
        let mut sizes = vec![self.input_shape[0]];
        let mut rest = self.layers.as_slice();
        loop {
            match rest {
                [Layer::Dense { out }] => {
                    sizes.push(*out);
                    return Some(sizes);
                }
                [Layer::Dense { out }, Layer::Act(_), tail @ ..] => {
                    sizes.push(*out);
                    rest = tail;
                }
                _ => return None,
            }
        }
    }

    /// The output of every top-level layer for a batch of flat rows `[batch, features]`.
    pub fn forward_all(&self, x: &Tensor, mode: Mode) -> Vec<Tensor> {
        let x = self.shape_input(x);
        let mut cursor = 0;
        let mut outs = Vec::with_capacity(self.layers.len());
        let pass = self.pass(&x);
        run_stack(&self.layers, &x, &pass, &mut cursor, mode, &mut |t| {
            outs.push(t.clone())
        });
        outs
    }

    /// The model's output for a batch of flat rows, in `mode`.
    pub fn forward_mode(&self, x: &Tensor, mode: Mode) -> Tensor {
        let x = self.shape_input(x);
        let mut cursor = 0;
        let pass = self.pass(&x);
        run_stack(&self.layers, &x, &pass, &mut cursor, mode, &mut |_| {})
    }

    /// The model's output for a batch, in `mode`, and the weights `[batch, heads, L, L]`
    /// (rows are queries, columns keys) of every `attn` layer in the order they ran
    /// (residual bodies included, i.e. parameter order): the very tensors this forward
    /// pass multiplied the values by, so the output is bit-identical to
    /// [`Sequential::forward_mode`]'s.
    pub fn forward_with_attention(&self, x: &Tensor, mode: Mode) -> (Tensor, Vec<Tensor>) {
        let x = self.shape_input(x);
        let mut cursor = 0;
        let sink = RefCell::new(Vec::new());
        let pass = Pass {
            attention: Some(&sink),
            ..self.pass(&x)
        };
        let out = run_stack(&self.layers, &x, &pass, &mut cursor, mode, &mut |_| {});
        (out, sink.into_inner())
    }

    /// For the network view of an MLP: the output after each dense layer's activation
    /// (the last dense layer's own output), one tensor per entry of `mlp_sizes` but the
    /// first. Other stacks give every layer's output.
    pub fn forward_layers(&self, x: &Tensor) -> Vec<Tensor> {
        let all = self.forward_all(x, Mode::Eval);
        if self.mlp_sizes().is_none() {
            return all;
        }
        let last = all.len() - 1;
        all.into_iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == 1 || *i == last)
            .map(|(_, t)| t)
            .collect()
    }

    /// Rows `[batch, features]` reshaped to `[batch, ...input_shape]`.
    fn shape_input(&self, x: &Tensor) -> Tensor {
        if self.input_shape.len() == 1 {
            return x.clone();
        }
        let mut dims = vec![x.dims()[0]];
        dims.extend(&self.input_shape);
        x.reshape(&dims)
    }
}

impl Module for Sequential {
    /// Evaluation-mode forward pass (dropout off).
    fn forward(&self, x: &Tensor) -> Tensor {
        self.forward_mode(x, Mode::Eval)
    }

    fn params(&self) -> &ParamSet {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }
}

/// How [`build_params`] scales its draws.
#[derive(Clone, Copy)]
struct Draw {
    scheme: InitScheme,
    /// Under [`InitScheme::Gpt`], the std of the last matrix of a residual branch.
    branch_std: f32,
    /// Whether the layers being built are a residual block's body.
    in_branch: bool,
}

impl Draw {
    /// The GPT-2 std of the matrix of layer `i` of `layers`: the branch std for the
    /// last layer with a matrix in a residual body, 0.02 otherwise.
    fn gpt_std(self, layers: &[Layer], i: usize) -> f32 {
        let has_matrix = |l: &Layer| matches!(l, Layer::Dense { .. } | Layer::Attention { .. });
        let last = layers.iter().rposition(has_matrix);
        match self.in_branch && last == Some(i) {
            true => self.branch_std,
            false => GPT_STD,
        }
    }
}

/// Residual blocks in `layers`, nested ones included (GPT-2 scales each branch's
/// output matrix by `1 / sqrt` of this).
fn count_branches(layers: &[Layer]) -> usize {
    layers
        .iter()
        .map(|l| match l {
            Layer::Residual(body) => 1 + count_branches(body),
            _ => 0,
        })
        .sum()
}

/// Create the parameters of `layers` (input `shape`), named under `prefix`, in order;
/// `tied` gets the index of the first embedding's weight.
fn build_params(
    layers: &[Layer],
    input: &[usize],
    prefix: &str,
    (rng, draw): (&mut Rng, Draw),
    device: &Device,
    (params, tied): (&mut ParamSet, &mut Option<usize>),
) {
    let gpt = draw.scheme == InitScheme::Gpt;
    let mut shape = input.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        let name = |p: &str| format!("{prefix}{i}.{p}");
        match layer {
            Layer::Residual(body) => {
                let prefix = format!("{prefix}{i}.");
                let inner = Draw {
                    in_branch: true,
                    ..draw
                };
                build_params(body, &shape, &prefix, (rng, inner), device, (params, tied))
            }
            Layer::Dense { .. } | Layer::Conv2d { .. } => {
                let [w, b] = &layer.param_shapes(&shape)[..] else {
                    unreachable!("dense and conv layers own a weight and a bias")
                };
                let (out, fan_in) = (w.dims[0], w.dims[1..].iter().product::<usize>());
                let receptive = fan_in / shape.first().copied().unwrap_or(1).max(1);
                let fan_out = match layer {
                    Layer::Conv2d { .. } => out * receptive,
                    _ => out,
                };
                let data = match gpt {
                    true => normal_n(out * fan_in, draw.gpt_std(layers, i), rng),
                    false => init_for(layers, i).sample_n(out * fan_in, fan_in, fan_out, rng),
                };
                params.push(name("weight"), Tensor::from_slice(&data, &w.dims, device));
                params.push(name("bias"), Tensor::zeros(&b.dims, device));
            }
            Layer::LayerNorm => {
                let n = *shape.last().expect("validated: at least one axis");
                params.push(name("weight"), Tensor::ones(&[n], device));
                params.push(name("bias"), Tensor::zeros(&[n], device));
            }
            Layer::Embedding { vocab, dim } => {
                let std = if gpt { GPT_STD } else { 1.0 };
                let data = normal_n(vocab * dim, std, rng);
                let index = params.push(
                    name("weight"),
                    Tensor::from_slice(&data, &[*vocab, *dim], device),
                );
                tied.get_or_insert(index);
            }
            Layer::Pos { max_len } => {
                let d = *shape.last().expect("validated: [length, width]");
                let data = normal_n(max_len * d, GPT_STD, rng);
                params.push(
                    name("weight"),
                    Tensor::from_slice(&data, &[*max_len, d], device),
                );
            }
            Layer::Attention { .. } => {
                // PyTorch's `MultiheadAttention._reset_parameters`: Xavier-uniform
                // in_proj (fans D and 3D), zero biases; out_proj keeps `nn.Linear`'s
                // U(-1/sqrt(D), 1/sqrt(D)).
                let d = *shape.last().expect("validated: [length, width]");
                let w_in = match gpt {
                    true => normal_n(3 * d * d, GPT_STD, rng),
                    false => Init::XavierUniform.sample_n(3 * d * d, d, 3 * d, rng),
                };
                params.push(
                    name("in_proj_weight"),
                    Tensor::from_slice(&w_in, &[3 * d, d], device),
                );
                params.push(name("in_proj_bias"), Tensor::zeros(&[3 * d], device));
                let a = 1.0 / (d.max(1) as f32).sqrt();
                let w_out: Vec<f32> = match gpt {
                    true => normal_n(d * d, draw.gpt_std(layers, i), rng),
                    false => (0..d * d).map(|_| rng.range(-a, a)).collect(),
                };
                params.push(
                    name("out_proj.weight"),
                    Tensor::from_slice(&w_out, &[d, d], device),
                );
                params.push(name("out_proj.bias"), Tensor::zeros(&[d], device));
            }
            _ => {}
        }
        shape = layer
            .out_shape(&shape)
            .expect("validated by infer_shapes before building");
    }
}

/// Apply `layers` to `x`, taking parameters from `pass.params` at `cursor` on; `seen`
/// gets each layer's output.
fn run_stack(
    layers: &[Layer],
    x: &Tensor,
    pass: &Pass<'_>,
    cursor: &mut usize,
    mode: Mode,
    seen: &mut dyn FnMut(&Tensor),
) -> Tensor {
    let params = pass.params;
    let mut h = x.clone();
    for (i, layer) in layers.iter().enumerate() {
        let mut next = || {
            *cursor += 1;
            params.get(*cursor - 1)
        };
        h = match layer {
            Layer::Dense { .. } => {
                let (w, b) = (next(), next());
                dense(&h, w, b)
            }
            Layer::Conv2d {
                stride, padding, ..
            } => {
                let (w, b) = (next(), next());
                h.conv2d(w, Some(b), *stride, *padding)
            }
            Layer::MaxPool2d { kernel, stride } => h.max_pool2d(*kernel, *stride),
            Layer::AvgPool2d { kernel, stride } => h.avg_pool2d(*kernel, *stride),
            Layer::Flatten => h.reshape(&[h.dims()[0], h.numel() / h.dims()[0].max(1)]),
            Layer::Dropout { p } => match mode {
                Mode::Eval => h,
                Mode::Train { seed } => dropout(&h, *p, &mut Rng::derive(seed, i as u64), true),
            },
            Layer::Act(Activation::Gelu) => gelu(&h),
            Layer::Act(a) => a.apply(&h),
            Layer::LayerNorm => {
                let (w, b) = (next(), next());
                layer_norm(&h, w, b, LAYER_NORM_EPS)
            }
            Layer::Embedding { .. } => {
                let table = next();
                let (batch, len) = (h.dims()[0], h.dims()[1]);
                let dim = table.dims()[1];
                table
                    .gather_rows(&h.reshape(&[batch * len]))
                    .reshape(&[batch, len, dim])
            }
            Layer::Residual(body) => {
                // Nested dropout seeds differ from the outer ones by block.
                let inner = match mode {
                    Mode::Train { seed } => Mode::Train {
                        seed: Rng::derive(seed, 1 << 32 | i as u64).next_u64(),
                    },
                    Mode::Eval => Mode::Eval,
                };
                h.add(&run_stack(body, &h, pass, cursor, inner, &mut |_| {}))
            }
            Layer::Pos { .. } => {
                let len = h.dims()[1];
                h.add(&next().narrow(0, 0, len))
            }
            Layer::Attention { heads, causal } => {
                let (w_in, b_in, w_out, b_out) = (next(), next(), next(), next());
                let d = w_out.dims()[0];
                let qkv = dense(&h, w_in, b_in);
                let (q, k, v) = (
                    qkv.narrow(2, 0, d),
                    qkv.narrow(2, d, d),
                    qkv.narrow(2, 2 * d, d),
                );
                let (o, weights) =
                    attention_with_weights(&q, &k, &v, *heads, *causal, pass.key_mask.as_ref());
                if let Some(sink) = pass.attention {
                    sink.borrow_mut().push(weights);
                }
                dense(&o, w_out, b_out)
            }
            Layer::MeanPool => masked_mean(&h, pass.key_mask.as_ref()),
            Layer::Unembed { .. } => {
                let table = params.get(pass.tied.expect("validated: unembed has an embed"));
                let (batch, len, d) = (h.dims()[0], h.dims()[1], h.dims()[2]);
                h.reshape(&[batch * len, d])
                    .matmul_t(table, false, true)
                    .reshape(&[batch, len, table.dims()[0]])
            }
        };
        seen(&h);
    }
    h
}

/// A dense layer on the last axis of `x` of any rank.
fn dense(x: &Tensor, w: &Tensor, b: &Tensor) -> Tensor {
    if x.rank() == 2 {
        return linear(x, w, b);
    }
    let dims = x.dims().to_vec();
    let last = *dims.last().expect("validated: at least one axis");
    let rows = x.numel() / last.max(1);
    let mut out = dims.clone();
    *out.last_mut().expect("non-empty") = w.dims()[0];
    linear(&x.reshape(&[rows, last]), w, b).reshape(&out)
}
