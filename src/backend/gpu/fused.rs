//! Launches of the fused transformer kernels (`shaders/softmax.wgsl`, `norm.wgsl`,
//! `norm_backward.wgsl`, `loss.wgsl`, `loss_backward.wgsl`): one thread per row (per
//! logit for the cross-entropy backward), each row in the CPU's order; and of gradient
//! clipping's coefficient (`shaders/clip.wgsl`).

use super::{groups, GpuBackend, GpuStorage, Kernel, PooledBuffer};
use crate::op::SoftmaxDims;

impl GpuBackend {
    /// See [`crate::backend::Backend::masked_softmax`].
    pub(super) fn masked_softmax_launch(
        &self,
        x: &GpuStorage,
        d: SoftmaxDims,
        mask: Option<&GpuStorage>,
    ) -> GpuStorage {
        let rows = d.rows();
        let s = self.alloc(rows * d.keys);
        // `Params`: (batch, heads, queries, keys), (causal, has mask, rows, -).
        let mut p = [d.batch, d.heads, d.queries, d.keys]
            .map(|v| self.u(v))
            .to_vec();
        p.extend([
            u32::from(d.causal),
            u32::from(mask.is_some()),
            self.u(rows),
            0,
        ]);
        let aux = mask.map_or(&self.dummy, |m| m.pooled());
        let bufs = [x.pooled(), aux, s.pooled()];
        self.launch(Kernel::SOFTMAX_MASKED, &p, &bufs, groups(rows));
        s
    }

    /// See [`crate::backend::Backend::softmax_backward`].
    pub(super) fn softmax_backward_launch(
        &self,
        y: &GpuStorage,
        dy: &GpuStorage,
        (rows, cols): (usize, usize),
    ) -> GpuStorage {
        let s = self.alloc(rows * cols);
        let p = [0, 0, 0, self.u(cols), 0, 0, self.u(rows), 0];
        let bufs = [y.pooled(), dy.pooled(), s.pooled()];
        self.launch(Kernel::SOFTMAX_BACKWARD, &p, &bufs, groups(rows));
        s
    }

    /// See [`crate::backend::Backend::layer_norm`].
    pub(super) fn layer_norm_launch(
        &self,
        (x, gamma, beta): (&GpuStorage, &GpuStorage, &GpuStorage),
        (rows, cols): (usize, usize),
        eps: f32,
    ) -> (GpuStorage, GpuStorage) {
        let (y, stats) = (self.alloc(rows * cols), self.alloc(2 * rows));
        let p = [self.u(rows), self.u(cols), eps.to_bits(), 0];
        let bufs = [
            x.pooled(),
            gamma.pooled(),
            beta.pooled(),
            y.pooled(),
            stats.pooled(),
        ];
        self.launch(Kernel::LAYER_NORM, &p, &bufs, groups(rows));
        (y, stats)
    }

    /// See [`crate::backend::Backend::layer_norm_backward`].
    pub(super) fn layer_norm_backward_launch(
        &self,
        inputs: [&GpuStorage; 4],
        (rows, cols): (usize, usize),
    ) -> GpuStorage {
        let dx = self.alloc(rows * cols);
        let p = [self.u(rows), self.u(cols), 0, 0];
        let mut bufs: Vec<&super::PooledBuffer> = inputs.iter().map(|s| s.pooled()).collect();
        bufs.push(dx.pooled());
        self.launch(Kernel::LAYER_NORM_BACKWARD, &p, &bufs, groups(rows));
        dx
    }

    /// See [`crate::backend::Backend::cross_entropy`]: one workgroup.
    pub(super) fn cross_entropy_launch(
        &self,
        logits: &GpuStorage,
        targets: &GpuStorage,
        (rows, vocab): (usize, usize),
    ) -> (GpuStorage, GpuStorage) {
        let (loss, stats) = (self.alloc(1), self.alloc(rows + 1));
        let p = [self.u(rows), self.u(vocab), 0, 0];
        let bufs = [
            logits.pooled(),
            targets.pooled(),
            loss.pooled(),
            stats.pooled(),
        ];
        self.launch(Kernel::CROSS_ENTROPY, &p, &bufs, 1);
        (loss, stats)
    }

    /// See [`crate::backend::Backend::cross_entropy_backward`].
    pub(super) fn cross_entropy_backward_launch(
        &self,
        inputs: [&GpuStorage; 4],
        (rows, vocab): (usize, usize),
    ) -> GpuStorage {
        let dx = self.alloc(rows * vocab);
        let p = [self.u(rows), self.u(vocab), 0, 0];
        let mut bufs: Vec<&super::PooledBuffer> = inputs.iter().map(|s| s.pooled()).collect();
        bufs.push(dx.pooled());
        self.launch(
            Kernel::CROSS_ENTROPY_BACKWARD,
            &p,
            &bufs,
            groups(rows * vocab),
        );
        dx
    }

    /// `x` seen as `[rows, chunk]` placed at column `offset` of zeros `[rows, total]`
    /// (the gradient of a slice), one dispatch.
    pub(crate) fn pad_launch(
        &self,
        x: &GpuStorage,
        (rows, chunk, total, offset): (usize, usize, usize, usize),
    ) -> GpuStorage {
        let s = self.alloc(rows * total);
        // `shaders/movement.wgsl`'s `Params`: dims, strides (unused), then `misc`.
        let mut p = [0u32; 12];
        p[8..].copy_from_slice(&[rows, chunk, total, offset].map(|v| self.u(v)));
        let bufs = [x.pooled(), s.pooled()];
        self.launch(Kernel::PAD, &p, &bufs, groups(rows * total));
        s
    }

    /// Gradient clipping's coefficient `min(1, max_norm / (||g|| + 1e-6))` over every
    /// gradient in `grads` (storage, elements), the global norm taken over all of them:
    /// a dispatch per [`CLIP_GRADS`] gradients (each a workgroup summing its squares)
    /// and one that combines the sums in order. The result holds the coefficient at
    /// element 0 (then the sums): what [`crate::backend::Backend::update`] reads as
    /// its gradient scale.
    pub(crate) fn clip_coefficient_launch(
        &self,
        grads: &[(&GpuStorage, usize)],
        max_norm: f32,
    ) -> GpuStorage {
        let sums = self.alloc(1 + grads.len());
        for (chunk_index, chunk) in grads.chunks(CLIP_GRADS).enumerate() {
            // `shaders/clip.wgsl`'s `Params`: six lengths (two vec4s), the first index.
            let mut p = [0u32; 9];
            for (k, (_, len)) in chunk.iter().enumerate() {
                p[k] = self.u(*len);
            }
            p[8] = self.u(chunk_index * CLIP_GRADS);
            let mut bufs: Vec<&PooledBuffer> = (0..CLIP_GRADS)
                .map(|k| chunk.get(k).map_or(&self.dummy, |(g, _)| g.pooled()))
                .collect();
            bufs.push(sums.pooled());
            self.launch(Kernel::CLIP_SUM_SQUARES, &p, &bufs, chunk.len() as u64);
        }
        let p = [self.u(grads.len()), max_norm.to_bits()];
        let mut bufs = vec![&self.dummy; CLIP_GRADS];
        bufs.push(sums.pooled());
        self.launch(Kernel::CLIP_COEFFICIENT, &p, &bufs, 1);
        sums
    }
}

/// Gradients summed per dispatch of `clip_sum_squares` (a kernel binds at most eight
/// storage buffers in WebGPU by default: six gradients and the sums fit).
pub(crate) const CLIP_GRADS: usize = 6;
