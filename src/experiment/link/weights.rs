//! Trained weights inside a link: small models only.
//!
//! Blob = base64url( `[format = 1]` `[first 8 bytes of SHA-256(payload)]`
//! `deflate(payload)` ), where payload = `u16` tensor count, then per tensor its name
//! (`u8` length + UTF-8) and shape (`u8` rank + `u32` dims), then every value as `f32`,
//! all little-endian, tensors in model order. Names and shapes travel with the values so
//! a blob that does not fit the link's model is refused by name, not misread.

use super::base64;
use super::shapes::model_shapes;
use super::MAX_WEIGHTS_CHARS;
use crate::error::{Error, Result};
use crate::experiment::{ExperimentConfig, NamedWeight};
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};

/// Most parameter values a link carries (16 KB of `f32`); bigger models use the file
/// export. Also bounds the decoder's output.
pub const MAX_WEIGHT_VALUES: usize = 4096;

/// The blob format byte.
const FORMAT: u8 = 1;
/// Checksum bytes kept from the SHA-256 of the payload.
const CHECKSUM_BYTES: usize = 8;
/// Largest payload the decoder inflates (values plus generous room for names).
const MAX_PAYLOAD: usize = 4 * MAX_WEIGHT_VALUES + 16 * 1024;

/// Why weights could not go into a link.
pub(super) enum EncodeFailure {
    /// The model is too big for a link (the message says so and points to the export).
    TooBig(String),
    /// The weights do not fit the config's model.
    Mismatch(Error),
}

fn mismatch(msg: String) -> Error {
    Error::Format(format!("weights do not match the model: {msg}"))
}

/// `weights` in the model order of `config`, each checked by name and shape; the
/// message names the first mismatch.
pub(super) fn in_model_order<'a>(
    weights: &'a [NamedWeight],
    config: &ExperimentConfig,
) -> Result<Vec<&'a NamedWeight>> {
    match_weights(weights, &model_shapes(config))
}

/// `weights` (any order) in the order of `want` (names and shapes), each checked: one
/// tensor per name, the shape, the value count, finite values, nothing extra. The error
/// names the first mismatch.
pub(crate) fn match_weights<'a>(
    weights: &'a [NamedWeight],
    want: &[(String, Vec<usize>)],
) -> Result<Vec<&'a NamedWeight>> {
    let mut out = Vec::with_capacity(want.len());
    for (name, shape) in want {
        let mut same = weights.iter().filter(|w| &w.name == name);
        let w = same
            .next()
            .ok_or_else(|| mismatch(format!("'{name}' {shape:?} is missing")))?;
        if same.next().is_some() {
            return Err(mismatch(format!("'{name}' is given twice")));
        }
        if &w.shape != shape {
            return Err(mismatch(format!(
                "'{name}' has shape {:?}, the model needs {shape:?}",
                w.shape
            )));
        }
        if w.data.len() != shape.iter().product::<usize>() {
            return Err(mismatch(format!(
                "'{name}' has {} values for shape {shape:?}",
                w.data.len()
            )));
        }
        if w.data.iter().any(|v| !v.is_finite()) {
            return Err(mismatch(format!("'{name}' holds NaN or infinite values")));
        }
        out.push(w);
    }
    if let Some(extra) = weights
        .iter()
        .find(|w| !want.iter().any(|(n, _)| *n == w.name))
    {
        return Err(mismatch(format!(
            "the model has no tensor '{}'",
            extra.name
        )));
    }
    Ok(out)
}

/// The blob text, or why not.
pub(super) fn try_encode(
    weights: &[NamedWeight],
    config: &ExperimentConfig,
) -> std::result::Result<String, EncodeFailure> {
    let ordered = in_model_order(weights, config).map_err(EncodeFailure::Mismatch)?;
    let values: usize = ordered.iter().map(|w| w.data.len()).sum();
    let too_big = |what: String| {
        EncodeFailure::TooBig(format!(
            "the model's weights are not in the link: {what}; use the safetensors export"
        ))
    };
    if values > MAX_WEIGHT_VALUES {
        return Err(too_big(format!(
            "{values} values, a link holds at most {MAX_WEIGHT_VALUES}"
        )));
    }
    let mut payload = Vec::with_capacity(2 + 4 * values + 32 * ordered.len());
    payload.extend((ordered.len() as u16).to_le_bytes());
    for w in &ordered {
        // Model names and ranks are short ("10.weight", rank 1 or 2).
        payload.push(w.name.len() as u8);
        payload.extend(w.name.as_bytes());
        payload.push(w.shape.len() as u8);
        for &d in &w.shape {
            payload.extend((d as u32).to_le_bytes());
        }
    }
    for w in &ordered {
        for v in &w.data {
            payload.extend(v.to_le_bytes());
        }
    }
    let mut blob = vec![FORMAT];
    blob.extend(&Sha256::digest(&payload)[..CHECKSUM_BYTES]);
    let mut z = DeflateEncoder::new(blob, Compression::best());
    let blob = z
        .write_all(&payload)
        .and_then(|_| z.finish())
        .map_err(|e| EncodeFailure::Mismatch(Error::Format(format!("deflate failed: {e}"))))?;
    let text = base64::encode(&blob);
    if text.len() > MAX_WEIGHTS_CHARS {
        return Err(too_big(format!(
            "they take {} characters, a link holds at most {MAX_WEIGHTS_CHARS}",
            text.len()
        )));
    }
    Ok(text)
}

/// The weights blob of `weights` for the model of `config` (any order in, model order
/// out). Errs naming the first mismatch, or when the model is too big for a link.
pub fn encode_weights(weights: &[NamedWeight], config: &ExperimentConfig) -> Result<String> {
    try_encode(weights, config).map_err(|f| match f {
        EncodeFailure::TooBig(m) => Error::Format(m),
        EncodeFailure::Mismatch(e) => e,
    })
}

/// Reads bytes off the front of a slice, every read bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(Error::Format("the weights blob is truncated".into()));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
}

/// Decodes a weights blob and checks it against the model of `config`: format,
/// checksum, then each tensor's name and shape in order; the error names the first
/// mismatch.
pub fn decode_weights(blob: &str, config: &ExperimentConfig) -> Result<Vec<NamedWeight>> {
    let bytes = base64::decode(blob.trim())
        .map_err(|e| Error::Format(format!("the weights blob is not base64url: {e}")))?;
    let mut r = Reader(&bytes);
    let format = r.u8()?;
    if format != FORMAT {
        return Err(Error::Format(format!(
            "weights blob format {format} is unknown (this version reads {FORMAT})"
        )));
    }
    let checksum = r.take(CHECKSUM_BYTES)?;
    let mut payload = Vec::new();
    DeflateDecoder::new(r.0)
        .take(MAX_PAYLOAD as u64 + 1)
        .read_to_end(&mut payload)
        .map_err(|e| Error::Format(format!("the weights blob does not inflate: {e}")))?;
    if payload.len() > MAX_PAYLOAD {
        return Err(Error::Format(format!(
            "the weights blob inflates past {MAX_PAYLOAD} bytes"
        )));
    }
    if Sha256::digest(&payload)[..CHECKSUM_BYTES] != *checksum {
        return Err(Error::Format(
            "the weights blob fails its checksum (the link was damaged or edited)".into(),
        ));
    }
    let want = model_shapes(config);
    let mut p = Reader(&payload);
    let count = u16::from_le_bytes([p.u8()?, p.u8()?]) as usize;
    for (i, (name, shape)) in want.iter().enumerate() {
        if i >= count {
            return Err(mismatch(format!("the link lacks '{name}' {shape:?}")));
        }
        let len = p.u8()? as usize;
        let got = String::from_utf8_lossy(p.take(len)?).into_owned();
        let rank = p.u8()? as usize;
        let mut dims = Vec::with_capacity(rank);
        for _ in 0..rank {
            let d = p.take(4)?;
            dims.push(u32::from_le_bytes([d[0], d[1], d[2], d[3]]) as usize);
        }
        if (&got, &dims) != (name, shape) {
            return Err(mismatch(format!(
                "the link has '{got}' {dims:?} where the model needs '{name}' {shape:?}"
            )));
        }
    }
    if count > want.len() {
        return Err(mismatch(format!(
            "the link has {count} tensors, the model {}",
            want.len()
        )));
    }
    let mut out = Vec::with_capacity(want.len());
    for (name, shape) in want {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = p
            .take(4 * n)?
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        if data.iter().any(|v| !v.is_finite()) {
            return Err(mismatch(format!("'{name}' holds NaN or infinite values")));
        }
        out.push(NamedWeight { name, shape, data });
    }
    if !p.0.is_empty() {
        return Err(Error::Format(format!(
            "the weights blob has {} bytes after the last tensor",
            p.0.len()
        )));
    }
    Ok(out)
}
