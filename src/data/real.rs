//! Loaders for the real data sets vendored in `www/data/` (see its README for provenance).
//!
//! Natively every file is embedded with `include_bytes!`, so the CLI is self-contained.
//! The web page embeds none: it fetches a set's files when the set is chosen
//! ([`RealSet::fetched_files`]) and hands them over ([`RealSet::provide_fetched`]); until
//! then loading the set is a [`DataError::NotLoaded`] (`vendored.rs` keeps the tabular
//! files, `mnist.rs` MNIST). The parsers also take arbitrary bytes and return a
//! [`DataError`] naming the file and line for anything malformed; they never panic and
//! never allocate more than the input (or
//! [`MAX_DECOMPRESSED_BYTES`](super::MAX_DECOMPRESSED_BYTES) for gzip) justifies.

use super::mnist::{
    load_mnist, mnist_available, provide_mnist, MNIST_IMAGES_FILE, MNIST_LABELS_FILE,
};
use super::names::{breast_cancer_names, DIABETES_NAMES, IRIS_NAMES, WINE_NAMES};
use super::vendored::{
    file_available, file_bytes, maybe_gunzip, provide_file, BREAST_CANCER_FILE, DIABETES_X_FILE,
    DIABETES_Y_FILE, DIGITS_FILE, IRIS_FILE, WINE_FILE,
};
#[cfg(test)]
use super::vendored::{gunzip, DIABETES_X_GZ, DIABETES_Y_GZ, DIGITS_GZ, IRIS_CSV};
use super::{DataError, Dataset, Task};
use serde::{Deserialize, Serialize};

/// The vendored real data sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RealSet {
    /// 8x8 handwritten digits: 1797 rows, 64 pixels (0..16), 10 classes.
    Digits,
    /// Fisher's iris: 150 rows, 4 features, 3 classes.
    Iris,
    /// Breast Cancer Wisconsin (Diagnostic): 569 rows, 30 features, malignant/benign.
    BreastCancer,
    /// Wine recognition: 178 rows, 13 features, 3 classes.
    Wine,
    /// Diabetes progression (regression): 442 rows, 10 raw features.
    Diabetes,
    /// MNIST's test set: 10,000 handwritten digits, 28x28 pixels scaled to [0, 1], 10
    /// classes. Embedded natively; fetched by the web page on demand (see
    /// [`RealSet::fetched_files`]).
    Mnist,
}

impl RealSet {
    /// Every set, in menu order.
    pub const ALL: [RealSet; 6] = [
        RealSet::Digits,
        RealSet::Iris,
        RealSet::BreastCancer,
        RealSet::Wine,
        RealSet::Diabetes,
        RealSet::Mnist,
    ];

    /// Short stable name (used in links and menus).
    pub fn name(self) -> &'static str {
        match self {
            RealSet::Digits => "digits",
            RealSet::Iris => "iris",
            RealSet::BreastCancer => "breast_cancer",
            RealSet::Wine => "wine",
            RealSet::Diabetes => "diabetes",
            RealSet::Mnist => "mnist",
        }
    }

    /// The set with this name (ASCII case-insensitive, surrounding spaces ignored).
    pub fn from_name(name: &str) -> Option<RealSet> {
        let name = name.trim();
        RealSet::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// Whether the set's task is classification (all but diabetes).
    pub fn is_classification(self) -> bool {
        !matches!(self, RealSet::Diabetes)
    }

    /// The files in `www/data/` that the web page downloads before it can load the set,
    /// in the order [`RealSet::provide_fetched`] takes them. Natively every set is embedded.
    pub fn fetched_files(self) -> &'static [&'static str] {
        match self {
            RealSet::Digits => &[DIGITS_FILE],
            RealSet::Iris => &[IRIS_FILE],
            RealSet::BreastCancer => &[BREAST_CANCER_FILE],
            RealSet::Wine => &[WINE_FILE],
            RealSet::Diabetes => &[DIABETES_X_FILE, DIABETES_Y_FILE],
            RealSet::Mnist => &[MNIST_IMAGES_FILE, MNIST_LABELS_FILE],
        }
    }

    /// Whether the set can be loaded now without a download: always natively; on the web
    /// once [`RealSet::provide_fetched`] has succeeded.
    pub fn is_available(self) -> bool {
        match self {
            RealSet::Mnist => mnist_available(),
            _ => self.fetched_files().iter().all(|f| file_available(f)),
        }
    }

    /// Hands the downloaded [`RealSet::fetched_files`] (bytes in that order; gzip files
    /// may come decompressed already) to the data module, which checks that they parse and
    /// keeps them for the session: afterwards [`RealSet::is_available`] is true.
    /// Malformed bytes are an error naming the file, and nothing is kept.
    pub fn provide_fetched(self, files: &[Vec<u8>]) -> Result<(), DataError> {
        let expected = self.fetched_files();
        if files.len() != expected.len() {
            return Err(DataError::Shape {
                file: self.name().to_string(),
                message: format!("{} files given, {} expected", files.len(), expected.len()),
            });
        }
        if self == RealSet::Mnist {
            return provide_mnist(&files[0], &files[1]);
        }
        let bytes: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        parse_real(self, &bytes)?;
        for (file, data) in expected.iter().zip(files) {
            provide_file(file, data.clone())?;
        }
        Ok(())
    }
}

/// Loads `set`, with descriptive feature names (scikit-learn's): natively from the
/// embedded files, on the web from the session's downloaded copy.
pub fn load_real(set: RealSet) -> Result<Dataset, DataError> {
    if set == RealSet::Mnist {
        // Names and shape come with the set (see `mnist.rs`).
        return load_mnist();
    }
    let bytes = set
        .fetched_files()
        .iter()
        .map(|f| file_bytes(f))
        .collect::<Result<Vec<_>, _>>()?;
    parse_real(set, &bytes)
}

/// Parses tabular `set` from its files' bytes (`bytes[k]` is `fetched_files()[k]`).
fn parse_real(set: RealSet, bytes: &[&[u8]]) -> Result<Dataset, DataError> {
    let files = set.fetched_files();
    if bytes.len() != files.len() {
        return Err(shape(set.name(), "wrong number of files"));
    }
    let (file, mut ds, names): (&str, Dataset, Vec<String>) = match set {
        RealSet::Digits => {
            let file = DIGITS_FILE;
            let text = maybe_gunzip(file, bytes[0])?;
            let names = (0..64).map(|k| format!("pixel_{}_{}", k / 8, k % 8));
            let mut ds = parse_headerless_csv(file, &text, 10)?;
            // One channel of 8x8 pixels (64 features, checked below).
            ds.input_shape = vec![1, 8, 8];
            (file, ds, names.collect())
        }
        RealSet::Iris => {
            let file = IRIS_FILE;
            let names = IRIS_NAMES.iter().map(|s| s.to_string()).collect();
            (file, parse_header_csv(file, bytes[0])?, names)
        }
        RealSet::BreastCancer => {
            let file = BREAST_CANCER_FILE;
            let names = breast_cancer_names();
            (file, parse_header_csv(file, bytes[0])?, names)
        }
        RealSet::Wine => {
            let file = WINE_FILE;
            let names = WINE_NAMES.iter().map(|s| s.to_string()).collect();
            (file, parse_header_csv(file, bytes[0])?, names)
        }
        RealSet::Diabetes => {
            let (xf, yf) = (DIABETES_X_FILE, DIABETES_Y_FILE);
            let xt = maybe_gunzip(xf, bytes[0])?;
            let yt = maybe_gunzip(yf, bytes[1])?;
            let names = DIABETES_NAMES.iter().map(|s| s.to_string()).collect();
            (xf, parse_whitespace_regression(xf, &xt, yf, &yt)?, names)
        }
        RealSet::Mnist => return load_mnist(),
    };
    if ds.features != names.len() {
        return Err(DataError::Shape {
            file: file.to_string(),
            message: format!("expected {} features, found {}", names.len(), ds.features),
        });
    }
    ds.feature_names = names;
    Ok(ds)
}

/// Parses the CSV layout of iris, breast cancer and wine: a header line
/// `rows,features,class name,...`, then `rows` lines of `features` numbers followed by the
/// class index. Feature names come out as `f0`, `f1`, ...; blank lines are skipped.
pub fn parse_header_csv(file: &str, bytes: &[u8]) -> Result<Dataset, DataError> {
    let mut lines = lines(file, bytes);
    let (line_no, header) = match lines.next() {
        Some(l) => l?,
        None => return Err(shape(file, "empty file (no header line)")),
    };
    let fields: Vec<&str> = header.split(',').map(str::trim).collect();
    let count = |k: usize, what: &str| -> Result<usize, DataError> {
        fields
            .get(k)
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(|| parse_err(file, line_no, format!("header: expected the {what}")))
    };
    let rows = count(0, "row count")?;
    let features = count(1, "feature count")?;
    let class_names: Vec<String> = fields[2..].iter().map(|s| s.to_string()).collect();
    if class_names.is_empty() || class_names.iter().any(|c| c.is_empty()) {
        return Err(parse_err(
            file,
            line_no,
            "header: missing class names".into(),
        ));
    }
    let ds = parse_rows(file, lines, features, class_names)?;
    if ds.n != rows {
        return Err(shape(
            file,
            &format!("header says {rows} rows, found {}", ds.n),
        ));
    }
    Ok(ds)
}

/// Parses a header-less CSV whose last column is a class index in `0..classes` (the
/// digits layout). The feature count comes from the first row; feature names are `f0`,
/// `f1`, ... and class names `0`, `1`, ....
pub fn parse_headerless_csv(
    file: &str,
    bytes: &[u8],
    classes: usize,
) -> Result<Dataset, DataError> {
    let mut peek = lines(file, bytes);
    let features = match peek.next() {
        Some(l) => l?.1.split(',').count().saturating_sub(1),
        None => return Err(shape(file, "empty file")),
    };
    let class_names = (0..classes).map(|c| c.to_string()).collect();
    parse_rows(file, lines(file, bytes), features, class_names)
}

/// Parses a regression set stored as two files: `x_bytes` with whitespace-separated
/// features, one row a line, and `y_bytes` with one target a line (the diabetes layout).
/// Both must have the same number of rows and every row the same width.
pub fn parse_whitespace_regression(
    x_file: &str,
    x_bytes: &[u8],
    y_file: &str,
    y_bytes: &[u8],
) -> Result<Dataset, DataError> {
    let mut x = Vec::new();
    let mut features = None;
    let mut n = 0;
    for l in lines(x_file, x_bytes) {
        let (line_no, text) = l?;
        let before = x.len();
        for field in text.split_whitespace() {
            x.push(number(x_file, line_no, field)?);
        }
        let width = x.len() - before;
        match features {
            None => features = Some(width),
            Some(f) if f != width => {
                let msg = format!("expected {f} values, found {width}");
                return Err(parse_err(x_file, line_no, msg));
            }
            Some(_) => {}
        }
        n += 1;
    }
    let mut y = Vec::new();
    for l in lines(y_file, y_bytes) {
        let (line_no, text) = l?;
        let mut fields = text.split_whitespace();
        let (Some(v), None) = (fields.next(), fields.next()) else {
            return Err(parse_err(y_file, line_no, "expected one value".into()));
        };
        y.push(number(y_file, line_no, v)?);
    }
    if n == 0 {
        return Err(shape(x_file, "no rows"));
    }
    if y.len() != n {
        let msg = format!("{n} feature rows but {} targets in {y_file}", y.len());
        return Err(shape(x_file, &msg));
    }
    let features = features.unwrap_or(0);
    Ok(Dataset {
        x,
        y,
        n,
        features,
        input_shape: vec![features],
        targets: 1,
        feature_names: generic_names(features),
        task: Task::Regression,
    })
}

/// Rows of `features` comma-separated numbers followed by a class index.
fn parse_rows<'a>(
    file: &str,
    lines: impl Iterator<Item = Result<(usize, &'a str), DataError>>,
    features: usize,
    class_names: Vec<String>,
) -> Result<Dataset, DataError> {
    let classes = class_names.len();
    if features == 0 {
        return Err(shape(file, "rows have no feature columns"));
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for l in lines {
        let (line_no, text) = l?;
        let before = x.len();
        let mut fields = text.split(',');
        for _ in 0..features {
            let Some(field) = fields.next() else {
                let got = x.len() - before;
                let msg = format!("expected {} fields, found {got}", features + 1);
                return Err(parse_err(file, line_no, msg));
            };
            x.push(number(file, line_no, field)?);
        }
        let (Some(label), None) = (fields.next(), fields.next()) else {
            let msg = format!("expected {} fields (features then label)", features + 1);
            return Err(parse_err(file, line_no, msg));
        };
        let v = number(file, line_no, label)?;
        if v < 0.0 || v.fract() != 0.0 || v >= classes as f32 {
            let msg = format!("label {label:?} is not a class index in 0..{classes}");
            return Err(parse_err(file, line_no, msg));
        }
        y.push(v);
    }
    let n = y.len();
    if n == 0 {
        return Err(shape(file, "no data rows"));
    }
    Ok(Dataset {
        x,
        y,
        n,
        features,
        input_shape: vec![features],
        targets: 1,
        feature_names: generic_names(features),
        task: Task::Classification { class_names },
    })
}

/// Non-blank lines as `(1-based line number, text without surrounding whitespace)`.
fn lines<'a>(
    file: &'a str,
    bytes: &'a [u8],
) -> impl Iterator<Item = Result<(usize, &'a str), DataError>> + 'a {
    bytes
        .split(|&b| b == b'\n')
        .enumerate()
        .filter_map(move |(k, raw)| match std::str::from_utf8(raw) {
            Ok(s) if s.trim().is_empty() => None,
            Ok(s) => Some(Ok((k + 1, s.trim()))),
            Err(_) => Some(Err(parse_err(file, k + 1, "not valid UTF-8 text".into()))),
        })
}

/// A finite `f32` from a field.
fn number(file: &str, line: usize, field: &str) -> Result<f32, DataError> {
    match field.trim().parse::<f32>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => {
            let shown: String = field.chars().take(24).collect();
            Err(parse_err(
                file,
                line,
                format!("{shown:?} is not a finite number"),
            ))
        }
    }
}

fn generic_names(features: usize) -> Vec<String> {
    (0..features).map(|k| format!("f{k}")).collect()
}

fn parse_err(file: &str, line: usize, message: String) -> DataError {
    DataError::Parse {
        file: file.to_string(),
        line,
        message,
    }
}

fn shape(file: &str, message: &str) -> DataError {
    DataError::Shape {
        file: file.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
#[path = "real_tests.rs"]
mod tests;
