//! Layers, activations, losses and other composites built from primitive ops.

mod activation;
pub mod functional;
mod init;
mod layer;
mod layer_parse;
mod layer_seq;
mod linear;
mod module;
mod seq2seq;
mod sequential;

pub use activation::Activation;
pub use init::{Init, InitScheme};
pub use layer::{
    infer_shapes, mlp_layers, shape_text, stack_text, Layer, ParamShape, ShapeError, MAX_NESTING,
    MAX_SHAPE_RANK,
};
pub use layer_parse::{parse_stack, MAX_STACK_TEXT};
pub use layer_seq::{first_embedding, tie_unembed, uses_key_mask};
pub use linear::linear;
pub use module::{Module, ParamSet};
pub use seq2seq::{Seq2Seq, Seq2SeqConfig};
pub use sequential::{Mode, Sequential, LAYER_NORM_EPS};
