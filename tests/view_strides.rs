//! `View::two_strides`: when a view's elements, taken as rows, sit at
//! `offset + row * r + j * e` (the reductions' fast forms on the CPU and the GPU), checked
//! against the definition element by element, and the views that have no such form.

use gradlab::op::{Dims, View, MAX_RANK};
/// Element `k` of `dims` in row-major order through `v`, by the definition.
fn element(v: &View, dims: Dims, k: usize) -> usize {
    let mut idx = [0; MAX_RANK];
    let mut t = k;
    for d in (0..MAX_RANK).rev() {
        idx[d] = t % dims[d];
        t /= dims[d];
    }
    v.at(idx)
}

fn agrees(v: View, dims: Dims, outer: usize, inner: usize) -> bool {
    let (r, e) = v.two_strides(dims, outer, inner).expect("two strides");
    (0..outer).all(|row| {
        (0..inner).all(|j| element(&v, dims, row * inner + j) == v.offset + row * r + j * e)
    })
}

#[test]
fn a_transposed_matrix_is_two_strides() {
    // [320, 64] read as 64 rows of 320 (its columns), as a bias gradient sums it.
    let v = View {
        offset: 5,
        strides: [0, 0, 1, 64],
    };
    assert_eq!(v.two_strides([1, 1, 64, 320], 64, 320), Some((1, 64)));
    assert!(agrees(v, [1, 1, 64, 320], 64, 320));
    // Two axes kept and one summed: [10, 32, 64] summed over its first axis.
    let v = View {
        offset: 0,
        strides: [0, 64, 1, 2048],
    };
    assert_eq!(v.two_strides([1, 32, 64, 10], 2048, 10), Some((1, 2048)));
    assert!(agrees(v, [1, 32, 64, 10], 2048, 10));
    // Dense rows, and a slice of rows with a gap between them.
    let v = View::contiguous([1, 2, 3, 4]);
    assert!(agrees(v, [1, 2, 3, 4], 6, 4));
    let v = View {
        offset: 2,
        strides: [0, 0, 10, 1],
    };
    assert_eq!(v.two_strides([1, 1, 7, 4], 7, 4), Some((10, 1)));
}

#[test]
fn interleaved_or_broadcast_rows_are_not() {
    // Rows that split a permuted pair of axes: no single row stride.
    let v = View {
        offset: 0,
        strides: [0, 1, 12, 3],
    };
    assert_eq!(v.two_strides([1, 3, 2, 4], 6, 4), None);
    // A row broadcast along one of two axes: no single element stride.
    let v = View {
        offset: 0,
        strides: [0, 0, 0, 1],
    };
    assert_eq!(v.two_strides([1, 1, 3, 4], 1, 12), None);
    // A split that no row boundary matches, and empty reductions.
    let v = View::contiguous([1, 1, 3, 4]);
    assert_eq!(v.two_strides([1, 1, 3, 4], 2, 6), None);
    assert_eq!(v.two_strides([1, 1, 0, 4], 0, 4), None);
}
