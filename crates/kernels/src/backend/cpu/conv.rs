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

/// Least output (floats) per thread worth a thread for these kernels.
const MIN_FLOATS_PER_THREAD: usize = 1 << 17;

/// Threads for a kernel writing `len` floats: natively more than one for large outputs
/// (every plane is independent, so the split never changes a bit).
fn plane_threads(len: usize) -> usize {
    (len / MIN_FLOATS_PER_THREAD).clamp(1, super::matmul_threads::max_threads())
}

/// Runs `f(planes, part)` over `out` cut into at most `threads` runs of whole planes of
/// `plane_len` floats (`part` holds exactly the planes `planes`), each run on a thread.
fn by_planes<F>(out: &mut [f32], plane_len: usize, threads: usize, f: F)
where
    F: Fn(std::ops::Range<usize>, &mut [f32]) + Sync,
{
    if plane_len == 0 || out.is_empty() {
        return;
    }
    let planes = out.len() / plane_len;
    if threads <= 1 {
        return f(0..planes, out);
    }
    let runs = super::matmul_threads::row_blocks(out, planes, plane_len, 1, threads);
    super::matmul_threads::on_threads(runs, f);
}

/// `[n, c, h, w]` to `[n, c*kh*kw, oh*ow]`, zeros outside the input.
pub fn unfold2d(x: &[f32], g: &Window2d) -> Vec<f32> {
    unfold2d_on(x, g, plane_threads(g.cols_len()))
}

/// [`unfold2d`] with its planes split over `threads`.
pub(super) fn unfold2d_on(x: &[f32], g: &Window2d, threads: usize) -> Vec<f32> {
    let mut out = vec![0.0; g.cols_len()];
    let (hw, per_plane) = (g.h * g.w, g.kh * g.kw * g.out_h() * g.out_w());
    // An empty image: every window reads padding.
    if hw == 0 {
        return out;
    }
    by_planes(&mut out, per_plane, threads, |planes, part| {
        for (p, o) in planes.zip(part.chunks_exact_mut(per_plane)) {
            unfold_plane(&x[p * hw..(p + 1) * hw], g, o);
        }
    });
    out
}

/// One plane's columns into `out` (all zeros): per output row, the run of the input row
/// that windows read (a copy at stride 1); the padding stays zero.
fn unfold_plane(plane: &[f32], g: &Window2d, out: &mut [f32]) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut at = 0;
    for ki in 0..g.kh {
        for kj in 0..g.kw {
            let cols = inside(kj, ow, g, g.w);
            for y in 0..oh {
                let row = source(y, ki, g, g.h).filter(|_| !cols.is_empty());
                if let Some(i) = row {
                    let row = &plane[i * g.w..(i + 1) * g.w];
                    let first = cols.start * g.stride + kj - g.padding;
                    let dst = &mut out[at + cols.start..at + cols.end];
                    if g.stride == 1 {
                        dst.copy_from_slice(&row[first..first + cols.len()]);
                    } else {
                        let run = row[first..].iter().step_by(g.stride);
                        dst.iter_mut().zip(run).for_each(|(d, s)| *d = *s);
                    }
                }
                at += ow;
            }
        }
    }
}

/// `[n, c*kh*kw, oh*ow]` summed back into `[n, c, h, w]` (the adjoint of [`unfold2d`]).
pub fn fold2d(cols: &[f32], g: &Window2d) -> Vec<f32> {
    fold2d_on(cols, g, plane_threads(g.input_len()))
}

/// [`fold2d`] with its planes split over `threads`.
pub(super) fn fold2d_on(cols: &[f32], g: &Window2d, threads: usize) -> Vec<f32> {
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut x = vec![0.0; g.input_len()];
    if oh == 0 || ow == 0 {
        return x;
    }
    let (hw, per_plane) = (g.h * g.w, g.kh * g.kw * oh * ow);
    by_planes(&mut x, hw, threads, |planes, part| {
        for (p, plane) in planes.zip(part.chunks_exact_mut(hw)) {
            fold_plane(&cols[p * per_plane..(p + 1) * per_plane], g, plane);
        }
    });
    x
}

/// One plane's columns added into `plane`. Offsets stay the outer loops, so each pixel
/// takes its terms in the order the module header states; within one offset a pixel gets
/// at most one term, so the adds along a row are independent (a vector add at stride 1).
fn fold_plane(cols: &[f32], g: &Window2d, plane: &mut [f32]) {
    let (oh, ow) = (g.out_h(), g.out_w());
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

/// Calls `f(window, offset of its first maximum)` for every window of one plane, in
/// row-major order. The maximum follows `ReduceOp::Max`: a later element replaces the
/// best only when strictly larger or NaN, and a NaN is never replaced.
fn argmax_plane(x: &[f32], g: &Window2d, mut f: impl FnMut(usize, usize)) {
    if (g.kh, g.kw, g.stride) == (2, 2, 2) {
        return argmax_plane_2x2(x, g, f);
    }
    let (oh, ow) = (g.out_h(), g.out_w());
    let mut window = 0;
    for y in 0..oh {
        for xo in 0..ow {
            let first = y * g.stride * g.w + xo * g.stride;
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

/// Whether `v`, met after `best`, becomes the maximum: larger or NaN, unless the best is
/// NaN. Two compares and no branch: a compare-and-branch per element, mispredicted half
/// the time on real data, made pooling 17% of a small CNN's step.
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // `!(v <= best)` is "larger or NaN" at once
fn replaces(v: f32, best: f32) -> bool {
    !(v <= best) & !best.is_nan()
}

/// [`argmax_plane`] for 2x2 windows at stride 2 (the usual pooling), a row of windows at
/// a time: each window's four elements in row-major order from two input rows read in
/// pairs, which the compiler vectorises; then `f` for the row's windows in order.
fn argmax_plane_2x2(x: &[f32], g: &Window2d, mut f: impl FnMut(usize, usize)) {
    let (oh, ow) = (g.out_h(), g.out_w());
    // Per window of the row, its maximum's place: 0 to 3, row-major in the window.
    let mut places = vec![0u8; ow];
    let mut window = 0;
    for y in 0..oh {
        let top = 2 * y * g.w;
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

/// Per window, `v` at the first maximum of `x` (max pooling when `v` is `x`).
pub fn max_pool2d(x: &[f32], v: &[f32], g: &Window2d) -> Vec<f32> {
    max_pool2d_on(x, v, g, plane_threads(g.input_len()))
}

/// [`max_pool2d`] with its planes split over `threads`.
pub(super) fn max_pool2d_on(x: &[f32], v: &[f32], g: &Window2d, threads: usize) -> Vec<f32> {
    let mut out = vec![0.0; g.pooled_len()];
    let (hw, windows) = (g.h * g.w, g.out_h() * g.out_w());
    by_planes(&mut out, windows, threads, |planes, part| {
        for (p, o) in planes.zip(part.chunks_exact_mut(windows)) {
            let vp = &v[p * hw..(p + 1) * hw];
            argmax_plane(&x[p * hw..(p + 1) * hw], g, |w, at| o[w] = vp[at]);
        }
    });
    out
}

/// Each window's `grad` added at the first maximum of `x` in it, windows in row-major
/// order: `[n, c, oh, ow]` to `[n, c, h, w]`.
pub fn max_pool2d_backward(x: &[f32], grad: &[f32], g: &Window2d) -> Vec<f32> {
    max_pool2d_backward_on(x, grad, g, plane_threads(g.input_len()))
}

/// [`max_pool2d_backward`] with its planes split over `threads`.
pub(super) fn max_pool2d_backward_on(
    x: &[f32],
    grad: &[f32],
    g: &Window2d,
    threads: usize,
) -> Vec<f32> {
    let mut dx = vec![0.0; g.input_len()];
    let (hw, windows) = (g.h * g.w, g.out_h() * g.out_w());
    by_planes(&mut dx, hw, threads, |planes, part| {
        for (p, d) in planes.zip(part.chunks_exact_mut(hw)) {
            let gp = &grad[p * windows..(p + 1) * windows];
            argmax_plane(&x[p * hw..(p + 1) * hw], g, |w, at| d[at] += gp[w]);
        }
    });
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
