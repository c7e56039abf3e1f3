//! The names and shapes of a configuration's model, computed from the config alone (no
//! data loaded), so a link's weights can be checked before anything is built.

use crate::experiment::model::param_shapes;
use crate::experiment::ExperimentConfig;

/// The parameters of the model that `config` builds, in order, with PyTorch names and
/// shapes: `0.weight [h1, in]`, `0.bias [h1]`, `2.weight [h2, h1]`, ... (see
/// `experiment::model`); empty when its stack does not fit its data.
pub fn model_shapes(config: &ExperimentConfig) -> Vec<(String, Vec<usize>)> {
    param_shapes(config)
}
