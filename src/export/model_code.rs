//! The model as PyTorch source: an `nn.Sequential` whose parameter names are gradlab's
//! (`0.weight`, and `3.1.bias` inside a residual block at 3), one module per layer with
//! the shapes it maps between in a comment.

use crate::error::{Error, Result};
use crate::nn::{shape_text, Activation, Layer, LAYER_NORM_EPS};
use std::fmt::Write as _;

/// The body of `build_model()` (indented by four spaces) for `layers` on inputs of
/// `input` (no batch axis). A layer kind with no PyTorch mapping yet is an error naming
/// it, so nothing half-exported is written.
pub fn model_source(layers: &[Layer], input: &[usize]) -> Result<String> {
    let mut out = String::from("    return nn.Sequential(\n");
    stack(layers, input, "", 2, &mut out)?;
    out.push_str("    )\n");
    Ok(out)
}

/// Append one line per layer of `layers` (paths under `prefix`) at `depth` levels of
/// indentation.
fn stack(
    layers: &[Layer],
    input: &[usize],
    prefix: &str,
    depth: usize,
    out: &mut String,
) -> Result<()> {
    let pad = "    ".repeat(depth);
    let mut shape = input.to_vec();
    for (i, layer) in layers.iter().enumerate() {
        let next = layer
            .out_shape(&shape)
            .map_err(|e| Error::Config(format!("layer {prefix}{i} ({layer}): {e}")))?;
        let note = format!(
            "# {prefix}{i}: {layer}, {} -> {}",
            shape_text(&shape),
            shape_text(&next)
        );
        if let Layer::Residual(body) = layer {
            let _ = writeln!(out, "{pad}Residual(  {note}");
            stack(body, &shape, &format!("{prefix}{i}."), depth + 1, out)?;
            let _ = writeln!(out, "{pad}),");
        } else {
            let module = module(layer, &shape).ok_or_else(|| {
                Error::Config(format!(
                    "layer {prefix}{i} ({layer}): the PyTorch export does not map `{}` layers yet",
                    layer.name()
                ))
            })?;
            let _ = writeln!(out, "{pad}{module},  {note}");
        }
        shape = next;
    }
    Ok(())
}

/// The PyTorch module of one layer (not a residual block) for an input of `shape`;
/// `None` for a kind this export does not know.
fn module(layer: &Layer, shape: &[usize]) -> Option<String> {
    let last = shape.last().copied().unwrap_or(0);
    #[allow(unreachable_patterns)] // kinds added later fall to the last arm until mapped
    let text = match *layer {
        Layer::Dense { out } => format!("nn.Linear({last}, {out})"),
        Layer::Conv2d {
            out,
            kernel,
            stride,
            padding,
        } => format!(
            "nn.Conv2d({}, {out}, kernel_size={kernel}, stride={stride}, padding={padding})",
            shape.first().copied().unwrap_or(0)
        ),
        Layer::MaxPool2d { kernel, stride } => {
            format!("nn.MaxPool2d(kernel_size={kernel}, stride={stride})")
        }
        Layer::AvgPool2d { kernel, stride } => {
            format!("nn.AvgPool2d(kernel_size={kernel}, stride={stride})")
        }
        Layer::Flatten => "nn.Flatten()".to_string(),
        // PyTorch draws its own masks (see the README: masks cannot match bit for bit).
        Layer::Dropout { p } => format!("nn.Dropout(p={p:?})"),
        Layer::Act(a) => match a {
            Activation::Linear => "nn.Identity()",
            Activation::Relu => "nn.ReLU()",
            Activation::Tanh => "nn.Tanh()",
            Activation::Sigmoid => "nn.Sigmoid()",
            Activation::Gelu => "nn.GELU(approximate=\"tanh\")",
        }
        .to_string(),
        Layer::LayerNorm => format!("nn.LayerNorm({last}, eps={LAYER_NORM_EPS:?})"),
        Layer::Embedding { vocab, dim } => format!("TokenEmbedding({vocab}, {dim})"),
        Layer::Residual(_) => return None,
        _ => return None,
    };
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::parse_stack;

    #[test]
    fn a_cnn_maps_to_modules_with_shapes() {
        let layers = parse_stack("conv(8,3,1,1),relu,maxpool(2),flatten,dense(10)").unwrap();
        let src = model_source(&layers, &[1, 8, 8]).unwrap();
        assert!(src.contains("nn.Conv2d(1, 8, kernel_size=3, stride=1, padding=1),  # 0:"));
        assert!(src.contains("nn.MaxPool2d(kernel_size=2, stride=2)"));
        assert!(src.contains("nn.Linear(128, 10),  # 4: dense(10), [128] -> [10]"));
    }

    #[test]
    fn residual_blocks_nest_their_layers() {
        let layers = parse_stack("dense(4),res(layernorm,dense(4),gelu),dense(2)").unwrap();
        let src = model_source(&layers, &[3]).unwrap();
        assert!(src.contains("        Residual(  # 1: res("), "{src}");
        assert!(
            src.contains("            nn.LayerNorm(4, eps=1e-5),  # 1.0:"),
            "{src}"
        );
        assert!(src.contains("nn.GELU(approximate=\"tanh\")"), "{src}");
    }
}
