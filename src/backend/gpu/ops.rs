//! The backend contract on the GPU: each op allocates its output from the pool and
//! records one dispatch (concat: one per part). Parameter layouts match the `Params`
//! structs of the WGSL files, field by field.

use super::{groups, GpuBackend, GpuStorage, Kernel};
use crate::backend::health::{encode_step, HEALTH_SLOT};
use crate::backend::{Backend, Dims, FiniteCheck, MatmulDims, SoftmaxDims, UpdateRule, View};
use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp, Window2d};
use std::future::Future;

/// Parameters (with their gradients) checked by one dispatch of the health kernel, one
/// workgroup each: three pairs of buffers and the status stay within WebGPU's default
/// of eight storage buffers per shader stage.
const HEALTH_PAIRS: usize = 3;

/// Rows up to this length are reduced one thread per row (the CPU's exact order);
/// longer rows by one workgroup per row with a fixed tree, except on software adapters.
const SHORT_ROW: usize = 64;

/// Rows per workgroup of `reduce_<op>_rows` (its `@workgroup_size`).
const ROWS_PER_GROUP: u64 = 64;

/// Whether `outer` rows of `inner` are reduced one thread per row. On GPU hardware only
/// short rows: a long row folded by one thread is a long chain of dependent loads. On a
/// software adapter (a CPU emulating a GPU), whenever there are rows enough to fill a
/// workgroup or the rows are short: there the tree's barriers run as loops over the
/// workgroup's lanes and cost more than the sums (a transformer's bias gradients, 64 to
/// 256 columns of 320 rows, took 2-4 ms a dispatch as trees on lavapipe).
fn reduce_by_rows(outer: usize, inner: usize, software: bool) -> bool {
    inner <= SHORT_ROW || (software && outer as u64 >= ROWS_PER_GROUP)
}

fn numel(d: Dims) -> usize {
    d.iter().product()
}

impl GpuBackend {
    fn dims(&self, d: Dims) -> [u32; 4] {
        d.map(|v| self.u(v))
    }

    fn strides(&self, v: View) -> [u32; 4] {
        v.strides.map(|s| self.u(s))
    }

    /// One dispatch of the binary kernel (`shaders/binary.wgsl`'s `Params`: out dims,
    /// `a` strides, `b` strides, then offsets, length and mode). The second operand is
    /// `(buffer, view)`, or in scalar mode (`scalar`) a constant whose bits are the
    /// first stride, with a placeholder buffer. A dense `a` with `b` a repeated dense
    /// block or a constant takes the flat entry point (no index arithmetic; `b`'s
    /// period in place of the dims' first word).
    fn binary_launch(
        &self,
        op: BinaryOp,
        (a, av): (&GpuStorage, View),
        (b, bv): (&super::PooledBuffer, View),
        scalar: bool,
        out: Dims,
    ) -> GpuStorage {
        let n = numel(out);
        let s = self.alloc(n);
        let period = match scalar {
            true => Some(1),
            false => bv.repeat_period(out),
        }
        .filter(|_| av.is_dense(out));
        let mut dims = self.dims(out);
        let kernel = match period {
            Some(p) => {
                dims[0] = self.u(p);
                Kernel::binary_flat(op)
            }
            None => Kernel::binary(op),
        };
        let mut p = Vec::with_capacity(16);
        p.extend(dims);
        p.extend(self.strides(av));
        p.extend(self.strides(bv));
        p.extend([
            self.u(av.offset),
            self.u(bv.offset),
            self.u(n),
            u32::from(scalar),
        ]);
        let bufs = [a.pooled(), b, s.pooled()];
        self.launch(kernel, &p, &bufs, groups(n));
        s
    }

    /// A contiguous copy (for an in-place update of a shared buffer).
    fn copy_contiguous(&self, x: &GpuStorage, len: usize) -> GpuStorage {
        let view = View {
            offset: 0,
            strides: [0, 0, 0, 1],
        };
        self.copy_view(x, view, [1, 1, 1, len])
    }

    /// `s` itself when no other handle shares it, else a copy (like `Rc::make_mut`).
    fn owned(&self, s: GpuStorage, len: usize) -> GpuStorage {
        if s.is_unique() {
            s
        } else {
            self.copy_contiguous(&s, len)
        }
    }
}

impl Backend for GpuBackend {
    type Storage = GpuStorage;

    fn upload(&self, data: &[f32]) -> GpuStorage {
        let s = self.alloc(data.len());
        if !data.is_empty() && s.pooled().buffer.size() >= (data.len() * 4) as u64 {
            // Lands before the commands of the next submit; `s` is fresh from the pool,
            // so no recorded command still reads it (see pool.rs).
            self.ctx
                .queue
                .write_buffer(&s.pooled().buffer, 0, bytemuck::cast_slice(data));
            self.counters.uploaded();
        }
        s
    }

    fn fill(&self, len: usize, value: f32) -> GpuStorage {
        let s = self.alloc(len);
        let mut p = [0u32; 12];
        p[8] = self.u(len);
        p[9] = value.to_bits();
        self.launch(Kernel::FILL, &p, &[&self.dummy, s.pooled()], groups(len));
        s
    }

    fn unary(&self, op: UnaryOp, (x, xv): (&GpuStorage, View), out: Dims) -> GpuStorage {
        // `shaders/unary.wgsl`'s `Params`: out dims, strides, (offset, length, dense).
        let len = numel(out);
        let s = self.alloc(len);
        let mut p = Vec::with_capacity(12);
        p.extend(self.dims(out));
        p.extend(self.strides(xv));
        p.extend([
            self.u(xv.offset),
            self.u(len),
            u32::from(xv.is_dense(out)),
            0,
        ]);
        self.launch(
            Kernel::unary(op),
            &p,
            &[x.pooled(), s.pooled()],
            groups(len),
        );
        s
    }

    fn binary(
        &self,
        op: BinaryOp,
        (a, av): (&GpuStorage, View),
        (b, bv): (&GpuStorage, View),
        out: Dims,
    ) -> GpuStorage {
        self.binary_launch(op, (a, av), (b.pooled(), bv), false, out)
    }

    fn binary_scalar(
        &self,
        op: BinaryOp,
        (a, av): (&GpuStorage, View),
        c: f32,
        out: Dims,
    ) -> GpuStorage {
        // The binary kernel's scalar mode (`misc.w == 1`): the second operand is the
        // constant in `b_strides.x`, and the unused `b` binding gets the dummy buffer.
        let constant = View {
            offset: 0,
            strides: [c.to_bits() as usize, 0, 0, 0],
        };
        self.binary_launch(op, (a, av), (&self.dummy, constant), true, out)
    }

    fn select(
        &self,
        (c, cv): (&GpuStorage, View),
        (a, av): (&GpuStorage, View),
        (b, bv): (&GpuStorage, View),
        out: Dims,
    ) -> GpuStorage {
        let n = numel(out);
        let s = self.alloc(n);
        let mut p = Vec::with_capacity(20);
        p.extend(self.dims(out));
        p.extend(self.strides(cv));
        p.extend(self.strides(av));
        p.extend(self.strides(bv));
        let offsets = [cv.offset, av.offset, bv.offset, n];
        p.extend(offsets.map(|v| self.u(v)));
        let bufs = [c.pooled(), a.pooled(), b.pooled(), s.pooled()];
        self.launch(Kernel::SELECT, &p, &bufs, groups(n));
        s
    }

    fn copy_view(&self, x: &GpuStorage, view: View, out: Dims) -> GpuStorage {
        let n = numel(out);
        let s = self.alloc(n);
        let mut p = Vec::with_capacity(12);
        p.extend(self.dims(out));
        p.extend(self.strides(view));
        p.extend([self.u(view.offset), self.u(n), 0, 0]);
        self.launch(Kernel::COPY_VIEW, &p, &[x.pooled(), s.pooled()], groups(n));
        s
    }

    fn reduce(
        &self,
        op: ReduceOp,
        (x, xv): (&GpuStorage, View),
        src: Dims,
        (outer, inner): (usize, usize),
    ) -> GpuStorage {
        let s = self.alloc(outer);
        // The kernel depends on (outer, inner) and the adapter only: deterministic.
        let (kernel, wgs) = if reduce_by_rows(outer, inner, self.software) {
            (
                Kernel::reduce_rows(op),
                (outer as u64).div_ceil(ROWS_PER_GROUP),
            )
        } else {
            (Kernel::reduce(op), outer as u64)
        };
        // `shaders/reduce.wgsl`'s `Params`: (outer, inner, form, pad), the padded
        // source dims and strides (or the row and element strides), then the offset.
        let (layout, strides) = match xv.two_strides(src, outer, inner) {
            _ if xv.is_dense(src) => (1, self.strides(xv)),
            Some((row, elem)) => (2, [row, elem, 0, 0].map(|v| self.u(v))),
            None => (0, self.strides(xv)),
        };
        let mut p = Vec::with_capacity(13);
        p.extend([self.u(outer), self.u(inner), layout, 0]);
        p.extend(self.dims(src));
        p.extend(strides);
        p.push(self.u(xv.offset));
        self.launch(kernel, &p, &[x.pooled(), s.pooled()], wgs);
        s
    }

    fn concat(&self, parts: &[(&GpuStorage, usize)], outer: usize) -> GpuStorage {
        let total: usize = parts.iter().map(|p| p.1).sum();
        let s = self.alloc(outer * total);
        let mut offset = 0;
        for (part, chunk) in parts {
            let mut p = [0u32; 12];
            p[8..].copy_from_slice(&[outer, *chunk, total, offset].map(|v| self.u(v)));
            let bufs = [part.pooled(), s.pooled()];
            self.launch(Kernel::CONCAT, &p, &bufs, groups(outer * chunk));
            offset += chunk;
        }
        s
    }

    fn gather_rows(
        &self,
        table: &GpuStorage,
        cols: usize,
        idx: &GpuStorage,
        n: usize,
    ) -> GpuStorage {
        let rows = table.len().checked_div(cols).unwrap_or(0);
        let s = self.alloc(n * cols);
        let p = [n, cols, rows].map(|v| self.u(v));
        let bufs = [table.pooled(), idx.pooled(), s.pooled()];
        self.launch(Kernel::GATHER_ROWS, &p, &bufs, groups(n * cols));
        s
    }

    fn scatter_add_rows(
        &self,
        src: &GpuStorage,
        cols: usize,
        idx: &GpuStorage,
        n: usize,
        rows: usize,
    ) -> GpuStorage {
        let s = self.alloc(rows * cols);
        let p = [n, cols, rows].map(|v| self.u(v));
        let bufs = [src.pooled(), idx.pooled(), s.pooled()];
        self.launch(Kernel::SCATTER_ADD_ROWS, &p, &bufs, groups(rows * cols));
        s
    }

    fn matmul(&self, a: &GpuStorage, b: &GpuStorage, dims: MatmulDims) -> GpuStorage {
        self.matmul_dispatch(a, b, dims)
    }

    fn unfold2d(&self, x: &GpuStorage, g: Window2d) -> GpuStorage {
        self.window_launch(Kernel::UNFOLD2D, g, &[x], g.cols_len())
    }

    fn fold2d(&self, cols: &GpuStorage, g: Window2d) -> GpuStorage {
        self.window_launch(Kernel::FOLD2D, g, &[cols], g.input_len())
    }

    fn max_pool2d(&self, x: &GpuStorage, v: &GpuStorage, g: Window2d) -> GpuStorage {
        self.window_launch(Kernel::MAX_POOL2D, g, &[x, v], g.pooled_len())
    }

    fn max_pool2d_backward(&self, x: &GpuStorage, grad: &GpuStorage, g: Window2d) -> GpuStorage {
        // Windows that do not overlap: a thread per window writes its cell, the maximum
        // found once (a quarter of the threads for 2 x 2 pooling, and no window search).
        let apart = g.kh <= g.stride && g.kw <= g.stride && g.padding == 0;
        if apart && g.pooled_len() > 0 {
            let k = Kernel::MAX_POOL2D_BACKWARD_CELLS;
            return self.window_launch_sized(k, g, &[x, grad], g.input_len(), g.pooled_len());
        }
        let k = Kernel::MAX_POOL2D_BACKWARD;
        self.window_launch(k, g, &[x, grad], g.input_len())
    }

    fn avg_pool2d(&self, x: &GpuStorage, g: Window2d) -> GpuStorage {
        self.window_launch(Kernel::AVG_POOL2D, g, &[x], g.pooled_len())
    }

    fn avg_pool2d_backward(&self, grad: &GpuStorage, g: Window2d) -> GpuStorage {
        self.window_launch(Kernel::AVG_POOL2D_BACKWARD, g, &[grad], g.input_len())
    }

    fn masked_softmax(
        &self,
        x: &GpuStorage,
        d: SoftmaxDims,
        mask: Option<&GpuStorage>,
    ) -> GpuStorage {
        self.masked_softmax_launch(x, d, mask)
    }

    fn softmax_backward(
        &self,
        y: &GpuStorage,
        dy: &GpuStorage,
        rows: (usize, usize),
    ) -> GpuStorage {
        self.softmax_backward_launch(y, dy, rows)
    }

    fn layer_norm(
        &self,
        x: &GpuStorage,
        gamma: &GpuStorage,
        beta: &GpuStorage,
        rows: (usize, usize),
        eps: f32,
    ) -> (GpuStorage, GpuStorage) {
        self.layer_norm_launch((x, gamma, beta), rows, eps)
    }

    fn layer_norm_backward(
        &self,
        x: &GpuStorage,
        gamma: &GpuStorage,
        stats: &GpuStorage,
        dy: &GpuStorage,
        rows: (usize, usize),
    ) -> GpuStorage {
        self.layer_norm_backward_launch([x, gamma, stats, dy], rows)
    }

    fn cross_entropy(
        &self,
        logits: &GpuStorage,
        targets: &GpuStorage,
        rows: (usize, usize),
    ) -> (GpuStorage, GpuStorage) {
        self.cross_entropy_launch(logits, targets, rows)
    }

    fn cross_entropy_backward(
        &self,
        logits: &GpuStorage,
        targets: &GpuStorage,
        stats: &GpuStorage,
        g: &GpuStorage,
        rows: (usize, usize),
    ) -> GpuStorage {
        self.cross_entropy_backward_launch([logits, targets, stats, g], rows)
    }

    fn update(
        &self,
        rule: &UpdateRule,
        param: GpuStorage,
        grad: &GpuStorage,
        grad_scale: Option<&GpuStorage>,
        state: Vec<GpuStorage>,
        len: usize,
    ) -> (GpuStorage, Vec<GpuStorage>) {
        // In place, on buffers no other handle shares (copied first otherwise).
        let param = self.owned(param, len);
        let state: Vec<GpuStorage> = state.into_iter().map(|s| self.owned(s, len)).collect();
        let mut p = [0u32; 13];
        p[0] = self.u(len);
        let kernel = match *rule {
            UpdateRule::Sgd {
                lr,
                momentum,
                dampening,
                nesterov,
                first_step,
                l1,
                l2,
            } => {
                p[1] = u32::from(first_step) | (u32::from(nesterov) << 1);
                p[2..7].copy_from_slice(&[lr, momentum, dampening, l1, l2].map(f32::to_bits));
                if momentum != 0.0 {
                    Kernel::SGD_MOMENTUM
                } else {
                    Kernel::SGD
                }
            }
            UpdateRule::Adam {
                lr,
                beta1,
                beta2,
                eps,
                bias_correction1,
                bias_correction2_sqrt,
                decoupled_wd,
                l1,
                l2,
            } => {
                p[2] = lr.to_bits();
                p[5..13].copy_from_slice(
                    &[
                        l1,
                        l2,
                        beta1,
                        beta2,
                        eps,
                        bias_correction1,
                        bias_correction2_sqrt,
                        decoupled_wd,
                    ]
                    .map(f32::to_bits),
                );
                Kernel::ADAM
            }
        };
        let wanted = rule.state_len();
        if state.len() < wanted {
            self.fail(format!(
                "optimizer update needs {wanted} state tensors, got {}",
                state.len()
            ));
            return (param, state);
        }
        // `shaders/update.wgsl`'s flag bit 2 scales the gradient by `gscale[0]`; without a
        // scale the gradient is bound there again (read-only twice is allowed).
        if grad_scale.is_some() {
            p[1] |= 4;
        }
        let mut bufs = vec![
            param.pooled(),
            grad.pooled(),
            grad_scale.unwrap_or(grad).pooled(),
        ];
        bufs.extend(state.iter().take(wanted).map(|s| s.pooled()));
        self.launch(kernel, &p, &bufs, groups(len));
        (param, state)
    }

    fn check_finite(
        &self,
        status: GpuStorage,
        checks: &[FiniteCheck<'_, GpuStorage>],
        step: u64,
    ) -> GpuStorage {
        if let Some(c) = checks
            .iter()
            .find(|c| (c.slot + 1) * HEALTH_SLOT > status.len())
        {
            self.fail(format!(
                "health check of parameter {}: the status holds {} values",
                c.slot,
                status.len()
            ));
            return status;
        }
        let status_len = status.len();
        let status = self.owned(status, status_len);
        let (param_high, param_low) = encode_step(step);
        let (grad_high, grad_low) = encode_step(step.saturating_add(1));
        // `shaders/health.wgsl`'s `Params`: per pair (one workgroup each) its length,
        // slot and whether a gradient is bound; then the two steps.
        for batch in checks.chunks(HEALTH_PAIRS) {
            let mut p = [0u32; 16];
            for (k, c) in batch.iter().enumerate() {
                p[k] = self.u(c.len);
                p[4 + k] = self.u(c.slot);
                p[8 + k] = u32::from(c.grad.is_some());
            }
            p[12..].copy_from_slice(&[param_high, param_low, grad_high, grad_low]);
            // Without a gradient the parameter is bound twice (both read-only) and the
            // kernel skips the second look; unused pairs get the placeholder buffer.
            let mut bufs = Vec::with_capacity(2 * HEALTH_PAIRS + 1);
            for k in 0..HEALTH_PAIRS {
                match batch.get(k) {
                    Some(c) => {
                        bufs.push(c.param.pooled());
                        bufs.push(c.grad.unwrap_or(c.param).pooled());
                    }
                    None => bufs.extend([&self.dummy, &self.dummy]),
                }
            }
            bufs.push(status.pooled());
            self.launch(Kernel::HEALTH, &p, &bufs, batch.len() as u64);
        }
        status
    }

    fn flush(&self) {
        self.flush_now();
    }

    fn read(&self, x: &GpuStorage, len: usize) -> impl Future<Output = Result<Vec<f32>>> {
        self.read_back(x, len)
    }

    fn read_many(
        &self,
        parts: &[(&GpuStorage, usize)],
    ) -> impl Future<Output = Result<Vec<Vec<f32>>>> {
        self.read_back_many(parts)
    }
}
