//! The link spelling of every enum value. Exhaustive matches: a new variant does not
//! compile until it has a name here. Like keys, these names are never changed.

use crate::data::{Pattern2d, RealSet, Regression1d};
use crate::experiment::{BackendChoice, DataSource, LossKind};
use crate::nn::Activation;
use crate::optim::OptimizerKind;

/// The link name of a data source (exhaustive: a new source must be named here).
pub(super) fn data_name(d: DataSource) -> &'static str {
    match d {
        DataSource::Classify2d(p) => match p {
            Pattern2d::Circle => "circle",
            Pattern2d::Xor => "xor",
            Pattern2d::Gauss => "gauss",
            Pattern2d::Spiral => "spiral",
            Pattern2d::Moons => "moons",
        },
        DataSource::Regression1d(r) => match r {
            Regression1d::Linear => "linear",
            Regression1d::Sine => "sine",
        },
        DataSource::Real(s) => match s {
            RealSet::Digits => "digits",
            RealSet::Iris => "iris",
            RealSet::BreastCancer => "breast-cancer",
            RealSet::Wine => "wine",
            RealSet::Diabetes => "diabetes",
        },
    }
}

/// Every data source.
pub(super) fn all_data() -> Vec<DataSource> {
    let mut all: Vec<DataSource> = Pattern2d::ALL.map(DataSource::Classify2d).to_vec();
    all.extend(Regression1d::ALL.map(DataSource::Regression1d));
    all.extend(RealSet::ALL.map(DataSource::Real));
    all
}

/// The link name of an activation.
pub(super) fn act_name(a: Activation) -> &'static str {
    match a {
        Activation::Linear => "linear",
        Activation::Relu => "relu",
        Activation::Tanh => "tanh",
        Activation::Sigmoid => "sigmoid",
        Activation::Gelu => "gelu",
    }
}

/// The link name of a loss.
pub(super) fn loss_name(l: LossKind) -> &'static str {
    match l {
        LossKind::Mse => "mse",
        LossKind::Mae => "mae",
        LossKind::CrossEntropy => "cross-entropy",
    }
}

/// The link name of an optimizer.
pub(super) fn opt_name(k: OptimizerKind) -> &'static str {
    match k {
        OptimizerKind::Sgd => "sgd",
        OptimizerKind::Momentum => "momentum",
        OptimizerKind::Adam => "adam",
        OptimizerKind::AdamW => "adamw",
    }
}

/// The link name of a backend.
pub(super) fn backend_name(b: BackendChoice) -> &'static str {
    match b {
        BackendChoice::Cpu => "cpu",
        BackendChoice::Gpu => "gpu",
        BackendChoice::Auto => "auto",
    }
}

/// Every backend choice.
pub(super) const BACKENDS: [BackendChoice; 3] =
    [BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Auto];

/// The link names of the seven 2-D features, in [`FeatureSet::flags`] order.
pub(super) const FEATURE_NAMES: [&str; 7] = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];
