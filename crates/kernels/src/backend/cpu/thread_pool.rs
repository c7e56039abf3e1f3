//! Natively, the helper threads that run a split matmul's other row blocks: started once,
//! kept for the process, each waiting for its next block by spinning a short while and
//! then sleeping.
//!
//! A thread started per product paid for its start and for a fresh allocator heap every
//! time (its packing buffers came as new, zeroed pages), and a pool that puts its threads
//! to sleep at once (rayon's, tried) paid a wake-up per product instead. Products come in
//! bursts (a training step is a few dozen), so a helper that spins for
//! [`SPIN_BEFORE_SLEEP`] after its block is usually still awake for the next one.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

/// How long an idle helper spins before it sleeps.
const SPIN_BEFORE_SLEEP: Duration = Duration::from_micros(300);

/// One call's work: `run(i)` runs block `i` (1-based for helpers; the caller runs 0).
/// The pointer's lifetime is the call's: [`run_blocks`] waits for every helper to finish
/// before it returns or unwinds, so no helper touches it afterwards.
type Job = &'static (dyn Fn(usize) + Sync);

/// What a helper shares with callers.
struct Slot {
    /// The posted job and the block it runs, taken by the helper.
    job: Mutex<Option<(Job, usize, Arc<Done>)>>,
    /// Set with a posted job, so a spinning helper sees it without the lock.
    posted: AtomicBool,
    /// The helper thread, for `unpark`.
    thread: OnceLock<Thread>,
}

/// A call's countdown of helper blocks still running, and whether one panicked.
struct Done {
    left: AtomicUsize,
    panic: Mutex<Option<Box<dyn std::any::Any + Send>>>,
}

/// The helpers, started at the first call.
fn helpers(count: usize) -> &'static [Arc<Slot>] {
    static HELPERS: OnceLock<Vec<Arc<Slot>>> = OnceLock::new();
    HELPERS.get_or_init(|| {
        (0..count)
            .map_while(|i| {
                let slot = Arc::new(Slot {
                    job: Mutex::new(None),
                    posted: AtomicBool::new(false),
                    thread: OnceLock::new(),
                });
                let mine = Arc::clone(&slot);
                let started = thread::Builder::new()
                    .name(format!("gradlab-matmul-{i}"))
                    .spawn(move || helper_loop(&mine));
                // A thread that cannot start leaves fewer helpers; the caller runs the rest.
                let handle = started.ok()?;
                slot.thread.set(handle.thread().clone()).ok();
                Some(slot)
            })
            .collect()
    })
}

fn helper_loop(slot: &Slot) {
    loop {
        let since = Instant::now();
        while !slot.posted.load(Ordering::Acquire) {
            if since.elapsed() < SPIN_BEFORE_SLEEP {
                std::hint::spin_loop();
            } else {
                // An `unpark` between the check and here makes `park` return at once.
                thread::park();
            }
        }
        slot.posted.store(false, Ordering::Relaxed);
        let taken = lock(&slot.job).take();
        let Some((job, block, done)) = taken else {
            continue;
        };
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| job(block))) {
            lock(&done.panic).get_or_insert(panic);
        }
        done.left.fetch_sub(1, Ordering::Release);
    }
}

/// Waits until every posted block has finished, also when the caller's own block panics.
struct WaitForHelpers(Arc<Done>);

impl Drop for WaitForHelpers {
    fn drop(&mut self) {
        let since = Instant::now();
        while self.0.left.load(Ordering::Acquire) > 0 {
            if since.elapsed() < SPIN_BEFORE_SLEEP {
                std::hint::spin_loop();
            } else {
                thread::yield_now();
            }
        }
    }
}

/// A lock whatever became of an earlier holder (nothing here panics while holding one).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `run(0)` on the calling thread and `run(1)` to `run(blocks - 1)` on helper threads
/// (at most `helpers_wanted` of them exist; blocks beyond the helpers run on the caller
/// too), returning when all are done. Every block runs even when one panics; the first
/// panic is raised here once all are done. While another
/// call holds the helpers (another thread's product, or a block that itself splits),
/// every block runs on the calling thread.
pub fn run_blocks(blocks: usize, helpers_wanted: usize, run: &(dyn Fn(usize) + Sync)) {
    static BUSY: Mutex<()> = Mutex::new(());
    if blocks == 0 {
        return;
    }
    let Ok(_held) = BUSY.try_lock() else {
        if let Some(panic) = run_caught(run, 0..blocks) {
            resume_unwind(panic);
        }
        return;
    };
    let pool = helpers(helpers_wanted);
    let posted = (blocks.saturating_sub(1)).min(pool.len());
    let done = Arc::new(Done {
        left: AtomicUsize::new(posted),
        panic: Mutex::new(None),
    });
    // SAFETY: the job is used only by the helpers given it below, and `wait` (dropped at
    // the end of this function, also while unwinding) returns only when each of them has
    // finished with it, so it never outlives `run`.
    let job: Job = unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), Job>(run) };
    {
        let wait = WaitForHelpers(Arc::clone(&done));
        for (i, slot) in pool.iter().take(posted).enumerate() {
            *lock(&slot.job) = Some((job, i + 1, Arc::clone(&done)));
            slot.posted.store(true, Ordering::Release);
            if let Some(t) = slot.thread.get() {
                t.unpark();
            }
        }
        let mine = run_caught(run, std::iter::once(0).chain(posted + 1..blocks));
        drop(wait);
        if let Some(panic) = mine {
            lock(&done.panic).get_or_insert(panic);
        }
    }
    let panicked = lock(&done.panic).take();
    if let Some(panic) = panicked {
        resume_unwind(panic);
    }
}

/// Runs every block of `blocks`, even after one panics; returns the first panic.
fn run_caught(
    run: &(dyn Fn(usize) + Sync),
    blocks: impl IntoIterator<Item = usize>,
) -> Option<Box<dyn std::any::Any + Send>> {
    let mut first = None;
    for block in blocks {
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| run(block))) {
            first.get_or_insert(panic);
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every block runs exactly once, from several callers at once (the helpers serve one
    /// call at a time, the others run their blocks themselves).
    #[test]
    fn every_block_runs_once_with_concurrent_callers() {
        thread::scope(|s| {
            for caller in 0..4 {
                s.spawn(move || {
                    for round in 0..50 {
                        let blocks = 1 + (caller + round) % 5;
                        let hits: Vec<AtomicUsize> =
                            (0..blocks).map(|_| AtomicUsize::new(0)).collect();
                        run_blocks(blocks, 3, &|i| {
                            hits[i].fetch_add(1, Ordering::Relaxed);
                        });
                        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
                    }
                });
            }
        });
    }

    /// A block that panics on a helper panics the caller, after every other block is done,
    /// and the helpers serve the next call.
    #[test]
    fn a_panicking_block_reaches_the_caller_and_the_pool_goes_on() {
        let finished = AtomicUsize::new(0);
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            run_blocks(3, 2, &|i| {
                if i == 1 {
                    panic!("block 1 fails");
                }
                finished.fetch_add(1, Ordering::Relaxed);
            })
        }));
        assert!(outcome.is_err());
        assert_eq!(finished.load(Ordering::Relaxed), 2);
        let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        run_blocks(3, 2, &|i| {
            hits[i].fetch_add(1, Ordering::Relaxed);
        });
        assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
    }
}
