//! The typed experiment configuration: everything that changes a run's result.

use crate::data::text::TextSet;
use crate::data::{FeatureSet, Pattern2d, RealSet, Regression1d, Regression2d};
use crate::nn::{Activation, InitScheme, Layer};
use crate::optim::OptimizerConfig;
use serde::{Deserialize, Serialize};

/// Where the data comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum DataSource {
    /// A synthetic 2-D classification pattern (two classes).
    Classify2d(Pattern2d),
    /// A synthetic 1-D regression curve.
    Regression1d(Regression1d),
    /// A synthetic 2-D regression surface (TF Playground's `reg-plane`, `reg-gauss`).
    Regression2d(Regression2d),
    /// One of the vendored real data sets.
    Real(RealSet),
    /// A vendored text set: token ids in, next tokens or a class out.
    Text(TextSet),
    /// Dates written in many human formats to translate to ISO `YYYY-MM-DD`, generated
    /// from the seed (`data::text::date_pairs`): an encoder-decoder's task.
    Dates,
}

impl DataSource {
    /// True when the task is classification.
    pub fn is_classification(&self) -> bool {
        match self {
            DataSource::Classify2d(_) => true,
            DataSource::Regression1d(_) | DataSource::Regression2d(_) => false,
            DataSource::Real(r) => r.is_classification(),
            // A language model classifies each next token among the vocabulary.
            DataSource::Text(_) => true,
            // The decoder classifies each next ISO character.
            DataSource::Dates => true,
        }
    }

    /// The text set, when the data is text (token ids).
    pub fn text(&self) -> Option<TextSet> {
        match self {
            DataSource::Text(t) => Some(*t),
            _ => None,
        }
    }

    /// True for data read as token ids (the text sets and the dates to translate): its
    /// models are transformers, whose time is their FLOPs.
    pub fn is_tokens(&self) -> bool {
        matches!(self, DataSource::Text(_) | DataSource::Dates)
    }

    /// True for language modelling (targets are each position's next token).
    pub fn is_language_model(&self) -> bool {
        self.text().is_some_and(TextSet::is_language_model)
    }

    /// True for data over the 2-D input plane (the classification patterns and the 2-D
    /// regression surfaces): the feature maps (x1, x2, x1^2, ...) apply and the model
    /// can be drawn over the plane.
    pub fn is_plane(&self) -> bool {
        matches!(
            self,
            DataSource::Classify2d(_) | DataSource::Regression2d(_)
        )
    }

    /// True when inputs are standardised with one mean and one standard deviation for
    /// every input (MNIST's pixels: a border pixel is always 0, so a per-pixel std would
    /// be 0) rather than per column. The 8x8 digits keep per-column statistics, as they
    /// always had, so their results do not change.
    pub fn standardizes_as_one(&self) -> bool {
        matches!(self, DataSource::Real(RealSet::Mnist))
    }

    /// True for generated data (noise and sample count apply).
    pub fn is_synthetic(&self) -> bool {
        !matches!(self, DataSource::Real(_) | DataSource::Text(_))
    }

    /// Every data source: the 2-D patterns, the 1-D curves, the 2-D surfaces, the vendored
    /// sets.
    pub fn all() -> Vec<DataSource> {
        let mut all: Vec<DataSource> = Pattern2d::ALL.map(DataSource::Classify2d).to_vec();
        all.extend(Regression1d::ALL.map(DataSource::Regression1d));
        all.extend(Regression2d::ALL.map(DataSource::Regression2d));
        all.extend(RealSet::ALL.map(DataSource::Real));
        all.extend(TextSet::ALL.map(DataSource::Text));
        all.push(DataSource::Dates);
        all
    }

    /// Stable short name (links, the CLI): the pattern's, curve's or set's own name, in
    /// kebab-case (the breast cancer set's file name, `breast_cancer`, is not).
    pub fn name(self) -> &'static str {
        match self {
            DataSource::Classify2d(p) => p.name(),
            DataSource::Regression1d(r) => r.name(),
            DataSource::Regression2d(r) => r.name(),
            DataSource::Real(RealSet::BreastCancer) => "breast-cancer",
            DataSource::Real(s) => s.name(),
            DataSource::Text(t) => t.name(),
            DataSource::Dates => "dates",
        }
    }
}

/// The training objective.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    /// Mean squared error (for classification: between softmax probabilities and
    /// one-hot targets).
    Mse,
    /// Mean absolute error (regression only).
    Mae,
    /// Softmax cross-entropy from logits (classification only).
    CrossEntropy,
}

impl LossKind {
    /// Every loss.
    pub const ALL: &'static [LossKind] = &[LossKind::Mse, LossKind::Mae, LossKind::CrossEntropy];

    /// Stable short name.
    pub fn name(self) -> &'static str {
        match self {
            LossKind::Mse => "mse",
            LossKind::Mae => "mae",
            LossKind::CrossEntropy => "cross-entropy",
        }
    }

    /// Parse a short name.
    pub fn from_name(s: &str) -> Option<LossKind> {
        LossKind::ALL.iter().copied().find(|l| l.name() == s)
    }
}

/// How long to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Budget {
    /// Whole passes over the training set.
    Epochs(u32),
    /// Optimizer steps (mini-batches).
    Steps(u64),
}

/// Which backend runs the experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// The pure-Rust CPU backend (bit-identical on every target).
    Cpu,
    /// The GPU through wgpu / WebGPU.
    Gpu,
    /// The GPU when an adapter exists, else the CPU.
    Auto,
}

impl BackendChoice {
    /// Every choice.
    pub const ALL: &'static [BackendChoice] =
        &[BackendChoice::Cpu, BackendChoice::Gpu, BackendChoice::Auto];

    /// Stable short name.
    pub fn name(self) -> &'static str {
        match self {
            BackendChoice::Cpu => "cpu",
            BackendChoice::Gpu => "gpu",
            BackendChoice::Auto => "auto",
        }
    }
}

/// A complete experiment: data, model, objective, optimizer, schedule and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExperimentConfig {
    /// The data.
    pub data: DataSource,
    /// Number of generated points (synthetic data only).
    pub samples: usize,
    /// Noise level in [0, 1] (synthetic data only; see the generators).
    pub noise: f32,
    /// Fraction of the data held out for testing, in (0, 1).
    pub test_fraction: f32,
    /// Derived input features (2-D data only: classification patterns and regression
    /// surfaces).
    pub features: FeatureSet,
    /// Standardise inputs (and regression targets) with train-set statistics.
    pub standardize: bool,
    /// Hidden layer sizes (empty: a single linear layer).
    pub hidden: Vec<usize>,
    /// One activation per hidden layer.
    pub activations: Vec<Activation>,
    /// An explicit layer stack; `None` builds the MLP that `hidden` and `activations`
    /// describe (see `experiment::model`). Left out of JSON when `None`, so an MLP's
    /// config (and the model file that stores it) reads as before the layer stack.
    /// Written as the stack's text form (`"conv(8,5),relu,flatten,dense(10)"`).
    #[serde(skip_serializing_if = "Option::is_none", with = "model_text")]
    pub model: Option<Vec<Layer>>,
    /// How the model's weights start (see [`InitScheme`]); left out of JSON at its
    /// default, so older configs read as before.
    #[serde(skip_serializing_if = "is_default_init")]
    pub init: InitScheme,
    /// The loss.
    pub loss: LossKind,
    /// Optimizer and its parameters (including L1/L2 and clipping).
    pub optimizer: OptimizerConfig,
    /// Mini-batch size.
    pub batch_size: usize,
    /// How long to train.
    pub budget: Budget,
    /// Record a history point (train and test loss, metrics) every this many steps;
    /// 0 records once per epoch.
    pub eval_every: u64,
    /// Seed of every random choice (data, split, initial weights, batch order).
    pub seed: u64,
    /// Tokens per example of a text source: a language model's context (its windows
    /// are `context + 1` tokens) or the length sentences are padded or cut to. Other
    /// sources ignore it; left out of JSON at its default, so their configs read as
    /// before.
    #[serde(skip_serializing_if = "is_default_context")]
    pub context: usize,
    /// Which backend to run on.
    pub backend: BackendChoice,
    /// The encoder-decoder translating the dates data (`None` for every other task).
    /// Left out of JSON when `None`, so other configs read as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq2seq: Option<super::runner_seq2seq_spec::Seq2SeqSpec>,
}

impl Default for ExperimentConfig {
    /// TensorFlow Playground's opening experiment (circle, 4-2 tanh, SGD); every number
    /// not specific to it comes from the limit table, so the defaults that links, the
    /// validator and the page's controls use are one.
    fn default() -> Self {
        use super::limits as l;
        ExperimentConfig {
            data: DataSource::Classify2d(Pattern2d::Circle),
            samples: l::SAMPLES.default as usize,
            noise: l::NOISE.default,
            test_fraction: l::TEST_FRACTION.default,
            features: FeatureSet::default(),
            standardize: false,
            hidden: vec![l::HIDDEN_UNITS.default as usize, 2],
            activations: vec![Activation::Tanh, Activation::Tanh],
            model: None,
            loss: LossKind::CrossEntropy,
            optimizer: OptimizerConfig {
                kind: crate::optim::OptimizerKind::Sgd,
                lr: l::LR.default,
                momentum: l::MOMENTUM.default,
                nesterov: false,
                beta1: l::BETA1.default,
                beta2: l::BETA2.default,
                eps: l::EPS.default,
                weight_decay: l::WEIGHT_DECAY.default,
                l1: l::L1.default,
                l2: l::L2.default,
                clip_norm: None,
                schedule: crate::optim::ScheduleKind::Constant,
                warmup_steps: l::WARMUP_STEPS.default,
                decay_steps: l::DECAY_STEPS.default,
                min_lr: l::MIN_LR.default,
                decay_matrices_only: false,
                decay_embeddings: true,
            },
            batch_size: l::BATCH_SIZE.default as usize,
            budget: Budget::Epochs(l::EPOCHS.default as u32),
            eval_every: l::EVAL_EVERY.default,
            seed: l::SEED.default,
            context: l::CONTEXT.default as usize,
            backend: BackendChoice::Cpu,
            init: InitScheme::Layer,
            seq2seq: None,
        }
    }
}

fn is_default_init(v: &InitScheme) -> bool {
    *v == InitScheme::default()
}

fn is_default_context(v: &usize) -> bool {
    *v == super::limits::CONTEXT.default as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's optimizer defaults are PyTorch's, as `OptimizerConfig::default` says
    /// (the learning rate and the kind are the playground's).
    #[test]
    fn the_default_optimizer_matches_pytorch_defaults_but_for_kind_and_lr() {
        let ours = ExperimentConfig::default().optimizer;
        let torch = OptimizerConfig::default();
        assert_eq!(
            OptimizerConfig {
                kind: torch.kind,
                lr: torch.lr,
                ..ours
            },
            torch
        );
    }
}

/// The model stack in JSON as its text form, readable in `metrics.json` and in a model
/// file's metadata, and parsed with the same grammar as links.
mod model_text {
    use crate::nn::{parse_stack, stack_text, Layer};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(m: &Option<Vec<Layer>>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(layers) => s.serialize_str(&stack_text(layers)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Layer>>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => parse_stack(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}
