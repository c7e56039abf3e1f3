//! Seeded train/test splits and mini-batch orders.

use super::Dataset;
use crate::rng::Rng;

/// Splits `ds` into `(train, test)` with `round(n * test_fraction)` test rows.
///
/// Classification splits are stratified: each class gives `floor(f * n_c)` test rows and
/// the few rows still needed to reach the total go to the classes with the largest
/// remainders `f * n_c - floor(f * n_c)` (ties: lower class first), so every class's test
/// share is within one row of `f * n_c`. Which rows go to test is a seeded shuffle
/// (classes shuffled one after another, in class order); both halves keep the original
/// row order. Regression splits take the first rows of one seeded permutation.
/// `test_fraction` is clamped to `[0, 1]`; NaN counts as 0.
pub fn train_test_split(ds: &Dataset, test_fraction: f32, rng: &mut Rng) -> (Dataset, Dataset) {
    let f = if test_fraction.is_nan() {
        0.0
    } else {
        test_fraction.clamp(0.0, 1.0) as f64
    };
    let n_test = ((ds.n as f64) * f).round() as usize;
    let mut is_test = vec![false; ds.n];
    if ds.is_classification() {
        // One group per class, plus one for stray labels outside 0..classes.
        let classes = ds.num_classes();
        let mut groups = vec![Vec::new(); classes + 1];
        for (i, l) in ds.labels().into_iter().enumerate().take(ds.n) {
            groups[l.min(classes)].push(i);
        }
        for g in groups.iter_mut() {
            rng.shuffle(g);
        }
        for (g, q) in groups.iter().zip(stratified_quotas(&groups, f, n_test)) {
            for &i in &g[..q] {
                is_test[i] = true;
            }
        }
    } else {
        for i in rng.permutation(ds.n).into_iter().take(n_test) {
            is_test[i] = true;
        }
    }
    let (test, train): (Vec<usize>, Vec<usize>) = (0..ds.n).partition(|&i| is_test[i]);
    (ds.subset(&train), ds.subset(&test))
}

/// Test rows per class: floors of `f * n_c`, plus largest-remainder top-up to `total`.
fn stratified_quotas(groups: &[Vec<usize>], f: f64, total: usize) -> Vec<usize> {
    let ideal: Vec<f64> = groups.iter().map(|g| f * g.len() as f64).collect();
    let mut quota: Vec<usize> = ideal
        .iter()
        .zip(groups)
        .map(|(&q, g)| (q.floor() as usize).min(g.len()))
        .collect();
    let mut order: Vec<usize> = (0..groups.len()).collect();
    // Largest remainder first; the stable sort keeps lower classes first on ties.
    order.sort_by(|&a, &b| {
        let ra = ideal[a] - ideal[a].floor();
        let rb = ideal[b] - ideal[b].floor();
        rb.total_cmp(&ra)
    });
    let mut missing = total.saturating_sub(quota.iter().sum());
    for c in order {
        if missing == 0 {
            break;
        }
        if quota[c] < groups[c].len() {
            quota[c] += 1;
            missing -= 1;
        }
    }
    quota
}

/// Mini-batches of row indices for one epoch: a seeded permutation of `0..n` cut into
/// chunks of `batch_size` (at least 1), the last one possibly shorter.
pub fn epoch_batches(n: usize, batch_size: usize, rng: &mut Rng) -> Vec<Vec<usize>> {
    rng.permutation(n)
        .chunks(batch_size.max(1))
        .map(|c| c.to_vec())
        .collect()
}

/// Hands out a fresh seeded batch order every epoch.
#[derive(Clone, Debug)]
pub struct Batcher {
    n: usize,
    batch_size: usize,
    rng: Rng,
}

impl Batcher {
    /// A batcher over `n` rows; `batch_size` 0 is treated as 1.
    pub fn new(n: usize, batch_size: usize, rng: Rng) -> Batcher {
        Batcher {
            n,
            batch_size: batch_size.max(1),
            rng,
        }
    }

    /// Number of batches per epoch: `ceil(n / batch_size)`.
    pub fn batches_per_epoch(&self) -> usize {
        self.n.div_ceil(self.batch_size)
    }

    /// The next epoch's batches (see [`epoch_batches`]).
    pub fn next_epoch(&mut self) -> Vec<Vec<usize>> {
        epoch_batches(self.n, self.batch_size, &mut self.rng)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{generate_1d, load_real, RealSet, Regression1d, Task};

    /// A classification set whose feature is the row index, so rows can be traced.
    fn traced(labels: &[usize], classes: usize) -> Dataset {
        Dataset {
            x: (0..labels.len()).map(|i| i as f32).collect(),
            y: labels.iter().map(|&l| l as f32).collect(),
            n: labels.len(),
            features: 1,
            input_shape: vec![1],
            targets: 1,
            feature_names: vec!["id".into()],
            task: Task::Classification {
                class_names: (0..classes).map(|c| c.to_string()).collect(),
            },
        }
    }

    fn check_partition(ds: &Dataset, train: &Dataset, test: &Dataset) {
        let mut ids: Vec<usize> = train.x.iter().chain(&test.x).map(|&v| v as usize).collect();
        ids.sort_unstable();
        assert_eq!(ids, (0..ds.n).collect::<Vec<_>>(), "disjoint and complete");
        for part in [train, test] {
            for i in 0..part.n {
                let id = part.x[i] as usize;
                assert_eq!(part.y[i], ds.y[id], "row {id} keeps its target");
            }
            assert!(
                part.x.windows(2).all(|w| w[0] < w[1]),
                "original order kept"
            );
        }
    }

    #[test]
    fn stratified_split_sizes_and_class_shares() {
        let mut rng = Rng::new(5);
        for trial in 0..50 {
            let n = 1 + rng.below(300);
            let classes = 1 + rng.below(6);
            let labels: Vec<usize> = (0..n).map(|_| rng.below(classes)).collect();
            let ds = traced(&labels, classes);
            let f = [0.0, 0.1, 0.2, 0.25, 1.0 / 3.0, 0.5, 0.9, 1.0][trial % 8];
            let (train, test) = train_test_split(&ds, f, &mut rng);
            check_partition(&ds, &train, &test);
            assert_eq!(test.n, (n as f64 * f as f64).round() as usize);
            let (all, te) = (ds.class_counts(), test.class_counts());
            for c in 0..classes {
                let want = f as f64 * all[c] as f64;
                assert!(
                    (te[c] as f64 - want).abs() < 1.0,
                    "class {c}: {} vs {want}",
                    te[c]
                );
            }
        }
    }

    #[test]
    fn split_is_deterministic_and_seed_dependent() {
        let ds = load_real(RealSet::Iris).unwrap();
        let a = train_test_split(&ds, 0.2, &mut Rng::new(1));
        let b = train_test_split(&ds, 0.2, &mut Rng::new(1));
        let c = train_test_split(&ds, 0.2, &mut Rng::new(2));
        assert_eq!(a, b);
        assert_ne!(a.1.x, c.1.x);
        assert_eq!((a.0.n, a.1.n), (120, 30));
        assert_eq!(a.1.class_counts(), vec![10, 10, 10]);
    }

    #[test]
    fn regression_split_and_odd_fractions() {
        let mut ds = generate_1d(Regression1d::Linear, 101, 0.0, &mut Rng::new(3));
        ds.x = (0..101).map(|i| i as f32).collect();
        let (train, test) = train_test_split(&ds, 0.3, &mut Rng::new(4));
        assert_eq!((train.n, test.n), (71, 30));
        check_partition(&ds, &train, &test);
        for f in [f32::NAN, -1.0, 2.0] {
            let (tr, te) = train_test_split(&ds, f, &mut Rng::new(4));
            let want = if f > 1.0 { 101 } else { 0 };
            assert_eq!((tr.n + te.n, te.n), (101, want));
        }
    }

    #[test]
    fn epoch_batches_cover_every_row_once() {
        let mut rng = Rng::new(8);
        for (n, bs) in [(0, 4), (1, 4), (10, 3), (10, 10), (10, 0), (257, 32)] {
            let b = epoch_batches(n, bs, &mut rng);
            let bs = bs.max(1);
            assert_eq!(b.len(), n.div_ceil(bs));
            let mut all: Vec<usize> = b.concat();
            assert!(b.iter().rev().skip(1).all(|x| x.len() == bs));
            all.sort_unstable();
            assert_eq!(all, (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn batcher_reshuffles_each_epoch_deterministically() {
        let mut a = Batcher::new(50, 8, Rng::new(9));
        let mut b = Batcher::new(50, 8, Rng::new(9));
        assert_eq!(a.batches_per_epoch(), 7);
        let (e1, e2) = (a.next_epoch(), a.next_epoch());
        assert_ne!(e1, e2);
        assert_eq!((e1, e2), (b.next_epoch(), b.next_epoch()));
    }
}
