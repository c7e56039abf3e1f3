//! Turning a configuration into train and test tables: generate or load, map 2-D
//! features, split with the seed, standardise with train-set statistics (per column, or
//! one mean and std over every pixel for MNIST, see [`DataSource::standardizes_as_one`]).

use super::{DataSource, ExperimentConfig};
use crate::data::{
    generate_1d, generate_2d, generate_2d_regression, load_real, map_features, train_test_split,
    Dataset, FeatureSet, Standardizer,
};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// Independent random streams derived from the experiment seed, one per purpose, so
/// that changing (say) the batch size never changes the data or the initial weights.
pub mod streams {
    /// Data generation.
    pub const DATA: u64 = 1;
    /// Train/test split.
    pub const SPLIT: u64 = 2;
    /// Initial weights.
    pub const INIT: u64 = 3;
    /// Mini-batch order.
    pub const BATCHES: u64 = 4;
    /// Dropout masks (one seed per step, derived from this stream's first draw).
    pub const DROPOUT: u64 = 5;
}

/// Train and test tables after preprocessing, with the statistics used.
#[derive(Clone, Debug)]
pub struct PreparedData {
    /// Training rows (model inputs after feature mapping and standardisation).
    pub train: Dataset,
    /// Test rows, preprocessed with the training statistics.
    pub test: Dataset,
    /// Input standardisation, when enabled.
    pub x_scaler: Option<Standardizer>,
    /// Target standardisation (regression with standardisation only).
    pub y_scaler: Option<Standardizer>,
}

/// Apply the 2-D feature map to a generated set.
fn with_features(mut ds: Dataset, set: &FeatureSet) -> Dataset {
    ds.x = map_features(&ds.x, set);
    ds.features = set.count();
    ds.input_shape = vec![ds.features];
    ds.feature_names = set.names();
    ds
}

/// Build the data a configuration asks for. Deterministic in `config.seed`.
pub fn prepare(config: &ExperimentConfig) -> Result<PreparedData> {
    if let Some(set) = config.data.text() {
        return super::runner_text::prepare_text(config, set);
    }
    if config.data == DataSource::Dates {
        return super::runner_seq2seq::prepare_dates(config);
    }
    let seed = config.seed;
    let mut data_rng = Rng::derive(seed, streams::DATA);
    let ds = match config.data {
        DataSource::Classify2d(p) => with_features(
            generate_2d(p, config.samples, config.noise, &mut data_rng),
            &config.features,
        ),
        DataSource::Regression1d(r) => generate_1d(r, config.samples, config.noise, &mut data_rng),
        DataSource::Regression2d(r) => with_features(
            generate_2d_regression(r, config.samples, config.noise, &mut data_rng),
            &config.features,
        ),
        DataSource::Real(set) => load_real(set).map_err(|e| Error::Data(e.to_string()))?,
        DataSource::Text(_) | DataSource::Dates => unreachable!("token sources returned above"),
    };
    let (mut train, mut test) = train_test_split(
        &ds,
        config.test_fraction,
        &mut Rng::derive(seed, streams::SPLIT),
    );
    if train.n == 0 || test.n == 0 {
        return Err(Error::Config(format!(
            "test_fraction {} leaves {} training and {} test rows; both need at least one",
            config.test_fraction, train.n, test.n
        )));
    }
    let (mut x_scaler, mut y_scaler) = (None, None);
    if config.standardize {
        // One column of every value (a one-dimensional standardizer applies to each value
        // alike), or one statistic per column.
        let s = if config.data.standardizes_as_one() {
            Standardizer::fit(&train.x, train.x.len(), 1)
        } else {
            Standardizer::fit(&train.x, train.n, train.features)
        };
        s.apply(&mut train.x);
        s.apply(&mut test.x);
        x_scaler = Some(s);
        if !train.is_classification() {
            let s = Standardizer::fit(&train.y, train.n, train.targets);
            s.apply(&mut train.y);
            s.apply(&mut test.y);
            y_scaler = Some(s);
        }
    }
    Ok(PreparedData {
        train,
        test,
        x_scaler,
        y_scaler,
    })
}
