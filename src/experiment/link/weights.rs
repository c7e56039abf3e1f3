//! Trained weights inside a link: small models only.
//!
//! Blob = base64url( `[format = 1]` `[first 8 bytes of SHA-256(payload)]`
//! `deflate(payload)` ), where payload = `u16` tensor count, then per tensor its name
//! (`u8` length + UTF-8) and shape (`u8` rank + `u32` dims), then every value as `f32`,
//! all little-endian, tensors in model order. Names and shapes travel with the values so
//! a blob that does not fit the link's model is refused by name, not misread.

use super::base64;
use super::MAX_WEIGHTS_CHARS;
use crate::error::{Error, Result};
use crate::experiment::model::param_shapes as model_shapes;
use crate::experiment::{ExperimentConfig, NamedWeight};
use flate2::{read::DeflateDecoder, write::DeflateEncoder, Compression};
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

fn mismatch(msg: String) -> Error {
    Error::Format(format!("weights do not match the model: {msg}"))
}

fn format_error(msg: &str) -> Error {
    Error::Format(format!("the weights blob {msg}"))
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
        let missing = || mismatch(format!("'{name}' {shape:?} is missing"));
        let w = same.next().ok_or_else(missing)?;
        let problem = if same.next().is_some() {
            format!("'{name}' is given twice")
        } else if &w.shape != shape {
            format!(
                "'{name}' has shape {:?}, the model needs {shape:?}",
                w.shape
            )
        } else if w.data.len() != shape.iter().product::<usize>() {
            format!("'{name}' has {} values for shape {shape:?}", w.data.len())
        } else if w.data.iter().any(|v| !v.is_finite()) {
            format!("'{name}' holds NaN or infinite values")
        } else {
            out.push(w);
            continue;
        };
        return Err(mismatch(problem));
    }
    match weights
        .iter()
        .find(|w| !want.iter().any(|(n, _)| *n == w.name))
    {
        Some(extra) => Err(mismatch(format!(
            "the model has no tensor '{}'",
            extra.name
        ))),
        None => Ok(out),
    }
}

/// The blob of `weights` for the model of `config`: `Ok(Err(note))` when the model is
/// too big for a link (the note says so and points to the export), `Err` when the
/// weights do not match the model.
pub(super) fn try_encode(
    weights: &[NamedWeight],
    config: &ExperimentConfig,
) -> Result<std::result::Result<String, String>> {
    let ordered = match_weights(weights, &model_shapes(config))?;
    let values: usize = ordered.iter().map(|w| w.data.len()).sum();
    let too_big = |what: String| {
        Ok(Err(format!(
            "the model's weights are not in the link: {what}; use the safetensors export"
        )))
    };
    if values > MAX_WEIGHT_VALUES {
        let limit = format!("{values} values, a link holds at most {MAX_WEIGHT_VALUES}");
        return too_big(limit);
    }
    let mut payload = Vec::with_capacity(2 + 4 * values + 32 * ordered.len());
    payload.extend((ordered.len() as u16).to_le_bytes());
    for w in &ordered {
        // Model names and ranks are short ("10.weight", rank 1 to 4).
        payload.push(w.name.len() as u8);
        payload.extend(w.name.as_bytes());
        payload.push(w.shape.len() as u8);
        payload.extend(w.shape.iter().flat_map(|&d| (d as u32).to_le_bytes()));
    }
    payload.extend(
        ordered
            .iter()
            .flat_map(|w| &w.data)
            .flat_map(|v| v.to_le_bytes()),
    );
    let mut blob = vec![FORMAT];
    blob.extend(&Sha256::digest(&payload)[..CHECKSUM_BYTES]);
    let mut z = DeflateEncoder::new(blob, Compression::best());
    let blob = z.write_all(&payload).and_then(|_| z.finish());
    let text = base64::encode(&blob.map_err(|e| Error::Format(format!("deflate failed: {e}")))?);
    if text.len() > MAX_WEIGHTS_CHARS {
        let limit = format!("a link holds at most {MAX_WEIGHTS_CHARS}");
        return too_big(format!("they take {} characters, {limit}", text.len()));
    }
    Ok(Ok(text))
}

/// The weights blob of `weights` for the model of `config` (any order in, model order
/// out). Errs naming the first mismatch, or when the model is too big for a link.
pub fn encode_weights(weights: &[NamedWeight], config: &ExperimentConfig) -> Result<String> {
    try_encode(weights, config)?.map_err(Error::Format)
}

/// Reads bytes off the front of a slice, every read bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let split = self.0.split_at_checked(n);
        let (head, rest) = split.ok_or_else(|| format_error("is truncated"))?;
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn u32s(&mut self, n: usize) -> Result<impl Iterator<Item = [u8; 4]> + 'a> {
        let bytes = self.take(n.checked_mul(4).ok_or_else(|| format_error("is too big"))?)?;
        Ok(bytes.chunks_exact(4).map(|c| [c[0], c[1], c[2], c[3]]))
    }
}

/// Decodes a weights blob and checks it against the model of `config`: format,
/// checksum, then each tensor's name and shape in order; the error names the first
/// mismatch.
pub fn decode_weights(blob: &str, config: &ExperimentConfig) -> Result<Vec<NamedWeight>> {
    let bytes =
        base64::decode(blob.trim()).map_err(|e| format_error(&format!("is not base64url: {e}")))?;
    let mut r = Reader(&bytes);
    let format = r.u8()?;
    if format != FORMAT {
        let m = format!("weights blob format {format} is unknown (this version reads {FORMAT})");
        return Err(Error::Format(m));
    }
    let checksum = r.take(CHECKSUM_BYTES)?;
    let mut payload = Vec::new();
    let inflated = DeflateDecoder::new(r.0)
        .take(MAX_PAYLOAD as u64 + 1)
        .read_to_end(&mut payload);
    inflated.map_err(|e| format_error(&format!("does not inflate: {e}")))?;
    if payload.len() > MAX_PAYLOAD {
        return Err(format_error(&format!("inflates past {MAX_PAYLOAD} bytes")));
    }
    if Sha256::digest(&payload)[..CHECKSUM_BYTES] != *checksum {
        return Err(format_error(
            "fails its checksum (the link was damaged or edited)",
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
        let dims: Vec<usize> = p
            .u32s(rank)?
            .map(|d| u32::from_le_bytes(d) as usize)
            .collect();
        if (&got, &dims) != (name, shape) {
            let m =
                format!("the link has '{got}' {dims:?} where the model needs '{name}' {shape:?}");
            return Err(mismatch(m));
        }
    }
    if count > want.len() {
        let m = format!("the link has {count} tensors, the model {}", want.len());
        return Err(mismatch(m));
    }
    let mut out = Vec::with_capacity(want.len());
    for (name, shape) in want {
        let data: Vec<f32> = p
            .u32s(shape.iter().product())?
            .map(f32::from_le_bytes)
            .collect();
        if data.iter().any(|v| !v.is_finite()) {
            return Err(mismatch(format!("'{name}' holds NaN or infinite values")));
        }
        out.push(NamedWeight { name, shape, data });
    }
    match p.0.len() {
        0 => Ok(out),
        n => Err(format_error(&format!(
            "has {n} bytes after the last tensor"
        ))),
    }
}
