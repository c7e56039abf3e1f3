//! Counters of what the GPU backend creates and submits: the lean-step tests assert that
//! a warm training step creates no buffers, pipelines or bind groups and submits once.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// A snapshot of the GPU backend's counters (totals since the backend was created).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GpuStats {
    /// Device buffers created (tensor storage, readback staging, uniform arenas).
    pub buffers_created: u64,
    /// Bytes of those buffers.
    pub bytes_created: u64,
    /// Compute pipelines compiled.
    pub pipelines_created: u64,
    /// Bind groups created (cached ones are reused).
    pub bind_groups_created: u64,
    /// Command-buffer submissions.
    pub submits: u64,
    /// Compute dispatches recorded.
    pub dispatches: u64,
    /// Host-to-device uploads.
    pub uploads: u64,
    /// Device-to-host reads.
    pub readbacks: u64,
}

impl GpuStats {
    /// What happened between `earlier` and `self` (counter by counter).
    pub fn since(&self, earlier: &GpuStats) -> GpuStats {
        GpuStats {
            buffers_created: self.buffers_created - earlier.buffers_created,
            bytes_created: self.bytes_created - earlier.bytes_created,
            pipelines_created: self.pipelines_created - earlier.pipelines_created,
            bind_groups_created: self.bind_groups_created - earlier.bind_groups_created,
            submits: self.submits - earlier.submits,
            dispatches: self.dispatches - earlier.dispatches,
            uploads: self.uploads - earlier.uploads,
            readbacks: self.readbacks - earlier.readbacks,
        }
    }
}

/// The live counters, shared by the pool, the pipeline cache and the recorder.
#[derive(Debug, Default)]
pub struct Counters {
    stats: Cell<GpuStats>,
    next_id: Cell<u64>,
    /// Dispatches per kernel entry point (totals), for the per-kernel breakdown of a
    /// step: which kernels a fusion should target, and what it saved.
    by_kernel: RefCell<BTreeMap<&'static str, u64>>,
}

impl Counters {
    fn bump(&self, f: impl FnOnce(&mut GpuStats)) {
        let mut s = self.stats.get();
        f(&mut s);
        self.stats.set(s);
    }

    /// The current totals.
    pub fn snapshot(&self) -> GpuStats {
        self.stats.get()
    }

    /// A fresh id for a buffer (bind groups are cached by buffer ids).
    pub fn next_id(&self) -> u64 {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        id
    }

    /// A buffer of `bytes` was created.
    pub fn buffer_created(&self, bytes: u64) {
        self.bump(|s| {
            s.buffers_created += 1;
            s.bytes_created += bytes;
        });
    }

    /// A pipeline was compiled.
    pub fn pipeline_created(&self) {
        self.bump(|s| s.pipelines_created += 1);
    }

    /// A bind group was created.
    pub fn bind_group_created(&self) {
        self.bump(|s| s.bind_groups_created += 1);
    }

    /// A command buffer was submitted.
    pub fn submitted(&self) {
        self.bump(|s| s.submits += 1);
    }

    /// A dispatch of the kernel entry point `entry` was recorded.
    pub fn dispatched(&self, entry: &'static str) {
        self.bump(|s| s.dispatches += 1);
        *self.by_kernel.borrow_mut().entry(entry).or_insert(0) += 1;
    }

    /// Dispatches per kernel entry point since the backend was created.
    pub fn dispatches_by_kernel(&self) -> DispatchCounts {
        DispatchCounts(self.by_kernel.borrow().clone())
    }

    /// Data was uploaded.
    pub fn uploaded(&self) {
        self.bump(|s| s.uploads += 1);
    }

    /// Data was read back.
    pub fn read_back(&self) {
        self.bump(|s| s.readbacks += 1);
    }
}

/// Dispatches per kernel entry point (totals, or the difference of two snapshots).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DispatchCounts(pub BTreeMap<&'static str, u64>);

impl DispatchCounts {
    /// What was dispatched between `earlier` and `self`, kernels with none left out.
    pub fn since(&self, earlier: &DispatchCounts) -> DispatchCounts {
        let diff = self
            .0
            .iter()
            .map(|(k, &n)| (*k, n - earlier.0.get(k).copied().unwrap_or(0)))
            .filter(|&(_, n)| n > 0)
            .collect();
        DispatchCounts(diff)
    }

    /// All dispatches counted.
    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }

    /// Dispatches of `entry`.
    pub fn of(&self, entry: &str) -> u64 {
        self.0.get(entry).copied().unwrap_or(0)
    }

    /// The kernels by dispatch count, most first (ties by name): `(entry, count)`.
    pub fn ranked(&self) -> Vec<(&'static str, u64)> {
        let mut v: Vec<_> = self.0.iter().map(|(k, &n)| (*k, n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}
