//! In wasm32 (`simd128`, as the page runs), `gradlab::mathf`'s vectorised tanh, expm1
//! and exp give the bits of `libm` compiled to wasm: natively `tests/mathf_bits.rs`
//! checks every width exhaustively over the ranges where the code paths differ; here a
//! sweep of bit patterns over the whole space (every sign and exponent, NaN payloads,
//! infinities, subnormals, zeros) plus every f32 of one binade in each function's
//! reduction range. Run in headless Chromium:
//!   cargo test --target wasm32-unknown-unknown --test browser_mathf
#![cfg(target_arch = "wasm32")]

use gradlab::mathf;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A 2^22-pattern sweep over the whole space, then every f32 in [lo, 2 lo) of both signs.
fn inputs(binade_lo: f32) -> Vec<f32> {
    let sweep = (0..1u32 << 22).map(|i| f32::from_bits(i.wrapping_mul(0x9e37_79b1)));
    let lo = binade_lo.to_bits();
    let binade = (lo..lo + (1 << 23)).flat_map(|b| [f32::from_bits(b), -f32::from_bits(b)]);
    sweep.chain(binade).collect()
}

fn assert_bit_exact(
    name: &str,
    xs: &[f32],
    slice: fn(&[f32], &mut [f32]),
    reference: fn(f32) -> f32,
) {
    let mut got = vec![0.0; xs.len()];
    slice(xs, &mut got);
    let bad: Vec<String> = xs
        .iter()
        .zip(&got)
        .filter(|(&x, &y)| reference(x).to_bits() != y.to_bits())
        .take(5)
        .map(|(&x, &y)| {
            format!(
                "x = {x:e} ({:#010x}): libm {:e}, got {y:e}",
                x.to_bits(),
                reference(x)
            )
        })
        .collect();
    assert!(bad.is_empty(), "{name}: {bad:#?}");
}

#[wasm_bindgen_test]
fn tanh_slice_gives_libm_bits_in_wasm() {
    assert_bit_exact("tanh", &inputs(1.0), mathf::tanh_slice, libm::tanhf);
}

#[wasm_bindgen_test]
fn expm1_slice_gives_libm_bits_in_wasm() {
    assert_bit_exact("expm1", &inputs(2.0), mathf::expm1_slice, libm::expm1f);
}

#[wasm_bindgen_test]
fn exp_slice_gives_libm_bits_in_wasm() {
    assert_bit_exact("exp", &inputs(2.0), mathf::exp_slice, libm::expf);
    let xs = inputs(64.0);
    let mut got = vec![0.0; xs.len()];
    let shift = std::hint::black_box(1.5f32);
    mathf::exp_shifted_slice(&xs, shift, &mut got);
    for (&x, &y) in xs.iter().zip(&got) {
        assert_eq!(
            libm::expf(x - shift).to_bits(),
            y.to_bits(),
            "exp({x:e} - {shift})"
        );
    }
}
