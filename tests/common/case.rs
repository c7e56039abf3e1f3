//! The one case type of the op suites: inputs (with their part in gradient checks), the
//! op through the tensor API, its f64 reference, the tolerances of each check and the
//! value domain the inputs were drawn from. The forward test, the gradient check and
//! GPU parity all take a [`Case`]; the per-op table in `cases/` builds them.

use super::reference::Ref;
use gradlab::Tensor;
use std::rc::Rc;

/// How an input takes part in a gradient check (and in GPU parity of gradients).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Requires gradients, checked against finite differences (and CPU against GPU).
    Diff,
    /// Requires gradients, but none may flow to it (masks, comparisons, indices).
    NoGrad,
    /// A plain constant.
    Const,
}

/// One input of a case: host values, shape and role.
#[derive(Clone, Debug)]
pub struct Input {
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
    /// Part in gradient checks.
    pub role: Role,
}

impl Input {
    /// The input as a device tensor: a parameter when it requires gradients.
    pub fn tensor(&self, device: &gradlab::Device) -> Tensor {
        match self.role {
            Role::Diff | Role::NoGrad => Tensor::parameter(&self.data, &self.dims, device),
            Role::Const => Tensor::from_slice(&self.data, &self.dims, device),
        }
    }
}

/// An input that gradients are checked for.
pub fn diff(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::Diff,
    }
}

/// An input that requires gradients but must receive none.
pub fn no_grad(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::NoGrad,
    }
}

/// A constant input.
pub fn constant(dims: &[usize], data: Vec<f32>) -> Input {
    Input {
        dims: dims.to_vec(),
        data,
        role: Role::Const,
    }
}

/// Elementwise f32 results are within a few ulp of the exact value: 1e-6 (about 8 ulp).
pub const TOL_ELEMENTWISE: f64 = 1e-6;
/// Accumulations (sums, matmul) over up to ~100 terms: 1e-5.
pub const TOL_ACCUMULATE: f64 = 1e-5;
/// Movement ops copy values, so they must be exact.
pub const TOL_EXACT: f64 = 0.0;

/// The forward tolerances of a case, both relative to `max(1, |reference|)` (or, for
/// parity of an [accumulating](Case::accumulating) case, to `max(1, magnitude)`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tol {
    /// Device against the f64 reference (times the device's `tol_scale`).
    pub forward: f64,
    /// GPU against the CPU backend.
    pub parity: f64,
}

impl Tol {
    /// Elementwise math: a few ulp from f64; WGSL's exp/log/pow/division may differ from
    /// libm by a few ulp more.
    pub const ELEMENTWISE: Tol = Tol {
        forward: TOL_ELEMENTWISE,
        parity: 2e-6,
    };
    /// Sums and matmuls: the GPU adds in another (tree) order and may fuse multiply-adds.
    pub const ACCUMULATE: Tol = Tol {
        forward: TOL_ACCUMULATE,
        parity: 2e-5,
    };
    /// Copies (movement, select, gather): exact everywhere.
    pub const EXACT: Tol = Tol {
        forward: TOL_EXACT,
        parity: TOL_EXACT,
    };
    /// f32 arithmetic (rounded against f64) that the GPU does in the CPU's order and
    /// with correctly rounded `+` and `*`, so the devices agree exactly (scatter-add).
    pub const SAME_ORDER: Tol = Tol {
        forward: TOL_ELEMENTWISE,
        parity: TOL_EXACT,
    };
    /// Short sums (a window's terms) that the GPU adds in the CPU's order, from zero,
    /// with no multiply to fuse into them (col2im, pooling and their adjoints): f32
    /// rounding against f64 like any sum, and the devices agree exactly.
    pub const SUM_SAME_ORDER: Tol = Tol {
        forward: TOL_ACCUMULATE,
        parity: TOL_EXACT,
    };
}

/// Where a case's differentiable inputs lie, which decides whether central finite
/// differences can check its gradient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Inside the op's smooth domain, away from kinks (0 for relu and abs) and ties (max)
    /// by much more than the finite-difference step: all three checks apply.
    Smooth,
    /// Edges and tails: exact zeros, ties, wide ranges. Forward and GPU parity only;
    /// a gradient there has no finite-difference reference.
    Edges,
}

/// The op of a case on device tensors.
pub type RunFn = Rc<dyn Fn(&[Tensor]) -> Tensor>;
/// The op of a case in f64.
pub type RefFn = Rc<dyn Fn(&[Ref]) -> Ref>;

/// One use of an op: inputs, the op through the tensor API, its f64 reference, the
/// tolerances and the domain. Built by [`Case::new`] and refined by the builder methods.
#[derive(Clone)]
pub struct Case {
    /// What is computed, e.g. `binary_add [3, 1] x [4]`.
    pub name: String,
    /// The inputs.
    pub inputs: Vec<Input>,
    /// The op on device tensors.
    pub run: RunFn,
    /// The same op in f64; `None` only for parity-only cases (`gpu::PCase`).
    pub reference: Option<RefFn>,
    /// Forward tolerances.
    pub tol: Tol,
    /// For accumulations: the magnitude each output is accumulated from (an op run on
    /// `|inputs|`, e.g. sum |x| or |A| @ |B|), which bounds the rounding of any summation
    /// order. GPU parity errors are relative to `max(1, magnitude)` then, not to the
    /// (possibly cancelled) result.
    pub magnitude: Option<RunFn>,
    /// Where the inputs lie.
    pub domain: Domain,
}

impl Case {
    /// A smooth case with elementwise tolerances.
    pub fn new(
        name: impl Into<String>,
        inputs: Vec<Input>,
        run: impl Fn(&[Tensor]) -> Tensor + 'static,
        reference: impl Fn(&[Ref]) -> Ref + 'static,
    ) -> Case {
        Case {
            name: name.into(),
            inputs,
            run: Rc::new(run),
            reference: Some(Rc::new(reference)),
            tol: Tol::ELEMENTWISE,
            magnitude: None,
            domain: Domain::Smooth,
        }
    }

    /// The same case with tolerances `tol`.
    pub fn tol(self, tol: Tol) -> Case {
        Case { tol, ..self }
    }

    /// The same case whose GPU parity error is relative to its accumulation magnitude:
    /// the case's own op run on `|inputs|` (right for sums and products of sums).
    pub fn accumulating(self) -> Case {
        Case {
            magnitude: Some(self.run.clone()),
            ..self
        }
    }

    /// The same case, marked as lying on edges or tails (no gradient check).
    pub fn edges(self) -> Case {
        Case {
            domain: Domain::Edges,
            ..self
        }
    }

    /// The f64 values of the inputs.
    pub fn refs(&self) -> Vec<Ref> {
        self.inputs
            .iter()
            .map(|i| Ref::from_f32(&i.dims, &i.data))
            .collect()
    }

    /// The reference output on `inputs`; an error for a parity-only case.
    pub fn reference_of(&self, inputs: &[Ref]) -> Result<Ref, String> {
        match &self.reference {
            Some(f) => Ok(f(inputs)),
            None => Err(format!("{} has no f64 reference", self.name)),
        }
    }
}
