//! The backends: the contract, the CPU reference and the op vocabulary's data types come
//! from the `gradlab-kernels` crate (re-exported here, so `backend::cpu`,
//! `backend::Backend` and the rest keep their paths); the GPU backend and the `Device`
//! handle that chooses between the two live here.
//!
//! The contract is built for an asynchronous GPU: every op returns a handle at once
//! (the GPU records a dispatch and does not wait), and the only way back to CPU memory
//! is the `async` [`Backend::read`].

mod device;
pub mod gpu;

pub use device::{Device, Storage};
pub use gradlab_kernels::backend::*;
