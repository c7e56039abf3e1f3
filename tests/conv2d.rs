//! `Tensor::conv2d`, the composite of im2col, the tiled matmul and a broadcast bias:
//! forward against the textbook seven-loop convolution (`common::reference_conv`), on
//! every device; gradients of input, weight and bias against f64 central differences;
//! the GPU against the CPU backend, forward and backward; the output-size rule; and
//! misuse that must panic with a message naming the problem.

mod common;

use common::gpu::gpu_device;
use common::reference_conv as rc;
use common::{
    assert_all, check_forward, check_gpu_parity, check_grad, diff, on_each_device, uniform, Case,
    Tol,
};
use gradlab::rng::Rng;
use gradlab::tensor::conv_out_size;
use gradlab::{Device, Tensor};

/// `(n, c, h, w, out, kh, kw, stride, padding, bias)`: one convolution row.
type Row = (
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    bool,
);

/// Every convolution row.
#[rustfmt::skip]
const ROWS: &[Row] = &[
    (1, 1, 5, 5, 1, 3, 3, 1, 0, false),
    (2, 3, 6, 5, 4, 3, 3, 1, 1, true),
    // LeNet's first layer in miniature: 5x5, padding 2.
    (2, 2, 7, 7, 3, 5, 5, 1, 2, true),
    // Stride 2, a non-square window, floor-mode leftovers.
    (1, 3, 8, 6, 2, 3, 2, 2, 1, true),
    // 1x1 convolution: a per-pixel dense layer.
    (3, 4, 5, 5, 2, 1, 1, 1, 0, true),
];

fn cases() -> Vec<Case> {
    let mut rng = Rng::new(0xC0117);
    ROWS.iter()
        .map(|&(n, c, h, w, o, kh, kw, s, p, bias)| {
            let mut inputs = vec![
                diff(&[n, c, h, w], uniform(&mut rng, n * c * h * w, -2.0, 2.0)),
                diff(&[o, c, kh, kw], uniform(&mut rng, o * c * kh * kw, -1.0, 1.0)),
            ];
            if bias {
                inputs.push(diff(&[o], uniform(&mut rng, o, -1.0, 1.0)));
            }
            Case::new(
                format!("conv2d [{n}, {c}, {h}, {w}] * [{o}, {c}, {kh}, {kw}] stride {s} pad {p} bias {bias}"),
                inputs,
                move |x| x[0].conv2d(&x[1], x.get(2), s, p),
                move |x| rc::conv2d(&x[0], &x[1], x.get(2), s, p),
            )
            // Sums of up to 50 products: the GPU may add in another order.
            .tol(Tol::ACCUMULATE)
            .accumulating()
        })
        .collect()
}

#[test]
fn conv2d_matches_the_textbook_loop() {
    on_each_device(|d| assert_all(&cases(), |c| check_forward(d, c)));
}

#[test]
fn conv2d_gradients_match_finite_differences() {
    on_each_device(|d| {
        let mut rng = Rng::new(0x6EAD);
        assert_all(&cases(), |c| check_grad(d, c, &mut rng));
    });
}

#[test]
fn conv2d_on_the_gpu_matches_the_cpu() {
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(2024);
    assert_all(&cases(), |c| {
        check_gpu_parity(&gpu, c, &mut rng).map(|_| ())
    });
}

/// The output-size rule against its closed form, `floor((in + 2p - k) / s) + 1`, over a
/// grid of sizes, and `None` exactly when the window does not fit or a size is 0.
#[test]
fn conv_out_size_is_the_floor_formula() {
    for input in 0..12usize {
        for kernel in 0..8 {
            for stride in 0..4 {
                for padding in 0..4 {
                    let got = conv_out_size(input, kernel, stride, padding);
                    let padded = (input + 2 * padding) as i64;
                    let want = (kernel > 0 && stride > 0 && kernel as i64 <= padded).then(|| {
                        ((padded - kernel as i64) as f64 / stride as f64).floor() as usize + 1
                    });
                    assert_eq!(got, want, "in {input} k {kernel} s {stride} p {padding}");
                }
            }
        }
    }
    assert_eq!(
        conv_out_size(usize::MAX, 3, 1, 1),
        None,
        "overflow is not a size"
    );
}

/// Output shapes of MNIST-sized inputs, worked out by hand from the floor formula:
/// (28 + 4 - 5) / 1 + 1 = 28, (28 - 5) / 2 + 1 = 12, (28 - 2) / 2 + 1 = 14,
/// (28 - 3) / 2 + 1 = 13.
#[test]
fn conv2d_shape_follows_the_output_size_rule() {
    let x = Tensor::zeros(&[2, 3, 28, 28], &Device::Cpu);
    let w = Tensor::zeros(&[8, 3, 5, 5], &Device::Cpu);
    assert_eq!(x.conv2d(&w, None, 1, 2).dims(), &[2, 8, 28, 28]);
    assert_eq!(x.conv2d(&w, None, 2, 0).dims(), &[2, 8, 12, 12]);
    let p = x.max_pool2d(2, 2);
    assert_eq!(p.dims(), &[2, 3, 14, 14]);
    assert_eq!(x.avg_pool2d(3, 2).dims(), &[2, 3, 13, 13]);
}

#[test]
#[should_panic(
    expected = "conv2d: weight [2, 4, 3, 3] expects 4 input channels, input [1, 3, 5, 5] has 3"
)]
fn conv2d_rejects_mismatched_channels() {
    let x = Tensor::zeros(&[1, 3, 5, 5], &Device::Cpu);
    let w = Tensor::zeros(&[2, 4, 3, 3], &Device::Cpu);
    let _ = x.conv2d(&w, None, 1, 0);
}

#[test]
#[should_panic(expected = "does not fit an input of 4x4")]
fn conv2d_rejects_a_window_larger_than_the_input() {
    let x = Tensor::zeros(&[1, 1, 4, 4], &Device::Cpu);
    let w = Tensor::zeros(&[1, 1, 5, 5], &Device::Cpu);
    let _ = x.conv2d(&w, None, 1, 0);
}

#[test]
#[should_panic(expected = "max_pool2d: input must be [N, C, H, W], got [4, 4]")]
fn pooling_rejects_a_rank_2_input() {
    let _ = Tensor::zeros(&[4, 4], &Device::Cpu).max_pool2d(2, 2);
}

#[test]
#[should_panic(expected = "conv2d: bias must be [2], got [3]")]
fn conv2d_rejects_a_bias_of_the_wrong_length() {
    let x = Tensor::zeros(&[1, 1, 4, 4], &Device::Cpu);
    let w = Tensor::zeros(&[2, 1, 3, 3], &Device::Cpu);
    let b = Tensor::zeros(&[3], &Device::Cpu);
    let _ = x.conv2d(&w, Some(&b), 1, 0);
}

#[test]
#[should_panic(expected = "stride 0")]
fn pooling_rejects_stride_zero() {
    let _ = Tensor::zeros(&[1, 1, 4, 4], &Device::Cpu).avg_pool2d(2, 0);
}

/// The whole `mnist-cnn` network at MNIST size (two convolutions, relu, two max pools,
/// a dense layer), forward and every parameter's gradient, GPU against CPU: the sizes
/// cross workgroup edges and the tiled matmul that the small rows above do not reach.
#[test]
fn lenet_forward_and_gradients_on_the_gpu_match_the_cpu() {
    use common::gpu::{check_parity, cst, var, PCase};
    use common::lenet::LeNet;
    let Some(gpu) = gpu_device() else { return };
    let mut rng = Rng::new(99);
    let net = LeNet::new(&Device::Cpu, &mut rng);
    let mut inputs = vec![cst(&[3, 1, 28, 28], uniform(&mut rng, 3 * 784, 0.0, 1.0))];
    for p in net.params() {
        inputs.push(var(p.dims(), p.to_vec_blocking().expect("read")));
    }
    let case = PCase::new("lenet [3, 1, 28, 28]", inputs, |t| {
        let net = LeNet {
            c1: (t[1].clone(), t[2].clone()),
            c2: (t[3].clone(), t[4].clone()),
            fc: (t[5].clone(), t[6].clone()),
        };
        net.forward(&t[0])
    });
    let (fwd, grad) = check_parity(&gpu, &case, 1e-5, common::PARITY_GRAD_TOL, &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    println!("lenet parity: worst forward {fwd:.2e}, worst gradient {grad:.2e}");
}
