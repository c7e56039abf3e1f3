//! The driver's backends: finding WebGPU at start, and moving a run between backends.

use super::super::gpu;
use super::super::state::BackendKind;
use super::Driver;
use crate::experiment::Runner;
use crate::platform::now_ms;
use crate::Device;
use leptos::prelude::*;

impl Driver {
    /// Looks for WebGPU and starts on it when it works; otherwise says why not.
    pub(super) async fn probe_gpu(&mut self, keep_cpu: bool) {
        let probe = gpu::probe().await;
        let mut info = self.lab.backend.get_untracked();
        info.adapter = probe.adapter.clone();
        match probe.device {
            Ok(dev) => {
                self.gpu = Some(dev);
                info.notice = None;
                self.lab.backend.set(info);
                if !keep_cpu {
                    self.set_backend(BackendKind::Gpu).await;
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
}
