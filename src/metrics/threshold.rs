//! Two-class metrics at a chosen decision threshold: the test rows' scores kept from an
//! evaluation, so precision, recall, F1 and the confusion matrix can be worked out again
//! at any threshold without training or evaluating again.
//!
//! A row is called class 1 when its probability of class 1, `p = softmax(l)[1] =
//! sigmoid(l1 - l0)`, is above the threshold `t`. Since the sigmoid is increasing,
//! `p > t` exactly when `l1 - l0 > ln(t / (1 - t))`; comparing the log-odds `l1 - l0`
//! (not `p`, which rounds to 0.5 for a tiny margin) makes `t = 0.5` reproduce the
//! arg-max decision bit for bit: `ln(1) = 0`, and `l1 - l0 > 0` exactly when `l1 > l0`
//! (arg-max gives ties to class 0).

use super::classification::ClassificationReport;

/// The default decision threshold: the arg-max decision.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The scores of the rows of a two-class test set.
#[derive(Clone, Debug, PartialEq)]
pub struct BinaryScores {
    /// `l1 - l0` per row (the log-odds of class 1); `+inf` when only `l0` is NaN and
    /// `-inf` when `l1` is (arg-max never picks a NaN).
    pub log_odds: Vec<f64>,
    /// The true class per row (0 or 1).
    pub truth: Vec<usize>,
}

impl BinaryScores {
    /// The scores of `truth.len()` rows of two logits each (`logits` row-major
    /// `(rows, 2)`; rows past its end are left out).
    pub fn from_logits(logits: &[f32], truth: &[usize]) -> BinaryScores {
        let log_odds: Vec<f64> = logits
            .chunks_exact(2)
            .take(truth.len())
            .map(|row| match (row[0].is_nan(), row[1].is_nan()) {
                (_, true) => f64::NEG_INFINITY,
                (true, false) => f64::INFINITY,
                // f64 holds the difference of two f32 with its sign exact.
                (false, false) => row[1] as f64 - row[0] as f64,
            })
            .collect();
        let truth = truth[..log_odds.len()].to_vec();
        BinaryScores { log_odds, truth }
    }

    /// The probability of class 1 of each row.
    pub fn probabilities(&self) -> Vec<f64> {
        self.log_odds
            .iter()
            .map(|&d| 1.0 / (1.0 + (-d).exp()))
            .collect()
    }

    /// The class of each row at `threshold` (class 1 when its probability is above it;
    /// a threshold outside `[0, 1]` is taken as the nearer end).
    pub fn predict(&self, threshold: f64) -> Vec<usize> {
        let t = if threshold.is_nan() {
            DEFAULT_THRESHOLD
        } else {
            threshold.clamp(0.0, 1.0)
        };
        // ln(t / (1 - t)): -inf at 0 (every row is 1), +inf at 1 (none is).
        let cut = (t / (1.0 - t)).ln();
        self.log_odds
            .iter()
            .map(|&d| usize::from(d > cut || (t == 0.0 && d == f64::NEG_INFINITY)))
            .collect()
    }

    /// Accuracy, precision, recall and F1 of class 1, and the confusion matrix, at
    /// `threshold`.
    pub fn report(&self, threshold: f64) -> ClassificationReport {
        ClassificationReport::compute(&self.predict(threshold), &self.truth, 2)
    }
}
