//! Gradients of every primitive op from `backward()` against central finite
//! differences of the f64 reference (`common::reference`), on every device. Cases come
//! from an exhaustive `match` over `OpKind::all()`; inputs stay inside each op's
//! `smooth_domain()` and away from kinks (zero for relu and abs, ties for max).
//! Comparisons, conditions and indices must receive no gradient.

mod common;

use common::reference::{self as r, Ref};
use common::{
    assert_no_failures, away_from_zero, axis_subsets, check_forward, check_grad, constant, diff,
    distinct, failures, grid, no_grad, on_each_device, permutations, uniform, Case, Input,
};
use gradlab::rng::Rng;
use gradlab::tensor::{BinaryOp, OpKind, ReduceOp, UnaryOp};
use gradlab::{Device, Tensor};

/// Values in `(lo, hi)` that keep 0.1 away from zero when the interval holds it.
fn smooth(rng: &mut Rng, n: usize, (lo, hi): (f32, f32)) -> Vec<f32> {
    if lo < 0.0 && hi > 0.0 {
        away_from_zero(rng, n, lo, hi, 0.1)
    } else {
        uniform(rng, n, lo, hi)
    }
}

/// A differentiable input of `dims` with distinct values in [-2, 2) (no ties, so max
/// reductions are smooth too).
fn input(rng: &mut Rng, dims: &[usize]) -> Input {
    diff(dims, distinct(rng, r::numel(dims), -2.0, 2.0))
}

fn unary_cases(op: UnaryOp, rng: &mut Rng) -> Vec<Case> {
    let shapes: &[&[usize]] = &[&[], &[7], &[2, 3], &[1, 2, 1, 3]];
    shapes
        .iter()
        .map(|&dims| {
            let data = smooth(rng, r::numel(dims), op.smooth_domain());
            Case::new(
                format!("{} {dims:?}", op.wgsl_entry()),
                vec![diff(dims, data)],
                move |x| x[0].unary(op),
                move |x| r::unary(op, &x[0]),
            )
        })
        .collect()
}

fn binary_cases(op: BinaryOp, rng: &mut Rng) -> Vec<Case> {
    let pairs: &[(&[usize], &[usize])] = &[
        (&[2, 3], &[2, 3]),
        (&[3, 1], &[4]),
        (&[], &[2, 3]),
        (&[2, 3], &[]),
        (&[2, 1, 4], &[3, 1]),
        (&[2, 1, 3, 1], &[1, 4, 1, 2]),
    ];
    let (dom_a, dom_b) = op.smooth_domain();
    pairs
        .iter()
        .map(|&(da, db)| {
            let (na, nb) = (r::numel(da), r::numel(db));
            // One pool of distinct values for both operands when they share a domain:
            // no pair that broadcasting forms is a tie (max's kink).
            let (a, b) = if dom_a == dom_b {
                let pool = distinct(rng, na + nb, dom_a.0, dom_a.1);
                (pool[..na].to_vec(), pool[na..].to_vec())
            } else {
                (smooth(rng, na, dom_a), smooth(rng, nb, dom_b))
            };
            let inputs = if op.is_comparison() {
                vec![no_grad(da, a), no_grad(db, b)]
            } else {
                vec![diff(da, a), diff(db, b)]
            };
            Case::new(
                format!("{} {da:?} x {db:?}", op.wgsl_entry()),
                inputs,
                move |x| x[0].binary(op, &x[1]),
                move |x| r::binary(op, &x[0], &x[1]),
            )
        })
        .collect()
}

fn select_cases(rng: &mut Rng) -> Vec<Case> {
    let shapes: [[&[usize]; 3]; 3] = [
        [&[2, 3], &[2, 3], &[2, 3]],
        [&[3, 1], &[4], &[3, 4]],
        [&[2, 3], &[], &[2, 1]],
    ];
    shapes
        .iter()
        .map(|&[dc, da, db]| {
            let c = grid(rng, r::numel(dc), &[0.0, 1.0]);
            Case::new(
                format!("select {dc:?} ? {da:?} : {db:?}"),
                vec![no_grad(dc, c), input(rng, da), input(rng, db)],
                |x| Tensor::select(&x[0], &x[1], &x[2]),
                |x| r::select(&x[0], &x[1], &x[2]),
            )
        })
        .collect()
}

fn reduce_cases(op: ReduceOp, rng: &mut Rng) -> Vec<Case> {
    let shapes: &[&[usize]] = &[&[], &[7], &[3, 1, 5], &[2, 3, 2, 3]];
    let mut cases = Vec::new();
    for &dims in shapes {
        for axes in axis_subsets(dims.len()) {
            let (ax, ax_ref) = (axes.clone(), axes.clone());
            cases.push(Case::new(
                format!("{} {dims:?} over {axes:?}", op.wgsl_entry()),
                vec![input(rng, dims)],
                move |x| x[0].reduce_keepdim(op, &ax),
                move |x| r::reduce(op, &x[0], &ax_ref),
            ));
        }
    }
    cases
}

fn reshape_cases(rng: &mut Rng) -> Vec<Case> {
    let pairs: &[(&[usize], &[usize])] =
        &[(&[2, 3, 4], &[4, 6]), (&[], &[1, 1]), (&[6], &[1, 2, 3])];
    pairs
        .iter()
        .map(|&(from, to)| {
            Case::new(
                format!("reshape {from:?} -> {to:?}"),
                vec![input(rng, from)],
                move |x| x[0].reshape(to),
                move |x| r::reshape(&x[0], to),
            )
        })
        .collect()
}

fn permute_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for dims in [&[2usize, 3, 4][..], &[2, 1, 3, 2]] {
        for perm in permutations(dims.len()) {
            let p = perm.clone();
            cases.push(Case::new(
                format!("permute {dims:?} by {perm:?}"),
                vec![input(rng, dims)],
                move |x| x[0].permute(&perm),
                move |x| r::permute(&x[0], &p),
            ));
        }
    }
    cases
}

fn expand_cases(rng: &mut Rng) -> Vec<Case> {
    let pairs: &[(&[usize], &[usize])] = &[
        (&[3, 1], &[2, 3, 4]),
        (&[], &[2, 3]),
        (&[3], &[2, 1, 3]),
        (&[1, 3, 1, 1], &[2, 3, 2, 2]),
    ];
    pairs
        .iter()
        .map(|&(from, to)| {
            Case::new(
                format!("expand {from:?} -> {to:?}"),
                vec![input(rng, from)],
                move |x| x[0].expand(to),
                move |x| r::expand(&x[0], to),
            )
        })
        .collect()
}

fn slice_cases(rng: &mut Rng) -> Vec<Case> {
    type Ranges = &'static [(usize, usize)];
    let cases: &[(&[usize], Ranges)] = &[
        (&[7], &[(2, 5)]),
        (&[5, 7], &[(1, 4), (0, 7)]),
        (&[5, 7], &[(0, 5), (6, 7)]),
        (&[2, 3, 4, 3], &[(1, 2), (0, 3), (1, 3), (0, 2)]),
    ];
    cases
        .iter()
        .map(|&(dims, ranges)| {
            Case::new(
                format!("slice {dims:?} to {ranges:?}"),
                vec![input(rng, dims)],
                move |x| x[0].slice(ranges),
                move |x| r::slice(&x[0], ranges),
            )
        })
        .collect()
}

fn concat_cases(rng: &mut Rng) -> Vec<Case> {
    let base = [2usize, 3, 2];
    (0..base.len())
        .map(|axis| {
            let parts: Vec<Input> = (1..=3)
                .map(|len| {
                    let mut d = base.to_vec();
                    d[axis] = len;
                    input(rng, &d)
                })
                .collect();
            Case::new(
                format!("concat {base:?}-like parts on axis {axis}"),
                parts,
                move |x| Tensor::concat(x, axis),
                move |x| r::concat(x, axis),
            )
        })
        .collect()
}

/// Repeated indices, so gradients of gather must accumulate and scatter must fan out.
const IDX: &[f32] = &[0.0, 4.0, 4.0, 2.0, 0.0, 0.0, 1.0];

fn gather_cases(rng: &mut Rng) -> Vec<Case> {
    vec![Case::new(
        format!("gather_rows [5, 3] at {IDX:?}"),
        vec![input(rng, &[5, 3]), no_grad(&[IDX.len()], IDX.to_vec())],
        |x| x[0].gather_rows(&x[1]),
        |x| r::gather_rows(&x[0], &x[1]),
    )]
}

fn scatter_cases(rng: &mut Rng) -> Vec<Case> {
    vec![Case::new(
        format!("scatter_add_rows [7, 3] at {IDX:?} into 6 rows"),
        vec![
            input(rng, &[IDX.len(), 3]),
            no_grad(&[IDX.len()], IDX.to_vec()),
        ],
        |x| x[0].scatter_add_rows(&x[1], 6),
        |x| r::scatter_add_rows(&x[0], &x[1], 6),
    )]
}

fn matmul_cases(rng: &mut Rng) -> Vec<Case> {
    let sizes: &[(Option<usize>, usize, usize, usize)] =
        &[(None, 1, 1, 1), (None, 3, 5, 4), (Some(2), 3, 4, 5)];
    let mut cases = Vec::new();
    for &(batch, m, k, n) in sizes {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut da = if ta { vec![k, m] } else { vec![m, k] };
            let mut db = if tb { vec![n, k] } else { vec![k, n] };
            if let Some(b) = batch {
                da.insert(0, b);
                db.insert(0, b);
            }
            cases.push(Case::new(
                format!("matmul {da:?} x {db:?} trans_a={ta} trans_b={tb}"),
                vec![input(rng, &da), input(rng, &db)],
                move |x| x[0].matmul_t(&x[1], ta, tb),
                move |x| r::matmul(&x[0], &x[1], ta, tb),
            ));
        }
    }
    cases
}

/// The gradient-check cases of one primitive.
fn cases(kind: OpKind, rng: &mut Rng) -> Vec<Case> {
    match kind {
        OpKind::Unary(op) => unary_cases(op, rng),
        OpKind::Binary(op) => binary_cases(op, rng),
        OpKind::Select => select_cases(rng),
        OpKind::Reduce(op) => reduce_cases(op, rng),
        OpKind::Reshape => reshape_cases(rng),
        OpKind::Permute => permute_cases(rng),
        OpKind::Expand => expand_cases(rng),
        OpKind::Slice => slice_cases(rng),
        OpKind::Concat => concat_cases(rng),
        OpKind::GatherRows => gather_cases(rng),
        OpKind::ScatterAddRows => scatter_cases(rng),
        OpKind::Matmul => matmul_cases(rng),
    }
}

fn every_op_gradient_matches_on(device: &Device) {
    let mut rng = Rng::new(0x6EAD);
    let (mut failed, mut total) = (Vec::new(), 0);
    for kind in OpKind::all() {
        let cases = cases(kind, &mut rng);
        if cases.is_empty() {
            failed.push(format!("{} has no case", kind.name()));
        }
        total += cases.len();
        failed.extend(failures(&cases, |c| check_grad(device, c, &mut rng)));
    }
    assert_no_failures(&failed, total);
}

#[test]
fn every_op_gradient_matches_finite_differences() {
    on_each_device(every_op_gradient_matches_on);
}

/// The check must catch a wrong backward rule: here the op's true derivative is
/// compared with a reference whose derivative differs.
#[test]
fn gradient_check_rejects_a_wrong_gradient() {
    let wrong = Case::new(
        "tanh checked against sigmoid",
        vec![diff(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].tanh(),
        |x| r::unary(UnaryOp::Sigmoid, &x[0]),
    );
    let blocked = Case::new(
        "no gradient where one is due",
        vec![diff(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].detach().exp(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    let leaked = Case::new(
        "gradient into a NoGrad input",
        vec![no_grad(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].exp(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    on_each_device(|d| {
        let mut rng = Rng::new(1);
        for c in [&wrong, &blocked, &leaked] {
            assert!(check_grad(d, c, &mut rng).is_err(), "{} passed", c.name);
        }
    });
}

/// The reference itself must fail loudly on a wrong value, or the suite proves nothing.
#[test]
fn forward_check_rejects_a_wrong_op() {
    let wrong = Case::new(
        "exp computed as tanh",
        vec![constant(&[3], vec![0.5, 1.0, 1.5])],
        |x| x[0].tanh(),
        |x| r::unary(UnaryOp::Exp, &x[0]),
    );
    let shape = Case::new(
        "reshape reported with the wrong shape",
        vec![constant(&[2, 3], vec![1.0; 6])],
        |x| x[0].reshape(&[3, 2]),
        |x: &[Ref]| r::reshape(&x[0], &[6]),
    );
    on_each_device(|d| {
        assert!(check_forward(d, &wrong).is_err());
        assert!(check_forward(d, &shape).is_err());
    });
}
