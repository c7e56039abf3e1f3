//! The one way back to host memory: copy every requested tensor into ONE mappable
//! staging buffer (each part at its own 4-byte aligned offset), submit once, map once,
//! split. Natively `poll` waits for the device and fires the map callback; on the web
//! `poll` does nothing and the browser resolves the mapping from its event loop, so the
//! same `async` code never blocks the page.

use super::pool::Kind;
use super::GpuBackend;
use super::GpuStorage;
use crate::error::{Error, Result};

/// Where one part lands in the staging buffer.
struct Slot {
    offset: u64,
    len: usize,
}

/// Byte offsets of parts of `lens` f32 elements packed one after another. Every offset
/// and size is a multiple of 4 bytes, which is wgpu's `COPY_BUFFER_ALIGNMENT` (asserted
/// below), so each part can be the target of one `copy_buffer_to_buffer`.
fn layout(lens: &[usize]) -> (Vec<Slot>, u64) {
    const _: () = assert!(4 % wgpu::COPY_BUFFER_ALIGNMENT == 0);
    let mut offset = 0u64;
    let slots = lens
        .iter()
        .map(|&len| {
            let s = Slot { offset, len };
            offset += len as u64 * 4;
            s
        })
        .collect();
    (slots, offset)
}

impl GpuBackend {
    /// Read the first `len` elements of each part once everything recorded has run: one
    /// copy per non-empty part into one staging buffer, one submit, one mapping. Parts
    /// of length 0 read as empty vectors; when all are empty nothing is submitted.
    pub(super) async fn read_back_many(
        &self,
        parts: &[(&GpuStorage, usize)],
    ) -> Result<Vec<Vec<f32>>> {
        self.ctx.errors.check()?;
        for (x, len) in parts {
            if *len > x.len() || *len as u64 * 4 > x.pooled().buffer.size() {
                return Err(Error::Gpu(format!(
                    "cannot read {len} elements from a GPU tensor of {}",
                    x.len()
                )));
            }
        }
        let lens: Vec<usize> = parts.iter().map(|p| p.1).collect();
        let (slots, bytes) = layout(&lens);
        if bytes == 0 {
            return Ok(vec![Vec::new(); parts.len()]);
        }
        let max = self.ctx.limits.max_buffer_size;
        if bytes > max {
            return Err(Error::Gpu(format!(
                "a readback of {bytes} bytes exceeds this GPU's largest buffer ({max} bytes)"
            )));
        }
        let device = &self.ctx.device;
        let staging = self.pool.take(device, Kind::Staging, bytes, max);
        // 1. Record the copies after all pending work, and submit everything at once.
        {
            let mut rec = self.recorder.borrow_mut();
            let encoder = rec.encoder(device);
            for ((x, _), slot) in parts.iter().zip(&slots) {
                if slot.len > 0 {
                    let size = slot.len as u64 * 4;
                    let src = &x.pooled().buffer;
                    encoder.copy_buffer_to_buffer(src, 0, &staging.buffer, slot.offset, size);
                }
            }
        }
        self.flush_now();
        self.counters.read_back();
        // 2. Ask for the mapping; the callback reports through a oneshot channel.
        let (tx, rx) = futures_channel::oneshot::channel();
        let slice = staging.buffer.slice(..bytes);
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        // 3. Natively, block until the device is idle (this fires the callback); on
        //    the web this is a no-op.
        if let Err(e) = device.poll(wgpu::PollType::wait_indefinitely()) {
            self.ctx
                .errors
                .record(format!("waiting for the GPU failed: {e}"));
        }
        // 4. Await the mapping (already resolved natively).
        let mapped = rx
            .await
            .map_err(|_| Error::Gpu("the GPU dropped a readback".into()))
            .and_then(|r| r.map_err(|e| Error::Gpu(format!("mapping a readback failed: {e}"))));
        if let Err(e) = mapped {
            self.ctx.errors.check()?;
            return Err(e);
        }
        // 5. Split the mapped range into the parts, drop the view, unmap, and reuse.
        let data = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| Error::Gpu(format!("reading a readback failed: {e}")))?;
            slots
                .iter()
                .map(|s| {
                    let start = s.offset as usize;
                    floats(&view[start..start + s.len * 4])
                })
                .collect()
        };
        staging.buffer.unmap();
        self.pool.give_back(staging);
        // Errors raised while the work ran (validation, lost device) void the data.
        self.ctx.errors.check()?;
        Ok(data)
    }

    /// Read the first `len` elements of `x` (a batch of one).
    pub(super) async fn read_back(&self, x: &GpuStorage, len: usize) -> Result<Vec<f32>> {
        let mut v = self.read_back_many(&[(x, len)]).await?;
        Ok(v.pop().unwrap_or_default())
    }
}

/// Little-endian f32s from mapped bytes (a straight cast when the bytes are aligned).
fn floats(bytes: &[u8]) -> Vec<f32> {
    match bytemuck::try_cast_slice::<u8, f32>(bytes) {
        Ok(v) => v.to_vec(),
        Err(_) => bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::layout;

    #[test]
    fn parts_are_packed_at_copy_aligned_offsets() {
        let (slots, total) = layout(&[3, 0, 1, 5]);
        let offsets: Vec<u64> = slots.iter().map(|s| s.offset).collect();
        assert_eq!(offsets, vec![0, 12, 12, 16]);
        assert_eq!(total, 36);
        assert!(offsets.iter().all(|o| o % wgpu::COPY_BUFFER_ALIGNMENT == 0));
    }
}
