//! The driver's look at one input (the drawing pad's ink, a clicked test image): a
//! prediction with the current weights, every layer's output when the view that shows
//! them is on screen, timed with `performance.now()`.
//!
//! Throttling comes from the driver's shape: the pad only replaces [`Lab::probe`] and
//! raises [`Lab::probe_fresh`]; the driver takes the latest probe once per frame and
//! awaits its prediction before the next, so one prediction is in flight at most and
//! a burst of strokes costs one prediction per frame, of the newest ink.

use super::super::probe::{on_screen, Probe, Seen};
use super::{answer, Driver};
use crate::error::Error;
use crate::platform::now_ms;
use leptos::prelude::*;

/// The test id of the view that draws each layer's output.
pub(crate) const FEATURE_VIEW_ID: &str = "feature-view";

impl Driver {
    /// Looks at the probe when it changed since the last look.
    pub(super) async fn look_if_fresh(&mut self) {
        let fresh = self
            .lab
            .probe_fresh
            .try_update_value(|f| std::mem::replace(f, false))
            .unwrap_or(false);
        if fresh {
            self.look().await;
        }
    }

    /// Predicts the probe with the current weights and publishes what the model made
    /// of it. A probe this run cannot take (a row of another data set, ink for a model
    /// that reads no pictures) is dropped.
    pub(super) async fn look(&mut self) {
        let lab = self.lab;
        let Some(probe) = lab.probe.get_value() else {
            lab.seen.set(None);
            return;
        };
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        if self.diverged {
            return;
        }
        let raw = match &probe {
            Probe::Ink(ink) => r.ink_row(ink),
            Probe::Row { raw, .. } => Ok(raw.clone()),
        };
        let layers = on_screen(FEATURE_VIEW_ID);
        let t0 = now_ms();
        let looked = match raw {
            Ok(raw) => answer(r.inspect(&raw, layers)).await,
            Err(e) => Err(e),
        };
        let ms = now_ms() - t0;
        match looked {
            Ok(ins) => {
                let step = r.step_count();
                lab.seen.set(Some(Seen::new(probe.label(), ins, ms, step)));
            }
            Err(e @ Error::Gpu(_)) => self.fail(e),
            Err(_) => {
                lab.probe.set_value(None);
                lab.seen.set(None);
            }
        }
    }
}
