//! From any picture of a digit to the input an image model was trained on, the way the
//! data sets were made: the drawing pad's ink and `gradlab predict`'s PNG files both go
//! through [`to_model_image`].
//!
//! MNIST (LeCun et al.): the ink's bounding box is scaled, keeping its aspect ratio, to
//! fit a 20x20 box with anti-aliasing (each output pixel averages the area it covers),
//! then placed in a 28x28 field so that its centre of mass sits at the centre. The 8x8
//! digits (UCI): the box fills the whole 8x8 field, each pixel counting the ink of its
//! block on a 0..16 scale.

/// A grayscale picture with ink as 1 and background as 0, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Ink {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// `width * height` values in `[0, 1]`.
    pub pixels: Vec<f32>,
}

/// How a data set's images were made from ink.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImageSpec {
    /// Side of the square field (28 for MNIST, 8 for the 8x8 digits).
    pub side: usize,
    /// Side of the box the ink is scaled to fit (20 for MNIST).
    pub fit: usize,
    /// Centre by centre of mass (MNIST) instead of by the box's middle.
    pub center_of_mass: bool,
    /// The value of full ink in the data set's units (1 for MNIST's `[0, 1]`, 16 for
    /// the 8x8 digits).
    pub full_ink: f32,
}

/// Ink darker than this (of full ink) does not count for the bounding box.
const BOX_THRESHOLD: f32 = 0.05;

impl Ink {
    /// Ink from pixel luminances in `[0, 1]` (`1` white): dark ink on a light page is
    /// turned around, judged by the picture's border (the page is what surrounds it).
    pub fn from_luminance(width: usize, height: usize, luminance: &[f32]) -> Ink {
        let border: Vec<f32> = (0..height)
            .flat_map(|y| (0..width).map(move |x| (x, y)))
            .filter(|&(x, y)| x == 0 || y == 0 || x + 1 == width || y + 1 == height)
            .map(|(x, y)| luminance[y * width + x])
            .collect();
        let light_page = border.iter().sum::<f32>() > 0.5 * border.len() as f32;
        let pixels = luminance
            .iter()
            .map(|&l| {
                let l = l.clamp(0.0, 1.0);
                if light_page {
                    1.0 - l
                } else {
                    l
                }
            })
            .collect();
        Ink {
            width,
            height,
            pixels,
        }
    }

    /// The smallest box `(x0, y0, x1, y1)` (ends excluded) holding every inked pixel,
    /// or `None` for a blank picture.
    pub fn bounding_box(&self) -> Option<(usize, usize, usize, usize)> {
        let mut b: Option<(usize, usize, usize, usize)> = None;
        for y in 0..self.height {
            for x in 0..self.width {
                if self.pixels[y * self.width + x] > BOX_THRESHOLD {
                    let (x0, y0, x1, y1) = b.unwrap_or((x, y, x + 1, y + 1));
                    b = Some((x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)));
                }
            }
        }
        b
    }
}

/// The model's input for `ink` under `spec`: `side * side` values in the data set's
/// units (before standardisation). A blank picture gives a blank field.
pub fn to_model_image(ink: &Ink, spec: &ImageSpec) -> Vec<f32> {
    let side = spec.side;
    let mut field = vec![0.0f32; side * side];
    let Some((x0, y0, x1, y1)) = ink.bounding_box() else {
        return field;
    };
    let (bw, bh) = (x1 - x0, y1 - y0);
    // Scale the longer side to `fit`, keeping the aspect ratio (at least one pixel).
    let scale = spec.fit as f64 / bw.max(bh) as f64;
    let ow = ((bw as f64 * scale).round() as usize).clamp(1, spec.fit);
    let oh = ((bh as f64 * scale).round() as usize).clamp(1, spec.fit);
    let crop: Vec<f32> = (y0..y1)
        .flat_map(|y| (x0..x1).map(move |x| (x, y)))
        .map(|(x, y)| ink.pixels[y * ink.width + x])
        .collect();
    let small = resize_area(&crop, bw, bh, ow, oh);
    // Where the small image's top-left corner goes.
    let (mut left, mut top) = ((side - ow) as f64 / 2.0, (side - oh) as f64 / 2.0);
    if spec.center_of_mass {
        let mass: f64 = small.iter().map(|&v| v as f64).sum();
        if mass > 0.0 {
            let (mut cx, mut cy) = (0.0, 0.0);
            for (i, &v) in small.iter().enumerate() {
                cx += (i % ow) as f64 * v as f64;
                cy += (i / ow) as f64 * v as f64;
            }
            // Pixel centres: the field's centre is at (side - 1) / 2.
            left = (side as f64 - 1.0) / 2.0 - cx / mass;
            top = (side as f64 - 1.0) / 2.0 - cy / mass;
        }
    }
    let left = (left.round().max(0.0) as usize).min(side - ow);
    let top = (top.round().max(0.0) as usize).min(side - oh);
    for y in 0..oh {
        for x in 0..ow {
            field[(top + y) * side + left + x] = small[y * ow + x].clamp(0.0, 1.0) * spec.full_ink;
        }
    }
    field
}

/// Resize by area averaging: each output pixel is the mean of the input area it covers
/// (fractional pixels weighted by their overlap), which anti-aliases when shrinking and
/// interpolates blockwise when growing.
pub fn resize_area(src: &[f32], sw: usize, sh: usize, dw: usize, dh: usize) -> Vec<f32> {
    let rows = resample_axis(src, sw, sh, dw, true);
    resample_axis(&rows, dw, sh, dh, false)
}

/// Resample one axis of a `w x h` image to `n` samples (`horizontal`: along x).
fn resample_axis(src: &[f32], w: usize, h: usize, n: usize, horizontal: bool) -> Vec<f32> {
    let len = if horizontal { w } else { h };
    let (ow, oh) = if horizontal { (n, h) } else { (w, n) };
    let step = len as f64 / n as f64;
    let mut out = vec![0.0f32; ow * oh];
    for o in 0..n {
        let (lo, hi) = (o as f64 * step, (o + 1) as f64 * step);
        let mut weights = Vec::new();
        let mut i = lo.floor() as usize;
        while (i as f64) < hi && i < len {
            let overlap = (hi.min(i as f64 + 1.0) - lo.max(i as f64)).max(0.0);
            weights.push((i, overlap / step));
            i += 1;
        }
        for k in 0..(if horizontal { h } else { w }) {
            let v: f64 = weights
                .iter()
                .map(|&(i, wgt)| {
                    let at = if horizontal { k * w + i } else { i * w + k };
                    src[at] as f64 * wgt
                })
                .sum();
            let at = if horizontal { k * ow + o } else { o * ow + k };
            out[at] = v as f32;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNIST: ImageSpec = ImageSpec {
        side: 28,
        fit: 20,
        center_of_mass: true,
        full_ink: 1.0,
    };

    fn picture(w: usize, h: usize, ink_at: impl Fn(usize, usize) -> bool) -> Ink {
        let pixels = (0..w * h)
            .map(|i| if ink_at(i % w, i / w) { 1.0 } else { 0.0 })
            .collect();
        Ink {
            width: w,
            height: h,
            pixels,
        }
    }

    #[test]
    fn area_resize_keeps_the_mean_and_halves_exactly() {
        let src: Vec<f32> = (0..16).map(|v| v as f32).collect();
        let half = resize_area(&src, 4, 4, 2, 2);
        assert_eq!(half, vec![2.5, 4.5, 10.5, 12.5]);
        let odd = resize_area(&src, 4, 4, 3, 3);
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean(&odd) - mean(&src)).abs() < 1e-5);
    }

    #[test]
    fn a_bar_becomes_a_20_pixel_stroke_centred_by_mass() {
        // A tall bar anywhere in a large picture: 20 rows high, centred on 13.5.
        let ink = picture(300, 200, |x, y| {
            (40..50).contains(&x) && (20..180).contains(&y)
        });
        let img = to_model_image(&ink, &MNIST);
        let rows: Vec<usize> = (0..28)
            .filter(|y| (0..28).any(|x| img[y * 28 + x] > 0.0))
            .collect();
        assert_eq!(rows.len(), 20);
        let (mut m, mut cx, mut cy) = (0.0, 0.0, 0.0);
        for (i, &v) in img.iter().enumerate() {
            m += v;
            cx += (i % 28) as f32 * v;
            cy += (i / 28) as f32 * v;
        }
        assert!((cx / m - 13.5).abs() <= 0.5 && (cy / m - 13.5).abs() <= 0.5);
        assert!(img.iter().all(|&v| (0.0..=1.0).contains(&v)));
    }

    #[test]
    fn dark_ink_on_a_light_page_is_turned_around_and_blank_stays_blank() {
        let lum: Vec<f32> = (0..100).map(|i| if i == 55 { 0.0 } else { 1.0 }).collect();
        let ink = Ink::from_luminance(10, 10, &lum);
        assert_eq!(ink.pixels[55], 1.0);
        assert_eq!(ink.bounding_box(), Some((5, 5, 6, 6)));
        let blank = Ink::from_luminance(10, 10, &[1.0; 100]);
        assert_eq!(to_model_image(&blank, &MNIST), vec![0.0; 784]);
    }
}
