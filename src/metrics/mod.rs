//! Evaluation metrics on plain slices.
//!
//! Classification metrics take predicted and true class indices (`&[usize]`); regression
//! metrics take predictions and targets (`&[f32]`). Every sum is accumulated in f64, in
//! slice order, so results are identical on wasm32 and native. Pairs are formed with
//! `zip`: if the two slices differ in length the extra tail of the longer one is ignored.
//! Ratios whose denominator is zero (an empty input, a class never predicted) are
//! defined as 0, as scikit-learn does with `zero_division=0`; `r2` has its own rule.

mod classification;
mod regression;
mod threshold;

pub use classification::{
    accuracy, argmax_rows, confusion_matrix, f1, macro_f1, macro_precision, macro_recall,
    per_class, precision, recall, Averaging, ClassScores, ClassificationReport,
};
pub use regression::{mae, mse, r2, RegressionReport};
pub use threshold::{BinaryScores, DEFAULT_THRESHOLD};

/// `num / den`, or 0 when `den` is 0.
fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}
