//! The sliding-window kernels of `conv.rs` against their definitions: plain loops that
//! visit every (window, offset) pair one element at a time, with the same order of
//! terms. The kernels restructure the loops for speed (row runs, selects), so they must
//! give exactly these bits: on random geometries with padding and strides, on inputs
//! with ties, infinities and NaNs (any NaN counts as
//! one).

use super::conv::{fold2d_on, max_pool2d_backward_on, max_pool2d_on, unfold2d_on};
use crate::op::Window2d;
use crate::rng::Rng;

fn source(o: usize, k: usize, g: &Window2d, size: usize) -> Option<usize> {
    (o * g.stride + k)
        .checked_sub(g.padding)
        .filter(|&i| i < size)
}

/// Every `(plane, ki, kj, y, x)` in the columns' order, with the input element it reads.
fn for_each_column(g: &Window2d, mut f: impl FnMut(usize, Option<usize>)) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut o = 0;
    for p in 0..g.n * g.c {
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                for y in 0..oh {
                    for xo in 0..ow {
                        let at = match (source(y, ki, g, g.h), source(xo, kj, g, g.w)) {
                            (Some(i), Some(j)) => Some(p * g.h * g.w + i * g.w + j),
                            _ => None,
                        };
                        f(o, at);
                        o += 1;
                    }
                }
            }
        }
    }
}

fn unfold_reference(x: &[f32], g: &Window2d) -> Vec<f32> {
    let mut out = vec![0.0; g.cols_len()];
    for_each_column(g, |o, at| out[o] = at.map_or(0.0, |i| x[i]));
    out
}

fn fold_reference(cols: &[f32], g: &Window2d) -> Vec<f32> {
    let mut x = vec![0.0; g.input_len()];
    for_each_column(g, |o, at| {
        if let Some(i) = at {
            x[i] += cols[o];
        }
    });
    x
}

/// Per window, the offset of its first maximum (`ReduceOp::Max`'s rule), row-major.
fn argmax_reference(x: &[f32], g: &Window2d) -> Vec<usize> {
    let mut found = Vec::new();
    for p in 0..g.n * g.c {
        for y in 0..g.out_h() {
            for xo in 0..g.out_w() {
                let first = p * g.h * g.w + y * g.stride * g.w + xo * g.stride;
                let (mut best, mut at) = (x[first], first);
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        let i = first + ki * g.w + kj;
                        if !best.is_nan() && (x[i] > best || x[i].is_nan()) {
                            (best, at) = (x[i], i);
                        }
                    }
                }
                found.push(at);
            }
        }
    }
    found
}

/// Values with ties (a few levels), signed zeros, infinities and NaNs.
fn awkward(r: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| match r.below(20) {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -0.0,
            4..=9 => r.below(3) as f32,
            _ => r.normal(),
        })
        .collect()
}

/// The bits, every NaN as one: Rust leaves a NaN's sign and payload unspecified (a
/// vectorised add may take either operand's NaN), and a NaN ends a run whatever its bits.
fn bits(v: &[f32]) -> Vec<u32> {
    let nan = f32::NAN.to_bits();
    v.iter()
        .map(|x| if x.is_nan() { nan } else { x.to_bits() })
        .collect()
}

fn geometries(r: &mut Rng, pooling: bool) -> Vec<Window2d> {
    let mut out = Vec::new();
    while out.len() < 300 {
        let g = Window2d {
            n: 1 + r.below(2),
            c: 1 + r.below(3),
            h: 1 + r.below(9),
            w: 1 + r.below(9),
            kh: 1 + r.below(4),
            kw: 1 + r.below(4),
            stride: 1 + r.below(3),
            padding: if pooling { 0 } else { r.below(3) },
        };
        if g.out_h() > 0 && g.out_w() > 0 {
            out.push(g);
        }
    }
    out
}

#[test]
fn unfold_and_fold_give_the_definitions_bits() {
    let mut r = Rng::new(11);
    for g in geometries(&mut r, false) {
        let x = awkward(&mut r, g.input_len());
        let cols = awkward(&mut r, g.cols_len());
        // The planes split over threads as large inputs are; the same bits.
        for threads in [1, 2, 3] {
            assert_eq!(
                bits(&unfold2d_on(&x, &g, threads)),
                bits(&unfold_reference(&x, &g)),
                "{g:?}, {threads} threads"
            );
            assert_eq!(
                bits(&fold2d_on(&cols, &g, threads)),
                bits(&fold_reference(&cols, &g)),
                "{g:?}, {threads} threads"
            );
        }
    }
}

#[test]
fn max_pooling_picks_the_definitions_first_maximum() {
    let mut r = Rng::new(12);
    let mut all = geometries(&mut r, true);
    // The usual 2x2 windows at stride 2 (a path of their own), odd sizes included.
    for (h, w) in [(2, 2), (4, 6), (5, 7), (9, 3), (28, 28)] {
        let (n, c) = (1 + r.below(2), 1 + r.below(3));
        all.push(Window2d {
            n,
            c,
            h,
            w,
            kh: 2,
            kw: 2,
            stride: 2,
            padding: 0,
        });
    }
    for g in all {
        let x = awkward(&mut r, g.input_len());
        let v = awkward(&mut r, g.input_len());
        let at = argmax_reference(&x, &g);
        let want: Vec<f32> = at.iter().map(|&i| v[i]).collect();
        let grad = awkward(&mut r, g.pooled_len());
        let mut dx = vec![0.0f32; g.input_len()];
        at.iter().zip(&grad).for_each(|(&i, d)| dx[i] += d);
        for threads in [1, 2, 3] {
            let pooled = max_pool2d_on(&x, &v, &g, threads);
            assert_eq!(bits(&pooled), bits(&want), "{g:?}, {threads} threads");
            assert_eq!(
                bits(&max_pool2d_backward_on(&x, &grad, &g, threads)),
                bits(&dx),
                "{g:?}, {threads} threads"
            );
        }
    }
}
