//! TensorFlow Playground links: its default link and tutorial-style links import as the
//! same experiment (see `src/experiment/link/tfplayground.rs` for the mapping), whether
//! pasted into the import box or opened as our fragment.

use gradlab::data::{FeatureSet, Pattern2d, Regression2d};
use gradlab::experiment::{
    decode_link, import_tfplayground, validate, BackendChoice, Budget, DataSource, DecodedLink,
    ExperimentConfig, LossKind,
};
use gradlab::nn::Activation;
use gradlab::optim::{OptimizerConfig, OptimizerKind};

/// TF Playground's own link when the page opens (every key, its defaults).
const TF_DEFAULT: &str = "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane\
&learningRate=0.03&regularizationRate=0&noise=0&networkShape=4,2&seed=0.12345\
&showTestData=false&discretize=false&percTrainData=50&x=true&y=true&xTimesY=false\
&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false\
&collectStats=false&problem=classification&initZero=false&hideText=false";

/// The frame every TF import shares: SGD on the batch mean, no standardisation, the
/// default budget and backend.
fn tf_frame(
    data: DataSource,
    samples: usize,
    hidden: &[usize],
    act: Activation,
) -> ExperimentConfig {
    let loss = if data.is_classification() {
        LossKind::CrossEntropy
    } else {
        LossKind::Mse
    };
    ExperimentConfig {
        data,
        samples,
        noise: 0.0,
        test_fraction: 0.5,
        features: FeatureSet::default(),
        standardize: false,
        hidden: hidden.to_vec(),
        activations: vec![act; hidden.len()],
        model: None,
        loss,
        optimizer: OptimizerConfig {
            kind: OptimizerKind::Sgd,
            lr: 0.03,
            l1: 0.0,
            l2: 0.0,
            ..ExperimentConfig::default().optimizer
        },
        batch_size: 10,
        budget: Budget::Epochs(100),
        eval_every: 0,
        seed: 12345,
        context: ExperimentConfig::default().context,
        backend: BackendChoice::Cpu,
        seq2seq: None,
        init: gradlab::nn::InitScheme::Layer,
    }
}

fn import(link: &str) -> DecodedLink {
    let d = import_tfplayground(link).unwrap_or_else(|e| panic!("{link}: {e}"));
    assert_eq!(validate(&d.config), Ok(()));
    // Opening the same hash as our own fragment detects it and imports the same.
    assert_eq!(decode_link(link).unwrap(), d, "{link}");
    assert_eq!(d.steps, None);
    assert_eq!(d.weights, None);
    d
}

fn warned(d: &DecodedLink, key: &str, needle: &str) -> bool {
    d.warnings
        .iter()
        .any(|w| w.key == key && w.message.contains(needle))
}

#[test]
fn the_default_link_is_the_circle_with_a_4_2_tanh_net() {
    let d = import(TF_DEFAULT);
    let want = tf_frame(
        DataSource::Classify2d(Pattern2d::Circle),
        500,
        &[4, 2],
        Activation::Tanh,
    );
    assert_eq!(d.config, want);
    // The only note: TF's random generator is not ours.
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert!(warned(&d, "seed", "12345"));
    // The full URL reads the same.
    let url = format!("https://playground.tensorflow.org/{TF_DEFAULT}");
    assert_eq!(import(&url).config, want);
}

#[test]
fn a_spiral_tutorial_link_maps_every_setting() {
    let link = "#activation=relu&batchSize=20&dataset=spiral&regDataset=reg-plane\
&learningRate=0.01&regularizationRate=0.003&noise=20&networkShape=8,8,5&seed=0.54321\
&showTestData=true&discretize=true&percTrainData=70&x=true&y=true&xTimesY=true\
&xSquared=true&ySquared=true&cosX=false&sinX=true&cosY=false&sinY=true&collectStats=false\
&problem=classification&initZero=false&hideText=true&regularization=L2\
&activation_hide=true&tutorial=dp-spiral";
    let d = import(link);
    let mut want = tf_frame(
        DataSource::Classify2d(Pattern2d::Spiral),
        500,
        &[8, 8, 5],
        Activation::Relu,
    );
    want.batch_size = 20;
    want.optimizer.lr = 0.01;
    want.optimizer.l2 = 0.003;
    want.noise = 0.2;
    want.test_fraction = 0.3;
    want.features = FeatureSet::ALL_ON;
    want.seed = 54321;
    assert_eq!(d.config, want);
    // UI-only keys (showTestData, discretize, hideText, tutorial, *_hide) are silent.
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
}

#[test]
fn xor_with_l1_and_gauss_with_no_hidden_layer() {
    let d = import(
        "#dataset=xor&regularization=L1&regularizationRate=0.001&networkShape=3\
&activation=sigmoid&learningRate=0.3&seed=0.00001&noise=5&percTrainData=90",
    );
    let mut want = tf_frame(
        DataSource::Classify2d(Pattern2d::Xor),
        500,
        &[3],
        Activation::Sigmoid,
    );
    want.optimizer.l1 = 0.001;
    want.optimizer.lr = 0.3;
    want.seed = 1;
    want.noise = 0.05;
    want.test_fraction = ((100.0 - 90.0) / 100.0f64) as f32;
    assert_eq!(d.config, want);

    // An empty networkShape is TF's "no hidden layer": one linear unit.
    let d = import("#dataset=gauss&networkShape=&activation=linear&seed=0.99999");
    let mut want = tf_frame(
        DataSource::Classify2d(Pattern2d::Gauss),
        500,
        &[],
        Activation::Linear,
    );
    want.seed = 99999;
    assert_eq!(d.config, want);
}

#[test]
fn regression_links_import_to_the_same_2d_surface() {
    for (tf, ours) in [
        ("reg-plane", Regression2d::Plane),
        ("reg-gauss", Regression2d::Gauss),
    ] {
        let d = import(&format!(
            "#problem=regression&regDataset={tf}&dataset=circle&networkShape=4&seed=0.12345"
        ));
        let want = tf_frame(DataSource::Regression2d(ours), 1200, &[4], Activation::Tanh);
        assert_eq!(d.config, want, "{tf}");
        // Only the seed's note: the surface is TF's own, nothing falls back.
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
        assert!(warned(&d, "seed", "12345"));
        assert_eq!(d.config.data.name(), tf, "the data keeps TF's name");
    }
}

#[test]
fn regression_links_keep_their_feature_toggles_and_replay_as_our_link() {
    let d = import(
        "#problem=regression&regDataset=reg-gauss&networkShape=6,3&x=false&xSquared=true\
&ySquared=true&xTimesY=true&noise=10",
    );
    let mut want = tf_frame(
        DataSource::Regression2d(Regression2d::Gauss),
        1200,
        &[6, 3],
        Activation::Tanh,
    );
    want.features = FeatureSet::from_flags([false, true, true, true, true, false, false]);
    want.noise = 0.1;
    // No `seed` in this link: our default seed.
    want.seed = ExperimentConfig::default().seed;
    assert_eq!(d.config, want);
    assert!(validate(&d.config).is_ok());
    // Our own link of the imported experiment decodes to the same configuration.
    let ours = gradlab::experiment::encode_link(&d.config, None, None)
        .unwrap()
        .fragment;
    assert_eq!(decode_link(&ours).unwrap().config, d.config, "{ours}");
}

#[test]
fn what_does_not_map_is_warned_and_bad_values_fall_back() {
    let d = import(
        "#activation=softmax&dataset=moons&noise=abc&learningRate=0&batchSize=0\
&percTrainData=99&cosX=true&initZero=true&x=maybe&regularization=L3&problem=ranking\
&networkShape=4,two&newKey=1&seed=abc&sinY=true",
    );
    for (key, needle) in [
        ("activation", "relu, tanh, sigmoid or linear"),
        ("dataset", "circle, xor, gauss or spiral"),
        ("noise", "not a number"),
        ("learningRate", "above 0"),
        ("batchSize", "clamped to 1"),
        ("percTrainData", "clamped to 90"),
        ("cosX", "no cosine"),
        ("initZero", "zero initialisation"),
        ("x", "not true or false"),
        ("regularization", "none, L1 or L2"),
        ("problem", "classification or regression"),
        ("networkShape", "layer dropped"),
        ("newKey", "unknown"),
        ("seed", "not TF Playground's own"),
    ] {
        assert!(warned(&d, key, needle), "{key}: {:?}", d.warnings);
    }
    let c = &d.config;
    assert_eq!(c.data, DataSource::Classify2d(Pattern2d::Circle));
    assert_eq!(c.activations, vec![Activation::Tanh]);
    assert_eq!((c.noise, c.optimizer.lr, c.batch_size), (0.0, 0.03, 1));
    assert_eq!(c.hidden, vec![4]);
    assert!(c.features.x1 && c.features.x2 && c.features.sin_x2 && !c.features.sin_x1);
    // A text seed hashes to a fixed number (the same on every run and target).
    assert_eq!(import("#dataset=xor&seed=abc").config.seed, c.seed);
    assert_ne!(c.seed, ExperimentConfig::default().seed);
}

#[test]
fn tf_links_with_every_feature_off_keep_x1_x2() {
    let d = import("#dataset=circle&x=false&y=false");
    assert_eq!(d.config.features, FeatureSet::default());
    assert!(warned(&d, "feat", "no input feature"));
}
