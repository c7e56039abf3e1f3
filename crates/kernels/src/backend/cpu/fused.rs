//! The fused row kernels of the transformer ops on the CPU: masked softmax and its
//! backward, layer norm and its backward, cross-entropy over a vocabulary and its
//! backward. Each row is computed left to right in one fixed order (the GPU kernels
//! run one thread per row in the same order), with `libm` math only: the exponentials
//! of a row through [`mathf`], `libm::expf`'s bits computed a vector at a time, then
//! the sums in the row's order.

use crate::backend::cpu::row_index;
use crate::mathf;
use crate::op::{ReduceOp, SoftmaxDims};

/// Softmax over each row of `x` (`d.rows()` rows of `d.keys`), masked keys exactly 0;
/// `mask` is `[batch, keys]` (nonzero keeps).
pub fn masked_softmax(x: &[f32], d: SoftmaxDims, mask: Option<&[f32]>) -> Vec<f32> {
    let (tq, tk) = (d.queries, d.keys);
    let mut out = vec![0.0; d.rows() * tk];
    for r in 0..d.rows() {
        let (b, i) = (r / (d.heads * tq).max(1), r % tq.max(1));
        let visible =
            |j: usize| d.causal_visible(i, j) && mask.is_none_or(|m| m[b * tk + j] != 0.0);
        let row = &x[r * tk..(r + 1) * tk];
        let o = &mut out[r * tk..(r + 1) * tk];
        let mut m = f32::NEG_INFINITY;
        let mut any = false;
        for (j, &v) in row.iter().enumerate() {
            if visible(j) {
                m = ReduceOp::Max.combine(m, v);
                any = true;
            }
        }
        if !any {
            continue;
        }
        // exp(v - m) of every key; the hidden ones go back to 0 (and stay out of the
        // sum, which adds the visible ones left to right).
        mathf::exp_shifted_slice(row, m, o);
        let mut sum = 0.0f32;
        for (j, e) in o.iter_mut().enumerate() {
            if visible(j) {
                sum += *e;
            } else {
                *e = 0.0;
            }
        }
        for (j, v) in o.iter_mut().enumerate() {
            if visible(j) {
                *v /= sum;
            }
        }
    }
    out
}

/// `y * (dy - sum(dy * y))` per row of `cols`.
pub fn softmax_backward(y: &[f32], dy: &[f32], cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; y.len()];
    if cols == 0 {
        return out;
    }
    for ((o, y), dy) in out
        .chunks_mut(cols)
        .zip(y.chunks(cols))
        .zip(dy.chunks(cols))
    {
        let s = y.iter().zip(dy).fold(0.0f32, |acc, (y, d)| acc + d * y);
        for ((o, y), d) in o.iter_mut().zip(y).zip(dy) {
            *o = y * (d - s);
        }
    }
    out
}

/// Layer norm of each row: `(y, stats)`, `stats` per row `(mean, 1 / sqrt(var + eps))`.
/// The float operations are those of the composed form (sum times `1/n`, centre,
/// square, sum times `1/n`, `sqrt(var + eps)`, divide, scale, shift), in that order.
pub fn layer_norm(
    x: &[f32],
    gamma: &[f32],
    beta: &[f32],
    cols: usize,
    eps: f32,
) -> (Vec<f32>, Vec<f32>) {
    let rows = x.len().checked_div(cols).unwrap_or(0);
    let inv_n = 1.0 / cols.max(1) as f32;
    let (mut y, mut stats) = (vec![0.0; x.len()], vec![0.0; 2 * rows]);
    for r in 0..rows {
        let row = &x[r * cols..(r + 1) * cols];
        let mean = row.iter().fold(0.0f32, |a, &v| a + v) * inv_n;
        let var = row.iter().fold(0.0f32, |a, &v| a + (v - mean) * (v - mean)) * inv_n;
        let std = libm::sqrtf(var + eps);
        for (j, &v) in row.iter().enumerate() {
            y[r * cols + j] = (v - mean) / std * gamma[j] + beta[j];
        }
        stats[2 * r] = mean;
        stats[2 * r + 1] = 1.0 / std;
    }
    (y, stats)
}

/// The layer-norm backward for `x`: per row, with `xhat = (x - mean) rstd` and
/// `gh = dy gamma`, `rstd ((gh - mean(gh)) - xhat mean(gh xhat))`.
pub fn layer_norm_backward(
    x: &[f32],
    gamma: &[f32],
    stats: &[f32],
    dy: &[f32],
    cols: usize,
) -> Vec<f32> {
    let rows = x.len().checked_div(cols).unwrap_or(0);
    let inv_n = 1.0 / cols.max(1) as f32;
    let mut dx = vec![0.0; x.len()];
    for r in 0..rows {
        let (mean, rstd) = (stats[2 * r], stats[2 * r + 1]);
        let at = |j: usize| {
            let xhat = (x[r * cols + j] - mean) * rstd;
            (xhat, dy[r * cols + j] * gamma[j])
        };
        let (mut sum_gh, mut sum_ghx) = (0.0f32, 0.0f32);
        for j in 0..cols {
            let (xhat, gh) = at(j);
            sum_gh += gh;
            sum_ghx += gh * xhat;
        }
        let (mean_gh, mean_ghx) = (sum_gh * inv_n, sum_ghx * inv_n);
        for j in 0..cols {
            let (xhat, gh) = at(j);
            dx[r * cols + j] = rstd * ((gh - mean_gh) - xhat * mean_ghx);
        }
    }
    dx
}

/// Cross-entropy of `logits [rows, vocab]` against `targets [rows]`: `(loss, stats)`,
/// the loss the mean of `lse - logit[target]` over the counted rows (0 when none is),
/// `stats` each row's logsumexp then the number of counted rows.
pub fn cross_entropy(logits: &[f32], targets: &[f32], vocab: usize) -> (Vec<f32>, Vec<f32>) {
    let rows = targets.len();
    let mut stats = vec![0.0; rows + 1];
    for (r, lse) in stats.iter_mut().take(rows).enumerate() {
        *lse = logsumexp(&logits[r * vocab..(r + 1) * vocab]);
    }
    let (mut sum, mut count) = (0.0f32, 0.0f32);
    for r in 0..rows {
        if let Some(t) = row_index(targets[r], vocab) {
            sum += stats[r] - logits[r * vocab + t];
            count += 1.0;
        }
    }
    stats[rows] = count;
    let loss = if count > 0.0 { sum / count } else { 0.0 };
    (vec![loss], stats)
}

/// `m + ln(sum exp(x - m))`, `m` the row's maximum (`-inf` for an empty row).
fn logsumexp(row: &[f32]) -> f32 {
    let m = row
        .iter()
        .fold(f32::NEG_INFINITY, |a, &v| ReduceOp::Max.combine(a, v));
    // The exponentials a block at a time (no allocation), summed left to right.
    let mut exps = [0.0f32; 256];
    let mut s = 0.0f32;
    for block in row.chunks(exps.len()) {
        let exps = &mut exps[..block.len()];
        mathf::exp_shifted_slice(block, m, exps);
        s = exps.iter().fold(s, |a, &e| a + e);
    }
    m + libm::logf(s)
}

/// `(exp(logit - lse) - onehot) * (g / count)` on counted rows, 0 on ignored ones.
pub fn cross_entropy_backward(
    logits: &[f32],
    targets: &[f32],
    stats: &[f32],
    g: f32,
    vocab: usize,
) -> Vec<f32> {
    let rows = targets.len();
    let count = stats[rows];
    let scale = if count > 0.0 { g / count } else { 0.0 };
    let mut out = vec![0.0; rows * vocab];
    for r in 0..rows {
        let Some(t) = row_index(targets[r], vocab) else {
            continue;
        };
        // p = exp(logit - lse), then (p - onehot) * scale.
        let o = &mut out[r * vocab..(r + 1) * vocab];
        mathf::exp_shifted_slice(&logits[r * vocab..(r + 1) * vocab], stats[r], o);
        for (j, p) in o.iter_mut().enumerate() {
            let onehot = if j == t { 1.0 } else { 0.0 };
            *p = (*p - onehot) * scale;
        }
    }
    out
}

/// The kernels against their per-element form (`libm::expf` one element at a time, the
/// code they replaced): the vectorised exponentials must leave every bit unchanged.
#[cfg(test)]
mod tests {
    use super::*;

    /// `n` logits from a fixed generator, spread over about [-40, 40] (a vocabulary row
    /// where exp(v - m) spans normal, subnormal and zero results), with repeats.
    fn logits(n: usize) -> Vec<f32> {
        let mut s = 0x2545_f491_u32;
        (0..n)
            .map(|i| {
                s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let v = (s >> 8) as f32 / (1u32 << 24) as f32 * 80.0 - 40.0;
                if i % 17 == 3 {
                    v.round()
                } else {
                    v
                }
            })
            .collect()
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    #[test]
    fn masked_softmax_matches_the_per_element_libm_form() {
        for causal in [false, true] {
            let d = SoftmaxDims {
                batch: 2,
                heads: 3,
                queries: 5,
                keys: 9,
                causal,
            };
            let x = logits(d.rows() * d.keys);
            let keep: Vec<f32> = (0..d.batch * d.keys)
                .map(|i| if i % 4 == 1 { 0.0 } else { 1.0 })
                .collect();
            for mask in [None, Some(&keep[..])] {
                let mut want = vec![0.0; x.len()];
                for r in 0..d.rows() {
                    let (b, i) = (r / (d.heads * d.queries), r % d.queries);
                    let visible = |j: usize| {
                        d.causal_visible(i, j) && mask.is_none_or(|m| m[b * d.keys + j] != 0.0)
                    };
                    let row = &x[r * d.keys..(r + 1) * d.keys];
                    let m = (0..d.keys)
                        .filter(|&j| visible(j))
                        .fold(f32::NEG_INFINITY, |a, j| ReduceOp::Max.combine(a, row[j]));
                    let mut sum = 0.0f32;
                    for j in (0..d.keys).filter(|&j| visible(j)) {
                        let e = libm::expf(row[j] - m);
                        want[r * d.keys + j] = e;
                        sum += e;
                    }
                    for j in (0..d.keys).filter(|&j| visible(j)) {
                        want[r * d.keys + j] /= sum;
                    }
                }
                let got = masked_softmax(&x, d, mask);
                assert!(
                    same_bits(&got, &want),
                    "causal {causal}, mask {}",
                    mask.is_some()
                );
            }
        }
    }

    #[test]
    fn cross_entropy_and_its_backward_match_the_per_element_libm_form() {
        // 600 columns: more than one block of `logsumexp`'s buffer.
        let (rows, vocab) = (4, 600);
        let x = logits(rows * vocab);
        let targets = [3.0, -1.0, 599.0, 0.0];
        let (loss, stats) = cross_entropy(&x, &targets, vocab);
        let mut lse = Vec::new();
        for row in x.chunks(vocab) {
            let m = row
                .iter()
                .fold(f32::NEG_INFINITY, |a, &v| ReduceOp::Max.combine(a, v));
            let s = row.iter().fold(0.0f32, |a, &v| a + libm::expf(v - m));
            lse.push(m + libm::logf(s));
        }
        assert!(same_bits(&stats[..rows], &lse));
        // Rows 0, 2 and 3 count (row 1's target is out of range), summed in order.
        let sum =
            0.0f32 + (lse[0] - x[3]) + (lse[2] - x[2 * vocab + 599]) + (lse[3] - x[3 * vocab]);
        assert_eq!(stats[rows], 3.0);
        assert_eq!(loss[0].to_bits(), (sum / 3.0).to_bits());

        let g = 0.7f32;
        let got = cross_entropy_backward(&x, &targets, &stats, g, vocab);
        let scale = g / stats[rows];
        let mut want = vec![0.0f32; rows * vocab];
        for r in [0usize, 2, 3] {
            let t = targets[r] as usize;
            for j in 0..vocab {
                let p = libm::expf(x[r * vocab + j] - stats[r]);
                let onehot = if j == t { 1.0 } else { 0.0 };
                want[r * vocab + j] = (p - onehot) * scale;
            }
        }
        assert!(same_bits(&got, &want));
    }
}
