//! The files of `gradlab run --out DIR`: metrics.json, model.safetensors, data.csv and
//! loss.svg.

use super::plot::loss_svg;
use super::CliError;
use crate::data::to_csv;
use crate::experiment::{ExperimentConfig, HistoryPoint, Metrics, Runner};
use serde::Serialize;
use std::path::Path;

/// What a finished run reports (the summary lines and metrics.json).
pub struct RunSummary<'a> {
    /// The preset's name.
    pub preset: &'a str,
    /// `cpu` or `gpu`.
    pub backend: &'static str,
    /// The device's label (the adapter's name on a GPU).
    pub device: String,
    /// Optimizer steps taken.
    pub steps: u64,
    /// Whole epochs completed.
    pub epochs: u32,
    /// Wall-clock seconds of training (evaluations included).
    pub elapsed_s: f64,
    /// `steps / elapsed_s`.
    pub steps_per_s: f64,
    /// Training tokens per second (`steps_per_s * batch * context`), for text data.
    pub tokens_per_s: Option<f64>,
    /// The last history point.
    pub final_point: &'a HistoryPoint,
    /// SHA-256 of model.safetensors.
    pub weights_sha256: String,
}

/// Write the four files into `dir` (created if missing); returns their names for the
/// summary.
pub fn write_outputs(
    dir: &Path,
    runner: &Runner,
    summary: &RunSummary,
    model: &[u8],
) -> Result<String, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::failed(format!("cannot create {}: {e}", dir.display())))?;
    let metrics = metrics_json(runner, summary)?;
    let title = format!("{}: loss", summary.preset);
    let svg = loss_svg(runner.history(), &title)?;
    let csv = to_csv(runner.train_data(), runner.test_data());
    let files: [(&str, &[u8]); 4] = [
        ("model.safetensors", model),
        ("metrics.json", metrics.as_bytes()),
        ("data.csv", csv.as_bytes()),
        ("loss.svg", svg.as_bytes()),
    ];
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::write(&path, bytes)
            .map_err(|e| CliError::failed(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(format!(
        "{}/{{metrics.json, model.safetensors, data.csv, loss.svg}}",
        dir.display()
    ))
}

/// The layout of metrics.json (fields in this order).
#[derive(Serialize)]
struct MetricsFile<'a> {
    preset: &'a str,
    backend: &'a str,
    device: &'a str,
    steps: u64,
    epochs: u32,
    elapsed_s: f64,
    steps_per_s: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens_per_s: Option<f64>,
    config: &'a ExperimentConfig,
    history: &'a [HistoryPoint],
    #[serde(rename = "final")]
    final_point: FinalPoint<'a>,
    weights_sha256: &'a str,
}

/// The end result: losses and the metrics that apply (step and epoch are top-level).
#[derive(Serialize)]
struct FinalPoint<'a> {
    train_loss: f64,
    test_loss: f64,
    #[serde(flatten)]
    metrics: &'a Metrics,
}

/// metrics.json: the run's identity, its config, its history and its final losses and
/// metrics. Serialised from typed structs so `f32` config values keep their short form.
fn metrics_json(runner: &Runner, s: &RunSummary) -> Result<String, CliError> {
    let doc = MetricsFile {
        preset: s.preset,
        backend: s.backend,
        device: &s.device,
        steps: s.steps,
        epochs: s.epochs,
        elapsed_s: s.elapsed_s,
        steps_per_s: s.steps_per_s,
        tokens_per_s: s.tokens_per_s,
        config: runner.config(),
        history: runner.history(),
        final_point: FinalPoint {
            train_loss: s.final_point.train_loss,
            test_loss: s.final_point.test_loss,
            metrics: &s.final_point.metrics,
        },
        weights_sha256: &s.weights_sha256,
    };
    serde_json::to_string_pretty(&doc)
        .map_err(|e| CliError::failed(format!("cannot encode JSON: {e}")))
}
