//! A run saved as bytes: a [`Snapshot`] with its experiment's link, in a versioned
//! binary format the page keeps in IndexedDB, so a long run survives a reload.
//!
//! Layout (all numbers little-endian):
//!
//! ```text
//! header   magic "GLABRUN\0" (8) | format u32 | reserved u32 (0) | saved_at_ms f64
//!          | payload length u64 | FNV-1a 64 checksum of the payload u64      (40 bytes)
//! payload  link (u32 length + UTF-8) | step u64 | optimizer_steps u64 | data_position u64
//!          | weights: u32 count, each name (u32 + UTF-8), rank u32, dims u64.., u64 len, f32..
//!          | optimizer state: u32 params, each u32 buffers, each u64 len, f32..
//!          | history: u32 points, each step u64, epoch u32, train f64, test f64,
//!            metric mask u16, the present scalar metrics f64.., confusion (if set)
//!            u32 rows, each u32 len, u32..
//! ```
//!
//! Decoding never trusts a length: each is checked against the bytes left before
//! anything is allocated, so truncated, corrupt or foreign bytes get an error, not a
//! panic or an unbounded allocation. A saved run whose model does not match its own
//! config (or the config it is restored into) is refused by [`check_snapshot_fits`].

use super::snapshot_bytes_io::{put_f32s, put_point, put_str, put_u32, Reader};
use super::{model, ExperimentConfig, Snapshot};
use crate::error::{Error, Result};
use crate::optim::OptimizerKind;

/// The first bytes of every saved run.
pub const SAVED_RUN_MAGIC: &[u8; 8] = b"GLABRUN\0";
/// The format written by [`encode_saved_run`]; decoding refuses any other.
pub const SAVED_RUN_FORMAT: u32 = 1;
/// Bytes before the payload.
pub const SAVED_RUN_HEADER_BYTES: usize = 40;

/// A run read back from bytes: the link of its experiment (the whole config, as the
/// page shares it), when it was saved and its training state.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedRun {
    /// The experiment's link fragment (`#v=...`, no `run=` and no weights).
    pub link: String,
    /// When it was saved, in milliseconds since the Unix epoch (the page's `Date.now()`).
    pub saved_at_ms: f64,
    /// The training state.
    pub snapshot: Snapshot,
}

impl SavedRun {
    /// The experiment's config, from its link, checked to fit the snapshot's weights
    /// and optimizer state.
    pub fn config(&self) -> Result<ExperimentConfig> {
        let link = super::decode_link(&self.link)
            .map_err(|e| Error::Format(format!("the saved run's link cannot be read: {e}")))?;
        check_snapshot_fits(&link.config, &self.snapshot)?;
        Ok(link.config)
    }
}

/// `config` and `snapshot` written as one saved run, stamped `saved_at_ms`.
pub fn encode_saved_run(
    config: &ExperimentConfig,
    snapshot: &Snapshot,
    saved_at_ms: f64,
) -> Result<Vec<u8>> {
    let link = super::encode_link(config, None, None)?.fragment;
    let mut p = Vec::with_capacity(encoded_len_hint(snapshot) + link.len());
    put_str(&mut p, &link);
    for v in [
        snapshot.step,
        snapshot.optimizer_steps,
        snapshot.data_position,
    ] {
        p.extend_from_slice(&v.to_le_bytes());
    }
    put_u32(&mut p, snapshot.weights.len());
    for w in &snapshot.weights {
        put_str(&mut p, &w.name);
        put_u32(&mut p, w.shape.len());
        for &d in &w.shape {
            p.extend_from_slice(&(d as u64).to_le_bytes());
        }
        put_f32s(&mut p, &w.data);
    }
    put_u32(&mut p, snapshot.optimizer_state.len());
    for param in &snapshot.optimizer_state {
        put_u32(&mut p, param.len());
        for buffer in param {
            put_f32s(&mut p, buffer);
        }
    }
    put_u32(&mut p, snapshot.history.len());
    for h in &snapshot.history {
        put_point(&mut p, h);
    }
    let mut out = Vec::with_capacity(SAVED_RUN_HEADER_BYTES + p.len());
    out.extend_from_slice(SAVED_RUN_MAGIC);
    out.extend_from_slice(&SAVED_RUN_FORMAT.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&saved_at_ms.to_le_bytes());
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(&p).to_le_bytes());
    out.extend_from_slice(&p);
    Ok(out)
}

/// Reads a saved run written by [`encode_saved_run`]. Errs (never panics) on bytes that
/// are not a saved run, of another format version, truncated, or corrupt. The config
/// is not checked here: see [`SavedRun::config`].
pub fn decode_saved_run(bytes: &[u8]) -> Result<SavedRun> {
    if bytes.len() < SAVED_RUN_MAGIC.len() || &bytes[..8] != SAVED_RUN_MAGIC {
        return Err(Error::Format(
            "these bytes are not a gradlab saved run".into(),
        ));
    }
    let mut r = Reader { bytes, pos: 8 };
    let format = r.u32("the format version")?;
    if format != SAVED_RUN_FORMAT {
        return Err(Error::Format(format!(
            "the saved run has format {format}; this version of gradlab reads format \
             {SAVED_RUN_FORMAT}"
        )));
    }
    if r.u32("the header")? != 0 {
        // Reserved for flags a later format may add: this one writes none.
        return Err(Error::Format(
            "the saved run's header has flags this version does not know".into(),
        ));
    }
    let saved_at_ms = f64::from_bits(r.u64("the save time")?);
    let len = r.u64("the payload length")?;
    let checksum = r.u64("the checksum")?;
    let left = (bytes.len() - r.pos) as u64;
    if len != left {
        return Err(Error::Format(format!(
            "the saved run is truncated or has extra bytes: its header says {len} bytes \
             of data, {left} follow"
        )));
    }
    let payload = &bytes[r.pos..];
    if fnv1a64(payload) != checksum {
        return Err(Error::Format(
            "the saved run is corrupt (its checksum does not match)".into(),
        ));
    }
    let link = r.string("the link")?;
    let (step, optimizer_steps, data_position) = (
        r.u64("the step")?,
        r.u64("the step")?,
        r.u64("the data position")?,
    );
    let weights = (0..r.count(12, "the weights")?)
        .map(|_| r.weight())
        .collect::<Result<Vec<_>>>()?;
    let optimizer_state = (0..r.count(4, "the optimizer state")?)
        .map(|_| {
            (0..r.count(8, "an optimizer state")?)
                .map(|_| r.f32s("an optimizer state"))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()?;
    let history = (0..r.count(30, "the history")?)
        .map(|_| r.point())
        .collect::<Result<Vec<_>>>()?;
    if r.pos != bytes.len() {
        return Err(Error::Format(format!(
            "the saved run has {} bytes after its end",
            bytes.len() - r.pos
        )));
    }
    Ok(SavedRun {
        link,
        saved_at_ms,
        snapshot: Snapshot {
            step,
            weights,
            optimizer_steps,
            optimizer_state,
            history,
            data_position,
        },
    })
}

/// Whether `snapshot` can continue a run of `config`: the same parameters (names,
/// shapes, value counts) in order, and optimizer state (if any) of the config's
/// optimizer, one buffer per state tensor of each parameter, each as long as it.
pub fn check_snapshot_fits(config: &ExperimentConfig, snapshot: &Snapshot) -> Result<()> {
    let params = model::param_shapes(config);
    let mismatch = |why: String| {
        Err(Error::Format(format!(
            "the saved run does not match this experiment's model: {why}"
        )))
    };
    if params.len() != snapshot.weights.len() {
        return mismatch(format!(
            "it has {} parameter tensors, the model {}",
            snapshot.weights.len(),
            params.len()
        ));
    }
    for ((name, dims), w) in params.iter().zip(&snapshot.weights) {
        let numel: usize = w.shape.iter().product();
        if *name != w.name || *dims != w.shape || numel != w.data.len() {
            return mismatch(format!(
                "parameter {} {:?} where the model has {name} {dims:?}",
                w.name, w.shape
            ));
        }
    }
    let o = &config.optimizer;
    let buffers = match o.kind {
        OptimizerKind::Sgd => 0,
        OptimizerKind::Momentum => usize::from(o.momentum != 0.0),
        OptimizerKind::Adam | OptimizerKind::AdamW => 2,
    };
    let state = &snapshot.optimizer_state;
    if !state.is_empty() {
        if state.len() != params.len() {
            return mismatch(format!(
                "optimizer state for {} parameters, the model has {}",
                state.len(),
                params.len()
            ));
        }
        for (w, st) in snapshot.weights.iter().zip(state) {
            if st.len() != buffers || st.iter().any(|b| b.len() != w.data.len()) {
                return mismatch(format!(
                    "the optimizer state of {} is not {buffers} buffers of {} values",
                    w.name,
                    w.data.len()
                ));
            }
        }
    }
    Ok(())
}

/// Bytes a saved run of `config` takes at most, its history aside: the weights and the
/// optimizer's state tensors as `f32`, plus the names and shapes.
pub fn saved_run_bytes(config: &ExperimentConfig) -> u64 {
    let params = model::param_shapes(config);
    let copies = match config.optimizer.kind {
        OptimizerKind::Sgd => 1,
        OptimizerKind::Momentum => 2,
        OptimizerKind::Adam | OptimizerKind::AdamW => 3,
    };
    let values: u64 = params
        .iter()
        .map(|(_, d)| d.iter().product::<usize>() as u64)
        .sum();
    let shapes: u64 = params
        .iter()
        .map(|(n, d)| 24 + n.len() as u64 + 8 * d.len() as u64)
        .sum();
    SAVED_RUN_HEADER_BYTES as u64 + 4 * copies * values + shapes
}

fn encoded_len_hint(s: &Snapshot) -> usize {
    let w: usize = s.weights.iter().map(|w| 4 * w.data.len() + 64).sum();
    let o: usize = s
        .optimizer_state
        .iter()
        .flatten()
        .map(|b| 4 * b.len() + 8)
        .sum();
    w + o + 64 * s.history.len() + 64
}

/// FNV-1a, 64 bits: catches torn writes and flipped bytes (not an attacker; nothing a
/// saved run holds is trusted beyond its checks anyway).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
