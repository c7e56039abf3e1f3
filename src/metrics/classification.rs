//! Classification metrics: accuracy, confusion matrix, precision / recall / F1 (binary and
//! macro-averaged) and arg-max decoding of logits.
//!
//! For one class `c` treated as "positive": `TP` = predicted c and truly c, `FP` =
//! predicted c but not truly c, `FN` = truly c but predicted otherwise. Then
//! `precision = TP / (TP + FP)`, `recall = TP / (TP + FN)` and
//! `F1 = 2 TP / (2 TP + FP + FN)` (the harmonic mean of precision and recall), each 0 when
//! its denominator is 0.

use super::ratio;
use serde::{Deserialize, Serialize};

/// Fraction of positions where `pred == truth`; 0 for empty input.
pub fn accuracy(pred: &[usize], truth: &[usize]) -> f64 {
    let (hits, n) = pred
        .iter()
        .zip(truth)
        .fold((0u64, 0u64), |(h, n), (p, t)| (h + (p == t) as u64, n + 1));
    ratio(hits as f64, n as f64)
}

/// `classes x classes` counts: `m[t][p]` = how many rows of true class `t` were
/// predicted as `p` (rows = truth, columns = prediction, as scikit-learn). Pairs with a
/// label `>= classes` are not counted.
pub fn confusion_matrix(pred: &[usize], truth: &[usize], classes: usize) -> Vec<Vec<u32>> {
    let mut m = vec![vec![0u32; classes]; classes];
    for (&p, &t) in pred.iter().zip(truth) {
        if p < classes && t < classes {
            m[t][p] += 1;
        }
    }
    m
}

/// One class's one-vs-rest scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// `TP / (TP + FP)`.
    pub precision: f64,
    /// `TP / (TP + FN)`.
    pub recall: f64,
    /// `2 TP / (2 TP + FP + FN)`.
    pub f1: f64,
    /// Number of rows truly of this class (`TP + FN`).
    pub support: u64,
    /// Number of rows predicted as this class (`TP + FP`).
    pub predicted: u64,
}

/// Per-class scores read off a square confusion matrix (rows = truth).
pub fn per_class(confusion: &[Vec<u32>]) -> Vec<ClassScores> {
    let k = confusion.len();
    (0..k)
        .map(|c| {
            let tp = confusion[c].get(c).copied().unwrap_or(0) as u64;
            let support: u64 = confusion[c].iter().map(|&v| v as u64).sum();
            let predicted: u64 = confusion
                .iter()
                .map(|row| row.get(c).copied().unwrap_or(0) as u64)
                .sum();
            let (fp, fn_) = (predicted - tp, support - tp);
            ClassScores {
                precision: ratio(tp as f64, predicted as f64),
                recall: ratio(tp as f64, support as f64),
                f1: ratio(2.0 * tp as f64, (2 * tp + fp + fn_) as f64),
                support,
                predicted,
            }
        })
        .collect()
}

/// Binary counts (TP, FP, FN) with class 1 positive and every other label negative.
fn binary_counts(pred: &[usize], truth: &[usize]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for (&p, &t) in pred.iter().zip(truth) {
        match (p == 1, t == 1) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fn_ += 1,
            (false, false) => {}
        }
    }
    (tp as f64, fp as f64, fn_ as f64)
}

/// Binary precision, positive class 1: `TP / (TP + FP)`, 0 if nothing is predicted 1.
pub fn precision(pred: &[usize], truth: &[usize]) -> f64 {
    let (tp, fp, _) = binary_counts(pred, truth);
    ratio(tp, tp + fp)
}

/// Binary recall, positive class 1: `TP / (TP + FN)`, 0 if no row is truly 1.
pub fn recall(pred: &[usize], truth: &[usize]) -> f64 {
    let (tp, _, fn_) = binary_counts(pred, truth);
    ratio(tp, tp + fn_)
}

/// Binary F1, positive class 1: `2 TP / (2 TP + FP + FN)`, 0 when that is 0/0.
pub fn f1(pred: &[usize], truth: &[usize]) -> f64 {
    let (tp, fp, fn_) = binary_counts(pred, truth);
    ratio(2.0 * tp, 2.0 * tp + fp + fn_)
}

/// Unweighted mean of `score` over the classes in `0..classes` that occur in `truth` or
/// in `pred` (scikit-learn's `average="macro"`, whose default label set is the labels
/// present); 0 if none occur.
fn macro_average(
    pred: &[usize],
    truth: &[usize],
    classes: usize,
    score: fn(&ClassScores) -> f64,
) -> f64 {
    let scores = per_class(&confusion_matrix(pred, truth, classes));
    let present: Vec<&ClassScores> = scores
        .iter()
        .filter(|s| s.support + s.predicted > 0)
        .collect();
    let sum: f64 = present.iter().map(|s| score(s)).sum();
    ratio(sum, present.len() as f64)
}

/// Macro-averaged precision over classes `0..classes` that occur in
/// `truth` or `pred` (scikit-learn's default label set); 0 if none occur.
pub fn macro_precision(pred: &[usize], truth: &[usize], classes: usize) -> f64 {
    macro_average(pred, truth, classes, |s| s.precision)
}

/// Macro-averaged recall over classes `0..classes`.
pub fn macro_recall(pred: &[usize], truth: &[usize], classes: usize) -> f64 {
    macro_average(pred, truth, classes, |s| s.recall)
}

/// Macro-averaged F1: the mean of per-class F1 (not the F1 of macro precision and recall).
pub fn macro_f1(pred: &[usize], truth: &[usize], classes: usize) -> f64 {
    macro_average(pred, truth, classes, |s| s.f1)
}

/// How [`ClassificationReport`] averaged precision, recall and F1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Averaging {
    /// Two classes: scores of class 1 as the positive class.
    Binary,
    /// Any other number of classes: macro averages.
    Macro,
}

/// Everything a classification evaluation shows, computed in one call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassificationReport {
    /// See [`accuracy`].
    pub accuracy: f64,
    /// Binary precision of class 1 when `classes == 2`, else macro precision.
    pub precision: f64,
    /// Binary recall of class 1 when `classes == 2`, else macro recall.
    pub recall: f64,
    /// Binary F1 of class 1 when `classes == 2`, else macro F1.
    pub f1: f64,
    /// See [`confusion_matrix`] (rows = truth).
    pub confusion: Vec<Vec<u32>>,
    /// Which averaging produced `precision`, `recall` and `f1`.
    pub averaging: Averaging,
}

impl ClassificationReport {
    /// Evaluates `pred` against `truth` for a `classes`-way problem.
    pub fn compute(pred: &[usize], truth: &[usize], classes: usize) -> ClassificationReport {
        let confusion = confusion_matrix(pred, truth, classes);
        let (precision, recall, f1, averaging) = if classes == 2 {
            let (p, r, f) = (precision(pred, truth), recall(pred, truth), f1(pred, truth));
            (p, r, f, Averaging::Binary)
        } else {
            let p = macro_precision(pred, truth, classes);
            let r = macro_recall(pred, truth, classes);
            let f = macro_f1(pred, truth, classes);
            (p, r, f, Averaging::Macro)
        };
        ClassificationReport {
            accuracy: accuracy(pred, truth),
            precision,
            recall,
            f1,
            confusion,
            averaging,
        }
    }
}

/// Index of the largest value in each row of `logits` `(n, classes)` row-major. Ties go
/// to the lowest index; NaN is never chosen over a number (a row of only NaN gives 0).
/// Returns `min(n, logits.len() / classes)` entries (`n` zeros when `classes == 0`).
pub fn argmax_rows(logits: &[f32], n: usize, classes: usize) -> Vec<usize> {
    if classes == 0 {
        return vec![0; n];
    }
    logits
        .chunks_exact(classes)
        .take(n)
        .map(|row| {
            let mut best: Option<(usize, f32)> = None;
            for (j, &v) in row.iter().enumerate() {
                // Strictly greater keeps the first of equal values; NaN compares false.
                if !v.is_nan() && best.is_none_or(|(_, b)| v > b) {
                    best = Some((j, v));
                }
            }
            best.map_or(0, |(j, _)| j)
        })
        .collect()
}

#[cfg(test)]
#[path = "classification_tests.rs"]
mod tests;
