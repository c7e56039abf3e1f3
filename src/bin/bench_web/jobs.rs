//! The browser benchmark's jobs: what gradlab runs in the bench page and what the
//! TensorFlow.js side (bench/web/tfjs_jobs.js) builds from the same description, so
//! both sides train the same shapes with the same optimizer and batch size. The MLP
//! jobs are `gradlab bench`'s peer jobs (checked by the test below); the GPT and the
//! CNN are the `shakespeare-char` and `mnist-cnn` presets with a plain Adam optimizer
//! (TensorFlow.js has no AdamW, clipping or warmup schedule to match the presets'),
//! which costs the same per step as theirs up to a few elementwise ops.

use gradlab::data::text::{TextSet, SHAKESPEARE_IDS};
use gradlab::data::{FeatureSet, Pattern2d, RealSet};
use gradlab::experiment::{preset, Budget, DataSource, ExperimentConfig, LossKind};
use gradlab::nn::Activation;
use gradlab::optim::{OptimizerConfig, OptimizerKind};
use serde::Serialize;

/// What a job runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum JobKind {
    /// One `n x n x n` product per repetition (GFLOP/s).
    Matmul {
        /// The side of the square matrices.
        n: usize,
    },
    /// An MLP on softmax cross-entropy with Adam (steps/s).
    Mlp {
        /// Layer widths, inputs to outputs.
        widths: &'static [usize],
        /// Hidden activation: `tanh` or `relu`.
        activation: &'static str,
        /// Rows of the training split the batches are drawn from.
        train_rows: usize,
    },
    /// The small character GPT of `shakespeare-char` (tokens/s).
    Gpt {
        /// Token ids.
        vocab: usize,
        /// Tokens per window.
        context: usize,
        /// Embedding width.
        width: usize,
        /// Transformer blocks.
        layers: usize,
        /// Attention heads per block.
        heads: usize,
    },
    /// The LeNet-like `mnist-cnn` (images/s).
    Cnn {
        /// Rows of the training split.
        train_rows: usize,
    },
}

/// One job of the browser benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct WebJob {
    /// Stable name, shared with the driver and `gradlab bench --job`.
    pub name: &'static str,
    /// What the table says the job is.
    pub label: &'static str,
    /// The rate's unit.
    pub unit: &'static str,
    /// Rows (or sequences) per training step; 0 for a matmul.
    pub batch: usize,
    /// Units of the rate per step: 1 for steps/s, the batch for images/s, batch times
    /// context for tokens/s.
    pub per_step: usize,
    /// Adam's learning rate (the same on both sides).
    pub lr: f32,
    /// The model or product.
    #[serde(flatten)]
    pub kind: JobKind,
}

/// Every job, in table order.
pub const WEB_JOBS: [WebJob; 7] = [
    WebJob {
        name: "matmul-256",
        label: "matmul n=256",
        unit: "GFLOP/s",
        batch: 0,
        per_step: 1,
        lr: 0.0,
        kind: JobKind::Matmul { n: 256 },
    },
    WebJob {
        name: "matmul-1024",
        label: "matmul n=1024",
        unit: "GFLOP/s",
        batch: 0,
        per_step: 1,
        lr: 0.0,
        kind: JobKind::Matmul { n: 1024 },
    },
    WebJob {
        name: "mlp-small-b32",
        label: "MLP 2-16-16-2 tanh, batch 32",
        unit: "steps/s",
        batch: 32,
        per_step: 1,
        lr: 0.001,
        kind: JobKind::Mlp {
            widths: &[2, 16, 16, 2],
            activation: "tanh",
            train_rows: 1000,
        },
    },
    WebJob {
        name: "mlp-small-full",
        label: "MLP 2-16-16-2 tanh, batch 1000",
        unit: "steps/s",
        batch: 1000,
        per_step: 1,
        lr: 0.001,
        kind: JobKind::Mlp {
            widths: &[2, 16, 16, 2],
            activation: "tanh",
            train_rows: 1000,
        },
    },
    WebJob {
        name: "mlp-big-b256",
        label: "MLP 64-256-256-10 relu, batch 256",
        unit: "steps/s",
        batch: 256,
        per_step: 1,
        lr: 0.001,
        kind: JobKind::Mlp {
            widths: &[64, 256, 256, 10],
            activation: "relu",
            train_rows: 1348,
        },
    },
    WebJob {
        name: "gpt-shakespeare-char",
        label: "GPT shakespeare-char (2x64, ctx 32, batch 10)",
        unit: "tokens/s",
        batch: 10,
        per_step: 10 * 32,
        lr: 3e-3,
        kind: JobKind::Gpt {
            vocab: SHAKESPEARE_IDS,
            context: 32,
            width: 64,
            layers: 2,
            heads: 4,
        },
    },
    WebJob {
        name: "cnn-mnist",
        label: "CNN mnist-cnn, batch 64",
        unit: "images/s",
        batch: 64,
        per_step: 64,
        lr: 0.002,
        kind: JobKind::Cnn { train_rows: 8000 },
    },
];

/// The job named `name`.
pub fn web_job(name: &str) -> Option<WebJob> {
    WEB_JOBS.iter().copied().find(|j| j.name == name)
}

/// Plain Adam at `lr` (betas 0.9, 0.999, eps 1e-8: TensorFlow.js's `tf.train.adam`
/// defaults too, its epsilon set to match), no decay, clipping or schedule.
fn plain_adam(lr: f32) -> OptimizerConfig {
    OptimizerConfig {
        kind: OptimizerKind::Adam,
        lr,
        weight_decay: 0.0,
        ..OptimizerConfig::default()
    }
}

/// The experiment gradlab trains for a training job (`None` for a matmul, or a preset
/// that is missing). The MLPs are built as `gradlab bench`'s peer jobs are.
pub fn job_config(job: &WebJob) -> Option<ExperimentConfig> {
    match job.kind {
        JobKind::Matmul { .. } => None,
        JobKind::Mlp {
            widths, activation, ..
        } => {
            let act = match activation {
                "tanh" => Activation::Tanh,
                _ => Activation::Relu,
            };
            let hidden = widths[1..widths.len() - 1].to_vec();
            let two_d = widths[0] == 2;
            let defaults = ExperimentConfig::default();
            Some(ExperimentConfig {
                data: match two_d {
                    true => DataSource::Classify2d(Pattern2d::Spiral),
                    false => DataSource::Real(RealSet::Digits),
                },
                samples: if two_d { 2000 } else { defaults.samples },
                noise: 0.0,
                test_fraction: if two_d { 0.5 } else { 0.25 },
                features: FeatureSet::default(),
                standardize: !two_d,
                activations: vec![act; hidden.len()],
                hidden,
                model: None,
                loss: LossKind::CrossEntropy,
                optimizer: plain_adam(job.lr),
                batch_size: job.batch,
                budget: Budget::Steps(1_000_000),
                ..defaults
            })
        }
        JobKind::Gpt { .. } => {
            let mut c = preset("shakespeare-char")?;
            c.optimizer = plain_adam(job.lr);
            c.budget = Budget::Steps(1_000_000);
            Some(c)
        }
        JobKind::Cnn { .. } => {
            let mut c = preset("mnist-cnn")?;
            c.optimizer = plain_adam(job.lr);
            c.budget = Budget::Steps(1_000_000);
            Some(c)
        }
    }
}

/// The text set a job needs fetched in the page before it runs (a real set's files are
/// fetched too, see `timing::job_files`; the others are generated).
pub fn fetched_text(job: &WebJob) -> Option<TextSet> {
    matches!(job.kind, JobKind::Gpt { .. }).then_some(TextSet::Shakespeare)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use gradlab::experiment::{model, prepare};

    /// The MLP jobs are `gradlab bench`'s peer jobs: the same config, so the page's
    /// figures and the native ones (against PyTorch) measure the same training.
    #[test]
    fn mlp_jobs_are_the_native_peer_jobs() {
        for peer in gradlab::cli::bench::PEER_JOBS {
            let job = web_job(peer.name).expect("every peer job is a web job");
            assert_eq!(job.batch, peer.batch);
            let want = gradlab::cli::bench::peer_config(&peer);
            assert_eq!(job_config(&job).expect("config"), want, "{}", peer.name);
            match job.kind {
                JobKind::Mlp {
                    widths, train_rows, ..
                } => {
                    assert_eq!(widths, peer.widths);
                    assert_eq!(train_rows, peer.train_rows);
                }
                other => panic!("{} is {other:?}", peer.name),
            }
        }
    }

    /// What the TensorFlow.js side is told (the GPT's and the CNN's shapes, the split
    /// sizes, the units per step) is what gradlab's configs build.
    #[test]
    fn described_shapes_match_the_configs() {
        for job in WEB_JOBS {
            let Some(c) = job_config(&job) else {
                assert!(matches!(job.kind, JobKind::Matmul { .. }), "{}", job.name);
                continue;
            };
            gradlab::experiment::validate(&c).expect("valid config");
            assert_eq!(c.batch_size, job.batch, "{}", job.name);
            let params = model::param_shapes(&c);
            match job.kind {
                JobKind::Gpt {
                    vocab,
                    context,
                    width,
                    layers,
                    ..
                } => {
                    assert_eq!(c.context, context);
                    assert_eq!(job.per_step, job.batch * context);
                    assert_eq!(params[0].1, vec![vocab, width], "token embedding");
                    assert_eq!(params[1].1, vec![context, width], "positions");
                    let attn = params.iter().filter(|(n, _)| n.ends_with("in_proj_weight"));
                    assert_eq!(attn.count(), layers);
                }
                JobKind::Cnn { train_rows } => {
                    assert_eq!(job.per_step, job.batch);
                    let data = prepare(&c).expect("data");
                    assert_eq!(data.train.n, train_rows);
                    assert_eq!(data.train.input_shape, vec![1, 28, 28]);
                    let convs: Vec<_> = params.iter().filter(|(_, d)| d.len() == 4).collect();
                    assert_eq!(convs[0].1, vec![8, 1, 5, 5]);
                    assert_eq!(convs[1].1, vec![16, 8, 5, 5]);
                }
                JobKind::Mlp { train_rows, .. } => {
                    assert_eq!(prepare(&c).expect("data").train.n, train_rows);
                }
                JobKind::Matmul { .. } => unreachable!("no config"),
            }
        }
    }
}
