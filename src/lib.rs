//! gradlab: a neural-network lab that runs in a web page.
//!
//! Read bottom-up: [`mathf`] is `libm`'s tanh and exp over slices, vectorised with the
//! same bits (a leaf); [`op`] is the op vocabulary (importing nothing but `mathf`);
//! [`tensor`] records ops in the autograd graph and [`backend`] computes them, both on
//! top of `op` and with `tensor` using only the backend's `Device` handle. `mathf`,
//! `op`, `error`, `rng` and the CPU backend are the `gradlab-kernels` crate
//! (`crates/kernels`), re-exported at their old paths: the web build compiles it for
//! speed and the rest of the page for size (see `Cargo.toml`).
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
pub mod experiment;
pub mod export;
pub mod lessons;
pub mod metrics;
pub mod nn;
pub mod optim;
pub mod platform;
pub mod tensor;
#[cfg(target_arch = "wasm32")]
pub mod ui;

pub use gradlab_kernels::{error, mathf, op, rng};

pub use backend::Device;
pub use error::{Error, Result};
pub use tensor::{Shape, Tensor};
