//! Layers, activations, losses and other composites built from primitive ops.

mod activation;
pub mod functional;
mod init;
mod linear;
mod module;

pub use activation::Activation;
pub use init::Init;
pub use linear::{linear, Mlp};
pub use module::{Module, ParamSet};
