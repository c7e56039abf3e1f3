//! What a run emits: one history point per evaluation.

use serde::Serialize;

/// Evaluation metrics on the test set; only those that apply to the task are set.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metrics {
    /// Fraction of correct predictions (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Precision of class 1 (two classes) or macro precision (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<f64>,
    /// Recall of class 1 (two classes) or macro recall (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<f64>,
    /// F1 of class 1 (two classes) or macro F1 (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f1: Option<f64>,
    /// Confusion matrix, rows = truth (classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confusion: Option<Vec<Vec<u32>>>,
    /// Mean squared error in the targets' original units (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mse: Option<f64>,
    /// Mean absolute error in original units (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mae: Option<f64>,
    /// Coefficient of determination (regression).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r2: Option<f64>,
    /// Validation loss in bits per token, `loss / ln 2` (language models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits_per_char: Option<f64>,
    /// Validation perplexity, `e^loss` (language models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perplexity: Option<f64>,
    /// Training loss in bits per token (language models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_bits_per_char: Option<f64>,
    /// Training perplexity (language models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub train_perplexity: Option<f64>,
}

/// Losses and metrics at one point of training.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryPoint {
    /// Optimizer steps taken.
    pub step: u64,
    /// Whole epochs completed.
    pub epoch: u32,
    /// Loss over the whole training set.
    pub train_loss: f64,
    /// Loss over the test set.
    pub test_loss: f64,
    /// Test-set metrics.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// The result of one evaluation (before it is stamped with a step).
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// Loss over the whole training set.
    pub train_loss: f64,
    /// Loss over the test set.
    pub test_loss: f64,
    /// Test-set metrics.
    pub metrics: Metrics,
    /// The test rows' class-1 scores of a two-class task (for metrics at another
    /// decision threshold); `None` for any other task.
    pub scores: Option<crate::metrics::BinaryScores>,
}

/// A named weight tensor read back to the host (PyTorch names and shapes).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedWeight {
    /// Parameter name (`0.weight`).
    pub name: String,
    /// Shape (`[out, in]` for a weight).
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}
