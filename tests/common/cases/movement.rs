//! Rows of the movement ops (reshape, permute, expand, slice, concat) and the indexed
//! ones (gather_rows, scatter_add_rows). Movement copies values, so it is exact
//! everywhere and linear (smooth) in its input.

use super::super::case::{diff, no_grad, Case, Input, Tol};
use super::super::reference as r;
use super::super::{permutations, uniform};
use gradlab::rng::Rng;
use gradlab::tensor::BinaryOp;
use gradlab::Tensor;

/// A differentiable input of `dims` with values in [-2, 2).
fn input(rng: &mut Rng, dims: &[usize]) -> Input {
    diff(dims, uniform(rng, r::numel(dims), -2.0, 2.0))
}

/// `from -> to` reshapes: merges, splits, size-1 axes, rank 0, empty.
const RESHAPES: &[(&[usize], &[usize])] = &[
    (&[2, 3, 4], &[4, 6]),
    (&[2, 3, 4], &[24]),
    (&[24], &[2, 1, 3, 4]),
    (&[], &[1, 1]),
    (&[1], &[]),
    (&[7, 13], &[13, 7]),
    (&[6], &[1, 2, 3]),
    (&[0, 3], &[3, 0]),
];

/// Reshapes, and a reshaped view read twice by a binary kernel (its gradient sums).
pub fn reshape_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases: Vec<Case> = RESHAPES
        .iter()
        .map(|&(from, to)| {
            Case::new(
                format!("reshape {from:?} -> {to:?}"),
                vec![input(rng, from)],
                move |x| x[0].reshape(to),
                move |x| r::reshape(&x[0], to),
            )
            .tol(Tol::EXACT)
        })
        .collect();
    cases.push(
        Case::new(
            "reshape [2, 3, 4] -> [6, 4], times itself",
            vec![input(rng, &[2, 3, 4])],
            |x| x[0].reshape(&[6, 4]).mul(&x[0].reshape(&[6, 4])),
            |x| {
                let y = r::reshape(&x[0], &[6, 4]);
                r::binary(BinaryOp::Mul, &y, &y)
            },
        )
        .tol(Tol::SAME_ORDER),
    );
    cases
}

/// Axis orders of a permutation.
type Perms = &'static [&'static [usize]];

/// Which permutations of a shape's axes a row takes.
const PERMUTES: &[(&[usize], Option<Perms>)] = &[
    (&[], None),
    (&[7], None),
    (&[3, 5], None),
    (&[2, 3, 4], None),
    (&[2, 3, 1, 5], None),
    (&[2, 1, 3, 2], None),
    (&[2, 3, 17], None),
    (&[2, 1, 3, 5], Some(&[&[3, 1, 0, 2], &[1, 0, 3, 2]])),
];

/// Every permutation (`None`) or the listed ones of each shape, and `transpose`.
pub fn permute_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(dims, perms) in PERMUTES {
        let perms = match perms {
            None => permutations(dims.len()),
            Some(list) => list.iter().map(|p| p.to_vec()).collect(),
        };
        for perm in perms {
            let p = perm.clone();
            cases.push(Case::new(
                format!("permute {dims:?} by {perm:?}"),
                vec![input(rng, dims)],
                move |x| x[0].permute(&perm),
                move |x| r::permute(&x[0], &p),
            ));
        }
    }
    // transpose is a permutation swapping two axes.
    cases.push(Case::new(
        "transpose [2, 3, 4] axes 0, 2",
        vec![input(rng, &[2, 3, 4])],
        |x| x[0].transpose(0, 2),
        |x| r::permute(&x[0], &[2, 1, 0]),
    ));
    cases.into_iter().map(|c| c.tol(Tol::EXACT)).collect()
}

/// `from -> to` broadcasts: size-1 axes, missing leading axes, rank 0, to empty.
const EXPANDS: &[(&[usize], &[usize])] = &[
    (&[3, 1], &[2, 3, 4]),
    (&[], &[2, 3]),
    (&[1], &[7]),
    (&[2, 1, 4], &[2, 5, 4]),
    (&[1, 3, 1, 1], &[2, 3, 4, 5]),
    (&[3], &[2, 1, 3]),
    (&[5], &[5]),
    (&[1, 3, 1, 1], &[2, 3, 2, 2]),
    (&[3, 1], &[2, 3, 5]),
    (&[], &[4]),
    (&[1], &[0]),
    (&[1, 4], &[3, 1, 4]),
];

/// Every row of [`EXPANDS`].
pub fn expand_cases(rng: &mut Rng) -> Vec<Case> {
    EXPANDS
        .iter()
        .map(|&(from, to)| {
            Case::new(
                format!("expand {from:?} -> {to:?}"),
                vec![input(rng, from)],
                move |x| x[0].expand(to),
                move |x| r::expand(&x[0], to),
            )
            .tol(Tol::EXACT)
        })
        .collect()
}

/// Slice ranges, one `[start, end)` per axis.
type Ranges = &'static [(usize, usize)];

/// Whole axes, last elements, interiors, empty ranges, long rows, rank 0 to 4.
const SLICES: &[(&[usize], Ranges)] = &[
    (&[], &[]),
    (&[7], &[(0, 7)]),
    (&[7], &[(6, 7)]),
    (&[7], &[(2, 5)]),
    (&[7, 13], &[(1, 6), (0, 13)]),
    (&[7, 13], &[(0, 7), (12, 13)]),
    (&[7, 13], &[(3, 4), (2, 11)]),
    (&[7, 13], &[(2, 2), (0, 13)]),
    (&[5, 7], &[(1, 4), (0, 7)]),
    (&[5, 7], &[(0, 5), (6, 7)]),
    (&[5, 7], &[(1, 4), (2, 7)]),
    (&[5, 7], &[(2, 2), (0, 7)]),
    (&[2, 3, 4], &[(0, 2), (1, 2), (1, 4)]),
    (&[2, 3, 4, 5], &[(1, 2), (0, 3), (1, 3), (2, 5)]),
    (&[2, 3, 4, 5], &[(0, 2), (1, 2), (0, 4), (0, 1)]),
    (&[2, 3, 4, 3], &[(1, 2), (0, 3), (1, 3), (0, 2)]),
    (&[300], &[(13, 290)]),
];

/// Every row of [`SLICES`], and `narrow` (a slice of one axis).
pub fn slice_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases: Vec<Case> = SLICES
        .iter()
        .map(|&(dims, ranges)| {
            Case::new(
                format!("slice {dims:?} to {ranges:?}"),
                vec![input(rng, dims)],
                move |x| x[0].slice(ranges),
                move |x| r::slice(&x[0], ranges),
            )
        })
        .collect();
    cases.push(Case::new(
        "narrow [3, 7] axis 1 from 2 len 4",
        vec![input(rng, &[3, 7])],
        |x| x[0].narrow(1, 2, 4),
        |x| r::slice(&x[0], &[(0, 3), (2, 6)]),
    ));
    cases.into_iter().map(|c| c.tol(Tol::EXACT)).collect()
}

/// Shapes whose parts, of sizes 1, 2 and 3 along the axis, are joined on every axis.
const CONCAT_BASES: &[&[usize]] = &[&[2], &[2, 3, 4], &[2, 3, 1, 5], &[2, 3, 2]];

/// Explicit parts and axis: unequal parts, an empty part, one part.
const CONCAT_PARTS: &[(&[&[usize]], usize)] = &[
    (&[&[2, 3], &[2, 5]], 1),
    (&[&[2, 3], &[4, 3], &[1, 3]], 0),
    (&[&[2, 3, 4], &[2, 3, 0], &[2, 3, 9]], 2),
    (&[&[3, 1, 2], &[3, 2, 2]], 1),
    (&[&[2, 0], &[2, 3]], 1),
    (&[&[3, 5]], 1),
];

/// Every row of [`CONCAT_BASES`] and [`CONCAT_PARTS`].
pub fn concat_cases(rng: &mut Rng) -> Vec<Case> {
    let mut rows: Vec<(Vec<Vec<usize>>, usize)> = Vec::new();
    for &base in CONCAT_BASES {
        for axis in 0..base.len() {
            let parts: Vec<Vec<usize>> = (1..=3)
                .map(|len| {
                    let mut d = base.to_vec();
                    d[axis] = len;
                    d
                })
                .collect();
            // Bases of equal rank share the rows whose axis is the last.
            if !rows.contains(&(parts.clone(), axis)) {
                rows.push((parts, axis));
            }
        }
    }
    for &(parts, axis) in CONCAT_PARTS {
        rows.push((parts.iter().map(|p| p.to_vec()).collect(), axis));
    }
    rows.into_iter()
        .map(|(dims, axis)| {
            let parts = dims.iter().map(|d| input(rng, d)).collect();
            Case::new(
                format!("concat {dims:?} on axis {axis}"),
                parts,
                move |x| Tensor::concat(x, axis),
                move |x| r::concat(x, axis),
            )
            .tol(Tol::EXACT)
        })
        .collect()
}

/// Indices in range and repeated (gradients of gather accumulate, scatter fans out).
const REPEATED: &[f32] = &[0.0, 4.0, 4.0, 2.0, 0.0, 0.0, 1.0];
/// In range, repeated, negative, past the end, fractional, NaN.
const HOSTILE: &[f32] = &[0.0, 6.0, 3.0, 3.0, -1.0, 7.0, 2.5, 1.0, f32::NAN, 6.0];

/// `(table dims, indices)`: an index out of range or not whole gives a zero row.
const GATHERS: &[(&[usize], &[f32])] = &[
    (&[5, 3], REPEATED),
    (&[1, 7], &[0.0, 0.0, 0.0]),
    (&[13, 1], &[12.0, 0.0, 5.0, 5.0]),
    (&[3, 2], &[3.0, -1.0, 1.5, 2.0]),
    (&[7, 5], HOSTILE),
    (&[7, 0], HOSTILE),
];

/// Every row of [`GATHERS`]: a copy, so exact.
pub fn gather_cases(rng: &mut Rng) -> Vec<Case> {
    GATHERS
        .iter()
        .map(|&(table, idx)| {
            Case::new(
                format!("gather_rows {table:?} at {idx:?}"),
                vec![input(rng, table), no_grad(&[idx.len()], idx.to_vec())],
                |x| x[0].gather_rows(&x[1]),
                |x| r::gather_rows(&x[0], &x[1]),
            )
            .tol(Tol::EXACT)
        })
        .collect()
}

/// `(source columns, indices, output rows)`: out-of-range indices are dropped.
const SCATTERS: &[(usize, &[f32], usize)] = &[
    (3, REPEATED, 5),
    (3, REPEATED, 6),
    (3, &[0.0, 0.0, 0.0], 1),
    (3, &[12.0, 0.0, 5.0, 5.0], 13),
    (3, &[3.0, -1.0, 1.5, 2.0], 3),
    (5, HOSTILE, 7),
    (3, HOSTILE, 0),
];

/// Every row of [`SCATTERS`]: sums in index order on both devices.
pub fn scatter_cases(rng: &mut Rng) -> Vec<Case> {
    SCATTERS
        .iter()
        .map(|&(cols, idx, rows)| {
            let src = [idx.len(), cols];
            Case::new(
                format!("scatter_add_rows {src:?} at {idx:?} into {rows} rows"),
                vec![input(rng, &src), no_grad(&[idx.len()], idx.to_vec())],
                move |x| x[0].scatter_add_rows(&x[1], rows),
                move |x| r::scatter_add_rows(&x[0], &x[1], rows),
            )
            .tol(Tol::SAME_ORDER)
        })
        .collect()
}
