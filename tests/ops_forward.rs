//! Forward values of every primitive op against a straightforward f64 reference
//! (`common::reference`), on every device. Cases are built by an exhaustive `match`
//! over `OpKind::all()`, so a new op does not compile until it has cases here.

mod common;

use common::reference::{self as r, Ref};
use common::{
    assert_no_failures, axis_subsets, check_forward, constant, failures, grid, on_each_device,
    permutations, uniform, Case, TOL_ACCUMULATE, TOL_EXACT,
};
use gradlab::rng::Rng;
use gradlab::tensor::{BinaryOp, OpKind, ReduceOp, UnaryOp};
use gradlab::{Device, Tensor};

/// Shapes for elementwise ops: rank 0 to 4, size 1, odd sizes, empty.
const SHAPES: &[&[usize]] = &[
    &[],
    &[1],
    &[7],
    &[13],
    &[3, 5],
    &[2, 3, 4],
    &[2, 3, 1, 5],
    &[0, 3],
];

/// Broadcasting pairs: column x row, scalar x matrix (both ways), rank 3 x rank 2,
/// size 1 x odd, rank 4 x rank 4, empty.
const PAIRS: &[(&[usize], &[usize])] = &[
    (&[2, 3], &[2, 3]),
    (&[3, 1], &[4]),
    (&[], &[2, 3]),
    (&[2, 3], &[]),
    (&[2, 1, 4], &[3, 1]),
    (&[1], &[7]),
    (&[13], &[13]),
    (&[2, 1, 3, 1], &[1, 4, 1, 5]),
    (&[0, 3], &[3]),
    (&[2, 0], &[2, 1]),
];

/// A wider range than the gradient-check domain: positive-only domains stretch towards
/// zero and upwards, the others by four.
fn widen((lo, hi): (f32, f32)) -> (f32, f32) {
    if lo > 0.0 {
        (lo / 16.0, hi * 8.0)
    } else {
        (lo * 4.0, hi * 4.0)
    }
}

fn unary_cases(op: UnaryOp, rng: &mut Rng) -> Vec<Case> {
    let (lo, hi) = widen(op.smooth_domain());
    SHAPES
        .iter()
        .map(|&dims| {
            let n = r::numel(dims);
            let mut data = uniform(rng, n, lo, hi);
            // Exact zeros (relu's and abs's kinks) where the domain holds them.
            if lo < 0.0 && n > 2 {
                data[n / 2] = 0.0;
            }
            Case::new(
                format!("{} {dims:?}", op.wgsl_entry()),
                vec![constant(dims, data)],
                move |x| x[0].unary(op),
                move |x| r::unary(op, &x[0]),
            )
        })
        .collect()
}

/// Whether the op's result depends on exact ties, so inputs come from a small grid.
fn ties_matter(op: BinaryOp) -> bool {
    match op {
        BinaryOp::Max | BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Eq => true,
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Pow => false,
    }
}

fn binary_cases(op: BinaryOp, rng: &mut Rng) -> Vec<Case> {
    let ((alo, ahi), (blo, bhi)) = op.smooth_domain();
    let ((alo, ahi), (blo, bhi)) = (widen((alo, ahi)), widen((blo, bhi)));
    PAIRS
        .iter()
        .map(|&(da, db)| {
            let (na, nb) = (r::numel(da), r::numel(db));
            let (a, b) = if ties_matter(op) {
                let g = [-1.0, -0.5, 0.0, 0.5, 1.0];
                (grid(rng, na, &g), grid(rng, nb, &g))
            } else {
                (uniform(rng, na, alo, ahi), uniform(rng, nb, blo, bhi))
            };
            Case::new(
                format!("{} {da:?} x {db:?}", op.wgsl_entry()),
                vec![constant(da, a), constant(db, b)],
                move |x| x[0].binary(op, &x[1]),
                move |x| r::binary(op, &x[0], &x[1]),
            )
        })
        .collect()
}

fn select_cases(rng: &mut Rng) -> Vec<Case> {
    let shapes: [[&[usize]; 3]; 5] = [
        [&[2, 3], &[2, 3], &[2, 3]],
        [&[3, 1], &[4], &[3, 4]],
        [&[], &[2, 3], &[1, 3]],
        [&[2, 1, 4], &[3, 1], &[]],
        [&[2, 1, 1, 5], &[1, 3, 1, 1], &[2, 3, 4, 5]],
    ];
    shapes
        .iter()
        .map(|&[dc, da, db]| {
            // Any non-zero condition selects `a`, negative and fractional ones too.
            let c = grid(rng, r::numel(dc), &[0.0, 1.0, -2.0, 0.5]);
            let a = uniform(rng, r::numel(da), -2.0, 2.0);
            let b = uniform(rng, r::numel(db), -2.0, 2.0);
            Case::new(
                format!("select {dc:?} ? {da:?} : {db:?}"),
                vec![constant(dc, c), constant(da, a), constant(db, b)],
                |x| Tensor::select(&x[0], &x[1], &x[2]),
                |x| r::select(&x[0], &x[1], &x[2]),
            )
        })
        .collect()
}

fn reduce_cases(op: ReduceOp, rng: &mut Rng) -> Vec<Case> {
    // Reducing an empty axis gives the identity (0 for sum, -inf for max).
    let shapes: &[&[usize]] = &[
        &[],
        &[1],
        &[7],
        &[7, 13],
        &[3, 1, 5],
        &[2, 3, 4, 5],
        &[0, 3],
    ];
    let mut cases = Vec::new();
    for (s, &dims) in shapes.iter().enumerate() {
        for axes in axis_subsets(dims.len()) {
            let n = r::numel(dims);
            // Every other shape draws from a grid, so that maxima tie.
            let data = if s % 2 == 1 {
                grid(rng, n, &[-1.0, 0.0, 0.5, 1.0])
            } else {
                uniform(rng, n, -2.0, 2.0)
            };
            // The primitive, and the API that drops the reduced axes.
            let kept: Vec<usize> = (0..dims.len())
                .filter(|a| !axes.contains(a))
                .map(|a| dims[a])
                .collect();
            for keepdim in [true, false] {
                let (ax, ax_ref, kept) = (axes.clone(), axes.clone(), kept.clone());
                cases.push(Case::with_tol(
                    TOL_ACCUMULATE,
                    format!("{} {dims:?} over {axes:?}, keepdim {keepdim}", op.name()),
                    vec![constant(dims, data.clone())],
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
                ));
            }
        }
    }
    cases
}

/// A constant input of `dims` with values in [-2, 2).
fn input(rng: &mut Rng, dims: &[usize]) -> common::Input {
    constant(dims, uniform(rng, r::numel(dims), -2.0, 2.0))
}

/// Exact cases `op(x of dims from) -> dims to` of a shape-to-shape movement op.
fn shape_cases(
    rng: &mut Rng,
    name: &'static str,
    pairs: &[(&[usize], &'static [usize])],
    op: fn(&Tensor, &[usize]) -> Tensor,
    reference: fn(&Ref, &[usize]) -> Ref,
) -> Vec<Case> {
    let cases = pairs.iter().map(|&(from, to)| {
        Case::with_tol(
            TOL_EXACT,
            format!("{name} {from:?} -> {to:?}"),
            vec![input(rng, from)],
            move |x| op(&x[0], to),
            move |x| reference(&x[0], to),
        )
    });
    cases.collect()
}

const RESHAPES: &[(&[usize], &[usize])] = &[
    (&[2, 3, 4], &[4, 6]),
    (&[2, 3, 4], &[24]),
    (&[24], &[2, 1, 3, 4]),
    (&[], &[1, 1]),
    (&[1], &[]),
    (&[7, 13], &[13, 7]),
];

const EXPANDS: &[(&[usize], &[usize])] = &[
    (&[3, 1], &[2, 3, 4]),
    (&[], &[2, 3]),
    (&[1], &[7]),
    (&[2, 1, 4], &[2, 5, 4]),
    (&[1, 3, 1, 1], &[2, 3, 4, 5]),
    (&[3], &[2, 1, 3]),
    (&[5], &[5]),
];

fn permute_cases(rng: &mut Rng) -> Vec<Case> {
    let shapes: &[&[usize]] = &[&[], &[7], &[3, 5], &[2, 3, 4], &[2, 3, 1, 5]];
    let mut cases = Vec::new();
    for &dims in shapes {
        for perm in permutations(dims.len()) {
            let p = perm.clone();
            cases.push(Case::with_tol(
                TOL_EXACT,
                format!("permute {dims:?} by {perm:?}"),
                vec![input(rng, dims)],
                move |x| x[0].permute(&perm),
                move |x| r::permute(&x[0], &p),
            ));
        }
    }
    // transpose is a permutation swapping two axes.
    cases.push(Case::with_tol(
        TOL_EXACT,
        "transpose [2, 3, 4] axes 0, 2",
        vec![input(rng, &[2, 3, 4])],
        |x| x[0].transpose(0, 2),
        |x| r::permute(&x[0], &[2, 1, 0]),
    ));
    cases
}

fn slice_cases(rng: &mut Rng) -> Vec<Case> {
    type Ranges = &'static [(usize, usize)];
    let cases: &[(&[usize], Ranges)] = &[
        (&[], &[]),
        (&[7], &[(0, 7)]),
        (&[7], &[(6, 7)]),
        (&[7, 13], &[(1, 6), (0, 13)]),
        (&[7, 13], &[(0, 7), (12, 13)]),
        (&[7, 13], &[(3, 4), (2, 11)]),
        (&[7, 13], &[(2, 2), (0, 13)]),
        (&[2, 3, 4, 5], &[(1, 2), (0, 3), (1, 3), (2, 5)]),
        (&[2, 3, 4, 5], &[(0, 2), (1, 2), (0, 4), (0, 1)]),
    ];
    let mut out: Vec<Case> = cases
        .iter()
        .map(|&(dims, ranges)| {
            Case::with_tol(
                TOL_EXACT,
                format!("slice {dims:?} to {ranges:?}"),
                vec![input(rng, dims)],
                move |x| x[0].slice(ranges),
                move |x| r::slice(&x[0], ranges),
            )
        })
        .collect();
    // narrow is a slice of one axis.
    out.push(Case::with_tol(
        TOL_EXACT,
        "narrow [3, 7] axis 1 from 2 len 4",
        vec![input(rng, &[3, 7])],
        |x| x[0].narrow(1, 2, 4),
        |x| r::slice(&x[0], &[(0, 3), (2, 6)]),
    ));
    out
}

fn concat_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    // Parts differ in size along the axis (1, 2, 3), so every axis of ranks 1, 3, 4.
    for base in [&[2usize][..], &[2, 3, 4], &[2, 3, 1, 5]] {
        for axis in 0..base.len() {
            let parts: Vec<common::Input> = (1..=3)
                .map(|len| {
                    let mut d = base.to_vec();
                    d[axis] = len;
                    input(rng, &d)
                })
                .collect();
            let dims: Vec<Vec<usize>> = parts.iter().map(|p| p.dims.clone()).collect();
            cases.push(Case::with_tol(
                TOL_EXACT,
                format!("concat {dims:?} on axis {axis}"),
                parts,
                move |x| Tensor::concat(x, axis),
                move |x| r::concat(x, axis),
            ));
        }
    }
    cases.push(Case::with_tol(
        TOL_EXACT,
        "concat [2, 0] and [2, 3] on axis 1",
        vec![input(rng, &[2, 0]), input(rng, &[2, 3])],
        |x| Tensor::concat(x, 1),
        |x| r::concat(x, 1),
    ));
    cases.push(Case::with_tol(
        TOL_EXACT,
        "concat of one part",
        vec![input(rng, &[3, 5])],
        |x| Tensor::concat(x, 1),
        |x| r::concat(x, 1),
    ));
    cases
}

/// `(table or src dims, indices, rows of the scatter output)`; indices repeat, and the
/// last cases hold indices out of range or not whole (zero rows / dropped, by contract).
const INDEXED: &[(&[usize], &[f32], usize)] = &[
    (&[5, 3], &[0.0, 4.0, 4.0, 2.0, 0.0, 0.0, 1.0], 5),
    (&[1, 7], &[0.0, 0.0, 0.0], 1),
    (&[13, 1], &[12.0, 0.0, 5.0, 5.0], 13),
    (&[3, 2], &[3.0, -1.0, 1.5, 2.0], 3),
];

fn gather_cases(rng: &mut Rng) -> Vec<Case> {
    INDEXED
        .iter()
        .map(|&(table, idx, _)| {
            Case::with_tol(
                TOL_EXACT,
                format!("gather_rows {table:?} at {idx:?}"),
                vec![input(rng, table), constant(&[idx.len()], idx.to_vec())],
                |x| x[0].gather_rows(&x[1]),
                |x| r::gather_rows(&x[0], &x[1]),
            )
        })
        .collect()
}

fn scatter_cases(rng: &mut Rng) -> Vec<Case> {
    INDEXED
        .iter()
        .map(|&(_, idx, rows)| {
            let src = [idx.len(), 3];
            Case::new(
                format!("scatter_add_rows {src:?} at {idx:?} into {rows} rows"),
                vec![input(rng, &src), constant(&[idx.len()], idx.to_vec())],
                move |x| x[0].scatter_add_rows(&x[1], rows),
                move |x| r::scatter_add_rows(&x[0], &x[1], rows),
            )
        })
        .collect()
}

fn matmul_cases(rng: &mut Rng) -> Vec<Case> {
    // (batch, m, k, n): 1 x 1, odd sizes, sizes that cross the CPU's 4 x 8 tiles, batch,
    // empty (k = 0 gives zeros).
    let sizes: &[(Option<usize>, usize, usize, usize)] = &[
        (None, 1, 1, 1),
        (None, 3, 5, 4),
        (None, 7, 13, 9),
        (None, 17, 33, 65),
        (Some(3), 4, 6, 5),
        (Some(1), 9, 2, 11),
        (None, 2, 0, 3),
        (None, 0, 4, 3),
    ];
    let mut cases = Vec::new();
    for &(batch, m, k, n) in sizes {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut da = if ta { vec![k, m] } else { vec![m, k] };
            let mut db = if tb { vec![n, k] } else { vec![k, n] };
            if let Some(b) = batch {
                da.insert(0, b);
                db.insert(0, b);
            }
            cases.push(Case::with_tol(
                TOL_ACCUMULATE,
                format!("matmul {da:?} x {db:?} trans_a={ta} trans_b={tb}"),
                vec![input(rng, &da), input(rng, &db)],
                move |x| x[0].matmul_t(&x[1], ta, tb),
                move |x| r::matmul(&x[0], &x[1], ta, tb),
            ));
        }
    }
    // `matmul` broadcasts a rank-2 operand over the other's batch.
    cases.push(Case::with_tol(
        TOL_ACCUMULATE,
        "matmul [3, 4, 5] x [5, 2]",
        vec![input(rng, &[3, 4, 5]), input(rng, &[5, 2])],
        |x| x[0].matmul(&x[1]),
        |x| r::matmul(&x[0], &r::expand(&x[1], &[3, 5, 2]), false, false),
    ));
    cases.push(Case::with_tol(
        TOL_ACCUMULATE,
        "matmul [4, 5] x [3, 5, 2]",
        vec![input(rng, &[4, 5]), input(rng, &[3, 5, 2])],
        |x| x[0].matmul(&x[1]),
        |x| r::matmul(&r::expand(&x[0], &[3, 4, 5]), &x[1], false, false),
    ));
    cases
}

/// The forward cases of one primitive.
fn cases(kind: OpKind, rng: &mut Rng) -> Vec<Case> {
    match kind {
        OpKind::Unary(op) => unary_cases(op, rng),
        OpKind::Binary(op) => binary_cases(op, rng),
        OpKind::Select => select_cases(rng),
        OpKind::Reduce(op) => reduce_cases(op, rng),
        OpKind::Reshape => shape_cases(rng, "reshape", RESHAPES, Tensor::reshape, r::reshape),
        OpKind::Permute => permute_cases(rng),
        OpKind::Expand => shape_cases(rng, "expand", EXPANDS, Tensor::expand, r::expand),
        OpKind::Slice => slice_cases(rng),
        OpKind::Concat => concat_cases(rng),
        OpKind::GatherRows => gather_cases(rng),
        OpKind::ScatterAddRows => scatter_cases(rng),
        OpKind::Matmul => matmul_cases(rng),
    }
}

fn every_op_matches_reference_on(device: &Device) {
    let mut rng = Rng::new(0xF0_0D);
    let (mut failed, mut total) = (Vec::new(), 0);
    for kind in OpKind::all() {
        let cases = cases(kind, &mut rng);
        if cases.is_empty() {
            failed.push(format!("{} has no case", kind.name()));
        }
        total += cases.len();
        failed.extend(failures(&cases, |c| check_forward(device, c)));
    }
    assert_no_failures(&failed, total);
}

#[test]
fn every_op_matches_f64_reference() {
    on_each_device(every_op_matches_reference_on);
}
