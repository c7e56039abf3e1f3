//! The model as PyTorch source: a `Stack` (an `nn.Sequential` that hands the key padding
//! mask to the layers that read it) whose parameter names are gradlab's (`0.weight`, and
//! `3.1.bias` inside a residual block at 3), one module per layer with the shapes it maps
//! between in a comment.
//!
//! Every [`Layer`] kind has a module here (the match is exhaustive, so a kind added to
//! gradlab does not compile until it is mapped). The sequence layers follow gradlab's
//! `nn::sequential`: `attn` keeps `nn.MultiheadAttention`'s parameter names, `unembed`
//! multiplies by the first embedding's own tensor (one weight, one name), and a model
//! that starts with `embed` treats token id 0 as padding when a layer reads the mask.

use crate::error::{Error, Result};
use crate::nn::decode::{DecodeTokens, GREEDY_CHUNK};
use crate::nn::{
    first_embedding, shape_text, uses_key_mask, Activation, Layer, Seq2SeqConfig, LAYER_NORM_EPS,
};
use std::fmt::Write as _;

/// The body of `build_model()` (indented by four spaces) for `layers` on inputs of
/// `input` (no batch axis). A layer that does not fit its input is an error naming it,
/// so nothing half-exported is written.
pub fn model_source(layers: &[Layer], input: &[usize]) -> Result<String> {
    let mut out = String::new();
    // The tied head needs the embedding module itself: it is built first, by name.
    let tied = has_unembed(layers)
        .then(|| first_embedding(layers))
        .flatten();
    if let Some((vocab, dim)) = tied {
        let _ = writeln!(
            out,
            "    embed = TokenEmbedding({vocab}, {dim})  # the unembed head reads its weight"
        );
    }
    out.push_str("    return Stack(\n");
    let mut placed = tied.is_none();
    stack(layers, input, "", 2, &mut placed, &mut out)?;
    if matches!(layers.first(), Some(Layer::Embedding { .. })) && uses_key_mask(layers) {
        out.push_str(
            "        key_mask=True,  # token id 0 is padding, hidden from attn and meanpool\n",
        );
    }
    out.push_str("    )\n");
    Ok(out)
}

/// The body of `build_model()` for the encoder-decoder of `c` (the `Seq2Seq` module of
/// `seq2seq.py`): its sizes, where a row's source ids end (`source_len`) and the tokens
/// greedy decoding starts and stops with. Every size was checked when the config was
/// validated, so nothing here can fail.
pub fn seq2seq_source(c: &Seq2SeqConfig, source_len: usize, decode: &DecodeTokens) -> String {
    let mut out = String::from("    return Seq2Seq(\n");
    let mut arg = |name: &str, value: String, note: &str| {
        let _ = writeln!(out, "        {name}={value},  # {note}");
    };
    arg(
        "src_vocab",
        c.src_vocab.to_string(),
        "source ids, 0 = padding",
    );
    arg(
        "tgt_vocab",
        c.tgt_vocab.to_string(),
        "target ids, 0 = padding",
    );
    arg("dim", c.dim.to_string(), "model width");
    arg("heads", c.heads.to_string(), "attention heads");
    arg("ff", c.ff.to_string(), "each block's MLP width");
    arg(
        "encoder_layers",
        c.encoder_layers.to_string(),
        "encoder blocks",
    );
    arg(
        "decoder_layers",
        c.decoder_layers.to_string(),
        "decoder blocks",
    );
    arg("max_src", c.max_src.to_string(), "longest source");
    arg("max_tgt", c.max_tgt.to_string(), "longest target");
    arg("eps", format!("{LAYER_NORM_EPS:?}"), "every layer norm's");
    arg(
        "source_len",
        source_len.to_string(),
        "a data row: this many source ids, then the decoder's input",
    );
    arg(
        "start",
        decode.start.to_string(),
        "the token every target starts with",
    );
    arg(
        "end",
        decode.end.to_string(),
        "the token that ends a target",
    );
    arg(
        "decode_len",
        decode.max_len.min(c.max_tgt).to_string(),
        "most tokens greedy decoding produces",
    );
    arg(
        "decode_chunk",
        GREEDY_CHUNK.to_string(),
        "sources greedy decoding runs at once",
    );
    out.push_str("    )\n");
    out
}

/// Whether any layer of `layers` (residual bodies included) is an `unembed` head.
fn has_unembed(layers: &[Layer]) -> bool {
    layers.iter().any(|l| match l {
        Layer::Unembed { .. } => true,
        Layer::Residual(body) => has_unembed(body),
        _ => false,
    })
}

/// Append one line per layer of `layers` (paths under `prefix`) at `depth` levels of
/// indentation; `placed` turns true once the shared `embed` module has been used.
fn stack(
    layers: &[Layer],
    input: &[usize],
    prefix: &str,
    depth: usize,
    placed: &mut bool,
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
        match layer {
            Layer::Residual(body) => {
                let _ = writeln!(out, "{pad}Residual(  {note}");
                stack(
                    body,
                    &shape,
                    &format!("{prefix}{i}."),
                    depth + 1,
                    placed,
                    out,
                )?;
                let _ = writeln!(out, "{pad}),");
            }
            Layer::Embedding { .. } if !*placed => {
                *placed = true;
                let _ = writeln!(out, "{pad}embed,  {note}");
            }
            _ => {
                let _ = writeln!(out, "{pad}{},  {note}", module(layer, &shape));
            }
        }
        shape = next;
    }
    Ok(())
}

/// The PyTorch module of one layer for an input of `shape` (a residual block is written
/// by [`stack`]).
fn module(layer: &Layer, shape: &[usize]) -> String {
    let last = shape.last().copied().unwrap_or(0);
    match *layer {
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
        Layer::Pos { max_len } => format!("Position({max_len}, {last})"),
        Layer::Attention { heads, causal } => {
            let causal = if causal { "True" } else { "False" };
            format!("SelfAttention({last}, heads={heads}, causal={causal})")
        }
        Layer::MeanPool => "MeanPool()".to_string(),
        Layer::Unembed { .. } => "Unembed(embed)".to_string(),
        // `stack` writes a block with its body; this is only its head.
        Layer::Residual(_) => "Residual()".to_string(),
    }
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
        assert!(!src.contains("key_mask"), "{src}");
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

    #[test]
    fn a_gpt_shares_its_embedding_with_the_head_and_masks_padding() {
        let layers =
            parse_stack("embed(66,16),pos(16),res(layernorm,attn(2,causal)),layernorm,unembed")
                .unwrap();
        let src = model_source(&layers, &[16]).unwrap();
        assert!(
            src.starts_with("    embed = TokenEmbedding(66, 16)"),
            "{src}"
        );
        assert!(
            src.contains("        embed,  # 0: embed(66,16), [16] -> [16, 16]"),
            "{src}"
        );
        assert!(src.contains("Position(16, 16),  # 1:"), "{src}");
        assert!(
            src.contains("SelfAttention(16, heads=2, causal=True),  # 2.1:"),
            "{src}"
        );
        assert!(
            src.contains("Unembed(embed),  # 4: unembed, [16, 16] -> [16, 66]"),
            "{src}"
        );
        assert!(src.contains("key_mask=True"), "{src}");
        // One embedding module: the name `embed` is built once and placed once.
        assert_eq!(src.matches("TokenEmbedding(").count(), 1, "{src}");
    }

    #[test]
    fn an_encoder_decoder_is_built_with_its_sizes_and_tokens() {
        let c = Seq2SeqConfig {
            src_vocab: 90,
            tgt_vocab: 14,
            dim: 16,
            heads: 2,
            ff: 32,
            encoder_layers: 1,
            decoder_layers: 2,
            max_src: 40,
            max_tgt: 11,
        };
        let decode = DecodeTokens {
            start: 1,
            end: 2,
            max_len: 20,
        };
        let src = seq2seq_source(&c, 40, &decode);
        assert!(src.starts_with("    return Seq2Seq(\n"), "{src}");
        for line in [
            "        src_vocab=90,",
            "        tgt_vocab=14,",
            "        decoder_layers=2,",
            "        eps=1e-5,",
            "        source_len=40,",
            "        start=1,",
            "        end=2,",
            // The decode is cut to the model's longest target, as gradlab's.
            "        decode_len=11,",
        ] {
            assert!(src.contains(line), "{line} in {src}");
        }
        assert!(src.ends_with("    )\n"), "{src}");
    }

    #[test]
    fn an_encoder_pools_over_tokens_without_a_shared_embedding() {
        let layers = parse_stack("embed(50,8),res(attn(2)),meanpool,dense(2)").unwrap();
        let src = model_source(&layers, &[12]).unwrap();
        assert!(
            src.contains("        TokenEmbedding(50, 8),  # 0:"),
            "{src}"
        );
        assert!(
            src.contains("SelfAttention(8, heads=2, causal=False)"),
            "{src}"
        );
        assert!(
            src.contains("MeanPool(),  # 2: meanpool, [12, 8] -> [8]"),
            "{src}"
        );
        assert!(src.contains("key_mask=True"), "{src}");
        assert!(!src.contains("embed = "), "{src}");
    }
}
