//! The driver's part of surviving a reload: handing the saver snapshots of the run,
//! resuming the saved run (through [`Runner::restore`], the path a lost GPU takes), and
//! discarding it.

use super::super::links;
use super::super::resume::ResumeNotice;
use super::cost::ceiling_of;
use super::Driver;
use crate::experiment::{assess, NamedWeight, Runner};
use crate::platform::now_ms;
use leptos::prelude::*;

impl Driver {
    /// Gives the saver a snapshot of the run when one is due. `weights`: those the
    /// readback just brought (the CPU then reads only the optimizer state); on the GPU
    /// the host copy kept for a lost device is the snapshot (no extra readback).
    pub(super) async fn keep_for_reload(&mut self, weights: Option<&[NamedWeight]>) {
        let Some(r) = self.runner.as_ref() else {
            return;
        };
        let running = self.lab.running.get_untracked();
        let now = now_ms();
        let key = (self.run, r.step_count());
        if !self.diverged && self.saver.due(r.config(), key, running, now) {
            let snapshot = if self.device.is_cpu() {
                match weights {
                    Some(w) => r.snapshot_with_weights(w.to_vec()).await,
                    None => r.snapshot().await,
                }
                .ok()
            } else {
                self.host_copy.clone()
            };
            if let Some(s) = snapshot {
                let key = (self.run, s.step);
                self.saver.keep(r.config().clone(), s, key, now);
            }
        }
        self.saver.flush(running, now);
    }

    /// Continues the saved run: its config becomes the page's, the runner is restored
    /// from its snapshot on the current backend, and training goes on. A saved run whose
    /// data set the page has not downloaded yet resumes once it is here (the offer stays
    /// open meanwhile).
    pub(super) async fn resume_saved(&mut self) {
        if self.resume_waits_for_data() {
            return;
        }
        let Some(saved) = self.saver.take_offer() else {
            return;
        };
        let cannot = |lab: &super::Lab, detail: String| {
            lab.resume.update(|r| {
                r.notice = Some(ResumeNotice {
                    template: "The saved run cannot continue here ({detail}).",
                    detail,
                })
            })
        };
        let config = match saved.config() {
            Ok(c) => c,
            Err(e) => return cannot(&self.lab, e.to_string()),
        };
        // It ran here before, so only this backend's hard ceilings apply.
        let (_, verdict) = assess(&config, &ceiling_of(&self.device));
        if !verdict.may_start() {
            let why = verdict
                .excesses()
                .first()
                .map_or_else(|| "too large".to_string(), ToString::to_string);
            return cannot(&self.lab, why);
        }
        let r = match Runner::restore(config.clone(), self.device.clone(), &saved.snapshot) {
            Ok(r) => r,
            Err(e) => return cannot(&self.lab, e.to_string()),
        };
        self.lab.running.set(false);
        self.run += 1;
        self.diverged = false;
        self.host_copy = None;
        self.after_replay = None;
        self.held_link = None;
        self.confirmed = Some(config.clone());
        self.lab.cost.set(None);
        self.lab.error.set(None);
        self.lab
            .preset
            .set(links::matching_preset(&config).unwrap_or_default());
        // Set directly (not `Lab::edit`): an edit would rebuild the run from step 0.
        self.lab.config.set(config);
        self.points = r.points_2d();
        self.lab.history.set(r.history().to_vec());
        self.lab.live.set(None);
        let (step, done) = (r.step_count(), r.is_done());
        self.runner = Some(r);
        self.rate_mark = (now_ms(), step);
        self.publish_status(0.0);
        self.refresh().await;
        if !done {
            self.lab.running.set(true);
        }
    }

    /// Discards the saved run; a link's replay held back for the offer starts now.
    pub(super) async fn discard_saved(&mut self) {
        if self.saver.discard().await && self.runner.is_some() {
            self.lab.running.set(true);
        }
    }
}
