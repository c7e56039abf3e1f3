//! Tests of the classification metrics: scikit-learn's documented examples worked out by
//! hand, and brute-force recomputation on random labels.

use super::*;
use crate::rng::Rng;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn accuracy_sklearn_example() {
    // accuracy_score docs: y_pred = [0, 2, 1, 3], y_true = [0, 1, 2, 3]: 2 of 4 match.
    assert!(close(accuracy(&[0, 2, 1, 3], &[0, 1, 2, 3]), 0.5));
    assert_eq!(accuracy(&[], &[]), 0.0);
}

#[test]
fn confusion_sklearn_examples() {
    // confusion_matrix docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2].
    // Truth 0 (rows 1, 4): predicted 0, 0. Truth 1 (row 5): predicted 2.
    // Truth 2 (rows 0, 2, 3): predicted 0, 2, 2.
    let m = confusion_matrix(&[0, 0, 2, 2, 0, 2], &[2, 0, 2, 2, 0, 1], 3);
    assert_eq!(m, vec![vec![2, 0, 0], vec![0, 0, 1], vec![1, 0, 2]]);
    // Binary docs example: confusion_matrix([0, 1, 0, 1], [1, 1, 1, 0]).ravel() gives
    // tn, fp, fn, tp = 0, 2, 1, 1.
    let (truth, pred) = ([0, 1, 0, 1], [1, 1, 1, 0]);
    assert_eq!(
        confusion_matrix(&pred, &truth, 2),
        vec![vec![0, 2], vec![1, 1]]
    );
    // So precision = 1 / (1 + 2), recall = 1 / (1 + 1), F1 = 2 / (2 + 2 + 1).
    assert!(close(precision(&pred, &truth), 1.0 / 3.0));
    assert!(close(recall(&pred, &truth), 0.5));
    assert!(close(f1(&pred, &truth), 0.4));
    // Labels outside 0..classes are skipped.
    assert_eq!(
        confusion_matrix(&[5, 0], &[0, 0], 2),
        vec![vec![1, 0], vec![0, 0]]
    );
}

#[test]
fn macro_sklearn_example() {
    // precision_score / recall_score / f1_score docs: y_true = [0, 1, 2, 0, 1, 2],
    // y_pred = [0, 2, 1, 0, 0, 1].
    // Class 0: predicted at 0, 3, 4 (true 0, 0, 1): P = 2/3; true at 0, 3: R = 1;
    //   F1 = 2*2 / (2*2 + 1 + 0) = 0.8.
    // Class 1: predicted at 2, 5 (true 2, 2): P = 0; R = 0; F1 = 0. Class 2: likewise 0.
    // Macro: P = 2/9 = 0.22, R = 1/3 = 0.33, F1 = 0.8/3 = 0.27 (the documented values).
    let (truth, pred) = ([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1]);
    assert!(close(macro_precision(&pred, &truth, 3), 2.0 / 9.0));
    assert!(close(macro_recall(&pred, &truth, 3), 1.0 / 3.0));
    assert!(close(macro_f1(&pred, &truth, 3), 0.8 / 3.0));
    let rep = ClassificationReport::compute(&pred, &truth, 3);
    assert_eq!(rep.averaging, Averaging::Macro);
    assert!(close(rep.accuracy, 2.0 / 6.0));
    assert!(close(rep.f1, 0.8 / 3.0));
}

#[test]
fn zero_denominators_are_zero() {
    // Nothing predicted positive and nothing truly positive.
    let z = [0, 0, 0];
    assert_eq!(
        (precision(&z, &z), recall(&z, &z), f1(&z, &z)),
        (0.0, 0.0, 0.0)
    );
    // A class absent from both truth and prediction is left out of the macro mean:
    // with classes = 4 but only 0 and 1 present and all correct, every score is 1.
    let l = [0, 1, 1, 0];
    assert_eq!(macro_precision(&l, &l, 4), 1.0);
    assert_eq!(macro_f1(&[], &[], 3), 0.0);
}

/// Brute force: for class c, count TP/FP/FN by scanning the pairs directly.
fn brute(pred: &[usize], truth: &[usize], c: usize) -> (f64, f64, f64) {
    let mut tp = 0.0;
    let mut fp = 0.0;
    let mut fn_ = 0.0;
    for i in 0..pred.len() {
        if pred[i] == c && truth[i] == c {
            tp += 1.0;
        }
        if pred[i] == c && truth[i] != c {
            fp += 1.0;
        }
        if pred[i] != c && truth[i] == c {
            fn_ += 1.0;
        }
    }
    let div = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
    let (p, r) = (div(tp, tp + fp), div(tp, tp + fn_));
    // Harmonic mean written the textbook way.
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

#[test]
fn agree_with_brute_force_on_random_labels() {
    let mut rng = Rng::new(21);
    for _ in 0..200 {
        let classes = 2 + rng.below(5);
        let n = rng.below(60);
        let truth: Vec<usize> = (0..n).map(|_| rng.below(classes)).collect();
        let pred: Vec<usize> = (0..n).map(|_| rng.below(classes)).collect();
        let m = confusion_matrix(&pred, &truth, classes);
        for (t, row) in m.iter().enumerate() {
            for (p, &got) in row.iter().enumerate() {
                let cnt = (0..n).filter(|&i| truth[i] == t && pred[i] == p).count();
                assert_eq!(got as usize, cnt);
            }
        }
        let hits = (0..n).filter(|&i| pred[i] == truth[i]).count();
        let acc = if n == 0 { 0.0 } else { hits as f64 / n as f64 };
        assert!(close(accuracy(&pred, &truth), acc));
        let present: Vec<usize> = (0..classes)
            .filter(|c| truth.contains(c) || pred.contains(c))
            .collect();
        let mean = |k: usize| {
            let s: f64 = present
                .iter()
                .map(|&c| {
                    let b = brute(&pred, &truth, c);
                    [b.0, b.1, b.2][k]
                })
                .sum();
            if present.is_empty() {
                0.0
            } else {
                s / present.len() as f64
            }
        };
        let rep = ClassificationReport::compute(&pred, &truth, classes);
        if classes == 2 {
            let (p, r, f) = brute(&pred, &truth, 1);
            assert_eq!(rep.averaging, Averaging::Binary);
            assert!(close(rep.precision, p) && close(rep.recall, r) && close(rep.f1, f));
        } else {
            assert!(close(rep.precision, mean(0)));
            assert!(close(rep.recall, mean(1)));
            assert!(close(rep.f1, mean(2)));
        }
        assert!(close(macro_f1(&pred, &truth, classes), mean(2)));
        assert_eq!(rep.confusion, m);
    }
}

#[test]
fn argmax_ties_nan_and_shapes() {
    let inf = f32::INFINITY;
    let nan = f32::NAN;
    let logits = [
        1.0, 3.0, 3.0, // tie: lowest index
        nan, -1.0, -2.0, // NaN skipped
        nan, nan, nan, // all NaN: 0
        -inf, nan, -inf, // -inf is a number, first one wins
        0.0, -0.0, 0.0, // 0 == -0: first
    ];
    assert_eq!(argmax_rows(&logits, 5, 3), vec![1, 1, 0, 0, 0]);
    assert_eq!(argmax_rows(&logits, 2, 3), vec![1, 1]);
    assert_eq!(argmax_rows(&logits[..4], 5, 3), vec![1]);
    assert_eq!(argmax_rows(&[], 3, 0), vec![0, 0, 0]);
    // Random rows against a brute-force scan for the maximum value.
    let mut rng = Rng::new(2);
    let (n, k) = (100, 4);
    let x: Vec<f32> = (0..n * k).map(|_| rng.below(5) as f32).collect();
    let got = argmax_rows(&x, n, k);
    for i in 0..n {
        let row = &x[i * k..(i + 1) * k];
        let max = row.iter().cloned().fold(f32::MIN, f32::max);
        assert_eq!(got[i], row.iter().position(|&v| v == max).unwrap());
    }
}
