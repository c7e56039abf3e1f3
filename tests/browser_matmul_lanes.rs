//! The hand-written `simd128` matmul tile (wasm32) gives the bits of the textbook triple
//! loop (k ascending, a multiply then an add), on every transposition and on shapes with
//! edge tiles. Natively the same tile logic runs with portable lanes in
//! `backend::cpu::matmul`'s tests; the bench page also compares it with the default
//! kernel in Chromium (`bench/web/driver.mjs --before base`). Run in headless Chromium:
//!   cargo test --target wasm32-unknown-unknown --test browser_matmul_lanes
#![cfg(target_arch = "wasm32")]

use gradlab::backend::cpu::{choose_matmul_kernel, matmul_into, matmul_kernel_name};
use gradlab::backend::MatmulDims;
use gradlab::rng::Rng;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// `C = op(A) @ op(B)` by the triple loop, k ascending from zero.
fn naive(a: &[f32], b: &[f32], d: MatmulDims) -> Vec<f32> {
    let (m, k, n) = (d.m, d.k, d.n);
    let mut c = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f32;
            for kk in 0..k {
                let av = if d.trans_a {
                    a[kk * m + i]
                } else {
                    a[i * k + kk]
                };
                let bv = if d.trans_b {
                    b[j * k + kk]
                } else {
                    b[kk * n + j]
                };
                acc += av * bv;
            }
            c[i * n + j] = acc;
        }
    }
    c
}

#[wasm_bindgen_test]
fn simd128_matmul_is_bit_identical_to_the_triple_loop() {
    // This test binary's first product: the kernel is chosen for the whole process.
    assert_eq!(choose_matmul_kernel("simd128 4x8"), Some("simd128 4x8"));
    assert_eq!(matmul_kernel_name(), "simd128 4x8");
    let mut rng = Rng::new(5);
    for (m, k, n) in [
        (1, 1, 9),
        (4, 3, 8),
        (17, 33, 65),
        (70, 300, 13),
        (64, 256, 256),
    ] {
        for (trans_a, trans_b) in [(false, false), (true, false), (false, true), (true, true)] {
            let d = MatmulDims {
                batch: 1,
                m,
                k,
                n,
                trans_a,
                trans_b,
            };
            let a: Vec<f32> = (0..m * k).map(|_| rng.normal()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.normal()).collect();
            let mut c = vec![0.0; m * n];
            matmul_into(&a, &b, &mut c, d);
            assert_eq!(c, naive(&a, &b, d), "dims {d:?}");
        }
    }
}
