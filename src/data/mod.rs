//! Data for the lab: synthetic generators (2-D classification, 1-D and 2-D regression),
//! loaders for the vendored real sets (tables, 8x8 digits, MNIST's IDX files), feature
//! maps, standardisation, seeded splits and batching, and CSV export.
//!
//! Everything here works on plain `Vec<f32>` in row-major order; no tensors. All randomness
//! comes from [`crate::rng::Rng`] and all transcendental functions from `libm`, so the same
//! seed gives the same data on wasm32 and native.

mod csv;
mod error;
mod features;
mod idx;
mod ink;
mod mnist;
mod names;
mod real;
mod regression;
mod regression2d;
mod split;
mod standardize;
mod synthetic;
pub mod text;
mod vendored;

pub use csv::to_csv;
pub use error::DataError;
pub use features::{map_features, FeatureSet};
pub use idx::{
    parse_idx_images, parse_idx_labels, IdxImages, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC,
    MAX_IDX_ELEMENTS,
};
pub use ink::{resize_area, to_model_image, ImageSpec, Ink};
pub use mnist::{
    mnist_available, parse_mnist, provide_mnist, MNIST_CLASSES, MNIST_IMAGES_FILE,
    MNIST_LABELS_FILE, MNIST_SIDE,
};
pub use real::{
    load_real, parse_header_csv, parse_headerless_csv, parse_whitespace_regression, RealSet,
};
pub use regression::{generate_1d, Regression1d, DEFAULT_REGRESSION_N, DEFAULT_REGRESSION_NOISE};
pub use regression2d::{generate_2d_regression, Regression2d, REGRESSION_2D_RADIUS};
pub use split::{epoch_batches, train_test_split, Batcher};
pub use standardize::Standardizer;
pub use synthetic::{generate_2d, Pattern2d};
pub use vendored::{gunzip, MAX_DECOMPRESSED_BYTES};

use serde::{Deserialize, Serialize};

/// What the targets of a [`Dataset`] mean.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Task {
    /// Real-valued targets (`targets` values per row).
    Regression,
    /// One class index per row (stored as `f32`), `0..class_names.len()`.
    Classification {
        /// Human-readable name of each class, indexed by class.
        class_names: Vec<String>,
    },
}

/// A table of examples: `n` rows of `features` inputs and `targets` outputs.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Inputs, `(n, features)` row-major.
    pub x: Vec<f32>,
    /// Targets, `(n, targets)` row-major. For classification: the class index as `f32`,
    /// with `targets == 1`.
    pub y: Vec<f32>,
    /// Number of rows.
    pub n: usize,
    /// Number of input columns.
    pub features: usize,
    /// The shape of one example's input, whose product is `features`: `[features]` for a
    /// table, `[channels, height, width]` for images (`[1, 28, 28]` for MNIST, `[1, 8, 8]`
    /// for the 8x8 digits), so a layer stack can infer convolution shapes.
    pub input_shape: Vec<usize>,
    /// Number of target columns (1 for classification).
    pub targets: usize,
    /// Name of each input column (`features` entries).
    pub feature_names: Vec<String>,
    /// Regression or classification (with class names).
    pub task: Task,
}

impl Dataset {
    /// Number of classes for classification, 0 for regression.
    pub fn num_classes(&self) -> usize {
        match &self.task {
            Task::Classification { class_names } => class_names.len(),
            Task::Regression => 0,
        }
    }

    /// Whether this is a classification set.
    pub fn is_classification(&self) -> bool {
        matches!(self.task, Task::Classification { .. })
    }

    /// The inputs of row `i` (`features` values).
    ///
    /// # Panics
    /// If `i >= n` (an index bug in the caller, never user input).
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.features..(i + 1) * self.features]
    }

    /// The targets of row `i` (`targets` values).
    ///
    /// # Panics
    /// If `i >= n`.
    pub fn target_row(&self, i: usize) -> &[f32] {
        &self.y[i * self.targets..(i + 1) * self.targets]
    }

    /// A new set holding the given rows, in the given order (repeats allowed).
    ///
    /// # Panics
    /// If an index is `>= n`.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(indices.len() * self.features);
        let mut y = Vec::with_capacity(indices.len() * self.targets);
        for &i in indices {
            x.extend_from_slice(self.row(i));
            y.extend_from_slice(self.target_row(i));
        }
        Dataset {
            x,
            y,
            n: indices.len(),
            features: self.features,
            input_shape: self.input_shape.clone(),
            targets: self.targets,
            feature_names: self.feature_names.clone(),
            task: self.task.clone(),
        }
    }

    /// Class index of every row for classification (negative or non-finite stored values
    /// map to 0); an empty vector for regression.
    pub fn labels(&self) -> Vec<usize> {
        match self.task {
            // `as usize` saturates: NaN and negatives become 0.
            Task::Classification { .. } => self.y.iter().map(|&v| v as usize).collect(),
            Task::Regression => Vec::new(),
        }
    }

    /// Names of the target columns: `label` for classification, `y` for a single regression
    /// target, `y0`, `y1`, ... for several.
    pub fn target_names(&self) -> Vec<String> {
        match self.task {
            Task::Classification { .. } => vec!["label".to_string()],
            Task::Regression if self.targets == 1 => vec!["y".to_string()],
            Task::Regression => (0..self.targets).map(|t| format!("y{t}")).collect(),
        }
    }

    /// Number of rows of each class (`num_classes()` entries; labels out of range are not
    /// counted). Empty for regression.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0usize; self.num_classes()];
        for l in self.labels() {
            if let Some(c) = counts.get_mut(l) {
                *c += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Dataset {
        Dataset {
            x: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
            y: vec![1.0, 0.0, 1.0],
            n: 3,
            features: 2,
            input_shape: vec![2],
            targets: 1,
            feature_names: vec!["a".into(), "b".into()],
            task: Task::Classification {
                class_names: vec!["no".into(), "yes".into()],
            },
        }
    }

    #[test]
    fn subset_picks_rows_in_order() {
        let ds = tiny();
        let s = ds.subset(&[2, 0]);
        assert_eq!(s.n, 2);
        assert_eq!(s.x, vec![4.0, 5.0, 0.0, 1.0]);
        assert_eq!(s.y, vec![1.0, 1.0]);
        assert_eq!(s.row(1), ds.row(0));
    }

    #[test]
    fn labels_and_counts() {
        let ds = tiny();
        assert_eq!(ds.num_classes(), 2);
        assert_eq!(ds.labels(), vec![1, 0, 1]);
        assert_eq!(ds.class_counts(), vec![1, 2]);
        assert_eq!(ds.target_names(), vec!["label"]);
    }

    #[test]
    fn task_round_trips_through_json() {
        let t = tiny().task;
        let s = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Task>(&s).unwrap(), t);
    }
}
