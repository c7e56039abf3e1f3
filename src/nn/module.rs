//! Modules and their named parameters.

use crate::tensor::Tensor;

/// A model's trainable tensors with PyTorch's names (`0.weight`, `0.bias`, ...), in a
/// fixed order. Optimizers update them in place by index.
#[derive(Clone, Debug, Default)]
pub struct ParamSet {
    names: Vec<String>,
    tensors: Vec<Tensor>,
}

impl ParamSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a parameter (made a gradient-requiring leaf); returns its index.
    pub fn push(&mut self, name: impl Into<String>, t: Tensor) -> usize {
        self.names.push(name.into());
        self.tensors.push(as_leaf(t));
        self.tensors.len() - 1
    }

    /// The parameter at `i`.
    pub fn get(&self, i: usize) -> &Tensor {
        &self.tensors[i]
    }

    /// Replace the parameter at `i` (the new value becomes a leaf requiring gradients;
    /// one that already is one is kept, so its gradients are found under its own id).
    pub fn set(&mut self, i: usize, t: Tensor) {
        self.tensors[i] = as_leaf(t);
    }

    /// Take all parameter tensors out (so an optimizer owns their storage and may update
    /// it in place); give them back with [`ParamSet::put_all`].
    pub(crate) fn take_all(&mut self) -> Vec<Tensor> {
        std::mem::take(&mut self.tensors)
    }

    /// Put back updated parameters, in the same order (made leaves requiring gradients).
    pub(crate) fn put_all(&mut self, tensors: Vec<Tensor>) {
        debug_assert_eq!(tensors.len(), self.names.len());
        self.tensors = tensors;
    }

    /// Copy every parameter to `device` (values pass through host memory).
    pub async fn move_to(&mut self, device: &crate::Device) -> crate::Result<()> {
        for t in self.tensors.iter_mut() {
            *t = t.to_device(device).await?.requiring_grad();
        }
        Ok(())
    }

    /// Number of parameter tensors.
    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// Parameter names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Parameter tensors, in order.
    pub fn tensors(&self) -> &[Tensor] {
        &self.tensors
    }

    /// `(name, tensor)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.tensors.iter())
    }

    /// Index of the parameter called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Total number of scalar parameters.
    pub fn count(&self) -> usize {
        self.tensors.iter().map(Tensor::numel).sum()
    }
}

/// `t` itself when it is a leaf requiring gradients, else such a leaf of its data.
fn as_leaf(t: Tensor) -> Tensor {
    if t.requires_grad() && t.node().is_none() {
        t
    } else {
        t.requiring_grad()
    }
}

/// A differentiable function with trainable parameters.
pub trait Module {
    /// Apply the module to a batch.
    fn forward(&self, x: &Tensor) -> Tensor;
    /// The parameters, in a fixed order.
    fn params(&self) -> &ParamSet;
    /// The parameters, for optimizers and weight loading.
    fn params_mut(&mut self) -> &mut ParamSet;
}
