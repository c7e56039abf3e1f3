//! `Device` methods of the fused transformer ops (masked softmax, layer norm,
//! cross-entropy and their backwards), one line each through `on_backend!`, and the
//! GPU's fused clipping coefficient.

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

    /// Gradient clipping's coefficient `min(1, max_norm / (||g|| + 1e-6))`, the norm
    /// taken over all of `grads` (storage, elements; contiguous), as one fused pass on
    /// the GPU: its element 0 is the coefficient, the scale [`Device::update`] takes.
    /// `None` on the CPU, whose optimizer composes it from primitives (the reference
    /// order of its sums; fusing there would change its bits), and when `grads` is empty.
    pub fn clip_coefficient(&self, grads: &[(&Storage, usize)], max_norm: f32) -> Option<Storage> {
        match self {
            Device::Cpu => None,
            Device::Gpu(_) if grads.is_empty() => None,
            Device::Gpu(g) => {
                let parts = on_gpu::parts(grads);
                Some(on_gpu::wrap(g.clip_coefficient_launch(&parts, max_norm)))
            }
        }
    }

    /// `x` seen as `[rows, chunk]` placed at column `offset` of zeros `[rows, total]`
    /// (a slice's gradient) in one GPU dispatch. `None` on the CPU, which composes it
    /// from zeros and a concatenation (the same values: nothing is computed).
    pub fn pad_rows(&self, x: &Storage, rows: (usize, usize, usize, usize)) -> Option<Storage> {
        match self {
            Device::Cpu => None,
            Device::Gpu(g) => Some(on_gpu::wrap(g.pad_launch(on_gpu::get(x), rows))),
        }
    }
}
