//! `gradlab sample --model FILE [--prompt TEXT] [--chars N] [--temperature T]
//! [--top-k K] [--seed S]`: text from a character language model. Deterministic for a
//! seed: the model runs on the CPU backend and the draws come from the seeded generator
//! (see `experiment::runner_text_infer`), so the page's CPU backend gives the same text.
//! The vocabulary comes from the file's metadata. A file that is no character language
//! model, an empty prompt or a character outside the vocabulary is exit code 2.

use super::args::{unknown_flag, UsageError};
use super::CliError;
use crate::backend::Device;
use crate::data::text::CharVocab;
use crate::experiment::{
    from_safetensors, parse_vocab, safetensors_metadata, ExperimentConfig, Runner, SampleOptions,
    TextVocab, VOCAB_KEY,
};
use crate::platform::block_on;
use std::path::{Path, PathBuf};

/// Arguments of `gradlab sample`.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleArgs {
    /// The model file.
    pub model: PathBuf,
    /// Text the sample continues (the default: a newline, as nanoGPT's `sample.py`).
    pub prompt: String,
    /// How to draw.
    pub options: SampleOptions,
}

// The options are checked finite when parsed, so equality is an equivalence.
impl Eq for SampleArgs {}

const FLAGS: &[&str] = &[
    "--model",
    "--prompt",
    "--chars",
    "--temperature",
    "--top-k",
    "--seed",
    "--help",
];

/// Most characters one call samples.
pub const MAX_SAMPLE_CHARS: usize = 100_000;

/// Parse `sample`'s arguments (after the command name).
pub fn parse_sample(rest: &[String]) -> Result<SampleArgs, UsageError> {
    let mut model = None;
    let mut args = SampleArgs {
        model: PathBuf::new(),
        prompt: "\n".into(),
        options: SampleOptions {
            chars: 500,
            temperature: 0.8,
            top_k: None,
            seed: 1,
        },
    };
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        if !FLAGS.contains(&flag) || flag == "--help" {
            return Err(match flag.starts_with("--") {
                true => unknown_flag(flag, FLAGS),
                false => UsageError(format!("unexpected argument '{arg}'")),
            });
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| UsageError(format!("{flag} needs a value")))?;
        let number = |what: &str| UsageError(format!("{flag} needs {what}, got '{value}'"));
        match flag {
            "--model" => model = Some(PathBuf::from(&value)),
            "--prompt" => args.prompt = value.clone(),
            "--chars" => {
                args.options.chars = value
                    .parse()
                    .ok()
                    .filter(|&n| n <= MAX_SAMPLE_CHARS)
                    .ok_or_else(|| number(&format!("a count up to {MAX_SAMPLE_CHARS}")))?
            }
            "--temperature" => {
                args.options.temperature = value
                    .parse()
                    .ok()
                    .filter(|t: &f32| t.is_finite() && *t >= 0.0)
                    .ok_or_else(|| number("a number >= 0"))?
            }
            "--top-k" => {
                args.options.top_k = Some(
                    value
                        .parse()
                        .ok()
                        .filter(|&k: &usize| k >= 1)
                        .ok_or_else(|| number("a whole number >= 1"))?,
                )
            }
            _ => args.options.seed = value.parse().map_err(|_| number("a whole number"))?,
        }
    }
    args.model = model.ok_or_else(|| {
        UsageError("sample needs --model FILE (a model.safetensors from gradlab)".into())
    })?;
    Ok(args)
}

/// An error about the model file or the prompt: exit code 2.
fn bad(what: impl std::fmt::Display) -> CliError {
    CliError {
        code: 2,
        message: what.to_string(),
    }
}

/// The runner a text model file describes (on the CPU, with its weights) and its
/// vocabulary.
pub(crate) fn load_text_model(path: &Path) -> Result<(Runner, TextVocab), CliError> {
    let named = |e: &dyn std::fmt::Display| bad(format!("{}: {e}", path.display()));
    let bytes = std::fs::read(path).map_err(|e| named(&e))?;
    let (weights, config) = from_safetensors(&bytes).map_err(|e| named(&e))?;
    let config = config.ok_or_else(|| named(&"has no gradlab config in its metadata"))?;
    let config: ExperimentConfig =
        serde_json::from_str(&config).map_err(|e| named(&format!("bad config: {e}")))?;
    let vocab = safetensors_metadata(&bytes, VOCAB_KEY).map_err(|e| named(&e))?;
    let Some(vocab) = vocab else {
        return Err(named(&format!(
            "is a model of {}, not a text model (it has no vocabulary)",
            config.data.name()
        )));
    };
    let vocab = parse_vocab(&vocab).map_err(|e| named(&e))?;
    let mut runner = Runner::new(config, Device::Cpu).map_err(|e| named(&e))?;
    runner.load_weights(&weights).map_err(|e| named(&e))?;
    Ok((runner, vocab))
}

/// Sample and print the text (the prompt, then what the model wrote).
pub fn sample(args: &SampleArgs) -> Result<(), CliError> {
    let (runner, vocab) = load_text_model(&args.model)?;
    let TextVocab::Chars(chars) = vocab else {
        return Err(bad(format!(
            "{}: is a model of {}, not a character language model (use gradlab predict)",
            args.model.display(),
            runner.config().data.name()
        )));
    };
    let vocab = CharVocab::from_chars(chars.chars().collect()).map_err(bad)?;
    let text = block_on(runner.sample_text(&vocab, &args.prompt, &args.options))
        .map_err(|e| bad(e.to_string().trim_start_matches("format: ").to_string()))?;
    super::print_out(format!("{}{text}\n", args.prompt))
}

/// `gradlab help sample`.
pub const SAMPLE_HELP: &str = "\
usage: gradlab sample --model FILE [--prompt TEXT] [--chars N] [--temperature T]
                      [--top-k K] [--seed S]

Text from a character language model (a model.safetensors of shakespeare-char or
another text preset, from `gradlab run --out DIR` or the page). Prints the prompt and
its continuation. The same seed gives the same text (the model runs on the CPU, as the
page's CPU backend does).

  --prompt TEXT   the text to continue (default: a newline); every character must be
                  in the model's vocabulary
  --chars N       characters to write (default 500, at most 100000)
  --temperature T divide the logits by T (default 0.8; 0 picks the most likely)
  --top-k K       draw among the K most likely characters only
  --seed S        seed of the draws (default 1)
";
