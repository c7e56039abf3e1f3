//! The case table: for every [`OpKind`] of the vocabulary, its cases (input shapes,
//! parameters such as axes, permutations, slices and transposes, and value domains).
//! It feeds all three checks: `ops_forward.rs` runs every case against the f64
//! reference, `ops_gradcheck.rs` checks the gradients of every [`Domain::Smooth`] case
//! by finite differences, and `gpu_parity.rs` runs every case on the GPU against the
//! CPU backend.
//!
//! [`cases`] matches exhaustively over `OpKind`, so a new op does not compile until it
//! has a row here. A new elementwise op is one row: `elementwise::unary_like` or
//! `elementwise::binary_like` with its run and reference (add the reference to
//! `reference.rs`); any other op gets a function in the family's file, returning
//! [`Case`]s built with `Case::new` and refined with `.tol`, `.accumulating`, `.edges`.

mod accumulate;
mod elementwise;
mod fused;
mod movement;
mod window;

use super::case::{Case, Domain, Tol};
use super::reference as r;
use elementwise::{binary_like, unary_like, BinarySpec};
use gradlab::rng::Rng;
use gradlab::tensor::{BinaryOp, OpKind};

/// Seed of the table's inputs: the same values in every suite.
pub const SEED: u64 = 0xCA5E;

/// Whether a binary op's result depends on exact ties, so edge inputs come from a grid.
fn ties_matter(op: BinaryOp) -> bool {
    match op {
        BinaryOp::Max | BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Eq => true,
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Pow
        | BinaryOp::GeluGrad => false,
    }
}

/// The cases of one primitive.
pub fn cases(kind: OpKind, rng: &mut Rng) -> Vec<Case> {
    match kind {
        OpKind::Unary(op) => unary_like(
            op.wgsl_entry(),
            op.smooth_domain(),
            rng,
            move |x| x.unary(op),
            move |x| r::unary(op, x),
        ),
        OpKind::Binary(op) => {
            let spec = BinarySpec {
                domain: op.smooth_domain(),
                ties_matter: ties_matter(op),
                no_grad: op.is_comparison(),
            };
            let cases = binary_like(
                op.wgsl_entry(),
                spec,
                rng,
                move |a, b| a.binary(op, b),
                move |a, b| r::binary(op, a, b),
            );
            match op {
                // GELU's derivative keeps the composed GELU's f32 operations (so training
                // bits do not change), whose `1 - tanh^2` cancels in the negative tail:
                // about 5e-6 absolute near x = -5, against f64 (see `op::gelu_grad`).
                BinaryOp::GeluGrad => cases.into_iter().map(|c| c.tol(Tol::ACCUMULATE)).collect(),
                _ => cases,
            }
        }
        OpKind::Select => elementwise::select_cases(rng),
        OpKind::Reduce(op) => accumulate::reduce_cases(op, rng),
        OpKind::Reshape => movement::reshape_cases(rng),
        OpKind::Permute => movement::permute_cases(rng),
        OpKind::Expand => movement::expand_cases(rng),
        OpKind::Slice => movement::slice_cases(rng),
        OpKind::Concat => movement::concat_cases(rng),
        OpKind::GatherRows => movement::gather_cases(rng),
        OpKind::ScatterAddRows => movement::scatter_cases(rng),
        OpKind::Matmul => accumulate::matmul_cases(rng),
        OpKind::Unfold2d => window::unfold_cases(rng),
        OpKind::Fold2d => window::fold_cases(rng),
        OpKind::MaxPool2d => window::max_pool_cases(rng),
        OpKind::MaxPool2dBackward => window::max_pool_backward_cases(rng),
        OpKind::AvgPool2d => window::avg_pool_cases(rng),
        OpKind::AvgPool2dBackward => window::avg_pool_backward_cases(rng),
        OpKind::MaskedSoftmax => fused::masked_softmax_cases(rng),
        OpKind::SoftmaxBackward => fused::softmax_backward_cases(rng),
        OpKind::LayerNorm => fused::layer_norm_cases(rng),
        OpKind::LayerNormBackward => fused::layer_norm_backward_cases(rng),
        OpKind::CrossEntropy => fused::cross_entropy_cases(rng),
        OpKind::CrossEntropyBackward => fused::cross_entropy_backward_cases(rng),
    }
}

/// Every op of the vocabulary with its cases, inputs drawn from [`SEED`].
pub fn table() -> Vec<(OpKind, Vec<Case>)> {
    let mut rng = Rng::new(SEED);
    OpKind::all()
        .into_iter()
        .map(|kind| (kind, cases(kind, &mut rng)))
        .collect()
}

/// Run `check` on every case of the table that `wanted` selects. Returns the failures
/// (an op with no selected case is one) and the number of cases checked.
pub fn check_table(
    wanted: impl Fn(&Case) -> bool,
    mut check: impl FnMut(OpKind, &Case) -> Result<(), String>,
) -> (Vec<String>, usize) {
    let (mut failed, mut total) = (Vec::new(), 0);
    for (kind, cases) in table() {
        let selected: Vec<&Case> = cases.iter().filter(|c| wanted(c)).collect();
        if selected.is_empty() {
            failed.push(format!("{} has no case", kind.name()));
        }
        total += selected.len();
        failed.extend(selected.into_iter().filter_map(|c| check(kind, c).err()));
    }
    (failed, total)
}

/// Whether finite differences can check the case's gradient.
pub fn is_smooth(case: &Case) -> bool {
    case.domain == Domain::Smooth
}
