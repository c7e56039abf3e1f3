//! The `mnist-cnn` network (LeNet-like: conv(8, 5, pad 2), relu, maxpool 2, conv(16, 5),
//! relu, maxpool 2, flatten, dense(10)) written with the tensor ops, for the conv
//! timings and the GPU lean-step check, before the layer stack exists.

use super::uniform;
use gradlab::rng::Rng;
use gradlab::{Device, Tensor};

/// The parameters, PyTorch layouts (`[out, in, kh, kw]` for the convolutions).
pub struct LeNet {
    /// First convolution: weight `[8, 1, 5, 5]`, bias `[8]`.
    pub c1: (Tensor, Tensor),
    /// Second convolution: weight `[16, 8, 5, 5]`, bias `[16]`.
    pub c2: (Tensor, Tensor),
    /// Dense layer: weight `[400, 10]`, bias `[10]`.
    pub fc: (Tensor, Tensor),
}

impl LeNet {
    /// Parameters uniform in `+-1/sqrt(fan_in)` (PyTorch's default bound).
    pub fn new(device: &Device, rng: &mut Rng) -> LeNet {
        let mut p = |dims: &[usize], fan_in: usize| {
            let bound = 1.0 / (fan_in as f32).sqrt();
            let n = dims.iter().product();
            Tensor::parameter(&uniform(rng, n, -bound, bound), dims, device)
        };
        LeNet {
            c1: (p(&[8, 1, 5, 5], 25), p(&[8], 25)),
            c2: (p(&[16, 8, 5, 5], 200), p(&[16], 200)),
            fc: (p(&[400, 10], 400), p(&[10], 400)),
        }
    }

    /// `[n, 1, 28, 28]` to logits `[n, 10]`.
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let n = x.dims()[0];
        // (n, 8, 28, 28) -> (n, 8, 14, 14)
        let h = x.conv2d(&self.c1.0, Some(&self.c1.1), 1, 2);
        let h = h.relu().max_pool2d(2, 2);
        // (n, 16, 10, 10) -> (n, 16, 5, 5)
        let h = h.conv2d(&self.c2.0, Some(&self.c2.1), 1, 0);
        let h = h.relu().max_pool2d(2, 2);
        h.reshape(&[n, 400]).matmul(&self.fc.0).add(&self.fc.1)
    }

    /// Every parameter.
    pub fn params(&self) -> [&Tensor; 6] {
        [
            &self.c1.0, &self.c1.1, &self.c2.0, &self.c2.1, &self.fc.0, &self.fc.1,
        ]
    }
}
