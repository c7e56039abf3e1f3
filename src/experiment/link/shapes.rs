//! The names and shapes of a configuration's model, computed from the config alone (no
//! data loaded), so a link's weights can be checked before anything is built.

use crate::data::RealSet;
use crate::experiment::{DataSource, ExperimentConfig};

/// Model inputs and outputs of each vendored set (pinned by a test against the loaded
/// files and a built runner).
fn real_io(set: RealSet) -> (usize, usize) {
    match set {
        RealSet::Digits => (64, 10),
        RealSet::Iris => (4, 3),
        RealSet::BreastCancer => (30, 2),
        RealSet::Wine => (13, 3),
        RealSet::Diabetes => (10, 1),
        RealSet::Mnist => (784, 10),
    }
}

/// The parameters of the MLP that `config` builds, in order, with PyTorch names and
/// shapes: `0.weight [h1, in]`, `0.bias [h1]`, `2.weight [h2, h1]`, ...
pub fn model_shapes(config: &ExperimentConfig) -> Vec<(String, Vec<usize>)> {
    let (inputs, outputs) = match config.data {
        // Two classes from the chosen feature columns.
        DataSource::Classify2d(_) => (config.features.count(), 2),
        DataSource::Regression1d(_) => (1, 1),
        // One value from the chosen feature columns.
        DataSource::Regression2d(_) => (config.features.count(), 1),
        DataSource::Real(set) => real_io(set),
    };
    let mut sizes = vec![inputs];
    sizes.extend(&config.hidden);
    sizes.push(outputs);
    let mut out = Vec::with_capacity(2 * (sizes.len() - 1));
    for (l, w) in sizes.windows(2).enumerate() {
        out.push((format!("{}.weight", 2 * l), vec![w[1], w[0]]));
        out.push((format!("{}.bias", 2 * l), vec![w[1]]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Device;
    use crate::experiment::{presets, Runner};
    use crate::platform::block_on;

    #[test]
    fn shapes_match_the_model_every_preset_builds() {
        for p in presets() {
            let config = (p.config)();
            let runner = Runner::new(config.clone(), Device::Cpu).unwrap();
            let built: Vec<(String, Vec<usize>)> = block_on(runner.weights())
                .unwrap()
                .into_iter()
                .map(|w| (w.name, w.shape))
                .collect();
            assert_eq!(model_shapes(&config), built, "{}", p.name);
        }
    }
}
