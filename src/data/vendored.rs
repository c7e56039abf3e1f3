//! The bytes of the vendored tabular files (`www/data/`: digits, iris, breast cancer,
//! wine, diabetes) and gzip decompression for every vendored file.
//!
//! Natively the tabular files are embedded (`include_bytes!`), so the CLI
//! is self-contained. On wasm32 nothing is embedded: about 120 KB of gzip would weigh on
//! the page's first load for sets most visits never open. The page fetches a set's files
//! when it is chosen, as it fetches MNIST, and hands them over
//! ([`super::RealSet::provide_fetched`]); they are kept here for the session, so a
//! second run neither fetches nor checks them again.

use super::DataError;
use std::borrow::Cow;
use std::io::Read;
use std::sync::OnceLock;

/// Largest output [`gunzip`] will produce (a guard against decompression bombs).
pub const MAX_DECOMPRESSED_BYTES: usize = 32 << 20;

/// File name of the 8x8 digits in `www/data/`.
pub const DIGITS_FILE: &str = "digits.csv.gz";
/// File name of Fisher's iris in `www/data/`.
pub const IRIS_FILE: &str = "iris.csv";
/// File name of Breast Cancer Wisconsin in `www/data/`.
pub const BREAST_CANCER_FILE: &str = "breast_cancer.csv";
/// File name of the wine recognition set in `www/data/`.
pub const WINE_FILE: &str = "wine_data.csv";
/// File name of the diabetes features in `www/data/`.
pub const DIABETES_X_FILE: &str = "diabetes_data_raw.csv.gz";
/// File name of the diabetes targets in `www/data/`.
pub const DIABETES_Y_FILE: &str = "diabetes_target.csv.gz";

#[cfg(not(target_arch = "wasm32"))]
pub(super) const DIGITS_GZ: &[u8] = include_bytes!("../../www/data/digits.csv.gz");
#[cfg(not(target_arch = "wasm32"))]
pub(super) const IRIS_CSV: &[u8] = include_bytes!("../../www/data/iris.csv");
#[cfg(not(target_arch = "wasm32"))]
pub(super) const BREAST_CANCER_CSV: &[u8] = include_bytes!("../../www/data/breast_cancer.csv");
#[cfg(not(target_arch = "wasm32"))]
pub(super) const WINE_CSV: &[u8] = include_bytes!("../../www/data/wine_data.csv");
#[cfg(not(target_arch = "wasm32"))]
pub(super) const DIABETES_X_GZ: &[u8] = include_bytes!("../../www/data/diabetes_data_raw.csv.gz");
#[cfg(not(target_arch = "wasm32"))]
pub(super) const DIABETES_Y_GZ: &[u8] = include_bytes!("../../www/data/diabetes_target.csv.gz");

/// The embedded copy of tabular `file` (natively only; the page fetches them).
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn embedded(file: &str) -> Option<&'static [u8]> {
    match file {
        DIGITS_FILE => Some(DIGITS_GZ),
        IRIS_FILE => Some(IRIS_CSV),
        BREAST_CANCER_FILE => Some(BREAST_CANCER_CSV),
        WINE_FILE => Some(WINE_CSV),
        DIABETES_X_FILE => Some(DIABETES_X_GZ),
        DIABETES_Y_FILE => Some(DIABETES_Y_GZ),
        _ => None,
    }
}

/// Every tabular file, with the session's downloaded copy (filled on the web only).
static PROVIDED: [(&str, OnceLock<Vec<u8>>); 6] = [
    (DIGITS_FILE, OnceLock::new()),
    (IRIS_FILE, OnceLock::new()),
    (BREAST_CANCER_FILE, OnceLock::new()),
    (WINE_FILE, OnceLock::new()),
    (DIABETES_X_FILE, OnceLock::new()),
    (DIABETES_Y_FILE, OnceLock::new()),
];

fn slot(file: &str) -> Option<&'static OnceLock<Vec<u8>>> {
    PROVIDED
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, s)| s)
}

/// The bytes of tabular `file`: natively its embedded copy; on the web the copy handed
/// to [`provide_file`], or [`DataError::NotLoaded`] before that.
pub(super) fn file_bytes(file: &str) -> Result<&'static [u8], DataError> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(bytes) = embedded(file) {
        return Ok(bytes);
    }
    slot(file)
        .and_then(OnceLock::get)
        .map(Vec::as_slice)
        .ok_or_else(|| DataError::NotLoaded {
            file: file.to_string(),
        })
}

/// Whether [`file_bytes`] has `file` (always natively).
pub(super) fn file_available(file: &str) -> bool {
    file_bytes(file).is_ok()
}

/// Keeps the downloaded bytes of tabular `file` for the session (the caller checked that
/// they parse). A second copy is ignored: the first one stays.
pub(super) fn provide_file(file: &str, bytes: Vec<u8>) -> Result<(), DataError> {
    let slot = slot(file).ok_or_else(|| DataError::Shape {
        file: file.to_string(),
        message: "not a vendored tabular file".into(),
    })?;
    let _ = slot.set(bytes);
    Ok(())
}

/// Decompresses a gzip stream; `file` names it in errors. Output past
/// [`MAX_DECOMPRESSED_BYTES`] is an error.
pub fn gunzip(file: &str, bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::new();
    let limit = MAX_DECOMPRESSED_BYTES as u64 + 1;
    flate2::read::GzDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| DataError::Gzip {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    if out.len() > MAX_DECOMPRESSED_BYTES {
        return Err(DataError::Gzip {
            file: file.to_string(),
            message: format!("larger than {MAX_DECOMPRESSED_BYTES} bytes"),
        });
    }
    Ok(out)
}

/// The bytes of `file` decompressed when they are gzip (they start with gzip's magic
/// `1f 8b`), else as they are: a web server may send a `.gz` file with
/// `Content-Encoding: gzip`, and the browser then hands over the decoded bytes.
pub(super) fn maybe_gunzip<'a>(file: &str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, DataError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Ok(gunzip(file, bytes)?.into())
    } else {
        Ok(bytes.into())
    }
}
