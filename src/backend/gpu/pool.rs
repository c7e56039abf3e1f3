//! The buffer pool: device buffers are created once and reused, so a warm training step
//! allocates nothing.
//!
//! Buffers are keyed by size class (a quarter-octave ladder above 256 bytes, so at most
//! 25% is wasted) and by kind. A `GpuStorage` returns its buffer when its last handle
//! drops. A request gets the free buffer with the *lowest id* of its class: a repeated
//! training step then receives the very same buffers every time, so its cached bind
//! groups hit (a LIFO stack would rotate buffers between steps and miss). A buffer dropped while work is being recorded goes to a *deferred* list and
//! becomes reusable only after the next submit: an upload (`Queue::write_buffer`) runs
//! before the commands of its submit, so handing it a buffer that recorded commands still
//! read would overwrite their input.

use super::stats::Counters;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};

/// Smallest buffer: also keeps every binding non-empty and a multiple of 16 bytes.
pub const MIN_BYTES: u64 = 256;

/// What a pooled buffer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Tensor data: storage, copy source and destination.
    Storage,
    /// Readback: mappable for reading, copy destination.
    Staging,
}

impl Kind {
    fn usage(self) -> wgpu::BufferUsages {
        match self {
            Kind::Storage => {
                wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST
            }
            Kind::Staging => wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        }
    }
}

/// The size class that holds `bytes`: 256, then four steps per power of two
/// (256, 320, 384, 448, 512, 640, ...).
pub fn size_class(bytes: u64) -> u64 {
    if bytes <= MIN_BYTES {
        return MIN_BYTES;
    }
    let octave = 1u64 << (63 - (bytes - 1).leading_zeros()); // largest power of two < bytes
    let step = octave / 4;
    bytes.div_ceil(step) * step
}

/// A pooled device buffer with a stable id (bind groups are cached by id).
#[derive(Debug)]
pub struct PooledBuffer {
    /// Unique for the backend's lifetime.
    pub id: u64,
    /// The buffer; its size is the class size.
    pub buffer: wgpu::Buffer,
    kind: Kind,
}

#[derive(Debug, Default)]
struct Inner {
    free: HashMap<(u64, Kind), BTreeMap<u64, PooledBuffer>>,
    deferred: Vec<PooledBuffer>,
}

/// Free buffers by class, and those waiting for the next submit.
#[derive(Debug)]
pub struct Pool {
    inner: Rc<RefCell<Inner>>,
    counters: Rc<Counters>,
}

impl Pool {
    /// An empty pool counting its creations in `counters`.
    pub fn new(counters: Rc<Counters>) -> Pool {
        Pool {
            inner: Rc::default(),
            counters,
        }
    }

    /// A buffer of at least `bytes` (rounded to its class, capped at `max_bytes`).
    pub fn take(
        &self,
        device: &wgpu::Device,
        kind: Kind,
        bytes: u64,
        max_bytes: u64,
    ) -> PooledBuffer {
        let class = size_class(bytes).min(max_bytes.max(bytes)).max(MIN_BYTES);
        if let Some(b) = self
            .inner
            .borrow_mut()
            .free
            .get_mut(&(class, kind))
            .and_then(|v| v.pop_first())
            .map(|(_, b)| b)
        {
            return b;
        }
        self.counters.buffer_created(class);
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(match kind {
                Kind::Storage => "gradlab tensor",
                Kind::Staging => "gradlab readback",
            }),
            size: class,
            usage: kind.usage(),
            mapped_at_creation: false,
        });
        PooledBuffer {
            id: self.counters.next_id(),
            buffer,
            kind,
        }
    }

    /// Return a buffer that no recorded command uses (a readback buffer after unmap).
    pub fn give_back(&self, b: PooledBuffer) {
        give_back(&self.inner, b, false);
    }

    /// A handle that `GpuBuffer`'s `Drop` uses to return buffers later.
    pub fn returner(&self) -> Returner {
        Returner(Rc::downgrade(&self.inner))
    }

    /// Make buffers dropped since the last submit reusable (call right after a submit).
    pub fn release_deferred(&self) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            let done = std::mem::take(&mut inner.deferred);
            for b in done {
                let key = (b.buffer.size(), b.kind);
                inner.free.entry(key).or_default().insert(b.id, b);
            }
        }
    }
}

fn give_back(inner: &RefCell<Inner>, b: PooledBuffer, defer: bool) {
    // A busy pool (never expected) just lets the buffer go instead of panicking.
    if let Ok(mut inner) = inner.try_borrow_mut() {
        if defer {
            inner.deferred.push(b);
        } else {
            let key = (b.buffer.size(), b.kind);
            inner.free.entry(key).or_default().insert(b.id, b);
        }
    }
}

/// Weak link back to the pool, so buffers outliving the backend simply drop.
#[derive(Clone, Debug)]
pub struct Returner(Weak<RefCell<Inner>>);

impl Returner {
    /// Return `b` to the pool once the next submit has been made.
    pub fn defer(&self, b: PooledBuffer) {
        if let Some(inner) = self.0.upgrade() {
            give_back(&inner, b, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn size_classes_cover_the_request_and_waste_at_most_a_quarter() {
        let mut prev = 0;
        for bytes in (1..100_000u64).step_by(7) {
            let c = size_class(bytes);
            assert!(c >= bytes && c >= 256, "class {c} for {bytes}");
            assert!(
                bytes <= 256 || (c - bytes) * 4 <= c,
                "class {c} wastes too much for {bytes}"
            );
            assert!(c >= prev, "classes must grow with the request");
            prev = c;
        }
        assert_eq!(size_class(257), 320);
        assert_eq!(size_class(512), 512);
        assert_eq!(size_class(513), 640);
    }
}
