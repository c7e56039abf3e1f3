//! The training driver: one background task (`spawn_local`) that owns the runner, steps
//! it in time slices of a few milliseconds per animation frame, and reads values back
//! only a few times per second. Components talk to it through [`Cmd`]s and read what it
//! publishes into the [`Lab`] signals, so the page never blocks on training.

mod after_data;
mod auto;
mod backend;
mod cost;
mod link;
mod offload;
mod probe;
mod resume;
mod text;

pub(crate) use cost::ceiling_for;
pub(crate) use probe::FEATURE_VIEW_ID;

use super::data_fetch::DataFetch;
use super::gpu;
use super::plot_frame::read_plot_frame;
use super::state::{Cmd, Lab, PlotFrame, Status};
use crate::error::{Error, Result};
use crate::experiment::{DecodedLink, ExperimentConfig, NamedWeight, Points2d, Runner, Snapshot};
use crate::platform::now_ms;
use crate::Device;
use leptos::prelude::*;

/// Milliseconds of CPU training per animation frame (the rest of the frame is the
/// browser's: layout, paint, input).
const CPU_SLICE_MS: f64 = 10.0;
/// Milliseconds of GPU command recording per frame.
const GPU_SLICE_MS: f64 = 4.0;
/// Most GPU steps queued per frame, so the device never falls far behind.
const GPU_STEPS_PER_FRAME: u32 = 8;
/// Milliseconds between readbacks of the plots while training.
const READ_EVERY_MS: f64 = 250.0;
/// Fewest milliseconds between redraws of the loss history while training (the points
/// themselves are all recorded, at the runner's steps; only their display waits).
const HISTORY_SHOW_MS: f64 = 100.0;

/// Starts the driver for `lab`; it runs for the life of the page.
pub fn start(lab: Lab) {
    crate::platform::spawn(async move {
        let mut d = Driver::new(lab);
        // The page is usable on the CPU at once; once WebGPU has been found and has
        // passed its self-test, the run goes (keeping its state) to whichever backend
        // trains it faster (driver/auto.rs).
        d.reset();
        d.refresh().await;
        // A run saved before a reload is offered before any link's replay starts.
        d.saver.start().await;
        // A link waiting to be opened picks the backend (its own, or by timing its
        // experiment): the default experiment is not timed first.
        let link_waits = lab
            .commands
            .with_value(|q| q.iter().any(|c| matches!(c, Cmd::OpenLink(_))));
        // Let the browser paint the CPU run first: asking for a WebGPU adapter can hold
        // the main thread for a few hundred milliseconds (SwiftShader's start-up).
        next_frame().await;
        d.probe_gpu(!link_waits).await;
        if d.runner.is_none() && cost::held_back(&lab) {
            // Judged again against the GPU's ceiling.
            d.rebuild_held_back().await;
        }
        lab.backend.update(|b| b.probing = false);
        loop {
            next_frame().await;
            let cmds = lab
                .commands
                .try_update_value(std::mem::take)
                .unwrap_or_default();
            // A run training in the worker is called back before anything reads or
            // replaces it, and when training pauses.
            if d.offload.is_active() && (!cmds.is_empty() || !lab.running.get_untracked()) {
                d.recall().await;
            }
            for cmd in cmds {
                d.handle(cmd).await;
            }
            d.look_if_fresh().await;
            d.text_frame().await;
            let ran = lab.running.get_untracked();
            if ran {
                if !d.was_running {
                    // Speed counts from the moment training (re)starts.
                    d.rate_mark = (now_ms(), d.runner.as_ref().map_or(0, Runner::step_count));
                    d.saver.training_started();
                }
                d.slice().await;
            }
            // Stopped since the last frame (a short run can start and end in one slice).
            if (d.was_running || ran) && !lab.running.get_untracked() {
                d.stopped().await;
            }
            d.was_running = lab.running.get_untracked();
        }
    });
}

/// Resolves at the browser's next animation frame; in a worker (no window, no frames),
/// at the next turn of its event loop.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| match web_sys::window() {
        Some(w) => {
            let _ = w.request_animation_frame(&resolve);
        }
        None => {
            crate::platform::set_timeout(&resolve, 0);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The driver's own state.
struct Driver {
    lab: Lab,
    runner: Option<Runner>,
    device: Device,
    gpu: Option<Device>,
    /// Why there is no GPU device (when there is none).
    gpu_reason: String,
    points: Option<(Points2d, Points2d)>,
    /// Set when training diverged: stepping is refused until a reset.
    diverged: bool,
    last_read: f64,
    /// When the history was last published to the page.
    last_history_shown: f64,
    rate_mark: (f64, u64),
    /// Whether training ran at the previous frame.
    was_running: bool,
    /// The auto backend's timings, per experiment shape (see `driver/auto.rs`).
    timings: Vec<(ExperimentConfig, super::state::Timing)>,
    /// Resets so far (see [`Status::run`]).
    run: u64,
    /// While on the GPU: the training state as last read back, so a lost device can
    /// hand the run to the CPU without losing it.
    host_copy: Option<Snapshot>,
    /// When `host_copy` was taken (ms).
    host_copy_at: f64,
    /// Saves the run for a reload and holds the saved run found at load.
    saver: super::resume::Saver,
    /// A link's weights, loaded once its `run=N` replay reaches step N.
    after_replay: Option<(u64, Vec<NamedWeight>)>,
    /// `(run, step)` of the last state whose link was published.
    published: (u64, u64),
    /// When a link was last published (ms).
    link_at: f64,
    /// The configuration the person confirmed over the default cost limits.
    confirmed: Option<ExperimentConfig>,
    /// A link held back by the cost gate, opened once the person confirms it.
    held_link: Option<DecodedLink>,
    /// What waits for a download of on-demand data (see `driver/after_data.rs`).
    after_data: Option<after_data::AfterData>,
    /// The generation panel's sampling in progress (see `driver/text.rs`).
    sampling: Option<text::Sampling>,
    /// What the probability bars were last computed for, and when (ms).
    bars_key: Option<text::BarsKey>,
    bars_at: f64,
    /// Training in the worker (see `driver/offload.rs`).
    offload: offload::Offload,
    /// A text run's characters, with the run they are of (see `driver/text.rs`).
    vocab: Option<(u64, crate::data::text::CharVocab)>,
}

impl Driver {
    fn new(lab: Lab) -> Driver {
        Driver {
            lab,
            runner: None,
            device: Device::Cpu,
            gpu: None,
            gpu_reason: String::new(),
            points: None,
            diverged: false,
            last_read: 0.0,
            last_history_shown: 0.0,
            rate_mark: (now_ms(), 0),
            was_running: false,
            timings: Vec::new(),
            run: 0,
            host_copy: None,
            host_copy_at: f64::NEG_INFINITY,
            saver: super::resume::Saver::new(lab),
            after_replay: None,
            published: (0, u64::MAX),
            link_at: f64::NEG_INFINITY,
            confirmed: None,
            held_link: None,
            after_data: None,
            sampling: None,
            bars_key: None,
            bars_at: f64::NEG_INFINITY,
            offload: offload::Offload::new(),
            vocab: None,
        }
    }

    async fn handle(&mut self, cmd: Cmd) {
        match cmd {
            Cmd::Reset => {
                self.held_link = None;
                self.after_data = None;
                self.reset();
                self.refresh().await;
                self.auto_choose().await;
            }
            Cmd::Step => {
                if self.step_once() {
                    self.refresh().await;
                }
            }
            Cmd::SetBackend(kind) => {
                self.lab.backend.update(|b| {
                    b.auto = false;
                    b.timed = None;
                });
                self.set_backend(kind).await;
                self.after_move().await;
            }
            Cmd::AutoBackend => {
                self.lab.backend.update(|b| b.auto = true);
                self.auto_choose().await;
            }
            Cmd::Refresh => self.refresh().await,
            Cmd::OpenLink(link) => self.open_link(*link).await,
            Cmd::LoadWeights(w) => self.load_weights(&w).await,
            Cmd::ConfirmLarge => self.confirm_large().await,
            Cmd::ResumeSaved => self.resume_saved().await,
            Cmd::DiscardSaved => self.discard_saved().await,
            Cmd::DataReady => self.data_ready().await,
        }
    }

    /// Rebuilds the run from the current configuration.
    fn reset(&mut self) {
        // `running` is left as it is: an edit pauses when it is made (`Lab::edit`), and a
        // play pressed after it (even before this reset is handled, while WebGPU is still
        // being probed) must start the new run, not be undone here.
        self.run += 1;
        self.diverged = false;
        self.host_copy = None;
        self.after_replay = None;
        self.lab.history.set(Vec::new());
        self.lab.live.set(None);
        self.lab.scores.set(None);
        let config = self.lab.config.get_untracked();
        if let Some(set) = super::data_fetch::missing_set(&config) {
            // Nothing to build until the data is here; the download asks for a reset.
            super::data_fetch::start_fetch(self.lab, set);
            self.lab.error.set(None);
            self.lab.cost.set(None);
            self.runner = None;
            self.points = None;
            self.lab.plot_frame.set(PlotFrame::default());
            self.publish_status(0.0);
            return;
        }
        if !self.cost_allows(&config) {
            // Held back: nothing is built (building evaluates it at once).
            self.lab.error.set(None);
            self.runner = None;
            self.points = None;
            self.lab.plot_frame.set(PlotFrame::default());
            self.publish_status(0.0);
            return;
        }
        match Runner::new(config, self.device.clone()) {
            Ok(r) => {
                self.lab.error.set(None);
                self.points = r.points_2d();
                self.runner = Some(r);
            }
            Err(e) => {
                self.lab.error.set(Some(e.to_string()));
                self.runner = None;
                self.points = None;
                self.lab.plot_frame.set(PlotFrame::default());
            }
        }
        self.rate_mark = (now_ms(), 0);
        self.publish_status(0.0);
        self.warm_worker();
    }

    /// One step; false when there is nothing to step.
    fn step_once(&mut self) -> bool {
        let Some(r) = self.runner.as_mut() else {
            return false;
        };
        if self.diverged {
            return false;
        }
        if let Err(e) = r.step() {
            self.fail(e);
            return false;
        }
        self.publish_status(self.lab.status.get_untracked().steps_per_sec);
        true
    }

    /// A few milliseconds of training, then a readback when one is due.
    async fn slice(&mut self) {
        let gpu = !self.device.is_cpu();
        let Some(r) = self.runner.as_ref() else {
            // A play pressed while the run's data downloads starts the run once it is
            // built; otherwise there is nothing to train.
            let loading = matches!(
                self.lab.data_fetch.get_untracked(),
                DataFetch::Loading { .. }
            );
            if !loading {
                self.lab.running.set(false);
            }
            return;
        };
        if self.diverged || r.is_done() {
            self.lab.running.set(false);
            return;
        }
        match self.train_where() {
            offload::Where::Worker => return self.slice_in_worker().await,
            offload::Where::Wait => return,
            offload::Where::Page => {}
        }
        let Some(r) = self.runner.as_mut() else {
            return;
        };
        let t0 = now_ms();
        let (budget, cap) = if gpu {
            (GPU_SLICE_MS, GPU_STEPS_PER_FRAME)
        } else {
            (CPU_SLICE_MS, u32::MAX)
        };
        let mut n = 0;
        let mut failed = None;
        let mut recorded = false;
        while n < cap && now_ms() - t0 < budget && !r.is_done() {
            if let Err(e) = r.step() {
                failed = Some(e);
                break;
            }
            n += 1;
            // A history point exactly where the runner's own loop records one (the
            // CLI's metrics.json has the same points), whatever the timing.
            if r.record_due() {
                if let Err(e) = answer(r.record()).await {
                    failed = Some(e);
                    break;
                }
                recorded = true;
                if gpu {
                    // The readback has just waited for the device: give the frame back.
                    break;
                }
            }
        }
        if let Some(e) = failed {
            self.fail(e);
            return;
        }
        if !gpu {
            self.note_page_slice(n, now_ms() - t0);
        }
        self.after_steps(recorded).await;
    }

    /// Publishes the run after steps (trained in the page, or in the worker and applied
    /// here): its speed and step, a readback when one is due, its history when a point
    /// was `recorded`; stops training at the end of the budget.
    async fn after_steps(&mut self, recorded: bool) {
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        let done = r.is_done();
        let now = now_ms();
        let (t_mark, s_mark) = self.rate_mark;
        let step = r.step_count();
        let mut rate = self.lab.status.get_untracked().steps_per_sec;
        if now - t_mark >= 250.0 || (done && now > t_mark) {
            rate = step.saturating_sub(s_mark) as f64 * 1000.0 / (now - t_mark);
            self.rate_mark = (now, step);
        }
        self.publish_status(rate);
        if done || now - self.last_read >= READ_EVERY_MS {
            self.refresh().await;
        } else if recorded && now - self.last_history_shown >= HISTORY_SHOW_MS {
            self.show_history();
        }
        if recorded && self.evaluates_at_points() {
            // Such a run's live numbers are its recorded points.
            let last = self
                .runner
                .as_ref()
                .and_then(|r| r.history().last().cloned());
            self.lab.live.set(last);
        }
        if done {
            self.lab.running.set(false);
        }
    }

    pub(super) fn publish_status(&self, steps_per_sec: f64) {
        let s = match &self.runner {
            Some(r) => Status {
                step: r.step_count(),
                epoch: r.epoch(),
                total_steps: r.total_steps(),
                steps_per_sec,
                run: self.run,
            },
            None => Status {
                run: self.run,
                ..Status::default()
            },
        };
        self.lab.status.set(s);
    }

    /// Publishes the runner's history to the page (the loss chart and counters).
    fn show_history(&mut self) {
        self.last_history_shown = now_ms();
        if let Some(r) = &self.runner {
            self.lab.history.set(r.history().to_vec());
        }
    }

    async fn refresh(&mut self) {
        // A point due at this step is recorded in the worker when the run trains there.
        self.record_in_worker().await;
        self.last_read = now_ms();
        // A token model evaluates only where its history records a point (see text.rs).
        if self.is_token_run() && self.runner.as_ref().is_some_and(|r| !r.record_due()) {
            self.refresh_light().await;
            return;
        }
        let at_points = self.evaluates_at_points();
        let Some(r) = self.runner.as_mut() else {
            return;
        };
        if self.diverged {
            return;
        }
        // On the GPU, keep a host copy of the whole training state (a lost device cannot
        // be read): the weights read for the plots, and the optimizer state, read only
        // every few seconds while training (and whenever training has stopped).
        let now = now_ms();
        let copy_due = !self.device.is_cpu()
            && (self.host_copy.is_none()
                || !self.lab.running.get_untracked()
                || now - self.host_copy_at >= HOST_COPY_EVERY_MS);
        // The plots, the weights and an evaluation of this step in one readback (a run
        // in the worker is evaluated there, at its points).
        let read = match at_points {
            true => answer(r.refresh_at_points(self.points.as_ref(), copy_due)).await,
            false => answer(r.refresh(self.points.as_ref(), copy_due)).await,
        };
        let read = match read {
            Ok(read) => read,
            Err(e) => {
                self.fail(e);
                return;
            }
        };
        if let Some(copy) = read.host_copy {
            self.host_copy = Some(copy);
            self.host_copy_at = now;
        }
        self.lab.live.set(read.live);
        self.show_history();
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        self.lab.scores.set(r.last_scores().cloned());
        let plots = read.plots;
        let s = read_plot_frame(r, self.points.clone(), plots);
        self.publish(&s.weights);
        self.keep_for_reload(Some(&s.weights)).await;
        self.lab.plot_frame.set(s);
        // The input being looked at, predicted again with these weights.
        if self.lab.probe.with_value(Option::is_some) {
            self.look().await;
        }
    }
}

/// Milliseconds between host copies of the optimizer state while training on the GPU.
const HOST_COPY_EVERY_MS: f64 = 3000.0;

/// Longest wait for a readback before the GPU counts as lost.
const READBACK_TIMEOUT_MS: i32 = 30_000;

/// `f`'s result, or a GPU error when no answer comes in time (a hung device must not
/// freeze the page's training loop forever; the CPU backend always answers at once).
async fn answer<T>(f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    gpu::with_timeout(READBACK_TIMEOUT_MS, f)
        .await
        .unwrap_or_else(|| {
            Err(Error::Gpu(format!(
                "no answer from the device within {} s",
                READBACK_TIMEOUT_MS / 1000
            )))
        })
}
