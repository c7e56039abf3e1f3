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
        self.optimizer
            .set_embeddings(super::model::embedding_params(self.config()));
        // What the health status recorded was about the old weights.
        self.health.reset(&device);
        // A history point at this step described the old weights.
        if self.history.last().map(|p| p.step) == Some(self.step) {
            self.history.pop();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::experiment::{preset, Runner};
    use crate::platform::block_on;
    use crate::Device;

    #[test]
    fn loading_drops_the_point_that_described_the_old_weights() {
        let config = preset("xor").unwrap();
        let mut trained = Runner::new(config.clone(), Device::Cpu).unwrap();
        trained.train_steps(20).unwrap();
        let want = block_on(trained.record()).unwrap();
        let mut fresh = Runner::new(config, Device::Cpu).unwrap();
        let before = block_on(fresh.record()).unwrap();
        assert_ne!(before.train_loss, want.train_loss);
        fresh
            .load_weights(&block_on(trained.weights()).unwrap())
            .unwrap();
        assert!(fresh.history().is_empty(), "the stale step-0 point is gone");
        let after = block_on(fresh.record()).unwrap();
        assert_eq!(after.train_loss.to_bits(), want.train_loss.to_bits());
        assert_eq!(after.test_loss.to_bits(), want.test_loss.to_bits());
    }
}
