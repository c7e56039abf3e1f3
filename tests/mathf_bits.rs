//! `gradlab::mathf` returns exactly `libm`'s bits, on every instruction set this
//! processor has (`Isa`): inputs go through each compiled width of the slice functions
//! and through the `libm` scalar function, and the bits must be equal.
//!
//! All 2^32 inputs, three functions and three widths take minutes, so the default
//! tests check (both signs each time):
//! - exhaustively, every f32 in the ranges where the code paths differ: for tanh
//!   |x| in [1/16, 10] (every argument reduction: k = 0, -1, 1, 2..22, 23..29, and all
//!   four branches of tanhf), for expm1 and exp |x| in [1/8, 104] (every reduction,
//!   `scalbnf`'s prescales, overflow, underflow, the saturation to -1), and the binade
//!   on each side of each small-argument cut-off (2^-25 for expm1 and the tanh argument
//!   2x, 2^-14 for exp);
//! - every 1009th bit pattern of the whole space (the tiny and huge ranges, whose code
//!   path is one formula for all of them; NaNs of many payloads, infinities,
//!   subnormals, zeros).
//!
//! `every_f32_on_every_isa` (ignored: `cargo test --test mathf_bits -- --ignored`) runs
//! all 2^32 inputs.

use gradlab::mathf::{self, Isa};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Inputs per block: one slice call each.
const BLOCK: u64 = 1 << 16;

/// Bit patterns `first, first + stride, ...`, `count` of them.
#[derive(Clone, Copy)]
struct Patterns {
    first: u64,
    stride: u64,
    count: u64,
}

/// Every pattern whose magnitude bits lie in `lo..=hi`, with either sign.
fn both_signs(lo: u32, hi: u32) -> [Patterns; 2] {
    let count = (hi - lo) as u64 + 1;
    [0, 0x8000_0000u64].map(|sign| Patterns {
        first: sign | lo as u64,
        stride: 1,
        count,
    })
}

/// Every `stride`-th pattern of the whole space.
fn sampled(stride: u64) -> Patterns {
    Patterns {
        first: 0,
        stride,
        count: (1u64 << 32).div_ceil(stride),
    }
}

/// Every pattern.
fn everything() -> Patterns {
    sampled(1)
}

type SliceOn = fn(Isa, &[f32], &mut [f32]);

/// Counts the inputs of `sets` where some supported `Isa` differs from `reference`,
/// and describes the first few.
fn mismatches(
    sets: &[Patterns],
    slice_on: SliceOn,
    reference: fn(f32) -> f32,
) -> (u64, Vec<String>) {
    let isas: Vec<Isa> = Isa::ALL.into_iter().filter(|i| i.is_supported()).collect();
    let blocks: Vec<Patterns> = sets
        .iter()
        .flat_map(|s| {
            (0..s.count.div_ceil(BLOCK)).map(move |b| Patterns {
                first: s.first + b * BLOCK * s.stride,
                stride: s.stride,
                count: BLOCK.min(s.count - b * BLOCK),
            })
        })
        .collect();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let results: Vec<(u64, Vec<String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let (mut count, mut first) = (0u64, Vec::new());
                    let (mut src, mut want, mut got) = (Vec::new(), Vec::new(), Vec::new());
                    while let Some(b) = blocks.get(next.fetch_add(1, Ordering::Relaxed)) {
                        src.clear();
                        src.extend((0..b.count).map(|i| f32::from_bits((b.first + i * b.stride) as u32)));
                        want.clear();
                        want.extend(src.iter().map(|&x| reference(x)));
                        got.resize(src.len(), 0.0);
                        for &isa in &isas {
                            slice_on(isa, &src, &mut got);
                            for ((&x, &w), &y) in src.iter().zip(&want).zip(&got) {
                                if w.to_bits() != y.to_bits() {
                                    count += 1;
                                    if first.len() < 8 {
                                        first.push(format!(
                                            "{isa:?} x = {x:e} ({:#010x}): libm {w:e} ({:#010x}), got {y:e} ({:#010x})",
                                            x.to_bits(),
                                            w.to_bits(),
                                            y.to_bits()
                                        ));
                                    }
                                }
                            }
                        }
                    }
                    (count, first)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect()
    });
    let count = results.iter().map(|(c, _)| c).sum();
    let first = results.into_iter().flat_map(|(_, f)| f).take(8).collect();
    (count, first)
}

fn assert_bit_exact(name: &str, sets: &[Patterns], slice_on: SliceOn, reference: fn(f32) -> f32) {
    let (count, first) = mismatches(sets, slice_on, reference);
    assert_eq!(
        count, 0,
        "{name}: {count} inputs differ from libm, first: {first:#?}"
    );
}

#[test]
fn tanh_slice_matches_libm_tanhf_bit_for_bit() {
    let [a, b] = both_signs(0x3d80_0000, 0x4120_0100); // 1/16 ..= just above 10
    let [c, d] = both_signs(0x3280_0000, 0x337f_ffff); // 2^-26 ..< 2^-24
    assert_bit_exact(
        "tanh",
        &[a, b, c, d, sampled(1009)],
        mathf::tanh_slice_on,
        libm::tanhf,
    );
}

#[test]
fn expm1_slice_matches_libm_expm1f_bit_for_bit() {
    let [a, b] = both_signs(0x3e00_0000, 0x42b2_0000); // 1/8 ..= just above 89
    let [c, d] = both_signs(0x3280_0000, 0x337f_ffff); // 2^-26 ..< 2^-24
    assert_bit_exact(
        "expm1",
        &[a, b, c, d, sampled(1009)],
        mathf::expm1_slice_on,
        libm::expm1f,
    );
}

#[test]
fn exp_slice_matches_libm_expf_bit_for_bit() {
    let [a, b] = both_signs(0x3e00_0000, 0x42d0_0000); // 1/8 ..= 104
    let [c, d] = both_signs(0x3880_0000, 0x397f_ffff); // 2^-14 ..< 2^-12
    assert_bit_exact(
        "exp",
        &[a, b, c, d, sampled(1009)],
        mathf::exp_slice_on,
        libm::expf,
    );
}

#[test]
#[ignore = "all 2^32 inputs: minutes"]
fn every_f32_on_every_isa() {
    assert_bit_exact("tanh", &[everything()], mathf::tanh_slice_on, libm::tanhf);
    assert_bit_exact(
        "expm1",
        &[everything()],
        mathf::expm1_slice_on,
        libm::expm1f,
    );
    assert_bit_exact("exp", &[everything()], mathf::exp_slice_on, libm::expf);
}

#[test]
fn in_place_and_shifted_forms_match_libm_on_every_isa() {
    // A stride coprime to 2^32 reaches every sign, exponent and many payloads.
    let src: Vec<f32> = (0..1u32 << 18)
        .map(|i| f32::from_bits(i.wrapping_mul(0x9e37_79b1)))
        .collect();
    let same = |a: &[f32], f: fn(f32) -> f32| {
        a.iter()
            .zip(&src)
            .all(|(y, &x)| y.to_bits() == f(x).to_bits())
    };
    for isa in Isa::ALL.into_iter().filter(|i| i.is_supported()) {
        let mut xs = src.clone();
        mathf::tanh_in_place_on(isa, &mut xs);
        assert!(same(&xs, libm::tanhf), "tanh_in_place on {isa:?}");
        xs.copy_from_slice(&src);
        mathf::exp_in_place_on(isa, &mut xs);
        assert!(same(&xs, libm::expf), "exp_in_place on {isa:?}");
        for shift in [3.25f32, -0.5, 0.0, f32::INFINITY] {
            // Opaque, as the row maximum is in the kernels: a constant 0 would let the
            // reference fold `x - 0` to `x` and keep a signalling NaN unquieted.
            let shift = std::hint::black_box(shift);
            mathf::exp_shifted_slice_on(isa, &src, shift, &mut xs);
            for (&x, &y) in src.iter().zip(&xs) {
                let want = libm::expf(x - shift);
                assert_eq!(want.to_bits(), y.to_bits(), "{isa:?}: exp({x:e} - {shift})");
            }
        }
    }
    // The plain forms run the detected width, and an unsupported width falls back.
    let mut a = vec![0.0; src.len()];
    let mut b = vec![0.0; src.len()];
    mathf::tanh_slice(&src, &mut a);
    mathf::tanh_slice_on(Isa::Baseline, &src, &mut b);
    assert!(a.iter().zip(&b).all(|(a, b)| a.to_bits() == b.to_bits()));
    for isa in Isa::ALL {
        mathf::exp_slice_on(isa, &src, &mut b);
        assert!(same(&b, libm::expf), "exp_slice_on {isa:?}");
    }
}
