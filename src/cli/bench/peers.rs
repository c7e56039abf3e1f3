//! The jobs that gradlab is timed on against its peers (PyTorch natively, TensorFlow.js in
//! the browser): the same shapes, activations, optimizer and batch size on each side, so
//! the ratio of their rates is a fair comparison. `bench/peers_native.py` builds the
//! same jobs in PyTorch and times the two sides alternately.

use crate::data::{FeatureSet, Pattern2d, RealSet};
use crate::error::{Error, Result};
use crate::experiment::{Budget, DataSource, ExperimentConfig, LossKind};
use crate::nn::Activation;
use crate::optim::{OptimizerConfig, OptimizerKind};

/// One peer job: an MLP trained with Adam and softmax cross-entropy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeerJob {
    /// Stable name, shared with the PyTorch and TensorFlow.js drivers.
    pub name: &'static str,
    /// The network, e.g. `2-16-16-2 tanh`.
    pub shape: &'static str,
    /// Layer widths from inputs to outputs.
    pub widths: &'static [usize],
    /// Hidden activation.
    pub activation: Activation,
    /// Rows per step.
    pub batch: usize,
    /// Rows of the training split.
    pub train_rows: usize,
}

/// The jobs of the comparison table.
pub const PEER_JOBS: [PeerJob; 3] = [
    PeerJob {
        name: "mlp-small-b32",
        shape: "2-16-16-2 tanh",
        widths: &[2, 16, 16, 2],
        activation: Activation::Tanh,
        batch: 32,
        train_rows: 1000,
    },
    PeerJob {
        name: "mlp-small-full",
        shape: "2-16-16-2 tanh",
        widths: &[2, 16, 16, 2],
        activation: Activation::Tanh,
        batch: 1000,
        train_rows: 1000,
    },
    PeerJob {
        name: "mlp-big-b256",
        shape: "64-256-256-10 relu",
        widths: &[64, 256, 256, 10],
        activation: Activation::Relu,
        batch: 256,
        train_rows: 1348,
    },
];

/// The job named `name`.
pub fn peer_job(name: &str) -> Result<PeerJob> {
    PEER_JOBS
        .iter()
        .copied()
        .find(|j| j.name == name)
        .ok_or_else(|| {
            let mlps = PEER_JOBS.iter().map(|j| j.name);
            let presets = super::PRESET_JOBS.iter().map(|j| j.name);
            let matmuls = ["matmul-256", "matmul-1024"].into_iter();
            let names: Vec<&str> = mlps.chain(presets).chain(matmuls).collect();
            Error::Config(format!(
                "no benchmark job named '{name}' (jobs: {})",
                names.join(", ")
            ))
        })
}

/// The experiment that runs `job`: the 2-input jobs on the spiral (x1, x2 only, 2,000
/// points split in half), the 64-input job on the 8x8 digits (a quarter held out).
pub fn peer_config(job: &PeerJob) -> ExperimentConfig {
    let hidden = job.widths[1..job.widths.len() - 1].to_vec();
    let (data, samples, test_fraction) = if job.widths[0] == 2 {
        (DataSource::Classify2d(Pattern2d::Spiral), 2000, 0.5)
    } else {
        (DataSource::Real(RealSet::Digits), 0, 0.25)
    };
    let defaults = ExperimentConfig::default();
    ExperimentConfig {
        data,
        samples: if samples > 0 {
            samples
        } else {
            defaults.samples
        },
        noise: 0.0,
        test_fraction,
        features: FeatureSet::default(),
        standardize: job.widths[0] != 2,
        activations: vec![job.activation; hidden.len()],
        hidden,
        model: None,
        loss: LossKind::CrossEntropy,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Adam,
            lr: 0.001,
            weight_decay: 0.0,
            ..OptimizerConfig::default()
        },
        batch_size: job.batch,
        budget: Budget::Steps(1_000_000),
        ..defaults
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{model, prepare};

    /// Each job's config builds the network and the training split the job names (the
    /// PyTorch and TensorFlow.js sides build theirs from the same table).
    #[test]
    fn each_job_config_has_the_jobs_shapes() {
        for job in PEER_JOBS {
            let c = peer_config(&job);
            crate::experiment::validate(&c).expect("valid config");
            let shapes = model::param_shapes(&c);
            let weights: Vec<Vec<usize>> = shapes
                .iter()
                .filter(|(name, _)| name.ends_with("weight"))
                .map(|(_, d)| d.clone())
                .collect();
            let want: Vec<Vec<usize>> = job.widths.windows(2).map(|w| vec![w[1], w[0]]).collect();
            assert_eq!(weights, want, "{}", job.name);
            let data = prepare(&c).expect("data");
            assert_eq!(data.train.n, job.train_rows, "{}", job.name);
            assert!(job.batch <= job.train_rows);
        }
        assert!(peer_job("nope").is_err());
    }
}
