//! The byte-level reading and writing of a saved run (see `snapshot_bytes.rs` for the
//! layout): little-endian numbers, length-prefixed strings and `f32` arrays, history
//! points; a reader that checks every length against the bytes left.

use super::{HistoryPoint, Metrics, NamedWeight};
use crate::error::{Error, Result};

pub(super) fn put_u32(p: &mut Vec<u8>, n: usize) {
    p.extend_from_slice(&(n as u32).to_le_bytes());
}

pub(super) fn put_str(p: &mut Vec<u8>, s: &str) {
    put_u32(p, s.len());
    p.extend_from_slice(s.as_bytes());
}

pub(super) fn put_f32s(p: &mut Vec<u8>, v: &[f32]) {
    p.extend_from_slice(&(v.len() as u64).to_le_bytes());
    p.reserve(4 * v.len());
    for x in v {
        p.extend_from_slice(&x.to_le_bytes());
    }
}

/// The scalar metrics of a history point, in their mask-bit order.
fn scalar_metrics(m: &Metrics) -> [Option<f64>; 11] {
    [
        m.accuracy,
        m.precision,
        m.recall,
        m.f1,
        m.mse,
        m.mae,
        m.r2,
        m.bits_per_char,
        m.perplexity,
        m.train_bits_per_char,
        m.train_perplexity,
    ]
}

/// Mask bit of the confusion matrix (after the 11 scalar metrics).
const CONFUSION_BIT: u16 = 1 << 11;

pub(super) fn put_point(p: &mut Vec<u8>, h: &HistoryPoint) {
    p.extend_from_slice(&h.step.to_le_bytes());
    p.extend_from_slice(&h.epoch.to_le_bytes());
    p.extend_from_slice(&h.train_loss.to_le_bytes());
    p.extend_from_slice(&h.test_loss.to_le_bytes());
    let scalars = scalar_metrics(&h.metrics);
    let mut mask = 0u16;
    for (i, v) in scalars.iter().enumerate() {
        if v.is_some() {
            mask |= 1 << i;
        }
    }
    if h.metrics.confusion.is_some() {
        mask |= CONFUSION_BIT;
    }
    p.extend_from_slice(&mask.to_le_bytes());
    for v in scalars.iter().flatten() {
        p.extend_from_slice(&v.to_le_bytes());
    }
    if let Some(c) = &h.metrics.confusion {
        put_u32(p, c.len());
        for row in c {
            put_u32(p, row.len());
            for v in row {
                p.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// A cursor over untrusted bytes: every read checks what is left first.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

impl Reader<'_> {
    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&[u8]> {
        let left = self.bytes.len() - self.pos;
        if n > left {
            return Err(Error::Format(format!(
                "the saved run is truncated: {what} needs {n} bytes at byte {}, {left} are left",
                self.pos
            )));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }

    pub(super) fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(super) fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(super) fn f64(&mut self, what: &str) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array(what)?))
    }

    /// A u32 count of items of at least `min_bytes` each, checked to fit what is left.
    pub(super) fn count(&mut self, min_bytes: usize, what: &str) -> Result<usize> {
        let n = self.u32(what)? as usize;
        let left = self.bytes.len() - self.pos;
        if n.saturating_mul(min_bytes) > left {
            return Err(Error::Format(format!(
                "the saved run is truncated or corrupt: {what} claims {n} items, {left} bytes are left"
            )));
        }
        Ok(n)
    }

    pub(super) fn string(&mut self, what: &str) -> Result<String> {
        let n = self.count(1, what)?;
        String::from_utf8(self.take(n, what)?.to_vec())
            .map_err(|_| Error::Format(format!("the saved run's {what} is not UTF-8")))
    }

    pub(super) fn f32s(&mut self, what: &str) -> Result<Vec<f32>> {
        let n = self.u64(what)?;
        let left = (self.bytes.len() - self.pos) as u64;
        if n.saturating_mul(4) > left {
            return Err(Error::Format(format!(
                "the saved run is truncated: {what} claims {n} values, {left} bytes are left"
            )));
        }
        let raw = self.take(4 * n as usize, what)?;
        Ok(raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    pub(super) fn weight(&mut self) -> Result<NamedWeight> {
        let name = self.string("a weight's name")?;
        let shape = (0..self.count(8, "a weight's shape")?)
            .map(|_| self.u64("a weight's shape").map(|d| d as usize))
            .collect::<Result<Vec<_>>>()?;
        let data = self.f32s("a weight's values")?;
        Ok(NamedWeight { name, shape, data })
    }

    pub(super) fn point(&mut self) -> Result<HistoryPoint> {
        let step = self.u64("a history point")?;
        let epoch = self.u32("a history point")?;
        let train_loss = self.f64("a history point")?;
        let test_loss = self.f64("a history point")?;
        let mask = self.u16("a history point")?;
        let mut scalars = [None; 11];
        for (i, v) in scalars.iter_mut().enumerate() {
            if mask & (1 << i) != 0 {
                *v = Some(self.f64("a history metric")?);
            }
        }
        let confusion = if mask & CONFUSION_BIT != 0 {
            let rows = self.count(4, "a confusion matrix")?;
            let mut c = Vec::with_capacity(rows);
            for _ in 0..rows {
                let n = self.count(4, "a confusion row")?;
                c.push(
                    (0..n)
                        .map(|_| self.u32("a confusion row"))
                        .collect::<Result<Vec<_>>>()?,
                );
            }
            Some(c)
        } else {
            None
        };
        let [accuracy, precision, recall, f1, mse, mae, r2, bits_per_char, perplexity, train_bits_per_char, train_perplexity] =
            scalars;
        Ok(HistoryPoint {
            step,
            epoch,
            train_loss,
            test_loss,
            metrics: Metrics {
                accuracy,
                precision,
                recall,
                f1,
                confusion,
                mse,
                mae,
                r2,
                bits_per_char,
                perplexity,
                train_bits_per_char,
                train_perplexity,
            },
        })
    }
}
