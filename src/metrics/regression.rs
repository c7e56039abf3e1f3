//! Regression metrics: mean squared error, mean absolute error, coefficient of
//! determination.

use super::ratio;
use serde::{Deserialize, Serialize};

/// Mean squared error `sum (p - t)^2 / n`; 0 for empty input.
pub fn mse(pred: &[f32], truth: &[f32]) -> f64 {
    let (sum, n) = pred
        .iter()
        .zip(truth)
        .fold((0.0f64, 0usize), |(s, n), (&p, &t)| {
            let d = p as f64 - t as f64;
            (s + d * d, n + 1)
        });
    ratio(sum, n as f64)
}

/// Mean absolute error `sum |p - t| / n`; 0 for empty input.
pub fn mae(pred: &[f32], truth: &[f32]) -> f64 {
    let (sum, n) = pred
        .iter()
        .zip(truth)
        .fold((0.0f64, 0usize), |(s, n), (&p, &t)| {
            ((s + (p as f64 - t as f64).abs()), n + 1)
        });
    ratio(sum, n as f64)
}

/// Coefficient of determination `R^2 = 1 - SS_res / SS_tot`, with
/// `SS_res = sum (t - p)^2` and `SS_tot = sum (t - mean(t))^2`.
///
/// When the targets are constant (`SS_tot = 0`) the ratio is undefined; like
/// scikit-learn's `r2_score` (with `force_finite`), the result is 1 for a perfect
/// prediction (`SS_res = 0`) and 0 otherwise. Empty input gives 0.
pub fn r2(pred: &[f32], truth: &[f32]) -> f64 {
    let n = pred.len().min(truth.len());
    if n == 0 {
        return 0.0;
    }
    let truth = &truth[..n];
    let mean = truth.iter().map(|&t| t as f64).sum::<f64>() / n as f64;
    let sq = |d: f64| d * d;
    let ss_tot: f64 = truth.iter().map(|&t| sq(t as f64 - mean)).sum();
    let ss_res: f64 = pred
        .iter()
        .zip(truth)
        .map(|(&p, &t)| sq(t as f64 - p as f64))
        .sum();
    if ss_tot == 0.0 {
        if ss_res == 0.0 {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - ss_res / ss_tot
    }
}

/// The three regression metrics of one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressionReport {
    /// See [`mse`].
    pub mse: f64,
    /// See [`mae`].
    pub mae: f64,
    /// See [`r2`].
    pub r2: f64,
}

impl RegressionReport {
    /// Computes all three metrics.
    pub fn compute(pred: &[f32], truth: &[f32]) -> RegressionReport {
        RegressionReport {
            mse: mse(pred, truth),
            mae: mae(pred, truth),
            r2: r2(pred, truth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn sklearn_documented_example() {
        // scikit-learn's docs use y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8].
        // Residuals 0.5, -0.5, 0, -1: MSE = (0.25 + 0.25 + 0 + 1) / 4 = 0.375,
        // MAE = (0.5 + 0.5 + 0 + 1) / 4 = 0.5. mean(t) = 11.5 / 4 = 2.875,
        // SS_tot = 0.125^2 + 3.375^2 + 0.875^2 + 4.125^2 = 29.1875, so
        // R^2 = 1 - 1.5 / 29.1875 = 0.94860...
        let t = [3.0, -0.5, 2.0, 7.0];
        let p = [2.5, 0.0, 2.0, 8.0];
        assert!((mse(&p, &t) - 0.375).abs() < 1e-12);
        assert!((mae(&p, &t) - 0.5).abs() < 1e-12);
        assert!((r2(&p, &t) - (1.0 - 1.5 / 29.1875)).abs() < 1e-12);
    }

    #[test]
    fn constant_targets_and_empty_input() {
        assert_eq!(r2(&[-2.0; 3], &[-2.0; 3]), 1.0);
        assert_eq!(r2(&[-2.0, -2.0, -1.5], &[-2.0; 3]), 0.0);
        assert_eq!(
            (mse(&[], &[]), mae(&[], &[]), r2(&[], &[])),
            (0.0, 0.0, 0.0)
        );
        // Predicting the mean gives R^2 = 0; a perfect fit gives 1.
        let t = [1.0, 2.0, 6.0];
        assert!(r2(&[3.0; 3], &t).abs() < 1e-12);
        assert_eq!(r2(&t, &t), 1.0);
    }

    #[test]
    fn agree_with_brute_force_on_random_data() {
        let mut rng = Rng::new(4);
        for _ in 0..20 {
            let n = 1 + rng.below(50);
            let t: Vec<f32> = (0..n).map(|_| rng.normal() * 3.0).collect();
            let p: Vec<f32> = (0..n).map(|_| rng.normal() * 3.0).collect();
            // R^2 via the identity R^2 = 1 - n MSE / (n var(t)).
            let mut ss_res = 0.0;
            let mut abs = 0.0;
            for i in 0..n {
                let d = p[i] as f64 - t[i] as f64;
                ss_res += d * d;
                abs += d.abs();
            }
            let m: f64 = t.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
            let var: f64 = t.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n as f64;
            let rep = RegressionReport::compute(&p, &t);
            assert!((rep.mse - ss_res / n as f64).abs() < 1e-9);
            assert!((rep.mae - abs / n as f64).abs() < 1e-9);
            if n > 1 {
                assert!((rep.r2 - (1.0 - (ss_res / n as f64) / var)).abs() < 1e-9);
            }
        }
    }
}
