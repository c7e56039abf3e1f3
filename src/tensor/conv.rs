//! Convolution and pooling over NCHW tensors (PyTorch semantics: zero padding, floor
//! output size, weights `[out, in, kh, kw]`).
//!
//! The primitives are the sliding-window ops of the vocabulary (`Unfold2d`/`Fold2d`,
//! `MaxPool2d`/`MaxPool2dBackward`, `AvgPool2d`/`AvgPool2dBackward`; each pair is
//! mutually adjoint, so the backward rules close over them). `conv2d` is a composite:
//! im2col, then the tiled matmul of the weights with the columns, then the bias.
//! Misuse (wrong ranks, a window that does not fit) panics with a clear message, like the
//! other tensor ops: user configs are validated before they reach a tensor.

use super::{Op, Shape, Tensor};
use crate::op::{conv_out_size, Window2d};

/// `[n, c, h, w]` of a rank-4 tensor, or a panic naming the op.
fn nchw(t: &Tensor, what: &str) -> [usize; 4] {
    match *t.dims() {
        [n, c, h, w] => [n, c, h, w],
        _ => panic!("{what}: input must be [N, C, H, W], got {}", t.shape()),
    }
}

/// The window geometry of `x` `[n, c, h, w]`, checked: the window must fit.
fn window(
    what: &str,
    dims: [usize; 4],
    kernel: (usize, usize),
    stride: usize,
    padding: usize,
) -> Window2d {
    let [n, c, h, w] = dims;
    let (kh, kw) = kernel;
    let fits = conv_out_size(h, kh, stride, padding).is_some()
        && conv_out_size(w, kw, stride, padding).is_some();
    assert!(
        fits,
        "{what}: a {kh}x{kw} window with stride {stride} and padding {padding} does not fit \
         an input of {h}x{w}"
    );
    Window2d {
        n,
        c,
        h,
        w,
        kh,
        kw,
        stride,
        padding,
    }
}

impl Tensor {
    /// im2col (PyTorch's `nn.Unfold`): `[N, C, H, W]` to `[N, C*kh*kw, OH*OW]`, row
    /// `(c, ki, kj)`, column `(oy, ox)`, zeros where a window reads padding.
    pub fn unfold2d(&self, kernel: (usize, usize), stride: usize, padding: usize) -> Tensor {
        let g = window("unfold2d", nchw(self, "unfold2d"), kernel, stride, padding);
        self.unfold_window(g)
    }

    /// col2im (PyTorch's `nn.Fold`), the adjoint of [`Tensor::unfold2d`]: columns
    /// `[N, C*kh*kw, OH*OW]` summed into `[N, C, H, W]` with `(H, W) = output_size`.
    pub fn fold2d(
        &self,
        output_size: (usize, usize),
        kernel: (usize, usize),
        stride: usize,
        padding: usize,
    ) -> Tensor {
        let (h, w) = output_size;
        let (kh, kw) = kernel;
        let [n, rows, len] = match *self.dims() {
            [n, rows, len] => [n, rows, len],
            _ => panic!(
                "fold2d: input must be [N, C*kh*kw, L], got {}",
                self.shape()
            ),
        };
        let per = kh * kw;
        assert!(
            per > 0 && rows % per == 0,
            "fold2d: {rows} rows are not a multiple of the {kh}x{kw} window"
        );
        let g = window("fold2d", [n, rows / per, h, w], kernel, stride, padding);
        assert_eq!(
            len,
            g.out_h() * g.out_w(),
            "fold2d: {len} columns, but a {kh}x{kw} window with stride {stride} and padding \
             {padding} has {}x{} positions in {h}x{w}",
            g.out_h(),
            g.out_w()
        );
        self.fold_window(g)
    }

    /// 2-D convolution (cross-correlation, as PyTorch's `conv2d`): `self` `[N, C, H, W]`,
    /// `weight` `[O, C, KH, KW]`, `bias` `[O]` give `[N, O, OH, OW]`, zero padding,
    /// floor output size.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        stride: usize,
        padding: usize,
    ) -> Tensor {
        self.same_device(weight, "conv2d");
        let [n, c, h, w] = nchw(self, "conv2d");
        let [o, wc, kh, kw] = match *weight.dims() {
            [o, wc, kh, kw] => [o, wc, kh, kw],
            _ => panic!(
                "conv2d: weight must be [O, C, KH, KW], got {}",
                weight.shape()
            ),
        };
        assert_eq!(
            wc,
            c,
            "conv2d: weight {} expects {wc} input channels, input {} has {c}",
            weight.shape(),
            self.shape()
        );
        let g = window("conv2d", [n, c, h, w], (kh, kw), stride, padding);
        // (N, C*KH*KW, OH*OW), then (O, C*KH*KW) @ each batch's columns: (N, O, OH*OW).
        let cols = self.unfold_window(g);
        let y =
            weight
                .reshape(&[o, c * kh * kw])
                .matmul(&cols)
                .reshape(&[n, o, g.out_h(), g.out_w()]);
        match bias {
            None => y,
            Some(b) => {
                self.same_device(b, "conv2d");
                assert_eq!(
                    b.dims(),
                    &[o],
                    "conv2d: bias must be [{o}], got {}",
                    b.shape()
                );
                y.add(&b.reshape(&[1, o, 1, 1]))
            }
        }
    }

    /// Max pooling, no padding: `[N, C, H, W]` to `[N, C, OH, OW]`. The gradient goes to
    /// the first maximum of each window (row-major); a NaN in a window is its maximum.
    pub fn max_pool2d(&self, kernel: usize, stride: usize) -> Tensor {
        let g = window(
            "max_pool2d",
            nchw(self, "max_pool2d"),
            (kernel, kernel),
            stride,
            0,
        );
        Tensor::max_pool_at(self, self, g)
    }

    /// The adjoint of [`Tensor::max_pool2d`] on `self` (its input `[N, C, H, W]`): each
    /// window's `grad` (`[N, C, OH, OW]`) goes to the window's first maximum.
    pub fn max_pool2d_backward(&self, grad: &Tensor, kernel: usize, stride: usize) -> Tensor {
        let what = "max_pool2d_backward";
        let g = window(what, nchw(self, what), (kernel, kernel), stride, 0);
        Tensor::max_pool_backward_window(self, grad, g)
    }

    /// Average pooling, no padding: `[N, C, H, W]` to `[N, C, OH, OW]`.
    pub fn avg_pool2d(&self, kernel: usize, stride: usize) -> Tensor {
        let g = window(
            "avg_pool2d",
            nchw(self, "avg_pool2d"),
            (kernel, kernel),
            stride,
            0,
        );
        self.avg_pool_window(g)
    }

    /// The adjoint of [`Tensor::avg_pool2d`]: `self` is a gradient `[N, C, OH, OW]` of a
    /// pooling of an `input_size = (H, W)` input; each window's value over `kernel^2` is
    /// spread over the window, giving `[N, C, H, W]`.
    pub fn avg_pool2d_backward(
        &self,
        input_size: (usize, usize),
        kernel: usize,
        stride: usize,
    ) -> Tensor {
        let what = "avg_pool2d_backward";
        let [n, c, _, _] = nchw(self, what);
        let g = window(
            what,
            [n, c, input_size.0, input_size.1],
            (kernel, kernel),
            stride,
            0,
        );
        self.avg_pool_backward_window(g)
    }

    // ----- the recorded primitives, on a checked geometry (also the backward rules) -----

    fn pooled_shape(g: &Window2d) -> Shape {
        Shape(vec![g.n, g.c, g.out_h(), g.out_w()])
    }

    fn input_shape(g: &Window2d) -> Shape {
        Shape(vec![g.n, g.c, g.h, g.w])
    }

    fn expect_dims(&self, what: &str, shape: &Shape) {
        assert!(
            self.shape() == shape,
            "{what}: expected shape {shape}, got {}",
            self.shape()
        );
    }

    /// im2col on a checked geometry, recorded as `Op::Unfold2d`.
    pub(crate) fn unfold_window(&self, g: Window2d) -> Tensor {
        self.expect_dims("unfold2d", &Tensor::input_shape(&g));
        let s = self.device().unfold2d(self.storage(), g);
        let shape = Shape(vec![g.n, g.col_rows(), g.out_h() * g.out_w()]);
        Tensor::record(Op::Unfold2d(g), &[self], s, shape)
    }

    /// col2im on a checked geometry, recorded as `Op::Fold2d`.
    pub(crate) fn fold_window(&self, g: Window2d) -> Tensor {
        let cols = Shape(vec![g.n, g.col_rows(), g.out_h() * g.out_w()]);
        self.expect_dims("fold2d", &cols);
        let s = self.device().fold2d(self.storage(), g);
        Tensor::record(Op::Fold2d(g), &[self], s, Tensor::input_shape(&g))
    }

    /// Per window, `v` at the first maximum of `x`, recorded as `Op::MaxPool2d` (inputs
    /// `[x, v]`; `[x, x]` is max pooling).
    pub(crate) fn max_pool_at(x: &Tensor, v: &Tensor, g: Window2d) -> Tensor {
        x.same_device(v, "max_pool2d");
        x.expect_dims("max_pool2d", &Tensor::input_shape(&g));
        v.expect_dims("max_pool2d", &Tensor::input_shape(&g));
        let s = x.device().max_pool2d(x.storage(), v.storage(), g);
        Tensor::record(Op::MaxPool2d(g), &[x, v], s, Tensor::pooled_shape(&g))
    }

    /// Max pooling's adjoint, recorded as `Op::MaxPool2dBackward` (inputs `[x, grad]`).
    pub(crate) fn max_pool_backward_window(x: &Tensor, grad: &Tensor, g: Window2d) -> Tensor {
        x.same_device(grad, "max_pool2d_backward");
        x.expect_dims("max_pool2d_backward", &Tensor::input_shape(&g));
        grad.expect_dims("max_pool2d_backward", &Tensor::pooled_shape(&g));
        let s = x
            .device()
            .max_pool2d_backward(x.storage(), grad.storage(), g);
        Tensor::record(
            Op::MaxPool2dBackward(g),
            &[x, grad],
            s,
            Tensor::input_shape(&g),
        )
    }

    /// Average pooling, recorded as `Op::AvgPool2d`.
    pub(crate) fn avg_pool_window(&self, g: Window2d) -> Tensor {
        self.expect_dims("avg_pool2d", &Tensor::input_shape(&g));
        let s = self.device().avg_pool2d(self.storage(), g);
        Tensor::record(Op::AvgPool2d(g), &[self], s, Tensor::pooled_shape(&g))
    }

    /// Average pooling's adjoint, recorded as `Op::AvgPool2dBackward`.
    pub(crate) fn avg_pool_backward_window(&self, g: Window2d) -> Tensor {
        self.expect_dims("avg_pool2d_backward", &Tensor::pooled_shape(&g));
        let s = self.device().avg_pool2d_backward(self.storage(), g);
        Tensor::record(
            Op::AvgPool2dBackward(g),
            &[self],
            s,
            Tensor::input_shape(&g),
        )
    }
}
