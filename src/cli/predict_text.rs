//! `gradlab predict` for a sentiment model: each INPUT is a text file of sentences (one
//! per line) or, when no such file exists, a sentence itself. Prints each sentence's
//! class and probabilities. A character language model is sent to `gradlab sample`.

use super::predict::PredictArgs;
use super::CliError;
use crate::data::text::WordVocab;
use crate::experiment::{parse_vocab, safetensors_metadata, Runner, TextVocab, VOCAB_KEY};
use crate::platform::block_on;
use std::fmt::Write as _;

/// Most sentences one call classifies.
const MAX_SENTENCES: usize = 100_000;

fn bad(message: String) -> CliError {
    CliError { code: 2, message }
}

/// The sentences of the inputs, each with its label (`file:line` or the sentence).
fn sentences(args: &PredictArgs) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    for input in &args.inputs {
        if input.is_file() {
            let text = std::fs::read_to_string(input)
                .map_err(|e| bad(format!("{}: not a UTF-8 text file ({e})", input.display())))?;
            for (i, line) in text.lines().enumerate() {
                if !line.trim().is_empty() {
                    out.push((format!("{}:{}", input.display(), i + 1), line.to_string()));
                }
            }
        } else {
            let s = input.to_string_lossy().to_string();
            if s.trim().is_empty() {
                return Err(bad("an input sentence is empty".into()));
            }
            out.push((s.clone(), s));
        }
        if out.len() > MAX_SENTENCES {
            return Err(bad(format!("more than {MAX_SENTENCES} sentences")));
        }
    }
    if out.is_empty() {
        return Err(bad("the inputs hold no sentence".into()));
    }
    Ok(out)
}

/// Classify the inputs' sentences with the sentiment model `runner` loaded from
/// `args.model`.
pub fn predict_text(args: &PredictArgs, runner: &Runner) -> Result<(), CliError> {
    let named = |e: &dyn std::fmt::Display| bad(format!("{}: {e}", args.model.display()));
    let bytes = std::fs::read(&args.model).map_err(|e| named(&e))?;
    let vocab = safetensors_metadata(&bytes, VOCAB_KEY)
        .map_err(|e| named(&e))?
        .ok_or_else(|| named(&"a text model without its vocabulary"))?;
    let words = match parse_vocab(&vocab).map_err(|e| named(&e))? {
        TextVocab::Words(w) => WordVocab::from_words(w),
        TextVocab::Chars(_) => {
            return Err(named(
                &"is a character language model, not a classifier (use gradlab sample)",
            ))
        }
        TextVocab::Dates { .. } => {
            return Err(named(
                &"is a dates translator, not a classifier (use gradlab translate)",
            ))
        }
    };
    let inputs = sentences(args)?;
    let texts: Vec<String> = inputs.iter().map(|(_, s)| s.clone()).collect();
    let probs = block_on(runner.classify_sentences(&words, &texts)).map_err(|e| named(&e))?;
    let names = ["negative", "positive"];
    let mut out = String::new();
    if args.json {
        let rows: Vec<serde_json::Value> = inputs
            .iter()
            .zip(&probs)
            .map(|((label, _), p)| {
                let best = usize::from(p.get(1) > p.first());
                serde_json::json!({
                    "input": label,
                    "class": names[best],
                    "probabilities": {"negative": p[0], "positive": p[1]},
                })
            })
            .collect();
        let _ = writeln!(out, "{}", serde_json::Value::Array(rows));
    } else {
        for ((label, _), p) in inputs.iter().zip(&probs) {
            let best = usize::from(p.get(1) > p.first());
            let _ = writeln!(
                out,
                "{label}\t{} {:.4}  (negative {:.4}, positive {:.4})",
                names[best], p[best], p[0], p[1]
            );
        }
    }
    super::print_out(out)
}
