//! `Device` and `Storage`: the enum dispatch from tensors to a concrete backend.
//!
//! Adding a backend means one variant in each enum, one `storage_access!` line and one
//! arm in `on_backend!`; each method is written once for every backend.

use super::cpu::{CpuBackend, CpuStorage};
use super::gpu::{GpuBackend, GpuStats, GpuStorage};
use super::{Backend, Dims, FiniteCheck, MatmulDims, UpdateRule, View};
use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp, Window2d};
use std::rc::Rc;

/// Where tensors live and ops run.
#[derive(Clone, Debug)]
pub enum Device {
    /// The pure-Rust reference backend.
    Cpu,
    /// WGSL kernels through wgpu (WebGPU in the browser, Vulkan/Metal/DX12 natively).
    Gpu(Rc<GpuBackend>),
}

/// A handle to a tensor's elements on some device.
#[derive(Clone, Debug)]
pub enum Storage {
    /// Host memory.
    Cpu(CpuStorage),
    /// A GPU buffer.
    Gpu(GpuStorage),
}

impl Storage {
    /// Number of f32 elements it holds (a tensor may read only part of them).
    pub fn len(&self) -> usize {
        match self {
            Storage::Cpu(s) => s.len(),
            Storage::Gpu(s) => s.len(),
        }
    }

    /// True when it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// Storage from one backend handed to another is a programming error (tensors check
// devices before every op), so these panic with a message rather than return errors.
// One module per backend with the same names, so `on_backend!` writes each `Device`
// method once for all backends.
macro_rules! storage_access {
    ($module:ident, $variant:ident, $storage:ty, $msg:literal) => {
        mod $module {
            use super::*;

            pub fn get(s: &Storage) -> &$storage {
                match s {
                    Storage::$variant(s) => s,
                    _ => panic!($msg),
                }
            }

            pub fn take(s: Storage) -> $storage {
                match s {
                    Storage::$variant(s) => s,
                    _ => panic!($msg),
                }
            }

            pub fn view((s, v): (&Storage, View)) -> (&$storage, View) {
                (get(s), v)
            }

            pub fn parts<'a>(parts: &[(&'a Storage, usize)]) -> Vec<(&'a $storage, usize)> {
                parts.iter().map(|(s, n)| (get(s), *n)).collect()
            }

            pub fn wrap(s: $storage) -> Storage {
                Storage::$variant(s)
            }
        }
    };
}

storage_access!(
    on_cpu,
    Cpu,
    CpuStorage,
    "a GPU storage was passed to the CPU backend"
);
storage_access!(
    on_gpu,
    Gpu,
    GpuStorage,
    "a CPU storage was passed to the GPU backend"
);

/// Runs `$body` with `$b` bound to the device's backend and `$s` to its storage
/// accessors (`get`, `take`, `view`, `parts`, `wrap`): the one place that matches on
/// the backend, so a `Device` method is one line.
macro_rules! on_backend {
    ($device:expr, |$b:ident, $s:ident| $body:expr) => {
        match $device {
            Device::Cpu => {
                #[allow(unused_imports)]
                use on_cpu as $s;
                let $b = &CpuBackend;
                $body
            }
            Device::Gpu(g) => {
                #[allow(unused_imports)]
                use on_gpu as $s;
                let $b: &GpuBackend = g;
                $body
            }
        }
    };
}

// The fused transformer ops' methods, written with the macros above.
mod fused;

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Device::Cpu, Device::Cpu) => true,
            (Device::Gpu(a), Device::Gpu(b)) => Rc::ptr_eq(a, b),
            (Device::Cpu, Device::Gpu(_)) | (Device::Gpu(_), Device::Cpu) => false,
        }
    }
}

impl Device {
    /// A short label for display (`cpu`, or the GPU adapter's name).
    pub fn label(&self) -> String {
        match self {
            Device::Cpu => "cpu".to_string(),
            Device::Gpu(g) => g.info().label(),
        }
    }

    /// True for the CPU backend.
    pub fn is_cpu(&self) -> bool {
        matches!(self, Device::Cpu)
    }

    /// True for the GPU backend.
    pub fn is_gpu(&self) -> bool {
        matches!(self, Device::Gpu(_))
    }

    /// The GPU on its high-performance adapter; `Err` with a message when there is no
    /// adapter or no device (the page then stays on the CPU and says so).
    pub async fn gpu_async() -> Result<Device> {
        Ok(Device::Gpu(Rc::new(GpuBackend::new().await?)))
    }

    /// Native only: [`Device::gpu_async`], blocking this thread.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn gpu() -> Result<Device> {
        crate::platform::block_on(Device::gpu_async())
    }

    /// Native only: the GPU when an adapter exists, else the CPU and a notice to print.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn auto() -> (Device, Option<String>) {
        match Device::gpu() {
            Ok(d) => (d, None),
            Err(e) => (
                Device::Cpu,
                Some(format!("{e}; running on the CPU backend instead")),
            ),
        }
    }

    /// The GPU backend behind this device, if it is one (adapter info, kernel choice).
    pub fn gpu_backend(&self) -> Option<&Rc<GpuBackend>> {
        match self {
            Device::Gpu(g) => Some(g),
            Device::Cpu => None,
        }
    }

    /// The GPU backend's counters (buffers, pipelines, bind groups, submits); `None` on
    /// the CPU.
    pub fn gpu_stats(&self) -> Option<GpuStats> {
        self.gpu_backend().map(|g| g.stats())
    }

    /// A device failure recorded since it was opened (lost GPU, device error), if any.
    /// Reads report it too; this lets a training loop check without reading.
    pub fn error(&self) -> Option<crate::Error> {
        match self {
            Device::Cpu => None,
            Device::Gpu(g) => g.error(),
        }
    }

    /// Copy host data to the device.
    pub fn upload(&self, data: &[f32]) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.upload(data)))
    }

    /// `len` copies of `value`.
    pub fn fill(&self, len: usize, value: f32) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.fill(len, value)))
    }

    /// [`Backend::unary`] of `len` contiguous elements.
    pub fn unary(&self, op: UnaryOp, x: &Storage, len: usize) -> Storage {
        let out = [1, 1, 1, len];
        self.unary_strided(op, (x, View::contiguous(out)), out)
    }

    /// See [`Backend::unary`].
    pub fn unary_strided(&self, op: UnaryOp, x: (&Storage, View), out: Dims) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.unary(op, s::view(x), out)))
    }

    /// See [`Backend::binary`].
    pub fn binary(
        &self,
        op: BinaryOp,
        x: (&Storage, View),
        y: (&Storage, View),
        out: Dims,
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.binary(
            op,
            s::view(x),
            s::view(y),
            out
        )))
    }

    /// See [`Backend::binary_scalar`].
    pub fn binary_scalar(&self, op: BinaryOp, x: (&Storage, View), c: f32, out: Dims) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.binary_scalar(
            op,
            s::view(x),
            c,
            out
        )))
    }

    /// See [`Backend::select`].
    pub fn select(
        &self,
        c: (&Storage, View),
        x: (&Storage, View),
        y: (&Storage, View),
        out: Dims,
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.select(
            s::view(c),
            s::view(x),
            s::view(y),
            out
        )))
    }

    /// See [`Backend::copy_view`].
    pub fn copy_view(&self, x: &Storage, view: View, out: Dims) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.copy_view(s::get(x), view, out)))
    }

    /// [`Backend::reduce`] of `outer` contiguous rows of `inner` elements.
    pub fn reduce(&self, op: ReduceOp, x: &Storage, outer: usize, inner: usize) -> Storage {
        let src = [1, 1, outer, inner];
        self.reduce_strided(op, (x, View::contiguous(src)), src, (outer, inner))
    }

    /// See [`Backend::reduce`].
    pub fn reduce_strided(
        &self,
        op: ReduceOp,
        x: (&Storage, View),
        src: Dims,
        rows: (usize, usize),
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.reduce(op, s::view(x), src, rows)))
    }

    /// See [`Backend::concat`].
    pub fn concat(&self, parts: &[(&Storage, usize)], outer: usize) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.concat(&s::parts(parts), outer)))
    }

    /// See [`Backend::gather_rows`].
    pub fn gather_rows(&self, table: &Storage, cols: usize, idx: &Storage, n: usize) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.gather_rows(
            s::get(table),
            cols,
            s::get(idx),
            n
        )))
    }

    /// See [`Backend::scatter_add_rows`].
    pub fn scatter_add_rows(
        &self,
        src: &Storage,
        cols: usize,
        idx: &Storage,
        n: usize,
        rows: usize,
    ) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.scatter_add_rows(
            s::get(src),
            cols,
            s::get(idx),
            n,
            rows
        )))
    }

    /// See [`Backend::matmul`].
    pub fn matmul(&self, x: &Storage, y: &Storage, dims: MatmulDims) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.matmul(s::get(x), s::get(y), dims)))
    }

    /// See [`Backend::unfold2d`].
    pub fn unfold2d(&self, x: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.unfold2d(s::get(x), g)))
    }

    /// See [`Backend::fold2d`].
    pub fn fold2d(&self, cols: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.fold2d(s::get(cols), g)))
    }

    /// See [`Backend::max_pool2d`].
    pub fn max_pool2d(&self, x: &Storage, v: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.max_pool2d(s::get(x), s::get(v), g)))
    }

    /// See [`Backend::max_pool2d_backward`].
    pub fn max_pool2d_backward(&self, x: &Storage, grad: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.max_pool2d_backward(
            s::get(x),
            s::get(grad),
            g
        )))
    }

    /// See [`Backend::avg_pool2d`].
    pub fn avg_pool2d(&self, x: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.avg_pool2d(s::get(x), g)))
    }

    /// See [`Backend::avg_pool2d_backward`].
    pub fn avg_pool2d_backward(&self, grad: &Storage, g: Window2d) -> Storage {
        on_backend!(self, |b, s| s::wrap(b.avg_pool2d_backward(s::get(grad), g)))
    }

    /// See [`Backend::update`].
    pub fn update(
        &self,
        rule: &UpdateRule,
        param: Storage,
        grad: &Storage,
        grad_scale: Option<&Storage>,
        state: Vec<Storage>,
        len: usize,
    ) -> (Storage, Vec<Storage>) {
        on_backend!(self, |b, s| {
            let st = state.into_iter().map(s::take).collect();
            let scale = grad_scale.map(s::get);
            let (p, st) = b.update(rule, s::take(param), s::get(grad), scale, st, len);
            (s::wrap(p), st.into_iter().map(s::wrap).collect())
        })
    }

    /// See [`Backend::check_finite`].
    pub fn check_finite(
        &self,
        status: Storage,
        checks: &[FiniteCheck<'_, Storage>],
        step: u64,
    ) -> Storage {
        on_backend!(self, |b, s| {
            let checks: Vec<_> = checks
                .iter()
                .map(|c| FiniteCheck {
                    slot: c.slot,
                    param: s::get(c.param),
                    grad: c.grad.map(s::get),
                    len: c.len,
                })
                .collect();
            s::wrap(b.check_finite(s::take(status), &checks, step))
        })
    }

    /// See [`Backend::flush`].
    pub fn flush(&self) {
        on_backend!(self, |b, _s| b.flush())
    }

    /// See [`Backend::read`].
    pub async fn read(&self, x: &Storage, len: usize) -> Result<Vec<f32>> {
        on_backend!(self, |b, s| b.read(s::get(x), len).await)
    }

    /// Read several storages back, each with its length, in one round trip: on the GPU
    /// one staging buffer, one submit and one mapping for all of them (see
    /// [`Backend::read_many`]).
    pub async fn read_many(&self, xs: &[(&Storage, usize)]) -> Result<Vec<Vec<f32>>> {
        on_backend!(self, |b, s| b.read_many(&s::parts(xs)).await)
    }

    /// Read without awaiting when the data already sits in host memory (CPU backend);
    /// `None` for a device that must be read asynchronously.
    pub fn read_now(&self, x: &Storage, len: usize) -> Option<Vec<f32>> {
        match self {
            Device::Cpu => Some(on_cpu::get(x)[..len].to_vec()),
            Device::Gpu(_) => None,
        }
    }
}
