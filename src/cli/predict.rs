//! `gradlab predict --model FILE INPUT...`: what a trained model says about new inputs.
//!
//! The model file (`model.safetensors` from `gradlab run --out`, or the page's download)
//! carries its experiment's config in its metadata. The config rebuilds the data (so
//! inputs get the training set's feature map and standardisation) and the model, which
//! then takes the file's weights. Inputs are CSV files of raw rows (a header line is
//! skipped) or PNG pictures, which are turned into the model's input as the pad does.
//! Any file that does not fit is an error naming it (exit 2), never a panic.

use super::args::{parse_backend, unknown_flag, UsageError};
use super::CliError;
use crate::data::Ink;
use crate::error::Error;
use crate::experiment::{from_safetensors, ExperimentConfig, Prediction, Runner};
use crate::platform::block_on;
use std::path::{Path, PathBuf};

/// Arguments of `gradlab predict`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PredictArgs {
    /// The model file.
    pub model: PathBuf,
    /// CSV or PNG files.
    pub inputs: Vec<PathBuf>,
    /// Print JSON instead of a table.
    pub json: bool,
    /// Run the model on this backend (the CPU by default).
    pub backend: Option<crate::experiment::BackendChoice>,
}

const FLAGS: &[&str] = &["--model", "--json", "--backend", "--help"];

/// Largest input file read (a picture or a table of rows).
const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Parse `predict`'s arguments (after the command name).
pub fn parse_predict(rest: &[String]) -> Result<PredictArgs, UsageError> {
    let (mut model, mut backend, mut json, mut inputs) = (None, None, false, Vec::new());
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        match flag {
            "--json" if inline.is_none() => json = true,
            "--model" | "--backend" => {
                let value = match inline.or_else(|| it.next().cloned()) {
                    Some(v) if !v.is_empty() => v,
                    _ => return Err(UsageError(format!("{flag} needs a value"))),
                };
                let seen = if flag == "--model" {
                    model.replace(PathBuf::from(value)).is_some()
                } else {
                    backend.replace(parse_backend(&value)?).is_some()
                };
                if seen {
                    return Err(UsageError(format!("{flag} is given more than once")));
                }
            }
            f if f.starts_with("--") => return Err(unknown_flag(f, FLAGS)),
            _ => inputs.push(PathBuf::from(arg)),
        }
    }
    let model = model.ok_or_else(|| {
        UsageError("predict needs --model FILE (a model.safetensors from gradlab)".into())
    })?;
    if inputs.is_empty() {
        return Err(UsageError(
            "predict needs at least one input: a CSV of rows or a PNG picture".into(),
        ));
    }
    Ok(PredictArgs {
        model,
        inputs,
        json,
        backend,
    })
}

/// An error about one file: exit code 2 (the input does not fit), naming it.
fn bad_file(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError {
        code: 2,
        message: format!("{}: {why}", path.display()),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    let meta = std::fs::metadata(path).map_err(|e| bad_file(path, e))?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(bad_file(
            path,
            format!(
                "{} bytes is more than the {MAX_INPUT_BYTES} read",
                meta.len()
            ),
        ));
    }
    std::fs::read(path).map_err(|e| bad_file(path, e))
}

/// The runner the model file describes, with its weights.
fn load_model(path: &Path, args: &PredictArgs) -> Result<Runner, CliError> {
    let bytes = read_file(path)?;
    let (weights, config) = from_safetensors(&bytes).map_err(|e| bad_file(path, e))?;
    let config = config.ok_or_else(|| {
        bad_file(
            path,
            "has no gradlab config in its metadata (was it written by gradlab?)",
        )
    })?;
    let config: ExperimentConfig = serde_json::from_str(&config)
        .map_err(|e| bad_file(path, format!("its config cannot be read: {e}")))?;
    let (device, notice) = super::run::select_device(
        args.backend
            .unwrap_or(crate::experiment::BackendChoice::Cpu),
    )?;
    if let Some(n) = notice {
        eprintln!("gradlab: {n}");
    }
    let mut runner = Runner::new(config, device).map_err(|e| bad_file(path, e))?;
    runner
        .load_weights(&weights)
        .map_err(|e| bad_file(path, e))?;
    Ok(runner)
}

/// One input file as raw rows, each with its label (`file.csv:3`, `digit.png`).
fn read_rows(path: &Path, runner: &Runner) -> Result<Vec<(String, Vec<f32>)>, CliError> {
    let bytes = read_file(path)?;
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        let ink = decode_png(&bytes).map_err(|e| bad_file(path, e))?;
        let row = runner.ink_row(&ink).map_err(|e| bad_file(path, e))?;
        return Ok(vec![(path.display().to_string(), row)]);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| bad_file(path, "is neither a PNG picture nor a CSV text file"))?;
    let width = runner.raw_width();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let values: Result<Vec<f32>, _> = line.split(',').map(|v| v.trim().parse()).collect();
        match values {
            // A first line of names is a header.
            Err(_) if rows.is_empty() && i == 0 => continue,
            Err(_) => {
                return Err(bad_file(
                    path,
                    format!("line {}: `{line}` is not a row of numbers", i + 1),
                ))
            }
            Ok(v) if v.len() != width => {
                return Err(bad_file(
                    path,
                    format!(
                        "line {}: {} values, but the model takes rows of {width}",
                        i + 1,
                        v.len()
                    ),
                ))
            }
            Ok(v) if v.iter().any(|x| !x.is_finite()) => {
                return Err(bad_file(
                    path,
                    format!("line {}: a value is not finite", i + 1),
                ))
            }
            Ok(v) => rows.push((format!("{}:{}", path.display(), i + 1), v)),
        }
    }
    if rows.is_empty() {
        return Err(bad_file(path, "holds no rows"));
    }
    Ok(rows)
}

/// Most pixels of a picture decoded (a guard against a huge declared size).
const MAX_PIXELS: u64 = 40_000_000;

/// A PNG picture as ink: any colour type and bit depth, transparency over white.
fn decode_png(bytes: &[u8]) -> Result<Ink, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder
        .read_info()
        .map_err(|e| format!("not a readable PNG: {e}"))?;
    let info = reader.info();
    let (w, h) = (info.width as usize, info.height as usize);
    if w == 0 || h == 0 || (w as u64) * (h as u64) > MAX_PIXELS {
        return Err(format!(
            "a {w}x{h} picture is not read (at most {MAX_PIXELS} pixels)"
        ));
    }
    let size = reader
        .output_buffer_size()
        .ok_or("the picture is too large to decode")?;
    let mut buf = vec![0u8; size];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("not a readable PNG: {e}"))?;
    let channels = frame.color_type.samples();
    let data = &buf[..frame.buffer_size()];
    let luminance: Vec<f32> = data
        .chunks_exact(channels)
        .map(|px| {
            let v = |i: usize| px[i] as f32 / 255.0;
            let (lum, alpha) = match channels {
                1 => (v(0), 1.0),
                2 => (v(0), v(1)),
                3 => (0.299 * v(0) + 0.587 * v(1) + 0.114 * v(2), 1.0),
                _ => (0.299 * v(0) + 0.587 * v(1) + 0.114 * v(2), v(3)),
            };
            // Over a white page.
            lum * alpha + (1.0 - alpha)
        })
        .collect();
    if luminance.len() != w * h {
        return Err("the picture's pixel data is incomplete".into());
    }
    Ok(Ink::from_luminance(w, h, &luminance))
}

/// Run `gradlab predict`.
pub fn predict(args: &PredictArgs) -> Result<(), CliError> {
    let runner = load_model(&args.model, args)?;
    // A translator's file is refused there, with a pointer to `gradlab translate`.
    if runner.config().data.text().is_some() || runner.is_translator() {
        return super::predict_text::predict_text(args, &runner);
    }
    let mut labels = Vec::new();
    let mut raw = Vec::new();
    for path in &args.inputs {
        for (label, row) in read_rows(path, &runner)? {
            labels.push(label);
            raw.extend(row);
        }
    }
    let prediction =
        block_on(runner.predict_raw(&raw, labels.len())).map_err(|e: Error| CliError::from(e))?;
    super::print_out(if args.json {
        json(&labels, &prediction)
    } else {
        table(&labels, &prediction)
    })
}

/// One line per input: the predicted class and its probability, then every class's.
fn table(labels: &[String], p: &Prediction) -> String {
    let width = labels.iter().map(String::len).max().unwrap_or(0);
    let mut out = String::new();
    for (i, label) in labels.iter().enumerate() {
        let line = match p {
            Prediction::Classes {
                names,
                probabilities,
            } => {
                let probs = &probabilities[i];
                let best = argmax(probs);
                let all: Vec<String> = names
                    .iter()
                    .zip(probs)
                    .map(|(n, v)| format!("{n}:{v:.3}"))
                    .collect();
                format!("{} ({:.3})  {}", names[best], probs[best], all.join(" "))
            }
            Prediction::Values { values } => {
                let v: Vec<String> = values[i].iter().map(|v| format!("{v:.6}")).collect();
                v.join(" ")
            }
        };
        out.push_str(&format!("{label:width$}  {line}\n"));
    }
    out
}

fn argmax(v: &[f32]) -> usize {
    (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b })
}

/// `[{"input": ..., "predicted": ..., "probabilities": {...}}]` or `"values": [...]`.
fn json(labels: &[String], p: &Prediction) -> String {
    let items: Vec<serde_json::Value> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| match p {
            Prediction::Classes {
                names,
                probabilities,
            } => {
                let probs = &probabilities[i];
                let map: serde_json::Map<String, serde_json::Value> = names
                    .iter()
                    .zip(probs)
                    .map(|(n, &v)| (n.clone(), serde_json::json!(v)))
                    .collect();
                serde_json::json!({
                    "input": label,
                    "predicted": names[argmax(probs)],
                    "probabilities": map,
                })
            }
            Prediction::Values { values } => {
                serde_json::json!({ "input": label, "values": values[i] })
            }
        })
        .collect();
    format!(
        "{}\n",
        serde_json::to_string_pretty(&items).expect("plain values serialise")
    )
}
