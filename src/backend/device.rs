//! `Device` and `Storage`: the enum dispatch from tensors to a concrete backend.
//!
//! Adding a backend means one variant in each enum and one arm per method below; the
//! compiler lists them all.

use super::cpu::{CpuBackend, CpuStorage};
use super::{Backend, Dims, MatmulDims, UpdateRule, View};
use crate::error::Result;
use crate::tensor::{BinaryOp, ReduceOp, UnaryOp};

/// Where tensors live and ops run.
#[derive(Clone, Debug)]
pub enum Device {
    /// The pure-Rust reference backend.
    Cpu,
}

/// A handle to a tensor's elements on some device.
#[derive(Clone, Debug)]
pub enum Storage {
    /// Host memory.
    Cpu(CpuStorage),
}

impl Storage {
    fn cpu(&self) -> &CpuStorage {
        match self {
            Storage::Cpu(s) => s,
        }
    }
}

impl PartialEq for Device {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Device::Cpu, Device::Cpu) => true,
        }
    }
}

impl Device {
    /// A short label for display (`cpu`, or the GPU adapter's name).
    pub fn label(&self) -> String {
        match self {
            Device::Cpu => "cpu".to_string(),
        }
    }

    /// True for the CPU backend.
    pub fn is_cpu(&self) -> bool {
        matches!(self, Device::Cpu)
    }

    /// Copy host data to the device.
    pub fn upload(&self, data: &[f32]) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.upload(data)),
        }
    }

    /// `len` copies of `value`.
    pub fn fill(&self, len: usize, value: f32) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.fill(len, value)),
        }
    }

    /// See [`Backend::unary`].
    pub fn unary(&self, op: UnaryOp, x: &Storage, len: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.unary(op, x.cpu(), len)),
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
        }
    }

    /// See [`Backend::copy_view`].
    pub fn copy_view(&self, x: &Storage, view: View, out: Dims) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.copy_view(x.cpu(), view, out)),
        }
    }

    /// See [`Backend::reduce`].
    pub fn reduce(&self, op: ReduceOp, x: &Storage, outer: usize, inner: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.reduce(op, x.cpu(), outer, inner)),
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
        }
    }

    /// See [`Backend::gather_rows`].
    pub fn gather_rows(&self, table: &Storage, cols: usize, idx: &Storage, n: usize) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.gather_rows(table.cpu(), cols, idx.cpu(), n)),
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
        }
    }

    /// See [`Backend::matmul`].
    pub fn matmul(&self, a: &Storage, b: &Storage, dims: MatmulDims) -> Storage {
        match self {
            Device::Cpu => Storage::Cpu(CpuBackend.matmul(a.cpu(), b.cpu(), dims)),
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
        match (self, param) {
            (Device::Cpu, Storage::Cpu(p)) => {
                let st = state
                    .into_iter()
                    .map(|s| match s {
                        Storage::Cpu(s) => s,
                    })
                    .collect();
                let (p, st) = CpuBackend.update(rule, p, grad.cpu(), st, len);
                (Storage::Cpu(p), st.into_iter().map(Storage::Cpu).collect())
            }
        }
    }

    /// See [`Backend::flush`].
    pub fn flush(&self) {
        match self {
            Device::Cpu => CpuBackend.flush(),
        }
    }

    /// See [`Backend::read`].
    pub async fn read(&self, x: &Storage, len: usize) -> Result<Vec<f32>> {
        match self {
            Device::Cpu => CpuBackend.read(x.cpu(), len).await,
        }
    }

    /// Read without awaiting when the data already sits in host memory (CPU backend);
    /// `None` for a device that must be read asynchronously.
    pub fn read_now(&self, x: &Storage, len: usize) -> Option<Vec<f32>> {
        match self {
            Device::Cpu => Some(x.cpu()[..len].to_vec()),
        }
    }
}
