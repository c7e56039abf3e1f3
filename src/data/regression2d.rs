//! TensorFlow Playground's two 2-D regression sets (`regressPlane`, `regressGaussian` in
//! its `dataset.ts`), generated the same way with this codebase's [`Rng`].
//!
//! Every point: `x, y ~ U(-6, 6)`, then noise offsets `nx, ny ~ U(-6, 6) * noise`; the
//! label is computed at `(x + nx, y + ny)` but the point stored is `(x, y)`, so noise
//! blurs the surface rather than moving the points. `noise` is TF's percentage as a
//! fraction (its slider 0..50 % is 0.0..0.5 here); outside `[0, 1]` or NaN is clamped.
//! - plane: `label = (x + y) / 10` (TF maps `x + y` from `[-10, 10]` onto `[-1, 1]`
//!   without clamping, so corners reach +-1.2);
//! - gauss: six bumps at `(-4, 2.5, +1), (0, 2.5, -1), (4, 2.5, +1), (-4, -2.5, -1),
//!   (0, -2.5, +1), (4, -2.5, -1)` (centre and sign); each gives
//!   `sign * clamp(1 - dist / 2, 0, 1)` and the label is the one largest in absolute
//!   value (the first on ties, as TF's strict `>`), 0 far from every bump.

use super::{Dataset, Task};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// The 2-D regression surfaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regression2d {
    /// A tilted plane: `(x + y) / 10`.
    Plane,
    /// Six signed bumps (TF Playground's "multi gaussian").
    Gauss,
}

/// Half-width of the square the points are drawn from (TF's `radius`).
pub const REGRESSION_2D_RADIUS: f32 = 6.0;

/// TF's bumps: centre x, centre y, sign.
const BUMPS: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

impl Regression2d {
    /// Every surface, in menu order.
    pub const ALL: [Regression2d; 2] = [Regression2d::Plane, Regression2d::Gauss];

    /// Short stable name: TF Playground's own (`reg-plane`, `reg-gauss`).
    pub fn name(self) -> &'static str {
        match self {
            Regression2d::Plane => "reg-plane",
            Regression2d::Gauss => "reg-gauss",
        }
    }

    /// The surface with this name (ASCII case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Regression2d> {
        let name = name.trim();
        Regression2d::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }

    /// The noise-free label at `(x, y)`.
    pub fn truth(self, x: f64, y: f64) -> f64 {
        match self {
            Regression2d::Plane => (x + y) / 10.0,
            Regression2d::Gauss => {
                let mut label = 0.0f64;
                for (cx, cy, sign) in BUMPS {
                    let dist = libm::sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
                    let v = sign * (1.0 - dist / 2.0).clamp(0.0, 1.0);
                    if v.abs() > label.abs() {
                        label = v;
                    }
                }
                label
            }
        }
    }
}

/// `n` points of `kind` (see the module docs). Per point the generator draws `x`, `y`,
/// then the two noise offsets, in that order, as TF does.
pub fn generate_2d_regression(kind: Regression2d, n: usize, noise: f32, rng: &mut Rng) -> Dataset {
    let noise = if noise.is_finite() {
        noise.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let r = REGRESSION_2D_RADIUS;
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (px, py) = (rng.range(-r, r), rng.range(-r, r));
        let nx = rng.range(-r, r) * noise;
        let ny = rng.range(-r, r) * noise;
        x.extend([px, py]);
        y.push(kind.truth((px + nx) as f64, (py + ny) as f64) as f32);
    }
    Dataset {
        x,
        y,
        n,
        features: 2,
        input_shape: vec![2],
        targets: 1,
        feature_names: vec!["x1".to_string(), "x2".to_string()],
        task: Task::Regression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_tf_playgrounds() {
        for k in Regression2d::ALL {
            assert_eq!(Regression2d::from_name(k.name()), Some(k));
        }
        assert_eq!(
            Regression2d::from_name(" REG-Gauss "),
            Some(Regression2d::Gauss)
        );
        assert_eq!(Regression2d::from_name("reg-sine"), None);
    }

    /// The stream replayed by hand: x, y, nx, ny per point, label at the noisy point.
    #[test]
    fn points_replay_the_stream_in_tf_order() {
        for kind in Regression2d::ALL {
            let noise = 0.3;
            let ds = generate_2d_regression(kind, 200, noise, &mut Rng::new(7));
            let mut r = Rng::new(7);
            for i in 0..ds.n {
                let (x, y) = (r.range(-6.0, 6.0), r.range(-6.0, 6.0));
                let (nx, ny) = (r.range(-6.0, 6.0) * noise, r.range(-6.0, 6.0) * noise);
                assert_eq!(ds.row(i), &[x, y]);
                assert_eq!(ds.y[i], kind.truth((x + nx) as f64, (y + ny) as f64) as f32);
            }
            assert!(!ds.is_classification());
        }
    }

    #[test]
    fn plane_is_tf_linear_label_scale() {
        let ds = generate_2d_regression(Regression2d::Plane, 500, 0.0, &mut Rng::new(1));
        for i in 0..ds.n {
            let (x, y) = (ds.x[2 * i] as f64, ds.x[2 * i + 1] as f64);
            // d3's linear scale from [-10, 10] to [-1, 1]: -1 + (v + 10) / 20 * 2.
            let want = -1.0 + (x + y + 10.0) / 20.0 * 2.0;
            assert!((ds.y[i] as f64 - want).abs() < 1e-6);
            assert!(x.abs() <= 6.0 && y.abs() <= 6.0);
        }
    }

    /// The bump rule written out the way TF's code reads: a clamped linear scale from
    /// [0, 2] onto [1, 0] per bump, keep the largest |value|.
    #[test]
    fn gauss_matches_the_bump_rule() {
        let scale = |d: f64| (1.0 + (d / 2.0) * (0.0 - 1.0)).clamp(0.0, 1.0);
        let g = Regression2d::Gauss;
        for &(cx, cy, s) in &BUMPS {
            assert_eq!(g.truth(cx, cy), s, "the peak of each bump is its sign");
        }
        assert_eq!(g.truth(-6.0, 0.0), 0.0);
        let ds = generate_2d_regression(g, 1000, 0.0, &mut Rng::new(3));
        for i in 0..ds.n {
            let (x, y) = (ds.x[2 * i] as f64, ds.x[2 * i + 1] as f64);
            let best = BUMPS
                .iter()
                .map(|&(cx, cy, s)| s * scale(((x - cx).powi(2) + (y - cy).powi(2)).sqrt()))
                .fold(0.0f64, |a, v| if v.abs() > a.abs() { v } else { a });
            assert!((ds.y[i] as f64 - best).abs() < 1e-6, "{x} {y}");
            assert!(ds.y[i].abs() <= 1.0);
        }
    }

    #[test]
    fn noise_is_clamped_and_nan_means_none() {
        let clean = generate_2d_regression(Regression2d::Plane, 50, 0.0, &mut Rng::new(2));
        let nan = generate_2d_regression(Regression2d::Plane, 50, f32::NAN, &mut Rng::new(2));
        assert_eq!(clean, nan);
        let big = generate_2d_regression(Regression2d::Plane, 50, 9.0, &mut Rng::new(2));
        let one = generate_2d_regression(Regression2d::Plane, 50, 1.0, &mut Rng::new(2));
        assert_eq!(big, one);
    }
}
