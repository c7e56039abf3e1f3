//! Cache-blocked, register-tiled matrix product on the CPU.
//!
//! Both operands are packed into panels (`MR` rows of A, `NR` columns of B, interleaved
//! along k) so the micro-kernel streams contiguous memory; the `MR x NR` accumulator
//! tile is a fixed-width array that vectorises on x86-64 and on wasm32 `simd128`.
//! Every `C[i, j]` is accumulated over k in ascending order starting from zero, exactly
//! like the textbook triple loop, so the blocking changes speed and never bits.

use crate::backend::MatmulDims;

const MR: usize = 4;
const NR: usize = 8;
const KC: usize = 256;
const MC: usize = 64;

/// `c = op(a) @ op(b)` for every batch (see [`MatmulDims`]); `c` is overwritten.
pub fn matmul_into(a: &[f32], b: &[f32], c: &mut [f32], d: MatmulDims) {
    let (m, k, n) = (d.m, d.k, d.n);
    for bi in 0..d.batch {
        let cb = &mut c[bi * m * n..(bi + 1) * m * n];
        cb.fill(0.0);
        if m == 0 || n == 0 || k == 0 {
            continue;
        }
        let ap = pack_a(&a[bi * m * k..(bi + 1) * m * k], m, k, d.trans_a);
        let bp = pack_b(&b[bi * k * n..(bi + 1) * k * n], k, n, d.trans_b);
        let (mb, nb) = (m.div_ceil(MR), n.div_ceil(NR));
        for k0 in (0..k).step_by(KC) {
            let kc = KC.min(k - k0);
            for i0 in (0..mb).step_by(MC / MR) {
                for jb in 0..nb {
                    let bpanel = &bp[(jb * k + k0) * NR..(jb * k + k0 + kc) * NR];
                    for ib in i0..(i0 + MC / MR).min(mb) {
                        let apanel = &ap[(ib * k + k0) * MR..(ib * k + k0 + kc) * MR];
                        micro_kernel(apanel, bpanel, cb, ib * MR, jb * NR, m, n);
                    }
                }
            }
        }
    }
}

/// `[ceil(m/MR)][k][MR]` panels of `op(A)`, zero-padded.
fn pack_a(a: &[f32], m: usize, k: usize, trans: bool) -> Vec<f32> {
    let mb = m.div_ceil(MR);
    let mut p = vec![0.0; mb * k * MR];
    for i in 0..m {
        let (ib, r) = (i / MR, i % MR);
        for kk in 0..k {
            let v = if trans { a[kk * m + i] } else { a[i * k + kk] };
            p[(ib * k + kk) * MR + r] = v;
        }
    }
    p
}

/// `[ceil(n/NR)][k][NR]` panels of `op(B)`, zero-padded.
fn pack_b(b: &[f32], k: usize, n: usize, trans: bool) -> Vec<f32> {
    let nb = n.div_ceil(NR);
    let mut p = vec![0.0; nb * k * NR];
    for kk in 0..k {
        for j in 0..n {
            let v = if trans { b[j * k + kk] } else { b[kk * n + j] };
            p[((j / NR) * k + kk) * NR + j % NR] = v;
        }
    }
    p
}

/// Accumulate one `MR x NR` tile of `C` (rows from `i`, columns from `j`) over a k-block.
#[inline]
fn micro_kernel(ap: &[f32], bp: &[f32], c: &mut [f32], i: usize, j: usize, m: usize, n: usize) {
    let rows = MR.min(m - i);
    let cols = NR.min(n - j);
    let mut acc = [[0.0f32; NR]; MR];
    for r in 0..rows {
        acc[r][..cols].copy_from_slice(&c[(i + r) * n + j..(i + r) * n + j + cols]);
    }
    let acc = accumulate_tile(acc, ap, bp);
    for r in 0..rows {
        c[(i + r) * n + j..(i + r) * n + j + cols].copy_from_slice(&acc[r][..cols]);
    }
}

/// `acc[r][c] += sum_k a[k][r] * b[k][c]`, k ascending. A separate function taking the
/// tile by value, so the tile lives in vector registers (a tile touched with variable
/// indices stays in memory and the loop is not vectorised).
#[inline(never)]
fn accumulate_tile(mut acc: [[f32; NR]; MR], ap: &[f32], bp: &[f32]) -> [[f32; NR]; MR] {
    for (av, bv) in ap.chunks_exact(MR).zip(bp.chunks_exact(NR)) {
        let av: &[f32; MR] = av.try_into().expect("panel height");
        let bv: &[f32; NR] = bv.try_into().expect("panel width");
        for (row, &ar) in acc.iter_mut().zip(av) {
            for (c, &b) in row.iter_mut().zip(bv) {
                *c += ar * b;
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn blocked_matmul_is_bit_identical_to_the_triple_loop() {
        let mut rng = Rng::new(11);
        for &(batch, m, k, n) in &[
            (1, 1, 1, 1),
            (2, 5, 7, 3),
            (1, 17, 33, 65),
            (3, 9, 300, 10),
            (1, 70, 2, 130),
        ] {
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
                let mut c = vec![0.0; batch * m * n];
                matmul_into(&a, &b, &mut c, d);
                assert_eq!(c, naive(&a, &b, d), "dims {d:?}");
            }
        }
    }
}
