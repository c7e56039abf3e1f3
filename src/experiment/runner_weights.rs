//! Loading weights into a run: from a link's `w=` blob or an imported safetensors file.

use super::link::match_weights;
use super::{NamedWeight, Runner};
use crate::error::Result;
use crate::nn::Module;
use crate::optim::Optimizer;
use crate::tensor::Tensor;

impl Runner {
    /// Replaces the model's parameters with `weights`, matched by name (any order, so a
    /// safetensors file's name order is fine). Every tensor is checked first: each model
    /// parameter present once with its shape, the right number of finite values, no
    /// extra names; on a mismatch nothing changes and the error names the first one.
    ///
    /// The optimizer restarts with fresh state (Adam's moments and momentum belong to
    /// the old weights, and links and files do not carry them); the step count and the
    /// batch order continue. So training on from loaded weights is reproducible, but is
    /// not bit-identical to a run that was never interrupted unless the optimizer is
    /// stateless (plain SGD). A history point at the current step is dropped (it
    /// described the old weights): record again to evaluate the loaded ones.
    pub fn load_weights(&mut self, weights: &[NamedWeight]) -> Result<()> {
        let want: Vec<(String, Vec<usize>)> = self
            .model
            .params()
            .iter()
            .map(|(name, t)| (name.to_string(), t.dims().to_vec()))
            .collect();
        let ordered = match_weights(weights, &want)?;
        let device = self.device().clone();
        let tensors: Vec<Tensor> = ordered
            .iter()
            .map(|w| Tensor::from_slice(&w.data, &w.shape, &device))
            .collect();
        for (i, t) in tensors.into_iter().enumerate() {
            self.model.params_mut().set(i, t);
        }
        self.optimizer = Optimizer::new(self.config().optimizer.clone());
        // A history point at this step described the old weights.
        if self.history.last().map(|p| p.step) == Some(self.step) {
            self.history.pop();
        }
        Ok(())
    }
}
