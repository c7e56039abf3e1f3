//! `Device` methods of the fused transformer ops (masked softmax, layer norm,
//! cross-entropy and their backwards), one line each through `on_backend!`.

use super::{on_cpu, on_gpu, Backend, CpuBackend, Device, GpuBackend, Storage};
use crate::op::SoftmaxDims;

impl Device {
    /// See [`Backend::masked_softmax`].
    pub fn masked_softmax(&self, x: &Storage, d: SoftmaxDims, mask: Option<&Storage>) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.masked_softmax(
            s::get(x),
            d,
            mask.map(s::get)
        )))
    }

    /// See [`Backend::softmax_backward`].
    pub fn softmax_backward(&self, y: &Storage, dy: &Storage, rows: (usize, usize)) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.softmax_backward(
            s::get(y),
            s::get(dy),
            rows
        )))
    }

    /// See [`Backend::layer_norm`].
    pub fn layer_norm(
        &self,
        x: &Storage,
        gamma: &Storage,
        beta: &Storage,
        rows: (usize, usize),
        eps: f32,
    ) -> (Storage, Storage) {
        on_backend!(self, |b, s| {
            let (y, st) = b.layer_norm(s::get(x), s::get(gamma), s::get(beta), rows, eps);
            (s::wrap(y), s::wrap(st))
        })
    }

    /// See [`Backend::layer_norm_backward`].
    pub fn layer_norm_backward(
        &self,
        x: &Storage,
        gamma: &Storage,
        stats: &Storage,
        dy: &Storage,
        rows: (usize, usize),
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.layer_norm_backward(
            s::get(x),
            s::get(gamma),
            s::get(stats),
            s::get(dy),
            rows
        )))
    }

    /// See [`Backend::cross_entropy`].
    pub fn cross_entropy(
        &self,
        logits: &Storage,
        targets: &Storage,
        rows: (usize, usize),
    ) -> (Storage, Storage) {
        on_backend!(self, |b, s| {
            let (l, st) = b.cross_entropy(s::get(logits), s::get(targets), rows);
            (s::wrap(l), s::wrap(st))
        })
    }

    /// See [`Backend::cross_entropy_backward`].
    pub fn cross_entropy_backward(
        &self,
        logits: &Storage,
        targets: &Storage,
        stats: &Storage,
        g: &Storage,
        rows: (usize, usize),
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.cross_entropy_backward(
            s::get(logits),
            s::get(targets),
            s::get(stats),
            s::get(g),
            rows
        )))
    }
}
