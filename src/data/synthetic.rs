//! 2-D classification generators after TensorFlow Playground's `dataset.ts`.
//!
//! Points live in roughly `[-6, 6]^2`; labels are 0 and 1 (TF Playground's -1 and +1).
//!
//! **Noise.** `noise` is TF Playground's noise as a fraction: its slider runs from 0 % to
//! 50 %, which is `noise` 0.0 to 0.5 here (the playground divides the percentage by 100
//! before generating). Values up to 1.0 are accepted for harder sets; anything outside
//! `[0, 1]` (or NaN) is clamped. What the noise does depends on the pattern, as in TF
//! Playground:
//! - circle, xor: the point is drawn clean and its label is decided from a copy jittered by
//!   `U(-5, 5) * noise` per coordinate, so noise flips labels near the boundary. To keep
//!   the two classes exactly balanced (TF Playground's are not), candidates are drawn until
//!   each class has its quota.
//! - gauss: the variance of each blob is `0.5 + 7 * noise` (TF's linear map of noise
//!   `0..0.5` onto variance `0.5..4`, extended past 0.5).
//! - spiral: each coordinate gets `U(-1, 1) * noise`.
//! - moons (not in TF Playground): scikit-learn's `make_moons` half circles with Gaussian
//!   jitter of standard deviation `0.5 * noise` in sklearn's units, then centred and scaled
//!   by 10/3 so the moons span `x in [-5, 5]`. Angles are drawn uniformly rather than on
//!   sklearn's even grid, so every point is an independent sample.

use super::{Dataset, Task};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// The 2-D classification patterns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern2d {
    /// A disk (class 1) inside a ring (class 0).
    Circle,
    /// Quadrants: class 1 where `x1 * x2 >= 0`.
    Xor,
    /// Two Gaussian blobs, class 1 around (2, 2), class 0 around (-2, -2).
    Gauss,
    /// Two interleaved spirals.
    Spiral,
    /// Two interleaved half circles (scikit-learn's moons).
    Moons,
}

impl Pattern2d {
    /// Every pattern, in menu order.
    pub const ALL: [Pattern2d; 5] = [
        Pattern2d::Circle,
        Pattern2d::Xor,
        Pattern2d::Gauss,
        Pattern2d::Spiral,
        Pattern2d::Moons,
    ];

    /// Short stable name (used in links and menus).
    pub fn name(self) -> &'static str {
        match self {
            Pattern2d::Circle => "circle",
            Pattern2d::Xor => "xor",
            Pattern2d::Gauss => "gauss",
            Pattern2d::Spiral => "spiral",
            Pattern2d::Moons => "moons",
        }
    }

    /// The pattern with this name (ASCII case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<Pattern2d> {
        let name = name.trim();
        Pattern2d::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
    }
}

/// Radius of TF Playground's circle data; inner disk `0..R/2`, outer ring `0.7R..R`.
const CIRCLE_RADIUS: f32 = 5.0;
/// Scale from sklearn's moon coordinates to the playground's.
const MOONS_SCALE: f32 = 10.0 / 3.0;

/// Generates `n` labelled points of `pattern` (see the module docs for `noise`).
/// Class 0 gets `n - n / 2` points and class 1 gets `n / 2`. The result depends only on
/// the arguments and the state of `rng`.
pub fn generate_2d(pattern: Pattern2d, n: usize, noise: f32, rng: &mut Rng) -> Dataset {
    let noise = if noise.is_finite() {
        noise.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let quota = [n - n / 2, n / 2];
    let mut x = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    match pattern {
        Pattern2d::Circle => quota_sample(quota, rng, &mut x, &mut y, |rng, k| {
            circle_candidate(rng, k, noise)
        }),
        Pattern2d::Xor => quota_sample(quota, rng, &mut x, &mut y, |rng, _| {
            xor_candidate(rng, noise)
        }),
        Pattern2d::Gauss => {
            let std = libm::sqrtf(0.5 + 7.0 * noise);
            for (label, c) in [(0usize, -2.0f32), (1, 2.0)] {
                for _ in 0..quota[label] {
                    x.push(c + std * rng.normal());
                    x.push(c + std * rng.normal());
                    y.push(label as f32);
                }
            }
        }
        Pattern2d::Spiral => {
            for (label, delta) in [(0usize, PI), (1, 0.0)] {
                let m = quota[label];
                for i in 0..m {
                    let frac = i as f64 / m as f64;
                    let r = frac * 5.0;
                    let t = 1.75 * frac * 2.0 * PI + delta;
                    let nx = rng.range(-1.0, 1.0) * noise;
                    let ny = rng.range(-1.0, 1.0) * noise;
                    x.push((r * libm::sin(t)) as f32 + nx);
                    x.push((r * libm::cos(t)) as f32 + ny);
                    y.push(label as f32);
                }
            }
        }
        Pattern2d::Moons => {
            let jitter = 0.5 * noise;
            for label in [0usize, 1] {
                for _ in 0..quota[label] {
                    let theta = rng.uniform_f64() * PI;
                    let (c, s) = (libm::cos(theta) as f32, libm::sin(theta) as f32);
                    // sklearn: outer moon (cos, sin); inner moon (1 - cos, 1 - sin - 0.5).
                    let (mx, my) = if label == 0 {
                        (c, s)
                    } else {
                        (1.0 - c, 1.0 - s - 0.5)
                    };
                    let mx = mx + jitter * rng.normal();
                    let my = my + jitter * rng.normal();
                    // Centre of the pair is (0.5, 0.25).
                    x.push((mx - 0.5) * MOONS_SCALE);
                    x.push((my - 0.25) * MOONS_SCALE);
                    y.push(label as f32);
                }
            }
        }
    }
    Dataset {
        x,
        y,
        n,
        features: 2,
        input_shape: vec![2],
        targets: 1,
        feature_names: vec!["x1".to_string(), "x2".to_string()],
        task: Task::Classification {
            class_names: vec!["negative".to_string(), "positive".to_string()],
        },
    }
}

/// A candidate point and the label TF Playground would give it.
type Candidate = ([f32; 2], usize);

/// Draws candidates (`make(rng, attempt)`) and keeps each one whose label still has room
/// in `quota`, so the classes end up exactly at their quotas. Bounded: after a generous
/// number of attempts (unreachable in practice: the rarer label has probability above
/// 0.1 even at noise 1) the remaining slots are filled with the next candidates relabelled,
/// so it never hangs.
fn quota_sample(
    quota: [usize; 2],
    rng: &mut Rng,
    x: &mut Vec<f32>,
    y: &mut Vec<f32>,
    mut make: impl FnMut(&mut Rng, usize) -> Candidate,
) {
    let mut left = quota;
    let max_attempts = 1000 + 200 * (quota[0] + quota[1]);
    let mut attempt = 0;
    while left[0] + left[1] > 0 {
        let (p, mut label) = make(rng, attempt);
        attempt += 1;
        if left[label] == 0 {
            if attempt < max_attempts {
                continue;
            }
            label = 1 - label;
        }
        left[label] -= 1;
        x.extend_from_slice(&p);
        y.push(label as f32);
    }
}

/// TF Playground's circle: even attempts come from the inner disk, odd ones from the
/// outer ring (TF draws half of each); the label is "inside radius R/2" of the point
/// jittered by `U(-R, R) * noise` per coordinate.
fn circle_candidate(rng: &mut Rng, attempt: usize, noise: f32) -> Candidate {
    let (lo, hi) = if attempt.is_multiple_of(2) {
        (0.0, CIRCLE_RADIUS * 0.5)
    } else {
        (CIRCLE_RADIUS * 0.7, CIRCLE_RADIUS)
    };
    let r = rng.range(lo, hi) as f64;
    let angle = rng.uniform_f64() * 2.0 * PI;
    let px = (r * libm::sin(angle)) as f32;
    let py = (r * libm::cos(angle)) as f32;
    let nx = rng.range(-CIRCLE_RADIUS, CIRCLE_RADIUS) * noise;
    let ny = rng.range(-CIRCLE_RADIUS, CIRCLE_RADIUS) * noise;
    let (qx, qy) = (px + nx, py + ny);
    let half = CIRCLE_RADIUS * 0.5;
    let inside = qx * qx + qy * qy < half * half;
    ([px, py], inside as usize)
}

/// TF Playground's xor: uniform in `[-5, 5]^2` pushed 0.3 away from both axes; label 1
/// when the jittered copy has `x * y >= 0`.
fn xor_candidate(rng: &mut Rng, noise: f32) -> Candidate {
    let pad = |v: f32| if v > 0.0 { v + 0.3 } else { v - 0.3 };
    let px = pad(rng.range(-5.0, 5.0));
    let py = pad(rng.range(-5.0, 5.0));
    let nx = rng.range(-5.0, 5.0) * noise;
    let ny = rng.range(-5.0, 5.0) * noise;
    ([px, py], ((px + nx) * (py + ny) >= 0.0) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(ds: &Dataset) -> impl Iterator<Item = (f32, f32, usize)> + '_ {
        (0..ds.n).map(|i| (ds.x[2 * i], ds.x[2 * i + 1], ds.y[i] as usize))
    }

    #[test]
    fn names_round_trip() {
        for p in Pattern2d::ALL {
            assert_eq!(Pattern2d::from_name(p.name()), Some(p));
            assert_eq!(Pattern2d::from_name(&p.name().to_uppercase()), Some(p));
        }
        assert_eq!(Pattern2d::from_name("donut"), None);
    }

    #[test]
    fn same_seed_same_points_other_seed_other_points() {
        for p in Pattern2d::ALL {
            let a = generate_2d(p, 200, 0.2, &mut Rng::new(11));
            let b = generate_2d(p, 200, 0.2, &mut Rng::new(11));
            let c = generate_2d(p, 200, 0.2, &mut Rng::new(12));
            assert_eq!(a, b, "{}", p.name());
            assert_ne!(a.x, c.x, "{}", p.name());
        }
    }

    #[test]
    fn labels_are_balanced_and_shapes_consistent() {
        for p in Pattern2d::ALL {
            for n in [0, 1, 7, 200, 301] {
                for noise in [0.0, 0.5, 1.0, f32::NAN, -3.0] {
                    let ds = generate_2d(p, n, noise, &mut Rng::new(n as u64));
                    assert_eq!((ds.n, ds.x.len(), ds.y.len()), (n, 2 * n, n));
                    assert_eq!(ds.class_counts(), vec![n - n / 2, n / 2], "{}", p.name());
                    assert!(ds.x.iter().all(|v| v.is_finite()));
                }
            }
        }
    }

    #[test]
    fn bounded_patterns_stay_in_range() {
        // Hard bounds from the definitions: circle radius <= 5; xor |v| <= 5.3;
        // spiral radius <= 5 plus jitter <= noise per coordinate; moons |x| <= 5 at noise 0.
        for noise in [0.0, 0.5, 1.0] {
            let mut rng = Rng::new(3);
            for p in [Pattern2d::Circle, Pattern2d::Xor, Pattern2d::Spiral] {
                let ds = generate_2d(p, 500, noise, &mut rng);
                let bound = if p == Pattern2d::Spiral {
                    5.0 + noise
                } else {
                    5.3
                };
                assert!(ds.x.iter().all(|v| v.abs() <= bound + 1e-5), "{}", p.name());
            }
        }
        let ds = generate_2d(Pattern2d::Moons, 500, 0.0, &mut Rng::new(4));
        for (a, b, _) in points(&ds) {
            assert!(a.abs() <= 5.0 + 1e-5 && b.abs() <= 2.5 + 1e-5);
        }
    }

    #[test]
    fn noiseless_circle_is_separable_by_radius_and_noise_flips_labels() {
        let ds = generate_2d(Pattern2d::Circle, 400, 0.0, &mut Rng::new(5));
        for (a, b, l) in points(&ds) {
            let r = (a * a + b * b).sqrt();
            assert_eq!(l, (r < 3.0) as usize, "r {r}");
        }
        // With noise the label comes from a jittered copy: some points sit on the
        // "wrong" side of radius 3 (at noise 0.5 about a fifth of them).
        let ds = generate_2d(Pattern2d::Circle, 400, 0.5, &mut Rng::new(5));
        let flipped = points(&ds)
            .filter(|&(a, b, l)| l != ((a * a + b * b).sqrt() < 3.0) as usize)
            .count();
        assert!(flipped > 10, "flipped {flipped}");
    }

    #[test]
    fn noiseless_xor_follows_quadrant_rule_with_padding() {
        let ds = generate_2d(Pattern2d::Xor, 400, 0.0, &mut Rng::new(6));
        for (a, b, l) in points(&ds) {
            assert_eq!(l, (a * b >= 0.0) as usize);
            assert!(a.abs() >= 0.3 && b.abs() >= 0.3);
        }
    }

    #[test]
    fn gauss_blobs_have_documented_centres_and_variance() {
        for noise in [0.0f32, 0.5] {
            let ds = generate_2d(Pattern2d::Gauss, 4000, noise, &mut Rng::new(7));
            let want_var = 0.5 + 7.0 * noise as f64;
            for (label, centre) in [(0usize, -2.0f64), (1, 2.0)] {
                let vals: Vec<f64> = points(&ds)
                    .filter(|p| p.2 == label)
                    .flat_map(|(a, b, _)| [a as f64, b as f64])
                    .collect();
                let m = vals.iter().sum::<f64>() / vals.len() as f64;
                let v = vals.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / vals.len() as f64;
                // 4000 samples per class: standard error of the mean is sqrt(var / 4000).
                assert!(
                    (m - centre).abs() < 5.0 * (want_var / 4000.0).sqrt(),
                    "mean {m}"
                );
                assert!((v / want_var - 1.0).abs() < 0.1, "var {v} want {want_var}");
            }
        }
    }

    #[test]
    fn noiseless_spiral_points_lie_on_the_curve() {
        // Class 1 at step i of m: radius 5 i / m and angle t = 3.5 pi i / m measured as
        // atan2(x, y) (x = r sin t, y = r cos t). Class 0 is the same curve turned by pi.
        let n = 300;
        let ds = generate_2d(Pattern2d::Spiral, n, 0.0, &mut Rng::new(8));
        let m = n / 2;
        for (k, (a, b, l)) in points(&ds).enumerate() {
            let i = if l == 0 { k } else { k - (n - n / 2) };
            let frac = i as f64 / m as f64;
            let r = (a as f64).hypot(b as f64);
            assert!((r - 5.0 * frac).abs() < 1e-4, "radius");
            if r > 0.1 {
                let t = 3.5 * PI * frac + if l == 0 { PI } else { 0.0 };
                let got = (a as f64).atan2(b as f64);
                let d = (got - t).rem_euclid(2.0 * PI);
                assert!(d.min(2.0 * PI - d) < 1e-3, "angle");
            }
        }
    }

    #[test]
    fn noiseless_moons_lie_on_their_half_circles() {
        let ds = generate_2d(Pattern2d::Moons, 300, 0.0, &mut Rng::new(9));
        for (a, b, l) in points(&ds) {
            // Back to sklearn's coordinates.
            let (u, v) = (a / MOONS_SCALE + 0.5, b / MOONS_SCALE + 0.25);
            if l == 0 {
                assert!((u * u + v * v - 1.0).abs() < 1e-4 && v >= -1e-5);
            } else {
                let (du, dv) = (u - 1.0, v - 0.5);
                assert!((du * du + dv * dv - 1.0).abs() < 1e-4 && v <= 0.5 + 1e-5);
            }
        }
    }
}
