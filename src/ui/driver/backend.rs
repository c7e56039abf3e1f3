//! The driver's backends: finding WebGPU at start, moving a run between backends, and
//! leaving a failed GPU for the CPU backend.

use super::super::gpu;
use super::super::state::{BackendKind, Cmd};
use super::cost::held_back;
use super::Driver;
use crate::error::Error;
use crate::experiment::{assess, Runner};
use crate::platform::now_ms;
use crate::Device;
use leptos::prelude::*;

impl Driver {
    /// Looks for WebGPU; when it works and `choose`, picks the backend of the run by
    /// timing it (see `driver/auto.rs`); otherwise says why not.
    pub(super) async fn probe_gpu(&mut self, choose: bool) {
        let probe = gpu::probe().await;
        let mut info = self.lab.backend.get_untracked();
        info.adapter = probe.adapter.clone();
        match probe.device {
            Ok(dev) => {
                self.gpu = Some(dev);
                info.notice = None;
                self.lab.backend.set(info);
                if choose {
                    self.auto_choose().await;
                }
            }
            Err(why) => {
                info.active = BackendKind::Cpu;
                info.notice = Some(match &probe.adapter {
                    Some(a) => {
                        format!("running on the CPU backend: WebGPU adapter {a} found, but {why}")
                    }
                    None => format!("running on the CPU backend: {why}"),
                });
                self.gpu_reason = why;
                self.lab.backend.set(info);
            }
        }
    }

    /// Moves the run to `kind`, keeping its step count, history and optimizer state.
    pub(super) async fn set_backend(&mut self, kind: BackendKind) {
        let target = match kind {
            BackendKind::Cpu => Device::Cpu,
            BackendKind::Gpu => match &self.gpu {
                Some(d) => d.clone(),
                None => {
                    let mut info = self.lab.backend.get_untracked();
                    info.notice = Some(format!(
                        "WebGPU is not available, staying on the CPU backend: {}",
                        self.gpu_reason
                    ));
                    info.active = BackendKind::Cpu;
                    self.lab.backend.set(info);
                    return;
                }
            },
        };
        if let Err(why) = self.may_move_to(&target) {
            let mut info = self.lab.backend.get_untracked();
            info.notice = Some(why);
            self.lab.backend.set(info);
            return;
        }
        self.lab.backend.update(|b| b.switching = true);
        let result = match self.runner.as_mut() {
            Some(r) => r.set_device(target.clone()).await,
            None => Ok(()),
        };
        let mut info = self.lab.backend.get_untracked();
        info.switching = false;
        match result {
            Ok(()) => {
                self.device = target;
                info.active = kind;
                info.notice = None;
            }
            Err(e) => info.notice = Some(format!("could not switch backend: {e}")),
        }
        self.lab.backend.set(info);
        self.rate_mark = (now_ms(), self.runner.as_ref().map_or(0, Runner::step_count));
    }

    /// After a move to another backend: a run held back by the cost gate is judged
    /// again (its verdict depends on the backend's ceiling), any other is re-read.
    pub(super) async fn after_move(&mut self) {
        if self.runner.is_none() && held_back(&self.lab) {
            self.rebuild_held_back().await;
        } else {
            self.refresh().await;
        }
    }

    /// Stops training and shows `e`. A GPU failure (lost device, driver error) leaves
    /// the GPU: the run restarts on the CPU backend and the notice says why.
    pub(super) fn fail(&mut self, e: Error) {
        self.lab.running.set(false);
        match e {
            Error::NonFinite { .. } => {
                self.diverged = true;
                self.lab.error.set(Some(e.to_string()));
            }
            Error::Gpu(_) if !self.device.is_cpu() => {
                self.gpu = None;
                self.gpu_reason = format!("the GPU failed ({e})");
                self.device = Device::Cpu;
                let config = self.lab.config.get_untracked();
                // A run confirmed for the GPU may be too large for the CPU backend: it
                // is then held back by `reset` instead of resumed.
                let fits_cpu = assess(&config, &super::cost::ceiling_for(&Device::Cpu, &config))
                    .1
                    .may_start();
                let resumed = self
                    .host_copy
                    .take()
                    .filter(|_| fits_cpu)
                    .and_then(|snap| Runner::restore(config, Device::Cpu, &snap).ok());
                let notice = match resumed {
                    Some(r) => {
                        let from = r.step_count();
                        self.lab.history.set(r.history().to_vec());
                        self.runner = Some(r);
                        self.publish_status(0.0);
                        format!(
                            "the GPU failed, so the run continues on the CPU backend from step {from} (its last copy read back): {e}"
                        )
                    }
                    None => {
                        self.reset();
                        format!("the GPU failed, so the run restarted on the CPU backend: {e}")
                    }
                };
                self.lab.backend.update(|b| {
                    b.active = BackendKind::Cpu;
                    b.notice = Some(notice);
                });
                self.lab.send(Cmd::Refresh);
            }
            _ => self.lab.error.set(Some(e.to_string())),
        }
    }
}
