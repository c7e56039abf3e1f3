//! The GPU backend: the op vocabulary as WGSL compute kernels (`shaders/*.wgsl`, embedded
//! with `include_str!`, identical on every target) run through wgpu: WebGPU in the
//! browser, Vulkan/Metal/DX12 natively (Mesa's lavapipe on a CPU-only Linux box).
//!
//! Layers, bottom up: [`context`] opens the device and records its errors; `pool` reuses
//! buffers; `pipelines` compiles each entry point once and caches bind groups; `encoder`
//! records every dispatch into one pending command encoder, submitted at
//! [`Backend::flush`](super::Backend::flush); `readback` is the one async path back to
//! the host; `ops` and `matmul` implement the [`Backend`](super::Backend) contract.
//!
//! Ops never fail on the spot (the contract returns storages at once): a device error,
//! a lost device or a tensor too large for the adapter is recorded and surfaces as
//! `Error::Gpu` from the next read, so the caller can fall back to the CPU.

mod context;
mod conv;
mod encoder;
mod fused;
mod kernel_times;
mod matmul;
mod ops;
mod pipelines;
mod pool;
mod readback;
mod stats;
#[cfg(target_arch = "wasm32")]
mod web;

pub use context::{ErrorSink, GpuAdapterInfo, GpuContext};
pub use kernel_times::KernelTimes;
pub use matmul::MatmulKernel;
pub use pipelines::{Family, Kernel, Sig, COMMON_FILE};
pub use stats::{DispatchCounts, GpuStats};

use crate::error::{Error, Result};
use encoder::Recorder;
use pipelines::Pipelines;
use pool::{Kind, Pool, PooledBuffer, Returner};
use stats::Counters;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Threads per workgroup of the elementwise kernels.
const WORKGROUP: u64 = 256;

/// Commands recorded before an automatic submit, which bounds memory held by buffers
/// waiting for a submit. Far above one training step, which submits once.
const AUTO_FLUSH: usize = 8192;

/// A device buffer holding `len` f32 elements (the buffer may be larger: size class).
struct GpuBuffer {
    buf: Option<PooledBuffer>,
    len: usize,
    returner: Returner,
}

impl Drop for GpuBuffer {
    fn drop(&mut self) {
        if let Some(b) = self.buf.take() {
            self.returner.defer(b);
        }
    }
}

/// A handle to tensor data on the GPU. Cloning shares the buffer; it returns to the
/// backend's pool when the last handle drops.
#[derive(Clone)]
pub struct GpuStorage(Rc<GpuBuffer>);

impl GpuStorage {
    /// Number of f32 elements.
    pub fn len(&self) -> usize {
        self.0.len
    }

    /// True when it holds no element.
    pub fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    fn pooled(&self) -> &PooledBuffer {
        self.0
            .buf
            .as_ref()
            .expect("a live storage always holds its buffer")
    }

    /// No other handle shares the buffer (it may be updated in place).
    fn is_unique(&self) -> bool {
        Rc::strong_count(&self.0) == 1
    }
}

impl std::fmt::Debug for GpuStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "GpuStorage(len {}, buffer #{})",
            self.len(),
            self.pooled().id
        )
    }
}

/// The wgpu backend. Single-threaded (`Rc`, `RefCell`): wgpu's types are not `Send` on
/// the web, and one training loop drives one device. Natively, do not let the last
/// handle drop inside a thread-local destructor: wgpu-core's debug lock tracing uses a
/// thread-local of its own there and aborts (tests keep their device alive instead).
pub struct GpuBackend {
    ctx: GpuContext,
    counters: Rc<Counters>,
    pool: Pool,
    pipelines: RefCell<Pipelines>,
    recorder: RefCell<Recorder>,
    matmul_kernel: Cell<MatmulKernel>,
    /// [`GpuAdapterInfo::is_software`], worked out once: the matmul's `auto` rule reads
    /// it at every dispatch.
    software: bool,
    /// Bound where a kernel ignores its input (fill): a buffer may not be bound both as
    /// read-only and as read-write in one dispatch.
    dummy: PooledBuffer,
    /// Device time by kernel, when switched on (see `kernel_times.rs`).
    kernel_clock: kernel_times::KernelClock,
}

impl std::fmt::Debug for GpuBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuBackend")
            .field("adapter", &self.ctx.info.label())
            .field("stats", &self.stats())
            .finish()
    }
}

impl GpuBackend {
    /// Open the high-performance adapter. `Err` when there is none or it fails.
    pub async fn new() -> Result<GpuBackend> {
        Ok(GpuBackend::with_context(GpuContext::new().await?))
    }

    /// A backend on an already opened device.
    pub fn with_context(ctx: GpuContext) -> GpuBackend {
        let counters = Rc::new(Counters::default());
        let pool = Pool::new(counters.clone());
        let dummy = pool.take(&ctx.device, Kind::Storage, 4, u64::MAX);
        GpuBackend {
            recorder: RefCell::new(Recorder::new(
                ctx.limits.min_uniform_buffer_offset_alignment,
            )),
            pipelines: RefCell::new(Pipelines::new(counters.clone())),
            matmul_kernel: Cell::new(MatmulKernel::Auto),
            software: ctx.info.is_software(),
            ctx,
            counters,
            pool,
            dummy,
            kernel_clock: Default::default(),
        }
    }

    /// The adapter, for display.
    pub fn info(&self) -> &GpuAdapterInfo {
        &self.ctx.info
    }

    /// The limits granted to the device.
    pub fn limits(&self) -> &wgpu::Limits {
        &self.ctx.limits
    }

    /// The device and queue (benchmarks and tests that drive wgpu directly).
    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Counters of buffers, pipelines and bind groups created, submits and dispatches.
    pub fn stats(&self) -> GpuStats {
        self.counters.snapshot()
    }

    /// Dispatches per kernel entry point since the backend was created (take two and
    /// [`DispatchCounts::since`] for one step's breakdown).
    pub fn dispatches_by_kernel(&self) -> DispatchCounts {
        self.counters.dispatches_by_kernel()
    }

    /// From now on (`true`) every dispatch is submitted and waited for by itself and
    /// its time added to [`GpuBackend::kernel_times`]; `false` records steps as usual.
    /// For profiling natively (the browser's device cannot be waited for).
    pub fn set_kernel_timing(&self, on: bool) {
        self.kernel_clock.on.set(on);
    }

    /// Dispatches and device milliseconds per kernel timed so far (take two and
    /// [`KernelTimes::since`] for one step's).
    pub fn kernel_times(&self) -> KernelTimes {
        self.kernel_clock.snapshot()
    }

    /// The first device error (lost device, validation error, oversized tensor), if any.
    pub fn error(&self) -> Option<Error> {
        self.ctx.errors.get()
    }

    /// Which matmul kernel runs (`Auto` picks by size).
    pub fn matmul_kernel(&self) -> MatmulKernel {
        self.matmul_kernel.get()
    }

    /// Force a matmul kernel (tests and benchmarks validate and time both).
    pub fn set_matmul_kernel(&self, k: MatmulKernel) {
        self.matmul_kernel.set(k);
    }

    /// Compile every kernel now rather than on first use (a page can warm up while
    /// showing its first frame).
    pub fn warm_up(&self) {
        let mut p = self.pipelines.borrow_mut();
        for k in Kernel::all() {
            p.pipeline(&self.ctx.device, k);
        }
    }

    /// Record an error found on the host (it surfaces from the next read).
    fn fail(&self, msg: String) {
        self.ctx.errors.record(msg);
    }

    /// A parameter as u32; a size beyond it is recorded as an error (and 0 is used).
    fn u(&self, v: usize) -> u32 {
        u32::try_from(v).unwrap_or_else(|_| {
            self.fail(format!("size {v} exceeds the GPU kernels' 32-bit indexing"));
            0
        })
    }

    /// A fresh storage for `len` elements (from the pool). A tensor beyond the adapter's
    /// largest binding is recorded as an error and gets a minimal buffer.
    fn alloc(&self, len: usize) -> GpuStorage {
        let max = self
            .ctx
            .limits
            .max_storage_buffer_binding_size
            .min(self.ctx.limits.max_buffer_size);
        let bytes = (len as u64).saturating_mul(4);
        let bytes = if bytes > max {
            self.fail(format!(
                "a tensor of {len} elements ({bytes} bytes) exceeds this GPU's largest buffer ({max} bytes)"
            ));
            4
        } else {
            bytes
        };
        let buf = self.pool.take(&self.ctx.device, Kind::Storage, bytes, max);
        GpuStorage(Rc::new(GpuBuffer {
            buf: Some(buf),
            len,
            returner: self.pool.returner(),
        }))
    }

    /// Record one dispatch of `k` over `groups` workgroups with `params` at binding 0 and
    /// `buffers` from binding 1.
    fn launch(&self, k: Kernel, params: &[u32], buffers: &[&PooledBuffer], groups: u64) {
        if groups == 0 {
            return;
        }
        let Some((x, y)) =
            encoder::grid(groups, self.ctx.limits.max_compute_workgroups_per_dimension)
        else {
            self.fail(format!(
                "{}: {groups} workgroups exceed the dispatch limits",
                k.entry
            ));
            return;
        };
        let timed = self.kernel_clock.on.get();
        if timed {
            // What was recorded before (copies, other dispatches) is not this kernel's.
            self.finish_now();
        }
        if self.recorder.borrow().commands >= AUTO_FLUSH {
            self.flush_now();
        }
        let device = &self.ctx.device;
        let pipeline = self.pipelines.borrow_mut().pipeline(device, k);
        {
            let mut rec = self.recorder.borrow_mut();
            let (uid, ubuf, offset) = rec.push_params(device, &self.counters, params);
            let bg = self
                .pipelines
                .borrow_mut()
                .bind_group(device, k.sig, (uid, &ubuf), buffers);
            let pass = rec.pass(device);
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bg, &[offset]);
            pass.dispatch_workgroups(x, y, 1);
            rec.commands += 1;
        }
        self.counters.dispatched(k.entry);
        if timed {
            let t0 = crate::platform::now_ms();
            self.finish_now();
            self.kernel_clock
                .add(k.entry, crate::platform::now_ms() - t0);
        }
    }

    /// Submit what is recorded and wait until the device has done it.
    fn finish_now(&self) {
        self.flush_now();
        if let Err(e) = self.ctx.device.poll(wgpu::PollType::wait_indefinitely()) {
            self.fail(format!("waiting for the device: {e}"));
        }
    }

    /// Submit what is recorded, then let buffers freed meanwhile be reused.
    fn flush_now(&self) {
        self.recorder
            .borrow_mut()
            .submit(&self.ctx.queue, &self.counters);
        self.pool.release_deferred();
    }
}

/// Workgroups of `WORKGROUP` threads for `threads` threads.
fn groups(threads: usize) -> u64 {
    (threads as u64).div_ceil(WORKGROUP)
}
