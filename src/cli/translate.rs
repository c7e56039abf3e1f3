//! `gradlab translate --model FILE [--beam K] TEXT...`: the ISO date of each written
//! date, from a dates translator (`translate-dates`). One line per text, `TEXT<tab>ISO`.
//! The model runs on the CPU backend; `--beam 1` (the default) is greedy decoding,
//! 2 to 5 beam search. A file that is no dates translator, an empty text, a character
//! the model never saw, a text too long or a width out of range is exit code 2.

use super::args::{unknown_flag, UsageError};
use super::sample::load_text_model;
use super::CliError;
use crate::experiment::TextVocab;
use crate::nn::decode::MAX_BEAM;
use crate::platform::block_on;
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `gradlab translate`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranslateArgs {
    /// The model file.
    pub model: PathBuf,
    /// Beam width (1: greedy).
    pub beam: usize,
    /// The written dates.
    pub texts: Vec<String>,
}

const FLAGS: &[&str] = &["--model", "--beam", "--help"];

/// Parse `translate`'s arguments (after the command name).
pub fn parse_translate(rest: &[String]) -> Result<TranslateArgs, UsageError> {
    let (mut model, mut beam, mut texts) = (None, 1, Vec::new());
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        if !arg.starts_with("--") {
            texts.push(arg.clone());
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        if !FLAGS.contains(&flag) || flag == "--help" {
            return Err(unknown_flag(flag, FLAGS));
        }
        let value = inline
            .or_else(|| it.next().cloned())
            .ok_or_else(|| UsageError(format!("{flag} needs a value")))?;
        match flag {
            "--model" => model = Some(PathBuf::from(value)),
            _ => {
                beam = value
                    .parse()
                    .ok()
                    .filter(|k| (1..=MAX_BEAM).contains(k))
                    .ok_or_else(|| {
                        UsageError(format!(
                            "--beam needs a width from 1 to {MAX_BEAM}, got '{value}'"
                        ))
                    })?
            }
        }
    }
    let model = model.ok_or_else(|| {
        UsageError("translate needs --model FILE (a translate-dates model.safetensors)".into())
    })?;
    if texts.is_empty() {
        return Err(UsageError(
            "translate needs at least one TEXT to translate (a written date)".into(),
        ));
    }
    Ok(TranslateArgs { model, beam, texts })
}

/// Translate and print `TEXT<tab>ISO` per text.
pub fn translate(args: &TranslateArgs) -> Result<(), CliError> {
    let (runner, vocab) = load_text_model(&args.model)?;
    let bad = |message: String| CliError { code: 2, message };
    if !matches!(vocab, TextVocab::Dates { .. }) || !runner.is_translator() {
        return Err(bad(format!(
            "{}: is a model of {}, not a dates translator (train translate-dates)",
            args.model.display(),
            runner.config().data.name()
        )));
    }
    let iso = block_on(runner.translate(&args.texts, args.beam))
        .map_err(|e| bad(e.to_string().trim_start_matches("format: ").to_string()))?;
    let mut out = String::new();
    for (text, iso) in args.texts.iter().zip(&iso) {
        let _ = writeln!(out, "{text}\t{iso}");
    }
    super::print_out(out)
}

/// `gradlab help translate`.
pub const TRANSLATE_HELP: &str = "\
usage: gradlab translate --model FILE [--beam K] TEXT...

The ISO date (YYYY-MM-DD) of each written date, from a dates translator (a
model.safetensors of translate-dates, from `gradlab run --out DIR`). Prints one line
per text: the text, a tab, the date. The model runs on the CPU.

  --beam K     beam search of width K (1 to 5; default 1: greedy decoding)

Write dates as the training formats do (\"3rd of March, 2021\", \"Mar 3 21\",
\"03.03.2021\", \"2021年3月3日\", ...), years 1950 to 2049.
";
