//! The link spelling of enum values: each enum's own `name()` (the CLI and the page
//! use the same names). Like keys, these names are part of the link format and are
//! never changed; `tests::value_names_are_pinned` fails when one is.

use crate::experiment::{BackendChoice, DataSource, LossKind};
use crate::nn::Activation;
use crate::optim::OptimizerKind;

/// An enum a link names by value.
pub(super) trait Named: Copy + 'static {
    /// Every value, in the order messages list them.
    fn all() -> Vec<Self>;
    /// The value's name.
    fn link_name(self) -> &'static str;
}

/// Implements [`Named`] from the enum's `ALL` list and `name()`.
macro_rules! named_by_all {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn all() -> Vec<Self> {
                <$t>::ALL.to_vec()
            }
            fn link_name(self) -> &'static str {
                self.name()
            }
        }
    )*};
}

named_by_all!(LossKind, OptimizerKind, BackendChoice, Activation);

impl Named for DataSource {
    fn all() -> Vec<Self> {
        DataSource::all()
    }
    fn link_name(self) -> &'static str {
        self.name()
    }
}

/// The link names of the seven 2-D features, in [`crate::data::FeatureSet::flags`]
/// order (the data module's display names, `x1^2`, are not URL-friendly).
pub(super) const FEATURE_NAMES: [&str; 7] = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];

#[cfg(test)]
mod tests {
    use super::*;

    fn names<T: Named>() -> Vec<&'static str> {
        T::all().into_iter().map(T::link_name).collect()
    }

    /// The format's names, written out: renaming an enum value must not rename it in
    /// links (old links would stop decoding), so a rename fails here first.
    #[test]
    fn value_names_are_pinned() {
        assert_eq!(
            names::<DataSource>(),
            [
                "circle",
                "xor",
                "gauss",
                "spiral",
                "moons",
                "linear",
                "sine",
                "reg-plane",
                "reg-gauss",
                "digits",
                "iris",
                "breast-cancer",
                "wine",
                "diabetes",
                "mnist"
            ]
        );
        assert_eq!(
            names::<Activation>(),
            ["linear", "relu", "tanh", "sigmoid", "gelu"]
        );
        assert_eq!(names::<LossKind>(), ["mse", "mae", "cross-entropy"]);
        assert_eq!(
            names::<OptimizerKind>(),
            ["sgd", "momentum", "adam", "adamw"]
        );
        assert_eq!(names::<BackendChoice>(), ["cpu", "gpu", "auto"]);
    }
}
