//! `View::two_strides`: when a view's elements, taken as rows, sit at
//! `offset + row * r + j * e` (the reductions' fast forms on the CPU and the GPU), and
//! `View::repeat_period`: when element `k` sits at `offset + k % period` (the GPU's flat
//! binary entries), each checked against the definition element by element, and the
//! views that have no such form.

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

/// Every period from 1 to the length that puts element `k` at `offset + k % p`.
fn periods_by_definition(v: &View, dims: Dims) -> Vec<usize> {
    let n: usize = dims.iter().product();
    (1..=n.max(1))
        .filter(|&p| (0..n).all(|k| element(v, dims, k) == v.offset + k % p))
        .collect()
}

#[test]
fn repeated_dense_blocks_have_a_period() {
    for (dims, strides, offset, period) in [
        // Dense, with and without an offset (a slice of a contiguous tensor).
        ([2, 3, 4, 5], [60, 20, 5, 1], 0, 120),
        ([1, 1, 7, 3], [0, 0, 3, 1], 9, 21),
        // A bias row over a matrix's rows, a [4, 3] block over a batch of 2.
        ([1, 1, 5, 3], [0, 0, 0, 1], 0, 3),
        ([1, 2, 4, 3], [0, 0, 3, 1], 2, 12),
        // A scalar everywhere; size-one axes with any stride.
        ([1, 2, 3, 1], [0, 0, 0, 0], 4, 1),
        ([2, 1, 3, 1], [0, 77, 1, 99], 0, 3),
    ] {
        let v = View { offset, strides };
        assert_eq!(v.repeat_period(dims), Some(period), "{dims:?} {strides:?}");
        assert!(
            periods_by_definition(&v, dims).contains(&period),
            "{dims:?} {strides:?}: element k is not at offset + k % {period}"
        );
    }
}

#[test]
fn transposed_or_inner_broadcast_views_have_none() {
    for (dims, strides) in [
        // A transposed matrix.
        ([1, 1, 3, 4], [0, 0, 1, 3]),
        // A column broadcast along a row (the inner axis repeats, the outer does not).
        ([1, 1, 3, 4], [0, 0, 1, 0]),
        // A block repeated with a gap between repeats.
        ([1, 2, 2, 3], [0, 7, 3, 1]),
    ] {
        let v = View { offset: 0, strides };
        assert_eq!(v.repeat_period(dims), None, "{dims:?} {strides:?}");
        assert_eq!(
            periods_by_definition(&v, dims),
            Vec::<usize>::new(),
            "{dims:?} {strides:?}"
        );
    }
}
