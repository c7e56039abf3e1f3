//! Seeded weight initialisation (Glorot/Xavier and He/Kaiming), PyTorch's formulas.

use crate::rng::Rng;

/// How a layer's weights are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// `U(-a, a)`, `a = sqrt(6 / (fan_in + fan_out))`: for tanh, sigmoid and linear layers.
    XavierUniform,
    /// `N(0, 2 / fan_in)`: for ReLU and GELU layers.
    HeNormal,
}

impl Init {
    /// `fan_out * fan_in` weights for a `[fan_out, fan_in]` matrix, row-major.
    pub fn sample(self, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<f32> {
        self.sample_n(fan_in * fan_out, fan_in, fan_out, rng)
    }

    /// `n` weights of a layer with the given fans (a convolution's fans count its
    /// kernel window: `in * kh * kw` and `out * kh * kw`, as PyTorch computes them).
    pub fn sample_n(self, n: usize, fan_in: usize, fan_out: usize, rng: &mut Rng) -> Vec<f32> {
        match self {
            Init::XavierUniform => {
                let a = libm::sqrt(6.0 / (fan_in + fan_out).max(1) as f64) as f32;
                (0..n).map(|_| rng.range(-a, a)).collect()
            }
            Init::HeNormal => {
                let std = libm::sqrt(2.0 / fan_in.max(1) as f64) as f32;
                (0..n).map(|_| rng.normal() * std).collect()
            }
        }
    }
}

/// How a whole model's weights start: each layer by its own rule, or GPT-2's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InitScheme {
    /// Dense and conv layers by the activation that follows (He or Xavier, PyTorch's
    /// formulas), attention as PyTorch's `MultiheadAttention`, embeddings `N(0, 1)`.
    #[default]
    Layer,
    /// GPT-2's (and nanoGPT's `_init_weights`): every matrix and embedding `N(0, 0.02)`,
    /// and the last matrix of each residual branch `N(0, 0.02 / sqrt(branches))`, so
    /// the residual stream's variance does not grow with depth. Biases stay zero,
    /// layer-norm scales one.
    Gpt,
}

impl InitScheme {
    /// Every scheme, in the order messages list them.
    pub const ALL: [InitScheme; 2] = [InitScheme::Layer, InitScheme::Gpt];

    /// The name links and the CLI use.
    pub fn name(self) -> &'static str {
        match self {
            InitScheme::Layer => "layer",
            InitScheme::Gpt => "gpt",
        }
    }
}

/// GPT-2's weight standard deviation.
pub const GPT_STD: f32 = 0.02;

/// `n` draws from `N(0, std)`.
pub fn normal_n(n: usize, std: f32, rng: &mut Rng) -> Vec<f32> {
    (0..n).map(|_| rng.normal() * std).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xavier_bounds_and_he_variance_follow_their_formulas() {
        let mut rng = Rng::new(9);
        let w = Init::XavierUniform.sample(30, 20, &mut rng);
        let a = (6.0f32 / 50.0).sqrt();
        assert!(w.iter().all(|&x| x.abs() <= a));
        let w = Init::HeNormal.sample(50, 400, &mut rng);
        let var = w.iter().map(|&x| (x as f64).powi(2)).sum::<f64>() / w.len() as f64;
        // Sample variance of 20000 normals is within ~3% of 2/50 with high probability.
        assert!((var - 0.04).abs() < 0.004, "variance {var}");
    }
}
