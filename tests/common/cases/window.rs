//! Rows of the sliding-window ops: im2col (`unfold2d`) and col2im (`fold2d`) with
//! padding, strides and windows that overhang the input; max and average pooling and
//! their adjoints with disjoint, overlapping (stride < kernel) and gapped (stride >
//! kernel) windows, floor-mode leftovers, ties, NaN and infinities. The references are
//! the textbook loops of `reference_conv.rs`.

use super::super::case::{diff, no_grad, Case, Input, Tol};
use super::super::reference as r;
use super::super::reference_conv::{self as rc, Win};
use super::super::{distinct, grid, uniform};
use gradlab::rng::Rng;

/// `(n, c, h, w, kh, kw, stride, padding)`: one im2col/col2im row.
type ConvRow = (usize, usize, usize, usize, usize, usize, usize, usize);

/// Every im2col/col2im row.
#[rustfmt::skip]
const CONV_ROWS: &[ConvRow] = &[
    (1, 1, 4, 4, 2, 2, 1, 0),
    (2, 3, 5, 6, 3, 3, 1, 1),
    // Stride 2 with padding, a non-square window, floor-mode leftovers.
    (2, 2, 7, 5, 3, 2, 2, 1),
    // LeNet's first layer in miniature: 5x5 with padding 2.
    (1, 2, 6, 6, 5, 5, 1, 2),
    // One window covering the input; a 1x1 window with stride 2.
    (1, 1, 3, 3, 3, 3, 1, 0),
    (1, 2, 5, 5, 1, 1, 2, 0),
    // Padding wider than the window: whole windows of zeros.
    (1, 1, 2, 2, 2, 2, 1, 2),
    // An empty batch.
    (0, 2, 4, 4, 3, 3, 1, 1),
    // An empty image: only padding.
    (1, 2, 0, 3, 1, 1, 1, 1),
];

/// `(n, c, h, w, kernel, stride)` of every pooling row.
#[rustfmt::skip]
const POOL_ROWS: &[(usize, usize, usize, usize, usize, usize)] = &[
    (1, 1, 4, 4, 2, 2),
    (2, 3, 6, 6, 2, 2),
    // Overlapping windows and floor-mode leftovers.
    (2, 2, 7, 5, 3, 2),
    (1, 2, 5, 5, 3, 1),
    // Gaps between windows.
    (1, 1, 5, 7, 2, 3),
    // One window covering the input.
    (2, 1, 3, 3, 3, 3),
];

fn win(kh: usize, kw: usize, stride: usize, pad: usize) -> Win {
    Win {
        k: (kh, kw),
        stride,
        pad,
    }
}

fn values(rng: &mut Rng, dims: &[usize]) -> Input {
    diff(dims, uniform(rng, r::numel(dims), -2.0, 2.0))
}

/// im2col on every row of [`CONV_ROWS`]: a copy, exact everywhere.
pub fn unfold_cases(rng: &mut Rng) -> Vec<Case> {
    CONV_ROWS
        .iter()
        .map(|&(n, c, h, w, kh, kw, s, p)| {
            Case::new(
                format!("unfold2d [{n}, {c}, {h}, {w}] window {kh}x{kw} stride {s} pad {p}"),
                vec![values(rng, &[n, c, h, w])],
                move |x| x[0].unfold2d((kh, kw), s, p),
                move |x| rc::unfold2d(&x[0], win(kh, kw, s, p)),
            )
            .tol(Tol::EXACT)
        })
        .collect()
}

/// col2im on every row of [`CONV_ROWS`]: short sums in a fixed order.
pub fn fold_cases(rng: &mut Rng) -> Vec<Case> {
    CONV_ROWS
        .iter()
        .map(|&(n, c, h, w, kh, kw, s, p)| {
            let wn = win(kh, kw, s, p);
            let cols = [n, c * kh * kw, wn.out(h, kh) * wn.out(w, kw)];
            Case::new(
                format!("fold2d {cols:?} to {h}x{w} window {kh}x{kw} stride {s} pad {p}"),
                vec![values(rng, &cols)],
                move |x| x[0].fold2d((h, w), (kh, kw), s, p),
                move |x| rc::fold2d(&x[0], (h, w), wn),
            )
            .tol(Tol::SUM_SAME_ORDER)
        })
        .collect()
}

/// How the values of a max-pooling row are drawn.
#[derive(Clone, Copy, Debug)]
enum PoolValues {
    /// Distinct (no ties): smooth, all checks.
    Distinct,
    /// From a small grid: ties, whose first maximum must win.
    Ties,
    /// Distinct with a NaN and infinities placed in: NaN must win its windows.
    NonFinite,
}

fn pool_input(rng: &mut Rng, dims: &[usize], values: PoolValues) -> Vec<f32> {
    let n = r::numel(dims);
    match values {
        PoolValues::Distinct => distinct(rng, n, -2.0, 2.0),
        PoolValues::Ties => grid(rng, n, &[-1.0, 0.0, 0.5, 1.0]),
        PoolValues::NonFinite => {
            let mut v = distinct(rng, n, -2.0, 2.0);
            for (i, special) in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY]
                .into_iter()
                .enumerate()
            {
                v[(i * 7 + 3) % n] = special;
            }
            v
        }
    }
}

const POOL_VALUES: [PoolValues; 3] = [
    PoolValues::Distinct,
    PoolValues::Ties,
    PoolValues::NonFinite,
];

/// Max pooling on every row of [`POOL_ROWS`] with each kind of values, and windows of
/// all `-inf` (the maximum is `-inf`, its first element takes the gradient).
pub fn max_pool_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(n, c, h, w, k, s) in POOL_ROWS {
        for kind in POOL_VALUES {
            let dims = [n, c, h, w];
            let case = Case::new(
                format!("max_pool2d [{n}, {c}, {h}, {w}] kernel {k} stride {s} ({kind:?})"),
                vec![diff(&dims, pool_input(rng, &dims, kind))],
                move |x| x[0].max_pool2d(k, s),
                move |x| rc::max_pool2d_at(&x[0], &x[0], k, s),
            )
            .tol(Tol::EXACT);
            cases.push(match kind {
                PoolValues::Distinct => case,
                PoolValues::Ties | PoolValues::NonFinite => case.edges(),
            });
        }
    }
    cases.push(
        Case::new(
            "max_pool2d [1, 1, 4, 4] kernel 2 stride 2 (all -inf)",
            vec![diff(&[1, 1, 4, 4], vec![f32::NEG_INFINITY; 16])],
            |x| x[0].max_pool2d(2, 2),
            |x| rc::max_pool2d_at(&x[0], &x[0], 2, 2),
        )
        .tol(Tol::EXACT)
        .edges(),
    );
    cases
}

/// The adjoint of max pooling (`x` picks, `g` flows): linear in `g`, no gradient to `x`.
pub fn max_pool_backward_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(n, c, h, w, k, s) in POOL_ROWS {
        for kind in POOL_VALUES {
            let dims = [n, c, h, w];
            let pooled = [n, c, (h - k) / s + 1, (w - k) / s + 1];
            let x = no_grad(&dims, pool_input(rng, &dims, kind));
            let case = Case::new(
                format!(
                    "max_pool2d_backward [{n}, {c}, {h}, {w}] kernel {k} stride {s} ({kind:?})"
                ),
                vec![x, values(rng, &pooled)],
                move |x| x[0].max_pool2d_backward(&x[1], k, s),
                move |x| rc::max_pool2d_backward(&x[0], &x[1], k, s),
            )
            .tol(Tol::SUM_SAME_ORDER);
            cases.push(match kind {
                PoolValues::Distinct => case,
                PoolValues::Ties | PoolValues::NonFinite => case.edges(),
            });
        }
    }
    cases
}

/// Average pooling on every row of [`POOL_ROWS`].
pub fn avg_pool_cases(rng: &mut Rng) -> Vec<Case> {
    POOL_ROWS
        .iter()
        .map(|&(n, c, h, w, k, s)| {
            Case::new(
                format!("avg_pool2d [{n}, {c}, {h}, {w}] kernel {k} stride {s}"),
                vec![values(rng, &[n, c, h, w])],
                move |x| x[0].avg_pool2d(k, s),
                move |x| rc::avg_pool2d(&x[0], k, s),
            )
            .tol(Tol::SUM_SAME_ORDER)
        })
        .collect()
}

/// The adjoint of average pooling on every row of [`POOL_ROWS`].
pub fn avg_pool_backward_cases(rng: &mut Rng) -> Vec<Case> {
    POOL_ROWS
        .iter()
        .map(|&(n, c, h, w, k, s)| {
            let pooled = [n, c, (h - k) / s + 1, (w - k) / s + 1];
            Case::new(
                format!("avg_pool2d_backward {pooled:?} to {h}x{w} kernel {k} stride {s}"),
                vec![values(rng, &pooled)],
                move |x| x[0].avg_pool2d_backward((h, w), k, s),
                move |x| rc::avg_pool2d_backward(&x[0], (h, w), k, s),
            )
            .tol(Tol::SUM_SAME_ORDER)
        })
        .collect()
}
