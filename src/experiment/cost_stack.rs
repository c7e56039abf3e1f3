//! The cost of each kind of layer, per example row, for the cost model (`cost.rs`): a
//! stack's [`LayerCost`]s from its layers and input shape. The counting rules are the
//! ones `cost.rs` states; a dense layer directly followed by an activation is counted as
//! one entry (as the MLP always was), so an MLP costs the same written either way.

use super::cost::{activation_ops, LayerCost};
use crate::nn::Layer;

/// Backward FLOPs per forward FLOP of an elementwise op (as in `cost.rs`).
const BACKWARD: f64 = 2.0;

/// Elementwise ops of a layer norm per value: mean (sum, scale), centre, square, mean
/// of squares (sum, scale), add eps, sqrt, divide, scale, shift.
const LAYER_NORM_OPS: u64 = 11;

/// The costs of `layers` given inputs of `input` (no batch axis). Shapes must fit (the
/// validator checks that first); a layer that does not fit ends the list.
pub fn stack_costs(layers: &[Layer], input: &[usize]) -> Vec<LayerCost> {
    let mut out = Vec::with_capacity(layers.len());
    let mut shape: Vec<u64> = input.iter().map(|&d| d as u64).collect();
    let mut i = 0;
    while i < layers.len() {
        let layer = &layers[i];
        let in_shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
        let Ok(next) = layer.out_shape(&in_shape) else {
            break;
        };
        let next: Vec<u64> = next.iter().map(|&d| d as u64).collect();
        let values = |s: &[u64]| s.iter().fold(1u64, |a, &d| a.saturating_mul(d));
        let (n_in, n_out) = (values(&shape), values(&next));
        let cost = match layer {
            Layer::Dense { out } => {
                let last = *shape.last().unwrap_or(&1);
                let rows = n_in / last.max(1);
                let act = match layers.get(i + 1) {
                    Some(Layer::Act(a)) => {
                        i += 1;
                        Some(*a)
                    }
                    _ => None,
                };
                scaled(LayerCost::dense(last, *out as u64, act), rows)
            }
            Layer::Conv2d { out, kernel, .. } => {
                let window = shape[0].saturating_mul((*kernel as u64).pow(2));
                let positions = n_out / (*out as u64).max(1);
                let macs = (n_out as f64) * window as f64;
                LayerCost {
                    name: format!("conv {}->{} {kernel}x{kernel}", shape[0], out),
                    params: (*out as u64)
                        .saturating_mul(window)
                        .saturating_add(*out as u64),
                    largest_param: (*out as u64).saturating_mul(window),
                    forward_flops: 2.0 * macs + n_out as f64,
                    backward_flops: 4.0 * macs + n_out as f64,
                    // The unfolded input (window x positions) and the product and bias outputs.
                    kept_values: window.saturating_mul(positions).saturating_add(2 * n_out),
                    output_values: n_out,
                    widest_values: window.saturating_mul(positions).max(n_out),
                }
            }
            Layer::MaxPool2d { kernel, .. } | Layer::AvgPool2d { kernel, .. } => {
                let reads = n_out as f64 * (*kernel as f64).powi(2);
                elementwise(layer.name(), reads, n_out, n_out)
            }
            Layer::Act(a) => {
                let ops = activation_ops(*a);
                elementwise(a.name(), (ops * n_out) as f64, ops * n_out, n_out)
            }
            Layer::Dropout { .. } => elementwise("dropout", n_out as f64, n_out, n_out),
            Layer::LayerNorm => {
                let last = *shape.last().unwrap_or(&1);
                LayerCost {
                    params: 2 * last,
                    largest_param: last,
                    ..elementwise(
                        "layernorm",
                        (LAYER_NORM_OPS * n_out) as f64,
                        LAYER_NORM_OPS * n_out,
                        n_out,
                    )
                }
            }
            Layer::Embedding { vocab, dim } => LayerCost {
                params: (*vocab as u64).saturating_mul(*dim as u64),
                largest_param: (*vocab as u64).saturating_mul(*dim as u64),
                ..elementwise("embed", n_out as f64, n_out, n_out)
            },
            Layer::Flatten => elementwise("flatten", 0.0, 0, n_out),
            Layer::Pos { max_len } => {
                let d = *shape.last().unwrap_or(&1);
                let table = (*max_len as u64).saturating_mul(d);
                LayerCost {
                    params: table,
                    largest_param: table,
                    ..elementwise("pos", n_out as f64, n_out, n_out)
                }
            }
            Layer::Attention { heads, .. } => attention_cost(&shape, *heads as u64),
            Layer::MeanPool => elementwise("meanpool", n_in as f64, n_out, n_out),
            Layer::Unembed { vocab, dim } => {
                let len = shape.first().copied().unwrap_or(1);
                let macs = (len as f64) * (*dim as f64) * (*vocab as f64);
                LayerCost {
                    name: format!("unembed {dim}->{vocab} (tied)"),
                    params: 0,
                    largest_param: 0,
                    forward_flops: 2.0 * macs,
                    backward_flops: 4.0 * macs,
                    kept_values: n_out,
                    output_values: n_out,
                    widest_values: n_out,
                }
            }
            Layer::Residual(body) => {
                let parts = stack_costs(body, &in_shape);
                let sum_f = |f: fn(&LayerCost) -> f64| parts.iter().map(f).sum::<f64>();
                let sum_u = |f: fn(&LayerCost) -> u64| {
                    parts.iter().fold(0u64, |a, l| a.saturating_add(f(l)))
                };
                LayerCost {
                    name: format!("res of {}", parts.len()),
                    params: sum_u(|l| l.params),
                    largest_param: parts.iter().map(|l| l.largest_param).max().unwrap_or(0),
                    forward_flops: sum_f(|l| l.forward_flops) + n_out as f64,
                    backward_flops: sum_f(|l| l.backward_flops) + BACKWARD * n_out as f64,
                    kept_values: sum_u(|l| l.kept_values).saturating_add(n_out),
                    output_values: n_out,
                    widest_values: parts.iter().map(|l| l.widest_values).fold(n_out, u64::max),
                }
            }
        };
        out.push(cost);
        shape = next;
        i += 1;
    }
    out
}

/// Multi-head self-attention over `[L, D]` with `h` heads: the input projection
/// (`2 L D 3D`), scores and weighted sum (`2 L L D` each), the masked softmax (about 5
/// ops per score) and the output projection (`2 L D D`); backward twice the products
/// and the softmax. It keeps q, k, v, the scores and weights `[h, L, L]` (the widest
/// values: attention scores are `[B, h, L, L]`), the heads' output and the projection.
fn attention_cost(shape: &[u64], h: u64) -> LayerCost {
    let (l, d) = (
        shape.first().copied().unwrap_or(1),
        shape.last().copied().unwrap_or(1),
    );
    let (lf, df) = (l as f64, d as f64);
    let scores = h.saturating_mul(l).saturating_mul(l);
    let products = 2.0 * lf * df * 3.0 * df + 4.0 * lf * lf * df + 2.0 * lf * df * df;
    let softmax = 5.0 * scores as f64;
    let params = d.saturating_mul(d).saturating_mul(4).saturating_add(4 * d);
    let ld = l.saturating_mul(d);
    LayerCost {
        name: format!("attn {h} heads {l}x{d}"),
        params,
        largest_param: d.saturating_mul(d).saturating_mul(3),
        forward_flops: products + softmax,
        backward_flops: 2.0 * products + BACKWARD * softmax,
        kept_values: ld
            .saturating_mul(5)
            .saturating_add(scores.saturating_mul(2)),
        output_values: ld,
        widest_values: scores.max(ld.saturating_mul(3)),
    }
}

/// A parameter-free layer of `flops` forward FLOPs that keeps `kept` values per row.
fn elementwise(name: &str, flops: f64, kept: u64, output: u64) -> LayerCost {
    LayerCost {
        name: name.to_string(),
        params: 0,
        largest_param: 0,
        forward_flops: flops,
        backward_flops: BACKWARD * flops,
        kept_values: kept,
        output_values: output,
        widest_values: output,
    }
}

/// A per-row cost applied to `rows` rows of its input (a dense layer on the last axis
/// of a sequence or an image runs once per position).
fn scaled(c: LayerCost, rows: u64) -> LayerCost {
    if rows == 1 {
        return c;
    }
    LayerCost {
        forward_flops: c.forward_flops * rows as f64,
        backward_flops: c.backward_flops * rows as f64,
        kept_values: c.kept_values.saturating_mul(rows),
        output_values: c.output_values.saturating_mul(rows),
        widest_values: c.widest_values.saturating_mul(rows),
        ..c
    }
}

#[cfg(test)]
mod transformer_tests {
    use super::*;
    use crate::nn::{parse_stack, Module, Sequential};

    /// A GPT's costs count exactly the parameters its model builds (the tied head
    /// none), and attention's widest values are its scores `[heads, L, L]` per row.
    #[test]
    fn transformer_costs_count_the_built_parameters_and_the_score_matrix() {
        let text = "embed(30,16),pos(64),res(layernorm,attn(4,causal)),\
                    res(layernorm,dense(64),gelu,dense(16)),layernorm,unembed";
        let layers = parse_stack(text).unwrap();
        let model = Sequential::new(
            &layers,
            &[64],
            &mut crate::rng::Rng::new(1),
            &crate::Device::Cpu,
        )
        .unwrap();
        let costs = stack_costs(&layers, &[64]);
        assert_eq!(costs.len(), layers.len());
        let params: u64 = costs.iter().map(|c| c.params).sum();
        assert_eq!(params, model.params().count() as u64);
        let attn = stack_costs(&parse_stack("attn(4,causal)").unwrap(), &[64, 16]);
        assert_eq!(attn[0].widest_values, 4 * 64 * 64);
        assert_eq!(costs[2].widest_values, 4 * 64 * 64);
        // The tied head's products: 2 L D V forward.
        assert_eq!(costs[5].forward_flops, 2.0 * 64.0 * 16.0 * 30.0);
    }
}
