//! An evaluation split in two, so its values can come back in the same readback as the
//! plots': [`PendingEvaluation`] holds what the device computed; the test metrics are
//! worked out on the host from the values.

use super::history::Metrics;
use super::prepare::PreparedData;
use crate::metrics::{argmax_rows, ClassificationReport, RegressionReport};
use crate::tensor::Tensor;

/// The tensors of one evaluation, recorded but not read: the train loss, the test loss,
/// the test outputs and the health status.
pub struct PendingEvaluation(pub(super) [Tensor; 4]);

impl PendingEvaluation {
    /// The tensors to read, in the order [`super::Runner::evaluation_finish`] takes
    /// their values.
    pub fn tensors(&self) -> Vec<&Tensor> {
        self.0.iter().collect()
    }
}

/// Test-set metrics from the model's raw outputs on the first `rows` test rows:
/// accuracy, precision,
/// recall, F1 and the confusion matrix for classification; MSE, MAE and R^2 in the
/// targets' original units for regression.
pub(super) fn test_metrics(data: &PreparedData, out: &[f32], rows: usize) -> Metrics {
    let test = &data.test;
    if test.is_classification() {
        let classes = test.num_classes();
        let pred = argmax_rows(out, rows, classes);
        let r = ClassificationReport::compute(&pred, &test.labels()[..rows], classes);
        Metrics {
            accuracy: Some(r.accuracy),
            precision: Some(r.precision),
            recall: Some(r.recall),
            f1: Some(r.f1),
            confusion: Some(r.confusion),
            ..Metrics::default()
        }
    } else {
        let (mut pred, mut truth) = (out.to_vec(), test.y[..rows * test.targets].to_vec());
        if let Some(s) = &data.y_scaler {
            s.invert(&mut pred);
            s.invert(&mut truth);
        }
        let r = RegressionReport::compute(&pred, &truth);
        Metrics {
            mse: Some(r.mse),
            mae: Some(r.mae),
            r2: Some(r.r2),
            ..Metrics::default()
        }
    }
}
