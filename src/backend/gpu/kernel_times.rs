//! Device time by kernel, for profiling natively: while switched on, every dispatch is
//! submitted and waited for by itself, so the device time of a step splits by kernel
//! entry point. A submit and a wait per dispatch slow a step down (by a few dozen
//! microseconds a dispatch), so the figures find the kernels that dominate a step; they
//! are not its training speed.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

/// Dispatches and milliseconds per kernel entry point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KernelTimes(pub BTreeMap<&'static str, (u64, f64)>);

impl KernelTimes {
    /// What was timed between `earlier` and `self`.
    pub fn since(&self, earlier: &KernelTimes) -> KernelTimes {
        let mut diff = BTreeMap::new();
        for (&k, &(n, ms)) in &self.0 {
            let (n0, ms0) = earlier.0.get(k).copied().unwrap_or((0, 0.0));
            if n > n0 {
                diff.insert(k, (n - n0, ms - ms0));
            }
        }
        KernelTimes(diff)
    }

    /// Milliseconds of every kernel together.
    pub fn total_ms(&self) -> f64 {
        self.0.values().map(|&(_, ms)| ms).sum()
    }

    /// `(kernel, dispatches, milliseconds)`, the longest first.
    pub fn ranked(&self) -> Vec<(&'static str, u64, f64)> {
        let mut v: Vec<_> = self.0.iter().map(|(&k, &(n, ms))| (k, n, ms)).collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(b.0)));
        v
    }
}

/// The switch and the totals so far.
#[derive(Debug, Default)]
pub(super) struct KernelClock {
    /// Whether dispatches are timed alone.
    pub on: Cell<bool>,
    times: RefCell<KernelTimes>,
}

impl KernelClock {
    /// One dispatch of `entry` took `ms`.
    pub fn add(&self, entry: &'static str, ms: f64) {
        let mut t = self.times.borrow_mut();
        let e = t.0.entry(entry).or_insert((0, 0.0));
        e.0 += 1;
        e.1 += ms;
    }

    /// The totals so far.
    pub fn snapshot(&self) -> KernelTimes {
        self.times.borrow().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_keeps_only_kernels_dispatched_since_and_ranks_by_time() {
        let clock = KernelClock::default();
        clock.add("a", 1.0);
        let before = clock.snapshot();
        clock.add("a", 2.0);
        clock.add("b", 5.0);
        clock.add("b", 1.0);
        let step = clock.snapshot().since(&before);
        assert_eq!(step.ranked(), vec![("b", 2, 6.0), ("a", 1, 2.0)]);
        assert_eq!(step.total_ms(), 8.0);
        assert_eq!(
            clock.snapshot().since(&clock.snapshot()),
            KernelTimes::default()
        );
    }
}
