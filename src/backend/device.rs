//! `Device` and `Storage`: the enum dispatch from tensors to a concrete backend.
//!
//! Adding a backend means one variant in each enum and one arm per method below; the
//! compiler lists them all.

use super::cpu::{CpuBackend, CpuStorage};
use super::gpu::{GpuBackend, GpuStats, GpuStorage};
use super::{Backend, Dims, MatmulDims, UpdateRule, View};
use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp};
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

// Storage from one backend handed to another is a programming error (tensors check
// devices before every op), so these panic with a message rather than return errors.
impl Storage {
    fn cpu(&self) -> &CpuStorage {
        match self {
            Storage::Cpu(s) => s,
            Storage::Gpu(_) => panic!("a GPU storage was passed to the CPU backend"),
        }
    }

    fn gpu(&self) -> &GpuStorage {
        match self {
            Storage::Gpu(s) => s,
            Storage::Cpu(_) => panic!("a CPU storage was passed to the GPU backend"),
        }
    }

    fn into_cpu(self) -> CpuStorage {
        match self {
            Storage::Cpu(s) => s,
            Storage::Gpu(_) => panic!("a GPU storage was passed to the CPU backend"),
        }
    }

    fn into_gpu(self) -> GpuStorage {
        match self {
            Storage::Gpu(s) => s,
            Storage::Cpu(_) => panic!("a CPU storage was passed to the GPU backend"),
        }
    }
}

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
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.upload(data)),
            Device::Gpu(g) => Storage::Gpu(g.upload(data)),
        }
    }

    /// `len` copies of `value`.
    pub fn fill(&self, len: usize, value: f32) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.fill(len, value)),
            Device::Gpu(g) => Storage::Gpu(g.fill(len, value)),
        }
    }

    /// See [`Backend::unary`].
    pub fn unary(&self, op: UnaryOp, x: &Storage, len: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.unary(op, x.cpu(), len)),
            Device::Gpu(g) => Storage::Gpu(g.unary(op, x.gpu(), len)),
        }
    }

    /// See [`Backend::binary`].
    pub fn binary(
        &self,
        op: BinaryOp,
        a: (&Storage, View),
        b: (&Storage, View),
        out: Dims,
    ) -> Storage {
        match self {
            Device::Cpu => {
                Storage::Cpu(CpuBackend.binary(op, (a.0.cpu(), a.1), (b.0.cpu(), b.1), out))
            }
            Device::Gpu(g) => Storage::Gpu(g.binary(op, (a.0.gpu(), a.1), (b.0.gpu(), b.1), out)),
        }
    }

    /// See [`Backend::select`].
    pub fn select(
        &self,
        c: (&Storage, View),
        a: (&Storage, View),
        b: (&Storage, View),
        out: Dims,
    ) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.select(
                (c.0.cpu(), c.1),
                (a.0.cpu(), a.1),
                (b.0.cpu(), b.1),
                out,
            )),
            Device::Gpu(g) => {
                Storage::Gpu(g.select((c.0.gpu(), c.1), (a.0.gpu(), a.1), (b.0.gpu(), b.1), out))
            }
        }
    }

    /// See [`Backend::copy_view`].
    pub fn copy_view(&self, x: &Storage, view: View, out: Dims) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.copy_view(x.cpu(), view, out)),
            Device::Gpu(g) => Storage::Gpu(g.copy_view(x.gpu(), view, out)),
        }
    }

    /// See [`Backend::reduce`].
    pub fn reduce(&self, op: ReduceOp, x: &Storage, outer: usize, inner: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.reduce(op, x.cpu(), outer, inner)),
            Device::Gpu(g) => Storage::Gpu(g.reduce(op, x.gpu(), outer, inner)),
        }
    }

    /// See [`Backend::concat`].
    pub fn concat(&self, parts: &[(&Storage, usize)], outer: usize) -> Storage {
        match self {
            Device::Cpu => {
                let p: Vec<(&CpuStorage, usize)> =
                    parts.iter().map(|(s, c)| (s.cpu(), *c)).collect();
                Storage::Cpu(CpuBackend.concat(&p, outer))
            }
            Device::Gpu(g) => {
                let p: Vec<(&GpuStorage, usize)> =
                    parts.iter().map(|(s, c)| (s.gpu(), *c)).collect();
                Storage::Gpu(g.concat(&p, outer))
            }
        }
    }

    /// See [`Backend::gather_rows`].
    pub fn gather_rows(&self, table: &Storage, cols: usize, idx: &Storage, n: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.gather_rows(table.cpu(), cols, idx.cpu(), n)),
            Device::Gpu(g) => Storage::Gpu(g.gather_rows(table.gpu(), cols, idx.gpu(), n)),
        }
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
        match self {
            Device::Cpu => {
                Storage::Cpu(CpuBackend.scatter_add_rows(src.cpu(), cols, idx.cpu(), n, rows))
            }
            Device::Gpu(g) => Storage::Gpu(g.scatter_add_rows(src.gpu(), cols, idx.gpu(), n, rows)),
        }
    }

    /// See [`Backend::matmul`].
    pub fn matmul(&self, a: &Storage, b: &Storage, dims: MatmulDims) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.matmul(a.cpu(), b.cpu(), dims)),
            Device::Gpu(g) => Storage::Gpu(g.matmul(a.gpu(), b.gpu(), dims)),
        }
    }

    /// See [`Backend::update`].
    pub fn update(
        &self,
        rule: &UpdateRule,
        param: Storage,
        grad: &Storage,
        state: Vec<Storage>,
        len: usize,
    ) -> (Storage, Vec<Storage>) {
        match self {
            Device::Cpu => {
                let st = state.into_iter().map(Storage::into_cpu).collect();
                let (p, st) = CpuBackend.update(rule, param.into_cpu(), grad.cpu(), st, len);
                (Storage::Cpu(p), st.into_iter().map(Storage::Cpu).collect())
            }
            Device::Gpu(g) => {
                let st = state.into_iter().map(Storage::into_gpu).collect();
                let (p, st) = g.update(rule, param.into_gpu(), grad.gpu(), st, len);
                (Storage::Gpu(p), st.into_iter().map(Storage::Gpu).collect())
            }
        }
    }

    /// See [`Backend::check_finite`].
    pub fn check_finite(
        &self,
        status: Storage,
        param: &Storage,
        grad: Option<&Storage>,
        len: usize,
        slot: usize,
        step: u64,
    ) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.check_finite(
                status.into_cpu(),
                param.cpu(),
                grad.map(Storage::cpu),
                len,
                slot,
                step,
            )),
            Device::Gpu(g) => Storage::Gpu(g.check_finite(
                status.into_gpu(),
                param.gpu(),
                grad.map(Storage::gpu),
                len,
                slot,
                step,
            )),
        }
    }

    /// See [`Backend::flush`].
    pub fn flush(&self) {
        match self {
            Device::Cpu => CpuBackend.flush(),
            Device::Gpu(g) => g.flush(),
        }
    }

    /// See [`Backend::read`].
    pub async fn read(&self, x: &Storage, len: usize) -> Result<Vec<f32>> {
        match self {
            Device::Cpu => CpuBackend.read(x.cpu(), len).await,
            Device::Gpu(g) => g.read(x.gpu(), len).await,
        }
    }

    /// Read several storages back, each with its length, in one go. The GPU backend
    /// should copy them into one staging buffer and map it once (today: one read each).
    pub async fn read_many(&self, xs: &[(&Storage, usize)]) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(xs.len());
        for (x, len) in xs {
            out.push(self.read(x, *len).await?);
        }
        Ok(out)
    }

    /// Read without awaiting when the data already sits in host memory (CPU backend);
    /// `None` for a device that must be read asynchronously.
    pub fn read_now(&self, x: &Storage, len: usize) -> Option<Vec<f32>> {
        match self {
            Device::Cpu => Some(x.cpu()[..len].to_vec()),
            Device::Gpu(_) => None,
        }
    }
}
