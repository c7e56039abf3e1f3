//! The CPU backend: the numerical reference and the fallback without WebGPU.
//!
//! Plain Rust with `libm` math and fixed accumulation orders, so results are
//! bit-identical between wasm32 and native builds.

mod conv;
#[cfg(test)]
mod conv_reference_tests;
mod fused;
mod health;
mod matmul;
mod matmul_kernels;
mod matmul_lanes;
mod matmul_threads;
#[cfg(not(target_arch = "wasm32"))]
mod thread_pool;
mod update;

pub use conv::avg_scale;
pub use matmul::matmul_into;
pub use matmul_threads::max_threads;

/// The matmul micro-kernel in use for wide products (`avx512 8x32`, `avx2 6x16`, `base 4x8`).
pub fn matmul_kernel_name() -> &'static str {
    matmul_kernels::kernel(usize::MAX).name
}

/// Fix the matmul micro-kernel for wide products to the first one whose name starts
/// with `prefix` (`base`, `lanes`, `simd128`, `avx2`, `avx512`): how the browser benchmark compares
/// kernels where `GRADLAB_MATMUL_KERNEL` cannot be set. `None` when no kernel this CPU
/// runs has that name, or a product already ran with another kernel.
pub fn choose_matmul_kernel(prefix: &str) -> Option<&'static str> {
    matmul_kernels::choose_kernel(prefix)
}

use super::{Backend, Dims, FiniteCheck, MatmulDims, SoftmaxDims, UpdateRule, View};
use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp, Window2d};
use std::rc::Rc;

/// Host memory holding a tensor's elements.
pub type CpuStorage = Rc<Vec<f32>>;

/// The CPU backend (stateless).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend;

fn contiguous_strides(out: Dims) -> [usize; 4] {
    [out[1] * out[2] * out[3], out[2] * out[3], out[3], 1]
}

fn is_contiguous(v: View, out: Dims) -> bool {
    v.offset == 0 && (0..4).all(|d| out[d] == 1 || v.strides[d] == contiguous_strides(out)[d])
}

/// A binary op whose operands each read their last axis contiguously or as one
/// broadcast value (a bias added to every row, a row scaled by one number), a row at a
/// time with the op matched once per row; `None` for other layouts.
fn binary_by_rows(
    op: BinaryOp,
    (a, av): (&[f32], View),
    (b, bv): (&[f32], View),
    out: Dims,
) -> Option<Vec<f32>> {
    let len = out[3];
    let row_like = |v: View| v.strides[3] == 1 || v.strides[3] == 0;
    if len < 4 || !row_like(av) || !row_like(bv) {
        return None;
    }
    let mut o = Vec::with_capacity(numel(out));
    for i0 in 0..out[0] {
        for i1 in 0..out[1] {
            for i2 in 0..out[2] {
                let (sa, sb) = (av.at([i0, i1, i2, 0]), bv.at([i0, i1, i2, 0]));
                match (av.strides[3], bv.strides[3]) {
                    (1, 1) => op.zip_into(&a[sa..sa + len], &b[sb..sb + len], &mut o),
                    (1, _) => op.with_scalar_into(&a[sa..sa + len], b[sb], &mut o),
                    (_, 1) => o.extend(b[sb..sb + len].iter().map(|&y| op.apply(a[sa], y))),
                    _ => o.extend(std::iter::repeat_n(op.apply(a[sa], b[sb]), len)),
                }
            }
        }
    }
    Some(o)
}

/// Calls `f(flat, idx)` for every output index in row-major order.
#[inline]
/// The elements `view` reads over `out`, in row-major order: what [`for_each_index`] with
/// `view.at` visits, a row of the last dimension at a time (a slice copy when the row is
/// contiguous; element by element, the index arithmetic made a conv bias gradient's
/// reduction 5% of a small CNN's step).
fn gather(x: &[f32], view: View, out: Dims) -> Vec<f32> {
    let mut o = Vec::with_capacity(numel(out));
    let (len, step) = (out[3], view.strides[3]);
    if len == 0 {
        return o;
    }
    for i0 in 0..out[0] {
        for i1 in 0..out[1] {
            for i2 in 0..out[2] {
                let s = view.at([i0, i1, i2, 0]);
                match step {
                    0 => o.extend(std::iter::repeat_n(x[s], len)),
                    1 => o.extend_from_slice(&x[s..s + len]),
                    _ => o.extend(x[s..=s + (len - 1) * step].iter().step_by(step)),
                }
            }
        }
    }
    o
}

fn for_each_index(out: Dims, mut f: impl FnMut(usize, [usize; 4])) {
    let mut flat = 0;
    for i0 in 0..out[0] {
        for i1 in 0..out[1] {
            for i2 in 0..out[2] {
                for i3 in 0..out[3] {
                    f(flat, [i0, i1, i2, i3]);
                    flat += 1;
                }
            }
        }
    }
}

fn numel(out: Dims) -> usize {
    out.iter().product()
}

impl Backend for CpuBackend {
    type Storage = CpuStorage;

    fn upload(&self, data: &[f32]) -> CpuStorage {
        Rc::new(data.to_vec())
    }

    fn fill(&self, len: usize, value: f32) -> CpuStorage {
        Rc::new(vec![value; len])
    }

    fn unary(&self, op: UnaryOp, (x, xv): (&CpuStorage, View), out: Dims) -> CpuStorage {
        let n = numel(out);
        if xv.is_dense(out) {
            let dense = &x[xv.offset..xv.offset + n];
            return Rc::new(op.map(dense));
        }
        let mut o = vec![0.0; n];
        for_each_index(out, |f, i| o[f] = op.apply(x[xv.at(i)]));
        Rc::new(o)
    }

    fn binary(
        &self,
        op: BinaryOp,
        (a, av): (&CpuStorage, View),
        (b, bv): (&CpuStorage, View),
        out: Dims,
    ) -> CpuStorage {
        let n = numel(out);
        if is_contiguous(av, out) && is_contiguous(bv, out) {
            let mut o = Vec::with_capacity(n);
            op.zip_into(&a[..n], &b[..n], &mut o);
            return Rc::new(o);
        }
        if let Some(o) = binary_by_rows(op, (a, av), (b, bv), out) {
            return Rc::new(o);
        }
        let mut o = vec![0.0; n];
        for_each_index(out, |f, i| o[f] = op.apply(a[av.at(i)], b[bv.at(i)]));
        Rc::new(o)
    }

    fn binary_scalar(
        &self,
        op: BinaryOp,
        (a, av): (&CpuStorage, View),
        c: f32,
        out: Dims,
    ) -> CpuStorage {
        let n = numel(out);
        if is_contiguous(av, out) {
            let mut o = Vec::with_capacity(n);
            op.with_scalar_into(&a[av.offset..av.offset + n], c, &mut o);
            return Rc::new(o);
        }
        let mut o = vec![0.0; n];
        for_each_index(out, |f, i| o[f] = op.apply(a[av.at(i)], c));
        Rc::new(o)
    }

    fn select(
        &self,
        (c, cv): (&CpuStorage, View),
        (a, av): (&CpuStorage, View),
        (b, bv): (&CpuStorage, View),
        out: Dims,
    ) -> CpuStorage {
        let mut o = vec![0.0; numel(out)];
        for_each_index(out, |f, i| {
            o[f] = if c[cv.at(i)] != 0.0 {
                a[av.at(i)]
            } else {
                b[bv.at(i)]
            }
        });
        Rc::new(o)
    }

    fn copy_view(&self, x: &CpuStorage, view: View, out: Dims) -> CpuStorage {
        Rc::new(gather(x, view, out))
    }

    fn reduce(
        &self,
        op: ReduceOp,
        (x, xv): (&CpuStorage, View),
        src: Dims,
        (outer, inner): (usize, usize),
    ) -> CpuStorage {
        let n = numel(src);
        let fold = |row: &[f32]| row.iter().fold(op.identity(), |acc, &v| op.combine(acc, v));
        let fold_rows = |rows: &[f32]| -> Vec<f32> {
            (0..outer)
                .map(|r| fold(&rows[r * inner..(r + 1) * inner]))
                .collect()
        };
        // Each row is folded left to right from the identity, one fixed order on every
        // target, whichever of the loops below reads it.
        if xv.is_dense(src) {
            return Rc::new(fold_rows(&x[xv.offset..xv.offset + n]));
        }
        match xv.two_strides(src, outer, inner) {
            // Rows apart in memory (a slice): each row folded where it lies.
            Some((rs, 1)) => Rc::new(
                (0..outer)
                    .map(|r| fold(&x[xv.offset + r * rs..xv.offset + r * rs + inner]))
                    .collect(),
            ),
            // Rows side by side (a matrix's columns, as a bias gradient sums them): all
            // rows advance one element at a time, reading memory in order.
            Some((1, es)) => {
                let mut out = vec![op.identity(); outer];
                for j in 0..inner {
                    let at = xv.offset + j * es;
                    for (o, &v) in out.iter_mut().zip(&x[at..at + outer]) {
                        *o = op.combine(*o, v);
                    }
                }
                Rc::new(out)
            }
            _ => {
                // The elements in row-major order, then folded as dense rows.
                Rc::new(fold_rows(&gather(x, xv, src)))
            }
        }
    }

    fn concat(&self, parts: &[(&CpuStorage, usize)], outer: usize) -> CpuStorage {
        let total: usize = parts.iter().map(|p| p.1).sum();
        let mut o = Vec::with_capacity(outer * total);
        for r in 0..outer {
            for (s, chunk) in parts {
                o.extend_from_slice(&s[r * chunk..(r + 1) * chunk]);
            }
        }
        Rc::new(o)
    }

    fn gather_rows(
        &self,
        table: &CpuStorage,
        cols: usize,
        idx: &CpuStorage,
        n: usize,
    ) -> CpuStorage {
        let rows = table.len().checked_div(cols).unwrap_or(0);
        let mut o = vec![0.0; n * cols];
        for i in 0..n {
            if let Some(r) = row_index(idx[i], rows) {
                o[i * cols..(i + 1) * cols].copy_from_slice(&table[r * cols..(r + 1) * cols]);
            }
        }
        Rc::new(o)
    }

    fn scatter_add_rows(
        &self,
        src: &CpuStorage,
        cols: usize,
        idx: &CpuStorage,
        n: usize,
        rows: usize,
    ) -> CpuStorage {
        let mut o = vec![0.0; rows * cols];
        for i in 0..n {
            if let Some(r) = row_index(idx[i], rows) {
                for c in 0..cols {
                    o[r * cols + c] += src[i * cols + c];
                }
            }
        }
        Rc::new(o)
    }

    fn matmul(&self, a: &CpuStorage, b: &CpuStorage, dims: MatmulDims) -> CpuStorage {
        let mut c = vec![0.0; dims.batch * dims.m * dims.n];
        matmul::matmul_into_zeroed(a, b, &mut c, dims);
        Rc::new(c)
    }

    fn unfold2d(&self, x: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::unfold2d(x, &g))
    }

    fn fold2d(&self, cols: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::fold2d(cols, &g))
    }

    fn max_pool2d(&self, x: &CpuStorage, v: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::max_pool2d(x, v, &g))
    }

    fn max_pool2d_backward(&self, x: &CpuStorage, grad: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::max_pool2d_backward(x, grad, &g))
    }

    fn avg_pool2d(&self, x: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::avg_pool2d(x, &g))
    }

    fn avg_pool2d_backward(&self, grad: &CpuStorage, g: Window2d) -> CpuStorage {
        Rc::new(conv::avg_pool2d_backward(grad, &g))
    }

    fn masked_softmax(
        &self,
        x: &CpuStorage,
        d: SoftmaxDims,
        mask: Option<&CpuStorage>,
    ) -> CpuStorage {
        Rc::new(fused::masked_softmax(x, d, mask.map(|m| m.as_slice())))
    }

    fn softmax_backward(
        &self,
        y: &CpuStorage,
        dy: &CpuStorage,
        (rows, cols): (usize, usize),
    ) -> CpuStorage {
        let n = rows * cols;
        Rc::new(fused::softmax_backward(&y[..n], &dy[..n], cols))
    }

    fn layer_norm(
        &self,
        x: &CpuStorage,
        gamma: &CpuStorage,
        beta: &CpuStorage,
        (rows, cols): (usize, usize),
        eps: f32,
    ) -> (CpuStorage, CpuStorage) {
        let (y, stats) = fused::layer_norm(&x[..rows * cols], gamma, beta, cols, eps);
        (Rc::new(y), Rc::new(stats))
    }

    fn layer_norm_backward(
        &self,
        x: &CpuStorage,
        gamma: &CpuStorage,
        stats: &CpuStorage,
        dy: &CpuStorage,
        (rows, cols): (usize, usize),
    ) -> CpuStorage {
        let n = rows * cols;
        Rc::new(fused::layer_norm_backward(
            &x[..n],
            gamma,
            stats,
            &dy[..n],
            cols,
        ))
    }

    fn cross_entropy(
        &self,
        logits: &CpuStorage,
        targets: &CpuStorage,
        (rows, vocab): (usize, usize),
    ) -> (CpuStorage, CpuStorage) {
        let (loss, stats) = fused::cross_entropy(&logits[..rows * vocab], &targets[..rows], vocab);
        (Rc::new(loss), Rc::new(stats))
    }

    fn cross_entropy_backward(
        &self,
        logits: &CpuStorage,
        targets: &CpuStorage,
        stats: &CpuStorage,
        g: &CpuStorage,
        (rows, vocab): (usize, usize),
    ) -> CpuStorage {
        Rc::new(fused::cross_entropy_backward(
            &logits[..rows * vocab],
            &targets[..rows],
            stats,
            g[0],
            vocab,
        ))
    }

    fn update(
        &self,
        rule: &UpdateRule,
        param: CpuStorage,
        grad: &CpuStorage,
        grad_scale: Option<&CpuStorage>,
        state: Vec<CpuStorage>,
        len: usize,
    ) -> (CpuStorage, Vec<CpuStorage>) {
        update::apply(rule, param, grad, grad_scale, state, len)
    }

    fn check_finite(
        &self,
        status: CpuStorage,
        checks: &[FiniteCheck<'_, CpuStorage>],
        step: u64,
    ) -> CpuStorage {
        checks.iter().fold(status, |status, c| {
            health::check_finite(status, c.param, c.grad, c.len, c.slot, step)
        })
    }

    fn flush(&self) {}

    #[allow(clippy::manual_async_fn)]
    fn read(
        &self,
        x: &CpuStorage,
        len: usize,
    ) -> impl std::future::Future<Output = Result<Vec<f32>>> {
        let v = x[..len].to_vec();
        async move { Ok(v) }
    }
}

/// An index stored in f32, if it is a whole number in `0..rows`.
pub(crate) fn row_index(v: f32, rows: usize) -> Option<usize> {
    if v >= 0.0 && v.fract() == 0.0 && (v as usize) < rows {
        Some(v as usize)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// `gather` reads exactly what `view.at` gives for every index, in row-major order:
    /// broadcast (stride 0), contiguous and strided last dimensions, empty shapes.
    #[test]
    fn gather_reads_the_view_element_by_element() {
        let mut r = Rng::new(5);
        let x: Vec<f32> = (0..4096).map(|_| r.normal()).collect();
        for _ in 0..300 {
            let out = [r.below(4), 1 + r.below(4), r.below(5), r.below(7)];
            let strides = [r.below(40), r.below(20), r.below(9), r.below(4)];
            let view = View {
                offset: r.below(100),
                strides,
            };
            let mut want = Vec::new();
            for_each_index(out, |_, i| want.push(x[view.at(i)]));
            assert_eq!(gather(&x, view, out), want, "{out:?} {view:?}");
        }
    }
}
