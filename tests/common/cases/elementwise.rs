//! Rows of the elementwise ops: one list of shapes per value domain, stamped out for
//! every op by [`unary_like`] and [`binary_like`] (which a new elementwise op, e.g. one
//! with a scalar operand, calls with its own run and reference), and `select`.

use super::super::case::{diff, no_grad, Case, Input, Tol};
use super::super::reference::{self as r, Ref};
use super::super::{away_from_zero, distinct, grid, uniform};
use gradlab::rng::Rng;
use gradlab::Tensor;

/// How the values of an elementwise case are drawn from the op's smooth domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Values {
    /// Inside the smooth domain, 0.1 away from zero, no ties: gradients checkable.
    Smooth,
    /// Positive domains stretched towards zero (/16) and upwards (x8), the others by
    /// four, with an exact zero (the kink of relu and abs); ties-prone ops from a grid.
    Wide,
    /// The far tails (x8; positive domains (0.05, 20)), 0.01 away from zero; binary
    /// ops uniform over the smooth domain (ties-prone ones from a grid).
    Tails,
}

/// Dimensions of an input.
type Shape = &'static [usize];
/// The shapes of a binary op's operands.
type Pair = (Shape, Shape);
/// The shapes of `select`'s condition, `a` and `b`.
type Triple = [Shape; 3];

/// Unary shapes per value domain: rank 0 to 4, size 1, odd sizes, one past a
/// workgroup (257), empty.
const UNARY_ROWS: &[(Values, &[Shape])] = &[
    (Values::Smooth, &[&[], &[7], &[2, 3], &[1, 2, 1, 3]]),
    (
        Values::Wide,
        &[
            &[],
            &[1],
            &[7],
            &[13],
            &[3, 5],
            &[2, 3, 4],
            &[2, 3, 1, 5],
            &[0, 3],
        ],
    ),
    (
        Values::Tails,
        &[
            &[257],
            &[3, 5, 7],
            &[2, 3, 4, 5],
            &[1],
            &[],
            &[0],
            &[4, 0, 3],
        ],
    ),
];

/// Broadcasting pairs per value domain: equal, column x row, scalar x matrix (both
/// ways), rank 3 x rank 2, interleaved size-1 axes, size 1 x odd, empty.
const BINARY_ROWS: &[(Values, &[Pair])] = &[
    (
        Values::Smooth,
        &[
            (&[2, 3], &[2, 3]),
            (&[3, 1], &[4]),
            (&[], &[2, 3]),
            (&[2, 3], &[]),
            (&[2, 1, 4], &[3, 1]),
            (&[2, 1, 3, 1], &[1, 4, 1, 2]),
            // A bias row over rows, a block over a batch (the GPU's flat entries).
            (&[5, 3], &[3]),
            (&[2, 4, 3], &[4, 3]),
        ],
    ),
    (
        Values::Wide,
        &[
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
        ],
    ),
    (
        Values::Tails,
        &[
            (&[257], &[257]),
            (&[3, 86], &[86]),
            (&[3, 1], &[4]),
            (&[], &[2, 3]),
            (&[2, 1, 4], &[3, 1]),
            (&[1, 5, 1, 3], &[2, 1, 7, 1]),
            (&[0, 3], &[3]),
            (&[1], &[1]),
        ],
    ),
];

/// `[cond, a, b]` shapes and the condition's values: any non-zero condition (negative,
/// fractional, NaN) selects `a`.
const SELECT_ROWS: &[(&[f32], &[Triple])] = &[
    (
        &[0.0, 1.0],
        &[
            [&[2, 3], &[2, 3], &[2, 3]],
            [&[3, 1], &[4], &[3, 4]],
            [&[2, 3], &[], &[2, 1]],
        ],
    ),
    (
        &[0.0, 1.0, -2.0, 0.5],
        &[
            [&[2, 3], &[2, 3], &[2, 3]],
            [&[3, 1], &[4], &[3, 4]],
            [&[], &[2, 3], &[1, 3]],
            [&[2, 1, 4], &[3, 1], &[]],
            [&[2, 1, 1, 5], &[1, 3, 1, 1], &[2, 3, 4, 5]],
        ],
    ),
    (
        &[0.0, 1.0, -2.0, f32::NAN],
        &[
            [&[3, 1], &[4], &[3, 4]],
            [&[], &[2, 3], &[1]],
            [&[257], &[257], &[257]],
            [&[0, 2], &[2], &[1]],
        ],
    ),
];

/// Values in `(lo, hi)` that keep 0.1 away from zero when the interval holds it.
fn smooth(rng: &mut Rng, n: usize, (lo, hi): (f32, f32)) -> Vec<f32> {
    if lo < 0.0 && hi > 0.0 {
        away_from_zero(rng, n, lo, hi, 0.1)
    } else {
        uniform(rng, n, lo, hi)
    }
}

/// The [`Values::Wide`] interval of a smooth domain.
fn widen((lo, hi): (f32, f32)) -> (f32, f32) {
    if lo > 0.0 {
        (lo / 16.0, hi * 8.0)
    } else {
        (lo * 4.0, hi * 4.0)
    }
}

/// Cases of an elementwise op of one tensor `name` with smooth domain `domain`, on
/// every shape of every value domain (tolerance [`Tol::ELEMENTWISE`]).
pub fn unary_like(
    name: &str,
    domain: (f32, f32),
    rng: &mut Rng,
    run: impl Fn(&Tensor) -> Tensor + Clone + 'static,
    reference: impl Fn(&Ref) -> Ref + Clone + 'static,
) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(values, shapes) in UNARY_ROWS {
        for &dims in shapes {
            let n = r::numel(dims);
            let data = match values {
                Values::Smooth => smooth(rng, n, domain),
                Values::Wide => {
                    let (lo, hi) = widen(domain);
                    let mut data = uniform(rng, n, lo, hi);
                    // Exact zeros (relu's and abs's kinks) where the domain holds them.
                    if lo < 0.0 && n > 2 {
                        data[n / 2] = 0.0;
                    }
                    data
                }
                Values::Tails => {
                    let (lo, hi) = if domain.0 > 0.0 {
                        (0.05, 20.0)
                    } else {
                        (domain.0 * 8.0, domain.1 * 8.0)
                    };
                    away_from_zero(rng, n, lo, hi, 0.01)
                }
            };
            let (run, reference) = (run.clone(), reference.clone());
            let case = Case::new(
                format!("{name} {dims:?} ({values:?})"),
                vec![diff(dims, data)],
                move |x| run(&x[0]),
                move |x| reference(&x[0]),
            );
            cases.push(match values {
                Values::Smooth => case,
                Values::Wide | Values::Tails => case.edges(),
            });
        }
    }
    cases
}

/// What [`binary_like`] needs to know of a two-operand elementwise op.
#[derive(Clone, Copy, Debug)]
pub struct BinarySpec {
    /// Smooth intervals of `a` and `b` (for gradient checks).
    pub domain: ((f32, f32), (f32, f32)),
    /// The result depends on exact ties (max, comparisons): edge values come from a
    /// small grid, so ties are compared too.
    pub ties_matter: bool,
    /// The result is a mask: no gradient may reach the operands.
    pub no_grad: bool,
}

/// Cases of an elementwise op of two broadcast tensors `name`, on every pair of every
/// value domain (tolerance [`Tol::ELEMENTWISE`]).
pub fn binary_like(
    name: &str,
    spec: BinarySpec,
    rng: &mut Rng,
    run: impl Fn(&Tensor, &Tensor) -> Tensor + Clone + 'static,
    reference: impl Fn(&Ref, &Ref) -> Ref + Clone + 'static,
) -> Vec<Case> {
    let (dom_a, dom_b) = spec.domain;
    let role = |dims: &[usize], data: Vec<f32>| -> Input {
        if spec.no_grad {
            no_grad(dims, data)
        } else {
            diff(dims, data)
        }
    };
    let mut cases = Vec::new();
    for &(values, pairs) in BINARY_ROWS {
        for &(da, db) in pairs {
            let (na, nb) = (r::numel(da), r::numel(db));
            let (a, b) = match values {
                // One pool of distinct values for both operands when they share a
                // domain: no pair that broadcasting forms is a tie (max's kink).
                Values::Smooth if dom_a == dom_b => {
                    let pool = distinct(rng, na + nb, dom_a.0, dom_a.1);
                    (pool[..na].to_vec(), pool[na..].to_vec())
                }
                Values::Smooth => (smooth(rng, na, dom_a), smooth(rng, nb, dom_b)),
                Values::Wide if spec.ties_matter => {
                    let g = [-1.0, -0.5, 0.0, 0.5, 1.0];
                    (grid(rng, na, &g), grid(rng, nb, &g))
                }
                Values::Wide => {
                    let ((alo, ahi), (blo, bhi)) = (widen(dom_a), widen(dom_b));
                    (uniform(rng, na, alo, ahi), uniform(rng, nb, blo, bhi))
                }
                Values::Tails if spec.ties_matter => {
                    let g = [-1.0, 0.0, 0.5, 1.0];
                    (grid(rng, na, &g), grid(rng, nb, &g))
                }
                Values::Tails => (
                    uniform(rng, na, dom_a.0, dom_a.1),
                    uniform(rng, nb, dom_b.0, dom_b.1),
                ),
            };
            let (run, reference) = (run.clone(), reference.clone());
            let case = Case::new(
                format!("{name} {da:?} x {db:?} ({values:?})"),
                vec![role(da, a), role(db, b)],
                move |x| run(&x[0], &x[1]),
                move |x| reference(&x[0], &x[1]),
            );
            // Uniform draws inside the smooth domain are smooth unless ties matter.
            let smooth = match values {
                Values::Smooth => true,
                Values::Wide => false,
                Values::Tails => !spec.ties_matter,
            };
            cases.push(if smooth { case } else { case.edges() });
        }
    }
    cases
}

/// `select(cond, a, b)` on every row of [`SELECT_ROWS`]: a copy, so exact; smooth in
/// `a` and `b` whatever the condition.
pub fn select_cases(rng: &mut Rng) -> Vec<Case> {
    let mut cases = Vec::new();
    for &(conds, shapes) in SELECT_ROWS {
        for &[dc, da, db] in shapes {
            let c = grid(rng, r::numel(dc), conds);
            let a = distinct(rng, r::numel(da), -2.0, 2.0);
            let b = distinct(rng, r::numel(db), -2.0, 2.0);
            cases.push(
                Case::new(
                    format!("select {dc:?} ? {da:?} : {db:?} (conditions {conds:?})"),
                    vec![no_grad(dc, c), diff(da, a), diff(db, b)],
                    |x| Tensor::select(&x[0], &x[1], &x[2]),
                    |x| r::select(&x[0], &x[1], &x[2]),
                )
                .tol(Tol::EXACT),
            );
        }
    }
    cases
}
