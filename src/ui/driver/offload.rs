//! CPU runs with long steps train in the page's worker (`ui/worker.rs`), so the main
//! thread never waits on a step: the page sends the run as saved-run bytes, the worker
//! trains it and posts its whole state a few times a second, and the page's copy of the
//! run follows it (`Runner::apply_snapshot`) and is drawn, shared and saved as before.
//! Any command, a pause or a refresh that needs the run's state first calls the run
//! back ([`Driver::recall`]): the worker stops after its current step and its last
//! state becomes the page's. On the CPU backend the worker's run is the page's run bit
//! for bit (the same code, restored from the same state), so where it trained changes
//! nothing but the page's responsiveness.
//!
//! Which runs go: every CPU run with `?driver=worker`, none with `?driver=page`, and by
//! default those whose step is long: by the cost model (at least [`WORKER_STEP_FLOPS`]),
//! or as measured by a slice in the page (a step of [`SLOW_STEP_MS`] or more).

use super::super::worker::RunData;
use super::super::worker_client::{self, Trained, WorkerState};
use super::{next_frame, Driver};
use crate::experiment::{decode_saved_run, encode_saved_run, Cost, ExperimentConfig, Runner};
use crate::platform::now_ms;
use leptos::prelude::*;

/// Step FLOPs (forward, backward and update) from which a CPU run trains in the worker:
/// a step of tens of milliseconds in wasm (the `shakespeare-char` GPT's is 225 MFLOP).
const WORKER_STEP_FLOPS: f64 = 20e6;
/// A step measured this long in the page sends the run to the worker.
const SLOW_STEP_MS: f64 = 8.0;
/// Longest wait for the worker's last state after a stop; past it the worker counts as
/// failed and the page trains on from the last state it had.
const RECALL_WAIT_MS: f64 = 20_000.0;

/// Where a frame's training goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Where {
    /// Steps in the page.
    Page,
    /// To the worker.
    Worker,
    /// Nowhere yet: the run belongs in the worker, which is starting.
    Wait,
}

/// Where the page's CPU runs train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Placement {
    /// Always in the page (`?driver=page`).
    Page,
    /// Always in the worker (`?driver=worker`).
    Worker,
    /// In the worker when steps are long.
    WhenSlow,
}

/// The driver's part of training in the worker.
pub(super) struct Offload {
    placement: Placement,
    /// The run (`Driver::run`) whose steps were measured long in the page.
    slow_run: Option<u64>,
    /// The run the worker could not train (it trains in the page).
    refused_run: Option<u64>,
    /// The last training's ticket.
    ticket: u64,
    /// The training in the worker now, if any.
    active: Option<u64>,
    /// A run's step FLOPs, once computed (`(run, FLOPs)`).
    step_flops: Option<(u64, f64)>,
}

impl Offload {
    pub(super) fn new() -> Offload {
        let placement = match worker_client::address_driver().as_deref() {
            Some("page") => Placement::Page,
            Some("worker") => Placement::Worker,
            _ => Placement::WhenSlow,
        };
        Offload {
            placement,
            slow_run: None,
            refused_run: None,
            ticket: 0,
            active: None,
            step_flops: None,
        }
    }

    /// Whether a run trains in the worker now.
    pub(super) fn is_active(&self) -> bool {
        self.active.is_some()
    }
}

impl Driver {
    /// Where this frame's training goes: a CPU run that belongs in the worker goes
    /// there once the worker answers (it is started here the first time one is wanted)
    /// and waits for it meanwhile; a worker that cannot start leaves it in the page.
    pub(super) fn train_where(&mut self) -> Where {
        if !self.belongs_in_worker() {
            return Where::Page;
        }
        match worker_client::shared().map(|w| w.state()) {
            Some(WorkerState::Ready) => Where::Worker,
            Some(WorkerState::Starting) => Where::Wait,
            Some(WorkerState::Failed(_)) | None => Where::Page,
        }
    }

    /// Starts the worker as soon as a run that belongs there is built, so that play
    /// does not wait for its module.
    pub(super) fn warm_worker(&mut self) {
        if self.runner.is_some() && self.belongs_in_worker() {
            let _ = worker_client::shared();
        }
    }

    /// Whether CPU runs of `config` train in the worker, by the address and their cost
    /// (before any of their steps was measured).
    pub(super) fn placed_in_worker(&self, config: &ExperimentConfig) -> bool {
        match self.offload.placement {
            Placement::Page => false,
            Placement::Worker => true,
            Placement::WhenSlow => Cost::of(config).step_flops() >= WORKER_STEP_FLOPS,
        }
    }

    /// Whether the run is evaluated only where its history records a point (its live
    /// numbers are its last point's): a token model, whose evaluation is seconds of the
    /// page's CPU, and a run that trains in the worker, which records its points there.
    pub(super) fn evaluates_at_points(&mut self) -> bool {
        self.is_token_run() || self.belongs_in_worker()
    }

    /// Whether the current run trains in the worker when the worker answers.
    fn belongs_in_worker(&mut self) -> bool {
        let run = self.run;
        let o = &self.offload;
        if !self.device.is_cpu() || o.placement == Placement::Page || o.refused_run == Some(run) {
            return false;
        }
        if o.step_flops.is_none_or(|(r, _)| r != run) {
            let flops = self
                .runner
                .as_ref()
                .map_or(0.0, |r| Cost::of(r.config()).step_flops());
            self.offload.step_flops = Some((run, flops));
        }
        let o = &self.offload;
        o.placement == Placement::Worker
            || o.slow_run == Some(run)
            || o.step_flops.is_some_and(|(_, f)| f >= WORKER_STEP_FLOPS)
    }

    /// Notes a slice trained in the page: `steps` in `ms`. Long steps send the run to
    /// the worker from the next frame on (the worker is started now if it is not).
    pub(super) fn note_page_slice(&mut self, steps: u32, ms: f64) {
        if self.offload.placement == Placement::WhenSlow
            && steps > 0
            && ms / f64::from(steps) >= SLOW_STEP_MS
            && self.offload.slow_run != Some(self.run)
        {
            self.offload.slow_run = Some(self.run);
            let _ = worker_client::shared();
        }
    }

    /// One frame of a run that trains in the worker: hands the run over when it is not
    /// there yet, then takes what the worker has posted.
    pub(super) async fn slice_in_worker(&mut self) {
        if self.offload.active.is_none() && !self.hand_over(false).await {
            return;
        }
        self.take_worker_states().await;
    }

    /// Has the worker record the history point due at the run's step (a transformer's
    /// evaluation is seconds of CPU, which must not hold the page's main thread), when
    /// the run belongs there, is not training there, and the worker answers. Otherwise
    /// (or when the worker fails meanwhile) the point stays due and the page records it.
    pub(super) async fn record_in_worker(&mut self) {
        let due = self.runner.as_ref().is_some_and(Runner::record_due);
        if !due || self.offload.is_active() || !self.belongs_in_worker() {
            return;
        }
        if worker_ready().await && self.hand_over(true).await {
            self.wait_last().await;
        }
    }

    /// Sends the run to the worker as a new training (`record_only`: only to record its
    /// due point), with its data; false when it could not be sent (the worker then
    /// counts as failed).
    async fn hand_over(&mut self, record_only: bool) -> bool {
        let Some(r) = self.runner.as_ref() else {
            return false;
        };
        let bytes = match r.snapshot().await {
            Ok(s) => encode_saved_run(r.config(), &s, 0.0),
            Err(e) => Err(e),
        };
        let data = RunData::of(r.config());
        let Some(worker) = worker_client::shared() else {
            return false;
        };
        let ticket = self.next_ticket();
        let sent = bytes
            .map_err(|e| e.to_string())
            .and_then(|b| worker.train(ticket, &b, data, record_only));
        match sent {
            Ok(()) => {
                self.set_active(Some(ticket));
                true
            }
            Err(why) => {
                worker.fail(&why);
                false
            }
        }
    }

    /// A new ticket for a request to the worker (a newer one ends every older training).
    pub(super) fn next_ticket(&mut self) -> u64 {
        self.offload.ticket += 1;
        self.offload.ticket
    }

    /// Calls the run back from the worker (before a command, a pause or anything else
    /// that reads or replaces the run): waits for its last state, without blocking the
    /// page, and publishes it. A worker that does not answer counts as failed; the page
    /// then trains on from the last state it had.
    pub(super) async fn recall(&mut self) {
        let Some(ticket) = self.offload.active else {
            return;
        };
        let Some(worker) = worker_client::shared() else {
            self.set_active(None);
            return;
        };
        worker.stop(ticket);
        let recorded = self.wait_last().await;
        self.after_steps(recorded).await;
    }

    /// Waits, without blocking the page, for the active training's last state, applying
    /// the states that come meanwhile; whether a history point was recorded. A worker
    /// that fails or does not answer within [`RECALL_WAIT_MS`] counts as failed.
    async fn wait_last(&mut self) -> bool {
        let mut recorded = false;
        let t0 = now_ms();
        while self.offload.active.is_some() {
            next_frame().await;
            let Some(worker) = worker_client::shared() else {
                self.set_active(None);
                break;
            };
            if let WorkerState::Failed(_) = worker.state() {
                self.set_active(None);
                break;
            }
            if now_ms() - t0 > RECALL_WAIT_MS {
                worker.fail("it did not answer within 20 s");
                self.set_active(None);
                break;
            }
            recorded |= self.apply_worker_states().unwrap_or(false);
        }
        recorded
    }

    /// Notes the training in the worker now, and shows where the run trains.
    fn set_active(&mut self, ticket: Option<u64>) {
        self.offload.active = ticket;
        let in_worker = ticket.is_some();
        if self
            .lab
            .backend
            .with_untracked(|b| b.in_worker != in_worker)
        {
            self.lab.backend.update(|b| b.in_worker = in_worker);
        }
    }

    /// Applies the latest state the worker posted about the active training and
    /// publishes it as a page slice does.
    async fn take_worker_states(&mut self) {
        if let Some(recorded) = self.apply_worker_states() {
            self.after_steps(recorded).await;
        }
    }

    /// Applies the latest state the worker posted about the active training (ending the
    /// training when it was its last, and taking its error); whether a history point was
    /// recorded, or `None` when there was nothing to publish.
    fn apply_worker_states(&mut self) -> Option<bool> {
        let worker = worker_client::shared()?;
        let ticket = self.offload.active?;
        let news: Vec<Trained> = worker
            .take()
            .into_iter()
            .filter(|t| t.ticket == ticket)
            .collect();
        let latest = news.last()?;
        let last = news.iter().any(|t| t.last);
        let error = news.iter().find_map(|t| t.error.clone());
        let before = self.last_recorded();
        if !latest.bytes.is_empty() {
            let applied =
                decode_saved_run(&latest.bytes).and_then(|saved| match self.runner.as_mut() {
                    Some(r) => r.apply_snapshot(&saved.snapshot),
                    None => Ok(()),
                });
            if let Err(e) = applied {
                // The page's copy keeps its last good state and trains on in the page.
                self.offload.refused_run = Some(self.run);
                self.set_active(None);
                worker.stop(ticket);
                web_sys::console::warn_1(
                    &format!("gradlab: the worker's state could not be applied ({e}); training goes on in the page").into(),
                );
                return None;
            }
        }
        if last {
            self.set_active(None);
        }
        // A thinned long history can keep its length while a point is added, so the
        // last point's step tells whether the worker recorded one.
        let recorded = self.last_recorded() != before;
        if let Some(e) = error {
            match e.non_finite {
                Some((step, what)) => self.fail(crate::error::Error::NonFinite { step, what }),
                None if latest.bytes.is_empty() => {
                    // The worker could not take the run: it trains in the page.
                    self.offload.refused_run = Some(self.run);
                    web_sys::console::warn_1(
                        &format!(
                            "gradlab: the worker cannot train this run ({}); it trains in the page",
                            e.message
                        )
                        .into(),
                    );
                }
                None => {
                    self.lab.running.set(false);
                    self.lab.error.set(Some(e.message));
                }
            }
        }
        Some(recorded)
    }

    /// The step of the run's last recorded point and the history's length (`None`
    /// without a run or a point): what changes when the worker records a point.
    fn last_recorded(&self) -> Option<(u64, usize)> {
        let history = self.runner.as_ref()?.history();
        history.last().map(|p| (p.step, history.len()))
    }
}

/// Waits, without blocking the page, while the worker starts; whether it answers (it is
/// started here if it was not).
pub(super) async fn worker_ready() -> bool {
    loop {
        match worker_client::shared().map(|w| w.state()) {
            Some(WorkerState::Ready) => return true,
            Some(WorkerState::Starting) => next_frame().await,
            Some(WorkerState::Failed(_)) | None => return false,
        }
    }
}
