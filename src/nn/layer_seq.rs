//! The sequence layers' side of the model description: the shapes `pos`, `attn`,
//! `meanpool` and `unembed` give, the tie of an `unembed` head to the stack's first
//! embedding, and which stacks read the key padding mask.

use super::layer::{Layer, ShapeError};

/// The shape a sequence layer gives for `input`, or why it cannot take it.
pub(super) fn sequence_out_shape(layer: &Layer, input: &[usize]) -> Result<Vec<usize>, String> {
    match layer {
        Layer::Pos { max_len } => match *input {
            [len, _] if len <= *max_len => Ok(input.to_vec()),
            [len, _] => Err(format!(
                "a sequence of {len} positions does not fit pos({max_len}) ({len} > {max_len})"
            )),
            _ => Err(format!(
                "pos({max_len}) needs a sequence of vectors [length, width]"
            )),
        },
        Layer::Attention { heads, .. } => match *input {
            [_, d] if *heads > 0 && d.is_multiple_of(*heads) => Ok(input.to_vec()),
            [_, d] => Err(format!(
                "attention over width {d} needs a number of heads dividing it, got {heads}"
            )),
            _ => Err("attention needs a sequence of vectors [length, width]".into()),
        },
        Layer::MeanPool => match *input {
            [_, d] => Ok(vec![d]),
            _ => Err("meanpool needs a sequence of vectors [length, width]".into()),
        },
        Layer::Unembed { vocab, dim } => match *input {
            [len, d] if d == *dim && *vocab > 0 => Ok(vec![len, *vocab]),
            [_, d] if *vocab > 0 => Err(format!(
                "unembed uses the embed({vocab},{dim}) weight, which needs width {dim}, got {d}"
            )),
            [_, _] => Err("unembed ties to an embed layer, and the model has none".into()),
            _ => Err("unembed needs a sequence of vectors [length, width]".into()),
        },
        _ => Err(format!("`{layer}` is not a sequence layer")),
    }
}

/// Every `unembed` of `layers` must name the sizes of the stack's first embedding (a
/// stack read from text always does; one built in code might not).
pub(super) fn check_ties(
    layers: &[Layer],
    tied: Option<(usize, usize)>,
    prefix: &str,
    input: &[usize],
) -> Result<(), ShapeError> {
    for (i, layer) in layers.iter().enumerate() {
        match layer {
            Layer::Unembed { vocab, dim } if tied != Some((*vocab, *dim)) => {
                return Err(ShapeError {
                    path: format!("{prefix}{i}"),
                    layer: layer.to_string(),
                    input: input.to_vec(),
                    reason: match tied {
                        Some((v, d)) => {
                            format!("it is tied to embed({v},{d}) but was built for {vocab}x{dim}")
                        }
                        None => "unembed ties to an embed layer, and the model has none".into(),
                    },
                });
            }
            Layer::Residual(body) => check_ties(body, tied, &format!("{prefix}{i}."), input)?,
            _ => {}
        }
    }
    Ok(())
}

/// `(vocab, dim)` of the first `embed` layer of `layers`, in parameter order (depth
/// first, residual bodies included): the one an `unembed` head is tied to.
pub fn first_embedding(layers: &[Layer]) -> Option<(usize, usize)> {
    layers.iter().find_map(|l| match l {
        Layer::Embedding { vocab, dim } => Some((*vocab, *dim)),
        Layer::Residual(body) => first_embedding(body),
        _ => None,
    })
}

/// Fill every `unembed` of `layers` with the sizes of the stack's first `embed` layer
/// (`0x0` when there is none, which shape inference then reports).
pub fn tie_unembed(layers: &mut [Layer]) {
    let tied = first_embedding(layers).unwrap_or((0, 0));
    fill_unembed(layers, tied);
}

fn fill_unembed(layers: &mut [Layer], tied: (usize, usize)) {
    for l in layers {
        match l {
            Layer::Unembed { vocab, dim } => (*vocab, *dim) = tied,
            Layer::Residual(body) => fill_unembed(body, tied),
            _ => {}
        }
    }
}

/// Whether any layer of `layers` (residual bodies included) reads the key padding mask.
pub fn uses_key_mask(layers: &[Layer]) -> bool {
    layers.iter().any(|l| match l {
        Layer::Attention { .. } | Layer::MeanPool => true,
        Layer::Residual(body) => uses_key_mask(body),
        _ => false,
    })
}
