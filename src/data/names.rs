//! Feature names of the real data sets (scikit-learn's names).

/// Iris: sepal and petal sizes.
pub(crate) const IRIS_NAMES: [&str; 4] = [
    "sepal length (cm)",
    "sepal width (cm)",
    "petal length (cm)",
    "petal width (cm)",
];

/// The ten nucleus measurements; each comes as mean, standard error and worst value.
const BREAST_CANCER_BASES: [&str; 10] = [
    "radius",
    "texture",
    "perimeter",
    "area",
    "smoothness",
    "compactness",
    "concavity",
    "concave points",
    "symmetry",
    "fractal dimension",
];

/// sklearn's order: the ten "mean X", then "X error", then "worst X".
pub(crate) fn breast_cancer_names() -> Vec<String> {
    let b = BREAST_CANCER_BASES.iter();
    let mean = b.clone().map(|b| format!("mean {b}"));
    let error = b.clone().map(|b| format!("{b} error"));
    let worst = b.map(|b| format!("worst {b}"));
    mean.chain(error).chain(worst).collect()
}

/// Wine: the chemical measurements.
pub(crate) const WINE_NAMES: [&str; 13] = [
    "alcohol",
    "malic_acid",
    "ash",
    "alcalinity_of_ash",
    "magnesium",
    "total_phenols",
    "flavanoids",
    "nonflavanoid_phenols",
    "proanthocyanins",
    "color_intensity",
    "hue",
    "od280/od315_of_diluted_wines",
    "proline",
];

/// sklearn's names; s1..s6 are blood serum measurements (total cholesterol, LDL, HDL,
/// total/HDL ratio, log of triglycerides, blood sugar).
pub(crate) const DIABETES_NAMES: [&str; 10] = [
    "age", "sex", "bmi", "bp", "s1_tc", "s2_ldl", "s3_hdl", "s4_tch", "s5_ltg", "s6_glu",
];
