//! The driver's part of links and model import: opening a decoded link (backend, run,
//! replay of `run=N`, its weights; after its data set's download when the page has not
//! got it yet), loading weights, and publishing the state's link and `weights_sha256`
//! after each readback.

use super::super::data_fetch::missing_set;
use super::super::links;
use super::super::state::BackendKind;
use super::after_data::AfterData;
use super::cost::held_back;
use super::Driver;
use crate::experiment::{BackendChoice, DecodedLink, NamedWeight, Runner};
use crate::platform::now_ms;
use leptos::prelude::*;

impl Driver {
    /// Opens `link`, whose replay config the page has already put in the controls:
    /// moves to the link's backend, rebuilds the run (same config, same seed: same data
    /// and initial weights), then trains its `run=N` steps (training stops at N: the
    /// replay config's budget) and loads its weights, if it has any.
    pub(super) async fn open_link(&mut self, link: DecodedLink) {
        let auto = link.config.backend == BackendChoice::Auto;
        // A link's own backend replays it as it was made: the page stops picking.
        self.lab.backend.update(|b| {
            b.auto = auto;
            b.timed = None;
        });
        match link.config.backend {
            BackendChoice::Cpu if !self.device.is_cpu() => self.set_backend(BackendKind::Cpu).await,
            BackendChoice::Gpu if self.device.is_cpu() && self.gpu.is_some() => {
                self.set_backend(BackendKind::Gpu).await
            }
            _ => {}
        }
        self.reset();
        self.refresh().await;
        if auto {
            // Boxed: choosing may rebuild a held-back run, which opens its link again.
            Box::pin(self.auto_choose()).await;
        }
        if self.runner.is_none() {
            if held_back(&self.lab) {
                // Opened (replayed, its weights loaded) once the person confirms.
                self.held_link = Some(link);
            } else if missing_set(&self.lab.config.get_untracked()).is_some() {
                // Opened again once its data set has been downloaded.
                self.after_data = Some(AfterData::Link(Box::new(link)));
            }
            return;
        }
        let steps = link.steps.unwrap_or(0);
        match link.weights {
            Some(w) if steps == 0 => self.load_weights(&w).await,
            Some(w) => self.after_replay = Some((steps, w)),
            None => {}
        }
        if steps > 0 {
            if self.saver.holding() {
                // Replayed if the person discards the saved run offered instead.
                self.saver.held_replay = true;
            } else {
                self.lab.running.set(true);
            }
        }
    }

    /// Loads `weights` into the run (matched by name and shape; a mismatch changes
    /// nothing and the message names it), then re-reads the plots.
    pub(super) async fn load_weights(&mut self, weights: &[NamedWeight]) {
        let Some(r) = self.runner.as_mut() else {
            self.lab
                .io_message
                .set(Some("no run to load the weights into".into()));
            return;
        };
        match r.load_weights(weights) {
            Ok(()) => {
                let n: usize = weights.iter().map(|w| w.data.len()).sum();
                self.diverged = false;
                self.lab.error.set(None);
                self.lab.io_message.set(Some(format!(
                    "loaded {} tensors ({n} values) at step {}",
                    weights.len(),
                    r.step_count()
                )));
                self.refresh().await;
            }
            Err(e) => self
                .lab
                .io_message
                .set(Some(format!("the weights do not fit this model: {e}"))),
        }
    }

    /// Training has just stopped (paused, budget spent, failed): finish a link's
    /// replay, and publish the final state when the last readback is older.
    pub(super) async fn stopped(&mut self) {
        let step = self.runner.as_ref().map(Runner::step_count);
        if let (Some((target, _)), Some(step)) = (&self.after_replay, step) {
            if *target == step {
                if let Some((_, w)) = self.after_replay.take() {
                    self.replace_if_different(&w).await;
                }
            }
        }
        let now = (self.run, self.runner.as_ref().map_or(0, Runner::step_count));
        if self.published != now {
            self.refresh().await;
        }
        // Training stopped: the state it stopped in is saved for a reload at once.
        self.keep_for_reload(None).await;
    }

    /// After a replay: the link's weights replace the replayed ones when they differ
    /// (the link was trained on another backend), so the model is the shared one.
    async fn replace_if_different(&mut self, link_weights: &[NamedWeight]) {
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        let same = match r.weights().await {
            Ok(mine) => bits(&mine) == bits_matched(link_weights, &mine),
            Err(_) => false,
        };
        if same {
            self.lab.io_message.set(Some(
                "replayed: the weights equal the link's, bit for bit".into(),
            ));
        } else {
            self.load_weights(link_weights).await;
            self.lab.io_message.set(Some(
                "the replay's weights differ from the link's (trained on another backend), \
                 so the link's weights were loaded"
                    .into(),
            ));
        }
    }

    /// Publishes the link and the weights hash of the state just read back.
    pub(super) fn publish(&mut self, weights: &[NamedWeight]) {
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        let step = r.step_count();
        // Encoding a link with its weights (deflate, base64) takes milliseconds of the
        // main thread: while training, the address follows at most every
        // `LINK_EVERY_MS`; once training stops (`stopped`) it is brought up to date.
        let now = now_ms();
        let link_due = !self.lab.running.get_untracked() || now - self.link_at >= LINK_EVERY_MS;
        links::publish(
            &self.lab,
            r.config(),
            step,
            weights,
            !self.device.is_cpu(),
            link_due,
        );
        if link_due {
            self.link_at = now;
            self.published = (self.run, step);
        }
    }
}

/// Fewest milliseconds between two links published while training.
const LINK_EVERY_MS: f64 = 2000.0;

/// Every value's bits, in order.
fn bits(w: &[NamedWeight]) -> Vec<u32> {
    w.iter()
        .flat_map(|t| t.data.iter().map(|v| v.to_bits()))
        .collect()
}

/// The bits of `link` taken in the order (by name) of `order`; empty when a name is
/// missing.
fn bits_matched(link: &[NamedWeight], order: &[NamedWeight]) -> Vec<u32> {
    let mut out = Vec::new();
    for o in order {
        match link.iter().find(|w| w.name == o.name && w.shape == o.shape) {
            Some(w) => out.extend(w.data.iter().map(|v| v.to_bits())),
            None => return Vec::new(),
        }
    }
    out
}
