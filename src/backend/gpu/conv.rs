//! Launches of the sliding-window kernels (`shaders/conv.wgsl`: im2col and col2im;
//! `shaders/pool.wgsl`: max and average pooling and their adjoints). They share one
//! parameter layout, the `Params` of both files: input dims, window, output sizes.

use super::{groups, GpuBackend, GpuStorage, Kernel, Sig};
use crate::backend::cpu::avg_scale;
use crate::op::Window2d;

impl GpuBackend {
    /// One dispatch of a window kernel over `threads` outputs, reading `inputs` (an
    /// `In2Out1` kernel with one input gets the placeholder as its second).
    pub(super) fn window_launch(
        &self,
        k: Kernel,
        g: Window2d,
        inputs: &[&GpuStorage],
        threads: usize,
    ) -> GpuStorage {
        self.window_launch_sized(k, g, inputs, threads, threads)
    }

    /// [`Self::window_launch`] with an output of `len` elements written by `threads`
    /// threads (a kernel whose thread writes several elements).
    pub(super) fn window_launch_sized(
        &self,
        k: Kernel,
        g: Window2d,
        inputs: &[&GpuStorage],
        len: usize,
        threads: usize,
    ) -> GpuStorage {
        let s = self.alloc(len);
        let p = [
            self.u(g.n),
            self.u(g.c),
            self.u(g.h),
            self.u(g.w),
            self.u(g.kh),
            self.u(g.kw),
            self.u(g.stride),
            self.u(g.padding),
            self.u(g.out_h()),
            self.u(g.out_w()),
            self.u(threads),
            avg_scale(&g).to_bits(),
        ];
        let mut bufs: Vec<&super::PooledBuffer> = inputs.iter().map(|x| x.pooled()).collect();
        if k.sig == Sig::In2Out1 && bufs.len() == 1 {
            bufs.push(&self.dummy);
        }
        bufs.push(s.pooled());
        self.launch(k, &p, &bufs, groups(threads));
        s
    }
}
