//! Tensor shapes: rank 0 to 4, row-major.

use crate::op::{Dims, View, MAX_RANK};

/// The dimensions of a tensor, outermost first (row-major). Rank 0 is a scalar.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Shape(pub Vec<usize>);

impl Shape {
    /// A shape from its dimensions. Panics above rank 4 (a programming error).
    pub fn new(dims: &[usize]) -> Self {
        assert!(
            dims.len() <= MAX_RANK,
            "rank {} exceeds the maximum rank {MAX_RANK}",
            dims.len()
        );
        Shape(dims.to_vec())
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// Number of elements (1 for a scalar).
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }

    /// Contiguous row-major strides.
    pub fn strides(&self) -> Vec<usize> {
        let mut s = vec![1; self.rank()];
        for i in (0..self.rank().saturating_sub(1)).rev() {
            s[i] = s[i + 1] * self.0[i + 1];
        }
        s
    }

    /// The dimensions padded to four with leading ones.
    pub fn padded(&self) -> Dims {
        let mut d = [1usize; MAX_RANK];
        let off = MAX_RANK - self.rank();
        d[off..].copy_from_slice(&self.0);
        d
    }

    /// The numpy broadcast of two shapes, or `None` when they are incompatible.
    pub fn broadcast(a: &Shape, b: &Shape) -> Option<Shape> {
        let rank = a.rank().max(b.rank());
        let mut out = vec![0; rank];
        for (i, o) in out.iter_mut().enumerate() {
            let da = dim_from_right(a, rank - 1 - i);
            let db = dim_from_right(b, rank - 1 - i);
            *o = if da == db || db == 1 {
                da
            } else if da == 1 {
                db
            } else {
                return None;
            };
        }
        Some(Shape(out))
    }

    /// How to read a tensor of this shape, broadcast to `out`, as a kernel view
    /// (size-1 and missing axes get stride 0). `self` must broadcast to `out`.
    pub fn broadcast_view(&self, out: &Shape) -> View {
        let own = self.strides();
        let mut strides = [0usize; MAX_RANK];
        let off = MAX_RANK - out.rank();
        let lead = out.rank() - self.rank();
        for i in 0..self.rank() {
            if self.0[i] != 1 {
                strides[off + lead + i] = own[i];
            }
        }
        View { offset: 0, strides }
    }

    /// The layout of a fresh tensor of this shape: offset 0, row-major strides, and
    /// stride 0 on size-1 and missing leading axes (the invariant every tensor layout
    /// keeps, so a layout is also its own broadcast view to any larger shape).
    pub fn contiguous_view(&self) -> View {
        self.broadcast_view(self)
    }

    /// True when `view` reads this shape's elements in row-major order with no gaps
    /// (from its offset): every axis longer than one has its row-major stride.
    pub fn is_dense(&self, view: &View) -> bool {
        let off = MAX_RANK - self.rank();
        let own = self.strides();
        (0..self.rank()).all(|i| self.0[i] == 1 || view.strides[off + i] == own[i])
    }

    /// Axes of `out` along which `self` was broadcast (to be summed when unbroadcasting).
    pub fn broadcast_axes(&self, out: &Shape) -> Vec<usize> {
        let lead = out.rank() - self.rank();
        (0..out.rank())
            .filter(|&i| i < lead || (self.0[i - lead] == 1 && out.0[i] != 1))
            .collect()
    }
}

fn dim_from_right(s: &Shape, i: usize) -> usize {
    if i < s.rank() {
        s.0[s.rank() - 1 - i]
    } else {
        1
    }
}

impl From<&[usize]> for Shape {
    fn from(d: &[usize]) -> Self {
        Shape::new(d)
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(d: [usize; N]) -> Self {
        Shape::new(&d)
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_follows_numpy_rules() {
        let s = |d: &[usize]| Shape::new(d);
        assert_eq!(Shape::broadcast(&s(&[3, 1]), &s(&[4])), Some(s(&[3, 4])));
        assert_eq!(Shape::broadcast(&s(&[]), &s(&[2, 3])), Some(s(&[2, 3])));
        assert_eq!(Shape::broadcast(&s(&[2, 3]), &s(&[3, 2])), None);
        assert_eq!(s(&[3, 1]).broadcast_axes(&s(&[2, 3, 4])), vec![0, 2]);
    }

    #[test]
    fn strides_are_row_major() {
        assert_eq!(Shape::new(&[2, 3, 4]).strides(), vec![12, 4, 1]);
        assert_eq!(Shape::new(&[]).strides(), Vec::<usize>::new());
        let v = Shape::new(&[3, 1]).broadcast_view(&Shape::new(&[2, 3, 4]));
        assert_eq!(v.strides, [0, 0, 1, 0]);
    }

    #[test]
    fn a_contiguous_view_is_dense_and_a_transposed_one_is_not() {
        let s = Shape::new(&[2, 1, 3]);
        let v = s.contiguous_view();
        assert_eq!(v.strides, [0, 3, 0, 1]);
        assert!(s.is_dense(&v));
        let t = View {
            offset: 0,
            strides: [0, 1, 0, 2],
        };
        assert!(!s.is_dense(&t));
    }
}
