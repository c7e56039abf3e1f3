//! The training health status: for each parameter, the first step at which it or its
//! gradient held a NaN or an infinity. [`Backend::check_finite`](super::Backend::check_finite)
//! writes it on the device every step (on the GPU one dispatch per three parameters,
//! nothing read back); the runner reads it together with the losses.
//!
//! Layout: [`HEALTH_SLOT`] values per parameter, `[kind, step_high, step_low]`, all
//! exact small integers in f32 (so the CPU twin and the WGSL kernel store the same
//! bits): `kind` is 0 while nothing was seen, else [`NonFiniteIn::code`]; the step is
//! `step_high * 65536 + step_low`. A slot is written once (the first time) and then
//! kept.

/// One parameter of a health check (see
/// [`Backend::check_finite`](super::Backend::check_finite)): its values, its gradient
/// when there is one, its length and its slot in the status.
#[derive(Debug)]
pub struct FiniteCheck<'a, S> {
    /// The parameter's slot (its index in model order).
    pub slot: usize,
    /// The parameter's values.
    pub param: &'a S,
    /// Its gradient, when the check covers one.
    pub grad: Option<&'a S>,
    /// Elements of the parameter (and of the gradient).
    pub len: usize,
}

// Derived `Clone` would ask `S: Clone`; the fields are references.
impl<S> Clone for FiniteCheck<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for FiniteCheck<'_, S> {}

/// Values per parameter in the status.
pub const HEALTH_SLOT: usize = 3;

/// Largest step the status holds exactly (`step_high` stays below 2^24); later steps
/// are recorded as this one.
pub const MAX_HEALTH_STEP: u64 = (1 << 40) - 1;

/// Where a non-finite value was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NonFiniteIn {
    /// The parameter's values after the recorded number of optimizer steps.
    Parameter,
    /// The gradient computed in the recorded step (from the parameter after the step
    /// before it).
    Gradient,
}

impl NonFiniteIn {
    /// The status code (never 0, which means "nothing seen").
    pub fn code(self) -> f32 {
        match self {
            NonFiniteIn::Parameter => 1.0,
            NonFiniteIn::Gradient => 2.0,
        }
    }

    /// The kind a status code stands for; `None` for 0 and anything unknown.
    pub fn from_code(code: f32) -> Option<NonFiniteIn> {
        if code == 1.0 {
            Some(NonFiniteIn::Parameter)
        } else if code == 2.0 {
            Some(NonFiniteIn::Gradient)
        } else {
            None
        }
    }
}

/// A step as `(high, low)` halves, each an integer below 2^24 (exact in f32).
pub fn encode_step(step: u64) -> (u32, u32) {
    let s = step.min(MAX_HEALTH_STEP);
    ((s >> 16) as u32, (s & 0xffff) as u32)
}

/// The step written as `(high, low)` halves in f32.
pub fn decode_step(high: f32, low: f32) -> u64 {
    high as u64 * 65536 + low as u64
}

/// One entry of the status: parameter `slot` held a non-finite value in `what` at `step`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonFiniteAt {
    /// The parameter's index in model order.
    pub slot: usize,
    /// Parameter or gradient.
    pub what: NonFiniteIn,
    /// Optimizer steps: the parameter after `step` steps, or the gradient of step `step`.
    pub step: u64,
}

/// The earliest entry of a status read back: by step, then the gradient before the
/// parameter (the gradient of step `s` is computed before the update that makes the
/// parameter of step `s`), then model order. `None` when every slot is clear.
pub fn first_non_finite(status: &[f32]) -> Option<NonFiniteAt> {
    status
        .chunks_exact(HEALTH_SLOT)
        .enumerate()
        .filter_map(|(slot, s)| {
            NonFiniteIn::from_code(s[0]).map(|what| NonFiniteAt {
                slot,
                what,
                step: decode_step(s[1], s[2]),
            })
        })
        .min_by_key(|e| (e.step, e.what == NonFiniteIn::Parameter, e.slot))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_through_two_exact_f32_halves() {
        for step in [0, 1, 65535, 65536, 1 << 24, (1 << 24) + 1, MAX_HEALTH_STEP] {
            let (h, l) = encode_step(step);
            assert_eq!(decode_step(h as f32, l as f32), step);
        }
        let (h, l) = encode_step(u64::MAX);
        assert_eq!(decode_step(h as f32, l as f32), MAX_HEALTH_STEP);
    }

    #[test]
    fn the_earliest_entry_wins_gradient_before_parameter_then_model_order() {
        let clear = [0.0, 0.0, 0.0];
        let param = |s: u64| [NonFiniteIn::Parameter.code(), 0.0, s as f32];
        let grad = |s: u64| [NonFiniteIn::Gradient.code(), 0.0, s as f32];
        assert_eq!(first_non_finite(&[clear, clear].concat()), None);
        let status = [clear, param(7), grad(7), param(5), grad(9)].concat();
        let first = first_non_finite(&status).unwrap();
        assert_eq!(
            (first.slot, first.what, first.step),
            (3, NonFiniteIn::Parameter, 5)
        );
        let status = [param(4), clear, grad(4)].concat();
        let first = first_non_finite(&status).unwrap();
        assert_eq!((first.slot, first.what), (2, NonFiniteIn::Gradient));
        let status = [grad(4), grad(4)].concat();
        assert_eq!(first_non_finite(&status).unwrap().slot, 0);
    }
}
