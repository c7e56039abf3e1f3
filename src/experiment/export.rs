//! Model export: weights as a safetensors file that PyTorch, JAX, candle and burn can
//! read, the experiment config in its metadata, and the file's SHA-256.
//!
//! The bytes are deterministic: the `safetensors` crate orders the tensor data by dtype,
//! then by name, and the JSON header it writes (whose metadata comes from a `HashMap`,
//! in an order that varies between processes) is rewritten with every object's keys
//! sorted, so the same weights and config always give the same file and hash.

use super::{ExperimentConfig, NamedWeight};
use crate::error::{Error, Result};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The metadata key under which the experiment config (JSON) is stored.
pub const CONFIG_KEY: &str = "gradlab_config";

/// The metadata key under which the experiment's link (`#v=1&...`) is stored.
pub const LINK_KEY: &str = "gradlab_link";

/// Serialise `weights` (F32, PyTorch names and shapes) with `config` as JSON in the
/// metadata under [`CONFIG_KEY`] and its experiment link under [`LINK_KEY`].
pub fn to_safetensors(weights: &[NamedWeight], config: &ExperimentConfig) -> Result<Vec<u8>> {
    let config_json = serde_json::to_string(config)
        .map_err(|e| Error::Format(format!("cannot encode the config as JSON: {e}")))?;
    let link = super::link::encode_link(config, None, None)?.fragment;
    let mut bytes: Vec<(String, Vec<u8>, Vec<usize>)> = Vec::with_capacity(weights.len());
    for w in weights {
        let expected: usize = w.shape.iter().product();
        if expected != w.data.len() {
            return Err(Error::Format(format!(
                "weight '{}' has shape {:?} ({expected} values) but {} values",
                w.name,
                w.shape,
                w.data.len()
            )));
        }
        if bytes.iter().any(|(name, _, _)| *name == w.name) {
            return Err(Error::Format(format!(
                "weight name '{}' appears twice",
                w.name
            )));
        }
        // safetensors stores little-endian values.
        let raw = w.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        bytes.push((w.name.clone(), raw, w.shape.clone()));
    }
    let mut views = Vec::with_capacity(bytes.len());
    for (name, raw, shape) in &bytes {
        let view = TensorView::new(Dtype::F32, shape.clone(), raw)
            .map_err(|e| Error::Format(format!("weight '{name}': {e}")))?;
        views.push((name.as_str(), view));
    }
    let mut metadata = HashMap::from([
        (CONFIG_KEY.to_string(), config_json),
        (LINK_KEY.to_string(), link),
    ]);
    // A text model carries its vocabulary, so sampling and prediction need no data.
    if let Some(vocab) = super::text_vocab(config)? {
        let json = serde_json::to_string(&vocab)
            .map_err(|e| Error::Format(format!("cannot encode the vocabulary: {e}")))?;
        metadata.insert(super::VOCAB_KEY.to_string(), json);
    }
    let file = safetensors::serialize(views, Some(metadata))
        .map_err(|e| Error::Format(format!("cannot write safetensors: {e}")))?;
    canonical_header(file)
}

/// Rewrite a safetensors file's JSON header with every object's keys sorted (the data
/// offsets, which locate the tensors, are unchanged), padded with spaces to a multiple
/// of 8 bytes as the format recommends.
fn canonical_header(file: Vec<u8>) -> Result<Vec<u8>> {
    let bad = |what: &str| Error::Format(format!("safetensors writer produced {what}"));
    let len_bytes: [u8; 8] = file
        .get(..8)
        .ok_or_else(|| bad("no header"))?
        .try_into()
        .map_err(|_| bad("no header"))?;
    let n = usize::try_from(u64::from_le_bytes(len_bytes)).map_err(|_| bad("a huge header"))?;
    let header = file
        .get(8..8 + n)
        .ok_or_else(|| bad("a truncated header"))?;
    let value: serde_json::Value =
        serde_json::from_slice(header).map_err(|e| bad(&format!("a bad header ({e})")))?;
    let mut text =
        serde_json::to_vec(&sorted(value)).map_err(|e| bad(&format!("a bad header ({e})")))?;
    while text.len() % 8 != 0 {
        text.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + text.len() + file.len() - 8 - n);
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(&text);
    out.extend_from_slice(&file[8 + n..]);
    Ok(out)
}

/// The same JSON value with the keys of every object in sorted order (independent of
/// whether serde_json was built to preserve insertion order).
fn sorted(v: serde_json::Value) -> serde_json::Value {
    use std::collections::BTreeMap;
    match v {
        serde_json::Value::Object(map) => {
            let ordered: BTreeMap<String, serde_json::Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            serde_json::Value::Object(ordered.into_iter().collect())
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sorted).collect())
        }
        other => other,
    }
}

/// The metadata value under `key` of a safetensors file (`None` when it has none).
pub fn safetensors_metadata(bytes: &[u8], key: &str) -> Result<Option<String>> {
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| Error::Format(format!("not a valid safetensors file: {e}")))?;
    Ok(meta.metadata().as_ref().and_then(|m| m.get(key).cloned()))
}

/// Read a safetensors file of F32 tensors: the weights in file order (by data offset)
/// and the config JSON stored under [`CONFIG_KEY`], if any. A file that is truncated,
/// has a malformed header or holds a dtype other than F32 is an `Err` with a message.
pub fn from_safetensors(bytes: &[u8]) -> Result<(Vec<NamedWeight>, Option<String>)> {
    let (_, meta) = SafeTensors::read_metadata(bytes)
        .map_err(|e| Error::Format(format!("not a valid safetensors file: {e}")))?;
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| Error::Format(format!("not a valid safetensors file: {e}")))?;
    let mut weights = Vec::with_capacity(file.len());
    for name in meta.offset_keys() {
        let view = file
            .tensor(&name)
            .map_err(|e| Error::Format(format!("tensor '{name}': {e}")))?;
        if view.dtype() != Dtype::F32 {
            return Err(Error::Format(format!(
                "tensor '{name}' has dtype {:?}; gradlab reads F32 only",
                view.dtype()
            )));
        }
        let data = view
            .data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        weights.push(NamedWeight {
            name,
            shape: view.shape().to_vec(),
            data,
        });
    }
    let config = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get(CONFIG_KEY).cloned());
    Ok((weights, config))
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn weights(seed: u64) -> Vec<NamedWeight> {
        let mut rng = Rng::new(seed);
        let mut out = Vec::new();
        // An MLP 3 -> 5 -> 2 in PyTorch's names and shapes, plus a "10.bias" that sorts
        // as text before "2.*" (file order is by name, not by layer).
        for (i, (fan_in, fan_out)) in [(3, 5), (5, 2)].into_iter().enumerate() {
            for (suffix, shape) in [("weight", vec![fan_out, fan_in]), ("bias", vec![fan_out])] {
                let n: usize = shape.iter().product();
                let data = (0..n).map(|_| rng.normal()).collect();
                out.push(NamedWeight {
                    name: format!("{i}.{suffix}"),
                    shape,
                    data,
                });
            }
        }
        out.push(NamedWeight {
            name: "10.bias".into(),
            shape: vec![1],
            data: vec![-0.0],
        });
        out
    }

    fn sorted(mut w: Vec<NamedWeight>) -> Vec<NamedWeight> {
        w.sort_by(|a, b| a.name.cmp(&b.name));
        w
    }

    #[test]
    fn weights_and_config_round_trip_bit_for_bit() {
        let w = weights(7);
        let config = ExperimentConfig::default();
        let bytes = to_safetensors(&w, &config).unwrap();
        let (back, json) = from_safetensors(&bytes).unwrap();
        // File order is by data offset, which the writer sorts by name.
        assert_eq!(sorted(back.clone()), sorted(w));
        for (a, b) in back.iter().zip(sorted(weights(7))) {
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.data), bits(&b.data), "{}", a.name);
        }
        let parsed: ExperimentConfig = serde_json::from_str(&json.unwrap()).unwrap();
        assert_eq!(parsed, config);
    }

    #[test]
    fn the_same_weights_give_the_same_bytes() {
        let config = ExperimentConfig {
            seed: 42,
            ..ExperimentConfig::default()
        };
        let a = to_safetensors(&weights(3), &config).unwrap();
        let b = to_safetensors(&weights(3), &config).unwrap();
        assert_eq!(a, b);
        let c = to_safetensors(&weights(4), &config).unwrap();
        assert_ne!(sha256_hex(&a), sha256_hex(&c));
    }

    #[test]
    fn bytes_do_not_depend_on_the_metadata_map_order_and_hold_the_link() {
        // Each HashMap gets its own random order: with two metadata keys, an unsorted
        // header would differ between some of these files.
        let config = crate::experiment::preset("spiral").unwrap();
        let first = to_safetensors(&weights(5), &config).unwrap();
        for _ in 0..32 {
            assert_eq!(to_safetensors(&weights(5), &config).unwrap(), first);
        }
        let (_, meta) = SafeTensors::read_metadata(&first).unwrap();
        let link = meta
            .metadata()
            .as_ref()
            .unwrap()
            .get(LINK_KEY)
            .unwrap()
            .clone();
        let decoded = crate::experiment::decode_link(&link).unwrap();
        assert_eq!(decoded.config, config);
        assert!(decoded.warnings.is_empty(), "{:?}", decoded.warnings);
    }

    #[test]
    fn inconsistent_weights_are_errors() {
        let config = ExperimentConfig::default();
        let mut w = weights(1);
        w[0].data.pop();
        assert!(
            matches!(to_safetensors(&w, &config), Err(Error::Format(m)) if m.contains("0.weight"))
        );
        let mut w = weights(1);
        w[1].name = w[0].name.clone();
        assert!(
            matches!(to_safetensors(&w, &config), Err(Error::Format(m)) if m.contains("twice"))
        );
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        let good = to_safetensors(&weights(2), &ExperimentConfig::default()).unwrap();
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            vec![1, 2, 3],
            good[..good.len() - 1].to_vec(),
            good[..20].to_vec(),
            [good.clone(), vec![0]].concat(),
        ];
        // A header length far beyond the file.
        let mut huge = good.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        cases.push(huge);
        // A header that is not JSON.
        let mut garbage = good.clone();
        garbage[8] = b'!';
        cases.push(garbage);
        for (i, bytes) in cases.iter().enumerate() {
            match from_safetensors(bytes) {
                Err(Error::Format(m)) => assert!(!m.is_empty()),
                other => panic!("case {i}: expected a format error, got {other:?}"),
            }
        }
    }

    #[test]
    fn other_dtypes_are_refused_with_the_tensor_name() {
        let raw = [0u8; 16];
        let view = TensorView::new(Dtype::F64, vec![2], &raw).unwrap();
        let bytes = safetensors::serialize([("w", view)], None).unwrap();
        match from_safetensors(&bytes) {
            Err(Error::Format(m)) => assert!(m.contains("'w'") && m.contains("F32"), "{m}"),
            other => panic!("expected a dtype error, got {other:?}"),
        }
    }

    #[test]
    fn sha256_matches_the_fips_180_2_vectors() {
        // FIPS 180-2, appendix B.1 and B.2.
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }
}
