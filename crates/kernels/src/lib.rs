//! gradlab's compute core, a crate of its own so that the web build can compile it for
//! speed (`opt-level = 3`) and the rest of the page for size (see the workspace's
//! `Cargo.toml`): [`mathf`] (`libm`'s tanh and exp over slices, vectorised with the same
//! bits), [`op`] (the op vocabulary and its element functions), [`backend`] (the
//! contract every device computes, and the CPU reference), [`error`] and [`rng`].
//! The `gradlab` crate re-exports each module at the same path.

pub mod backend;
pub mod error;
pub mod mathf;
pub mod op;
pub mod rng;

pub use error::{Error, Result};
