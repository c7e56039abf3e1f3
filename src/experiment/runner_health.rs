//! The run's health status on the device: every step checks each parameter and its
//! gradient for NaN and infinities (on the GPU one dispatch per three parameter
//! tensors, nothing read back), and [`Runner::evaluate`](super::Runner::evaluate)
//! reads the status in the same read as the losses. So a NaN weight behind a finite
//! loss still stops the run, and the error names the parameter and the first step it
//! went wrong, even when the run is evaluated only every few hundred steps.

use crate::autograd::Gradients;
use crate::backend::health::{first_non_finite, FiniteCheck, NonFiniteIn, HEALTH_SLOT};
use crate::backend::{Device, Storage};
use crate::error::{Error, Result};
use crate::nn::ParamSet;
use crate::tensor::{Shape, Tensor};
use std::cell::RefCell;

/// The status of a run's parameters (layout in [`crate::backend::health`]), kept on the
/// run's device.
pub(super) struct HealthStatus {
    /// The status and the device that holds it. Behind a `RefCell` so that
    /// `evaluate(&self)` can add its check; `None` only during a check.
    status: RefCell<Option<(Device, Storage)>>,
    /// Parameter tensors covered.
    slots: usize,
}

impl HealthStatus {
    /// A clear status for `slots` parameter tensors on `device`.
    pub(super) fn new(device: &Device, slots: usize) -> HealthStatus {
        HealthStatus {
            status: RefCell::new(Some((device.clone(), clear(device, slots)))),
            slots,
        }
    }

    /// The status storage, taken out, on `device`. A status left on another device
    /// (the run moved without [`HealthStatus::moved_to`]) is replaced by a clear one
    /// rather than handed to the wrong backend.
    fn take_on(&self, device: &Device) -> Storage {
        let held = self.status.borrow_mut().take();
        match held {
            Some((d, s)) if &d == device => s,
            _ => clear(device, self.slots),
        }
    }

    fn put(&self, device: &Device, status: Storage) {
        *self.status.borrow_mut() = Some((device.clone(), status));
    }

    /// Record the check of every parameter (after `step` optimizer steps) and, when
    /// `grads` is given, of its gradient for step `step + 1`: one dispatch per three
    /// parameter tensors on the GPU, nothing read back.
    pub(super) fn check(
        &self,
        device: &Device,
        params: &ParamSet,
        grads: Option<&Gradients>,
        step: u64,
    ) {
        let checks: Vec<FiniteCheck<'_, Storage>> = params
            .iter()
            .enumerate()
            .map(|(slot, (_, p))| FiniteCheck {
                slot,
                param: p.storage(),
                grad: grads.and_then(|g| g.get(p)).map(Tensor::storage),
                len: p.numel(),
            })
            .collect();
        let status = device.check_finite(self.take_on(device), &checks, step);
        self.put(device, status);
    }

    /// The status as a tensor, to be read back together with other values. Drop it
    /// after the read: while it lives, the next check updates a copy.
    pub(super) fn tensor(&self, device: &Device) -> Tensor {
        let status = self.take_on(device);
        let t = Tensor::from_storage(
            status.clone(),
            Shape::new(&[self.slots * HEALTH_SLOT]),
            device,
        );
        self.put(device, status);
        t
    }

    /// Forget everything recorded (new parameters were loaded).
    pub(super) fn reset(&self, device: &Device) {
        self.put(device, clear(device, self.slots));
    }

    /// The same status on `to` (read back and uploaded); `self` is unchanged, so a
    /// failed move leaves the run as it was.
    pub(super) async fn moved_to(&self, to: &Device) -> Result<HealthStatus> {
        let held = self.status.borrow().clone();
        let moved = match held {
            Some((from, s)) if &from != to => {
                let values = from.read(&s, self.slots * HEALTH_SLOT).await?;
                to.upload(&values)
            }
            Some((_, s)) => s,
            None => clear(to, self.slots),
        };
        Ok(HealthStatus {
            status: RefCell::new(Some((to.clone(), moved))),
            slots: self.slots,
        })
    }
}

fn clear(device: &Device, slots: usize) -> Storage {
    device.fill(slots * HEALTH_SLOT, 0.0)
}

/// The error for the earliest non-finite value in a status read back, naming the
/// parameter by its PyTorch name (`0.weight`) and saying whether the parameter or its
/// gradient held it; `None` when the status is clear.
pub(super) fn non_finite_error(status: &[f32], names: &[String]) -> Option<Error> {
    let first = first_non_finite(status)?;
    let name = names
        .get(first.slot)
        .cloned()
        .unwrap_or_else(|| format!("#{}", first.slot));
    let what = match first.what {
        NonFiniteIn::Parameter => format!("parameter `{name}`"),
        NonFiniteIn::Gradient => format!("the gradient of parameter `{name}`"),
    };
    Some(Error::NonFinite {
        step: first.step,
        what,
    })
}
