//! `gradlab run`: train a preset with a progress bar, print a summary, write outputs.

use super::args::is_link;
use super::cost::{check_cost, native_ceiling};
use super::output::{write_outputs, RunSummary};
use super::{print_out, CliError, RunArgs};
use crate::backend::Device;
use crate::experiment::{decode_link, DecodedLink, ExperimentConfig, NamedWeight};
use crate::experiment::{preset, sha256_hex, to_safetensors, BackendChoice, Budget, Runner};
use crate::experiment::{validate, HistoryPoint, Metrics};
use crate::platform::{block_on, now_ms};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

/// The device for a backend choice, with a notice to print when `auto` fell back.
pub(crate) fn select_device(choice: BackendChoice) -> Result<(Device, Option<String>), CliError> {
    match choice {
        BackendChoice::Cpu => Ok((Device::Cpu, None)),
        BackendChoice::Gpu => gpu_device().map(|d| (d, None)),
        BackendChoice::Auto => Ok(Device::auto()),
    }
}

/// The GPU device; an `Err` (exit code 1) when there is no adapter or device.
pub(crate) fn gpu_device() -> Result<Device, CliError> {
    Device::gpu().map_err(|e| CliError::failed(format!("GPU backend not available: {e}")))
}

/// Train the preset or link named in `args` and report.
pub fn run(args: &RunArgs) -> Result<(), CliError> {
    let (mut config, link) = resolve(&args.preset)?;
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(steps) = args.steps {
        config.budget = Budget::Steps(steps);
    }
    // Judged before anything is built: first against the host alone (no GPU is
    // started for a run that cannot go ahead), then against the chosen device.
    validate(&config)?;
    check_cost(&config, &native_ceiling(None), args.allow_large)?;
    let (device, notice) = select_device(args.backend.unwrap_or(config.backend))?;
    if let Some(n) = notice {
        eprintln!("gradlab: {n}");
    }
    if let Some(n) = check_cost(&config, &native_ceiling(Some(&device)), args.allow_large)? {
        eprintln!("gradlab: {n}");
    }
    config.backend = if device.is_cpu() {
        BackendChoice::Cpu
    } else {
        BackendChoice::Gpu
    };
    let backend = if device.is_cpu() { "cpu" } else { "gpu" };
    let mut runner = Runner::new(config, device)?;

    let mut bar = Progress::new(runner.total_steps());
    let start = now_ms();
    let last = block_on(runner.run(|p, total| bar.update(p, total, now_ms() - start)));
    let elapsed_s = (now_ms() - start) / 1000.0;
    bar.finish();
    let last = last?;

    let weights = block_on(runner.weights())?;
    let model = to_safetensors(&weights, runner.config())?;
    let label = if link.is_some() { "link" } else { &args.preset };
    if let Some(d) = &link {
        report_replay(d, &weights, runner.step_count());
    }
    let summary = RunSummary {
        preset: label,
        backend,
        device: runner.device().label(),
        steps: runner.step_count(),
        epochs: runner.epoch(),
        elapsed_s,
        steps_per_s: runner.step_count() as f64 / elapsed_s.max(1e-9),
        tokens_per_s: runner.config().data.text().map(|_| {
            let c = runner.config();
            let tokens = runner.step_count() as f64 * (c.batch_size * c.context) as f64;
            tokens / elapsed_s.max(1e-9)
        }),
        final_point: &last,
        weights_sha256: sha256_hex(&model),
    };
    let written = match &args.out {
        Some(dir) => Some(write_outputs(dir, &runner, &summary, &model)?),
        None => None,
    };
    let mut text = summary_text(&summary);
    if let Some(files) = written {
        let _ = writeln!(text, "{:16}{}", "wrote", files);
    }
    print_out(text)
}

/// The experiment of a preset name or a link: a link's warnings go to stderr, its
/// `run=N` becomes a budget of N steps (the replay config, as the page trains it).
/// An undecodable link is a usage error (exit code 2).
pub(crate) fn resolve(target: &str) -> Result<(ExperimentConfig, Option<DecodedLink>), CliError> {
    if !is_link(target) {
        return preset(target).map(|c| (c, None)).ok_or_else(|| CliError {
            code: 2,
            message: format!("unknown preset '{target}'"),
        });
    }
    let d = decode_link(target).map_err(|e| CliError {
        code: 2,
        message: format!("cannot read the link: {e}"),
    })?;
    for w in &d.warnings {
        eprintln!("gradlab: link: {w}");
    }
    Ok((d.replay_config(), Some(d)))
}

/// When the link carried weights trained for exactly the steps just run, say whether
/// the replay reproduced them bit for bit.
fn report_replay(link: &DecodedLink, weights: &[NamedWeight], steps: u64) {
    let Some(expected) = &link.weights else {
        return;
    };
    if link.steps != Some(steps) {
        return;
    }
    let bits = |w: &[NamedWeight]| -> Vec<u32> {
        w.iter()
            .flat_map(|t| t.data.iter().map(|v| v.to_bits()))
            .collect()
    };
    if bits(expected) == bits(weights) {
        eprintln!("gradlab: replay: the weights equal the link's, bit for bit");
    } else {
        eprintln!(
            "gradlab: replay: the weights differ from the link's (another backend or device \
             gives other rounding)"
        );
    }
}

/// The end-of-run summary, one `name  value` line each.
fn summary_text(s: &RunSummary) -> String {
    let mut t = String::new();
    let mut line = |k: &str, v: String| {
        let _ = writeln!(t, "{k:16}{v}");
    };
    line("preset", s.preset.to_string());
    if s.device == s.backend {
        line("backend", s.backend.to_string());
    } else {
        line("backend", format!("{} ({})", s.backend, s.device));
    }
    line("steps", format!("{} ({} epochs)", s.steps, s.epochs));
    line("train loss", format!("{:.6}", s.final_point.train_loss));
    line("test loss", format!("{:.6}", s.final_point.test_loss));
    for (name, value) in metric_list(&s.final_point.metrics) {
        line(name, format!("{value:.6}"));
    }
    line("elapsed", format!("{:.3} s", s.elapsed_s));
    line("steps/s", format!("{:.1}", s.steps_per_s));
    if let Some(t) = s.tokens_per_s {
        line("tokens/s", format!("{t:.0}"));
    }
    line("weights_sha256", s.weights_sha256.clone());
    t
}

/// The scalar metrics that are set, in a fixed order.
pub(crate) fn metric_list(m: &Metrics) -> Vec<(&'static str, f64)> {
    [
        ("accuracy", m.accuracy),
        ("precision", m.precision),
        ("recall", m.recall),
        ("f1", m.f1),
        ("mse", m.mse),
        ("mae", m.mae),
        ("r2", m.r2),
        ("bits/char", m.bits_per_char),
        ("perplexity", m.perplexity),
        ("train bits/char", m.train_bits_per_char),
        ("train ppl", m.train_perplexity),
        ("exact match", m.exact_match),
        ("token accuracy", m.token_accuracy),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k, v)))
    .collect()
}

/// A progress bar on stderr: redrawn in place on a terminal, a few plain lines
/// otherwise (logs and pipes).
struct Progress {
    total: u64,
    tty: bool,
    drawn_ms: f64,
    next_line_pct: u64,
    dirty: bool,
}

impl Progress {
    fn new(total: u64) -> Progress {
        let tty = std::io::stderr().is_terminal();
        Progress {
            total,
            tty,
            drawn_ms: f64::NEG_INFINITY,
            next_line_pct: 25,
            dirty: false,
        }
    }

    fn update(&mut self, p: &HistoryPoint, total: u64, elapsed_ms: f64) {
        self.total = total.max(1);
        let pct = p.step.saturating_mul(100) / self.total;
        let rate = p.step as f64 / (elapsed_ms / 1000.0).max(1e-9);
        let text = format!(
            "{} {:>7}/{} steps  {:>9.1} steps/s  train loss {:.5}  test loss {:.5}",
            bar(p.step, self.total, 24),
            p.step,
            self.total,
            rate,
            p.train_loss,
            p.test_loss
        );
        let mut err = std::io::stderr().lock();
        if self.tty {
            // Redraw at most 20 times a second, and always at the end.
            if elapsed_ms - self.drawn_ms >= 50.0 || p.step >= self.total {
                let _ = write!(err, "\r{text}\x1b[K");
                let _ = err.flush();
                self.drawn_ms = elapsed_ms;
                self.dirty = true;
            }
        } else if pct >= self.next_line_pct {
            let _ = writeln!(err, "{text}");
            self.next_line_pct = (pct / 25 + 1) * 25;
        }
    }

    fn finish(&mut self) {
        if self.tty && self.dirty {
            let _ = writeln!(std::io::stderr());
        }
    }
}

/// `[#####.....]` with `width` cells.
fn bar(done: u64, total: u64, width: u64) -> String {
    let filled = (done.min(total).saturating_mul(width) / total.max(1)) as usize;
    format!(
        "[{}{}]",
        "#".repeat(filled),
        ".".repeat(width as usize - filled)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_fills_in_proportion_and_never_overflows() {
        for total in [1u64, 7, 100] {
            for done in 0..=total + 3 {
                let b = bar(done, total, 10);
                let filled = b.matches('#').count() as u64;
                assert_eq!(b.len(), 12);
                assert_eq!(filled, done.min(total) * 10 / total);
            }
        }
    }

    #[test]
    fn metric_list_keeps_only_the_set_metrics_in_order() {
        let m = Metrics {
            mse: Some(0.5),
            r2: Some(0.9),
            ..Metrics::default()
        };
        assert_eq!(metric_list(&m), vec![("mse", 0.5), ("r2", 0.9)]);
    }
}
