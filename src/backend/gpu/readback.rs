//! The one way back to host memory: copy into a mappable staging buffer, map it, read,
//! unmap. Natively `poll` waits for the device and fires the map callback; on the web
//! `poll` does nothing and the browser resolves the mapping from its event loop, so the
//! same `async` code never blocks the page.

use super::pool::Kind;
use super::GpuBackend;
use super::GpuStorage;
use crate::error::{Error, Result};

impl GpuBackend {
    /// Read the first `len` elements of `x` once everything recorded has run.
    pub(super) async fn read_back(&self, x: &GpuStorage, len: usize) -> Result<Vec<f32>> {
        self.ctx.errors.check()?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let bytes = len as u64 * 4;
        if len > x.len() || bytes > x.pooled().buffer.size() {
            return Err(Error::Gpu(format!(
                "cannot read {len} elements from a GPU tensor of {}",
                x.len()
            )));
        }
        let device = &self.ctx.device;
        let staging = self.pool.take(
            device,
            Kind::Staging,
            bytes,
            self.ctx.limits.max_buffer_size,
        );
        // 1. Record the copy after all pending work, and submit everything.
        self.recorder
            .borrow_mut()
            .encoder(device)
            .copy_buffer_to_buffer(&x.pooled().buffer, 0, &staging.buffer, 0, bytes);
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
        // 5. Copy out of the mapped range, drop the view, unmap, and reuse the buffer.
        let data = {
            let view = slice
                .get_mapped_range()
                .map_err(|e| Error::Gpu(format!("reading a readback failed: {e}")))?;
            match bytemuck::try_cast_slice::<u8, f32>(&view) {
                Ok(v) => v.to_vec(),
                Err(_) => view
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            }
        };
        staging.buffer.unmap();
        self.pool.give_back(staging);
        // Errors raised while the work ran (validation, lost device) void the data.
        self.ctx.errors.check()?;
        Ok(data)
    }
}
