//! `tanhf`, `expm1f` and `expf` over slices, with exactly the bits of the `libm` crate
//! (musl's algorithms) for every f32 input, written so that LLVM vectorises them.
//!
//! The CPU backend is the bit-exact reference (links replay bit for bit; weights
//! hashes are compared across native and wasm), so a faster transcendental must return
//! what `libm` returns, NaN payloads, infinities, subnormals and `-0.0` included. Each
//! function here is musl's, branch for branch, turned into straight-line code: every
//! branch's value is computed on every lane and the branch conditions choose one with
//! selects (see `lanes`). The float operations of the chosen branch are those of
//! `libm`, in its order and with its roundings (`a * b + c` is two roundings: Rust never
//! fuses), so each lane gives `libm`'s bits; the per-element loop has no branch and no
//! table, and LLVM turns it into vector code.
//!
//! Straight-line code pays for every branch on every lane, so it wins only with wide
//! vectors: natively on x86-64 each slice function is compiled three times, for
//! AVX-512, AVX2 and the baseline (SSE2), and runs the widest the processor has
//! ([`Isa::detected`]); on wasm32 the baseline is `simd128`. Every width gives the same
//! bits (the same IEEE operations per lane). `tests/mathf_bits.rs` checks every width
//! against `libm`.
//!
//! A leaf module: it imports nothing from the crate.

mod lanes;

use lanes::{exp_lane, expm1_lane, tanh_lane};

/// The instruction sets the slice functions are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// x86-64 with AVX-512F: 16 lanes, mask registers for the selects.
    Avx512,
    /// x86-64 with AVX2: 8 lanes.
    Avx2,
    /// What the target always has: SSE2 on x86-64 (4 lanes), `simd128` on wasm32.
    Baseline,
}

impl Isa {
    /// Every instruction set, widest first.
    pub const ALL: [Isa; 3] = [Isa::Avx512, Isa::Avx2, Isa::Baseline];

    /// Whether this processor can run code compiled for `self`.
    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx512 | Isa::Avx2 => false,
            Isa::Baseline => true,
        }
    }

    /// The widest instruction set this processor supports (what the plain slice
    /// functions use).
    pub fn detected() -> Isa {
        Isa::ALL
            .into_iter()
            .find(|isa| isa.is_supported())
            .unwrap_or(Isa::Baseline)
    }
}

/// Declares a slice function twice: `$name` runs on [`Isa::detected`], `$name_on`
/// takes the instruction set (tests run every one). The body is compiled once per
/// instruction set inside a `#[target_feature]` function, so its loop vectorises at
/// that width; an unsupported `Isa` falls back to the baseline.
macro_rules! slice_fn {
    ($(#[$doc:meta])* $name:ident, $name_on:ident, ($($arg:ident: $ty:ty),*) $body:block) => {
        $(#[$doc])*
        pub fn $name($($arg: $ty),*) {
            $name_on(Isa::detected(), $($arg),*)
        }

        #[doc = concat!("[`", stringify!($name), "`] compiled for `isa` (the baseline when \
            this processor does not support `isa`).")]
        pub fn $name_on(isa: Isa, $($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn avx512($($arg: $ty),*) {
                body($($arg),*)
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn avx2($($arg: $ty),*) {
                body($($arg),*)
            }

            match isa {
                // SAFETY: each feature is used only where the processor reports it.
                #[cfg(target_arch = "x86_64")]
                Isa::Avx512 if isa.is_supported() => unsafe { avx512($($arg),*) },
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 if isa.is_supported() => unsafe { avx2($($arg),*) },
                Isa::Avx512 | Isa::Avx2 | Isa::Baseline => body($($arg),*),
            }
        }
    };
}

slice_fn!(
    /// Writes `libm::tanhf(src[i])` into `dst[i]` (over the shorter of the two).
    tanh_slice, tanh_slice_on, (src: &[f32], dst: &mut [f32]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = tanh_lane(x);
        }
    }
);

slice_fn!(
    /// Replaces each `x` with `libm::tanhf(x)`.
    tanh_in_place, tanh_in_place_on, (xs: &mut [f32]) {
        for x in xs.iter_mut() {
            *x = tanh_lane(*x);
        }
    }
);

slice_fn!(
    /// Writes `libm::expm1f(src[i])` into `dst[i]` (over the shorter of the two).
    expm1_slice, expm1_slice_on, (src: &[f32], dst: &mut [f32]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = expm1_lane::<true>(x);
        }
    }
);

slice_fn!(
    /// Writes `libm::expf(src[i])` into `dst[i]` (over the shorter of the two).
    exp_slice, exp_slice_on, (src: &[f32], dst: &mut [f32]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = exp_lane(x);
        }
    }
);

slice_fn!(
    /// Replaces each `x` with `libm::expf(x)`.
    exp_in_place, exp_in_place_on, (xs: &mut [f32]) {
        for x in xs.iter_mut() {
            *x = exp_lane(*x);
        }
    }
);

slice_fn!(
    /// Writes `libm::expf(src[i] - shift)` into `dst[i]` (over the shorter of the two):
    /// a softmax row's exponentials, the subtraction rounded first as in the scalar form.
    exp_shifted_slice, exp_shifted_slice_on, (src: &[f32], shift: f32, dst: &mut [f32]) {
        for (d, &x) in dst.iter_mut().zip(src) {
            *d = exp_lane(x - shift);
        }
    }
);
