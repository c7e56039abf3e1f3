//! Straightforward f64 references for every primitive op, written independently of the
//! crate's shape and backend code: nested index arithmetic, naive broadcasting, naive
//! reductions and the textbook triple-loop matmul. Forward tests compare the devices
//! with these; gradient checks differentiate them by central finite differences.

use gradlab::tensor::{BinaryOp, ReduceOp, UnaryOp};

/// A host tensor of f64 values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Ref {
    /// Dimensions, outermost first (empty for a scalar).
    pub dims: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f64>,
}

impl Ref {
    /// A reference tensor; panics when the lengths disagree (a bug in the test).
    pub fn new(dims: &[usize], data: Vec<f64>) -> Ref {
        assert_eq!(
            numel(dims),
            data.len(),
            "reference data does not fill {dims:?}"
        );
        Ref {
            dims: dims.to_vec(),
            data,
        }
    }

    /// The exact f64 values of f32 data.
    pub fn from_f32(dims: &[usize], data: &[f32]) -> Ref {
        Ref::new(dims, data.iter().map(|&v| v as f64).collect())
    }

    /// The value at a full multi-index.
    pub fn at(&self, idx: &[usize]) -> f64 {
        self.data[ravel(idx, &self.dims)]
    }
}

/// Product of the dimensions (1 for a scalar).
pub fn numel(dims: &[usize]) -> usize {
    dims.iter().product()
}

/// Flat row-major position of a multi-index.
pub fn ravel(idx: &[usize], dims: &[usize]) -> usize {
    idx.iter().zip(dims).fold(0, |acc, (&i, &d)| acc * d + i)
}

/// Multi-index of a flat row-major position.
pub fn unravel(mut flat: usize, dims: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; dims.len()];
    for a in (0..dims.len()).rev() {
        idx[a] = flat % dims[a];
        flat /= dims[a];
    }
    idx
}

/// numpy broadcasting of several shapes (right-aligned; a 1 stretches), `None` if
/// they clash.
pub fn broadcast_dims(shapes: &[&[usize]]) -> Option<Vec<usize>> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1; rank];
    for s in shapes {
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[rank - s.len() + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return None;
            }
        }
    }
    Some(out)
}

/// The element of `x` read at output multi-index `out_idx` under broadcasting.
fn broadcast_read(x: &Ref, out_idx: &[usize]) -> f64 {
    let lead = out_idx.len() - x.dims.len();
    let idx: Vec<usize> = x
        .dims
        .iter()
        .enumerate()
        .map(|(i, &d)| if d == 1 { 0 } else { out_idx[lead + i] })
        .collect();
    x.at(&idx)
}

/// The larger of `a` and `b`, NaN when either is NaN (unlike `f64::max`).
pub fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// One value of a unary op, in f64.
pub fn unary_scalar(op: UnaryOp, x: f64) -> f64 {
    match op {
        UnaryOp::Neg => -x,
        UnaryOp::Exp => x.exp(),
        UnaryOp::Log => x.ln(),
        UnaryOp::Sqrt => x.sqrt(),
        UnaryOp::Recip => 1.0 / x,
        UnaryOp::Abs => x.abs(),
        // NaN propagates (issue 8): `f64::max` would drop it.
        UnaryOp::Relu => nan_max(x, 0.0),
        UnaryOp::Tanh => x.tanh(),
        UnaryOp::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        UnaryOp::Gelu => gelu(x),
    }
}

/// `sqrt(2 / pi)`, GELU's tanh scale, in f64.
fn gelu_c() -> f64 {
    (2.0 / std::f64::consts::PI).sqrt()
}

/// GELU's tanh form, PyTorch's `GELU(approximate='tanh')`.
pub fn gelu(x: f64) -> f64 {
    0.5 * x * (1.0 + (gelu_c() * (x + 0.044715 * x.powi(3))).tanh())
}

/// The derivative of [`gelu`]: `0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)`.
pub fn gelu_derivative(x: f64) -> f64 {
    let t = (gelu_c() * (x + 0.044715 * x.powi(3))).tanh();
    0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * gelu_c() * (1.0 + 3.0 * 0.044715 * x * x)
}

/// One value of a binary op, in f64 (comparisons give 1 or 0).
pub fn binary_scalar(op: BinaryOp, a: f64, b: f64) -> f64 {
    let mask = |c: bool| if c { 1.0 } else { 0.0 };
    match op {
        BinaryOp::Add => a + b,
        BinaryOp::Sub => a - b,
        BinaryOp::Mul => a * b,
        BinaryOp::Div => a / b,
        BinaryOp::Max => nan_max(a, b),
        BinaryOp::Pow => a.powf(b),
        BinaryOp::Lt => mask(a < b),
        BinaryOp::Gt => mask(a > b),
        BinaryOp::Eq => mask(a == b),
        BinaryOp::GeluGrad => gelu_derivative(a) * b,
    }
}

/// A unary op applied to every element.
pub fn unary(op: UnaryOp, x: &Ref) -> Ref {
    Ref::new(
        &x.dims,
        x.data.iter().map(|&v| unary_scalar(op, v)).collect(),
    )
}

/// A binary op with numpy broadcasting.
pub fn binary(op: BinaryOp, a: &Ref, b: &Ref) -> Ref {
    let out = broadcast_dims(&[&a.dims, &b.dims]).expect("reference: shapes do not broadcast");
    let data = (0..numel(&out))
        .map(|f| {
            let i = unravel(f, &out);
            binary_scalar(op, broadcast_read(a, &i), broadcast_read(b, &i))
        })
        .collect();
    Ref::new(&out, data)
}

/// `a` where `cond != 0`, else `b`, all broadcast together.
pub fn select(cond: &Ref, a: &Ref, b: &Ref) -> Ref {
    let out = broadcast_dims(&[&cond.dims, &a.dims, &b.dims]).expect("reference: select shapes");
    let data = (0..numel(&out))
        .map(|f| {
            let i = unravel(f, &out);
            if broadcast_read(cond, &i) != 0.0 {
                broadcast_read(a, &i)
            } else {
                broadcast_read(b, &i)
            }
        })
        .collect();
    Ref::new(&out, data)
}

/// A reduction over `axes`, keeping them as size-1 dimensions.
pub fn reduce(op: ReduceOp, x: &Ref, axes: &[usize]) -> Ref {
    let out: Vec<usize> = x
        .dims
        .iter()
        .enumerate()
        .map(|(a, &d)| if axes.contains(&a) { 1 } else { d })
        .collect();
    let init = match op {
        ReduceOp::Sum => 0.0,
        ReduceOp::Max => f64::NEG_INFINITY,
    };
    let mut data = vec![init; numel(&out)];
    // Walk the input in row-major order with a multi-index odometer (gradient checks
    // call this once per finite difference, so no allocation per element).
    let mut idx = vec![0usize; x.dims.len()];
    for &v in &x.data {
        // The output position: reduced axes (size 1 in `out`) read index 0.
        let o = idx
            .iter()
            .zip(&out)
            .fold(0, |acc, (&i, &d)| acc * d + if d == 1 { 0 } else { i });
        data[o] = match op {
            ReduceOp::Sum => data[o] + v,
            ReduceOp::Max => nan_max(data[o], v),
        };
        for a in (0..idx.len()).rev() {
            idx[a] += 1;
            if idx[a] < x.dims[a] {
                break;
            }
            idx[a] = 0;
        }
    }
    Ref::new(&out, data)
}

/// The same values under new dimensions.
pub fn reshape(x: &Ref, dims: &[usize]) -> Ref {
    Ref::new(dims, x.data.clone())
}

/// Output axis `i` is input axis `perm[i]`.
pub fn permute(x: &Ref, perm: &[usize]) -> Ref {
    let out: Vec<usize> = perm.iter().map(|&p| x.dims[p]).collect();
    let data = (0..numel(&out))
        .map(|f| {
            let o = unravel(f, &out);
            let mut i = vec![0; perm.len()];
            for (k, &p) in perm.iter().enumerate() {
                i[p] = o[k];
            }
            x.at(&i)
        })
        .collect();
    Ref::new(&out, data)
}

/// Broadcast `x` to `dims`.
pub fn expand(x: &Ref, dims: &[usize]) -> Ref {
    let data = (0..numel(dims))
        .map(|f| broadcast_read(x, &unravel(f, dims)))
        .collect();
    Ref::new(dims, data)
}

/// The sub-tensor `[start, end)` on every axis.
pub fn slice(x: &Ref, ranges: &[(usize, usize)]) -> Ref {
    let out: Vec<usize> = ranges.iter().map(|(s, e)| e - s).collect();
    let data = (0..numel(&out))
        .map(|f| {
            let o = unravel(f, &out);
            let i: Vec<usize> = o.iter().zip(ranges).map(|(k, (s, _))| k + s).collect();
            x.at(&i)
        })
        .collect();
    Ref::new(&out, data)
}

/// Join `parts` along `axis`.
pub fn concat(parts: &[Ref], axis: usize) -> Ref {
    let mut out = parts[0].dims.clone();
    out[axis] = parts.iter().map(|p| p.dims[axis]).sum();
    let data = (0..numel(&out))
        .map(|f| {
            let mut i = unravel(f, &out);
            for p in parts {
                if i[axis] < p.dims[axis] {
                    return p.at(&i);
                }
                i[axis] -= p.dims[axis];
            }
            unreachable!("index past the last part")
        })
        .collect();
    Ref::new(&out, data)
}

/// The row that an index stored as a float names, if it is a whole number in range.
fn row_of(v: f64, rows: usize) -> Option<usize> {
    (v >= 0.0 && v.fract() == 0.0 && v < rows as f64).then_some(v as usize)
}

/// `out[i, :] = table[idx[i], :]`; an index that is out of range or not whole gives a
/// zero row (the backend contract).
pub fn gather_rows(table: &Ref, idx: &Ref) -> Ref {
    let (rows, cols) = (table.dims[0], table.dims[1]);
    let mut data = vec![0.0; idx.data.len() * cols];
    for (i, &v) in idx.data.iter().enumerate() {
        if let Some(r) = row_of(v, rows) {
            for c in 0..cols {
                data[i * cols + c] = table.at(&[r, c]);
            }
        }
    }
    Ref::new(&[idx.data.len(), cols], data)
}

/// `out[idx[i], :] += src[i, :]` into `rows` zero rows; out-of-range indices are dropped.
pub fn scatter_add_rows(src: &Ref, idx: &Ref, rows: usize) -> Ref {
    let cols = src.dims[1];
    let mut data = vec![0.0; rows * cols];
    for (i, &v) in idx.data.iter().enumerate() {
        if let Some(r) = row_of(v, rows) {
            for c in 0..cols {
                data[r * cols + c] += src.at(&[i, c]);
            }
        }
    }
    Ref::new(&[rows, cols], data)
}

/// `op(a) @ op(b)` for rank 2, or rank 3 with equal batch; `op` transposes the last two
/// axes when asked.
pub fn matmul(a: &Ref, b: &Ref, trans_a: bool, trans_b: bool) -> Ref {
    let r = a.dims.len();
    let batch = if r == 3 { a.dims[0] } else { 1 };
    let (ar, ac) = (a.dims[r - 2], a.dims[r - 1]);
    let (br, bc) = (b.dims[r - 2], b.dims[r - 1]);
    let (m, k) = if trans_a { (ac, ar) } else { (ar, ac) };
    let n = if trans_b { br } else { bc };
    // op(A)[i][kk] and op(B)[kk][j] read straight from the stored layouts.
    let a_at = |bi: usize, i: usize, kk: usize| {
        let (row, col) = if trans_a { (kk, i) } else { (i, kk) };
        a.data[bi * ar * ac + row * ac + col]
    };
    let b_at = |bi: usize, kk: usize, j: usize| {
        let (row, col) = if trans_b { (j, kk) } else { (kk, j) };
        b.data[bi * br * bc + row * bc + col]
    };
    // op(A) as [batch, m, k] and op(B) transposed as [batch, n, k], so that each
    // output is a dot product of two contiguous rows (gradient checks call this once
    // per finite difference).
    let a_rows: Vec<f64> = (0..batch * m * k)
        .map(|f| a_at(f / (m * k), f / k % m, f % k))
        .collect();
    let b_cols: Vec<f64> = (0..batch * n * k)
        .map(|f| b_at(f / (n * k), f % k, f / k % n))
        .collect();
    let mut data = Vec::with_capacity(batch * m * n);
    for bi in 0..batch {
        for i in 0..m {
            let row = &a_rows[(bi * m + i) * k..][..k];
            for j in 0..n {
                let col = &b_cols[(bi * n + j) * k..][..k];
                data.push(row.iter().zip(col).map(|(x, y)| x * y).sum());
            }
        }
    }
    let out = if r == 3 {
        vec![batch, m, n]
    } else {
        vec![m, n]
    };
    Ref::new(&out, data)
}
