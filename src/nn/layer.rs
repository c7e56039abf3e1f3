//! The model description: a model is a sequence of [`Layer`]s, a residual block being a
//! layer that holds a sequence. Each layer knows its text form (the link's `model` key),
//! the shape it produces from the shape it is given, and the parameters it owns.
//!
//! Shapes here leave out the batch axis: a table row is `[features]`, an image
//! `[channels, height, width]`, a token sequence `[length]`.
//!
//! The text form, one layer per comma (see the README's "Model grammar"):
//!
//! | text | layer | PyTorch module |
//! |---|---|---|
//! | `dense(N)` | fully connected, on the last axis | `nn.Linear(in, N)` |
//! | `conv(O,K)`, `conv(O,K,S)`, `conv(O,K,S,P)` | 2-D convolution, stride `S` (1), zero padding `P` (0) | `nn.Conv2d(in, O, K, S, P)` |
//! | `maxpool(K)`, `maxpool(K,S)` | max pooling, stride `S` (`K`) | `nn.MaxPool2d(K, S)` |
//! | `avgpool(K)`, `avgpool(K,S)` | average pooling | `nn.AvgPool2d(K, S)` |
//! | `flatten` | all axes but the batch into one | `nn.Flatten()` |
//! | `dropout(P)` | zero each value with probability `P` while training | `nn.Dropout(P)` |
//! | `relu`, `tanh`, `sigmoid`, `gelu`, `linear` | activations | `nn.ReLU()`, ..., `nn.GELU('tanh')`, `nn.Identity()` |
//! | `layernorm` | normalise the last axis | `nn.LayerNorm(last)` |
//! | `embed(V,D)` | token ids below `V` to vectors of `D` | `nn.Embedding(V, D)` |
//! | `res(LAYERS)` | `x + LAYERS(x)` | a `Sequential` whose forward adds its input |
//! | `pos(T)` | a learned position embedding `[T, D]` added to `[L, D]`, `L <= T` | `nn.Parameter(torch.zeros(T, D))` |
//! | `attn(H)`, `attn(H,causal)` | multi-head self-attention over `[L, D]` (causal: position `i` sees `j <= i`) | `nn.MultiheadAttention(D, H, batch_first=True)` |
//! | `meanpool` | mean over the non-padding positions, `[L, D]` to `[D]` | masked `mean(dim=1)` |
//! | `unembed` | `[L, D]` to `[L, V]` by the first `embed(V,D)`'s weight, transposed (tied head) | `x @ embed.weight.T` |
//!
//! Padding: when a model starts with `embed(V,D)`, token id 0 is padding; the key mask
//! derived from the ids hides it from every `attn` layer and from `meanpool`.

use super::layer_seq::{check_ties, first_embedding};
use super::Activation;
use crate::op::conv_out_size;
use std::fmt;

/// Largest rank of a layer's shape (the batch axis makes it [`crate::op::MAX_RANK`]).
pub const MAX_SHAPE_RANK: usize = crate::op::MAX_RANK - 1;

/// How deep residual blocks may nest (a bound on parsing and on shape inference).
pub const MAX_NESTING: usize = 4;

/// One layer of a model.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// Fully connected on the last axis: `y = x W^T + b`, `W: [out, in]`.
    Dense {
        /// Output units.
        out: usize,
    },
    /// 2-D convolution over `[channels, height, width]`, weight `[out, in, k, k]`.
    Conv2d {
        /// Output channels.
        out: usize,
        /// Square kernel size.
        kernel: usize,
        /// Step between windows.
        stride: usize,
        /// Zeros added on each side.
        padding: usize,
    },
    /// Max over each `kernel x kernel` window.
    MaxPool2d {
        /// Square window size.
        kernel: usize,
        /// Step between windows.
        stride: usize,
    },
    /// Mean over each `kernel x kernel` window.
    AvgPool2d {
        /// Square window size.
        kernel: usize,
        /// Step between windows.
        stride: usize,
    },
    /// Every axis but the batch into one.
    Flatten,
    /// Inverted dropout with drop probability `p` (training only).
    Dropout {
        /// Probability of zeroing a value.
        p: f32,
    },
    /// An elementwise activation.
    Act(Activation),
    /// Layer normalisation over the last axis, with a learned scale and shift.
    LayerNorm,
    /// Token ids (stored as exact integers) to learned vectors.
    Embedding {
        /// Number of distinct ids.
        vocab: usize,
        /// Vector size.
        dim: usize,
    },
    /// `x + body(x)`; the body must give back the shape it is given.
    Residual(Vec<Layer>),
    /// A learned position embedding `weight [max_len, D]`, its first `L` rows added to
    /// an input `[L, D]`.
    Pos {
        /// Longest sequence it embeds (`T`).
        max_len: usize,
    },
    /// Multi-head scaled dot-product self-attention over `[L, D]` (PyTorch's
    /// `nn.MultiheadAttention` parameters: `in_proj_weight [3D, D]`, `in_proj_bias`,
    /// `out_proj.weight [D, D]`, `out_proj.bias`).
    Attention {
        /// Number of heads (dividing `D`).
        heads: usize,
        /// Position `i` sees positions `j <= i` only.
        causal: bool,
    },
    /// The mean over the token axis, `[L, D] -> [D]`, over non-padding positions.
    MeanPool,
    /// The output head tied to the model's first `embed(V,D)` layer: `x @ weight^T`,
    /// `[L, D] -> [L, V]`, no weight of its own. `vocab` and `dim` are that layer's
    /// (filled in by [`tie_unembed`] when a stack is read).
    Unembed {
        /// The tied embedding's number of ids.
        vocab: usize,
        /// The tied embedding's vector size.
        dim: usize,
    },
}

/// A parameter a layer owns: its name within the layer (`weight`, `bias`) and shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamShape {
    /// `weight` or `bias`.
    pub name: &'static str,
    /// Its dimensions.
    pub dims: Vec<usize>,
}

/// Why a stack does not fit its input: the layer (its path, `3` or `4.1` inside a
/// residual block, and text) and what went wrong with which shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShapeError {
    /// Position of the layer: indices from the top, joined by dots.
    pub path: String,
    /// The layer's text form.
    pub layer: String,
    /// The shape the layer was given.
    pub input: Vec<usize>,
    /// What the layer needs.
    pub reason: String,
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "layer {} ({}) got shape {}: {}",
            self.path,
            self.layer,
            shape_text(&self.input),
            self.reason
        )
    }
}

/// A shape as `[1, 28, 28]`.
pub fn shape_text(dims: &[usize]) -> String {
    let parts: Vec<String> = dims.iter().map(usize::to_string).collect();
    format!("[{}]", parts.join(", "))
}

impl Layer {
    /// The layer's name in the grammar (`conv`, `relu`, `res`).
    pub fn name(&self) -> &'static str {
        match self {
            Layer::Dense { .. } => "dense",
            Layer::Conv2d { .. } => "conv",
            Layer::MaxPool2d { .. } => "maxpool",
            Layer::AvgPool2d { .. } => "avgpool",
            Layer::Flatten => "flatten",
            Layer::Dropout { .. } => "dropout",
            Layer::Act(a) => a.name(),
            Layer::LayerNorm => "layernorm",
            Layer::Embedding { .. } => "embed",
            Layer::Residual(_) => "res",
            Layer::Pos { .. } => "pos",
            Layer::Attention { .. } => "attn",
            Layer::MeanPool => "meanpool",
            Layer::Unembed { .. } => "unembed",
        }
    }

    /// The parameters this layer owns directly (a residual block owns none: its body's
    /// layers do), for an input of shape `input`, which must fit (see [`Layer::out_shape`]).
    pub fn param_shapes(&self, input: &[usize]) -> Vec<ParamShape> {
        let w = |dims: Vec<usize>| ParamShape {
            name: "weight",
            dims,
        };
        let b = |n: usize| ParamShape {
            name: "bias",
            dims: vec![n],
        };
        let last = input.last().copied().unwrap_or(0);
        match *self {
            Layer::Dense { out } => vec![w(vec![out, last]), b(out)],
            Layer::Conv2d { out, kernel, .. } => {
                vec![w(vec![out, input[0], kernel, kernel]), b(out)]
            }
            Layer::LayerNorm => vec![w(vec![last]), b(last)],
            Layer::Embedding { vocab, dim } => vec![w(vec![vocab, dim])],
            Layer::Pos { max_len } => vec![w(vec![max_len, last])],
            Layer::Attention { .. } => vec![
                ParamShape {
                    name: "in_proj_weight",
                    dims: vec![3 * last, last],
                },
                ParamShape {
                    name: "in_proj_bias",
                    dims: vec![3 * last],
                },
                ParamShape {
                    name: "out_proj.weight",
                    dims: vec![last, last],
                },
                ParamShape {
                    name: "out_proj.bias",
                    dims: vec![last],
                },
            ],
            _ => Vec::new(),
        }
    }

    /// The shape this layer gives for `input`, or why it cannot take it.
    pub fn out_shape(&self, input: &[usize]) -> Result<Vec<usize>, String> {
        let image = |what: &str| -> Result<(usize, usize, usize), String> {
            match *input {
                [c, h, w] => Ok((c, h, w)),
                _ => Err(format!(
                    "{what} needs an image [channels, height, width]{}",
                    if input.len() == 1 {
                        " (this data is a flat row)"
                    } else {
                        ""
                    }
                )),
            }
        };
        let window = |h: usize, w: usize, k: usize, s: usize, p: usize| match (
            conv_out_size(h, k, s, p),
            conv_out_size(w, k, s, p),
        ) {
            (Some(oh), Some(ow)) => Ok((oh, ow)),
            _ => Err(format!(
                "a {k}x{k} window (padding {p}) does not fit in {h}x{w}"
            )),
        };
        match self {
            Layer::Dense { .. } | Layer::LayerNorm if input.is_empty() => {
                Err("needs at least one axis".into())
            }
            Layer::Dense { out } => {
                let mut s = input.to_vec();
                *s.last_mut().expect("checked non-empty") = *out;
                Ok(s)
            }
            Layer::Conv2d {
                out,
                kernel,
                stride,
                padding,
            } => {
                let (_, h, w) = image("a convolution")?;
                let (oh, ow) = window(h, w, *kernel, *stride, *padding)?;
                Ok(vec![*out, oh, ow])
            }
            Layer::MaxPool2d { kernel, stride } | Layer::AvgPool2d { kernel, stride } => {
                let (c, h, w) = image("pooling")?;
                let (oh, ow) = window(h, w, *kernel, *stride, 0)?;
                Ok(vec![c, oh, ow])
            }
            Layer::Flatten => Ok(vec![input.iter().product()]),
            Layer::Dropout { .. } | Layer::Act(_) | Layer::LayerNorm => Ok(input.to_vec()),
            Layer::Embedding { dim, .. } => match *input {
                [t] => Ok(vec![t, *dim]),
                _ => Err("an embedding needs a sequence of token ids [length]".into()),
            },
            Layer::Pos { .. }
            | Layer::Attention { .. }
            | Layer::MeanPool
            | Layer::Unembed { .. } => super::layer_seq::sequence_out_shape(self, input),
            Layer::Residual(body) => {
                let out = infer_shapes_at(body, input, "", 1)
                    .map_err(|e| format!("inside the block: {e}"))?;
                residual_fits(input, &out)
            }
        }
    }
}

/// A residual block's output, given its body's shapes: the input's shape, which it
/// must give back to be added to it.
fn residual_fits(input: &[usize], body: &[Vec<usize>]) -> Result<Vec<usize>, String> {
    let last = body.last().cloned().unwrap_or_else(|| input.to_vec());
    if last == input {
        Ok(last)
    } else {
        Err(format!(
            "the block gives {}, which cannot be added to its input",
            shape_text(&last)
        ))
    }
}

/// The shape after each layer of `layers` for an `input` (no batch axis), or the first
/// layer that does not fit.
pub fn infer_shapes(layers: &[Layer], input: &[usize]) -> Result<Vec<Vec<usize>>, ShapeError> {
    let shapes = infer_shapes_at(layers, input, "", 0)?;
    check_ties(layers, first_embedding(layers), "", input)?;
    Ok(shapes)
}

fn infer_shapes_at(
    layers: &[Layer],
    input: &[usize],
    prefix: &str,
    depth: usize,
) -> Result<Vec<Vec<usize>>, ShapeError> {
    let mut shape = input.to_vec();
    let mut out = Vec::with_capacity(layers.len());
    for (i, layer) in layers.iter().enumerate() {
        let fail = |reason: String| ShapeError {
            path: format!("{prefix}{i}"),
            layer: layer.to_string(),
            input: shape.clone(),
            reason,
        };
        if depth > MAX_NESTING {
            return Err(fail(format!(
                "residual blocks nest at most {MAX_NESTING} deep"
            )));
        }
        let next = match layer {
            // Keep the inner layer's own path in the message.
            Layer::Residual(body) => {
                // The body is inferred once, with its layers' own paths in messages.
                let inner = infer_shapes_at(body, &shape, &format!("{prefix}{i}."), depth + 1)?;
                residual_fits(&shape, &inner).map_err(fail)?
            }
            _ => layer.out_shape(&shape).map_err(fail)?,
        };
        if next.len() > MAX_SHAPE_RANK || next.contains(&0) {
            return Err(fail(format!(
                "it would give {}; shapes have 1 to {MAX_SHAPE_RANK} non-empty axes",
                shape_text(&next)
            )));
        }
        shape = next;
        out.push(shape.clone());
    }
    Ok(out)
}

/// The layers of an MLP: `dense(h), act` per hidden layer, then `dense(outputs)`.
pub fn mlp_layers(hidden: &[usize], activations: &[Activation], outputs: usize) -> Vec<Layer> {
    let mut layers = Vec::with_capacity(2 * hidden.len() + 1);
    for (i, &h) in hidden.iter().enumerate() {
        layers.push(Layer::Dense { out: h });
        layers.push(Layer::Act(
            activations.get(i).copied().unwrap_or(Activation::Linear),
        ));
    }
    layers.push(Layer::Dense { out: outputs });
    layers
}

impl fmt::Display for Layer {
    /// The layer's text form; parsing it gives the layer back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Layer::Dense { out } => write!(f, "dense({out})"),
            Layer::Conv2d {
                out,
                kernel,
                stride,
                padding,
            } => match (*stride, *padding) {
                (1, 0) => write!(f, "conv({out},{kernel})"),
                (s, 0) => write!(f, "conv({out},{kernel},{s})"),
                (s, p) => write!(f, "conv({out},{kernel},{s},{p})"),
            },
            Layer::MaxPool2d { kernel, stride } | Layer::AvgPool2d { kernel, stride } => {
                if kernel == stride {
                    write!(f, "{}({kernel})", self.name())
                } else {
                    write!(f, "{}({kernel},{stride})", self.name())
                }
            }
            Layer::Dropout { p } => write!(f, "dropout({p})"),
            Layer::Embedding { vocab, dim } => write!(f, "embed({vocab},{dim})"),
            Layer::Residual(body) => write!(f, "res({})", stack_text(body)),
            Layer::Pos { max_len } => write!(f, "pos({max_len})"),
            Layer::Attention {
                heads,
                causal: false,
            } => write!(f, "attn({heads})"),
            Layer::Attention {
                heads,
                causal: true,
            } => write!(f, "attn({heads},causal)"),
            Layer::Flatten
            | Layer::Act(_)
            | Layer::LayerNorm
            | Layer::MeanPool
            | Layer::Unembed { .. } => f.write_str(self.name()),
        }
    }
}

/// A stack's text form: its layers joined by commas.
pub fn stack_text(layers: &[Layer]) -> String {
    let parts: Vec<String> = layers.iter().map(Layer::to_string).collect();
    parts.join(",")
}
