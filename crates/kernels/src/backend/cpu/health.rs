//! The CPU twin of `shaders/health.wgsl`: one parameter's non-finite check written into
//! the health status (layout in `backend::health`).

use super::CpuStorage;
use crate::backend::health::{encode_step, NonFiniteIn, HEALTH_SLOT};
use std::rc::Rc;

fn any_non_finite(x: &[f32]) -> bool {
    x.iter().any(|v| !v.is_finite())
}

/// See [`Backend::check_finite`](crate::backend::Backend::check_finite). The parameter
/// (after `step` steps) is looked at before the gradient (of step `step + 1`), so when
/// both are non-finite the earlier step is recorded.
pub(super) fn check_finite(
    status: CpuStorage,
    param: &CpuStorage,
    grad: Option<&CpuStorage>,
    len: usize,
    slot: usize,
    step: u64,
) -> CpuStorage {
    let base = slot * HEALTH_SLOT;
    // A slot outside the status is a caller's bug; the GPU records it as a device
    // error, the CPU (which has no error channel here) leaves the status unchanged.
    if base + HEALTH_SLOT > status.len() || status[base] != 0.0 {
        return status;
    }
    let seen = if any_non_finite(&param[..len]) {
        Some((NonFiniteIn::Parameter, step))
    } else if grad.is_some_and(|g| any_non_finite(&g[..len])) {
        Some((NonFiniteIn::Gradient, step.saturating_add(1)))
    } else {
        None
    };
    let Some((what, at)) = seen else {
        return status;
    };
    let (high, low) = encode_step(at);
    let mut status = status;
    Rc::make_mut(&mut status)[base..base + HEALTH_SLOT].copy_from_slice(&[
        what.code(),
        high as f32,
        low as f32,
    ]);
    status
}
