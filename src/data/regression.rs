//! 1-D regression generators.

use super::{Dataset, Task};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// Default number of points of a 1-D regression set.
pub const DEFAULT_REGRESSION_N: usize = 100;
/// Default standard deviation of the additive Gaussian noise.
pub const DEFAULT_REGRESSION_NOISE: f32 = 0.05;

/// The 1-D regression problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regression1d {
    /// The worked example: `x ~ U(0, 1)`, `y = 2 x + 1 + noise * N(0, 1)`.
    Linear,
    /// `x ~ U(-pi, pi)`, `y = sin(x) + noise * N(0, 1)`.
    Sine,
}

impl Regression1d {
    /// Every problem, in menu order.
    pub const ALL: [Regression1d; 2] = [Regression1d::Linear, Regression1d::Sine];

    /// Short stable name.
    pub fn name(self) -> &'static str {
        match self {
            Regression1d::Linear => "linear",
            Regression1d::Sine => "sine",
        }
    }

    /// The problem with this name (ASCII case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Regression1d> {
        let name = name.trim();
        Regression1d::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The noise-free function `f(x)`.
    pub fn truth(self, x: f32) -> f32 {
        match self {
            Regression1d::Linear => 2.0 * x + 1.0,
            Regression1d::Sine => libm::sinf(x),
        }
    }

    /// The interval `x` is drawn from.
    pub fn domain(self) -> (f32, f32) {
        match self {
            Regression1d::Linear => (0.0, 1.0),
            Regression1d::Sine => (-core::f32::consts::PI, core::f32::consts::PI),
        }
    }
}

/// `n` points `(x, f(x) + noise * N(0, 1))` with `x` uniform on the problem's domain.
/// Per point the generator draws `x` first, then the noise. A negative or non-finite
/// `noise` is treated as 0.
pub fn generate_1d(kind: Regression1d, n: usize, noise: f32, rng: &mut Rng) -> Dataset {
    let noise = if noise.is_finite() {
        noise.max(0.0)
    } else {
        0.0
    };
    let (lo, hi) = kind.domain();
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let xi = rng.range(lo, hi);
        x.push(xi);
        y.push(kind.truth(xi) + noise * rng.normal());
    }
    Dataset {
        x,
        y,
        n,
        features: 1,
        input_shape: vec![1],
        targets: 1,
        feature_names: vec!["x".to_string()],
        task: Task::Regression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Regression1d::ALL {
            assert_eq!(Regression1d::from_name(k.name()), Some(k));
        }
        assert_eq!(Regression1d::from_name("cubic"), None);
    }

    #[test]
    fn linear_matches_an_independent_replay_of_the_stream() {
        let ds = generate_1d(
            Regression1d::Linear,
            DEFAULT_REGRESSION_N,
            DEFAULT_REGRESSION_NOISE,
            &mut Rng::new(42),
        );
        let mut r = Rng::new(42);
        for i in 0..ds.n {
            let x = r.uniform();
            let y = 2.0 * x + 1.0 + 0.05 * r.normal();
            assert_eq!((ds.x[i], ds.y[i]), (x, y));
        }
        assert_eq!(ds.features, 1);
        assert!(!ds.is_classification());
    }

    #[test]
    fn least_squares_recovers_slope_and_intercept() {
        // Ordinary least squares in f64: slope = cov(x, y) / var(x).
        let ds = generate_1d(Regression1d::Linear, 2000, 0.05, &mut Rng::new(1));
        let n = ds.n as f64;
        let mx = ds.x.iter().map(|&v| v as f64).sum::<f64>() / n;
        let my = ds.y.iter().map(|&v| v as f64).sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for i in 0..ds.n {
            let dx = ds.x[i] as f64 - mx;
            sxy += dx * (ds.y[i] as f64 - my);
            sxx += dx * dx;
        }
        let slope = sxy / sxx;
        let icpt = my - slope * mx;
        assert!((slope - 2.0).abs() < 0.02 && (icpt - 1.0).abs() < 0.01);
        // Residual standard deviation close to the noise scale.
        let res: f64 = (0..ds.n)
            .map(|i| (ds.y[i] as f64 - slope * ds.x[i] as f64 - icpt).powi(2))
            .sum::<f64>()
            / n;
        assert!((res.sqrt() / 0.05 - 1.0).abs() < 0.1);
    }

    #[test]
    fn sine_without_noise_is_exact_and_in_domain() {
        let ds = generate_1d(Regression1d::Sine, 500, 0.0, &mut Rng::new(2));
        for i in 0..ds.n {
            let x = ds.x[i];
            assert!((-std::f32::consts::PI..std::f32::consts::PI).contains(&x));
            assert!((ds.y[i] as f64 - (x as f64).sin()).abs() < 1e-6);
        }
    }
}
