//! The driver's cost gate: a configuration over the default cost limits is never built
//! by itself (building evaluates it at once, and one evaluation of an enormous run would
//! freeze the tab); the page shows what it would cost, and the person may confirm it up
//! to the hard ceiling of the backend in use.

use super::super::state::{CostNotice, Lab};
use super::Driver;
use crate::experiment::{assess, validate, Ceiling, Excess, ExperimentConfig, Verdict};
use crate::Device;
use leptos::prelude::*;

/// What `device` can hold at all in the page: wasm32's 4 GiB, and on the CPU backend
/// the most one step or evaluation may do on the main thread; on WebGPU the adapter's
/// `maxBufferSize` and `maxStorageBufferBindingSize` (the device is opened with the
/// adapter's own limits, so its limits are the adapter's).
pub(super) fn ceiling_of(device: &Device) -> Ceiling {
    match device.gpu_backend() {
        Some(gpu) => {
            let limits = gpu.limits();
            Ceiling::page_gpu(
                limits.max_buffer_size,
                limits.max_storage_buffer_binding_size,
            )
        }
        None => Ceiling::page_cpu(),
    }
}

/// What `device` can hold for `config`: [`ceiling_of`], except that a token model on
/// the page's CPU is judged by its FLOPs alone. The values ceilings stand in for time
/// on thin layers over many rows; a transformer streams many small tensors (5.8 million
/// values a step for shakespeare-char, 175 million an evaluation) yet its time is its
/// FLOPs (225 MFLOP a step, 3.6 GFLOP an evaluation, under the FLOP ceilings), so the
/// values ceilings would keep every language model (and the dates translator, 248
/// MFLOP a step) off the page's CPU.
pub(crate) fn ceiling_for(device: &Device, config: &ExperimentConfig) -> Ceiling {
    let ceiling = ceiling_of(device);
    match device.is_cpu() && config.data.is_tokens() {
        true => Ceiling {
            step_values: None,
            eval_values: None,
            ..ceiling
        },
        false => ceiling,
    }
}

/// The backend `device` is, as the notices name it.
fn backend_name(device: &Device) -> &'static str {
    if device.is_cpu() {
        "the CPU backend"
    } else {
        "WebGPU"
    }
}

impl Driver {
    /// True when `config` may be built on the current backend now: it fits the default
    /// limits, or the person confirmed it and it stays under every ceiling. Otherwise
    /// [`Lab::cost`] says why and what it would cost, and false is returned. An invalid
    /// config passes (building it reports its problems).
    pub(super) fn cost_allows(&self, config: &ExperimentConfig) -> bool {
        if validate(config).is_err() {
            self.lab.cost.set(None);
            return true;
        }
        let (cost, verdict) = assess(config, &ceiling_for(&self.device, config));
        let confirmed = self.confirmed.as_ref() == Some(config);
        if verdict.fits() || (confirmed && verdict.may_start()) {
            self.lab.cost.set(None);
            return true;
        }
        let notice = CostNotice {
            summary: cost.summary(),
            excesses: verdict.excesses().iter().map(Excess::to_string).collect(),
            may_start: verdict.may_start(),
            backend: backend_name(&self.device),
            gpu_hint: self.device.is_cpu()
                && self
                    .gpu
                    .as_ref()
                    .is_some_and(|g| assess(config, &ceiling_for(g, config)).1.may_start()),
        };
        self.lab.cost.set(Some(notice));
        false
    }

    /// Whether the current run may move to `target`; when not, why (for the backend
    /// panel's notice). A run confirmed on WebGPU can pass the CPU backend's ceiling.
    pub(super) fn may_move_to(&self, target: &Device) -> Result<(), String> {
        let config = self.lab.config.get_untracked();
        if self.runner.is_none() || validate(&config).is_err() {
            return Ok(());
        }
        let (cost, verdict) = assess(&config, &ceiling_for(target, &config));
        match verdict {
            Verdict::TooLarge(_) => Err(format!(
                "this run stays where it is: on {} it cannot run ({})",
                backend_name(target),
                verdict.message(&cost)
            )),
            Verdict::Fits | Verdict::Large(_) => Ok(()),
        }
    }

    /// The person confirmed the held-back configuration: build it (opening the link
    /// that asked for it, if one did).
    pub(super) async fn confirm_large(&mut self) {
        self.confirmed = Some(self.lab.config.get_untracked());
        self.rebuild_held_back().await;
    }

    /// Builds the held-back run again after something its verdict depends on changed
    /// (a confirmation, another backend): the link that asked for it is opened again.
    pub(super) async fn rebuild_held_back(&mut self) {
        match self.held_link.take() {
            Some(link) => self.open_link(link).await,
            None => {
                self.reset();
                self.refresh().await;
            }
        }
    }
}

/// True while a configuration is held back by the cost gate.
pub(super) fn held_back(lab: &Lab) -> bool {
    lab.cost.with_untracked(Option::is_some)
}
