//! Activation functions selectable per layer.

use super::functional::gelu;
use super::Init;
use crate::tensor::Tensor;

/// A hidden layer's nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// Identity.
    Linear,
    /// `max(x, 0)`.
    Relu,
    /// Hyperbolic tangent.
    Tanh,
    /// Logistic sigmoid.
    Sigmoid,
    /// Gaussian error linear unit (tanh approximation).
    Gelu,
}

impl Activation {
    /// Every activation.
    pub const ALL: &'static [Activation] = &[
        Activation::Linear,
        Activation::Relu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
    ];

    /// Stable short name.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
        }
    }

    /// Parse a short name.
    pub fn from_name(s: &str) -> Option<Activation> {
        Activation::ALL.iter().copied().find(|a| a.name() == s)
    }

    /// The initialisation suited to a layer followed by this activation.
    pub fn init(self) -> Init {
        match self {
            Activation::Relu | Activation::Gelu => Init::HeNormal,
            Activation::Linear | Activation::Tanh | Activation::Sigmoid => Init::XavierUniform,
        }
    }

    /// Apply elementwise.
    pub fn apply(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Linear => x.clone(),
            Activation::Relu => x.relu(),
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Gelu => gelu(x),
        }
    }
}
