//! Cache-blocked, register-tiled matrix product on the CPU.
//!
//! Both operands are packed into panels (`MR` rows of A, `NR` columns of B, interleaved
//! along k) so the micro-kernel streams contiguous memory; the `MR x NR` accumulator
//! tile is a fixed-width array that the compiler keeps in vector registers.
//! Every `C[i, j]` is accumulated over k in ascending order starting from zero, with a
//! separate multiply and add (never a fused multiply-add), exactly like the textbook
//! triple loop. So the tile size, the instruction set ([`kernel`]: AVX-512, AVX2 or the baseline,
//! chosen at run time) and the number of threads ([`threads`]: natively,
//! large products split their rows over the cores, a batch of small products its
//! products) change speed and never bits.

use super::matmul_kernels::{kernel, Kernel};
use crate::backend::MatmulDims;

const KC: usize = 256;
const MC: usize = 64;

/// `c = op(a) @ op(b)` for every batch (see [`MatmulDims`]); `c` is overwritten.
pub fn matmul_into(a: &[f32], b: &[f32], c: &mut [f32], d: MatmulDims) {
    c[..d.batch * d.m * d.n].fill(0.0);
    matmul_into_zeroed(a, b, c, d);
}

/// [`matmul_into`] for a `c` already all zeros (a fresh `vec![0.0; len]`), which the
/// tiles accumulate into. One packing buffer for `op(B)` serves every batch of a thread.
/// A batch of products each too small to split its rows (a convolution's per-image
/// products) splits its batches over the threads instead, in contiguous runs; either
/// way every element of `C` is accumulated by one thread in the same order.
pub(super) fn matmul_into_zeroed(a: &[f32], b: &[f32], c: &mut [f32], d: MatmulDims) {
    let (m, k, n) = (d.m, d.k, d.n);
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let kern = kernel(n);
    let c = &mut c[..d.batch * m * n];
    let threads = super::matmul_threads::batch_threads(d.batch, m, n, k, kern.mr);
    batches_on_threads(a, b, c, d, kern, threads);
}

/// Every batch's product, the batches cut into `threads` contiguous runs, each on a
/// thread of its own (the first on the calling thread).
fn batches_on_threads(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    d: MatmulDims,
    kern: Kernel,
    threads: usize,
) {
    if threads <= 1 {
        batches(a, b, c, d, 0..d.batch, kern);
        return;
    }
    let runs = super::matmul_threads::row_blocks(c, d.batch, d.m * d.n, 1, threads);
    super::matmul_threads::on_threads(runs, |run, c_run| batches(a, b, c_run, d, run, kern));
}

/// The products of batches `run`, written into `c` (exactly their rows of `C`), each
/// product's rows split over threads when it is large enough.
fn batches(
    a: &[f32],
    b: &[f32],
    c: &mut [f32],
    d: MatmulDims,
    run: std::ops::Range<usize>,
    kern: Kernel,
) {
    each_batch((a, b, c), d, run, kern, |work, cb| {
        super::matmul_threads::for_row_blocks(cb, d.m, d.n, d.k, kern.mr, |rows, c_rows| {
            work.rows(rows, c_rows)
        })
    });
}

/// Calls `f(operands, c of the batch)` for each batch of `run` in turn, `op(B)` packed
/// into one buffer reused by every batch (`c` holds exactly the run's rows of `C`).
fn each_batch(
    (a, b, c): (&[f32], &[f32], &mut [f32]),
    d: MatmulDims,
    run: std::ops::Range<usize>,
    kern: Kernel,
    mut f: impl FnMut(&Panels, &mut [f32]),
) {
    let (m, k, n) = (d.m, d.k, d.n);
    let mut bp = Vec::new();
    for (i, bi) in run.enumerate() {
        pack_b(
            &b[bi * k * n..(bi + 1) * k * n],
            (k, n),
            d.trans_b,
            kern.nr,
            &mut bp,
        );
        let work = Panels {
            a: &a[bi * m * k..(bi + 1) * m * k],
            trans_a: d.trans_a,
            bp: &bp,
            m,
            k,
            n,
            kern,
        };
        f(&work, &mut c[i * m * n..(i + 1) * m * n]);
    }
}

/// One batch's operands: `op(A)` unpacked (each row block packs its own rows) and
/// `op(B)` packed once for every row block.
struct Panels<'a> {
    a: &'a [f32],
    trans_a: bool,
    bp: &'a [f32],
    m: usize,
    k: usize,
    n: usize,
    kern: Kernel,
}

impl Panels<'_> {
    /// Rows `rows` of `C` (a multiple of the tile height from the start), written into
    /// `c`, which holds exactly those rows.
    fn rows(&self, rows: std::ops::Range<usize>, c: &mut [f32]) {
        let (k, n, kern) = (self.k, self.n, self.kern);
        let (mr, nr) = (kern.mr, kern.nr);
        let m = rows.len();
        let ap = pack_a(self.a, self.m, k, self.trans_a, rows, mr);
        let (mb, nb) = (m.div_ceil(mr), n.div_ceil(nr));
        let block = (MC / mr).max(1);
        for k0 in (0..k).step_by(KC) {
            let kc = KC.min(k - k0);
            for i0 in (0..mb).step_by(block) {
                for jb in 0..nb {
                    let bpanel = &self.bp[(jb * k + k0) * nr..(jb * k + k0 + kc) * nr];
                    for ib in i0..(i0 + block).min(mb) {
                        let apanel = &ap[(ib * k + k0) * mr..(ib * k + k0 + kc) * mr];
                        let tile = Tile {
                            i: ib * mr,
                            j: jb * nr,
                            rows: mr.min(m - ib * mr),
                            cols: nr.min(n - jb * nr),
                        };
                        (kern.run)(apanel, bpanel, c, n, tile);
                    }
                }
            }
        }
    }
}

/// Where one accumulator tile sits in `C` and how much of it is real (edge tiles are
/// zero-padded in the panels and cut when written back).
#[derive(Clone, Copy, Debug)]
pub struct Tile {
    /// First row.
    pub i: usize,
    /// First column.
    pub j: usize,
    /// Rows of `C` covered.
    pub rows: usize,
    /// Columns of `C` covered.
    pub cols: usize,
}

/// `[ceil(rows/mr)][k][mr]` panels of the rows `rows` of `op(A)`, zero-padded. Each
/// loop walks its source contiguously (a row of `A`, or a row of `A^T` a panel wide).
fn pack_a(
    a: &[f32],
    m: usize,
    k: usize,
    trans: bool,
    rows: std::ops::Range<usize>,
    mr: usize,
) -> Vec<f32> {
    let mb = rows.len().div_ceil(mr);
    let mut p = vec![0.0; mb * k * mr];
    for (ib, panel) in p.chunks_exact_mut(k * mr).enumerate() {
        let i0 = rows.start + ib * mr;
        let height = mr.min(rows.end - i0);
        if trans {
            for (kk, dst) in panel.chunks_exact_mut(mr).enumerate() {
                copy_short(&mut dst[..height], &a[kk * m + i0..kk * m + i0 + height]);
            }
        } else {
            transpose_rows(&a[i0 * k..], k, height, panel, mr);
        }
    }
    p
}

/// `dst.copy_from_slice(src)` for one k-row of a panel: at the tiles' widths a copy of
/// fixed length, a few vector moves, instead of a call to `memcpy` per row (which took
/// 3-5% of a small transformer's step).
#[inline(always)]
fn copy_short(dst: &mut [f32], src: &[f32]) {
    fn fixed<const N: usize>(dst: &mut [f32], src: &[f32]) {
        let d: &mut [f32; N] = dst.try_into().expect("panel row");
        *d = src.try_into().expect("panel row");
    }
    match dst.len() {
        4 => fixed::<4>(dst, src),
        6 => fixed::<6>(dst, src),
        8 => fixed::<8>(dst, src),
        16 => fixed::<16>(dst, src),
        // Two halves: a 128-byte copy is a call to `memcpy` again.
        32 => {
            fixed::<16>(&mut dst[..16], &src[..16]);
            fixed::<16>(&mut dst[16..], &src[16..]);
        }
        _ => dst.copy_from_slice(src),
    }
}

/// `[ceil(n/nr)][k][nr]` panels of `op(B)`, zero-padded, into `p` (its old contents
/// replaced), each loop walking its source contiguously as [`pack_a`] does.
fn pack_b(b: &[f32], (k, n): (usize, usize), trans: bool, nr: usize, p: &mut Vec<f32>) {
    let nb = n.div_ceil(nr);
    p.clear();
    p.resize(nb * k * nr, 0.0);
    for (jb, panel) in p.chunks_exact_mut(k * nr).enumerate() {
        let j0 = jb * nr;
        let width = nr.min(n - j0);
        if trans {
            transpose_rows(&b[j0 * k..], k, width, panel, nr);
        } else {
            for (kk, dst) in panel.chunks_exact_mut(nr).enumerate() {
                copy_short(&mut dst[..width], &b[kk * n + j0..kk * n + j0 + width]);
            }
        }
    }
}

/// The first `rows` rows of `src` (each `k` long) as the columns of a packed panel whose
/// k-rows are `stride` apart: `panel[kk * stride + c] = src[c * k + kk]`. Squares of 4
/// rows by 4 k are transposed whole (an element at a time, the strided writes took 10% of
/// a small CNN's step), the ragged edges element by element.
fn transpose_rows(src: &[f32], k: usize, rows: usize, panel: &mut [f32], stride: usize) {
    let (cols, ks) = (rows / 4 * 4, k / 4 * 4);
    for c0 in (0..cols).step_by(4) {
        for k0 in (0..ks).step_by(4) {
            transpose_4x4(
                &src[c0 * k + k0..],
                k,
                &mut panel[k0 * stride + c0..],
                stride,
            );
        }
    }
    scatter_columns(src, k, panel, stride, (cols..rows, 0..k));
    scatter_columns(src, k, panel, stride, (0..cols, ks..k));
}

/// `dst[r * dst_row + c] = src[c * src_row + r]` for a 4 x 4 square: natively four
/// 4-lane rows read, transposed in registers (SSE, always on x86_64) and written.
#[inline(always)]
fn transpose_4x4(src: &[f32], src_row: usize, dst: &mut [f32], dst_row: usize) {
    let (src, dst) = (&src[..3 * src_row + 4], &mut dst[..3 * dst_row + 4]);
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{
            _mm_loadu_ps, _mm_movehl_ps, _mm_movelh_ps, _mm_storeu_ps, _mm_unpackhi_ps,
            _mm_unpacklo_ps,
        };
        // SAFETY: each load reads 4 floats at row starts `c * src_row` (c < 4) of `src`
        // and each store writes 4 at `r * dst_row` (r < 4) of `dst`, inside the lengths
        // cut above; SSE is part of x86_64.
        unsafe {
            let (s, d) = (src.as_ptr(), dst.as_mut_ptr());
            let r0 = _mm_loadu_ps(s);
            let r1 = _mm_loadu_ps(s.add(src_row));
            let r2 = _mm_loadu_ps(s.add(2 * src_row));
            let r3 = _mm_loadu_ps(s.add(3 * src_row));
            let (lo01, lo23) = (_mm_unpacklo_ps(r0, r1), _mm_unpacklo_ps(r2, r3));
            let (hi01, hi23) = (_mm_unpackhi_ps(r0, r1), _mm_unpackhi_ps(r2, r3));
            _mm_storeu_ps(d, _mm_movelh_ps(lo01, lo23));
            _mm_storeu_ps(d.add(dst_row), _mm_movehl_ps(lo23, lo01));
            _mm_storeu_ps(d.add(2 * dst_row), _mm_movelh_ps(hi01, hi23));
            _mm_storeu_ps(d.add(3 * dst_row), _mm_movehl_ps(hi23, hi01));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for r in 0..4 {
        for c in 0..4 {
            dst[r * dst_row + c] = src[c * src_row + r];
        }
    }
}

/// The packed panel's columns `cols` over k `ks`, element by element: column `c` is row
/// `c` of `src` (row length `k`), written `nr` apart.
fn scatter_columns(
    src: &[f32],
    k: usize,
    panel: &mut [f32],
    nr: usize,
    (cols, ks): (std::ops::Range<usize>, std::ops::Range<usize>),
) {
    if ks.is_empty() {
        return;
    }
    for c in cols {
        let row = &src[c * k + ks.start..c * k + ks.end];
        for (dst, &v) in panel[ks.start * nr..].chunks_exact_mut(nr).zip(row) {
            dst[c] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::matmul_kernels::all_kernels;
    use super::*;
    use crate::rng::Rng;

    /// The textbook triple loop, k ascending from zero.
    fn naive(a: &[f32], b: &[f32], d: MatmulDims) -> Vec<f32> {
        let (m, k, n) = (d.m, d.k, d.n);
        let mut c = vec![0.0; d.batch * m * n];
        for bi in 0..d.batch {
            for i in 0..m {
                for j in 0..n {
                    let mut acc = 0.0f32;
                    for kk in 0..k {
                        let av = if d.trans_a {
                            a[bi * m * k + kk * m + i]
                        } else {
                            a[bi * m * k + i * k + kk]
                        };
                        let bv = if d.trans_b {
                            b[bi * k * n + j * k + kk]
                        } else {
                            b[bi * k * n + kk * n + j]
                        };
                        acc += av * bv;
                    }
                    c[bi * m * n + i * n + j] = acc;
                }
            }
        }
        c
    }

    /// Every kernel this machine can run, on one thread, on row blocks split over
    /// threads and on batches split over threads, gives the triple loop's bits.
    #[test]
    fn blocked_matmul_is_bit_identical_to_the_triple_loop() {
        let mut rng = Rng::new(11);
        let shapes = [
            (1, 1, 1, 1),
            (2, 5, 7, 3),
            (1, 17, 33, 65),
            (3, 9, 300, 10),
            (7, 6, 25, 50),
            (1, 70, 2, 130),
            (1, 203, 129, 75),
        ];
        for &(batch, m, k, n) in &shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let d = MatmulDims {
                    batch,
                    m,
                    k,
                    n,
                    trans_a: ta,
                    trans_b: tb,
                };
                let a: Vec<f32> = (0..batch * m * k).map(|_| rng.normal()).collect();
                let b: Vec<f32> = (0..batch * k * n).map(|_| rng.normal()).collect();
                let want = naive(&a, &b, d);
                for kern in all_kernels() {
                    for blocks in [1, 2, 3] {
                        let mut c = vec![0.0; batch * m * n];
                        with_kernel(&a, &b, &mut c, d, kern, blocks);
                        assert_eq!(c, want, "dims {d:?}, kernel {}, {blocks} blocks", kern.name);
                    }
                }
                let mut c = vec![0.0; batch * m * n];
                matmul_into(&a, &b, &mut c, d);
                assert_eq!(c, want, "dims {d:?}, default path");
                for threads in [2, 3] {
                    let mut c = vec![0.0; batch * m * n];
                    batches_on_threads(&a, &b, &mut c, d, kernel(n), threads);
                    assert_eq!(c, want, "dims {d:?}, batches on {threads} threads");
                }
            }
        }
    }

    /// `matmul_into` with a given kernel and the rows cut into `blocks` row blocks run
    /// one after another (the cut the threads would make).
    fn with_kernel(
        a: &[f32],
        b: &[f32],
        c: &mut [f32],
        d: MatmulDims,
        kern: Kernel,
        blocks: usize,
    ) {
        each_batch((a, b, c), d, 0..d.batch, kern, |work, cb| {
            for (rows, c_rows) in
                super::super::matmul_threads::row_blocks(cb, d.m, d.n, kern.mr, blocks)
            {
                work.rows(rows, c_rows);
            }
        });
    }
}
