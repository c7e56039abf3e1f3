//! Textbook f64 references of the sliding-window ops, written from their definitions
//! (PyTorch's `conv2d`, `nn.Unfold`, `nn.Fold`, `max_pool2d`, `avg_pool2d`) with plain
//! nested loops over NCHW indices, independently of the crate's kernels.

use super::reference::{numel, Ref};

/// A window: `(kh, kw)`, stride, padding.
#[derive(Clone, Copy, Debug)]
pub struct Win {
    /// Window height and width.
    pub k: (usize, usize),
    /// Step between windows.
    pub stride: usize,
    /// Zeros on every side.
    pub pad: usize,
}

impl Win {
    /// Positions along an axis of `size` (floor mode).
    pub fn out(&self, size: usize, k: usize) -> usize {
        (size + 2 * self.pad - k) / self.stride + 1
    }
}

/// `x[n, c, y - pad, x - pad]` of the zero-padded input, with signed coordinates.
fn padded(x: &Ref, n: usize, c: usize, y: isize, xx: isize) -> f64 {
    let (h, w) = (x.dims[2] as isize, x.dims[3] as isize);
    if y < 0 || xx < 0 || y >= h || xx >= w {
        0.0
    } else {
        x.at(&[n, c, y as usize, xx as usize])
    }
}

/// `y[n, o, i, j] = b[o] + sum_{c, ki, kj} w[o, c, ki, kj] * xpad[n, c, i*s + ki, j*s + kj]`.
pub fn conv2d(x: &Ref, w: &Ref, b: Option<&Ref>, stride: usize, pad: usize) -> Ref {
    let (n, c, h, wd) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3]);
    let (o, kh, kw) = (w.dims[0], w.dims[2], w.dims[3]);
    let win = Win {
        k: (kh, kw),
        stride,
        pad,
    };
    let (oh, ow) = (win.out(h, kh), win.out(wd, kw));
    let mut out = Vec::with_capacity(n * o * oh * ow);
    for ni in 0..n {
        for oi in 0..o {
            for i in 0..oh {
                for j in 0..ow {
                    let mut acc = b.map_or(0.0, |b| b.data[oi]);
                    for ci in 0..c {
                        for ki in 0..kh {
                            for kj in 0..kw {
                                let y = (i * stride + ki) as isize - pad as isize;
                                let xx = (j * stride + kj) as isize - pad as isize;
                                acc += w.at(&[oi, ci, ki, kj]) * padded(x, ni, ci, y, xx);
                            }
                        }
                    }
                    out.push(acc);
                }
            }
        }
    }
    Ref::new(&[n, o, oh, ow], out)
}

/// `nn.Unfold`: `[n, c*kh*kw, oh*ow]`, row `(c, ki, kj)`, column `(i, j)`.
pub fn unfold2d(x: &Ref, win: Win) -> Ref {
    let (n, c, h, w) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3]);
    let (kh, kw) = win.k;
    let (oh, ow) = (win.out(h, kh), win.out(w, kw));
    let mut out = Vec::with_capacity(n * c * kh * kw * oh * ow);
    for ni in 0..n {
        for ci in 0..c {
            for ki in 0..kh {
                for kj in 0..kw {
                    for i in 0..oh {
                        for j in 0..ow {
                            let y = (i * win.stride + ki) as isize - win.pad as isize;
                            let xx = (j * win.stride + kj) as isize - win.pad as isize;
                            out.push(padded(x, ni, ci, y, xx));
                        }
                    }
                }
            }
        }
    }
    Ref::new(&[n, c * kh * kw, oh * ow], out)
}

/// `nn.Fold`: every column entry added back at the pixel it was read from.
pub fn fold2d(cols: &Ref, size: (usize, usize), win: Win) -> Ref {
    let (kh, kw) = win.k;
    let (n, c) = (cols.dims[0], cols.dims[1] / (kh * kw));
    let (h, w) = size;
    let (oh, ow) = (win.out(h, kh), win.out(w, kw));
    let dims = [n, c, h, w];
    let mut out = vec![0.0; numel(&dims)];
    for ni in 0..n {
        for ci in 0..c {
            for ki in 0..kh {
                for kj in 0..kw {
                    for i in 0..oh {
                        for j in 0..ow {
                            let y = (i * win.stride + ki) as isize - win.pad as isize;
                            let xx = (j * win.stride + kj) as isize - win.pad as isize;
                            if y >= 0 && xx >= 0 && (y as usize) < h && (xx as usize) < w {
                                let row = (ci * kh + ki) * kw + kj;
                                let v = cols.at(&[ni, row, i * ow + j]);
                                out[((ni * c + ci) * h + y as usize) * w + xx as usize] += v;
                            }
                        }
                    }
                }
            }
        }
    }
    Ref::new(&dims, out)
}

/// The flat index of the first maximum of window `(i, j)` of plane `(ni, ci)`: the
/// first NaN if there is one, else the first element equal to the largest value.
fn argmax(x: &Ref, ni: usize, ci: usize, i: usize, j: usize, k: usize, s: usize) -> usize {
    let cells: Vec<[usize; 4]> = (0..k)
        .flat_map(|ki| (0..k).map(move |kj| [ni, ci, i * s + ki, j * s + kj]))
        .collect();
    let pick = cells
        .iter()
        .find(|idx| x.at(*idx).is_nan())
        .or_else(|| {
            let top = cells
                .iter()
                .map(|idx| x.at(idx))
                .fold(f64::NEG_INFINITY, f64::max);
            cells.iter().find(|idx| x.at(*idx) == top)
        })
        .expect("a window has cells");
    super::reference::ravel(pick, &x.dims)
}

/// Per window, `v` at the first maximum of `x` (max pooling when `v` is `x`).
pub fn max_pool2d_at(x: &Ref, v: &Ref, k: usize, s: usize) -> Ref {
    let (n, c, h, w) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3]);
    let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut out = Vec::new();
    for ni in 0..n {
        for ci in 0..c {
            for i in 0..oh {
                for j in 0..ow {
                    out.push(v.data[argmax(x, ni, ci, i, j, k, s)]);
                }
            }
        }
    }
    Ref::new(&[n, c, oh, ow], out)
}

/// Each window's gradient added at its first maximum in `x`.
pub fn max_pool2d_backward(x: &Ref, g: &Ref, k: usize, s: usize) -> Ref {
    let (n, c, oh, ow) = (g.dims[0], g.dims[1], g.dims[2], g.dims[3]);
    let mut out = vec![0.0; x.data.len()];
    for ni in 0..n {
        for ci in 0..c {
            for i in 0..oh {
                for j in 0..ow {
                    out[argmax(x, ni, ci, i, j, k, s)] += g.at(&[ni, ci, i, j]);
                }
            }
        }
    }
    Ref::new(&x.dims, out)
}

/// Per window, the mean of its `k * k` elements.
pub fn avg_pool2d(x: &Ref, k: usize, s: usize) -> Ref {
    let (n, c, h, w) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3]);
    let (oh, ow) = ((h - k) / s + 1, (w - k) / s + 1);
    let mut out = Vec::new();
    for ni in 0..n {
        for ci in 0..c {
            for i in 0..oh {
                for j in 0..ow {
                    let mut acc = 0.0;
                    for ki in 0..k {
                        for kj in 0..k {
                            acc += x.at(&[ni, ci, i * s + ki, j * s + kj]);
                        }
                    }
                    out.push(acc / (k * k) as f64);
                }
            }
        }
    }
    Ref::new(&[n, c, oh, ow], out)
}

/// Each window's gradient over `k * k` added to every element of the window.
pub fn avg_pool2d_backward(g: &Ref, size: (usize, usize), k: usize, s: usize) -> Ref {
    let (n, c, oh, ow) = (g.dims[0], g.dims[1], g.dims[2], g.dims[3]);
    let dims = [n, c, size.0, size.1];
    let mut out = vec![0.0; numel(&dims)];
    for ni in 0..n {
        for ci in 0..c {
            for i in 0..oh {
                for j in 0..ow {
                    let share = g.at(&[ni, ci, i, j]) / (k * k) as f64;
                    for ki in 0..k {
                        for kj in 0..k {
                            let idx = [ni, ci, i * s + ki, j * s + kj];
                            out[super::reference::ravel(&idx, &dims)] += share;
                        }
                    }
                }
            }
        }
    }
    Ref::new(&dims, out)
}
