//! Input feature maps for 2-D points, as TF Playground's "features" column: the network
//! sees any chosen subset of `x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)`.

use super::DataError;
use serde::{Deserialize, Serialize};

/// Which derived inputs feed the network. Default: `x1` and `x2` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeatureSet {
    /// First coordinate.
    pub x1: bool,
    /// Second coordinate.
    pub x2: bool,
    /// `x1^2`.
    pub x1_sq: bool,
    /// `x2^2`.
    pub x2_sq: bool,
    /// `x1 * x2`.
    pub x1x2: bool,
    /// `sin(x1)`.
    pub sin_x1: bool,
    /// `sin(x2)`.
    pub sin_x2: bool,
}

impl Default for FeatureSet {
    fn default() -> Self {
        FeatureSet {
            x1: true,
            x2: true,
            x1_sq: false,
            x2_sq: false,
            x1x2: false,
            sin_x1: false,
            sin_x2: false,
        }
    }
}

/// A derived input computed from `(x1, x2)`.
type FeatureFn = fn(f32, f32) -> f32;

/// Every feature in column order: its display name and the function computing it.
const ALL_FEATURES: [(&str, FeatureFn); 7] = [
    ("x1", |a, _| a),
    ("x2", |_, b| b),
    ("x1^2", |a, _| a * a),
    ("x2^2", |_, b| b * b),
    ("x1*x2", |a, b| a * b),
    ("sin(x1)", |a, _| libm::sinf(a)),
    ("sin(x2)", |_, b| libm::sinf(b)),
];

impl FeatureSet {
    /// Every feature switched on.
    pub const ALL_ON: FeatureSet = FeatureSet {
        x1: true,
        x2: true,
        x1_sq: true,
        x2_sq: true,
        x1x2: true,
        sin_x1: true,
        sin_x2: true,
    };

    /// The seven switches in column order (`x1, x2, x1^2, x2^2, x1*x2, sin x1, sin x2`).
    pub fn flags(&self) -> [bool; 7] {
        [
            self.x1,
            self.x2,
            self.x1_sq,
            self.x2_sq,
            self.x1x2,
            self.sin_x1,
            self.sin_x2,
        ]
    }

    /// Builds a set from the seven switches in [`FeatureSet::flags`] order.
    pub fn from_flags(f: [bool; 7]) -> FeatureSet {
        FeatureSet {
            x1: f[0],
            x2: f[1],
            x1_sq: f[2],
            x2_sq: f[3],
            x1x2: f[4],
            sin_x1: f[5],
            sin_x2: f[6],
        }
    }

    /// Names of the chosen features, in column order (`"x1"`, `"x1^2"`, `"sin(x2)"`, ...).
    pub fn names(&self) -> Vec<String> {
        self.flags()
            .iter()
            .zip(ALL_FEATURES.iter())
            .filter(|(&on, _)| on)
            .map(|(_, (name, _))| name.to_string())
            .collect()
    }

    /// Number of chosen features (the network's input width).
    pub fn count(&self) -> usize {
        self.flags().iter().filter(|&&on| on).count()
    }

    /// `Err(DataError::NoFeatures)` when every feature is off.
    pub fn validate(&self) -> Result<(), DataError> {
        if self.count() == 0 {
            Err(DataError::NoFeatures)
        } else {
            Ok(())
        }
    }
}

/// Maps 2-D points `(n, 2)` row-major to `(n, set.count())` row-major features, columns in
/// [`FeatureSet::names`] order. `n = points.len() / 2` (a trailing odd value is ignored).
/// Used both for training data and for evaluating the decision boundary on a grid.
pub fn map_features(points: &[f32], set: &FeatureSet) -> Vec<f32> {
    let flags = set.flags();
    let chosen: Vec<FeatureFn> = flags
        .iter()
        .zip(ALL_FEATURES.iter())
        .filter(|(&on, _)| on)
        .map(|(_, &(_, f))| f)
        .collect();
    let mut out = Vec::with_capacity(points.len() / 2 * chosen.len());
    for p in points.chunks_exact(2) {
        for f in &chosen {
            out.push(f(p[0], p[1]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_x1_x2_identity() {
        let s = FeatureSet::default();
        assert_eq!(s.names(), vec!["x1", "x2"]);
        assert_eq!(s.count(), 2);
        let pts = [1.5, -2.0, 0.25, 4.0];
        assert_eq!(map_features(&pts, &s), pts.to_vec());
    }

    #[test]
    fn every_subset_matches_direct_formulas() {
        let pts = [0.7f32, -1.3, 2.0, 0.5, -3.1, 0.0];
        for bits in 0u32..128 {
            let flags: [bool; 7] = std::array::from_fn(|k| bits & (1 << k) != 0);
            let set = FeatureSet::from_flags(flags);
            assert_eq!(set.flags(), flags);
            let out = map_features(&pts, &set);
            assert_eq!(out.len(), 3 * set.count());
            assert_eq!(set.names().len(), set.count());
            assert_eq!(set.validate().is_ok(), bits != 0);
            // Recompute each row by hand, written out per feature.
            let mut want = Vec::new();
            for p in pts.chunks(2) {
                let (a, b) = (p[0], p[1]);
                let all = [a, b, a * a, b * b, a * b, libm::sinf(a), libm::sinf(b)];
                want.extend((0..7).filter(|&k| flags[k]).map(|k| all[k]));
            }
            assert_eq!(out, want);
        }
        assert_eq!(
            FeatureSet::ALL_ON.names(),
            vec!["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
        );
    }

    #[test]
    fn sine_feature_agrees_with_f64_sine() {
        let set = FeatureSet::from_flags([false, false, false, false, false, true, false]);
        let out = map_features(&[1.0, 0.0, -2.5, 0.0], &set);
        assert!((out[0] as f64 - 1.0f64.sin()).abs() < 1e-6);
        assert!((out[1] as f64 - (-2.5f64).sin()).abs() < 1e-6);
    }
}
