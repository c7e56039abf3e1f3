//! The fused transformer ops: masked softmax, layer norm and cross-entropy over a
//! vocabulary, each with its fused backward (used by the backward rules). The forward
//! ops keep what their backward needs (layer norm: each row's mean and `1/std`;
//! cross-entropy: each row's logsumexp) as an extra, gradient-free input of their node.

use super::{Op, Shape, Tensor};
use crate::op::SoftmaxDims;

impl Tensor {
    /// Softmax over the last axis of attention scores `[B, H, Tq, Tk]` (fewer axes are
    /// padded in front): with `causal`, query `i` sees keys `j <= i + Tk - Tq` only; a
    /// `key_mask` `[B, Tk]` (1 keep, 0 masked) hides keys of each batch row. A masked key
    /// gets exactly 0 and a row whose keys are all masked is all zeros.
    pub fn masked_softmax(&self, causal: bool, key_mask: Option<&Tensor>) -> Tensor {
        assert!(self.rank() >= 1, "masked_softmax needs at least one axis");
        let [batch, heads, queries, keys] = self.shape().padded();
        let d = SoftmaxDims {
            batch,
            heads,
            queries,
            keys,
            causal,
        };
        let mut inputs = vec![self];
        if let Some(m) = key_mask {
            self.same_device(m, "masked_softmax");
            assert_eq!(
                m.dims(),
                [batch, keys],
                "masked_softmax: a key mask for scores {} must be [{batch}, {keys}]",
                self.shape()
            );
            inputs.push(m);
        }
        let s = self
            .device()
            .masked_softmax(self.storage(), d, key_mask.map(|m| m.storage()));
        Tensor::record(
            Op::MaskedSoftmax { causal },
            &inputs,
            s,
            self.shape().clone(),
        )
    }

    /// The softmax backward over the last axis: `y * (dy - sum(dy * y))` per row.
    pub fn softmax_backward(y: &Tensor, dy: &Tensor) -> Tensor {
        y.same_device(dy, "softmax_backward");
        assert_eq!(y.dims(), dy.dims(), "softmax_backward: y and dy differ");
        let rows = rows_of(y);
        let s = y.device().softmax_backward(y.storage(), dy.storage(), rows);
        Tensor::record(Op::SoftmaxBackward, &[y, dy], s, y.shape().clone())
    }

    /// Layer norm over the last axis, `(x - mean) / sqrt(var + eps) * gamma + beta`
    /// (biased variance, PyTorch's `nn.LayerNorm`), `gamma` and `beta` of the last axis'
    /// size.
    pub fn layer_norm(&self, gamma: &Tensor, beta: &Tensor, eps: f32) -> Tensor {
        self.same_device(gamma, "layer_norm");
        self.same_device(beta, "layer_norm");
        let (rows, cols) = rows_of(self);
        assert!(
            gamma.dims() == [cols] && beta.dims() == [cols],
            "layer_norm: gamma {} and beta {} must be [{cols}] for input {}",
            gamma.shape(),
            beta.shape(),
            self.shape()
        );
        let (y, stats) = self.device().layer_norm(
            self.storage(),
            gamma.storage(),
            beta.storage(),
            (rows, cols),
            eps,
        );
        let stats = Tensor::from_storage(stats, Shape(vec![rows, 2]), self.device());
        Tensor::record(
            Op::LayerNorm { eps },
            &[self, gamma, beta, &stats],
            y,
            self.shape().clone(),
        )
    }

    /// The fused layer-norm backward for `x`, from the `stats` its forward kept (see
    /// [`Op::LayerNormBackward`]).
    pub fn layer_norm_backward(x: &Tensor, gamma: &Tensor, stats: &Tensor, dy: &Tensor) -> Tensor {
        let rows = rows_of(x);
        assert_eq!(x.dims(), dy.dims(), "layer_norm_backward: x and dy differ");
        let s = x.device().layer_norm_backward(
            x.storage(),
            gamma.storage(),
            stats.storage(),
            dy.storage(),
            rows,
        );
        Tensor::record(
            Op::LayerNormBackward,
            &[x, gamma, stats, dy],
            s,
            x.shape().clone(),
        )
    }

    /// Mean cross-entropy of logits `[N, V]` against `targets` `[N]` (ids stored as exact
    /// integers; an id outside `0..V`, e.g. a negative padding id, is ignored), averaged
    /// over the counted rows (0 when none counts). Only each row's logsumexp is kept for
    /// the backward, which recomputes the softmax from the logits.
    pub fn cross_entropy_ids(&self, targets: &Tensor) -> Tensor {
        self.same_device(targets, "cross_entropy");
        assert!(
            self.rank() == 2 && targets.dims() == [self.dims()[0]],
            "cross_entropy: logits {} need [N, V] and targets {} [N]",
            self.shape(),
            targets.shape()
        );
        let rows = (self.dims()[0], self.dims()[1]);
        let (loss, stats) = self
            .device()
            .cross_entropy(self.storage(), targets.storage(), rows);
        let stats = Tensor::from_storage(stats, Shape(vec![rows.0 + 1]), self.device());
        Tensor::record(
            Op::CrossEntropy,
            &[self, targets, &stats],
            loss,
            Shape(vec![]),
        )
    }

    /// The fused cross-entropy backward: `g (softmax(logits) - onehot) / count` on the
    /// counted rows, from the logsumexp `stats` the forward kept; `g` has one element.
    pub fn cross_entropy_backward(
        logits: &Tensor,
        targets: &Tensor,
        stats: &Tensor,
        g: &Tensor,
    ) -> Tensor {
        assert_eq!(g.numel(), 1, "cross_entropy_backward: g must be one value");
        let rows = (logits.dims()[0], logits.dims()[1]);
        let s = logits.device().cross_entropy_backward(
            logits.storage(),
            targets.storage(),
            stats.storage(),
            g.storage(),
            rows,
        );
        Tensor::record(
            Op::CrossEntropyBackward,
            &[logits, targets, stats, g],
            s,
            logits.shape().clone(),
        )
    }
}

/// `(rows, cols)` of a tensor seen as rows of its last axis.
fn rows_of(x: &Tensor) -> (usize, usize) {
    let cols = *x.dims().last().expect("needs at least one axis");
    (x.numel().checked_div(cols).unwrap_or(0), cols)
}
