//! Fully connected layers and the MLP builder.

use super::{Activation, Init, Module, ParamSet};
use crate::backend::Device;
use crate::rng::Rng;
use crate::tensor::Tensor;

/// `y = x W^T + b` with `W: [out, in]`, `b: [out]` (PyTorch's `nn.Linear`).
pub fn linear(x: &Tensor, weight: &Tensor, bias: &Tensor) -> Tensor {
    // (B, in) @ (out, in)^T -> (B, out), read with a transposed-operand kernel.
    x.matmul_t(weight, false, true).add(bias)
}

/// A multi-layer perceptron: `Linear -> activation` per hidden layer, then a linear
/// output layer. Parameter names follow `nn.Sequential` with an activation module after
/// each hidden `Linear`: `0.weight`, `0.bias`, `2.weight`, `2.bias`, ...
#[derive(Clone, Debug)]
pub struct Mlp {
    params: ParamSet,
    activations: Vec<Activation>,
    sizes: Vec<usize>,
}

impl Mlp {
    /// Layer sizes `[in, h1, ..., out]`; `activations[i]` follows hidden layer `i`
    /// (`sizes.len() - 2` of them). Weights drawn by `rng` (He for ReLU/GELU layers,
    /// Xavier otherwise), biases zero.
    pub fn new(sizes: &[usize], activations: &[Activation], rng: &mut Rng, device: &Device) -> Mlp {
        assert!(sizes.len() >= 2, "an MLP needs input and output sizes");
        assert_eq!(
            activations.len(),
            sizes.len() - 2,
            "one activation per hidden layer"
        );
        let mut params = ParamSet::new();
        for (l, w) in sizes.windows(2).enumerate() {
            let (fan_in, fan_out) = (w[0], w[1]);
            let init = activations.get(l).map_or(Init::XavierUniform, |a| a.init());
            let weight = init.sample(fan_in, fan_out, rng);
            params.push(
                format!("{}.weight", 2 * l),
                Tensor::from_slice(&weight, &[fan_out, fan_in], device),
            );
            params.push(format!("{}.bias", 2 * l), Tensor::zeros(&[fan_out], device));
        }
        Mlp {
            params,
            activations: activations.to_vec(),
            sizes: sizes.to_vec(),
        }
    }

    /// Layer sizes `[in, h1, ..., out]`.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// Hidden-layer activations.
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// Outputs of every layer (after its activation; the last is the model output),
    /// for the network view.
    pub fn forward_layers(&self, x: &Tensor) -> Vec<Tensor> {
        let layers = self.sizes.len() - 1;
        let mut h = x.clone();
        let mut outs = Vec::with_capacity(layers);
        for l in 0..layers {
            h = linear(&h, self.params.get(2 * l), self.params.get(2 * l + 1));
            if let Some(a) = self.activations.get(l) {
                h = a.apply(&h);
            }
            outs.push(h.clone());
        }
        outs
    }
}

impl Module for Mlp {
    fn forward(&self, x: &Tensor) -> Tensor {
        self.forward_layers(x).pop().expect("at least one layer")
    }

    fn params(&self) -> &ParamSet {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }
}
