//! The slice forms of the ops (`UnaryOp::map`, `BinaryOp::zip_into`), which take tanh
//! and exp through `gradlab::mathf`'s vectorised functions, give the bits of the scalar
//! reference `apply` (which calls `libm` one element at a time) for every op, on a
//! sweep of bit patterns that reaches every sign, exponent and many NaN payloads, plus
//! the values where the ops switch formulas.

use gradlab::op::{BinaryOp, UnaryOp};

fn inputs() -> Vec<f32> {
    let specials = [
        0.0f32,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        -f32::NAN,
        f32::MIN_POSITIVE,
        1e-40,
        -1e-40,
        0.25,
        0.55,
        10.0,
        -10.0,
        88.7,
        -87.4,
        -104.0,
    ];
    // An odd stride visits 2^32 / gcd patterns spread over the whole space.
    let sweep = (0..1u32 << 18).map(|i| f32::from_bits(i.wrapping_mul(0x9e37_79b1)));
    // And values where activations are used (|x| < 8), densely.
    let dense = (0..1 << 16).map(|i| (i as f32 - 32768.0) / 4096.0);
    specials.into_iter().chain(sweep).chain(dense).collect()
}

fn differences(got: &[f32], want: impl Iterator<Item = f32>, xs: &[f32]) -> Vec<String> {
    got.iter()
        .zip(want)
        .zip(xs)
        .filter(|((g, w), _)| g.to_bits() != w.to_bits())
        .take(5)
        .map(|((g, w), x)| format!("x = {x:e}: apply {w:e}, slice {g:e}"))
        .collect()
}

#[test]
fn every_unary_op_map_gives_the_bits_of_apply() {
    let xs = inputs();
    for &op in UnaryOp::ALL {
        let got = op.map(&xs);
        let bad = differences(&got, xs.iter().map(|&x| op.apply(x)), &xs);
        assert!(bad.is_empty(), "{}: {bad:#?}", op.name());
    }
}

#[test]
fn every_binary_op_zip_into_gives_the_bits_of_apply() {
    let xs = inputs();
    // The second operand: the same values in another order (a gradient for gelu_grad).
    let ys: Vec<f32> = xs.iter().rev().copied().collect();
    for &op in BinaryOp::ALL {
        // Appends after what `out` already holds.
        let mut out = vec![1.5];
        op.zip_into(&xs, &ys, &mut out);
        assert_eq!(out[0], 1.5, "{}", op.name());
        let want = xs.iter().zip(&ys).map(|(&a, &b)| op.apply(a, b));
        let bad = differences(&out[1..], want, &xs);
        assert!(bad.is_empty(), "{}: {bad:#?}", op.name());
    }
}
