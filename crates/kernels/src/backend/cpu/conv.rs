//! Sliding-window kernels on the CPU: im2col (`unfold2d`) and its adjoint col2im
//! (`fold2d`), max and average pooling and their adjoints. NCHW, row-major.
//!
//! Every sum has one fixed order, which the WGSL kernels (`shaders/conv.wgsl`,
//! `shaders/pool.wgsl`) follow too: the CPU scatters in an order that gives each output
//! element its terms in the same sequence as the GPU's per-element gather, starting from
//! zero, so both devices produce the same bits.
//! - `fold2d`: the terms of `x[h, w]` by window offset `(ki, kj)` ascending (one window
//!   position per offset can cover a pixel);
//! - pooling adjoints: by window, row-major `(oh, ow)` ascending.

use crate::op::Window2d;

/// The input coordinate that window position `o` at offset `k` reads, if inside.
#[inline]
fn source(o: usize, k: usize, g: &Window2d, size: usize) -> Option<usize> {
    (o * g.stride + k)
        .checked_sub(g.padding)
        .filter(|&i| i < size)
}

/// The window positions `o` in `0..out` whose offset-`k` read (`o * stride + k -
/// padding`) lands inside `0..size`: one contiguous range, as the read grows with `o`.
fn inside(k: usize, out: usize, g: &Window2d, size: usize) -> std::ops::Range<usize> {
    let hi = match (size + g.padding).checked_sub(k + 1) {
        Some(last) => (last / g.stride + 1).min(out),
        None => 0,
    };
    let lo = g.padding.saturating_sub(k).div_ceil(g.stride).min(hi);
    lo..hi
}

/// `[n, c, h, w]` to `[n, c*kh*kw, oh*ow]`, zeros outside the input. Each output row
/// is written once, in order: zeros, the run of the input row that windows read
/// (a copy at stride 1), zeros.
pub fn unfold2d(x: &[f32], g: &Window2d) -> Vec<f32> {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut out = Vec::with_capacity(g.cols_len());
    if g.h * g.w == 0 {
        // An empty image: every window reads padding.
        out.resize(g.cols_len(), 0.0);
        return out;
    }
    for plane in x[..g.input_len()].chunks_exact(g.h * g.w) {
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let cols = inside(kj, ow, g, g.w);
                for y in 0..oh {
                    let row = source(y, ki, g, g.h).filter(|_| !cols.is_empty());
                    let Some(i) = row else {
                        out.resize(out.len() + ow, 0.0);
                        continue;
                    };
                    let row = &plane[i * g.w..(i + 1) * g.w];
                    let first = cols.start * g.stride + kj - g.padding;
                    out.resize(out.len() + cols.start, 0.0);
                    if g.stride == 1 {
                        out.extend_from_slice(&row[first..first + cols.len()]);
                    } else {
                        let run = row[first..].iter().step_by(g.stride);
                        out.extend(run.take(cols.len()));
                    }
                    out.resize(out.len() + ow - cols.end, 0.0);
                }
            }
        }
    }
    out
}

/// `[n, c*kh*kw, oh*ow]` summed back into `[n, c, h, w]` (the adjoint of [`unfold2d`]).
/// Offsets stay the outer loops, so each pixel takes its terms in the order the module
/// header states; within one offset a pixel gets at most one term, so the adds along a
/// row are independent (a vector add at stride 1).
pub fn fold2d(cols: &[f32], g: &Window2d) -> Vec<f32> {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut x = vec![0.0; g.input_len()];
    if oh == 0 || ow == 0 || g.h * g.w == 0 {
        return x;
    }
    let per_plane = g.kh * g.kw * oh * ow;
    for (plane, cols) in x
        .chunks_exact_mut(g.h * g.w)
        .zip(cols[..g.cols_len()].chunks_exact(per_plane))
    {
        let mut o = 0;
        for ki in 0..g.kh {
            for kj in 0..g.kw {
                let run = inside(kj, ow, g, g.w);
                for y in 0..oh {
                    let row = source(y, ki, g, g.h).filter(|_| !run.is_empty());
                    if let Some(i) = row {
                        let src = &cols[o + run.start..o + run.end];
                        let first = run.start * g.stride + kj - g.padding;
                        let dst = plane[i * g.w..(i + 1) * g.w][first..].iter_mut();
                        if g.stride == 1 {
                            dst.zip(src).for_each(|(d, s)| *d += s);
                        } else {
                            dst.step_by(g.stride).zip(src).for_each(|(d, s)| *d += s);
                        }
                    }
                    o += ow;
                }
            }
        }
    }
    x
}

/// Calls `f(window, plane offset of its first maximum in x)` for every window in
/// row-major order. The maximum follows `ReduceOp::Max`: a later element replaces the
/// best only when strictly larger or NaN, and a NaN is never replaced.
fn for_each_argmax(x: &[f32], g: &Window2d, mut f: impl FnMut(usize, usize)) {
    if (g.kh, g.kw, g.stride) == (2, 2, 2) {
        return for_each_argmax_2x2(x, g, f);
    }
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut window = 0;
    for p in 0..g.n * g.c {
        let base = p * g.h * g.w;
        for y in 0..oh {
            for xo in 0..ow {
                let first = base + y * g.stride * g.w + xo * g.stride;
                let (mut best, mut at) = (x[first], first);
                for ki in 0..g.kh {
                    let start = first + ki * g.w;
                    for (i, &v) in (start..).zip(&x[start..start + g.kw]) {
                        (best, at) = if replaces(v, best) {
                            (v, i)
                        } else {
                            (best, at)
                        };
                    }
                }
                f(window, at);
                window += 1;
            }
        }
    }
}

/// Whether `v`, met after `best`, becomes the maximum: larger or NaN, unless the best is
/// NaN. Two compares and no branch: a compare-and-branch per element, mispredicted half
/// the time on real data, made pooling 17% of a small CNN's step.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(v <= best)` is "larger or NaN" at once
fn replaces(v: f32, best: f32) -> bool {
    !(v <= best) & !best.is_nan()
}

/// [`for_each_argmax`] for 2x2 windows at stride 2 (the usual pooling), a row of windows
/// at a time: each window's four elements in row-major order from two input rows read
/// in pairs, which the compiler vectorises; then `f` for the row's windows in order.
fn for_each_argmax_2x2(x: &[f32], g: &Window2d, mut f: impl FnMut(usize, usize)) {
    let (oh, ow) = (g.out_h(), g.out_w());
    // Per window of the row, its maximum's place: 0 to 3, row-major in the window.
    let mut places = vec![0u8; ow];
    let mut window = 0;
    for p in 0..g.n * g.c {
        let base = p * g.h * g.w;
        for y in 0..oh {
            let top = base + 2 * y * g.w;
            let upper = x[top..top + 2 * ow].chunks_exact(2);
            let lower = x[top + g.w..top + g.w + 2 * ow].chunks_exact(2);
            for ((place, a), b) in places.iter_mut().zip(upper).zip(lower) {
                let (mut best, mut at) = (a[0], 0u8);
                for (i, v) in [(1, a[1]), (2, b[0]), (3, b[1])] {
                    (best, at) = if replaces(v, best) {
                        (v, i)
                    } else {
                        (best, at)
                    };
                }
                *place = at;
            }
            for (xo, &place) in places.iter().enumerate() {
                let place = usize::from(place);
                f(window, top + (place >> 1) * g.w + 2 * xo + (place & 1));
                window += 1;
            }
        }
    }
}

/// Per window, `v` at the first maximum of `x` (max pooling when `v` is `x`).
pub fn max_pool2d(x: &[f32], v: &[f32], g: &Window2d) -> Vec<f32> {
    let mut out = vec![0.0; g.pooled_len()];
    for_each_argmax(x, g, |w, at| out[w] = v[at]);
    out
}

/// Each window's `grad` added at the first maximum of `x` in it, windows in row-major
/// order: `[n, c, oh, ow]` to `[n, c, h, w]`.
pub fn max_pool2d_backward(x: &[f32], grad: &[f32], g: &Window2d) -> Vec<f32> {
    let mut dx = vec![0.0; g.input_len()];
    for_each_argmax(x, g, |w, at| dx[at] += grad[w]);
    dx
}

/// `1 / (kh * kw)` in f32: both devices multiply by it (a product is correctly rounded
/// in WGSL, a division need not be).
pub fn avg_scale(g: &Window2d) -> f32 {
    1.0 / (g.kh * g.kw) as f32
}

/// Per window, the sum of its elements in row-major order, times [`avg_scale`].
pub fn avg_pool2d(x: &[f32], g: &Window2d) -> Vec<f32> {
    let (oh, ow) = (g.out_h(), g.out_w());
    let scale = avg_scale(g);
    let mut out = Vec::with_capacity(g.pooled_len());
    for p in 0..g.n * g.c {
        let base = p * g.h * g.w;
        for y in 0..oh {
            for xo in 0..ow {
                let first = base + y * g.stride * g.w + xo * g.stride;
                let mut acc = 0.0f32;
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        acc += x[first + ki * g.w + kj];
                    }
                }
                out.push(acc * scale);
            }
        }
    }
    out
}

/// The adjoint of [`avg_pool2d`]: each element sums the `grad` of the windows covering
/// it (row-major window order), times [`avg_scale`].
pub fn avg_pool2d_backward(grad: &[f32], g: &Window2d) -> Vec<f32> {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut dx = vec![0.0f32; g.input_len()];
    let mut w = 0;
    for p in 0..g.n * g.c {
        let base = p * g.h * g.w;
        for y in 0..oh {
            for xo in 0..ow {
                let first = base + y * g.stride * g.w + xo * g.stride;
                for ki in 0..g.kh {
                    for kj in 0..g.kw {
                        dx[first + ki * g.w + kj] += grad[w];
                    }
                }
                w += 1;
            }
        }
    }
    let scale = avg_scale(g);
    dx.iter_mut().for_each(|v| *v *= scale);
    dx
}
