//! Every op of the vocabulary on the GPU against the CPU backend, forward and backward
//! (gradients from `backward()` on both devices), on seeded random inputs: shapes that
//! are not multiples of the workgroup size, broadcasting edges, size-1 and empty
//! dimensions. The loop over `OpKind::all()` matches exhaustively, so a new op cannot be
//! missed. Matmul sizes and both matmul kernels are in `gpu_matmul.rs`.

mod common;

use common::gpu::{check_parity, cst, gpu_device, var, PCase};
use common::{away_from_zero, distinct, grid, permutations, uniform};
use gradlab::rng::Rng;
use gradlab::tensor::{BinaryOp, OpKind, ReduceOp, UnaryOp};
use gradlab::Tensor;

/// Elementwise math: WGSL's exp/log/pow/division may differ from libm by a few ulp.
const TOL_ELEMENTWISE: f64 = 2e-6;
/// Sums in another (tree) order, and matmuls that may fuse multiply-adds.
const TOL_ACCUMULATE: f64 = 2e-5;
/// Gradients: chains of the above.
const TOL_GRAD: f64 = 5e-5;
/// Movement, select, gather and scatter copy or sum in the CPU's order: exact.
const EXACT: f64 = 0.0;

/// Slice ranges, one `[start, end)` per axis.
type Ranges<'a> = &'a [(usize, usize)];

fn n(dims: &[usize]) -> usize {
    dims.iter().product()
}

/// Shapes for elementwise ops: odd sizes, one past a workgroup, size 1, empty.
const SHAPES: &[&[usize]] = &[
    &[257],
    &[3, 5, 7],
    &[2, 3, 4, 5],
    &[1],
    &[],
    &[0],
    &[4, 0, 3],
];

fn unary_cases(op: UnaryOp, rng: &mut Rng) -> Vec<PCase> {
    let (lo, hi) = op.smooth_domain();
    // Wider than the gradient-check domain, into the tails (sigmoid, tanh, exp).
    let (lo, hi) = if lo > 0.0 {
        (0.05, 20.0)
    } else {
        (lo * 8.0, hi * 8.0)
    };
    SHAPES
        .iter()
        .map(|&d| {
            let x = away_from_zero(rng, n(d), lo, hi, 0.01);
            PCase::new(
                format!("{} {d:?}", op.wgsl_entry()),
                vec![var(d, x)],
                move |t| t[0].unary(op),
            )
        })
        .collect()
}

/// Broadcasting pairs: equal, row/column, scalar, interleaved size-1 axes, empty.
const PAIRS: &[(&[usize], &[usize])] = &[
    (&[257], &[257]),
    (&[3, 1], &[4]),
    (&[], &[2, 3]),
    (&[2, 1, 4], &[3, 1]),
    (&[1, 5, 1, 3], &[2, 1, 7, 1]),
    (&[0, 3], &[3]),
    (&[1], &[1]),
];

fn binary_cases(op: BinaryOp, rng: &mut Rng) -> Vec<PCase> {
    let ((alo, ahi), (blo, bhi)) = op.smooth_domain();
    PAIRS
        .iter()
        .map(|&(da, db)| {
            let (a, b) = if matches!(
                op,
                BinaryOp::Max | BinaryOp::Eq | BinaryOp::Lt | BinaryOp::Gt
            ) {
                // Ties are likely, so the tie rules are compared too.
                let g = [-1.0, 0.0, 0.5, 1.0];
                (grid(rng, n(da), &g), grid(rng, n(db), &g))
            } else {
                (uniform(rng, n(da), alo, ahi), uniform(rng, n(db), blo, bhi))
            };
            let name = format!("{} {da:?} x {db:?}", op.wgsl_entry());
            PCase::new(name, vec![var(da, a), var(db, b)], move |t| {
                t[0].binary(op, &t[1])
            })
        })
        .collect()
}

fn select_cases(rng: &mut Rng) -> Vec<PCase> {
    let shapes: &[[&[usize]; 3]] = &[
        [&[3, 1], &[4], &[3, 4]],
        [&[], &[2, 3], &[1]],
        [&[257], &[257], &[257]],
        [&[0, 2], &[2], &[1]],
    ];
    shapes
        .iter()
        .map(|&[dc, da, db]| {
            // NaN conditions pick `a`, as on the CPU.
            let c = grid(rng, n(dc), &[0.0, 1.0, -2.0, f32::NAN]);
            let inputs = vec![
                cst(dc, c),
                var(da, uniform(rng, n(da), -2.0, 2.0)),
                var(db, uniform(rng, n(db), -2.0, 2.0)),
            ];
            PCase::new(format!("select {dc:?} {da:?} {db:?}"), inputs, |t| {
                Tensor::select(&t[0], &t[1], &t[2])
            })
        })
        .collect()
}

fn reduce_cases(op: ReduceOp, rng: &mut Rng) -> Vec<PCase> {
    let mut cases = Vec::new();
    // Short rows (one thread per row), long rows (a workgroup tree), empty rows.
    let shapes: &[(&[usize], &[&[usize]])] = &[
        (&[5, 7], &[&[], &[0], &[1], &[0, 1]]),
        (&[2, 3, 4], &[&[0], &[1], &[2], &[0, 2], &[0, 1, 2]]),
        (&[3, 1000], &[&[1], &[0]]),
        (&[70, 3], &[&[0]]),
        (&[300], &[&[0]]),
        (&[0, 4], &[&[0], &[1]]),
    ];
    for &(dims, axes_list) in shapes {
        for &axes in axes_list {
            // Distinct values: the max has a unique arg, as a gradient needs.
            let x = distinct(rng, n(dims), -3.0, 3.0);
            let name = format!("{} {dims:?} over {axes:?}", op.wgsl_entry());
            let (axes, sum_axes) = (axes.to_vec(), axes.to_vec());
            let case = PCase::new(name, vec![var(dims, x)], move |t| {
                t[0].reduce_keepdim(op, &axes)
            });
            // Max is exact in any order; a sum's rounding scales with sum |x|.
            cases.push(match op {
                ReduceOp::Sum => {
                    case.accumulating(move |t| t[0].reduce_keepdim(ReduceOp::Sum, &sum_axes))
                }
                ReduceOp::Max => case,
            });
        }
    }
    cases
}

fn movement_cases(kind: OpKind, rng: &mut Rng) -> Vec<PCase> {
    let mut v = Vec::new();
    let mut x = |dims: &[usize]| var(dims, uniform(rng, n(dims), -2.0, 2.0));
    match kind {
        OpKind::Reshape => {
            v.push(PCase::new(
                "reshape [2,3,4] -> [6,4]",
                vec![x(&[2, 3, 4])],
                |t| t[0].reshape(&[6, 4]).mul(&t[0].reshape(&[6, 4])),
            ));
            v.push(PCase::new(
                "reshape [0,3] -> [3,0]",
                vec![x(&[0, 3])],
                |t| t[0].reshape(&[3, 0]),
            ));
        }
        OpKind::Permute => {
            for p in permutations(3) {
                let name = format!("permute [2,3,17] by {p:?}");
                v.push(PCase::new(name, vec![x(&[2, 3, 17])], move |t| {
                    t[0].permute(&p)
                }));
            }
            for p in [vec![3, 1, 0, 2], vec![1, 0, 3, 2]] {
                let name = format!("permute [2,1,3,5] by {p:?}");
                v.push(PCase::new(name, vec![x(&[2, 1, 3, 5])], move |t| {
                    t[0].permute(&p)
                }));
            }
        }
        OpKind::Expand => {
            let cases: &[(&[usize], &[usize])] = &[
                (&[3, 1], &[2, 3, 5]),
                (&[], &[4]),
                (&[1], &[0]),
                (&[1, 4], &[3, 1, 4]),
            ];
            for &(from, to) in cases {
                let to = to.to_vec();
                v.push(PCase::new(
                    format!("expand {from:?} -> {to:?}"),
                    vec![x(from)],
                    move |t| t[0].expand(&to),
                ));
            }
        }
        OpKind::Slice => {
            let cases: &[(&[usize], Ranges)] = &[
                (&[5, 7], &[(1, 4), (2, 7)]),
                (&[2, 3, 4], &[(0, 2), (1, 2), (1, 4)]),
                (&[5, 7], &[(2, 2), (0, 7)]),
                (&[300], &[(13, 290)]),
            ];
            for &(dims, r) in cases {
                let r = r.to_vec();
                v.push(PCase::new(
                    format!("slice {dims:?} {r:?}"),
                    vec![x(dims)],
                    move |t| t[0].slice(&r),
                ));
            }
        }
        OpKind::Concat => {
            let cases: &[(&[&[usize]], usize)] = &[
                (&[&[2, 3], &[2, 5]], 1),
                (&[&[2, 3], &[4, 3], &[1, 3]], 0),
                (&[&[2, 3, 4], &[2, 3, 0], &[2, 3, 9]], 2),
                (&[&[3, 1, 2], &[3, 2, 2]], 1),
            ];
            for &(parts, axis) in cases {
                let inputs = parts.iter().map(|d| x(d)).collect();
                v.push(PCase::new(
                    format!("concat {parts:?} on {axis}"),
                    inputs,
                    move |t| Tensor::concat(t, axis),
                ));
            }
        }
        _ => unreachable!("not a movement op: {kind:?}"),
    }
    v
}

fn index_cases(kind: OpKind, rng: &mut Rng) -> Vec<PCase> {
    // In range, repeated, negative, past the end, fractional, NaN.
    let idx = vec![0.0, 6.0, 3.0, 3.0, -1.0, 7.0, 2.5, 1.0, f32::NAN, 6.0];
    match kind {
        OpKind::GatherRows => vec![
            PCase::new(
                "gather_rows [7,5] by 10 indices",
                vec![
                    var(&[7, 5], uniform(rng, 35, -2.0, 2.0)),
                    cst(&[10], idx.clone()),
                ],
                |t| t[0].gather_rows(&t[1]),
            ),
            PCase::new(
                "gather_rows [7,0] by 10 indices",
                vec![var(&[7, 0], vec![]), cst(&[10], idx)],
                |t| t[0].gather_rows(&t[1]),
            ),
        ],
        OpKind::ScatterAddRows => vec![
            PCase::new(
                "scatter_add_rows [10,5] into 7 rows",
                vec![
                    var(&[10, 5], uniform(rng, 50, -2.0, 2.0)),
                    cst(&[10], idx.clone()),
                ],
                |t| t[0].scatter_add_rows(&t[1], 7),
            ),
            PCase::new(
                "scatter_add_rows [10,3] into 0 rows",
                vec![var(&[10, 3], uniform(rng, 30, -2.0, 2.0)), cst(&[10], idx)],
                |t| t[0].scatter_add_rows(&t[1], 0),
            ),
        ],
        _ => unreachable!("not an index op: {kind:?}"),
    }
}

fn matmul_cases(rng: &mut Rng) -> Vec<PCase> {
    let mut v = Vec::new();
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let (m, k, nn) = (3, 5, 4);
        let da = if ta { [2, k, m] } else { [2, m, k] };
        let db = if tb { [2, nn, k] } else { [2, k, nn] };
        let inputs = vec![
            var(&da, uniform(rng, 2 * m * k, -1.0, 1.0)),
            var(&db, uniform(rng, 2 * k * nn, -1.0, 1.0)),
        ];
        v.push(
            PCase::new(
                format!("matmul_t({ta}, {tb}) batch 2, 3x5x4"),
                inputs,
                move |t| t[0].matmul_t(&t[1], ta, tb),
            )
            .accumulating(move |t| t[0].matmul_t(&t[1], ta, tb)),
        );
    }
    v
}

/// The cases of one op kind and their forward tolerance.
fn cases(kind: OpKind, rng: &mut Rng) -> (Vec<PCase>, f64) {
    match kind {
        OpKind::Unary(op) => (unary_cases(op, rng), TOL_ELEMENTWISE),
        OpKind::Binary(op) => (binary_cases(op, rng), TOL_ELEMENTWISE),
        OpKind::Select => (select_cases(rng), EXACT),
        OpKind::Reduce(op) => (reduce_cases(op, rng), TOL_ACCUMULATE),
        OpKind::Reshape | OpKind::Permute | OpKind::Expand | OpKind::Slice | OpKind::Concat => {
            (movement_cases(kind, rng), EXACT)
        }
        OpKind::GatherRows | OpKind::ScatterAddRows => (index_cases(kind, rng), EXACT),
        OpKind::Matmul => (matmul_cases(rng), TOL_ACCUMULATE),
    }
}

#[test]
fn every_op_matches_the_cpu_reference_forward_and_backward() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(2024);
    let mut failures = Vec::new();
    let mut total = 0;
    for kind in OpKind::all() {
        let (cases, tol) = cases(kind, &mut rng);
        assert!(!cases.is_empty(), "{} has no parity case", kind.name());
        let (mut fwd, mut grad) = (0.0f64, 0.0f64);
        for case in &cases {
            total += 1;
            match check_parity(&gpu, case, tol, TOL_GRAD, &mut rng) {
                Ok((f, g)) => {
                    fwd = fwd.max(f);
                    grad = grad.max(g);
                }
                Err(e) => failures.push(e),
            }
        }
        println!(
            "{:<22} {:>2} cases  worst forward {fwd:.2e} (tol {tol:.0e})  worst gradient {grad:.2e} (tol {TOL_GRAD:.0e})",
            kind.name(),
            cases.len()
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {total} GPU parity cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
