//! Reading a stack's text form (`conv(8,5,1,2),relu,maxpool(2),flatten,dense(10)`).
//! Any text gives either layers or a message that names the offending part; nothing
//! here panics or allocates more than the text's length justifies. Ranges of the
//! numbers are checked by validation, not here: this only reads what was written.

use super::layer::{Layer, MAX_NESTING};
use super::layer_seq::tie_unembed;
use super::Activation;

/// Longest stack text read (a guard for hostile links; real stacks are far shorter).
pub const MAX_STACK_TEXT: usize = 2000;

/// Read a stack of layers from its text form. Spaces are ignored.
pub fn parse_stack(text: &str) -> Result<Vec<Layer>, String> {
    if text.len() > MAX_STACK_TEXT {
        return Err(format!(
            "the model text is {} characters; at most {MAX_STACK_TEXT} are read",
            text.len()
        ));
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err("the model has no layers".into());
    }
    let mut layers = parse_list(&compact, 0)?;
    tie_unembed(&mut layers);
    Ok(layers)
}

/// Split `s` at the commas outside parentheses and read each part as a layer.
fn parse_list(s: &str, depth: usize) -> Result<Vec<Layer>, String> {
    if depth > MAX_NESTING {
        return Err(format!("residual blocks nest at most {MAX_NESTING} deep"));
    }
    split_top(s)?
        .into_iter()
        .map(|part| parse_layer(part, depth))
        .collect()
}

/// The comma-separated parts of `s` at parenthesis depth zero.
fn split_top(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut open, mut start) = (0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => open += 1,
            ')' => {
                open = open
                    .checked_sub(1)
                    .ok_or_else(|| format!("`{s}` closes a parenthesis it never opened"))?;
            }
            ',' if open == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if open != 0 {
        return Err(format!("`{s}` leaves a parenthesis open"));
    }
    parts.push(&s[start..]);
    if let Some(empty) = parts.iter().position(|p| p.is_empty()) {
        return Err(format!("layer {empty} is empty (two commas in a row?)"));
    }
    Ok(parts)
}

/// One layer: `name` or `name(args)`.
fn parse_layer(part: &str, depth: usize) -> Result<Layer, String> {
    let (name, args) = match part.find('(') {
        Some(i) if part.ends_with(')') => (&part[..i], Some(&part[i + 1..part.len() - 1])),
        Some(_) => return Err(format!("`{part}`: text after the closing parenthesis")),
        None => (part, None),
    };
    let name = name.to_ascii_lowercase();
    if name == "res" {
        let body = args.ok_or("`res` needs its layers: res(dense(16),relu)")?;
        return Ok(Layer::Residual(parse_list(body, depth + 1)?));
    }
    // `attn(H,causal)`: the one layer with a word among its arguments.
    let causal =
        name == "attn" && args.is_some_and(|a| a.to_ascii_lowercase().ends_with(",causal"));
    let args = if causal {
        args.map(|a| &a[..a.len() - ",causal".len()])
    } else {
        args
    };
    let nums = match args {
        Some(a) => a
            .split(',')
            .map(|x| {
                x.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| format!("`{part}`: `{x}` is not a number"))
            })
            .collect::<Result<Vec<f64>, String>>()?,
        None => Vec::new(),
    };
    let usage = |forms: &str| format!("`{part}`: write {forms}");
    let whole = |i: usize| -> Result<usize, String> {
        let v = nums[i];
        if v.fract() == 0.0 && (0.0..=1e9).contains(&v) {
            Ok(v as usize)
        } else {
            Err(format!("`{part}`: `{v}` must be a whole number"))
        }
    };
    if let Some(act) = Activation::from_name(&name) {
        return match nums.len() {
            0 => Ok(Layer::Act(act)),
            _ => Err(usage(&format!("`{name}` without arguments"))),
        };
    }
    match (name.as_str(), nums.len()) {
        ("dense", 1) => Ok(Layer::Dense { out: whole(0)? }),
        ("conv", 2..=4) => Ok(Layer::Conv2d {
            out: whole(0)?,
            kernel: whole(1)?,
            stride: if nums.len() > 2 { whole(2)? } else { 1 },
            padding: if nums.len() > 3 { whole(3)? } else { 0 },
        }),
        ("maxpool" | "avgpool", 1 | 2) => {
            let kernel = whole(0)?;
            let stride = if nums.len() > 1 { whole(1)? } else { kernel };
            Ok(if name == "maxpool" {
                Layer::MaxPool2d { kernel, stride }
            } else {
                Layer::AvgPool2d { kernel, stride }
            })
        }
        ("flatten", 0) => Ok(Layer::Flatten),
        ("layernorm", 0) => Ok(Layer::LayerNorm),
        ("dropout", 1) => Ok(Layer::Dropout { p: nums[0] as f32 }),
        ("embed", 2) => Ok(Layer::Embedding {
            vocab: whole(0)?,
            dim: whole(1)?,
        }),
        ("pos", 1) => Ok(Layer::Pos { max_len: whole(0)? }),
        ("attn", 1) => Ok(Layer::Attention {
            heads: whole(0)?,
            causal,
        }),
        ("meanpool", 0) => Ok(Layer::MeanPool),
        ("unembed", 0) => Ok(Layer::Unembed { vocab: 0, dim: 0 }),
        ("pos", _) => Err(usage("pos(MAX_LENGTH)")),
        ("attn", _) => Err(usage("attn(HEADS) or attn(HEADS,causal)")),
        ("meanpool" | "unembed", _) => Err(usage(&format!("`{name}` without arguments"))),
        ("dense", _) => Err(usage("dense(UNITS)")),
        ("conv", _) => Err(usage(
            "conv(OUT,KERNEL), conv(OUT,KERNEL,STRIDE) or conv(OUT,KERNEL,STRIDE,PADDING)",
        )),
        ("maxpool" | "avgpool", _) => {
            Err(usage(&format!("{name}(KERNEL) or {name}(KERNEL,STRIDE)")))
        }
        ("flatten" | "layernorm", _) => Err(usage(&format!("`{name}` without arguments"))),
        ("dropout", _) => Err(usage("dropout(P) with P in [0, 1)")),
        ("embed", _) => Err(usage("embed(VOCAB,DIM)")),
        _ => Err(format!(
            "`{name}` is not a layer; layers are dense, conv, maxpool, avgpool, flatten, \
             dropout, layernorm, embed, pos, attn, meanpool, unembed, res and the \
             activations {}",
            Activation::ALL
                .iter()
                .map(|a| a.name())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layer::stack_text;

    #[test]
    fn the_issue_example_reads_and_writes_back_unchanged() {
        let text = "conv(8,5,1,2),relu,maxpool(2),conv(16,5),relu,maxpool(2),flatten,dense(10)";
        let layers = parse_stack(text).unwrap();
        assert_eq!(layers.len(), 8);
        assert_eq!(
            layers[0],
            Layer::Conv2d {
                out: 8,
                kernel: 5,
                stride: 1,
                padding: 2
            }
        );
        assert_eq!(
            layers[2],
            Layer::MaxPool2d {
                kernel: 2,
                stride: 2
            }
        );
        assert_eq!(stack_text(&layers), text);
    }

    #[test]
    fn every_layer_kind_round_trips_through_its_text() {
        let text = "embed(65,32),res(layernorm,dense(64),gelu,dense(32),dropout(0.1)),\
                    avgpool(3,2),maxpool(3,1),conv(4,3,2),flatten,tanh,sigmoid,linear,dense(2)";
        let layers = parse_stack(text).unwrap();
        assert_eq!(parse_stack(&stack_text(&layers)).unwrap(), layers);
    }

    #[test]
    fn malformed_text_gets_a_message_naming_the_part() {
        for (bad, says) in [
            ("", "no layers"),
            ("dense(10", "open"),
            ("dense10)", "never opened"),
            ("dense(10),,relu", "empty"),
            ("dense(x)", "`x` is not a number"),
            ("dense(2.5)", "whole number"),
            ("dense(-3)", "whole number"),
            ("dense(1e300)", "whole number"),
            ("dense(inf)", "not a number"),
            ("dense", "dense(UNITS)"),
            ("conv(8)", "conv(OUT,KERNEL)"),
            ("relu(2)", "without arguments"),
            ("softmax", "not a layer"),
            ("res", "needs its layers"),
            ("dense(3)x", "after the closing"),
            ("res(res(res(res(res(res(relu))))))", "nest"),
        ] {
            let e = parse_stack(bad).unwrap_err();
            assert!(e.contains(says), "{bad:?} gave {e:?}, expected {says:?}");
        }
        assert!(parse_stack(&"relu,".repeat(1000)).is_err());
    }

    #[test]
    fn spaces_and_case_are_forgiven() {
        assert_eq!(
            parse_stack(" Dense( 4 ) , ReLU ").unwrap(),
            vec![Layer::Dense { out: 4 }, Layer::Act(Activation::Relu)]
        );
    }
}
