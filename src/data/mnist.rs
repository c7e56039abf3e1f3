//! MNIST's 10,000-image test set (`www/data/t10k-*-ubyte.gz`, see its README), as a
//! [`Dataset`] of 28x28 images with pixels scaled to `[0, 1]` and labels 0..9.
//!
//! Natively the two files are embedded (`include_bytes!`), so the CLI is self-contained.
//! The web page must not carry 1.6 MB of images in its first load, so on wasm32 nothing is
//! embedded: the page fetches the files when an image preset is chosen and hands them to
//! [`provide_mnist`]; until then loading the set is a [`DataError::NotLoaded`]. Either way
//! the parsed bytes are kept for the life of the process (the page's session), so a
//! second run does not decompress or fetch again.

use super::idx::{parse_idx_images, parse_idx_labels, IdxImages};
use super::vendored::maybe_gunzip;
use super::{DataError, Dataset, Task};
use std::sync::OnceLock;

/// File name of MNIST's test images in `www/data/`.
pub const MNIST_IMAGES_FILE: &str = "t10k-images-idx3-ubyte.gz";
/// File name of MNIST's test labels in `www/data/`.
pub const MNIST_LABELS_FILE: &str = "t10k-labels-idx1-ubyte.gz";
/// Image side in pixels.
pub const MNIST_SIDE: usize = 28;
/// Number of classes (the digits 0..9).
pub const MNIST_CLASSES: usize = 10;

#[cfg(not(target_arch = "wasm32"))]
const IMAGES_GZ: &[u8] = include_bytes!("../../www/data/t10k-images-idx3-ubyte.gz");
#[cfg(not(target_arch = "wasm32"))]
const LABELS_GZ: &[u8] = include_bytes!("../../www/data/t10k-labels-idx1-ubyte.gz");

/// The parsed files, kept as bytes (7.8 MB) rather than as `f32` (31 MB).
struct RawMnist {
    images: IdxImages,
    labels: Vec<u8>,
}

static LOADED: OnceLock<RawMnist> = OnceLock::new();

/// Decompresses and checks the two files: `n` 28x28 images, `n` labels in 0..9.
fn parse_raw(images_gz: &[u8], labels_gz: &[u8]) -> Result<RawMnist, DataError> {
    let images = parse_idx_images(
        MNIST_IMAGES_FILE,
        &maybe_gunzip(MNIST_IMAGES_FILE, images_gz)?,
    )?;
    let labels = parse_idx_labels(
        MNIST_LABELS_FILE,
        &maybe_gunzip(MNIST_LABELS_FILE, labels_gz)?,
    )?;
    let shape_err = |file: &str, message: String| DataError::Shape {
        file: file.to_string(),
        message,
    };
    if (images.rows, images.cols) != (MNIST_SIDE, MNIST_SIDE) {
        let msg = format!(
            "images are {}x{}, expected {MNIST_SIDE}x{MNIST_SIDE}",
            images.rows, images.cols
        );
        return Err(shape_err(MNIST_IMAGES_FILE, msg));
    }
    if labels.len() != images.n {
        let msg = format!("{} labels for {} images", labels.len(), images.n);
        return Err(shape_err(MNIST_LABELS_FILE, msg));
    }
    if let Some(k) = labels.iter().position(|&l| l as usize >= MNIST_CLASSES) {
        let msg = format!("label {} of item {k} is not a digit 0..9", labels[k]);
        return Err(shape_err(MNIST_LABELS_FILE, msg));
    }
    Ok(RawMnist { images, labels })
}

/// Parses MNIST from the two files' bytes (gzip, or already decompressed) into a [`Dataset`] (pixels / 255, input
/// shape `[1, 28, 28]`, classes `"0"`..`"9"`), without touching the session's copy.
pub fn parse_mnist(images_gz: &[u8], labels_gz: &[u8]) -> Result<Dataset, DataError> {
    Ok(to_dataset(&parse_raw(images_gz, labels_gz)?))
}

/// Hands the page's downloaded files (gzip, or already decompressed) to the data module,
/// parsed and kept for the session. A second call after a success does nothing.
pub fn provide_mnist(images_gz: &[u8], labels_gz: &[u8]) -> Result<(), DataError> {
    if LOADED.get().is_none() {
        let raw = parse_raw(images_gz, labels_gz)?;
        let _ = LOADED.set(raw);
    }
    Ok(())
}

/// Whether MNIST can be loaded without a download: always natively (embedded), on the
/// web once [`provide_mnist`] has succeeded.
pub fn mnist_available() -> bool {
    cfg!(not(target_arch = "wasm32")) || LOADED.get().is_some()
}

/// The set, from the session's copy (natively: parsed from the embedded files at the
/// first call).
pub(super) fn load_mnist() -> Result<Dataset, DataError> {
    #[cfg(not(target_arch = "wasm32"))]
    provide_mnist(IMAGES_GZ, LABELS_GZ)?;
    match LOADED.get() {
        Some(raw) => Ok(to_dataset(raw)),
        None => Err(DataError::NotLoaded {
            file: MNIST_IMAGES_FILE.to_string(),
        }),
    }
}

fn to_dataset(raw: &RawMnist) -> Dataset {
    let side = MNIST_SIDE;
    Dataset {
        // Scaled to [0, 1] here; standardisation (one mean and std for every pixel) is
        // the experiment's choice (`experiment::prepare`).
        x: raw
            .images
            .pixels
            .iter()
            .map(|&p| p as f32 / 255.0)
            .collect(),
        y: raw.labels.iter().map(|&l| l as f32).collect(),
        n: raw.images.n,
        features: side * side,
        input_shape: vec![1, side, side],
        targets: 1,
        feature_names: (0..side * side)
            .map(|k| format!("pixel_{}_{}", k / side, k % side))
            .collect(),
        task: Task::Classification {
            class_names: (0..MNIST_CLASSES).map(|c| c.to_string()).collect(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut out = magic.to_be_bytes().to_vec();
        dims.iter().for_each(|d| out.extend(d.to_be_bytes()));
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn the_vendored_test_set_has_its_documented_shape() {
        let ds = load_mnist().unwrap();
        assert_eq!((ds.n, ds.features, ds.num_classes()), (10_000, 784, 10));
        assert_eq!(ds.input_shape, vec![1, 28, 28]);
        assert_eq!((ds.x.len(), ds.y.len()), (10_000 * 784, 10_000));
        assert!(ds.x.iter().all(|&v| (0.0..=1.0).contains(&v)));
        // Both ends of the byte range occur (ink and background).
        assert!(ds.x.contains(&0.0) && ds.x.contains(&1.0));
        // LeCun's page: the test set's digits, 0 to 9.
        assert_eq!(
            ds.class_counts(),
            vec![980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        );
        assert!(mnist_available());
    }

    #[test]
    fn small_well_formed_files_become_a_dataset() {
        let pixels: Vec<u8> = (0..2 * 784).map(|k| (k % 256) as u8).collect();
        let ds = parse_mnist(
            &gz(&idx(0x803, &[2, 28, 28], &pixels)),
            &gz(&idx(0x801, &[2], &[3, 9])),
        )
        .unwrap();
        assert_eq!(ds.labels(), vec![3, 9]);
        for (v, p) in ds.x.iter().zip(&pixels) {
            assert_eq!(*v, *p as f32 / 255.0);
        }
    }

    /// A server that sends the files with `Content-Encoding: gzip` hands the page the
    /// decoded bytes: they parse the same.
    #[test]
    fn decompressed_files_parse_like_gzip_ones() {
        let images = idx(0x803, &[1, 28, 28], &[200; 784]);
        let labels = idx(0x801, &[1], &[4]);
        let from_gz = parse_mnist(&gz(&images), &gz(&labels)).unwrap();
        assert_eq!(parse_mnist(&images, &labels).unwrap(), from_gz);
    }

    #[test]
    fn mismatched_or_corrupt_files_are_errors_naming_the_file() {
        // Varied pixels, so that half of the gzip stream is past its header.
        let pixels: Vec<u8> = (0..2 * 784).map(|k| (k * 7919 % 251) as u8).collect();
        let img = gz(&idx(0x803, &[2, 28, 28], &pixels));
        let cases = [
            (
                img.clone(),
                gz(&idx(0x801, &[3], &[1, 2, 3])),
                MNIST_LABELS_FILE,
                "3 labels for 2",
            ),
            (
                img.clone(),
                gz(&idx(0x801, &[2], &[1, 10])),
                MNIST_LABELS_FILE,
                "not a digit",
            ),
            (
                gz(&idx(0x803, &[2, 8, 98], &[0; 2 * 784])),
                gz(&idx(0x801, &[2], &[1, 2])),
                MNIST_IMAGES_FILE,
                "8x98",
            ),
            (
                img[..img.len() / 2].to_vec(),
                gz(&[]),
                MNIST_IMAGES_FILE,
                "decompress",
            ),
            (
                b"plain text, not an IDX file".to_vec(),
                gz(&[]),
                MNIST_IMAGES_FILE,
                "magic",
            ),
        ];
        for (images, labels, file, needle) in cases {
            let e = parse_mnist(&images, &labels).unwrap_err().to_string();
            assert!(e.contains(file) && e.contains(needle), "{e}");
        }
    }
}
