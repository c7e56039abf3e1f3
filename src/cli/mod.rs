//! The native command line: `gradlab presets`, `gradlab run`, `gradlab link`,
//! `gradlab bench`.
//!
//! Exit codes: 0 success; 1 a failure while working (no GPU, training diverged, a file
//! could not be written); 2 a command line that cannot be understood, or a configuration
//! it asks for that is invalid. Messages go to stderr, results to stdout.

pub mod args;
pub mod bench;
pub mod cost;
pub mod export;
mod output;
mod plot;
pub mod predict;
mod predict_text;
pub(crate) mod run;
pub mod sample;
pub mod suggest;
pub mod translate;

pub use args::{parse, BenchArgs, Command, RunArgs, UsageError};
pub use plot::loss_svg;

use crate::error::Error;
use crate::experiment::{encode_link, presets};
use std::io::Write;
use std::process::ExitCode;

/// A failure with the exit code it maps to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliError {
    /// The process exit code (1 or 2).
    pub code: u8,
    /// What to tell the user.
    pub message: String,
}

impl CliError {
    /// A failure while working (exit code 1).
    pub fn failed(message: impl Into<String>) -> CliError {
        CliError {
            code: 1,
            message: message.into(),
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> CliError {
        // An invalid configuration here comes from the command line (presets are valid).
        let code = if matches!(e, Error::Config(_)) { 2 } else { 1 };
        CliError {
            code,
            message: e.to_string(),
        }
    }
}

impl From<UsageError> for CliError {
    fn from(e: UsageError) -> CliError {
        CliError {
            code: 2,
            message: e.0,
        }
    }
}

/// The program: parse `std::env::args`, run the command, map failures to exit codes.
pub fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run_command(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gradlab: error: {}", e.message);
            if e.code == 2 {
                eprintln!("(see `gradlab --help`)");
            }
            ExitCode::from(e.code)
        }
    }
}

/// Parse and run one command line (the arguments after the program name).
pub fn run_command(args: &[String]) -> Result<(), CliError> {
    match parse(args)? {
        Command::Help(topic) => print_out(help(topic)),
        Command::Version => print_out(format!("gradlab {}\n", env!("CARGO_PKG_VERSION"))),
        Command::Presets => print_out(presets_list()),
        Command::PresetCosts => print_out(cost::preset_cost_table()),
        Command::Run(a) => run::run(&a),
        Command::Link(target) => {
            let (config, decoded) = run::resolve(&target)?;
            // A link keeps its own config and steps; a preset has no steps yet.
            let (config, steps) = match decoded {
                Some(d) => (d.config, d.steps),
                None => (config, None),
            };
            // Printing a link costs nothing, but say what running it would cost.
            let (cost, verdict) = crate::experiment::assess(&config, &cost::native_ceiling(None));
            if !verdict.fits() {
                eprintln!(
                    "gradlab: note: {}; `gradlab run` needs --allow-large for it",
                    verdict.message(&cost)
                );
            }
            let link = encode_link(&config, steps, None)?;
            print_out(format!("{}\n", link.fragment))
        }
        Command::Bench(a) => bench::bench(&a),
        Command::Predict(a) => predict::predict(&a),
        Command::Export(a) => export::export(&a),
        Command::Sample(a) => sample::sample(&a),
        Command::Translate(a) => translate::translate(&a),
    }
}

/// Write to stdout; a closed pipe (`gradlab presets | head -1`) is not an error.
pub(crate) fn print_out(text: impl AsRef<str>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out
        .write_all(text.as_ref().as_bytes())
        .and_then(|_| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// One line per preset: the name, padded, and its summary.
pub fn presets_list() -> String {
    let width = presets().iter().map(|p| p.name.len()).max().unwrap_or(0);
    presets()
        .iter()
        .map(|p| format!("{:width$}  {}\n", p.name, p.summary))
        .collect()
}

/// The help text: the overview, or one command's usage.
pub fn help(topic: Option<&str>) -> String {
    let text = match topic {
        Some("presets") => PRESETS_HELP,
        Some("run") => return RUN_HELP.replace("{LIMITS}", &limits_text()),
        Some("link") => LINK_HELP,
        Some("bench") => BENCH_HELP,
        Some("predict") => PREDICT_HELP,
        Some("export") => export::EXPORT_HELP,
        Some("sample") => sample::SAMPLE_HELP,
        Some("translate") => translate::TRANSLATE_HELP,
        _ => OVERVIEW,
    };
    text.to_string()
}

/// The default cost limits in words, two to a line: `100 MFLOP per step, 500 MFLOP per
/// evaluation,` / `512 MiB held, 128 MiB in one buffer`.
fn limits_text() -> String {
    use crate::experiment::{Measure, DEFAULT_COST_LIMITS as L};
    [
        Measure::StepFlops.describe(L.step_flops),
        Measure::EvalFlops.describe(L.eval_flops),
        Measure::HeldBytes.describe(L.held_bytes as f64),
        Measure::BufferBytes.describe(L.buffer_bytes as f64),
    ]
    .chunks(2)
    .map(|pair| pair.join(", "))
    .collect::<Vec<_>>()
    .join(",\n                ")
}

const OVERVIEW: &str = "\
gradlab: a neural-network lab (tensors, autograd, CPU and WebGPU backends)

usage:
  gradlab presets [--cost]        list the named experiments (or what each costs)
  gradlab run PRESET [options]    train a preset, print a summary
  gradlab run LINK [options]      replay an experiment link (from the page)
  gradlab link PRESET             print a preset's experiment link
  gradlab predict --model FILE INPUT...
                                  a trained model's answer for CSV rows or PNG pictures
                                  (or sentences, for a sentiment model: --text)
  gradlab sample --model FILE [--prompt TEXT] [--chars N] [--temperature T] [--top-k K]
                                  text from a character language model
  gradlab translate --model FILE [--beam K] TEXT...
                                  ISO dates from a dates translator (translate-dates)
  gradlab bench [options]         CPU (and GPU) throughput table
  gradlab export PRESET|LINK --pytorch DIR
                                  the experiment as a PyTorch project (torchrun-ready)
  gradlab help [COMMAND]          this text, or one command's usage
  gradlab --version

Exit codes: 0 ok, 1 failure while working, 2 bad command line, or an experiment over
the cost limits (see `gradlab help run`, --allow-large).
";

const PRESETS_HELP: &str = "\
usage: gradlab presets [--cost]

List the named experiments, one per line.

  --cost        instead, a table of what each costs: parameters, FLOPs of one step and
                of one evaluation, bytes held, the largest buffer, steps and total FLOPs
";

const RUN_HELP: &str = "\
usage: gradlab run PRESET|LINK [--backend cpu|gpu|auto] [--steps N] [--seed S] [--out DIR]
                  [--allow-large]

Train a preset, or replay an experiment link (a full URL, '#v=1&...' or 'v=1&...';
quote it for the shell), with a progress bar on stderr, then print the final losses,
metrics, elapsed time, steps/s and the SHA-256 of the weights file. A link's `run=N`
trains N steps; its warnings (values it could not take) go to stderr.

  --backend B   cpu (default for a preset; a link's own backend otherwise), gpu, or
                auto (the GPU when an adapter exists)
  --steps N     train exactly N optimizer steps instead of the preset's budget
  --seed S      seed of data, split, initial weights and batch order
  --out DIR     write DIR/metrics.json, model.safetensors, data.csv, loss.svg
  --allow-large run an experiment over the default cost limits; without it such a
                run is refused with its cost and exit code 2. Never past what the
                machine can hold (3/4 of its memory; the GPU's buffer limits).
                The default limits: {LIMITS}
";

const LINK_HELP: &str = "\
usage: gradlab link PRESET|LINK

Print the canonical experiment link ('#v=1&...') of a preset, or of a link (which
then shows its warnings on stderr). `gradlab run '<link>'` replays it; the page opens
it after the '#' of its address.
An experiment over the cost limits is printed too, with its cost as a note on stderr
(`gradlab run` needs --allow-large for it).
";

const PREDICT_HELP: &str = "\
usage: gradlab predict --model FILE [--json] [--backend cpu|gpu|auto] INPUT...

What a trained model says about new inputs. FILE is a model.safetensors written by
`gradlab run --out DIR` or downloaded from the page; its metadata holds the experiment,
which says how inputs are prepared (the training set's feature map and standardisation).

Each INPUT is a CSV file of raw rows (as the data set's own columns: x1,x2 for a 2-D
point, the pixels of an image set; a header line is skipped), or, for an image preset,
a PNG picture of any size: its ink is cropped, scaled and centred the way the data set's
images were made (light or dark background, any colour type).
Prints, per input, the predicted class with every class's probability (or the predicted
values of a regression, in their original units).

  --json        print the same as JSON
  --backend B   run the model on cpu (default), gpu or auto
";

const BENCH_HELP: &str = "\
usage: gradlab bench [--backend cpu|gpu|auto] [--json] [--job NAME]

CPU matmul GFLOP/s (n = 128 to 1024), training steps/s of the spiral and digits
presets and of the peer jobs (the MLPs in steps/s, the shakespeare-char GPT in
tokens/s and the mnist-cnn net in images/s, timed against PyTorch); GPU
rows (plain, tiled and register-blocked matmul up to n = 2048, per-dispatch overhead, training) when an
adapter exists. Every matmul kernel is validated against a naive product before it is
timed. CPU threads: GRADLAB_THREADS (default: every core).

  --backend B   cpu rows only, gpu rows only, or auto (default: CPU, and GPU when
                an adapter exists)
  --json        print the same numbers as JSON
  --job NAME    time one job only (mlp-small-b32, mlp-small-full, mlp-big-b256,
                gpt-small, cnn-mnist, matmul-256, matmul-1024), on the CPU unless
                --backend gpu
";
