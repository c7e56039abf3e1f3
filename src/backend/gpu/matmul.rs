//! Matmul kernel choice and launch. The kernels live in `shaders/matmul.wgsl`: the plain
//! one (one thread per output) is the reference; the tiled one (64 x 64 tiles in
//! workgroup memory, 4 x 4 register blocks, vec4 loads) is the fast one on GPU hardware;
//! the register one (4 x 4 blocks read straight from global memory, no workgroup memory,
//! no barrier) is the fast one on software adapters (SwiftShader, lavapipe), where
//! barriers are expensive.

use super::{GpuBackend, GpuStorage, Kernel};
use crate::backend::MatmulDims;

/// Which matmul kernel runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatmulKernel {
    /// On a software adapter the register kernel; on GPU hardware tiled when the product
    /// is large enough to fill 64 x 64 tiles, else plain.
    Auto,
    /// Always the plain reference kernel.
    Plain,
    /// Always the tiled kernel.
    Tiled,
    /// Always the register-blocked kernel without workgroup memory.
    Register,
}

/// Output tile edge of each kernel.
const PLAIN_TILE: usize = 16;
const TILED_TILE: usize = 64;
const REGISTER_TILE: usize = 32;

impl MatmulKernel {
    /// The kernel `self` picks for `d` on a `software` adapter (a CPU) or on GPU
    /// hardware. On a software adapter always the register kernel: barriers are what
    /// cost there (measured 1.9-3.5x the tiled kernel on SwiftShader in the bench page,
    /// 1.2-1.7x on lavapipe in `gradlab bench`). On hardware tiled once both output
    /// sides reach 32 and the product has at least 32^3 multiply-adds (smaller ones
    /// waste most of a tile), else plain: workgroup memory is what reaches a GPU's peak.
    pub fn pick(self, d: &MatmulDims, software: bool) -> MatmulKernel {
        match self {
            MatmulKernel::Auto if software => MatmulKernel::Register,
            MatmulKernel::Auto => {
                let work = d.m.saturating_mul(d.n).saturating_mul(d.k);
                if d.m >= 32 && d.n >= 32 && work >= 32 * 32 * 32 {
                    MatmulKernel::Tiled
                } else {
                    MatmulKernel::Plain
                }
            }
            k => k,
        }
    }
}

impl GpuBackend {
    /// Record `C = op(A) @ op(B)` with the kernel chosen by [`GpuBackend::matmul_kernel`].
    pub(super) fn matmul_dispatch(
        &self,
        a: &GpuStorage,
        b: &GpuStorage,
        d: MatmulDims,
    ) -> GpuStorage {
        let c = self.alloc(d.batch * d.m * d.n);
        let (kernel, tile) = match self.matmul_kernel.get().pick(&d, self.software) {
            MatmulKernel::Tiled => (Kernel::MATMUL_TILED, TILED_TILE),
            MatmulKernel::Register => (Kernel::MATMUL_REGISTER, REGISTER_TILE),
            MatmulKernel::Plain | MatmulKernel::Auto => (Kernel::MATMUL_PLAIN, PLAIN_TILE),
        };
        let (tiles_m, tiles_n) = (d.m.div_ceil(tile), d.n.div_ceil(tile));
        // vec4 loads need the operand's contiguous dimension to be a multiple of 4 (so
        // every row, and every batch, starts on a 16-byte boundary).
        let a_vec4 = if d.trans_a {
            d.m.is_multiple_of(4)
        } else {
            d.k.is_multiple_of(4)
        };
        let b_vec4 = if d.trans_b {
            d.k.is_multiple_of(4)
        } else {
            d.n.is_multiple_of(4)
        };
        let p = [
            self.u(d.batch),
            self.u(d.m),
            self.u(d.k),
            self.u(d.n),
            u32::from(d.trans_a),
            u32::from(d.trans_b),
            u32::from(a_vec4),
            u32::from(b_vec4),
            self.u(tiles_m),
            self.u(tiles_n),
        ];
        let groups = (d.batch * tiles_m * tiles_n) as u64;
        self.launch(kernel, &p, &[a.pooled(), b.pooled(), c.pooled()], groups);
        c
    }
}
