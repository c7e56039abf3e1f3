//! Sentence classification on the review sentences with a model of the existing layers
//! (word embeddings, flattened, one dense layer): it must beat chance by a margin that
//! chance cannot reach, and report the classification metrics.

use gradlab::data::text::{TextSet, SENTIMENT_VOCAB};
use gradlab::experiment::{Budget, DataSource, ExperimentConfig, LossKind, Runner};
use gradlab::nn::parse_stack;
use gradlab::optim::{OptimizerConfig, OptimizerKind};
use gradlab::platform::block_on;
use gradlab::Device;

#[test]
fn flattened_word_embeddings_beat_chance_on_the_test_split() {
    let config = ExperimentConfig {
        data: DataSource::Text(TextSet::Sentiment),
        hidden: Vec::new(),
        activations: Vec::new(),
        model: Some(parse_stack(&format!("embed({SENTIMENT_VOCAB},16),flatten,dense(2)")).unwrap()),
        loss: LossKind::CrossEntropy,
        test_fraction: 0.2,
        context: 24,
        batch_size: 32,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Adam,
            lr: 0.003,
            weight_decay: 0.0,
            ..OptimizerConfig::default()
        },
        budget: Budget::Epochs(4),
        eval_every: 0,
        seed: 1,
        ..ExperimentConfig::default()
    };
    let mut runner = Runner::new(config, Device::Cpu).unwrap();
    assert_eq!((runner.train_data().n, runner.test_data().n), (2400, 600));
    let last = block_on(runner.run(|_, _| {})).unwrap();
    let m = &last.metrics;
    // The test split is balanced (300 and 300), so guessing scores 0.5 with a standard
    // deviation of sqrt(0.25 / 600) = 0.020; 0.58 is four of them above. Measured: 0.633.
    let acc = m.accuracy.unwrap();
    assert!(acc >= 0.58, "accuracy {acc}");
    let (p, r, f1) = (m.precision.unwrap(), m.recall.unwrap(), m.f1.unwrap());
    assert!((f1 - 2.0 * p * r / (p + r)).abs() < 1e-9);
    let confusion = m.confusion.as_ref().unwrap();
    assert_eq!(confusion.iter().flatten().sum::<u32>(), 600);
}
