//! Recording: every dispatch of a step goes into one pending `CommandEncoder` (inside one
//! compute pass while no copy intervenes) and is submitted once, at `flush`.
//!
//! Kernel parameters go to a uniform arena: each dispatch takes the next 256-byte slot
//! of a host-side shadow, bound at a dynamic offset; at submit each used chunk is
//! written with one `write_buffer` (which lands before the submitted commands), and the
//! arena starts over. Chunks are created once and reused, so no buffer is created per
//! dispatch.

use super::pipelines::PARAMS_BYTES;
use super::stats::Counters;

/// Parameter slots per uniform chunk.
const CHUNK_SLOTS: u64 = 256;

struct Chunk {
    id: u64,
    buffer: wgpu::Buffer,
    host: Vec<u8>,
    used: u64,
}

/// The pending encoder, its open compute pass, and the uniform arena.
pub struct Recorder {
    // Declared before the encoder: the pass is ended (dropped) first.
    pass: Option<wgpu::ComputePass<'static>>,
    encoder: Option<wgpu::CommandEncoder>,
    chunks: Vec<Chunk>,
    current: usize,
    /// Slot size: the parameter block rounded up to the uniform offset alignment.
    stride: u64,
    /// Commands recorded since the last submit.
    pub commands: usize,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("commands", &self.commands)
            .field("uniform_chunks", &self.chunks.len())
            .finish()
    }
}

impl Recorder {
    /// Nothing recorded; slots aligned to `uniform_alignment`.
    pub fn new(uniform_alignment: u32) -> Recorder {
        Recorder {
            pass: None,
            encoder: None,
            chunks: Vec::new(),
            current: 0,
            stride: PARAMS_BYTES.next_multiple_of(u64::from(uniform_alignment.max(1))),
            commands: 0,
        }
    }

    /// Store one dispatch's parameters; returns the chunk's id and buffer and the
    /// dynamic offset of the slot.
    pub fn push_params(
        &mut self,
        device: &wgpu::Device,
        counters: &Counters,
        params: &[u32],
    ) -> (u64, wgpu::Buffer, u32) {
        let cap = self.stride * CHUNK_SLOTS;
        if self
            .chunks
            .get(self.current)
            .is_some_and(|c| c.used + self.stride > cap)
        {
            self.current += 1;
        }
        if self.current == self.chunks.len() {
            counters.buffer_created(cap);
            self.chunks.push(Chunk {
                id: counters.next_id(),
                buffer: device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("gradlab kernel parameters"),
                    size: cap,
                    usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                }),
                host: vec![0; cap as usize],
                used: 0,
            });
        }
        let chunk = &mut self.chunks[self.current];
        let offset = chunk.used;
        let slot = &mut chunk.host[offset as usize..(offset + self.stride) as usize];
        slot.fill(0);
        let bytes: &[u8] = bytemuck::cast_slice(params);
        let n = bytes.len().min(PARAMS_BYTES as usize);
        slot[..n].copy_from_slice(&bytes[..n]);
        chunk.used += self.stride;
        (chunk.id, chunk.buffer.clone(), offset as u32)
    }

    fn encoder_mut(&mut self, device: &wgpu::Device) -> &mut wgpu::CommandEncoder {
        self.encoder.get_or_insert_with(|| {
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("gradlab step"),
            })
        })
    }

    /// The open compute pass (begun on the pending encoder when needed).
    pub fn pass(&mut self, device: &wgpu::Device) -> &mut wgpu::ComputePass<'static> {
        if self.pass.is_none() {
            let pass = self
                .encoder_mut(device)
                .begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: None,
                    timestamp_writes: None,
                })
                .forget_lifetime();
            self.pass = Some(pass);
        }
        self.pass.as_mut().expect("pass was just begun")
    }

    /// The pending encoder for a copy: the open pass (if any) is ended first.
    pub fn encoder(&mut self, device: &wgpu::Device) -> &mut wgpu::CommandEncoder {
        self.pass = None;
        self.commands += 1;
        self.encoder_mut(device)
    }

    /// End the pass, write the used parameter slots and submit everything recorded.
    /// Returns whether anything was submitted.
    pub fn submit(&mut self, queue: &wgpu::Queue, counters: &Counters) -> bool {
        self.pass = None;
        let encoder = self.encoder.take();
        let mut submitted = false;
        if let Some(encoder) = encoder {
            for c in self.chunks.iter().take(self.current + 1) {
                if c.used > 0 {
                    queue.write_buffer(&c.buffer, 0, &c.host[..c.used as usize]);
                }
            }
            queue.submit(Some(encoder.finish()));
            counters.submitted();
            submitted = true;
        }
        for c in &mut self.chunks {
            c.used = 0;
        }
        self.current = 0;
        self.commands = 0;
        submitted
    }
}

/// A 2-D grid of `groups` workgroups that respects `max_dim` per dimension: kernels
/// number workgroups `y * num_workgroups.x + x` and ignore the overshoot. `None` when even
/// `max_dim^2` is too few.
pub fn grid(groups: u64, max_dim: u32) -> Option<(u32, u32)> {
    let max = u64::from(max_dim.max(1));
    if groups <= max {
        return Some((groups as u32, 1));
    }
    let y = groups.div_ceil(max);
    (y <= max).then_some((max as u32, y as u32))
}

#[cfg(test)]
mod tests {
    use super::grid;

    #[test]
    fn grids_cover_every_workgroup_within_the_limit() {
        for &(groups, max) in &[
            (1u64, 65535u32),
            (65535, 65535),
            (65536, 65535),
            (1 << 24, 65535),
            (10, 4),
        ] {
            let (x, y) = grid(groups, max).expect("fits");
            assert!(x <= max && y <= max);
            assert!(u64::from(x) * u64::from(y) >= groups);
            assert!(
                u64::from(x) * u64::from(y - 1) < groups,
                "no empty row of workgroups"
            );
        }
        assert_eq!(grid(10, 4), Some((4, 3)));
        assert_eq!(grid(17, 4), None);
    }
}
