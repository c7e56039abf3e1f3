//! The peer jobs that train a lab preset as the lab trains it: the small character GPT
//! of `shakespeare-char` (tokens/s) and the LeNet-like `mnist-cnn` (images/s). Only the
//! budget differs from the preset (lifted, so timing never runs out of steps): the model,
//! optimizer (AdamW with clipping and its schedule for the GPT, Adam for the CNN), batch
//! and context are the preset's. Their data is embedded in the native binary (tiny
//! Shakespeare and MNIST's test set under `www/data/`, `include_bytes!`), so a job never
//! fetches anything. `bench/peers_native.py` builds the same models in PyTorch.

use crate::error::{Error, Result};
use crate::experiment::{preset, Budget, ExperimentConfig};

/// What a preset job's rate counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateUnit {
    /// Tokens per second: batch x context per step (a language model).
    Tokens,
    /// Images per second: the batch per step.
    Images,
}

impl RateUnit {
    /// The unit as the table prints it: `tokens/s` or `images/s`.
    pub fn label(self) -> &'static str {
        match self {
            RateUnit::Tokens => "tokens/s",
            RateUnit::Images => "images/s",
        }
    }

    /// How many units one training step of `config` processes.
    pub fn per_step(self, config: &ExperimentConfig) -> usize {
        match self {
            RateUnit::Tokens => config.batch_size * config.context,
            RateUnit::Images => config.batch_size,
        }
    }
}

/// A peer job that trains a preset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetJob {
    /// Stable name, shared with the PyTorch driver.
    pub name: &'static str,
    /// The preset it trains.
    pub preset: &'static str,
    /// The model in a few words, for the table.
    pub shape: &'static str,
    /// What the rate counts.
    pub unit: RateUnit,
}

/// The GPT and the CNN of the comparison table.
pub const PRESET_JOBS: [PresetJob; 2] = [
    PresetJob {
        name: "gpt-small",
        preset: "shakespeare-char",
        shape: "2x64 ctx 32",
        unit: RateUnit::Tokens,
    },
    PresetJob {
        name: "cnn-mnist",
        preset: "mnist-cnn",
        shape: "lenet",
        unit: RateUnit::Images,
    },
];

/// Steps a timed run may take: far more than any timing takes, so the budget never ends it.
const TIMING_BUDGET_STEPS: u64 = 1_000_000;

/// The preset job named `name`, if it is one.
pub fn preset_job(name: &str) -> Option<PresetJob> {
    PRESET_JOBS.iter().copied().find(|j| j.name == name)
}

/// The experiment that runs `job`: its preset with only the budget lifted.
pub fn preset_job_config(job: &PresetJob) -> Result<ExperimentConfig> {
    let mut config = preset(job.preset).ok_or_else(|| {
        Error::Config(format!(
            "benchmark job '{}' needs the preset '{}', which is missing",
            job.name, job.preset
        ))
    })?;
    config.budget = Budget::Steps(TIMING_BUDGET_STEPS);
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::{model, prepare, validate};
    use crate::optim::OptimizerKind;

    /// Each job trains its preset unchanged but for the budget, and counts its rate in
    /// the units the PyTorch side counts (the GPT's tokens: batch 10 x context 32).
    #[test]
    fn each_job_is_its_preset_with_the_budget_lifted() {
        for job in PRESET_JOBS {
            let c = preset_job_config(&job).expect("preset exists");
            validate(&c).expect("valid config");
            let mut want = preset(job.preset).expect("preset");
            assert_ne!(want.budget, c.budget, "{}", job.name);
            want.budget = c.budget;
            assert_eq!(c, want, "{}", job.name);
            assert_eq!(preset_job(job.name), Some(job));
        }
        assert_eq!(preset_job("nope"), None);
        // An unknown name's error lists these jobs with the others `--job` takes.
        let listed = crate::cli::bench::peer_job("nope")
            .expect_err("unknown")
            .to_string();
        for job in PRESET_JOBS {
            assert!(listed.contains(job.name), "{listed}");
        }
    }

    /// The shapes bench/peers_native.py builds: the GPT's embeddings, attention blocks
    /// and optimizer; the CNN's two 5x5 convolutions on 28x28 images.
    #[test]
    fn the_jobs_have_the_shapes_the_pytorch_side_builds() {
        let gpt = preset_job_config(&PRESET_JOBS[0]).expect("gpt");
        let params = model::param_shapes(&gpt);
        assert_eq!(params[0].1, vec![crate::data::text::SHAKESPEARE_IDS, 64]);
        assert_eq!(params[1].1, vec![32, 64], "learned positions");
        let attn = params.iter().filter(|(n, _)| n.ends_with("in_proj_weight"));
        assert_eq!(attn.count(), 2);
        assert_eq!(gpt.optimizer.kind, OptimizerKind::AdamW);
        assert_eq!(gpt.optimizer.clip_norm, Some(1.0));
        assert_eq!(RateUnit::Tokens.per_step(&gpt), 10 * 32);

        let cnn = preset_job_config(&PRESET_JOBS[1]).expect("cnn");
        let params = model::param_shapes(&cnn);
        let convs: Vec<_> = params.iter().filter(|(_, d)| d.len() == 4).collect();
        assert_eq!(convs[0].1, vec![8, 1, 5, 5]);
        assert_eq!(convs[1].1, vec![16, 8, 5, 5]);
        assert_eq!(cnn.optimizer.kind, OptimizerKind::Adam);
        let data = prepare(&cnn).expect("MNIST is embedded natively");
        assert_eq!(data.train.input_shape, vec![1, 28, 28]);
        assert_eq!(data.train.n, 8000);
        assert_eq!(RateUnit::Images.per_step(&cnn), 64);
    }
}
