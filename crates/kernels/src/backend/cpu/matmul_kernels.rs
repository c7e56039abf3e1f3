//! The matmul micro-kernels: one generic tile loop compiled for several tile sizes and
//! instruction sets. Each accumulates `acc[r][c] += a[k][r] * b[k][c]` with k ascending
//! and a separate multiply and add (Rust never contracts them into a fused multiply-add),
//! so every kernel gives the same bits; a wider one only does more of them at once.

use super::matmul::Tile;

/// A micro-kernel and its tile: `mr` rows of A by `nr` columns of B.
#[derive(Clone, Copy)]
pub struct Kernel {
    /// For test messages and benchmarks: `base 4x8`, `avx2 6x16`.
    pub name: &'static str,
    /// Tile height (rows of A per panel).
    pub mr: usize,
    /// Tile width (columns of B per panel).
    pub nr: usize,
    /// Accumulate one tile of `C` (row length `n`) over a k-block of packed panels.
    pub run: fn(&[f32], &[f32], &mut [f32], usize, Tile),
}

const BASE: Kernel = Kernel {
    name: "base 4x8",
    mr: 4,
    nr: 8,
    run: run_base,
};

/// The kernel for a product with `n` output columns: the baseline when `n` fits one of
/// its tiles (a wider tile would only multiply padding), else `GRADLAB_MATMUL_KERNEL`
/// (`base`, `lanes`, `avx2`, `avx512`, `simd128`: a prefix of a kernel's name) when set to
/// one this CPU runs (benchmarks compare them; on wasm32, where there is no environment,
/// [`choose_kernel`] sets it), else the preferred one: natively AVX-512 or AVX2 when the
/// CPU has it, else the baseline (on wasm32 too: see `preferred`). A product of at most
/// 16 columns takes the AVX2 tile when the chosen one is wider.
pub fn kernel(n: usize) -> Kernel {
    if n <= BASE.nr {
        return BASE;
    }
    let wide = widest();
    #[cfg(target_arch = "x86_64")]
    {
        if n <= x86::AVX2.nr
            && wide.nr > x86::AVX2.nr
            && std::arch::is_x86_feature_detected!("avx2")
        {
            return x86::AVX2;
        }
    }
    wide
}

/// The kernel chosen for this process (see [`kernel`]), fixed at its first use.
static CHOSEN: std::sync::OnceLock<Kernel> = std::sync::OnceLock::new();

fn widest() -> Kernel {
    *CHOSEN.get_or_init(|| {
        // No environment on wasm32: the variable reads as unset there.
        let asked = std::env::var("GRADLAB_MATMUL_KERNEL").unwrap_or_default();
        named(&asked).unwrap_or_else(preferred)
    })
}

/// The default wide kernel: AVX-512's 8x32 tile, else AVX2's 6x16, when the CPU has it,
/// else the baseline. On wasm32 the
/// baseline too: with `+simd128` LLVM vectorises its 4x8 tile by itself, and in Chromium
/// 156 (bench/web `--before`, alternating rounds, 2026-12-01) the hand-written `simd128`
/// 4x8 tile ran at its speed within the noise of a shared machine (0.84-0.95x of it in
/// one run, 1.02-1.05x in another; the 6x8 tile no faster), with the same bits. The
/// `simd128` tiles stay selectable ([`choose_kernel`]) and tested.
fn preferred() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return x86::AVX512_8X32;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return x86::AVX2;
        }
    }
    BASE
}

/// The first kernel this CPU runs whose name starts with `prefix` (none for "").
fn named(prefix: &str) -> Option<Kernel> {
    let prefix = prefix.trim();
    all_kernels()
        .into_iter()
        .find(|k| !prefix.is_empty() && k.name.starts_with(prefix))
}

/// Fix the wide kernel for this process to the first one named `prefix...` (benchmarks
/// compare kernels in the browser, where `GRADLAB_MATMUL_KERNEL` cannot be set). Returns
/// the kernel's name, or `None` when no kernel has that name or a product already ran
/// with another one (the choice is made once, so results never mix kernels).
pub fn choose_kernel(prefix: &str) -> Option<&'static str> {
    let want = named(prefix)?;
    let got = *CHOSEN.get_or_init(|| want);
    (got.name == want.name).then_some(got.name)
}

/// Every kernel this CPU can run, for the tests that check they agree bit for bit:
/// the baseline, the 4-lane tiles (portable lanes everywhere, `simd128` lanes on wasm32),
/// then AVX2 when the CPU has it.
pub fn all_kernels() -> Vec<Kernel> {
    #[allow(unused_mut)]
    let mut all = vec![BASE, lanes::PORTABLE_4X8, lanes::PORTABLE_6X8];
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        all.push(lanes::SIMD128_4X8);
        all.push(lanes::SIMD128_6X8);
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            all.push(x86::AVX2);
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            all.push(x86::AVX512_8X32);
        }
    }
    all
}

/// Load the tile's part of `C`, accumulate it with `acc_fn`, store it back.
#[inline(always)]
fn run_tile<const MR: usize, const NR: usize>(
    ap: &[f32],
    bp: &[f32],
    c: &mut [f32],
    n: usize,
    t: Tile,
    acc_fn: impl FnOnce(&mut [[f32; NR]; MR], &[f32], &[f32]),
) {
    let mut acc = [[0.0f32; NR]; MR];
    // A whole tile's rows move at their fixed length, a few vector moves; a variable
    // length is a call to `memcpy` per row (5-7% of a small transformer's step).
    let full = t.rows == MR && t.cols == NR;
    for (r, row) in acc.iter_mut().enumerate().take(t.rows) {
        let at = (t.i + r) * n + t.j;
        if full {
            *row = c[at..at + NR].try_into().expect("a whole tile row");
        } else {
            row[..t.cols].copy_from_slice(&c[at..at + t.cols]);
        }
    }
    acc_fn(&mut acc, ap, bp);
    for (r, row) in acc.iter().enumerate().take(t.rows) {
        let at = (t.i + r) * n + t.j;
        if full {
            c[at..at + NR].copy_from_slice(row);
        } else {
            c[at..at + t.cols].copy_from_slice(&row[..t.cols]);
        }
    }
}

/// `acc[r][c] += sum_k a[k][r] * b[k][c]`, k ascending. Called from functions that take
/// the tile by value and are not inlined, so the tile lives in vector registers (a tile
/// touched with variable indices stays in memory and the loop is not vectorised).
#[inline(always)]
fn accumulate<const MR: usize, const NR: usize>(
    mut acc: [[f32; NR]; MR],
    ap: &[f32],
    bp: &[f32],
) -> [[f32; NR]; MR] {
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

#[inline(never)]
fn acc_base(acc: [[f32; 8]; 4], ap: &[f32], bp: &[f32]) -> [[f32; 8]; 4] {
    accumulate(acc, ap, bp)
}

fn run_base(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
    run_tile::<4, 8>(ap, bp, c, n, t, |acc, a, b| *acc = acc_base(*acc, a, b));
}

/// The 4-lane tiles of [`super::matmul_lanes`]: `MR x 8`, two vectors per row.
mod lanes {
    use super::super::matmul_lanes::{accumulate_x8, Portable};
    use super::{run_tile, Kernel, Tile};

    pub const PORTABLE_4X8: Kernel = Kernel {
        name: "lanes 4x8",
        mr: 4,
        nr: 8,
        run: run_portable_4x8,
    };

    pub const PORTABLE_6X8: Kernel = Kernel {
        name: "lanes 6x8",
        mr: 6,
        nr: 8,
        run: run_portable_6x8,
    };

    #[inline(never)]
    fn acc_portable_4x8(acc: [[f32; 8]; 4], ap: &[f32], bp: &[f32]) -> [[f32; 8]; 4] {
        accumulate_x8::<Portable, 4>(acc, ap, bp)
    }

    #[inline(never)]
    fn acc_portable_6x8(acc: [[f32; 8]; 6], ap: &[f32], bp: &[f32]) -> [[f32; 8]; 6] {
        accumulate_x8::<Portable, 6>(acc, ap, bp)
    }

    fn run_portable_4x8(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
        run_tile::<4, 8>(ap, bp, c, n, t, |acc, a, b| {
            *acc = acc_portable_4x8(*acc, a, b)
        });
    }

    fn run_portable_6x8(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
        run_tile::<6, 8>(ap, bp, c, n, t, |acc, a, b| {
            *acc = acc_portable_6x8(*acc, a, b)
        });
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use simd::{SIMD128_4X8, SIMD128_6X8};

    /// The same tiles in wasm `v128` registers.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    mod simd {
        use super::super::super::matmul_lanes::{accumulate_x8, Simd128};
        use super::super::{run_tile, Kernel, Tile};

        pub const SIMD128_4X8: Kernel = Kernel {
            name: "simd128 4x8",
            mr: 4,
            nr: 8,
            run: run_4x8,
        };

        pub const SIMD128_6X8: Kernel = Kernel {
            name: "simd128 6x8",
            mr: 6,
            nr: 8,
            run: run_6x8,
        };

        #[inline(never)]
        fn acc_4x8(acc: [[f32; 8]; 4], ap: &[f32], bp: &[f32]) -> [[f32; 8]; 4] {
            accumulate_x8::<Simd128, 4>(acc, ap, bp)
        }

        #[inline(never)]
        fn acc_6x8(acc: [[f32; 8]; 6], ap: &[f32], bp: &[f32]) -> [[f32; 8]; 6] {
            accumulate_x8::<Simd128, 6>(acc, ap, bp)
        }

        fn run_4x8(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
            run_tile::<4, 8>(ap, bp, c, n, t, |acc, a, b| *acc = acc_4x8(*acc, a, b));
        }

        fn run_6x8(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
            run_tile::<6, 8>(ap, bp, c, n, t, |acc, a, b| *acc = acc_6x8(*acc, a, b));
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    #[allow(unused_imports)]
    use super::accumulate;
    use super::{run_tile, Kernel, Tile};

    pub const AVX2: Kernel = Kernel {
        name: "avx2 6x16",
        mr: 6,
        nr: 16,
        run: run_avx2,
    };

    /// The 6x16 tile in twelve 8-lane registers, written with intrinsics so it is
    /// vectorised at every optimisation level (the generic loop is scalar at the test
    /// profile's opt-level 2). A multiply then an add, never a fused multiply-add, so
    /// every lane rounds exactly as [`accumulate`] does.
    #[target_feature(enable = "avx2")]
    #[inline(never)]
    fn acc_avx2(acc: &mut [[f32; 16]; 6], ap: &[f32], bp: &[f32]) {
        use std::arch::x86_64::{
            __m256, _mm256_add_ps, _mm256_loadu_ps, _mm256_mul_ps, _mm256_set1_ps, _mm256_storeu_ps,
        };
        let steps = (ap.len() / 6).min(bp.len() / 16);
        let (ap, bp) = (&ap[..steps * 6], &bp[..steps * 16]);
        // SAFETY: every load and store below reads or writes 8 floats inside `acc`'s
        // rows or inside `bp`'s 16-float chunks, whose lengths are checked above.
        unsafe {
            let mut c: [[__m256; 2]; 6] = [[_mm256_set1_ps(0.0); 2]; 6];
            for (r, row) in acc.iter().enumerate() {
                c[r][0] = _mm256_loadu_ps(row.as_ptr());
                c[r][1] = _mm256_loadu_ps(row.as_ptr().add(8));
            }
            for (av, bv) in ap.chunks_exact(6).zip(bp.chunks_exact(16)) {
                let b0 = _mm256_loadu_ps(bv.as_ptr());
                let b1 = _mm256_loadu_ps(bv.as_ptr().add(8));
                for (r, &a) in av.iter().enumerate() {
                    let a = _mm256_set1_ps(a);
                    c[r][0] = _mm256_add_ps(c[r][0], _mm256_mul_ps(a, b0));
                    c[r][1] = _mm256_add_ps(c[r][1], _mm256_mul_ps(a, b1));
                }
            }
            for (r, row) in acc.iter_mut().enumerate() {
                _mm256_storeu_ps(row.as_mut_ptr(), c[r][0]);
                _mm256_storeu_ps(row.as_mut_ptr().add(8), c[r][1]);
            }
        }
    }

    fn run_avx2(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
        // SAFETY: `AVX2` is handed out only after `is_x86_feature_detected!("avx2")`.
        run_tile::<6, 16>(ap, bp, c, n, t, |acc, a, b| unsafe { acc_avx2(acc, a, b) });
    }

    /// Measured against [`AVX2`] on one thread (`GRADLAB_MATMUL_KERNEL`, 5 alternating
    /// rounds, 2026-12-02): matmul 1.27x at n = 256 and 1.13x at 1024, the big MLP 1.44x,
    /// the small GPT 1.23x, the CNN 1.00x; a 6x32 tile ran slower than 8x32 on every job.
    pub const AVX512_8X32: Kernel = Kernel {
        name: "avx512 8x32",
        mr: 8,
        nr: 32,
        run: run_avx512_8x32,
    };

    /// An `MR x 32` tile in `2 * MR` 16-lane registers, as [`acc_avx2`] with twice the
    /// lanes: a multiply then an add, never a fused multiply-add.
    #[target_feature(enable = "avx512f")]
    #[inline(never)]
    fn acc_avx512<const MR: usize>(acc: &mut [[f32; 32]; MR], ap: &[f32], bp: &[f32]) {
        use std::arch::x86_64::{
            __m512, _mm512_add_ps, _mm512_loadu_ps, _mm512_mul_ps, _mm512_set1_ps, _mm512_storeu_ps,
        };
        let steps = (ap.len() / MR).min(bp.len() / 32);
        let (ap, bp) = (&ap[..steps * MR], &bp[..steps * 32]);
        // SAFETY: every load and store below reads or writes 16 floats inside `acc`'s
        // rows or inside `bp`'s 32-float chunks, whose lengths are checked above.
        unsafe {
            let mut c: [[__m512; 2]; MR] = [[_mm512_set1_ps(0.0); 2]; MR];
            for (r, row) in acc.iter().enumerate() {
                c[r][0] = _mm512_loadu_ps(row.as_ptr());
                c[r][1] = _mm512_loadu_ps(row.as_ptr().add(16));
            }
            for (av, bv) in ap.chunks_exact(MR).zip(bp.chunks_exact(32)) {
                let b0 = _mm512_loadu_ps(bv.as_ptr());
                let b1 = _mm512_loadu_ps(bv.as_ptr().add(16));
                for (r, &a) in av.iter().enumerate() {
                    let a = _mm512_set1_ps(a);
                    c[r][0] = _mm512_add_ps(c[r][0], _mm512_mul_ps(a, b0));
                    c[r][1] = _mm512_add_ps(c[r][1], _mm512_mul_ps(a, b1));
                }
            }
            for (r, row) in acc.iter_mut().enumerate() {
                _mm512_storeu_ps(row.as_mut_ptr(), c[r][0]);
                _mm512_storeu_ps(row.as_mut_ptr().add(16), c[r][1]);
            }
        }
    }

    fn run_avx512_8x32(ap: &[f32], bp: &[f32], c: &mut [f32], n: usize, t: Tile) {
        // SAFETY: handed out only after `is_x86_feature_detected!("avx512f")`.
        run_tile::<8, 32>(ap, bp, c, n, t, |acc, a, b| unsafe {
            acc_avx512::<8>(acc, a, b)
        });
    }
}
