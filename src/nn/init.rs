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
