//! The `auto` backend: the page picks the backend of an experiment by timing it. A few
//! steps of the actual experiment run on each backend it may run on, in animation
//! frames sliced exactly as training is (so the figure is this page's own training
//! speed, frames and readbacks included), and the run moves to the faster. A timing is
//! kept per experiment shape (what a step costs does not depend on the seed, the
//! learning rate or the budget), so going back to an experiment does not time it again.
//!
//! Which backend wins is not a rule of thumb: on a software adapter the GPU loses every
//! experiment, on a real one it loses the playground's small MLPs (their steps are a
//! few dozen tiny dispatches) and wins the transformers and convolutions.

use super::super::state::{BackendKind, Timing};
use super::super::worker::RunData;
use super::super::worker_client::{self, WorkerState};
use super::cost::{ceiling_for, held_back};
use super::offload::worker_ready;
use super::{answer, next_frame, Driver, CPU_SLICE_MS, GPU_SLICE_MS, GPU_STEPS_PER_FRAME};
use crate::error::Result;
use crate::experiment::{assess, encode_link, BackendChoice, Budget, ExperimentConfig, Runner};
use crate::optim::OptimizerConfig;
use crate::platform::now_ms;
use crate::Device;
use leptos::prelude::*;

/// Milliseconds of timed training per backend, after one untimed warm-up step (the GPU
/// builds its pipelines and buffers there).
const TIMED_MS: f64 = 250.0;
/// Fewest timed steps per backend, however long they take (one: a software adapter
/// takes seconds for a transformer's step).
const TIMED_MIN_STEPS: u64 = 1;
/// Timings remembered, one per experiment shape (the oldest is forgotten first).
const REMEMBERED: usize = 16;
/// Longest wait for the worker's timing (it builds the run, takes a warm-up step and
/// [`TIMED_MS`] of steps); past it the worker counts as failed.
const WORKER_TIMING_WAIT_MS: f64 = 60_000.0;

impl Driver {
    /// While the page picks the backend itself and WebGPU is there: moves the run to
    /// the backend that trains this experiment faster, timing it first unless it was
    /// timed before. A run held back by the CPU backend's cost limits that WebGPU could
    /// take (perhaps once confirmed) moves to WebGPU, where it is judged again.
    pub(super) async fn auto_choose(&mut self) {
        let Some(gpu) = self.gpu.clone() else {
            return;
        };
        if !self.lab.backend.with_untracked(|b| b.auto) {
            return;
        }
        let config = self.lab.config.get_untracked();
        if self.runner.is_none() {
            let gpu_may_take = assess(&config, &ceiling_for(&gpu, &config)).1.may_start();
            if self.device.is_cpu() && held_back(&self.lab) && gpu_may_take {
                self.lab.backend.update(|b| b.timed = None);
                self.set_backend(BackendKind::Gpu).await;
                self.rebuild_held_back().await;
            }
            return;
        }
        let key = shape_of(&config);
        if self
            .runner
            .as_ref()
            .is_some_and(|r| shape_of(r.config()) != key)
        {
            // The settings changed since the run was built (a preset picked while
            // WebGPU was probed): the reset that follows chooses for the new one.
            return;
        }
        let other = match self.device.is_cpu() {
            true => gpu.clone(),
            false => Device::Cpu,
        };
        if !self.may_build_on(&other, &config) {
            // Only the backend in use may run it: nothing to choose.
            self.lab.backend.update(|b| b.timed = None);
            return;
        }
        // Until the run is where the timing puts it, the panel says it is timing.
        self.lab.backend.update(|b| b.timing = true);
        let timing = match self.timings.iter().find(|(k, _)| *k == key) {
            Some((_, t)) => *t,
            None => {
                let timing = Timing {
                    cpu: self.speed(&config, &Device::Cpu).await,
                    gpu: self.speed(&config, &gpu).await,
                };
                // A failed timing (0) is not kept: the next choice times it again.
                if timing.cpu > 0.0 && timing.gpu > 0.0 {
                    if self.timings.len() == REMEMBERED {
                        self.timings.remove(0);
                    }
                    self.timings.push((key, timing));
                }
                timing
            }
        };
        let pick = timing.faster();
        let here = match self.device.is_cpu() {
            true => BackendKind::Cpu,
            false => BackendKind::Gpu,
        };
        if pick != here {
            self.set_backend(pick).await;
            self.after_move().await;
        }
        self.lab.backend.update(|b| {
            b.timing = false;
            b.timed = (b.active == pick).then_some(timing);
        });
    }

    /// Whether `config` may be built on `device` now: it fits its default limits, or
    /// the person confirmed it and it stays under the device's ceilings.
    fn may_build_on(&self, device: &Device, config: &ExperimentConfig) -> bool {
        let verdict = assess(config, &ceiling_for(device, config)).1;
        verdict.fits() || (self.confirmed.as_ref() == Some(config) && verdict.may_start())
    }
}

/// `config` with everything a step's cost does not depend on set to one value.
fn shape_of(config: &ExperimentConfig) -> ExperimentConfig {
    ExperimentConfig {
        noise: 0.0,
        seed: 0,
        budget: Budget::Steps(0),
        eval_every: 0,
        backend: BackendChoice::Auto,
        optimizer: OptimizerConfig {
            kind: config.optimizer.kind,
            ..Default::default()
        },
        ..config.clone()
    }
}

impl Driver {
    /// Steps per second of a fresh run of `config` on `device`, trained where the page
    /// would train it (a CPU run with long steps in the worker); 0 when it fails there.
    async fn speed(&mut self, config: &ExperimentConfig, device: &Device) -> f64 {
        let in_worker = match device.is_cpu() && self.placed_in_worker(config) {
            true => self.timed_in_worker(config).await,
            false => None,
        };
        let timed = match in_worker {
            Some(timed) => Ok(timed),
            None => timed_steps(config, device).await,
        };
        match timed {
            Ok((steps, ms)) if ms > 0.0 => steps as f64 * 1000.0 / ms,
            Ok(_) => f64::INFINITY,
            Err(e) => {
                let why = format!(
                    "gradlab: auto backend: timing on {} failed: {e}",
                    device.label()
                );
                web_sys::console::warn_1(&why.into());
                0.0
            }
        }
    }

    /// Steps and milliseconds of `config` timed on the CPU backend in the worker, as it
    /// would train there (its steps never hold the page's main thread); `None` when the
    /// worker does not answer or cannot build the run (the page times it itself then).
    async fn timed_in_worker(&mut self, config: &ExperimentConfig) -> Option<(u64, f64)> {
        if !worker_ready().await {
            return None;
        }
        let worker = worker_client::shared()?;
        let link = encode_link(config, None, None).ok()?.fragment;
        let ticket = self.next_ticket();
        if let Err(why) = worker.time(ticket, link, RunData::of(config), TIMED_MS) {
            worker.fail(&why);
            return None;
        }
        let t0 = now_ms();
        loop {
            next_frame().await;
            match worker.take_timing(ticket) {
                Some(Ok(timed)) => return Some(timed),
                Some(Err(why)) => {
                    // The worker cannot build it, so it would train in the page.
                    let why = format!(
                        "gradlab: auto backend: the worker cannot time this experiment ({why}); \
                         the page times it"
                    );
                    web_sys::console::warn_1(&why.into());
                    return None;
                }
                None => {}
            }
            if let WorkerState::Failed(_) = worker.state() {
                return None;
            }
            if now_ms() - t0 > WORKER_TIMING_WAIT_MS {
                worker.fail("it did not answer a timing within 60 s");
                return None;
            }
        }
    }
}

/// Steps taken and milliseconds they took: one untimed warm-up step, then slices of
/// steps (as `Driver::slice` takes them) one animation frame apart, until
/// [`TIMED_MS`] have passed and at least [`TIMED_MIN_STEPS`] steps were taken. On the
/// GPU each slice waits for the device to finish it: recording runs far ahead of a
/// slow device, and the timing must end when its steps have been done, not queued.
async fn timed_steps(config: &ExperimentConfig, device: &Device) -> Result<(u64, f64)> {
    let mut r = Runner::new(config.clone(), device.clone())?;
    r.step()?;
    answer(r.finish()).await?;
    let (budget, cap) = match device.is_cpu() {
        true => (CPU_SLICE_MS, u32::MAX),
        false => (GPU_SLICE_MS, GPU_STEPS_PER_FRAME),
    };
    let t0 = now_ms();
    let mut steps = 0;
    while now_ms() - t0 < TIMED_MS || steps < TIMED_MIN_STEPS {
        next_frame().await;
        let slice = now_ms();
        let mut n = 0;
        while n < cap && now_ms() - slice < budget {
            r.step()?;
            n += 1;
        }
        if !device.is_cpu() {
            answer(r.finish()).await?;
        }
        steps += u64::from(n);
    }
    Ok((steps, now_ms() - t0))
}
