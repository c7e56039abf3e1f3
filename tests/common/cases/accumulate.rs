//! Rows of the ops that accumulate: reductions (every axis subset of small shapes,
//! explicit axes of long and empty rows) and matmul (every transpose variant of each
//! size).

use super::super::case::{diff, Case, Tol};
use super::super::reference as r;
use super::super::{axis_subsets, distinct, grid, uniform};
use gradlab::rng::Rng;
use gradlab::tensor::ReduceOp;

/// Which axes a reduction row reduces.
#[derive(Clone, Copy, Debug)]
enum Axes {
    /// Every subset of the shape's axes, the empty one included.
    EverySubset,
    /// These sets of axes.
    Only(&'static [&'static [usize]]),
}

/// How the values of a reduction row are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Values {
    /// Distinct values in [-2, 2) (no ties, so max is smooth): all checks.
    Distinct,
    /// Distinct values in [-3, 3), in long rows (a workgroup tree on GPU hardware).
    DistinctWide,
    /// Uniform values in [-2, 2), maybe close: forward and parity only.
    Uniform,
    /// From a small grid, so maxima tie: forward and parity only.
    Ties,
}

/// `(dims, axes, values, also without keepdim)` of every reduction row. Reducing an
/// empty axis gives the identity (0 for sum, -inf for max).
#[rustfmt::skip]
const REDUCE_ROWS: &[(&[usize], Axes, Values, bool)] = &[
    (&[], Axes::EverySubset, Values::Distinct, false),
    (&[7], Axes::EverySubset, Values::Distinct, false),
    (&[3, 1, 5], Axes::EverySubset, Values::Distinct, false),
    (&[2, 3, 2, 3], Axes::EverySubset, Values::Distinct, false),
    (&[], Axes::EverySubset, Values::Uniform, true),
    (&[1], Axes::EverySubset, Values::Ties, true),
    (&[7], Axes::EverySubset, Values::Uniform, true),
    (&[7, 13], Axes::EverySubset, Values::Ties, true),
    (&[3, 1, 5], Axes::EverySubset, Values::Uniform, true),
    (&[2, 3, 4, 5], Axes::EverySubset, Values::Ties, true),
    (&[0, 3], Axes::EverySubset, Values::Uniform, true),
    // Short rows (one thread per row), long rows (a workgroup tree), empty rows.
    (&[5, 7], Axes::Only(&[&[], &[0], &[1], &[0, 1]]), Values::DistinctWide, false),
    (&[2, 3, 4], Axes::Only(&[&[0], &[1], &[2], &[0, 2], &[0, 1, 2]]), Values::DistinctWide, false),
    (&[3, 1000], Axes::Only(&[&[1], &[0]]), Values::DistinctWide, false),
    (&[70, 3], Axes::Only(&[&[0]]), Values::DistinctWide, false),
    (&[300], Axes::Only(&[&[0]]), Values::DistinctWide, false),
    // Long rows in each read form (columns by two strides, dense rows, the general view)
    // with rows enough for one thread per row on a software adapter, and the general
    // view's long rows with few of them (a tree everywhere).
    (&[100, 80], Axes::Only(&[&[0], &[1]]), Values::DistinctWide, false),
    (&[8, 64, 9], Axes::Only(&[&[0, 2]]), Values::DistinctWide, false),
    (&[8, 3, 9], Axes::Only(&[&[0, 2]]), Values::DistinctWide, false),
    (&[0, 4], Axes::Only(&[&[0], &[1]]), Values::DistinctWide, false),
];

/// A reduction `op` on every row of [`REDUCE_ROWS`], with kept axes and (where the row
/// asks) through the API that drops them.
pub fn reduce_cases(op: ReduceOp, rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(dims, axes, values, drop_too) in REDUCE_ROWS {
        let subsets = match axes {
            Axes::EverySubset => axis_subsets(dims.len()),
            Axes::Only(list) => list.iter().map(|a| a.to_vec()).collect(),
        };
        for axes in subsets {
            let n = r::numel(dims);
            let data = match values {
                Values::Distinct => distinct(rng, n, -2.0, 2.0),
                Values::DistinctWide => distinct(rng, n, -3.0, 3.0),
                Values::Uniform => uniform(rng, n, -2.0, 2.0),
                Values::Ties => grid(rng, n, &[-1.0, 0.0, 0.5, 1.0]),
            };
            let kept: Vec<usize> = (0..dims.len())
                .filter(|a| !axes.contains(a))
                .map(|a| dims[a])
                .collect();
            let keepdims: &[bool] = if drop_too { &[true, false] } else { &[true] };
            for &keepdim in keepdims {
                let (ax, ax_ref, kept) = (axes.clone(), axes.clone(), kept.clone());
                let case = Case::new(
                    format!(
                        "{} {dims:?} over {axes:?}, keepdim {keepdim} ({values:?})",
                        op.wgsl_entry()
                    ),
                    vec![diff(dims, data.clone())],
                    move |x| match (op, keepdim) {
                        (_, true) => x[0].reduce_keepdim(op, &ax),
                        (ReduceOp::Sum, false) => x[0].sum_axes(&ax, false),
                        (ReduceOp::Max, false) => x[0].max_axes(&ax, false),
                    },
                    move |x| {
                        let y = r::reduce(op, &x[0], &ax_ref);
                        if keepdim {
                            y
                        } else {
                            r::reshape(&y, &kept)
                        }
                    },
                )
                .tol(Tol::ACCUMULATE);
                // Max is exact in any order; a sum's rounding scales with sum |x|.
                let case = match op {
                    ReduceOp::Sum => case.accumulating(),
                    ReduceOp::Max => case,
                };
                cases.push(match values {
                    Values::Distinct | Values::DistinctWide => case,
                    Values::Uniform | Values::Ties => case.edges(),
                });
            }
        }
    }
    cases
}

/// `(batch, m, k, n)` of every matmul row, each run with every transpose variant: 1 x 1,
/// odd sizes, sizes that cross the CPU's 4 x 8 tiles, batches, empty (k = 0 gives
/// zeros). The large sizes and both GPU kernels are in `gpu_matmul.rs`.
const MATMUL_SIZES: &[(Option<usize>, usize, usize, usize)] = &[
    (None, 1, 1, 1),
    (None, 3, 5, 4),
    (None, 7, 13, 9),
    (None, 17, 33, 65),
    (Some(3), 4, 6, 5),
    (Some(1), 9, 2, 11),
    (Some(2), 3, 4, 5),
    (Some(2), 3, 5, 4),
    (None, 2, 0, 3),
    (None, 0, 4, 3),
];

/// `matmul_t` on every size and transpose variant, and `matmul`'s broadcasting of a
/// rank-2 operand over the other's batch.
pub fn matmul_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut input = |dims: &[usize]| diff(dims, uniform(rng, r::numel(dims), -2.0, 2.0));
    for &(batch, m, k, n) in MATMUL_SIZES {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut da = if ta { vec![k, m] } else { vec![m, k] };
            let mut db = if tb { vec![n, k] } else { vec![k, n] };
            if let Some(b) = batch {
                da.insert(0, b);
                db.insert(0, b);
            }
            cases.push(Case::new(
                format!("matmul {da:?} x {db:?} trans_a={ta} trans_b={tb}"),
                vec![input(&da), input(&db)],
                move |x| x[0].matmul_t(&x[1], ta, tb),
                move |x| r::matmul(&x[0], &x[1], ta, tb),
            ));
        }
    }
    cases.push(Case::new(
        "matmul [3, 4, 5] x [5, 2]",
        vec![input(&[3, 4, 5]), input(&[5, 2])],
        |x| x[0].matmul(&x[1]),
        |x| r::matmul(&x[0], &r::expand(&x[1], &[3, 5, 2]), false, false),
    ));
    cases.push(Case::new(
        "matmul [4, 5] x [3, 5, 2]",
        vec![input(&[4, 5]), input(&[3, 5, 2])],
        |x| x[0].matmul(&x[1]),
        |x| r::matmul(&r::expand(&x[0], &[3, 4, 5]), &x[1], false, false),
    ));
    // Bilinear, so smooth everywhere; the GPU may add in another order.
    cases
        .into_iter()
        .map(|c| c.tol(Tol::ACCUMULATE).accumulating())
        .collect()
}
