//! gradlab: a neural-network lab that runs in a web page.
//!
//! A tensor core with reverse-mode autograd ([`tensor`], [`autograd`]) runs on a
//! [`backend`]: a pure-Rust CPU reference (bit-identical on wasm32 and native) or the
//! GPU through wgpu, whose WGSL kernels are the same in the browser and in native
//! tests. On top: layers ([`nn`]), optimizers ([`optim`]), data ([`data`]), metrics
//! ([`metrics`]) and the experiment runner ([`experiment`]) shared by the page, the CLI
//! and the tests.

pub mod autograd;
pub mod backend;
#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod data;
pub mod error;
pub mod experiment;
pub mod metrics;
pub mod nn;
pub mod optim;
pub mod platform;
pub mod rng;
pub mod tensor;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use backend::Device;
pub use error::{Error, Result};
pub use tensor::{Shape, Tensor};
