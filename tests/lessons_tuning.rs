//! The tuning controls of lessons 8 and 9.
//!
//! The decision threshold: precision, recall, F1 and the confusion matrix worked out
//! again at a threshold from kept test scores, checked against confusion matrices
//! counted by hand from known probabilities, against a direct `p > t` count in f64, and
//! at the default 0.5 against the metrics the runner reports (which decide by arg-max).
//!
//! The dropout control: dropout layers go in after the hidden activations and come out
//! again, giving back the same experiment.

use gradlab::experiment::dropout::{dropout_applies, dropout_of, with_dropout};
use gradlab::experiment::{decode_link, validate, ExperimentConfig, Runner};
use gradlab::metrics::{BinaryScores, DEFAULT_THRESHOLD};
use gradlab::nn::{stack_text, Activation};
use gradlab::platform::block_on;
use gradlab::Device;

/// Probabilities of class 1 and the true classes of eight rows.
const P: [f64; 8] = [0.9, 0.8, 0.6, 0.45, 0.3, 0.2, 0.55, 0.1];
const TRUTH: [usize; 8] = [1, 1, 0, 1, 0, 0, 1, 0];

/// Two logits per row whose softmax gives `p` for class 1: `(0, ln(p / (1 - p)))`.
fn logits(p: &[f64]) -> Vec<f32> {
    p.iter()
        .flat_map(|&p| [0.0, (p / (1.0 - p)).ln() as f32])
        .collect()
}

#[test]
fn metrics_at_a_threshold_match_hand_counted_confusion_matrices() {
    let s = BinaryScores::from_logits(&logits(&P), &TRUTH);
    for (p, q) in s.probabilities().iter().zip(P) {
        assert!((p - q).abs() < 1e-6, "{p} vs {q}");
    }
    // (threshold, confusion [truth][prediction], accuracy, precision, recall, F1),
    // counted by hand from P and TRUTH above.
    let cases = [
        // Called 1: rows 0, 1, 2, 6. TP 3 (0, 1, 6), FP 1 (2), FN 1 (3), TN 3.
        (
            0.5,
            [[3, 1], [1, 3]],
            6.0 / 8.0,
            3.0 / 4.0,
            3.0 / 4.0,
            3.0 / 4.0,
        ),
        // Row 3 (0.45) joins: TP 4, FP 1, FN 0, TN 3.
        (0.4, [[3, 1], [0, 4]], 7.0 / 8.0, 4.0 / 5.0, 1.0, 8.0 / 9.0),
        // Called 1: rows 0, 1 only. TP 2, FP 0, FN 2 (3, 6), TN 4.
        (0.7, [[4, 0], [2, 2]], 6.0 / 8.0, 1.0, 2.0 / 4.0, 4.0 / 6.0),
        // Every row called 1: TP 4, FP 4.
        (
            0.05,
            [[0, 4], [0, 4]],
            4.0 / 8.0,
            4.0 / 8.0,
            1.0,
            8.0 / 12.0,
        ),
    ];
    for (t, confusion, accuracy, precision, recall, f1) in cases {
        let r = s.report(t);
        let want: Vec<Vec<u32>> = confusion.iter().map(|row| row.to_vec()).collect();
        assert_eq!(r.confusion, want, "threshold {t}");
        for (name, got, want) in [
            ("accuracy", r.accuracy, accuracy),
            ("precision", r.precision, precision),
            ("recall", r.recall, recall),
            ("f1", r.f1, f1),
        ] {
            assert!(
                (got - want).abs() < 1e-12,
                "threshold {t}: {name} {got} vs {want}"
            );
        }
    }
}

#[test]
fn prediction_is_probability_above_threshold() {
    // Logits with both entries non-zero, probabilities from an f64 softmax.
    let raw: Vec<f32> = (0..40)
        .map(|i| ((i * 37 % 23) as f32 - 11.0) / 3.0)
        .collect();
    let truth: Vec<usize> = (0..20).map(|i| i % 2).collect();
    let s = BinaryScores::from_logits(&raw, &truth);
    for t in [0.1, 0.25, 0.5, 0.62, 0.9] {
        let want: Vec<usize> = raw
            .chunks(2)
            .map(|l| {
                let (a, b) = (f64::from(l[0]), f64::from(l[1]));
                let p1 = b.exp() / (a.exp() + b.exp());
                usize::from(p1 > t)
            })
            .collect();
        assert_eq!(s.predict(t), want, "threshold {t}");
    }
}

#[test]
fn default_threshold_reproduces_the_runners_metrics() {
    let link = "#v=1&data=breast-cancer&samples=500&noise=0&test=0.25&feat=x1,x2&std=true&hidden=4&act=relu&loss=cross-entropy&opt=adam&lr=0.001&momentum=0.9&nesterov=false&beta1=0.9&beta2=0.999&eps=1e-8&wd=0&l1=0&l2=0&clip=none&batch=32&budget=epochs:2&eval=0&seed=3&backend=cpu";
    let config = decode_link(link).expect("link").replay_config();
    let mut runner = Runner::new(config, Device::Cpu).expect("runner");
    assert!(runner.last_scores().is_none());
    let last = block_on(runner.run(|_, _| {})).expect("training");
    let scores = runner.last_scores().expect("two-class scores");
    assert_eq!(
        scores.truth.len(),
        last.metrics
            .confusion
            .as_ref()
            .map_or(0, |c| { c.iter().flatten().map(|&v| v as usize).sum() })
    );
    let r = scores.report(DEFAULT_THRESHOLD);
    let m = &last.metrics;
    assert_eq!(Some(r.accuracy), m.accuracy);
    assert_eq!(Some(r.precision), m.precision);
    assert_eq!(Some(r.recall), m.recall);
    assert_eq!(Some(r.f1), m.f1);
    assert_eq!(Some(r.confusion), m.confusion);
    // Another threshold changes the decision for some rows (the scores are not all 0/1).
    let moved = [0.1, 0.3, 0.7, 0.9]
        .iter()
        .any(|&t| scores.predict(t) != scores.predict(DEFAULT_THRESHOLD));
    assert!(moved, "no threshold moves any row");
}

#[test]
fn threshold_ends_call_every_row_one_class() {
    let s = BinaryScores::from_logits(&[0.0, 3.0, 2.0, -1.0, 0.0, 0.0], &[1, 0, 1]);
    assert_eq!(s.predict(0.0), [1, 1, 1]);
    assert_eq!(s.predict(1.0), [0, 0, 0]);
    assert_eq!(
        s.predict(0.5),
        [1, 0, 0],
        "a tie goes to class 0, as arg-max"
    );
}

#[test]
fn dropout_goes_in_after_hidden_activations_and_comes_out_again() {
    let c = ExperimentConfig {
        hidden: vec![8, 4],
        activations: vec![Activation::Relu, Activation::Tanh],
        ..ExperimentConfig::default()
    };
    assert!(dropout_applies(&c));
    assert_eq!(dropout_of(&c), 0.0);
    assert!(with_dropout(&c, 0.0).is_none());
    let d = with_dropout(&c, 0.25).expect("changed");
    assert_eq!(
        stack_text(d.model.as_deref().expect("a stack")),
        "dense(8),relu,dropout(0.25),dense(4),tanh,dropout(0.25),dense(2)"
    );
    assert_eq!(dropout_of(&d), 0.25);
    validate(&d).expect("a valid experiment");
    let e = with_dropout(&d, 0.5).expect("changed");
    assert_eq!(dropout_of(&e), 0.5);
    let back = with_dropout(&e, 0.0).expect("changed");
    assert_eq!(back, c, "dropout 0 gives the MLP shorthand back");
    // Out-of-range values are clamped into the limit, never an invalid experiment.
    let high = with_dropout(&c, 7.0).expect("changed");
    validate(&high).expect("clamped");
    assert!(with_dropout(&c, f32::NAN).is_none());
    // No hidden layer: nothing to put dropout after.
    let flat = ExperimentConfig {
        hidden: vec![],
        activations: vec![],
        ..ExperimentConfig::default()
    };
    assert!(!dropout_applies(&flat));
    assert!(with_dropout(&flat, 0.3).is_none());
    // A stack with dropout where the MLP shorthand has none keeps its places.
    let cnn = gradlab::experiment::preset("mnist-cnn").expect("preset");
    assert_eq!(dropout_of(&cnn), 0.3);
    let cnn2 = with_dropout(&cnn, 0.1).expect("changed");
    let text = stack_text(cnn2.model.as_deref().expect("a stack"));
    assert_eq!(
        text,
        stack_text(cnn.model.as_deref().unwrap()).replace("0.3", "0.1")
    );
}
