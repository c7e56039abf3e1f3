//! Textbook f64 references of the fused transformer ops, written from their equations
//! with plain loops (no code shared with the crate): masked softmax, layer norm and
//! cross-entropy, and their backward maps as functions of all their inputs (the kept
//! statistics included, held as given).

use super::reference::{numel, Ref};

/// The four padded dimensions of `dims` (leading ones).
fn padded(dims: &[usize]) -> [usize; 4] {
    let mut d = [1; 4];
    d[4 - dims.len()..].copy_from_slice(dims);
    d
}

/// Softmax over the last axis of `[B, H, Tq, Tk]` with the causal rule
/// (`j <= i + Tk - Tq`) and a key mask `[B, Tk]`: masked keys 0, fully masked rows 0.
pub fn masked_softmax(x: &Ref, causal: bool, mask: Option<&Ref>) -> Ref {
    let [b, h, tq, tk] = padded(&x.dims);
    let mut out = vec![0.0; numel(&x.dims)];
    for bi in 0..b {
        for hi in 0..h {
            for i in 0..tq {
                let base = ((bi * h + hi) * tq + i) * tk;
                let visible: Vec<usize> = (0..tk)
                    .filter(|&j| !causal || j + tq <= i + tk)
                    .filter(|&j| mask.is_none_or(|m| m.data[bi * tk + j] != 0.0))
                    .collect();
                if visible.is_empty() {
                    continue;
                }
                let m = visible
                    .iter()
                    .map(|&j| x.data[base + j])
                    .fold(f64::NEG_INFINITY, f64::max);
                let z: f64 = visible.iter().map(|&j| (x.data[base + j] - m).exp()).sum();
                for &j in &visible {
                    out[base + j] = (x.data[base + j] - m).exp() / z;
                }
            }
        }
    }
    Ref::new(&x.dims, out)
}

/// `y (dy - sum(dy y))` per row of the last axis.
pub fn softmax_backward(y: &Ref, dy: &Ref) -> Ref {
    let cols = *y.dims.last().unwrap();
    let mut out = vec![0.0; y.data.len()];
    for r in 0..y.data.len() / cols.max(1) {
        let row = r * cols..(r + 1) * cols;
        let s: f64 = row.clone().map(|k| y.data[k] * dy.data[k]).sum();
        for k in row {
            out[k] = y.data[k] * (dy.data[k] - s);
        }
    }
    Ref::new(&y.dims, out)
}

/// Mean and `1/sqrt(var + eps)` of each row of the last axis, `[rows, 2]`.
pub fn layer_norm_stats(x: &Ref, eps: f64) -> Ref {
    let cols = *x.dims.last().unwrap();
    let rows = x.data.len() / cols.max(1);
    let mut out = Vec::with_capacity(2 * rows);
    for r in 0..rows {
        let row = &x.data[r * cols..(r + 1) * cols];
        let mean = row.iter().sum::<f64>() / cols as f64;
        let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / cols as f64;
        out.extend([mean, 1.0 / (var + eps).sqrt()]);
    }
    Ref::new(&[rows, 2], out)
}

/// `(x - mean) / sqrt(var + eps) gamma + beta` over the last axis (biased variance).
pub fn layer_norm(x: &Ref, gamma: &Ref, beta: &Ref, eps: f64) -> Ref {
    let cols = gamma.data.len();
    let stats = layer_norm_stats(x, eps);
    let out = (0..x.data.len())
        .map(|k| {
            let (r, j) = (k / cols, k % cols);
            (x.data[k] - stats.data[2 * r]) * stats.data[2 * r + 1] * gamma.data[j] + beta.data[j]
        })
        .collect();
    Ref::new(&x.dims, out)
}

/// The layer-norm backward for `x` with the given statistics:
/// `rstd (gh - mean(gh) - xhat mean(gh xhat))`, `gh = dy gamma`.
pub fn layer_norm_backward(x: &Ref, gamma: &Ref, stats: &Ref, dy: &Ref) -> Ref {
    let cols = gamma.data.len();
    let mut out = vec![0.0; x.data.len()];
    for r in 0..x.data.len() / cols.max(1) {
        let (mean, rstd) = (stats.data[2 * r], stats.data[2 * r + 1]);
        let xhat: Vec<f64> = (0..cols)
            .map(|j| (x.data[r * cols + j] - mean) * rstd)
            .collect();
        let gh: Vec<f64> = (0..cols)
            .map(|j| dy.data[r * cols + j] * gamma.data[j])
            .collect();
        let mean_gh = gh.iter().sum::<f64>() / cols as f64;
        let mean_ghx = gh.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / cols as f64;
        for j in 0..cols {
            out[r * cols + j] = rstd * (gh[j] - mean_gh - xhat[j] * mean_ghx);
        }
    }
    Ref::new(&x.dims, out)
}

/// The target column of a row, when the id is a whole number in `0..vocab`.
fn target(t: f64, vocab: usize) -> Option<usize> {
    (t >= 0.0 && t.fract() == 0.0 && (t as usize) < vocab).then_some(t as usize)
}

/// `ln sum_j exp(l_j)` of each row.
pub fn logsumexp_rows(logits: &Ref) -> Vec<f64> {
    let v = logits.dims[1];
    (0..logits.dims[0])
        .map(|r| {
            let row = &logits.data[r * v..(r + 1) * v];
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            m + row.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
        })
        .collect()
}

/// Mean over counted rows of `lse - logit[target]` (0 when none counts).
pub fn cross_entropy(logits: &Ref, targets: &Ref) -> Ref {
    let v = logits.dims[1];
    let lse = logsumexp_rows(logits);
    let (mut sum, mut count) = (0.0, 0.0);
    for (r, &t) in targets.data.iter().enumerate() {
        if let Some(t) = target(t, v) {
            sum += lse[r] - logits.data[r * v + t];
            count += 1.0;
        }
    }
    Ref::new(&[], vec![if count > 0.0 { sum / count } else { 0.0 }])
}

/// The statistics the cross-entropy keeps: each row's logsumexp, then the counted rows.
pub fn cross_entropy_stats(logits: &Ref, targets: &Ref) -> Vec<f64> {
    let v = logits.dims[1];
    let mut s = logsumexp_rows(logits);
    s.push(
        targets
            .data
            .iter()
            .filter(|&&t| target(t, v).is_some())
            .count() as f64,
    );
    s
}

/// `g (exp(logit - lse) - onehot) / count` on counted rows, with the given statistics.
pub fn cross_entropy_backward(logits: &Ref, targets: &Ref, stats: &Ref, g: &Ref) -> Ref {
    let (rows, v) = (logits.dims[0], logits.dims[1]);
    let count = stats.data[rows];
    let mut out = vec![0.0; rows * v];
    for r in 0..rows {
        let Some(t) = target(targets.data[r], v) else {
            continue;
        };
        for j in 0..v {
            let p = (logits.data[r * v + j] - stats.data[r]).exp();
            let onehot = if j == t { 1.0 } else { 0.0 };
            out[r * v + j] = g.data[0] * (p - onehot) / count;
        }
    }
    Ref::new(&logits.dims, out)
}
