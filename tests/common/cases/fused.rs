//! Rows of the fused transformer ops: the masked softmax (causal with `Tq` equal to,
//! below and above `Tk`, so some rows see no key; key masks with a fully masked batch
//! row), its backward, layer norm and its backward, cross-entropy over a vocabulary
//! (ignored rows, every row ignored) and its backward. References are the textbook
//! loops of `reference_fused.rs`.

use super::super::case::{constant, diff, no_grad, Case, Tol};
use super::super::reference::{numel, Ref};
use super::super::reference_fused as rf;
use super::super::uniform;
use gradlab::rng::Rng;
use gradlab::Tensor;

/// `(scores dims, causal, key mask rows)`: the mask has one row per batch entry, `None`
/// for no mask; a row of all zeros masks every key of that batch entry.
type SoftmaxRow = (&'static [usize], bool, Option<&'static [&'static [f32]]>);

#[rustfmt::skip]
const SOFTMAX_ROWS: &[SoftmaxRow] = &[
    (&[4, 6], false, None),
    (&[2, 3, 4, 4], true, None),
    // More keys than queries (a decoder step over a longer past) and fewer (early
    // queries see no key: all zeros).
    (&[1, 2, 2, 5], true, None),
    (&[1, 1, 5, 3], true, None),
    (&[2, 2, 3, 4], false, Some(&[&[1.0, 1.0, 0.0, 1.0], &[1.0, 0.0, 0.0, 0.0]])),
    (&[2, 1, 4, 4], true, Some(&[&[1.0, 1.0, 1.0, 0.0], &[0.0, 0.0, 0.0, 0.0]])),
    // Longer than a few lanes, one past a workgroup of rows.
    (&[1, 1, 257, 3], false, None),
];

/// The masked softmax on every row of [`SOFTMAX_ROWS`].
pub fn masked_softmax_cases(rng: &mut Rng) -> Vec<Case> {
    SOFTMAX_ROWS
        .iter()
        .map(|&(dims, causal, mask)| {
            let mut inputs = vec![diff(dims, uniform(rng, numel(dims), -3.0, 3.0))];
            if let Some(rows) = mask {
                let keys = dims[dims.len() - 1];
                let data: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
                inputs.push(no_grad(&[rows.len(), keys], data));
            }
            let name = format!(
                "masked_softmax {dims:?} causal {causal} mask {}",
                mask.is_some()
            );
            Case::new(
                name,
                inputs,
                move |x| x[0].masked_softmax(causal, x.get(1)),
                move |x| rf::masked_softmax(&x[0], causal, x.get(1)),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

/// The softmax backward at real softmax outputs `y` (rows summing to 1, some zeros).
pub fn softmax_backward_cases(rng: &mut Rng) -> Vec<Case> {
    [&[3, 5][..], &[2, 2, 3, 4], &[1, 300]]
        .into_iter()
        .map(|dims| {
            let x = Tensor::from_slice(
                &uniform(rng, numel(dims), -2.0, 2.0),
                dims,
                &gradlab::Device::Cpu,
            );
            let y = x
                .masked_softmax(dims.len() == 4, None)
                .to_vec_blocking()
                .unwrap();
            Case::new(
                format!("softmax_backward {dims:?}"),
                vec![
                    diff(dims, y),
                    diff(dims, uniform(rng, numel(dims), -1.5, 1.5)),
                ],
                |x| Tensor::softmax_backward(&x[0], &x[1]),
                |x| rf::softmax_backward(&x[0], &x[1]),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

const NORM_SHAPES: &[&[usize]] = &[&[5], &[3, 8], &[2, 3, 7], &[300, 4]];
const EPS: f32 = 1e-5;

/// Layer norm over the last axis, learned scale and shift.
pub fn layer_norm_cases(rng: &mut Rng) -> Vec<Case> {
    NORM_SHAPES
        .iter()
        .map(|&dims| {
            let cols = dims[dims.len() - 1];
            Case::new(
                format!("layer_norm {dims:?}"),
                vec![
                    diff(dims, uniform(rng, numel(dims), -2.0, 2.0)),
                    diff(&[cols], uniform(rng, cols, 0.5, 1.5)),
                    diff(&[cols], uniform(rng, cols, -0.5, 0.5)),
                ],
                |x| x[0].layer_norm(&x[1], &x[2], EPS),
                |x| rf::layer_norm(&x[0], &x[1], &x[2], EPS as f64),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

/// The layer-norm backward for `x`, with the statistics of its `x` as a constant.
pub fn layer_norm_backward_cases(rng: &mut Rng) -> Vec<Case> {
    NORM_SHAPES
        .iter()
        .map(|&dims| {
            let cols = dims[dims.len() - 1];
            let x = uniform(rng, numel(dims), -2.0, 2.0);
            let stats = rf::layer_norm_stats(&Ref::from_f32(dims, &x), EPS as f64);
            let stats_f32: Vec<f32> = stats.data.iter().map(|&v| v as f32).collect();
            Case::new(
                format!("layer_norm_backward {dims:?}"),
                vec![
                    diff(dims, x),
                    diff(&[cols], uniform(rng, cols, 0.5, 1.5)),
                    constant(&stats.dims, stats_f32),
                    diff(dims, uniform(rng, numel(dims), -1.5, 1.5)),
                ],
                |x| Tensor::layer_norm_backward(&x[0], &x[1], &x[2], &x[3]),
                |x| rf::layer_norm_backward(&x[0], &x[1], &x[2], &x[3]),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

/// `(rows, vocab, targets)`: negative and out-of-range ids are ignored.
#[rustfmt::skip]
const LOSS_ROWS: &[(usize, usize, &[f32])] = &[
    (4, 5, &[0.0, 4.0, 2.0, 2.0]),
    (5, 3, &[1.0, -1.0, 0.0, -100.0, 3.0]),
    (2, 4, &[-1.0, -1.0]),
    (3, 300, &[299.0, 0.0, 17.0]),
];

/// Cross-entropy with integer targets and ignored rows.
pub fn cross_entropy_cases(rng: &mut Rng) -> Vec<Case> {
    LOSS_ROWS
        .iter()
        .map(|&(rows, vocab, targets)| {
            Case::new(
                format!("cross_entropy [{rows}, {vocab}] targets {targets:?}"),
                vec![
                    diff(&[rows, vocab], uniform(rng, rows * vocab, -3.0, 3.0)),
                    no_grad(&[rows], targets.to_vec()),
                ],
                |x| x[0].cross_entropy_ids(&x[1]),
                |x| rf::cross_entropy(&x[0], &x[1]),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}

/// The cross-entropy backward with the statistics of its logits as a constant.
pub fn cross_entropy_backward_cases(rng: &mut Rng) -> Vec<Case> {
    LOSS_ROWS
        .iter()
        .map(|&(rows, vocab, targets)| {
            let logits = uniform(rng, rows * vocab, -3.0, 3.0);
            let t = Ref::from_f32(&[rows], targets);
            let stats = rf::cross_entropy_stats(&Ref::from_f32(&[rows, vocab], &logits), &t);
            let stats: Vec<f32> = stats.iter().map(|&v| v as f32).collect();
            Case::new(
                format!("cross_entropy_backward [{rows}, {vocab}] targets {targets:?}"),
                vec![
                    diff(&[rows, vocab], logits),
                    no_grad(&[rows], targets.to_vec()),
                    constant(&[rows + 1], stats),
                    diff(&[], vec![rng.range(0.5, 1.5)]),
                ],
                |x| Tensor::cross_entropy_backward(&x[0], &x[1], &x[2], &x[3]),
                |x| rf::cross_entropy_backward(&x[0], &x[1], &x[2], &x[3]),
            )
            .tol(Tol::ACCUMULATE)
        })
        .collect()
}
