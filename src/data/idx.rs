//! The IDX format of the MNIST files (Y. LeCun's page): a big-endian header, then the
//! bytes.
//!
//! - images: magic `0x00000803` (unsigned bytes, 3 dimensions), then the image count,
//!   rows and columns as `u32`, then `count * rows * cols` pixels, 0..255, row-major;
//! - labels: magic `0x00000801` (unsigned bytes, 1 dimension), then the count, then
//!   `count` labels.
//!
//! The parsers take arbitrary bytes. Anything malformed (short header, wrong magic, zero
//! or overflowing sizes, a body shorter or longer than the header says, more elements
//! than [`MAX_IDX_ELEMENTS`]) is a [`DataError`] naming the file. Nothing is allocated
//! before the body's length has been checked against the header, so a lying header cannot
//! ask for memory the input does not hold.

use super::DataError;

/// Magic number of an IDX file of unsigned bytes with three dimensions (images).
pub const IDX_IMAGES_MAGIC: u32 = 0x0000_0803;
/// Magic number of an IDX file of unsigned bytes with one dimension (labels).
pub const IDX_LABELS_MAGIC: u32 = 0x0000_0801;
/// Most elements (pixels or labels) one IDX file may hold: MNIST's 60,000 training
/// images are 47 million pixels; this leaves room for them and nothing absurd.
pub const MAX_IDX_ELEMENTS: usize = 64 << 20;

/// Images from an IDX file: `n` images of `rows x cols` pixels, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxImages {
    /// Number of images.
    pub n: usize,
    /// Pixel rows per image.
    pub rows: usize,
    /// Pixel columns per image.
    pub cols: usize,
    /// `n * rows * cols` pixels, 0..255.
    pub pixels: Vec<u8>,
}

/// Parses an IDX image file (magic `0x00000803`); `file` names it in errors.
pub fn parse_idx_images(file: &str, bytes: &[u8]) -> Result<IdxImages, DataError> {
    let dims = header(file, bytes, IDX_IMAGES_MAGIC, 3)?;
    let (n, rows, cols) = (dims[0], dims[1], dims[2]);
    let pixels = body(file, bytes, 16, &dims)?;
    Ok(IdxImages {
        n,
        rows,
        cols,
        pixels,
    })
}

/// Parses an IDX label file (magic `0x00000801`); `file` names it in errors.
pub fn parse_idx_labels(file: &str, bytes: &[u8]) -> Result<Vec<u8>, DataError> {
    let dims = header(file, bytes, IDX_LABELS_MAGIC, 1)?;
    body(file, bytes, 8, &dims)
}

/// Checks the magic and reads the `rank` dimensions that follow it.
fn header(file: &str, bytes: &[u8], magic: u32, rank: usize) -> Result<Vec<usize>, DataError> {
    let need = 4 + 4 * rank;
    if bytes.len() < need {
        return Err(shape(
            file,
            format!(
                "{} bytes is shorter than the {need}-byte IDX header",
                bytes.len()
            ),
        ));
    }
    let word = |k: usize| u32::from_be_bytes([bytes[k], bytes[k + 1], bytes[k + 2], bytes[k + 3]]);
    let found = word(0);
    if found != magic {
        return Err(shape(
            file,
            format!(
                "not an IDX file of the expected kind: magic {found:#010x}, expected {magic:#010x}"
            ),
        ));
    }
    let dims: Vec<usize> = (0..rank).map(|d| word(4 + 4 * d) as usize).collect();
    if dims.contains(&0) {
        return Err(shape(
            file,
            format!("the header's sizes {dims:?} include a zero"),
        ));
    }
    Ok(dims)
}

/// The body after a `start`-byte header: exactly the product of `dims` bytes.
fn body(file: &str, bytes: &[u8], start: usize, dims: &[usize]) -> Result<Vec<u8>, DataError> {
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&c| c <= MAX_IDX_ELEMENTS)
        .ok_or_else(|| {
            shape(
                file,
                format!("the header's sizes {dims:?} exceed {MAX_IDX_ELEMENTS} elements"),
            )
        })?;
    let have = bytes.len() - start;
    if have != count {
        let what = if have < count {
            "truncated"
        } else {
            "too long"
        };
        return Err(shape(
            file,
            format!("{what}: the header's sizes {dims:?} need {count} bytes of data, found {have}"),
        ));
    }
    Ok(bytes[start..].to_vec())
}

fn shape(file: &str, message: String) -> DataError {
    DataError::Shape {
        file: file.to_string(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IDX file written from the format's description: magic, sizes, body.
    fn idx(magic: u32, dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut out = magic.to_be_bytes().to_vec();
        for d in dims {
            out.extend(d.to_be_bytes());
        }
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn well_formed_files_parse() {
        let pixels: Vec<u8> = (0..2 * 3 * 4).map(|v| (v * 10) as u8).collect();
        let imgs = parse_idx_images("a", &idx(0x803, &[2, 3, 4], &pixels)).unwrap();
        assert_eq!((imgs.n, imgs.rows, imgs.cols), (2, 3, 4));
        assert_eq!(imgs.pixels, pixels);
        let labels = parse_idx_labels("b", &idx(0x801, &[3], &[7, 0, 9])).unwrap();
        assert_eq!(labels, vec![7, 0, 9]);
    }

    #[test]
    fn every_kind_of_corruption_is_an_error_naming_the_file() {
        let good = idx(0x803, &[2, 2, 2], &[1; 8]);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", vec![], "shorter than the 16-byte"),
            (
                "short header",
                good[..10].to_vec(),
                "shorter than the 16-byte",
            ),
            (
                "labels magic",
                idx(0x801, &[2, 2, 2], &[1; 8]),
                "magic 0x00000801",
            ),
            ("text", b"this is not an idx file at all".to_vec(), "magic"),
            ("zero size", idx(0x803, &[0, 2, 2], &[]), "include a zero"),
            ("truncated", good[..good.len() - 1].to_vec(), "truncated"),
            ("trailing", [good.clone(), vec![0]].concat(), "too long"),
            (
                "huge",
                idx(0x803, &[u32::MAX, u32::MAX, u32::MAX], &[1; 8]),
                "exceed",
            ),
            (
                "over the cap",
                idx(0x803, &[1 << 20, 28, 28], &[1; 8]),
                "exceed",
            ),
        ];
        for (what, bytes, needle) in cases {
            let e = parse_idx_images("imgs.idx", &bytes)
                .unwrap_err()
                .to_string();
            assert!(e.contains("imgs.idx") && e.contains(needle), "{what}: {e}");
        }
        let e = parse_idx_labels("lab.idx", &idx(0x801, &[5], &[1, 2])).unwrap_err();
        assert!(e.to_string().contains("lab.idx") && e.to_string().contains("truncated"));
        let e = parse_idx_labels("lab.idx", &good).unwrap_err().to_string();
        assert!(e.contains("magic"), "{e}");
    }

    /// Every prefix of a good file, and every single-byte change of its header, is
    /// handled without a panic (the body's bytes are data and any value is valid).
    #[test]
    fn no_prefix_or_header_byte_panics() {
        let good = idx(0x803, &[3, 2, 2], &[9; 12]);
        for k in 0..good.len() {
            assert!(parse_idx_images("f", &good[..k]).is_err(), "prefix {k}");
        }
        for k in 0..16 {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut b = good.clone();
                b[k] = v;
                let _ = parse_idx_images("f", &b);
            }
        }
    }
}
