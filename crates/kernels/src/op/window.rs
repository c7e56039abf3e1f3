//! The geometry of the sliding-window ops (convolution through im2col, pooling): plain
//! data shared by the tensor API, the autograd rules and every backend.

/// Output size of one spatial axis of a convolution or pooling window (PyTorch's floor
/// mode): `(input + 2 * padding - kernel) / stride + 1`, `None` when the window does not
/// fit in the padded input or `kernel` or `stride` is 0.
pub fn conv_out_size(input: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = input.checked_add(padding.checked_mul(2)?)?;
    if kernel == 0 || stride == 0 || kernel > padded {
        return None;
    }
    Some((padded - kernel) / stride + 1)
}

/// The geometry of a 2-D sliding window over an NCHW tensor `[n, c, h, w]`: a
/// `kh x kw` window moved by `stride` over the input padded with `padding` zeros on
/// every side. Convolutions (through [`Op::Unfold2d`](super::Op::Unfold2d)) and pooling
/// (no padding) share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window2d {
    /// Batch size.
    pub n: usize,
    /// Channels.
    pub c: usize,
    /// Input height.
    pub h: usize,
    /// Input width.
    pub w: usize,
    /// Window height.
    pub kh: usize,
    /// Window width.
    pub kw: usize,
    /// Step between windows, both axes.
    pub stride: usize,
    /// Zeros added on every side.
    pub padding: usize,
}

impl Window2d {
    /// Output height (floor mode); 0 when the window does not fit.
    pub fn out_h(&self) -> usize {
        conv_out_size(self.h, self.kh, self.stride, self.padding).unwrap_or(0)
    }

    /// Output width (floor mode); 0 when the window does not fit.
    pub fn out_w(&self) -> usize {
        conv_out_size(self.w, self.kw, self.stride, self.padding).unwrap_or(0)
    }

    /// Elements of the input `[n, c, h, w]`.
    pub fn input_len(&self) -> usize {
        self.n * self.c * self.h * self.w
    }

    /// Elements of a pooled output `[n, c, out_h, out_w]`.
    pub fn pooled_len(&self) -> usize {
        self.n * self.c * self.out_h() * self.out_w()
    }

    /// Rows of the unfolded columns: `c * kh * kw`.
    pub fn col_rows(&self) -> usize {
        self.c * self.kh * self.kw
    }

    /// Elements of the unfolded columns `[n, c*kh*kw, out_h*out_w]`.
    pub fn cols_len(&self) -> usize {
        self.n * self.col_rows() * self.out_h() * self.out_w()
    }
}
